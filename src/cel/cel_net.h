/*
 * cel_net.h — IP addresses and CIDR prefixes for cel-go's ext.Network
 * library (net.c), parsed and printed as Go's net/netip does.
 *
 * Values are opaque (CelOpaqueType "net.IP" / "net.CIDR") whose data is a
 * CelNetAddr.  As in cel-go, zones and IPv4-mapped IPv6 addresses
 * ("::ffff:1.2.3.4") are rejected, so an address is plain IPv4 or IPv6.
 */
#ifndef AUTHZ_CEL_NET_H
#define AUTHZ_CEL_NET_H

#include "cel_func.h"

typedef struct CelNetAddr
{
	uint8_t		ip[16];			/* IPv4 in ip[0..3] */
	bool		is4;
	int			bits;			/* prefix length for CIDRs, -1 for IPs */
} CelNetAddr;

/* The opaque types (type() names "net.IP" and "net.CIDR"; the checker
 * resolves the identifiers net.IP / net.CIDR to their ->type). */
extern const CelOpaqueType cel_net_ip_type;
extern const CelOpaqueType cel_net_cidr_type;

/* The type a library type name denotes ("net.IP", "net.CIDR"), else NULL;
 * for cel_type_named and the checker's type identifiers. */
extern const CelType *cel_net_type_named(const char *name);

/*
 * ip(string) / cidr(string): the value, or cel-go's error, e.g.
 * `IP Address "1.2.3" parse error during conversion from string:
 * ParseAddr("1.2.3"): IPv4 address too short`.
 */
extern CelValue cel_net_ip_parse(Arena *arena, const char *s, size_t len);
extern CelValue cel_net_cidr_parse(Arena *arena, const char *s, size_t len);

/* string(ip) / string(cidr): Go's Addr.String / Prefix.String (RFC 5952). */
extern CelValue cel_net_to_string(Arena *arena, CelValue v);

/*
 * Go's netip.ParseAddr without cel-go's extra rules; on failure returns
 * false and sets *error (if not NULL) to Go's message, in the arena.
 * *zone_len is the length of a "%zone" suffix (0 if none).
 */
extern bool cel_netip_parse_addr(Arena *arena, const char *s, size_t len,
								 CelNetAddr *out, size_t *zone_len,
								 const char **error);

/* Whether an IPv6 address is IPv4-mapped (::ffff:a.b.c.d). */
extern bool cel_netip_is_4in6(const CelNetAddr *a);

/* Prints Go's Addr.String() (no zone) into buf (>= 64 bytes). */
extern size_t cel_netip_format_addr(char *buf, const CelNetAddr *a);

/* Go's Prefix.Contains for an address (families must match). */
extern bool cel_netip_prefix_contains(const CelNetAddr *prefix,
									  const CelNetAddr *addr);

#endif							/* AUTHZ_CEL_NET_H */
