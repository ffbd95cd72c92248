/*
 * encoders.c — CEL function library "encoders" (overloads added as the library is built).
 */
#include "cel_func.h"

const CelLibrary cel_lib_encoders = {"encoders", NULL, 0};
