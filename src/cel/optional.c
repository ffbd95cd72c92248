/*
 * optional.c — CEL function library "optional" (overloads added as the library is built).
 */
#include "cel_func.h"

const CelLibrary cel_lib_optional = {"optional", NULL, 0};
