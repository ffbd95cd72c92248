/*
 * policy.h — the policy model: Cerbos 0.55 policy files as C structures.
 *
 * Loading runs in two steps.  ptree.c turns a file's YAML or JSON text into
 * a small generic tree (PNode) in which every node remembers its line and
 * column; decode.c walks that tree as Cerbos' protobuf decoding would
 * (camelCase or snake_case field names, unknown fields rejected, the same
 * validation rules) and fills one Policy per document.  dir.c walks a
 * policy directory the way Cerbos' disk store does.
 *
 * Every CEL expression stays text (PExpr) with the position of its YAML
 * node; compiler/ parses and checks them later.  Everything is allocated in
 * the caller's Arena and every problem goes to a DiagList as
 * "file:line:column: message".
 */
#ifndef AUTHZ_POLICY_H
#define AUTHZ_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/arena.h"
#include "../common/diag.h"

/* ---------- the generic tree ---------- */

typedef enum PNodeKind
{
	PNODE_SCALAR = 1,
	PNODE_MAP,
	PNODE_SEQ
} PNodeKind;

typedef struct PNode
{
	PNodeKind	kind;
	int			line;			/* 1-based */
	int			column;			/* 1-based */
	/* scalars */
	const char *text;			/* NUL-terminated; may contain NULs (len) */
	size_t		len;
	bool		plain;			/* unquoted, so null/bool/number apply */
	bool		block;			/* a | or > block scalar */
	int			content_line;	/* where the text itself starts */
	int			content_column;
	/* maps (keys[i] -> values[i]) and sequences (values[i]) */
	int			count;
	struct PNode **keys;
	struct PNode **values;
} PNode;

/* One YAML document of a file. */
typedef struct PDoc
{
	const char *file;
	PNode	   *root;			/* NULL for an empty document */
	int			line;			/* where the document starts */
	int			column;
} PDoc;

typedef struct PTreeLimits
{
	int			max_depth;		/* 0 = 256 */
	int			max_nodes;		/* 0 = 1,000,000 per file */
	int			max_documents;	/* 0 = 1,000 per file */
} PTreeLimits;

/* Parses text into documents; false (with diags) on a syntax error. */
extern bool ptree_parse(Arena *arena, const char *file, const char *text,
						size_t len, const PTreeLimits *limits,
						PDoc **docs, int *ndocs, DiagList *diags);

/* A plain scalar that YAML reads as null ("", "~", "null"). */
extern bool pnode_is_null(const PNode *node);

/* "String", "Mapping", "Sequence", "Null", ... as Cerbos names node types. */
extern const char *pnode_type_name(const PNode *node);

/* ---------- the policy model ---------- */

typedef enum PolicyKind
{
	POLICY_RESOURCE = 1,
	POLICY_PRINCIPAL,
	POLICY_DERIVED_ROLES,
	POLICY_EXPORT_VARIABLES,
	POLICY_EXPORT_CONSTANTS,
	POLICY_ROLE,
	POLICY_KIND_COUNT
} PolicyKind;

/* Effect values as in cerbos.effect.v1.Effect. */
#define POLICY_EFFECT_UNSPECIFIED 0
#define POLICY_EFFECT_ALLOW 1
#define POLICY_EFFECT_DENY 2

/* Scope permission values as in cerbos.policy.v1.ScopePermissions. */
#define SCOPE_PERMISSIONS_UNSPECIFIED 0
#define SCOPE_PERMISSIONS_OVERRIDE_PARENT 1
#define SCOPE_PERMISSIONS_REQUIRE_PARENTAL_CONSENT_FOR_ALLOWS 2

/* A position in a policy file. */
typedef struct PPos
{
	int			line;
	int			column;
} PPos;

/* A string field with where it was written. */
typedef struct PStr
{
	const char *s;				/* "" when absent */
	PPos		pos;			/* the key (or the item, in a list) */
	PPos		value_pos;		/* the value */
	bool		present;
} PStr;

typedef struct PStrList
{
	PStr	   *items;
	int			count;
	PPos		pos;			/* the key */
	bool		present;
	bool		bad_type;		/* not a sequence (already reported) */
} PStrList;

