/*
 * ptree.c — YAML (and JSON, which libyaml reads as YAML) into PNode trees.
 *
 * libyaml's event API drives a small explicit stack, so nesting depth is
 * bounded by a counter rather than by the C stack.  Scalars keep whether
 * they were quoted: only plain scalars can be null, booleans or numbers, as
 * in YAML's core schema.  Anchors are remembered per document and an alias
 * shares the anchored node; the nodes an alias stands for count against
 * the node limit so that "billion laughs" documents are refused.  Mapping
 * keys must be scalars and unique, as Cerbos' YAML reader demands.
 */
#include "policy.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define DEFAULT_MAX_DEPTH 256
#define DEFAULT_MAX_NODES 1000000
#define DEFAULT_MAX_DOCUMENTS 1000

typedef struct Frame
{
	PNode	   *node;
	int			capacity;
	int			first_node;		/* node counter when it started (anchors) */
	const char *anchor;
	bool		expect_value;	/* a map's key was read, its value is next */
} Frame;

typedef struct Anchor
{
	const char *name;
	PNode	   *node;
	int			size;			/* nodes in its subtree */
} Anchor;

typedef struct Builder
{
	const char *text;			/* the input, to locate block scalars' content */
	size_t		len;
	Arena	   *arena;
	const char *file;
	DiagList   *diags;
	Frame	   *stack;
	int			stack_capacity;
	int			depth;
	int			max_depth;
	int			nodes;
	int			max_nodes;
	Anchor	   *anchors;
	int			nanchors;
	int			anchor_capacity;
	PNode	   *root;
	bool		failed;
} Builder;

/* Whether a plain scalar is YAML's null. */
bool
pnode_is_null(const PNode *node)
{
	if (node == NULL)
		return true;
	if (node->kind != PNODE_SCALAR || !node->plain)
		return false;
	return node->len == 0 || strcmp(node->text, "~") == 0 ||
		strcmp(node->text, "null") == 0 || strcmp(node->text, "Null") == 0 ||
		strcmp(node->text, "NULL") == 0;
}

/* The type names Cerbos' loader uses in "expected X got Y". */
const char *
pnode_type_name(const PNode *node)
{
	if (pnode_is_null(node))
		return "Null";
	switch (node->kind)
	{
		case PNODE_MAP:
			return "Mapping";
		case PNODE_SEQ:
			return "Sequence";
		default:
			break;
	}
	if (node->plain)
	{
		const char *t = node->text;
		const char *p;
		bool		digits = false;

		if (strcmp(t, "true") == 0 || strcmp(t, "false") == 0 ||
			strcmp(t, "True") == 0 || strcmp(t, "False") == 0 ||
			strcmp(t, "TRUE") == 0 || strcmp(t, "FALSE") == 0)
			return "Bool";
		if (*t == '-' || *t == '+')
			t++;
		if (strcmp(t, ".inf") == 0 || strcmp(t, ".Inf") == 0 || strcmp(t, ".INF") == 0 ||
			strcmp(node->text, ".nan") == 0 || strcmp(node->text, ".NaN") == 0 ||
			strcmp(node->text, ".NAN") == 0)
			return "Float";
		for (p = t; *p >= '0' && *p <= '9'; p++)
			digits = true;
		if (digits && *p == '\0')
			return "Integer";
		/* a float needs a point: Cerbos' reader takes 1e3 as a string */
		if (*p != '.')
			return "String";
		for (p++; *p >= '0' && *p <= '9'; p++)
			digits = true;
		if (digits && (*p == 'e' || *p == 'E'))
		{
			p++;
			if (*p == '-' || *p == '+')
				p++;
			if (!(*p >= '0' && *p <= '9'))
				return "String";
			while (*p >= '0' && *p <= '9')
				p++;
		}
		if (digits && *p == '\0')
			return "Float";
	}
	return "String";
}

