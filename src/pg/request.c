/*
 * request.c — validating the JSON of Cerbos requests.
 *
 * Requests arrive as jsonb shaped like Cerbos' API bodies.  Everything is
 * checked before use and every mistake is an ERROR with SQLSTATE 22023
 * whose message names the offending field (as "principal.roles[1]"), so a
 * bad request never reaches the engine.
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "authz_pg.h"

#define MAX_ROLES 1000

static void
bad_field(const char *field, const char *problem)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid request: %s %s", field, problem)));
}

/* The value of key in a jsonb object container, or NULL. */
static JsonbValue *
object_get(JsonbContainer *obj, const char *key, JsonbValue *out)
{
	return getKeyJsonValueFromContainer(obj, key, strlen(key), out);
}

static bool
is_name_char(char c, bool allow_dot)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c == '_' || c == '-' || (allow_dot && c == '.');
}

/* Checks a principal object as Cerbos' CheckResources validates it. */
void
authz_validate_principal(Jsonb *principal, const char *field)
{
	JsonbContainer *root = &principal->root;
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	v;
	JsonbValue *found;
	int			nroles = 0;

	if (!JB_ROOT_IS_OBJECT(principal) || JB_ROOT_IS_SCALAR(principal))
		bad_field(field, "must be an object");

	/* every key must be one Cerbos knows */
	it = JsonbIteratorInit(root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
		{
			char	   *key = pnstrdup(v.val.string.val, v.val.string.len);

			if (strcmp(key, "id") != 0 && strcmp(key, "roles") != 0 &&
				strcmp(key, "attr") != 0 && strcmp(key, "policyVersion") != 0 &&
				strcmp(key, "policy_version") != 0 && strcmp(key, "scope") != 0)
				bad_field(psprintf("%s.%s", field, key), "is not a principal field");
		}
	}

	found = object_get(root, "id", &v);
	if (found == NULL || found->type != jbvString || found->val.string.len == 0)
		bad_field(psprintf("%s.id", field), "must be a non-empty string");

	found = object_get(root, "roles", &v);
	if (found == NULL || found->type != jbvBinary ||
		!JsonContainerIsArray(found->val.binary.data))
		bad_field(psprintf("%s.roles", field), "must be an array of strings");
	else
	{
		JsonbIterator *rit = JsonbIteratorInit(found->val.binary.data);
		JsonbValue	r;

		while ((tok = JsonbIteratorNext(&rit, &r, true)) != WJB_DONE)
		{
			if (tok != WJB_ELEM)
				continue;
			if (r.type != jbvString || r.val.string.len == 0)
				bad_field(psprintf("%s.roles[%d]", field, nroles), "must be a non-empty string");
			nroles++;
		}
		if (nroles == 0)
			bad_field(psprintf("%s.roles", field), "must name at least one role");
		if (nroles > MAX_ROLES)
			bad_field(psprintf("%s.roles", field), "has too many roles");
	}

	found = object_get(root, "attr", &v);
	if (found != NULL && found->type != jbvNull &&
		!(found->type == jbvBinary && JsonContainerIsObject(found->val.binary.data)))
		bad_field(psprintf("%s.attr", field), "must be an object");

	found = object_get(root, "policyVersion", &v);
	if (found == NULL)
		found = object_get(root, "policy_version", &v);
	if (found != NULL)
	{
		int			i;

		if (found->type != jbvString)
			bad_field(psprintf("%s.policyVersion", field), "must be a string");
		for (i = 0; i < found->val.string.len; i++)
			if (!is_name_char(found->val.string.val[i], false) || found->val.string.val[i] == '-')
				bad_field(psprintf("%s.policyVersion", field),
						  "may only contain letters, digits and underscores");
	}

	found = object_get(root, "scope", &v);
	if (found != NULL)
	{
		int			i;

		if (found->type != jbvString)
			bad_field(psprintf("%s.scope", field), "must be a string");
		for (i = 0; i < found->val.string.len; i++)
			if (!is_name_char(found->val.string.val[i], true))
				bad_field(psprintf("%s.scope", field),
						  "may only contain letters, digits, '_', '-' and '.'");
	}
}
