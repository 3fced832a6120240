/*
 * addr.h - IPv4/IPv6 addresses and CIDR networks as plain values.
 *
 * Parsing never accepts what inet_pton(3) does not; IPv4-mapped IPv6
 * addresses (::ffff:a.b.c.d) become IPv4 so that one entry matches both.
 * Nothing here allocates or fails other than by returning -1.
 */
#ifndef ADDR_H
#define ADDR_H

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

struct addr {
	int family;              /* AF_INET or AF_INET6 */
	unsigned char b[16];     /* network order; IPv4 uses b[0..3] */
};

struct cidr {
	struct addr net;         /* host bits are zero */
	int len;                 /* prefix length, 0..32 or 0..128 */
};

#define ADDR_STRLEN (INET6_ADDRSTRLEN + 4)   /* room for "/128" */

int addr_bits(const struct addr *a);
int addr_parse(const char *s, struct addr *a);
int addr_from_sockaddr(const struct sockaddr *sa, struct addr *a);
void addr_mask(struct addr *a, int len);
const char *addr_str(const struct addr *a, char *buf, size_t size);
int cidr_parse(const char *s, struct cidr *c, const char **why);
int cidr_contains(const struct cidr *c, const struct addr *a);
const char *cidr_str(const struct cidr *c, char *buf, size_t size);

#endif
