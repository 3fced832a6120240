/*
 * mxpeers.h - trusted peers derived from our own MX records (BackupMXFor):
 * the MX hosts of each listed domain that are not this host, and their
 * A/AAAA addresses, kept current by a refresher thread per configuration
 * snapshot; read by the callbacks from an immutable, refcounted set that
 * the refresher swaps whole.
 */
#ifndef MXPEERS_H
#define MXPEERS_H

#include <stdio.h>

#include "addr.h"
#include "mxguard.h"
#include "str.h"

#define MXP_DOMAINS_MAX 32        /* domains in BackupMXFor */
#define MXP_HOSTS_MAX   16        /* MX hosts per domain; more are counted and ignored */
#define MXP_ADDRS_MAX   16        /* addresses per MX host (A and AAAA together) */
#define MXP_TTL_MAX     86400     /* seconds: the longest a set goes unchecked */
#define MXP_ENTRY_PREFIX "mx:"    /* entry=mx:example.com in the log */

struct mxp_peer {
	struct addr a;
	char domain[MXG_NAME_MAX];    /* the BackupMXFor domain it is an MX host of */
	char host[MXG_NAME_MAX];      /* the MX host name the address belongs to */
};

struct mxp_set;                   /* immutable: sorted by address, one peer each */
struct mxp;                       /* one snapshot's peers: the set and its refresher */
struct dns_resolver;

struct mxp_conf {
	struct dns_resolver *dns;
	char *const *domains;
	size_t ndomains;
	char *const *local;           /* this host's names: LocalNames or the host name */
	size_t nlocal;
	unsigned timeout_ms;          /* DNSTimeout: one round's lookups */
	unsigned min_ttl;             /* seconds: BackupMXMinTTL, also the retry after a failure */
};

/* pure parts (unit tests) */
struct mxp_set *mxp_set_new(const struct mxp_peer *v, unsigned n);
void mxp_set_put(struct mxp_set *s);
unsigned mxp_set_count(const struct mxp_set *s);
const struct mxp_peer *mxp_set_find(const struct mxp_set *s, const struct addr *a);
unsigned mxp_diff(const struct mxp_peer *old, unsigned nold, const struct mxp_peer *nw,
    unsigned nnew, struct str *out);
int mxp_ttl(const unsigned char *raw, int len, int type, unsigned *ttl);

/* the running part */
struct mxp *mxp_new(void);
void mxp_swap(struct mxp *m, struct mxp_set *s);
struct mxp *mxp_start(const struct mxp_conf *conf, const struct mxp *prev, int thread);
void mxp_stop(struct mxp *m);
int mxp_match(struct mxp *m, const struct addr *a, const char *j, struct mxp_peer *out);
void mxp_print(struct mxp *m, FILE *fp);

#endif
