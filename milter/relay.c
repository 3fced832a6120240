/*
 * relay.c - where did mail that a trusted RELAY peer hands us come from?
 *
 * The newest stamps written by this host itself (a re-injection; the stamp
 * of the current arrival is never shown to milters, by Postfix or Sendmail)
 * are skipped; the next one is the peer's own stamp, and the address in its
 * from clause is the origin client, the one the peer saw. Stamps below it were written by hosts we do not trust
 * (the sender can forge any of them) and are never read. Pure: returns 1
 * with *peer set when the peer's stamp names an address, 0 otherwise.
 */
#include "autoconf.h"

#include "loop.h"
#include "relay.h"

int
relay_origin(const struct rcv_stamp *stamps, unsigned n, char *const *local, size_t nlocal,
    const struct rcv_stamp **peer)
{
	unsigned i = 0;

	while (i < n && loop_is_local(stamps[i].by, local, nlocal))
		i++;
	*peer = i < n ? &stamps[i] : NULL;
	return *peer != NULL && (*peer)->has_ip;
}
