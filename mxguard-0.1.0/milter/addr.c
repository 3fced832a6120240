/*
 * addr.c - parse, mask, match and print IPv4/IPv6 addresses and networks.
 *
 * Exports addr_* and cidr_*. Bad text yields -1 (and for cidr_parse a short
 * reason); nothing here logs, allocates or keeps state.
 */
#include "autoconf.h"

#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>

#include "addr.h"

static const unsigned char v4mapped[12] = {0,0,0,0,0,0,0,0,0,0,0xff,0xff};

/* addr_bits - 32 or 128 */
int
addr_bits(const struct addr *a)
{
	return a->family == AF_INET ? 32 : 128;
}

/* unmap - turn ::ffff:a.b.c.d into a.b.c.d */
static void
unmap(struct addr *a)
{
	if (a->family == AF_INET6 && memcmp(a->b, v4mapped, 12) == 0) {
		memmove(a->b, a->b + 12, 4);
		memset(a->b + 4, 0, 12);
		a->family = AF_INET;
	}
}

/* addr_parse - text to address; -1 unless the whole string is one address */
int
addr_parse(const char *s, struct addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->b) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->b) == 1) {
		a->family = AF_INET6;
		unmap(a);
		return 0;
	}
	return -1;
}

/* addr_from_sockaddr - what libmilter hands to xxfi_connect */
int
addr_from_sockaddr(const struct sockaddr *sa, struct addr *a)
{
	memset(a, 0, sizeof(*a));
	if (sa == NULL)
		return -1;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
		a->family = AF_INET;
		memcpy(a->b, &in->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
		a->family = AF_INET6;
		memcpy(a->b, &in6->sin6_addr, 16);
		unmap(a);
		return 0;
	}
	return -1;
}

/* addr_mask - clear all bits after the first len */
void
addr_mask(struct addr *a, int len)
{
	int bits = addr_bits(a), i;

	for (i = 0; i < bits / 8; i++) {
		int keep = len - i * 8;
		if (keep >= 8)
			continue;
		a->b[i] &= keep <= 0 ? 0 : (unsigned char)(0xff << (8 - keep));
	}
}

const char *
addr_str(const struct addr *a, char *buf, size_t size)
{
	if (inet_ntop(a->family, a->b, buf, (socklen_t)size) == NULL)
		snprintf(buf, size, "?");
	return buf;
}

/* cidr_parse - "addr" or "addr/len"; host bits must be zero */
int
cidr_parse(const char *s, struct cidr *c, const char **why)
{
	char tmp[ADDR_STRLEN];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	struct addr masked;

	*why = "not an IP address or network";
	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = 0;
	if (addr_parse(tmp, &c->net) < 0)
		return -1;
	c->len = addr_bits(&c->net);
	if (slash) {
		char *end;
		long len;

		/* a v4-mapped network would shift its prefix; keep it simple */
		if (strchr(tmp, ':') && c->net.family == AF_INET) {
			*why = "IPv4-mapped IPv6 network; write the IPv4 network";
			return -1;
		}
		errno = 0;
		if (slash[1] < '0' || slash[1] > '9') {
			*why = "bad prefix length";
			return -1;
		}
		len = strtol(slash + 1, &end, 10);
		if (*end != 0 || errno != 0 || len < 0 || len > c->len || end - slash > 4) {
			*why = c->net.family == AF_INET ? "prefix length over 32"
			    : "prefix length over 128";
			if (*end != 0)
				*why = "bad prefix length";
			return -1;
		}
		c->len = (int)len;
	}
	masked = c->net;
	addr_mask(&masked, c->len);
	if (memcmp(&masked, &c->net, sizeof(masked)) != 0) {
		*why = "host bits set after the prefix length";
		return -1;
	}
	return 0;
}

/* cidr_contains - 1 when a lies in c */
int
cidr_contains(const struct cidr *c, const struct addr *a)
{
	struct addr m;

	if (a->family != c->net.family)
		return 0;
	m = *a;
	addr_mask(&m, c->len);
	return memcmp(m.b, c->net.b, sizeof(m.b)) == 0;
}

/* cidr_str - "a.b.c.d" for a host, "net/len" otherwise */
const char *
cidr_str(const struct cidr *c, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	addr_str(&c->net, a, sizeof(a));
	if (c->len == addr_bits(&c->net))
		snprintf(buf, size, "%s", a);
	else
		snprintf(buf, size, "%s/%d", a, c->len);
	return buf;
}