/*
 * A CEL expression: its text, the position of its YAML value, and where the
 * text itself starts (after a quote, or on the line after a | or >), so that
 * positions inside the expression can be mapped back to the file.
 */
typedef struct PExpr
{
	const char *text;
	PPos		pos;
	PPos		content;
	bool		block;			/* lines of a block scalar share an indentation */
	void	   *checked;		/* set by the compiler's CEL stage (a CelAst) */
} PExpr;

/* Maps a 1-based line:column inside an expression's text to the file. */
extern PPos pexpr_file_position(const PExpr *expr, int line, int column);

typedef enum PMatchOp
{
	PMATCH_EXPR = 1,
	PMATCH_ALL,
	PMATCH_ANY,
	PMATCH_NONE
} PMatchOp;

typedef struct PMatch
{
	PMatchOp	op;
	PPos		pos;
	PExpr		expr;			/* PMATCH_EXPR */
	struct PMatch *of;			/* the others */
	int			nof;
} PMatch;

typedef struct PCondition
{
	PPos		pos;
	PMatch	   *match;			/* NULL when the deprecated script is used */
	bool		has_script;
	PExpr		script;
} PCondition;

typedef struct POutput
{
	PPos		pos;
	bool		has_expr;		/* deprecated output.expr */
	PExpr		expr;
	bool		has_rule_activated;
	PExpr		rule_activated;
	bool		has_condition_not_met;
	PExpr		condition_not_met;
} POutput;

/* A named CEL definition (variables, export variables). */
typedef struct PVarDef
{
	const char *name;
	PPos		name_pos;
	PExpr		expr;
} PVarDef;

/* A named constant: any YAML value. */
typedef struct PConstDef
{
	const char *name;
	PPos		name_pos;
	const PNode *value;
} PConstDef;

typedef struct PVariables
{
	bool		present;
	PPos		pos;
	PStrList	imports;
	PVarDef    *local;
	int			nlocal;
} PVariables;

typedef struct PConstants
{
	bool		present;
	PPos		pos;
	PStrList	imports;
	PConstDef  *local;
	int			nlocal;
} PConstants;

typedef struct PSchemaRef
{
	bool		present;
	PPos		pos;
	PStr		ref;
	bool		has_ignore_when;
	PStrList	ignore_actions;
} PSchemaRef;

typedef struct PKeyValue
{
	const char *key;
	const char *value;
} PKeyValue;

typedef struct PMetadata
{
	bool		present;
	const char *source_file;
	PKeyValue  *annotations;
	int			nannotations;
	bool		has_hash;
	uint64_t	hash;
	const char *store_identifier;	/* either spelling */
	const PNode *source_attributes;
} PMetadata;

typedef struct PResourceRule
{
	PPos		pos;
	PStrList	actions;
	PStrList	derived_roles;
	PStrList	roles;
	PCondition *condition;
	int			effect;
	PPos		effect_pos;
	PStr		name;
	POutput    *output;
} PResourceRule;

typedef struct PPrincipalAction
{
	PPos		pos;
	PStr		action;
	PCondition *condition;
	int			effect;
	PStr		name;
	POutput    *output;
} PPrincipalAction;

typedef struct PPrincipalRule
{
	PPos		pos;
	PStr		resource;
	PPrincipalAction *actions;
	int			nactions;
} PPrincipalRule;

typedef struct PRoleDef
{
	PPos		pos;
	PStr		name;
	PStrList	parent_roles;
	PCondition *condition;
} PRoleDef;

typedef struct PRoleRule
{
	PPos		pos;
	PStr		resource;
	PStrList	allow_actions;
	PCondition *condition;
	PStr		name;
	POutput    *output;
} PRoleRule;

/*
 * One policy document.  The fields used depend on kind; `name` holds the
 * resource, principal, role, derived-roles or export name.
 */