/* Adds a child to the map or sequence on top of the stack. */
static bool
append_child(Builder *b, PNode *child)
{
	Frame	   *f;
	PNode	   *parent;

	if (b->depth == 0)
	{
		b->root = child;
		return true;
	}
	f = &b->stack[b->depth - 1];
	parent = f->node;
	if (parent->kind == PNODE_MAP)
	{
		/* keys and values alternate; a value completes the pair */
		int			slot = parent->count;

		if (!f->expect_value)
		{
			if (slot + 1 >= f->capacity)
			{
				int			cap = f->capacity ? f->capacity * 2 : 8;

				parent->keys = arena_realloc(b->arena, parent->keys,
											 sizeof(PNode *) * f->capacity,
											 sizeof(PNode *) * cap);
				parent->values = arena_realloc(b->arena, parent->values,
											   sizeof(PNode *) * f->capacity,
											   sizeof(PNode *) * cap);
				if (parent->keys == NULL || parent->values == NULL)
					return false;
				memset(parent->keys + f->capacity, 0,
					   sizeof(PNode *) * (cap - f->capacity));
				f->capacity = cap;
			}
			if (child->kind != PNODE_SCALAR)
			{
				diag_add(b->diags, b->file, child->line, child->column,
						 "mapping keys must be scalars");
				b->failed = true;
			}
			parent->keys[slot] = child;
			f->expect_value = true;
		}
		else
		{
			parent->values[slot] = child;
			parent->count++;
			f->expect_value = false;
		}
		return true;
	}
	if (parent->count + 1 >= f->capacity)
	{
		int			cap = f->capacity ? f->capacity * 2 : 8;

		parent->values = arena_realloc(b->arena, parent->values,
									   sizeof(PNode *) * f->capacity,
									   sizeof(PNode *) * cap);
		if (parent->values == NULL)
			return false;
		f->capacity = cap;
	}
	parent->values[parent->count++] = child;
	return true;
}

/* Creates a node at the event's start mark. */
static PNode *
new_node(Builder *b, PNodeKind kind, const yaml_event_t *ev)
{
	PNode	   *n;

	if (++b->nodes > b->max_nodes)
	{
		if (!b->failed)
			diag_add(b->diags, b->file, (int) ev->start_mark.line + 1,
					 (int) ev->start_mark.column + 1,
					 "document too large (more than %d nodes)", b->max_nodes);
		b->failed = true;
		return NULL;
	}
	n = arena_alloc0(b->arena, sizeof(PNode));
	if (n == NULL)
		return NULL;
	n->kind = kind;
	n->line = (int) ev->start_mark.line + 1;
	n->column = (int) ev->start_mark.column + 1;
	return n;
}

/*
 * Where a scalar's text starts in the file: at the node for plain scalars,
 * one column on for quoted ones, and for block scalars (| and >) at the
 * first non-blank character of the first non-empty line after the
 * indicator.  CEL errors inside an expression are mapped through this.
 */
static void
locate_content(Builder *b, PNode *n, const yaml_event_t *ev)
{
	size_t		at = ev->start_mark.index;
	int			line = n->line;

	n->content_line = n->line;
	n->content_column = n->column;
	n->block = false;
	switch (ev->data.scalar.style)
	{
		case YAML_SINGLE_QUOTED_SCALAR_STYLE:
		case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
			n->content_column++;
			break;
		case YAML_LITERAL_SCALAR_STYLE:
		case YAML_FOLDED_SCALAR_STYLE:
			n->block = true;
			while (at < b->len)
			{
				size_t		col = 0;

				/* skip to the next line, then over its indentation */
				while (at < b->len && b->text[at] != '\n')
					at++;
				if (at >= b->len)
					break;
				at++;
				line++;
				while (at + col < b->len && b->text[at + col] == ' ')
					col++;
				if (at + col < b->len && b->text[at + col] != '\n' && b->text[at + col] != '\r')
				{
					n->content_line = line;
					n->content_column = (int) col + 1;
					break;
				}
			}
			break;
		default:
			break;
	}
}

