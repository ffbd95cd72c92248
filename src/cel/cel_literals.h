/*
 * cel_literals.h — compile-time checks of literal arguments, as the
 * validators Cerbos 0.55 enables in cel-go reject them.
 *
 * cel-go refuses, at compile time, a call of timestamp(), duration(), ip()
 * or cidr() whose single argument is a constant that would fail at runtime
 * (Cerbos: "ERROR: <input>:1:11: invalid timestamp argument").  The error
 * is positioned at the argument.  Calls with non-constant arguments, and
 * other functions of these libraries (ip.isCanonical, containsIP, spiffeID,
 * hierarchy...), are not checked: their bad inputs are runtime errors.
 */
#ifndef AUTHZ_CEL_LITERALS_H
#define AUTHZ_CEL_LITERALS_H

#include "cel_value.h"

/*
 * For a global call function(arg) with a constant arg: NULL when the
 * literal is acceptable (or the function is not validated), else the
 * message, in the arena: "invalid timestamp argument", "invalid duration
 * argument", "invalid ip argument: IP Address \"x\" parse error ...",
 * "invalid cidr argument: CIDR \"x\" parse error ...".
 */
extern const char *cel_literal_call_error(Arena *arena, const char *function,
										  CelValue arg);

#endif							/* AUTHZ_CEL_LITERALS_H */