typedef struct Policy
{
	PolicyKind	kind;
	const char *file;			/* as given to the loader (relative) */
	PPos		pos;			/* the document */
	PPos		kind_pos;		/* the resourcePolicy:/... key */

	PStr		api_version;
	bool		disabled;
	const char *description;
	const char *json_schema;	/* "$schema" */
	PMetadata	metadata;
	PVarDef    *top_variables;	/* deprecated top-level variables */
	int			ntop_variables;

	PStr		name;
	PStr		version;
	PStr		scope;
	int			scope_permissions;
	PStrList	import_derived_roles;
	PVariables	variables;
	PConstants	constants;
	PSchemaRef	principal_schema;
	PSchemaRef	resource_schema;

	PResourceRule *resource_rules;
	int			nresource_rules;
	PPrincipalRule *principal_rules;
	int			nprincipal_rules;
	PRoleDef   *role_defs;		/* derived roles */
	int			nrole_defs;
	PVarDef    *export_variables;
	int			nexport_variables;
	PConstDef  *export_constants;
	int			nexport_constants;
	PStrList	parent_roles;	/* role policies */
	PRoleRule  *role_rules;
	int			nrole_rules;
} Policy;

typedef struct PolicyLoadOptions
{
	/* Cerbos rejects files with more than one YAML document; allow them. */
	bool		allow_multiple_documents;
	PTreeLimits limits;
} PolicyLoadOptions;

/* Decodes one file's text into policies (appended to *policies). */
extern bool policy_load_text(Arena *arena, const char *file, const char *text,
							 size_t len, const PolicyLoadOptions *options,
							 Policy ***policies, int *npolicies,
							 DiagList *diags);

/* Decodes one parsed document; NULL for an empty one or on errors. */
extern Policy *policy_decode(Arena *arena, const PDoc *doc, DiagList *diags);

/* "resource", "principal", "derived_roles", ... */
extern const char *policy_kind_name(PolicyKind kind);

/* The name Cerbos prints: resource.doc.vdefault/acme, derived_roles.x, ... */
extern const char *policy_fqn(Arena *arena, const Policy *policy);

/* Validators for the name patterns of policy.proto. */
extern bool policy_valid_resource_name(const char *s);	/* ^[^!*?\[\]{}]+$ */
extern bool policy_valid_version(const char *s, bool allow_empty);	/* ^\w+$ */
extern bool policy_valid_ident(const char *s);	/* ^[\w\-\.]+$ */
extern bool policy_valid_scope(const char *s);
extern bool policy_valid_rule_name(const char *s);	/* ^([a-zA-Z][\w@.\-]*)*$ */

/* ---------- a policy directory ---------- */

/* A JSON schema from _schemas/, kept as text for later validation. */
typedef struct PSchemaFile
{
	const char *name;			/* path under _schemas/, e.g. resources/x.json */
	const char *text;
	size_t		len;
} PSchemaFile;

typedef struct PolicyDir
{
	const char *root;
	Policy    **policies;
	int			npolicies;
	int			nfiles;			/* policy files read */
	PSchemaFile *schemas;
	int			nschemas;
	const char **test_files;	/* *_test.{yaml,yml,json}, relative */
	int			ntest_files;
	const char **testdata_files;	/* files under testdata/, relative */
	int			ntestdata_files;
} PolicyDir;

/* Reads every policy file under root (as Cerbos' disk store would). */
extern bool policy_load_dir(Arena *arena, const char *root,
							const PolicyLoadOptions *options, PolicyDir *out,
							DiagList *diags);

/*
 * Adds policies from text to a PolicyDir (memset to zero for an empty one):
 * for sources other than files, such as the authz_policies table.  `name`
 * stands for the file in errors.  Policies of a PolicyDir must only be
 * appended through this or policy_load_text (the array grows geometrically).
 */
extern bool policy_dir_add_text(Arena *arena, PolicyDir *dir, const char *name,
								const char *text, size_t len,
								const PolicyLoadOptions *options, DiagList *diags);

/* Whether Cerbos would read a file at this relative path as a policy. */
typedef enum PolicyFileRole
{
	PFILE_IGNORED = 0,
	PFILE_POLICY,
	PFILE_SCHEMA,
	PFILE_TEST,
	PFILE_TESTDATA
} PolicyFileRole;

extern PolicyFileRole policy_file_role(const char *relpath);

/* Finds a schema by name ("principal.json"); NULL when absent. */
extern const PSchemaFile *policy_dir_schema(const PolicyDir *dir,
											const char *name);

#endif							/* AUTHZ_POLICY_H */
