/*
 * std.c — CEL function library "std" (overloads added as the library is built).
 */
#include "cel_func.h"

const CelLibrary cel_lib_std = {"std", NULL, 0};
