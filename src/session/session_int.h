/*
 * session_int.h — what the files of src/session/ share and nobody else sees.
 */
#ifndef AUTHZ_SESSION_INT_H
#define AUTHZ_SESSION_INT_H

#include "../common/jansson_safe.h"
#include <openssl/evp.h>

#include "session.h"

/* One public key of a key set. */
typedef struct StKey
{
	char	   *kid;
	EVP_PKEY   *pkey;
	EVP_MD_CTX *proto;			/* RS256 verify context to copy per token */
	int			bits;
} StKey;

/* Header segments that passed check_header, by exact bytes (verify.c). */
#define ST_MEMO_ENTRIES 8
#define ST_MEMO_SEGMENT_MAX 256

typedef struct StHeaderMemoEntry
{
	char		segment[ST_MEMO_SEGMENT_MAX];
	size_t		len;
	int			version;
	char		kid[128];
} StHeaderMemoEntry;

typedef struct StHeaderMemo
{
	int			count;
	int			next;
	StHeaderMemoEntry entries[ST_MEMO_ENTRIES];
} StHeaderMemo;

struct StKeySet
{
	Arena	   *arena;
	StHeaderMemo *memo;			/* writable even through a const StKeySet */
	uint64_t	generation;
	StKey	   *keys;
	int			count;
	int			capacity;
};

/* An initialised RS256 DigestVerify context for pkey, or NULL. */
extern EVP_MD_CTX *st_rs256_context(EVP_PKEY *pkey);

/* Records a failure in err (message printf-formatted into arena, or a
 * static fallback) and returns status. */
extern StStatus st_fail(StError *err, Arena *arena, StStatus status,
						const char *fmt,...) __attribute__((format(printf, 4, 5)));

/* The key whose kid is exactly kid, or NULL. */
extern const StKey *st_keyset_find(const StKeySet *keys, const char *kid);

/* A copy of untrusted text that is safe to put in a message: printable
 * ASCII only, at most 64 characters, otherwise a placeholder. */
extern const char *st_sanitize(Arena *arena, const char *text);

/* Parses a JSON object from data[0..len) rejecting duplicate keys. */
extern json_t *st_parse_object(const char *data, size_t len, Arena *arena,
							   const char *what, StError *err);

/* A dot-separated claim path, split. */
typedef struct StPath
{
	int			nparts;
	const char **parts;
} StPath;

struct StMapping
{
	StPath		id;
	StPath		roles;
	const char *default_role;	/* NULL: refuse tokens without roles */
	bool		scope_from_tenant;
	bool		standard_attrs;
	bool		include_custom;
	int			nattrs;
	const char **attr_names;
	StPath	   *attr_paths;
};

/* Whether a top-level claim is reserved (never copied as a custom claim). */
extern bool st_claim_is_reserved(const char *name);

/* Follows a claim path from the payload root; NULL when missing or null. */
extern json_t *st_resolve_path(json_t *root, const StPath *path);

/* Compact JSON text built in an arena (json_out.c). */
typedef struct StOut
{
	Arena	   *arena;
	char	   *data;
	size_t		len;
	size_t		cap;
	bool		failed;
} StOut;

extern void st_out_init(StOut *out, Arena *arena, size_t initial);
extern void st_out_raw(StOut *out, const char *s, size_t n);
extern void st_out_string(StOut *out, const char *s, size_t n);
extern void st_out_json(StOut *out, json_t *v);
extern char *st_out_finish(StOut *out);

#endif							/* AUTHZ_SESSION_INT_H */
