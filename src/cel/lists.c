/*
 * lists.c — CEL function library "lists" (overloads added as the library is built).
 */
#include "cel_func.h"

const CelLibrary cel_lib_lists = {"lists", NULL, 0};
