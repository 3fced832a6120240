/*
 * relay.c - where did mail that a trusted RELAY peer hands us come from?
 *
 * Exports relay_origin(). Pure: no DNS, no state; it cannot fail, it only
 * finds no origin (returns 0).
 *
 * The newest stamps written by this host itself (a re-injection; the stamp
 * of the current arrival is never shown to milters, by Postfix or Sendmail)
 * are skipped. The next one is the peer's newest stamp; its "by" names the
 * peer. A peer that runs a content filter (amavisd-new and the like: the
 * mail goes out to a filter on loopback and comes back through a second
 * smtpd) writes stamps for its own internal hops on top of the one that
 * recorded the outside client. Those are skipped while they form a run
 * from the top: a stamp whose client address is loopback or the peer's own
 * address (the one it connects to us from), written by the peer (same
 * "by") or by localhost (amavisd-new's own stamp). The first stamp after
 * that run is the peer's outside-facing stamp, and the address in its from
 * clause is the origin client, the one the peer saw. Stamps below it were
 * written by hosts we do not trust (the sender can forge any of them) and
 * are never read. Only addresses count as evidence of an internal hop: the
 * names in a stamp (HELO, and rDNS which some MTAs print unverified) are the
 * sender's to choose. A stamp that ends the run without an address (mail
 * the peer made itself, a pipe filter's sendmail) or with an internal one
 * (a hop of some other host) gives no origin.
 */
#include "autoconf.h"

#include <string.h>
#include <strings.h>

#include "loop.h"
#include "names.h"
#include "relay.h"

/* is_loopback - 127.0.0.0/8 or ::1 (IPv4-mapped addresses are IPv4 already) */
static int
is_loopback(const struct addr *a)
{
	static const unsigned char v6_loopback[16] = { [15] = 1 };

	if (a->family == AF_INET)
		return a->b[0] == 127;
	return a->family == AF_INET6 && memcmp(a->b, v6_loopback, 16) == 0;
}

/* localhost_name - a "by" of loopback: a content filter's own stamp
 * (amavisd-new writes "by localhost") */
static int
localhost_name(const char *by)
{
	return name_equal(by, "localhost") || strncasecmp(by, "localhost.", 10) == 0
	    || strcmp(by, "[127.0.0.1]") == 0 || strcasecmp(by, "[IPv6:::1]") == 0;
}

/* own - a stamp of this host's re-injection: by one of its names, or by loopback */
static int
own(const char *by, char *const *local, size_t nlocal)
{
	return by[0] != 0 && (loop_is_local(by, local, nlocal) || localhost_name(by));
}

/* same_addr - one address, compared on the bytes its family uses */
static int
same_addr(const struct addr *a, const struct addr *b)
{
	return a->family == b->family
	    && memcmp(a->b, b->b, a->family == AF_INET ? 4 : 16) == 0;
}

/* internal_client - the stamp's client is the peer host itself */
static int
internal_client(const struct rcv_stamp *st, const struct addr *peer_addr)
{
	return st->has_ip && (is_loopback(&st->ip)
	    || (peer_addr != NULL && same_addr(&st->ip, peer_addr)));
}

/* relay_origin - 1 with *peer at the stamp naming the origin; 0 (no origin) otherwise */
int
relay_origin(const struct rcv_stamp *stamps, unsigned n, char *const *local, size_t nlocal,
    const struct addr *peer_addr, const struct rcv_stamp **peer)
{
	const char *by;
	unsigned i = 0;

	while (i < n && own(stamps[i].by, local, nlocal))
		i++;
	*peer = NULL;
	if (i == n)
		return 0;
	by = stamps[i].by;                   /* the peer, as it names itself */
	while (i < n && internal_client(&stamps[i], peer_addr)
	    && (name_equal(stamps[i].by, by) || own(stamps[i].by, NULL, 0)))
		i++;
	if (i == n)
		return 0;
	*peer = &stamps[i];
	return stamps[i].has_ip && !internal_client(&stamps[i], peer_addr);
}