/* Remembers an anchored node for later aliases. */
static void
remember_anchor(Builder *b, const char *name, PNode *node, int size)
{
	if (name == NULL)
		return;
	if (b->nanchors == b->anchor_capacity)
	{
		int			cap = b->anchor_capacity ? b->anchor_capacity * 2 : 8;
		Anchor	   *a = arena_realloc(b->arena, b->anchors,
									  sizeof(Anchor) * b->anchor_capacity,
									  sizeof(Anchor) * cap);

		if (a == NULL)
			return;
		b->anchors = a;
		b->anchor_capacity = cap;
	}
	b->anchors[b->nanchors].name = arena_strdup(b->arena, name);
	b->anchors[b->nanchors].node = node;
	b->anchors[b->nanchors].size = size;
	b->nanchors++;
}

/* Orders key pointers by text, then by position. */
static int
compare_keys(const void *a, const void *b)
{
	const PNode *x = *(const PNode *const *) a;
	const PNode *y = *(const PNode *const *) b;
	int			c;

	if (x->kind != PNODE_SCALAR || y->kind != PNODE_SCALAR)
		return (int) x->kind - (int) y->kind;
	c = strcmp(x->text, y->text);
	if (c != 0)
		return c;
	if (x->line != y->line)
		return x->line - y->line;
	return x->column - y->column;
}

/* Reports keys that appear twice in one mapping. */
static void
check_duplicate_keys(Builder *b, PNode *map)
{
	PNode	  **sorted;
	int			i;

	if (map->count < 2)
		return;
	sorted = arena_alloc(b->arena, sizeof(PNode *) * map->count);
	if (sorted == NULL)
		return;
	memcpy(sorted, map->keys, sizeof(PNode *) * map->count);
	qsort(sorted, map->count, sizeof(PNode *), compare_keys);
	for (i = 1; i < map->count; i++)
	{
		const PNode *prev = sorted[i - 1];
		const PNode *cur = sorted[i];

		if (prev->kind == PNODE_SCALAR && cur->kind == PNODE_SCALAR &&
			strcmp(prev->text, cur->text) == 0)
		{
			/* report against the first occurrence of the run */
			int			j = i - 1;

			while (j > 0 && strcmp(sorted[j - 1]->text, cur->text) == 0)
				j--;
			diag_add(b->diags, b->file, cur->line, cur->column,
					 "mapping key \"%s\" already defined at [%d:%d]",
					 cur->text, sorted[j]->line, sorted[j]->column);
			b->failed = true;
		}
	}
}

/* Whether a mapping already has an entry for this key. */
static bool
map_has_key(const PNode *map, int count, const char *key)
{
	int			i;

	for (i = 0; i < count; i++)
		if (map->keys[i]->kind == PNODE_SCALAR && strcmp(map->keys[i]->text, key) == 0)
			return true;
	return false;
}

/* Adds the entries of one merge source that the mapping lacks. */
static bool
merge_from(Builder *b, PNode *map, int *count, int *capacity, const PNode *src)
{
	int			i;

	for (i = 0; i < src->count; i++)
	{
		if (src->keys[i]->kind != PNODE_SCALAR || map_has_key(map, *count, src->keys[i]->text))
			continue;
		if (*count == *capacity)
		{
			int			cap = *capacity * 2 + 8;

			map->keys = arena_realloc(b->arena, map->keys, sizeof(PNode *) * *capacity,
									  sizeof(PNode *) * cap);
			map->values = arena_realloc(b->arena, map->values, sizeof(PNode *) * *capacity,
										sizeof(PNode *) * cap);
			if (map->keys == NULL || map->values == NULL)
				return false;
			*capacity = cap;
		}
		map->keys[*count] = src->keys[i];
		map->values[*count] = src->values[i];
		(*count)++;
	}
	return true;
}

/*
 * YAML merge keys ("<<: *base" or "<<: [*a, *b]"), which Cerbos' YAML
 * reader honours: explicit entries win, then earlier sources.
 */
