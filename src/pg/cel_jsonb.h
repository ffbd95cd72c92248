/*
 * cel_jsonb.h — jsonb <-> CEL values.
 */
#ifndef AUTHZ_CEL_JSONB_H
#define AUTHZ_CEL_JSONB_H

#include "postgres.h"

#include "utils/jsonb.h"

#include "cel/cel_value.h"

/* Plain JSON as Cerbos takes attributes: numbers are doubles. */
extern CelValue authz_jsonb_to_cel(Arena *arena, Jsonb *j);
extern CelValue authz_jsonb_value_to_cel(Arena *arena, JsonbValue *v);

/* The typed encoding ({"int": "5"}, {"map": [[k, v]]}, ...). */
extern CelValue authz_typed_jsonb_to_cel(Arena *arena, JsonbValue *v);

/* A CEL value as jsonb, plain or typed. */
extern Jsonb *authz_cel_to_jsonb(Arena *arena, CelValue v, bool typed);

#endif							/* AUTHZ_CEL_JSONB_H */
