/*
 * time.c — CEL function library "time" (overloads added as the library is built).
 */
#include "cel_func.h"

const CelLibrary cel_lib_time = {"time", NULL, 0};
