/*
 * regex.c — CEL function library "regex" (overloads added as the library is built).
 */
#include "cel_func.h"

const CelLibrary cel_lib_regex = {"regex", NULL, 0};
