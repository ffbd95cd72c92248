/*
 * net.c — cel-go's ext.Network library: ip(), cidr(), isIP(), isCIDR(),
 * ip.isCanonical() and the members of net.IP and net.CIDR (including
 * isMask(), which the Cerbos 0.55 binary has).
 *
 * Parsing is Go's net/netip, error message for error message (cel-go wraps
 * them: `IP Address "x" parse error during conversion from string: ...`),
 * because Cerbos users see those texts and conformance compares them.  On
 * top of netip, cel-go refuses zones ("fe80::1%en0") and IPv4-mapped IPv6
 * addresses; so does Cerbos 0.55, which is why `ip('::ffff:c0a8:1') ==
 * ip('192.168.0.1')` is an error here although the CEL spec expects true.
 *
 * Address predicates follow netip.Addr's definitions (IsGlobalUnicast
 * counts private ranges as global, like package net).  A CIDR keeps the
 * address as written (cidr('10.1.2.3/8').ip() is 10.1.2.3); masked()
 * clears the host bits.
 */
#include "cel_net.h"
#include "cel_goquote.h"

#include <stdio.h>
#include <string.h>

static bool net_equals(const void *a, const void *b);

static const CelType net_ip_desc = {CEL_T_OPAQUE, {NULL, NULL}, "net.IP"};
static const CelType net_cidr_desc = {CEL_T_OPAQUE, {NULL, NULL}, "net.CIDR"};

const CelOpaqueType cel_net_ip_type = {"net.IP", &net_ip_desc, net_equals};
const CelOpaqueType cel_net_cidr_type = {"net.CIDR", &net_cidr_desc, net_equals};

/* net.IP / net.CIDR as type identifiers. */
const CelType *
cel_net_type_named(const char *name)
{
	if (name && strcmp(name, "net.IP") == 0)
		return &net_ip_desc;
	if (name && strcmp(name, "net.CIDR") == 0)
		return &net_cidr_desc;
	return NULL;
}

/* Go's == on netip.Addr / netip.Prefix (same family, bytes and bits). */
static bool
net_equals(const void *a, const void *b)
{
	const CelNetAddr *x = a;
	const CelNetAddr *y = b;

	return x->is4 == y->is4 && x->bits == y->bits &&
		memcmp(x->ip, y->ip, x->is4 ? 4 : 16) == 0;
}

/* ---------- netip.ParseAddr ---------- */

/* Records Go's parseAddrError text. */
static bool
addr_error(Arena *arena, const char **error, const char *in, size_t in_len,
		   const char *msg, const char *at, size_t at_len)
{
	const char *qin;

	if (!error || !arena)
		return false;
	qin = cel_go_quote(arena, in, in_len);
	if (at && at_len > 0)
	{
		const char *qat = cel_go_quote(arena, at, at_len);

		*error = arena_printf(arena, "ParseAddr(%s): %s (at %s)", qin ? qin : "",
							  msg, qat ? qat : "");
	}
	else
		*error = arena_printf(arena, "ParseAddr(%s): %s", qin ? qin : "", msg);
	return false;
}

/* Go's parseIPv4Fields over in[off..end) into four bytes. */
static bool
parse_v4_fields(Arena *arena, const char *in, size_t in_len, size_t off,
				size_t end, uint8_t *fields, const char **error)
{
	const char *s = in + off;
	size_t		n = end - off;
	int			val = 0;
	int			pos = 0;
	int			dig = 0;

	for (size_t i = 0; i < n; i++)
	{
		if (s[i] >= '0' && s[i] <= '9')
		{
			if (dig == 1 && val == 0)
				return addr_error(arena, error, in, in_len,
								  "IPv4 field has octet with leading zero", NULL, 0);
			val = val * 10 + (s[i] - '0');
			dig++;
			if (val > 255)
				return addr_error(arena, error, in, in_len,
								  "IPv4 field has value >255", NULL, 0);
		}
		else if (s[i] == '.')
		{
			if (i == 0 || i == n - 1 || s[i - 1] == '.')
				return addr_error(arena, error, in, in_len,
								  "IPv4 field must have at least one digit",
								  s + i, n - i);
			if (pos == 3)
				return addr_error(arena, error, in, in_len,
								  "IPv4 address too long", NULL, 0);
			fields[pos++] = (uint8_t) val;
			val = 0;
			dig = 0;
		}
		else
			return addr_error(arena, error, in, in_len, "unexpected character",
							  s + i, n - i);
	}
	if (pos < 3)
		return addr_error(arena, error, in, in_len, "IPv4 address too short",
						  NULL, 0);
	fields[3] = (uint8_t) val;
	return true;
}

