/*
 * strings.c — CEL function library "strings" (overloads added as the library is built).
 */
#include "cel_func.h"

const CelLibrary cel_lib_strings = {"strings", NULL, 0};
