/*
 * math.c — CEL function library "math" (overloads added as the library is built).
 */
#include "cel_func.h"

const CelLibrary cel_lib_math = {"math", NULL, 0};
