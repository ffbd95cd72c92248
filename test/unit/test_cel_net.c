/*
 * test_cel_net.c — ext.Network: netip parsing and its error texts, RFC 5952
 * printing, predicates and CIDR containment.  Expected values come from the
 * conformance suite (group ext.Network) and the Cerbos 0.55 REPL.
 */
#include "cel/cel_literals.h"
#include "cel/cel_net.h"
#include "unit.h"

static Arena *arena;

/* Calls a net-library overload by id with up to two arguments. */
static CelValue
call(const char *id, CelValue a, const CelValue *b)
{
	const CelOverload *ov = NULL;
	CelEvalContext ctx;
	CelValue	args[2];

	for (int i = 0; i < cel_lib_net.count; i++)
		if (strcmp(cel_lib_net.overloads[i].id, id) == 0)
			ov = &cel_lib_net.overloads[i];
	if (!ov)
	{
		fprintf(stderr, "no overload %s\n", id);
		return cel_error(arena, "missing overload");
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.arena = arena;
	args[0] = a;
	if (b)
		args[1] = *b;
	return ov->impl(&ctx, args, b ? 2 : 1);
}

static CelValue
str(const char *s)
{
	return cel_string(s, strlen(s));
}

/* string(ip(s)) or ip()'s error. */
static const char *
ip_text(const char *s)
{
	CelValue	v = cel_net_ip_parse(arena, s, strlen(s));

	if (v.kind == CEL_VAL_ERROR)
		return v.u.err->message;
	v = cel_net_to_string(arena, v);
	return v.kind == CEL_VAL_STRING ? arena_strndup(arena, v.u.str.ptr, v.u.str.len) : "?";
}

/* string(cidr(s)) or cidr()'s error. */
static const char *
cidr_text(const char *s)
{
	CelValue	v = cel_net_cidr_parse(arena, s, strlen(s));

	if (v.kind == CEL_VAL_ERROR)
		return v.u.err->message;
	v = cel_net_to_string(arena, v);
	return v.kind == CEL_VAL_STRING ? arena_strndup(arena, v.u.str.ptr, v.u.str.len) : "?";
}

/* A boolean member call on ip(s): 1, 0, or -1 on error. */
static int
ip_pred(const char *id, const char *s)
{
	CelValue	r = call(id, cel_net_ip_parse(arena, s, strlen(s)), NULL);

	return r.kind == CEL_VAL_BOOL ? r.u.b : -1;
}

/* cidr(c).<id>(arg) where arg is a string or parsed by `parse`. */
static int
cidr_rel(const char *id, const char *c, CelValue arg)
{
	CelValue	r = call(id, cel_net_cidr_parse(arena, c, strlen(c)), &arg);

	return r.kind == CEL_VAL_BOOL ? r.u.b : -1;
}

static void
test_parse_and_print(void)
{
	CHECK_STR(ip_text("192.168.0.1"), "192.168.0.1");
	CHECK_STR(ip_text("2001:db8::68"), "2001:db8::68");
	CHECK_STR(ip_text("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");
	CHECK_STR(ip_text("1:0:0:0:0:0:0:0"), "1::");
	CHECK_STR(ip_text("0:0:0:0:0:0:0:0"), "::");
	CHECK_STR(ip_text("1:0:1:0:1:0:1:0"), "1:0:1:0:1:0:1:0");
	CHECK_STR(ip_text("ABCD::00EF"), "abcd::ef");
	CHECK_STR(ip_text("::1.2.3.4"), "::102:304");
	CHECK_STR(ip_text("1:2:3:4:5:6:1.2.3.4"), "1:2:3:4:5:6:102:304");
	CHECK_STR(ip_text("192.168.0.1.0"), "IP Address \"192.168.0.1.0\" parse error during conversion from string: ParseAddr(\"192.168.0.1.0\"): IPv4 address too long");
	CHECK_STR(ip_text("2001:db8:::68"), "IP Address \"2001:db8:::68\" parse error during conversion from string: ParseAddr(\"2001:db8:::68\"): each colon-separated field must have at least one digit (at \":68\")");
	CHECK_STR(ip_text("fe80::1%en0"), "IP address \"fe80::1%en0\" with zone value is not allowed");
	CHECK_STR(ip_text("::ffff:192.168.0.1"), "IPv4-mapped IPv6 address \"::ffff:192.168.0.1\" is not allowed");
	CHECK_STR(ip_text("::ffff:c0a8:1"), "IPv4-mapped IPv6 address \"::ffff:c0a8:1\" is not allowed");
	CHECK_STR(ip_text(""), "IP Address \"\" parse error during conversion from string: ParseAddr(\"\"): unable to parse IP");
	CHECK_STR(ip_text("01.2.3.4"), "IP Address \"01.2.3.4\" parse error during conversion from string: ParseAddr(\"01.2.3.4\"): IPv4 field has octet with leading zero");
	CHECK_STR(ip_text("1.2.3"), "IP Address \"1.2.3\" parse error during conversion from string: ParseAddr(\"1.2.3\"): IPv4 address too short");
	CHECK_STR(ip_text("1:2:3:4:5:6:7:8:9"), "IP Address \"1:2:3:4:5:6:7:8:9\" parse error during conversion from string: ParseAddr(\"1:2:3:4:5:6:7:8:9\"): trailing garbage after address (at \"9\")");
	CHECK_STR(ip_text("::g"), "IP Address \"::g\" parse error during conversion from string: ParseAddr(\"::g\"): each colon-separated field must have at least one digit (at \"g\")");
	CHECK_STR(ip_text("1.2.3.256"), "IP Address \"1.2.3.256\" parse error during conversion from string: ParseAddr(\"1.2.3.256\"): IPv4 field has value >255");
	CHECK_STR(ip_text("fe80::1%"), "IP Address \"fe80::1%\" parse error during conversion from string: ParseAddr(\"fe80::1%\"): zone must be a non-empty string");
	CHECK_STR(ip_text("1::2::3"), "IP Address \"1::2::3\" parse error during conversion from string: ParseAddr(\"1::2::3\"): multiple :: in address (at \":3\")");
	CHECK_STR(ip_text("12345::"), "IP Address \"12345::\" parse error during conversion from string: ParseAddr(\"12345::\"): each group must have 4 or less digits (at \"12345::\")");
	CHECK_STR(ip_text("1:2:3:4:5:6:7::8"), "IP Address \"1:2:3:4:5:6:7::8\" parse error during conversion from string: ParseAddr(\"1:2:3:4:5:6:7::8\"): the :: must expand to at least one field of zeros");
	CHECK_STR(ip_text("1:2:3:4:5:6:7"), "IP Address \"1:2:3:4:5:6:7\" parse error during conversion from string: ParseAddr(\"1:2:3:4:5:6:7\"): address string too short");
	CHECK_STR(ip_text("1::2:1.2.3.4.5"), "IP Address \"1::2:1.2.3.4.5\" parse error during conversion from string: ParseAddr(\"1::2:1.2.3.4.5\"): IPv4 address too long");
	CHECK_STR(ip_text("1.2..3"), "IP Address \"1.2..3\" parse error during conversion from string: ParseAddr(\"1.2..3\"): IPv4 field must have at least one digit (at \".3\")");
	CHECK_STR(ip_text("%eth0"), "IP Address \"%eth0\" parse error during conversion from string: ParseAddr(\"%eth0\"): missing IPv6 address");
	CHECK_STR(ip_text("1:"), "IP Address \"1:\" parse error during conversion from string: ParseAddr(\"1:\"): colon must be followed by more characters (at \":\")");
	CHECK_STR(ip_text("1:2:3:4:5:6:7:8::"), "IP Address \"1:2:3:4:5:6:7:8::\" parse error during conversion from string: ParseAddr(\"1:2:3:4:5:6:7:8::\"): the :: must expand to at least one field of zeros");

	CHECK_STR(cidr_text("2001:db8::/32"), "2001:db8::/32");
	CHECK_STR(cidr_text("192.168.0.0/24"), "192.168.0.0/24");
	CHECK_STR(cidr_text("192.168.0.0/"), "CIDR \"192.168.0.0/\" parse error during conversion from string: netip.ParsePrefix(\"192.168.0.0/\"): bad bits after slash: \"\"");
	CHECK_STR(cidr_text("192.168.0.0/33"), "CIDR \"192.168.0.0/33\" parse error during conversion from string: netip.ParsePrefix(\"192.168.0.0/33\"): prefix length out of range");
	CHECK_STR(cidr_text("fe80::1%en0/24"), "CIDR \"fe80::1%en0/24\" parse error during conversion from string: netip.ParsePrefix(\"fe80::1%en0/24\"): IPv6 zones cannot be present in a prefix");
	CHECK_STR(cidr_text("::ffff:192.168.0.1/24"), "IPv4-mapped IPv6 address \"::ffff:192.168.0.1/24\" is not allowed");
	CHECK_STR(cidr_text("1.2.3.4"), "CIDR \"1.2.3.4\" parse error during conversion from string: netip.ParsePrefix(\"1.2.3.4\"): no '/'");
	CHECK_STR(cidr_text("1.2.3.4/01"), "CIDR \"1.2.3.4/01\" parse error during conversion from string: netip.ParsePrefix(\"1.2.3.4/01\"): bad bits after slash: \"01\"");
	CHECK_STR(cidr_text("1.2.3.4/-1"), "CIDR \"1.2.3.4/-1\" parse error during conversion from string: netip.ParsePrefix(\"1.2.3.4/-1\"): bad bits after slash: \"-1\"");
	CHECK_STR(cidr_text("::/129"), "CIDR \"::/129\" parse error during conversion from string: netip.ParsePrefix(\"::/129\"): prefix length out of range");
	CHECK_STR(cidr_text("x/3"), "CIDR \"x/3\" parse error during conversion from string: netip.ParsePrefix(\"x/3\"): ParseAddr(\"x\"): unable to parse IP");
	CHECK_STR(cidr_text("1.2.3.4/24/2"), "CIDR \"1.2.3.4/24/2\" parse error during conversion from string: netip.ParsePrefix(\"1.2.3.4/24/2\"): ParseAddr(\"1.2.3.4/24\"): unexpected character (at \"/24\")");
	CHECK_STR(cidr_text("1.2.3.4/1000000000000000000"), "CIDR \"1.2.3.4/1000000000000000000\" parse error during conversion from string: netip.ParsePrefix(\"1.2.3.4/1000000000000000000\"): prefix length out of range");
	CHECK_STR(cidr_text("1.2.3.4/99999999999999999999"), "CIDR \"1.2.3.4/99999999999999999999\" parse error during conversion from string: netip.ParsePrefix(\"1.2.3.4/99999999999999999999\"): bad bits after slash: \"99999999999999999999\"");
}

static void
test_predicates(void)
{
	CHECK(call("is_ip", str("192.168.0.1"), NULL).u.b == true);
	CHECK(call("is_ip", str("192.168.0.1.0"), NULL).u.b == false);
	CHECK(call("is_ip", str("::ffff:1.2.3.4"), NULL).u.b == false);
	CHECK(call("is_cidr", str("10.0.0.0/8"), NULL).u.b == true);
	CHECK(call("is_cidr", str("10.0.0.0"), NULL).u.b == false);
	CHECK(call("ip_is_canonical", str("127.0.0.1"), NULL).u.b == true);
	CHECK(call("ip_is_canonical", str("2001:DB8::68"), NULL).u.b == false);
	CHECK(call("ip_is_canonical", str("2001:db8:0:0:0:0:0:1"), NULL).u.b == false);
	CHECK(call("ip_is_canonical", str("2001:db8::1"), NULL).u.b == true);
	CHECK_STR(call("ip_is_canonical", str("127.0.0.1.0"), NULL).u.err->message,
			  "IP Address \"127.0.0.1.0\" parse error during conversion from string: ParseAddr(\"127.0.0.1.0\"): IPv4 address too long");

	CHECK(call("ip_family", cel_net_ip_parse(arena, "192.168.0.1", 11), NULL).u.i == 4);
	CHECK(call("ip_family", cel_net_ip_parse(arena, "2001:db8::68", 12), NULL).u.i == 6);
	CHECK(ip_pred("ip_is_unspecified", "0.0.0.0") == 1);
	CHECK(ip_pred("ip_is_unspecified", "127.0.0.1") == 0);
	CHECK(ip_pred("ip_is_unspecified", "::") == 1);
	CHECK(ip_pred("ip_is_loopback", "127.0.0.1") == 1);
	CHECK(ip_pred("ip_is_loopback", "1.2.3.4") == 0);
	CHECK(ip_pred("ip_is_loopback", "::1") == 1);
	CHECK(ip_pred("ip_is_global_unicast", "192.168.0.1") == 1);
	CHECK(ip_pred("ip_is_global_unicast", "10.0.0.1") == 1);
	CHECK(ip_pred("ip_is_global_unicast", "255.255.255.255") == 0);
	CHECK(ip_pred("ip_is_global_unicast", "2001:db8::abcd") == 1);
	CHECK(ip_pred("ip_is_global_unicast", "ff00::1") == 0);
	CHECK(ip_pred("ip_is_global_unicast", "::") == 0);
	CHECK(ip_pred("ip_is_global_unicast", "fe80::1") == 0);
	CHECK(ip_pred("ip_is_link_local_multicast", "224.0.0.1") == 1);
	CHECK(ip_pred("ip_is_link_local_multicast", "224.0.1.1") == 0);
	CHECK(ip_pred("ip_is_link_local_multicast", "ff02::1") == 1);
	CHECK(ip_pred("ip_is_link_local_multicast", "fd00::1") == 0);
	CHECK(ip_pred("ip_is_link_local_unicast", "169.254.169.254") == 1);
	CHECK(ip_pred("ip_is_link_local_unicast", "192.168.0.1") == 0);
	CHECK(ip_pred("ip_is_link_local_unicast", "fe80::1") == 1);
	CHECK(ip_pred("ip_is_link_local_unicast", "fd80::1") == 0);
}

static void
test_cidr(void)
{
	CelValue	a, b;

	CHECK(cidr_rel("cidr_contains_ip", "192.168.0.0/24", cel_net_ip_parse(arena, "192.168.0.1", 11)) == 1);
	CHECK(cidr_rel("cidr_contains_ip", "192.168.0.0/24", cel_net_ip_parse(arena, "192.168.1.1", 11)) == 0);
	CHECK(cidr_rel("cidr_contains_ip_string", "192.168.0.0/24", str("192.168.0.1")) == 1);
	CHECK(cidr_rel("cidr_contains_ip_string", "192.168.0.0/24", str("192.168.1.1")) == 0);
	CHECK(cidr_rel("cidr_contains_ip_string", "10.0.0.0/8", str("1.2.3")) == -1);
	CHECK(cidr_rel("cidr_contains_ip", "2001:db8::/32", cel_net_ip_parse(arena, "192.168.1.1", 11)) == 0);
	CHECK(cidr_rel("cidr_contains_ip", "192.168.1.1/32", cel_net_ip_parse(arena, "2001:db8::1", 11)) == 0);
	CHECK(cidr_rel("cidr_contains_ip", "2001:db8::/32", cel_net_ip_parse(arena, "2001:db8::1", 11)) == 1);
	CHECK(cidr_rel("cidr_contains_cidr", "192.168.0.0/24", cel_net_cidr_parse(arena, "192.168.0.0/25", 14)) == 1);
	CHECK(cidr_rel("cidr_contains_cidr", "192.168.0.0/24", cel_net_cidr_parse(arena, "192.168.0.1/32", 14)) == 1);
	CHECK(cidr_rel("cidr_contains_cidr", "192.168.0.0/24", cel_net_cidr_parse(arena, "192.168.0.0/23", 14)) == 0);
	CHECK(cidr_rel("cidr_contains_cidr_string", "192.168.0.0/24", str("192.168.0.0/25")) == 1);
	CHECK(cidr_rel("cidr_contains_cidr_string", "10.0.0.0/8", str("10.0.0.0/8")) == 1);
	CHECK(cidr_rel("cidr_contains_cidr_string", "10.0.0.0/8", str("0.0.0.0/0")) == 0);
	CHECK(cidr_rel("cidr_contains_cidr_string", "0.0.0.0/0", str("10.0.0.0/8")) == 1);
	CHECK(cidr_rel("cidr_contains_cidr", "2001:db8::/32", cel_net_cidr_parse(arena, "2001:db8::/33", 13)) == 1);

	a = call("cidr_ip", cel_net_cidr_parse(arena, "10.1.2.3/8", 10), NULL);
	CHECK_STR(arena_strndup(arena, cel_net_to_string(arena, a).u.str.ptr, cel_net_to_string(arena, a).u.str.len), "10.1.2.3");
	CHECK(a.u.opaque.type == &cel_net_ip_type);
	a = call("cidr_masked", cel_net_cidr_parse(arena, "10.1.2.3/8", 10), NULL);
	CHECK_STR(arena_strndup(arena, cel_net_to_string(arena, a).u.str.ptr, cel_net_to_string(arena, a).u.str.len), "10.0.0.0/8");
	a = call("cidr_masked", cel_net_cidr_parse(arena, "2001:db8:ffff::1/33", 19), NULL);
	CHECK_STR(arena_strndup(arena, cel_net_to_string(arena, a).u.str.ptr, cel_net_to_string(arena, a).u.str.len), "2001:db8:8000::/33");
	CHECK(call("cidr_prefix_length", cel_net_cidr_parse(arena, "192.168.0.0/24", 14), NULL).u.i == 24);
	/* isMask (REPL: true, false, true, true, false, true) */
	CHECK(call("cidr_is_mask", cel_net_cidr_parse(arena, "1.2.3.4/32", 10), NULL).u.b == true);
	CHECK(call("cidr_is_mask", cel_net_cidr_parse(arena, "2001:db8::1/64", 14), NULL).u.b == false);
	CHECK(call("cidr_is_mask", cel_net_cidr_parse(arena, "2001:db8::/64", 13), NULL).u.b == true);
	CHECK(call("cidr_is_mask", cel_net_cidr_parse(arena, "0.0.0.0/0", 9), NULL).u.b == true);
	CHECK(call("cidr_is_mask", cel_net_cidr_parse(arena, "1.0.0.0/0", 9), NULL).u.b == false);
	CHECK(call("cidr_is_mask", cel_net_cidr_parse(arena, "192.168.0.0/24", 14), NULL).u.b == true);
	CHECK(call("cidr_prefix_length", cel_net_cidr_parse(arena, "2001:db8::/32", 13), NULL).u.i == 32);

	/* equality through the opaque type */
	a = cel_net_cidr_parse(arena, "127.0.0.1/24", 12);
	b = cel_net_cidr_parse(arena, "127.0.0.1/24", 12);
	CHECK(cel_net_cidr_type.equals(a.u.opaque.data, b.u.opaque.data));
	b = cel_net_cidr_parse(arena, "127.0.0.0/24", 12);
	CHECK(!cel_net_cidr_type.equals(a.u.opaque.data, b.u.opaque.data));
	a = cel_net_ip_parse(arena, "2001:db8::1", 11);
	b = cel_net_ip_parse(arena, "2001:DB8::1", 11);
	CHECK(cel_net_ip_type.equals(a.u.opaque.data, b.u.opaque.data));
	b = cel_net_ip_parse(arena, "::ffff", 6);
	a = cel_net_ip_parse(arena, "::", 2);
	CHECK(!cel_net_ip_type.equals(a.u.opaque.data, b.u.opaque.data));
	CHECK_STR(cel_net_ip_type.name, "net.IP");
	CHECK(cel_net_type_named("net.IP") == cel_net_ip_type.type);
	CHECK(cel_net_type_named("net.CIDR") == cel_net_cidr_type.type);
	CHECK(cel_net_type_named("net.Foo") == NULL);
	CHECK_STR(cel_net_cidr_type.name, "net.CIDR");
}

/* The checker's literal validation (messages from the Cerbos REPL). */
static void
test_literals(void)
{
	CHECK(cel_literal_call_error(arena, "timestamp", str("2009-02-13T23:31:30Z")) == NULL);
	CHECK_STR(cel_literal_call_error(arena, "timestamp", str("2009-02-29T00:00:00Z")), "invalid timestamp argument");
	CHECK_STR(cel_literal_call_error(arena, "timestamp", str("0000-01-01T00:00:00Z")), "invalid timestamp argument");
	CHECK_STR(cel_literal_call_error(arena, "timestamp", cel_int(INT64_C(-62135596801))), "invalid timestamp argument");
	CHECK(cel_literal_call_error(arena, "timestamp", cel_int(INT64_C(253402300799))) == NULL);
	CHECK_STR(cel_literal_call_error(arena, "duration", str("")), "invalid duration argument");
	CHECK_STR(cel_literal_call_error(arena, "duration", str("320000000000s")), "invalid duration argument");
	CHECK(cel_literal_call_error(arena, "duration", str("1h")) == NULL);
	CHECK_STR(cel_literal_call_error(arena, "ip", str("")), "invalid ip argument: IP Address \"\" parse error during conversion from string: ParseAddr(\"\"): unable to parse IP");
	CHECK_STR(cel_literal_call_error(arena, "cidr", str("::/129")), "invalid cidr argument: CIDR \"::/129\" parse error during conversion from string: netip.ParsePrefix(\"::/129\"): prefix length out of range");
	CHECK(cel_literal_call_error(arena, "ip", str("::1")) == NULL);
	/* cel-go formats the message once more: the zone's '%' becomes a verb */
	CHECK_STR(cel_literal_call_error(arena, "ip", str("fe80::1%en0")),
			  "invalid ip argument: IP address \"fe80::1%!e(MISSING)n0\" with zone value is not allowed");
	CHECK(cel_literal_call_error(arena, "isIP", str("x")) == NULL);
	CHECK(cel_literal_call_error(arena, "ip", cel_int(1)) == NULL);
}

int
main(void)
{
	arena = arena_create(NULL, 0);
	test_parse_and_print();
	test_predicates();
	test_cidr();
	test_literals();
	arena_destroy(arena);
	UNIT_DONE("test_cel_net");
}