/* Go's parseIPv6 (the zone is split off and only measured). */
static bool
parse_v6(Arena *arena, const char *in, size_t in_len, CelNetAddr *out,
		 size_t *zone_len, const char **error)
{
	const char *pct = memchr(in, '%', in_len);
	size_t		slen = pct ? (size_t) (pct - in) : in_len;
	size_t		zlen = pct ? in_len - slen - 1 : 0;
	const char *s = in;
	size_t		n = slen;
	uint8_t		ip[16];
	int			ellipsis = -1;
	int			i = 0;

	memset(ip, 0, sizeof(ip));
	if (pct && zlen == 0)
		return addr_error(arena, error, in, in_len,
						  "zone must be a non-empty string", NULL, 0);
	if (n >= 2 && s[0] == ':' && s[1] == ':')
	{
		ellipsis = 0;
		s += 2, n -= 2;
		if (n == 0)
			goto done;
	}
	while (i < 16)
	{
		size_t		off = 0;
		uint32_t	acc = 0;

		for (; off < n; off++)
		{
			char		c = s[off];

			if (c >= '0' && c <= '9')
				acc = (acc << 4) + (uint32_t) (c - '0');
			else if (c >= 'a' && c <= 'f')
				acc = (acc << 4) + (uint32_t) (c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				acc = (acc << 4) + (uint32_t) (c - 'A' + 10);
			else
				break;
			if (off > 3)
				return addr_error(arena, error, in, in_len,
								  "each group must have 4 or less digits", s, n);
			if (acc > 0xFFFF)
				return addr_error(arena, error, in, in_len,
								  "IPv6 field has value >=2^16", s, n);
		}
		if (off == 0)
			return addr_error(arena, error, in, in_len,
							  "each colon-separated field must have at least one digit",
							  s, n);
		if (off < n && s[off] == '.')
		{
			if (ellipsis < 0 && i != 12)
				return addr_error(arena, error, in, in_len,
								  "embedded IPv4 address must replace the final 2 fields of the address",
								  s, n);
			if (i + 4 > 16)
				return addr_error(arena, error, in, in_len,
								  "too many hex fields to fit an embedded IPv4 at the end of the address",
								  s, n);
			if (!parse_v4_fields(arena, in, in_len, (size_t) (s - in), slen,
								 ip + i, error))
				return false;
			n = 0;
			i += 4;
			break;
		}
		ip[i] = (uint8_t) (acc >> 8);
		ip[i + 1] = (uint8_t) acc;
		i += 2;
		s += off, n -= off;
		if (n == 0)
			break;
		if (s[0] != ':')
			return addr_error(arena, error, in, in_len,
							  "unexpected character, want colon", s, n);
		if (n == 1)
			return addr_error(arena, error, in, in_len,
							  "colon must be followed by more characters", s, n);
		s++, n--;
		if (s[0] == ':')
		{
			if (ellipsis >= 0)
				return addr_error(arena, error, in, in_len,
								  "multiple :: in address", s, n);
			ellipsis = i;
			s++, n--;
			if (n == 0)
				break;
		}
	}
	if (n != 0)
		return addr_error(arena, error, in, in_len,
						  "trailing garbage after address", s, n);
	if (i < 16)
	{
		int			shift = 16 - i;

		if (ellipsis < 0)
			return addr_error(arena, error, in, in_len,
							  "address string too short", NULL, 0);
		for (int j = i - 1; j >= ellipsis; j--)
			ip[j + shift] = ip[j];
		memset(ip + ellipsis, 0, shift);
	}
	else if (ellipsis >= 0)
		return addr_error(arena, error, in, in_len,
						  "the :: must expand to at least one field of zeros",
						  NULL, 0);
done:
	memcpy(out->ip, ip, 16);
	out->is4 = false;
	out->bits = -1;
	*zone_len = zlen;
	return true;
}

/* Go's netip.ParseAddr. */
bool
cel_netip_parse_addr(Arena *arena, const char *s, size_t len, CelNetAddr *out,
					 size_t *zone_len, const char **error)
{
	memset(out, 0, sizeof(*out));
	out->bits = -1;
	*zone_len = 0;
	if (error)
		*error = NULL;
	for (size_t i = 0; i < len; i++)
	{
		if (s[i] == '.')
		{
			if (!parse_v4_fields(arena, s, len, 0, len, out->ip, error))
				return false;
			out->is4 = true;
			return true;
		}
		if (s[i] == ':')
			return parse_v6(arena, s, len, out, zone_len, error);
		if (s[i] == '%')
			return addr_error(arena, error, s, len, "missing IPv6 address", NULL, 0);
	}
	return addr_error(arena, error, s, len, "unable to parse IP", NULL, 0);
}

/* Whether a is ::ffff:a.b.c.d. */
bool
cel_netip_is_4in6(const CelNetAddr *a)
{
	static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	return !a->is4 && memcmp(a->ip, prefix, 12) == 0;
}

/* ---------- printing ---------- */

/* Go's Addr.String without zone: dotted quad or RFC 5952 IPv6. */
size_t
cel_netip_format_addr(char *buf, const CelNetAddr *a)
{
	size_t		n = 0;
	int			zs = 255, ze = 255;

	if (a->is4)
		return (size_t) sprintf(buf, "%u.%u.%u.%u", a->ip[0], a->ip[1],
								a->ip[2], a->ip[3]);
	if (cel_netip_is_4in6(a))
		return (size_t) sprintf(buf, "::ffff:%u.%u.%u.%u", a->ip[12], a->ip[13],
								a->ip[14], a->ip[15]);
	/* the first longest run of two or more zero groups becomes "::" */
	for (int i = 0; i < 8; i++)
	{
		int			j = i;

		while (j < 8 && a->ip[2 * j] == 0 && a->ip[2 * j + 1] == 0)
			j++;
		if (j - i >= 2 && j - i > ze - zs)
			zs = i, ze = j;
	}
	for (int i = 0; i < 8; i++)
	{
		if (i == zs)
		{
			buf[n++] = ':';
			buf[n++] = ':';
			i = ze;
			if (i >= 8)
				break;
		}
		else if (i > 0)
			buf[n++] = ':';
		n += (size_t) sprintf(buf + n, "%x", (unsigned) ((a->ip[2 * i] << 8) | a->ip[2 * i + 1]));
	}
	buf[n] = '\0';
	return n;
}

/* string(ip) / string(cidr). */
CelValue
cel_net_to_string(Arena *arena, CelValue v)
{
	const CelNetAddr *a = v.u.opaque.data;
	char		buf[80];
	size_t		n;

	if (v.kind != CEL_VAL_OPAQUE || !a ||
		(v.u.opaque.type != &cel_net_ip_type && v.u.opaque.type != &cel_net_cidr_type))
		return cel_error_no_such_overload(arena, NULL);
	n = cel_netip_format_addr(buf, a);
	if (a->bits >= 0)
		n += (size_t) sprintf(buf + n, "/%d", a->bits);
	return cel_string_copy(arena, buf, n);
}

/* ---------- cel-go's parse rules ---------- */

/* A new opaque value holding a copy of addr. */
static CelValue
net_value(Arena *arena, const CelOpaqueType *type, const CelNetAddr *addr)
{
	CelNetAddr *copy = arena_alloc(arena, sizeof(CelNetAddr));
	CelValue	v = {0};

	if (!copy)
		return cel_error(arena, "out of memory");
	*copy = *addr;
	v.kind = CEL_VAL_OPAQUE;
	v.u.opaque.type = type;
	v.u.opaque.data = copy;
	return v;
}

/* cel-go's parseIPAddr: netip, then no zone, then no IPv4-mapped IPv6. */
static bool
parse_ip(Arena *arena, const char *s, size_t len, CelNetAddr *out,
		 CelValue *err)
{
	const char *goerr = NULL;
	size_t		zone = 0;
	const char *q;

	if (!cel_netip_parse_addr(arena, s, len, out, &zone, err ? &goerr : NULL))
	{
		if (err)
		{
			q = cel_go_quote(arena, s, len);
			*err = cel_error(arena, "IP Address %s parse error during conversion from string: %s",
							 q ? q : "", goerr ? goerr : "");
		}
		return false;
	}
	if (zone > 0)
	{
		if (err)
		{
			q = cel_go_quote(arena, s, len);
			*err = cel_error(arena, "IP address %s with zone value is not allowed",
							 q ? q : "");
		}
		return false;
	}
	if (cel_netip_is_4in6(out))
	{
		if (err)
		{
			q = cel_go_quote(arena, s, len);
			*err = cel_error(arena, "IPv4-mapped IPv6 address %s is not allowed",
							 q ? q : "");
		}
		return false;
	}
	return true;
}

/* Records Go's parsePrefixError inside cel-go's CIDR message. */
static bool
prefix_error(Arena *arena, CelValue *err, const char *s, size_t len,
			 const char *msg)
{
	const char *q;

	if (!err)
		return false;
	q = cel_go_quote(arena, s, len);
	*err = cel_error(arena, "CIDR %s parse error during conversion from string: "
					 "netip.ParsePrefix(%s): %s", q ? q : "", q ? q : "", msg);
	return false;
}

/* cel-go's parseCIDR: netip.ParsePrefix, then no IPv4-mapped IPv6. */
static bool
parse_cidr(Arena *arena, const char *s, size_t len, CelNetAddr *out,
		   CelValue *err)
{
	const char *slash = NULL;
	const char *goerr = NULL;
	size_t		zone = 0;
	const char *bs;
	size_t		blen;
	int64_t		bits = 0;
	int			maxbits;

	for (size_t i = len; i > 0; i--)
		if (s[i - 1] == '/')
		{
			slash = s + i - 1;
			break;
		}
	if (!slash)
		return prefix_error(arena, err, s, len, "no '/'");
	if (!cel_netip_parse_addr(arena, s, (size_t) (slash - s), out, &zone,
							  err ? &goerr : NULL))
		return prefix_error(arena, err, s, len, goerr ? goerr : "");
	if (!out->is4 && zone > 0)
		return prefix_error(arena, err, s, len,
							"IPv6 zones cannot be present in a prefix");
	bs = slash + 1;
	blen = len - (size_t) (bs - s);
	/* Go refuses signs and leading zeros, then strconv.Atoi */
	{
		bool		ok = blen > 0;

		if (blen > 1 && (bs[0] < '1' || bs[0] > '9'))
			ok = false;
		for (size_t i = 0; ok && i < blen; i++)
		{
			if (bs[i] < '0' || bs[i] > '9' ||
				__builtin_mul_overflow(bits, 10, &bits) ||
				__builtin_add_overflow(bits, bs[i] - '0', &bits))
				ok = false;
		}
		if (!ok)
		{
			const char *qb = err ? cel_go_quote(arena, bs, blen) : NULL;
			const char *msg = err ? arena_printf(arena, "bad bits after slash: %s",
												 qb ? qb : "") : NULL;

			return prefix_error(arena, err, s, len, msg ? msg : "bad bits after slash");
		}
	}
	maxbits = out->is4 ? 32 : 128;
	if (bits > maxbits)
		return prefix_error(arena, err, s, len, "prefix length out of range");
	out->bits = (int) bits;
	if (cel_netip_is_4in6(out))
	{
		if (err)
		{
			const char *q = cel_go_quote(arena, s, len);

			*err = cel_error(arena, "IPv4-mapped IPv6 address %s is not allowed",
							 q ? q : "");
		}
		return false;
	}
	return true;
}

/* ip(string). */
CelValue
cel_net_ip_parse(Arena *arena, const char *s, size_t len)
{
	CelNetAddr	a;
	CelValue	err = {0};

	if (!parse_ip(arena, s, len, &a, &err))
		return err;
	return net_value(arena, &cel_net_ip_type, &a);
}

/* cidr(string). */
CelValue
cel_net_cidr_parse(Arena *arena, const char *s, size_t len)
{
	CelNetAddr	a;
	CelValue	err = {0};

	if (!parse_cidr(arena, s, len, &a, &err))
		return err;
	return net_value(arena, &cel_net_cidr_type, &a);
}

/* ---------- address and prefix arithmetic ---------- */

/* Zeroes the bits of ip after the first `bits` (of 32 or 128). */
static void
mask_bits(uint8_t *ip, int total, int bits)
{
	for (int i = 0; i < total / 8; i++)
	{
		int			keep = bits - i * 8;

		if (keep >= 8)
			continue;
		ip[i] &= keep <= 0 ? 0 : (uint8_t) (0xFF << (8 - keep));
	}
}

/* Go's Prefix.Contains. */
bool
cel_netip_prefix_contains(const CelNetAddr *p, const CelNetAddr *a)
{
	uint8_t		x[16], y[16];
	int			total = p->is4 ? 32 : 128;

	if (p->is4 != a->is4)
		return false;
	memcpy(x, p->ip, 16);
	memcpy(y, a->ip, 16);
	mask_bits(x, total, p->bits);
	mask_bits(y, total, p->bits);
	return memcmp(x, y, total / 8) == 0;
}

/* Go's Prefix.Overlaps. */
static bool
prefix_overlaps(const CelNetAddr *p, const CelNetAddr *o)
{
	uint8_t		x[16], y[16];
	int			total = p->is4 ? 32 : 128;
	int			minbits = p->bits < o->bits ? p->bits : o->bits;

	if (p->is4 != o->is4)
		return false;
	if (minbits == 0)
		return true;
	memcpy(x, p->ip, 16);
	memcpy(y, o->ip, 16);
	mask_bits(x, total, minbits);
	mask_bits(y, total, minbits);
	return memcmp(x, y, total / 8) == 0;
}

/* ---------- the library ---------- */

/* The CelNetAddr inside an opaque argument. */
static inline const CelNetAddr *
arg_addr(const CelValue *v)
{
	return (const CelNetAddr *) v->u.opaque.data;
}

/* Whether an IPv4 address or IPv6 address equals all zeros. */
static bool
is_zero(const CelNetAddr *a)
{
	static const uint8_t zero[16];

	return memcmp(a->ip, zero, a->is4 ? 4 : 16) == 0;
}

/* Go's Addr.IsLoopback. */
static bool
is_loopback(const CelNetAddr *a)
{
	static const uint8_t one[16] = {[15] = 1};

	if (a->is4)
		return a->ip[0] == 127;
	return memcmp(a->ip, one, 16) == 0;
}

/* Go's Addr.IsMulticast. */
static bool
is_multicast(const CelNetAddr *a)
{
	if (a->is4)
		return (a->ip[0] & 0xF0) == 0xE0;
	return a->ip[0] == 0xFF;
}

/* Go's Addr.IsLinkLocalUnicast. */
static bool
is_link_local_unicast(const CelNetAddr *a)
{
	if (a->is4)
		return a->ip[0] == 169 && a->ip[1] == 254;
	return a->ip[0] == 0xFE && (a->ip[1] & 0xC0) == 0x80;
}

/* Go's Addr.IsLinkLocalMulticast. */
static bool
is_link_local_multicast(const CelNetAddr *a)
{
	if (a->is4)
		return a->ip[0] == 224 && a->ip[1] == 0 && a->ip[2] == 0;
	return a->ip[0] == 0xFF && (a->ip[1] & 0x0F) == 0x02;
}

/* Go's Addr.IsGlobalUnicast. */
static bool
is_global_unicast(const CelNetAddr *a)
{
	if (a->is4 && (is_zero(a) ||
				   (a->ip[0] == 255 && a->ip[1] == 255 && a->ip[2] == 255 &&
					a->ip[3] == 255)))
		return false;
	return !is_zero(a) && !is_loopback(a) && !is_multicast(a) &&
		!is_link_local_unicast(a);
}

/* isIP(string). */
static CelValue
fn_is_ip(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	CelNetAddr	a;

	return cel_bool(parse_ip(ctx->arena, args[0].u.str.ptr, args[0].u.str.len,
							 &a, NULL));
}

/* isCIDR(string). */
static CelValue
fn_is_cidr(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	CelNetAddr	a;

	return cel_bool(parse_cidr(ctx->arena, args[0].u.str.ptr, args[0].u.str.len,
							   &a, NULL));
}

/* ip(string). */
static CelValue
fn_ip(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_net_ip_parse(ctx->arena, args[0].u.str.ptr, args[0].u.str.len);
}

/* cidr(string). */
static CelValue
fn_cidr(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_net_cidr_parse(ctx->arena, args[0].u.str.ptr, args[0].u.str.len);
}

/* <cidr>.ip(): the address as written. */
static CelValue
fn_cidr_ip(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	CelNetAddr	a = *arg_addr(&args[0]);

	a.bits = -1;
	return net_value(ctx->arena, &cel_net_ip_type, &a);
}

/* <ip>.family(). */
static CelValue
fn_family(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_int(arg_addr(&args[0])->is4 ? 4 : 6);
}

/* ip.isCanonical(string): parses (errors as ip()) and compares the text. */
static CelValue
fn_is_canonical(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	CelNetAddr	a;
	CelValue	err = {0};
	char		buf[80];
	size_t		n;

	if (!parse_ip(ctx->arena, args[0].u.str.ptr, args[0].u.str.len, &a, &err))
		return err;
	n = cel_netip_format_addr(buf, &a);
	return cel_bool(n == args[0].u.str.len &&
					memcmp(buf, args[0].u.str.ptr, n) == 0);
}

/* <ip>.isLoopback(). */
static CelValue
fn_is_loopback(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_bool(is_loopback(arg_addr(&args[0])));
}

/* <ip>.isGlobalUnicast(). */
static CelValue
fn_is_global_unicast(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_bool(is_global_unicast(arg_addr(&args[0])));
}

/* <ip>.isUnspecified(): 0.0.0.0 or ::. */
static CelValue
fn_is_unspecified(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_bool(is_zero(arg_addr(&args[0])));
}

/* <ip>.isLinkLocalMulticast(). */
static CelValue
fn_is_ll_multicast(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_bool(is_link_local_multicast(arg_addr(&args[0])));
}

/* <ip>.isLinkLocalUnicast(). */
static CelValue
fn_is_ll_unicast(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_bool(is_link_local_unicast(arg_addr(&args[0])));
}

/* <cidr>.containsIP(ip). */
static CelValue
fn_contains_ip(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_bool(cel_netip_prefix_contains(arg_addr(&args[0]),
											  arg_addr(&args[1])));
}

/* <cidr>.containsIP(string). */
static CelValue
fn_contains_ip_string(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	CelNetAddr	a;
	CelValue	err = {0};

	if (!parse_ip(ctx->arena, args[1].u.str.ptr, args[1].u.str.len, &a, &err))
		return err;
	return cel_bool(cel_netip_prefix_contains(arg_addr(&args[0]), &a));
}

/* Overlaps and no longer than the child: cel-go's containsCIDR. */
static bool
contains_cidr(const CelNetAddr *parent, const CelNetAddr *child)
{
	return prefix_overlaps(parent, child) && parent->bits <= child->bits;
}

/* <cidr>.containsCIDR(cidr). */
static CelValue
fn_contains_cidr(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_bool(contains_cidr(arg_addr(&args[0]), arg_addr(&args[1])));
}

/* <cidr>.containsCIDR(string). */
static CelValue
fn_contains_cidr_string(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	CelNetAddr	a;
	CelValue	err = {0};

	if (!parse_cidr(ctx->arena, args[1].u.str.ptr, args[1].u.str.len, &a, &err))
		return err;
	return cel_bool(contains_cidr(arg_addr(&args[0]), &a));
}

/* <cidr>.masked(). */
static CelValue
fn_masked(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	CelNetAddr	a = *arg_addr(&args[0]);

	mask_bits(a.ip, a.is4 ? 32 : 128, a.bits);
	return net_value(ctx->arena, &cel_net_cidr_type, &a);
}

/* <cidr>.isMask(): no host bits are set (masked() would change nothing). */
static CelValue
fn_is_mask(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	CelNetAddr	a = *arg_addr(&args[0]);

	mask_bits(a.ip, a.is4 ? 32 : 128, a.bits);
	return cel_bool(memcmp(a.ip, arg_addr(&args[0])->ip, a.is4 ? 4 : 16) == 0);
}

/* <cidr>.prefixLength(). */
static CelValue
fn_prefix_length(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_int(arg_addr(&args[0])->bits);
}

/* string(ip), string(cidr). */
static CelValue
fn_to_string(CelEvalContext *ctx, const CelValue *args, int nargs)
{
	return cel_net_to_string(ctx->arena, args[0]);
}

static const CelOverload net_overloads[] = {
	{"is_ip", "isIP(string) -> bool", fn_is_ip, 0},
	{"is_cidr", "isCIDR(string) -> bool", fn_is_cidr, 0},
	{"string_to_ip", "ip(string) -> net.IP", fn_ip, 0},
	{"cidr_ip", "net.CIDR.ip() -> net.IP", fn_cidr_ip, 0},
	{"string_to_cidr", "cidr(string) -> net.CIDR", fn_cidr, 0},
	{"ip_family", "net.IP.family() -> int", fn_family, 0},
	{"ip_is_canonical", "ip.isCanonical(string) -> bool", fn_is_canonical, 0},
	{"ip_is_loopback", "net.IP.isLoopback() -> bool", fn_is_loopback, 0},
	{"ip_is_global_unicast", "net.IP.isGlobalUnicast() -> bool", fn_is_global_unicast, 0},
	{"ip_is_unspecified", "net.IP.isUnspecified() -> bool", fn_is_unspecified, 0},
	{"ip_is_link_local_multicast", "net.IP.isLinkLocalMulticast() -> bool", fn_is_ll_multicast, 0},
	{"ip_is_link_local_unicast", "net.IP.isLinkLocalUnicast() -> bool", fn_is_ll_unicast, 0},
	{"cidr_contains_ip", "net.CIDR.containsIP(net.IP) -> bool", fn_contains_ip, 0},
	{"cidr_contains_ip_string", "net.CIDR.containsIP(string) -> bool", fn_contains_ip_string, 0},
	{"cidr_contains_cidr", "net.CIDR.containsCIDR(net.CIDR) -> bool", fn_contains_cidr, 0},
	{"cidr_contains_cidr_string", "net.CIDR.containsCIDR(string) -> bool", fn_contains_cidr_string, 0},
	{"cidr_masked", "net.CIDR.masked() -> net.CIDR", fn_masked, 0},
	{"cidr_prefix_length", "net.CIDR.prefixLength() -> int", fn_prefix_length, 0},
	/* in Cerbos 0.55's cel-go, though not in cel-go's documentation */
	{"cidr_is_mask", "net.CIDR.isMask() -> bool", fn_is_mask, 0},
	/* cel-go converts these through the opaque types' ConvertToType */
	{"ip_to_string", "string(net.IP) -> string", fn_to_string, 0},
	{"cidr_to_string", "string(net.CIDR) -> string", fn_to_string, 0},
};

const CelLibrary cel_lib_net = {
	"net", net_overloads,
	(int) (sizeof(net_overloads) / sizeof(net_overloads[0]))
};
