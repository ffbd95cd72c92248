/*
 * sets.c — CEL function library "sets" (overloads added as the library is built).
 */
#include "cel_func.h"

const CelLibrary cel_lib_sets = {"sets", NULL, 0};