static void
apply_merge_keys(Builder *b, PNode *map)
{
	PNode	  **keys;
	PNode	  **values;
	int			n = 0,
				i,
				capacity;
	bool		any = false;

	for (i = 0; i < map->count; i++)
		if (map->keys[i]->kind == PNODE_SCALAR && map->keys[i]->plain &&
			strcmp(map->keys[i]->text, "<<") == 0)
			any = true;
	if (!any)
		return;
	capacity = map->count + 8;
	keys = arena_alloc(b->arena, sizeof(PNode *) * capacity);
	values = arena_alloc(b->arena, sizeof(PNode *) * capacity);
	if (keys == NULL || values == NULL)
		return;
	for (i = 0; i < map->count; i++)
	{
		if (map->keys[i]->kind == PNODE_SCALAR && map->keys[i]->plain &&
			strcmp(map->keys[i]->text, "<<") == 0)
			continue;
		keys[n] = map->keys[i];
		values[n] = map->values[i];
		n++;
	}
	{
		PNode		merged = *map;
		PNode	  **old_keys = map->keys;
		PNode	  **old_values = map->values;
		int			old_count = map->count;

		merged.keys = keys;
		merged.values = values;
		for (i = 0; i < old_count; i++)
		{
			const PNode *v = old_values[i];
			int			j;

			if (!(old_keys[i]->kind == PNODE_SCALAR && old_keys[i]->plain &&
				  strcmp(old_keys[i]->text, "<<") == 0))
				continue;
			if (v->kind == PNODE_MAP)
				merge_from(b, &merged, &n, &capacity, v);
			else if (v->kind == PNODE_SEQ)
			{
				for (j = 0; j < v->count; j++)
					if (v->values[j]->kind == PNODE_MAP)
						merge_from(b, &merged, &n, &capacity, v->values[j]);
					else
					{
						diag_add(b->diags, b->file, v->values[j]->line, v->values[j]->column,
								 "a merge key needs mappings");
						b->failed = true;
					}
			}
			else
			{
				diag_add(b->diags, b->file, v->line, v->column, "a merge key needs a mapping");
				b->failed = true;
			}
		}
		map->keys = merged.keys;
		map->values = merged.values;
		map->count = n;
	}
}

/* Handles one event of a document; false stops the parse. */
static bool
handle_event(Builder *b, const yaml_event_t *ev)
{
	PNode	   *n;

	switch (ev->type)
	{
		case YAML_SCALAR_EVENT:
			n = new_node(b, PNODE_SCALAR, ev);
			if (n == NULL)
				return false;
			n->text = arena_strndup(b->arena, (const char *) ev->data.scalar.value,
									ev->data.scalar.length);
			n->len = ev->data.scalar.length;
			n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
			locate_content(b, n, ev);
			if (n->text == NULL)
				return false;
			remember_anchor(b, (const char *) ev->data.scalar.anchor, n, 1);
			return append_child(b, n);
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			n = new_node(b, ev->type == YAML_MAPPING_START_EVENT ? PNODE_MAP : PNODE_SEQ, ev);
			if (n == NULL)
				return false;
			if (!append_child(b, n))
				return false;
			if (b->depth >= b->max_depth)
			{
				diag_add(b->diags, b->file, n->line, n->column,
						 "nesting deeper than %d levels", b->max_depth);
				b->failed = true;
				return false;
			}
			if (b->depth == b->stack_capacity)
			{
				/* grows with the nesting actually met, not the limit */
				int			cap = b->stack_capacity * 2;
				Frame	   *st = arena_realloc(b->arena, b->stack,
											   sizeof(Frame) * b->stack_capacity,
											   sizeof(Frame) * cap);

				if (st == NULL)
					return false;
				b->stack = st;
				b->stack_capacity = cap;
			}
			b->stack[b->depth].node = n;
			b->stack[b->depth].capacity = 0;
			b->stack[b->depth].expect_value = false;
			b->stack[b->depth].first_node = b->nodes;
			b->stack[b->depth].anchor =
				ev->type == YAML_MAPPING_START_EVENT
				? (const char *) ev->data.mapping_start.anchor
				: (const char *) ev->data.sequence_start.anchor;
			if (b->stack[b->depth].anchor)
				b->stack[b->depth].anchor = arena_strdup(b->arena, b->stack[b->depth].anchor);
			b->depth++;
			return true;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			{
				Frame	   *f;

				if (b->depth == 0)
					return false;
				f = &b->stack[--b->depth];
				if (f->node->kind == PNODE_MAP)
				{
					check_duplicate_keys(b, f->node);
					apply_merge_keys(b, f->node);
				}
				remember_anchor(b, f->anchor, f->node, b->nodes - f->first_node + 1);
				return true;
			}
		case YAML_ALIAS_EVENT:
			{
				const char *name = (const char *) ev->data.alias.anchor;
				int			i;

				for (i = b->nanchors - 1; i >= 0; i--)
				{
					if (strcmp(b->anchors[i].name, name) == 0)
					{
						b->nodes += b->anchors[i].size;
						if (b->nodes > b->max_nodes)
						{
							diag_add(b->diags, b->file, (int) ev->start_mark.line + 1,
									 (int) ev->start_mark.column + 1,
									 "document too large (more than %d nodes)",
									 b->max_nodes);
							b->failed = true;
							return false;
						}
						return append_child(b, b->anchors[i].node);
					}
				}
				diag_add(b->diags, b->file, (int) ev->start_mark.line + 1,
						 (int) ev->start_mark.column + 1,
						 "unknown anchor \"%s\"", name);
				b->failed = true;
				return false;
			}
		default:
			return true;
	}
}

