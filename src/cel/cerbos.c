/*
 * cerbos.c — CEL function library "cerbos" (overloads added as the library is built).
 */
#include "cel_func.h"

const CelLibrary cel_lib_cerbos = {"cerbos", NULL, 0};
