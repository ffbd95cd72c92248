/*
 * net.c — CEL function library "net" (overloads added as the library is built).
 */
#include "cel_func.h"

const CelLibrary cel_lib_net = {"net", NULL, 0};