/* Parses text into documents; false (with diags) on a syntax error. */
bool
ptree_parse(Arena *arena, const char *file, const char *text, size_t len,
			const PTreeLimits *limits, PDoc **docs, int *ndocs,
			DiagList *diags)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	Builder		b;
	int			max_docs = (limits && limits->max_documents) ? limits->max_documents : DEFAULT_MAX_DOCUMENTS;
	int			capacity = 0;
	bool		ok = true;
	bool		done = false;
	PDoc		cur;

	*docs = NULL;
	*ndocs = 0;
	memset(&b, 0, sizeof(b));
	memset(&cur, 0, sizeof(cur));
	b.arena = arena;
	b.text = text;
	b.len = len;
	b.file = file;
	b.diags = diags;
	b.max_depth = (limits && limits->max_depth) ? limits->max_depth : DEFAULT_MAX_DEPTH;
	b.max_nodes = (limits && limits->max_nodes) ? limits->max_nodes : DEFAULT_MAX_NODES;
	b.stack_capacity = 16;
	b.stack = arena_alloc0(arena, sizeof(Frame) * b.stack_capacity);
	if (b.stack == NULL)
		return false;

	if (!yaml_parser_initialize(&parser))
	{
		diag_add(diags, file, 0, 0, "cannot initialise the YAML parser");
		return false;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *) text, len);
	while (!done)
	{
		if (!yaml_parser_parse(&parser, &ev))
		{
			diag_add(diags, file, (int) parser.problem_mark.line + 1,
					 (int) parser.problem_mark.column + 1, "invalid YAML: %s%s%s",
					 parser.problem ? parser.problem : "syntax error",
					 parser.context ? " " : "",
					 parser.context ? parser.context : "");
			ok = false;
			break;
		}
		switch (ev.type)
		{
			case YAML_STREAM_END_EVENT:
				done = true;
				break;
			case YAML_DOCUMENT_START_EVENT:
				b.root = NULL;
				b.depth = 0;
				b.nanchors = 0;
				cur.file = file;
				cur.line = (int) ev.start_mark.line + 1;
				cur.column = (int) ev.start_mark.column + 1;
				break;
			case YAML_DOCUMENT_END_EVENT:
				if (*ndocs >= max_docs)
				{
					diag_add(diags, file, cur.line, cur.column,
							 "more than %d documents in one file", max_docs);
					ok = false;
					done = true;
					break;
				}
				if (*ndocs == capacity)
				{
					int			cap = capacity ? capacity * 2 : 4;

					*docs = arena_realloc(arena, *docs, sizeof(PDoc) * capacity,
										  sizeof(PDoc) * cap);
					if (*docs == NULL)
					{
						ok = false;
						done = true;
						break;
					}
					capacity = cap;
				}
				cur.root = b.root;
				(*docs)[(*ndocs)++] = cur;
				break;
			default:
				if (!handle_event(&b, &ev))
				{
					if (!b.failed)
						diag_add(diags, file, (int) ev.start_mark.line + 1,
								 (int) ev.start_mark.column + 1, "out of memory");
					ok = false;
					done = true;
				}
				break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	if (b.failed || arena->failed)
		ok = false;
	return ok;
}
