/*
 * resolver.h - the one owner of c-ares: a thread with a poll loop, a TTL
 * cache shared by every connection, bounded in bytes, entries and queries
 * in flight (struct dns_limits), and in-flight sharing (concurrent lookups
 * of one name are one query).
 */
#ifndef RESOLVER_H
#define RESOLVER_H

#include <netinet/in.h>
#include <time.h>

#define DNS_MAX_A 16               /* A records kept per answer; more are counted */
/* dns_lookup type for A records kept as a (reduced) reply in raw, every
 * address of it, instead of a[]: SPF's a/mx mechanisms match against all */
#define DNS_T_A_ALL (0x10000 | 1)
#define DNS_QTYPE(t) ((t) & 0xffff)   /* the type asked of DNS */

enum dns_status {
	DNS_PENDING,                   /* not answered yet */
	DNS_OK,                        /* one or more A records */
	DNS_NXDOMAIN,                  /* no such name, or no A record */
	DNS_SERVFAIL,                  /* the server failed */
	DNS_TIMEOUT,                   /* no answer before the deadline */
	DNS_ERROR                      /* refused, unreachable, malformed, overload */
};

struct dns_answer {
	enum dns_status status;
	int n;                         /* A records in a[] */
	struct in_addr a[DNS_MAX_A];
	unsigned dropped;              /* A records past DNS_MAX_A */
	unsigned ttl;                  /* seconds, after clamping */
	int cached;                    /* answered from the cache */
	const unsigned char *raw;      /* other types: the reply as kept (dnsreply.c), valid until dns_release */
	int rawlen;
};

struct dns_stats {
	unsigned long lookups, hits, shared, queries, overload;
	unsigned long evicted, expired;    /* entries dropped for the bounds, for their TTL */
	unsigned entries, pending;
	size_t bytes, bytes_max;           /* the cache's size and its bound */
};

/* the resolver's bounds (dns_limits_default gives the daemon's) */
struct dns_limits {
	size_t cache_bytes;            /* the cache, every byte of every entry counted */
	size_t entry_bytes;            /* a larger answer is handed out but not cached */
	unsigned max_entries;          /* entries in the cache, answered or in flight */
	unsigned max_pending;          /* queries in flight; past that, fail at once */
	unsigned min_ttl, max_ttl;     /* seconds, for dns_lookup's answers */
};

struct dns_resolver;
struct dns_query;
struct stats_zone;

void dns_limits_default(struct dns_limits *l);
struct dns_resolver *dns_start(const char *servers, unsigned timeout_ms,
    const struct dns_limits *lim, char *err, size_t errlen);
void dns_stop(struct dns_resolver *r);
struct dns_query *dns_lookup_a(struct dns_resolver *r, const char *name,
    unsigned min_ttl, unsigned max_ttl, struct stats_zone *meter);
struct dns_query *dns_lookup(struct dns_resolver *r, const char *name, int type);
struct dns_query *dns_lookup_ttl(struct dns_resolver *r, const char *name, int type,
    unsigned min_ttl, unsigned max_ttl);
int dns_wait(struct dns_query *q, const struct timespec *deadline, struct dns_answer *out);
void dns_release(struct dns_query *q);
void dns_get_stats(struct dns_resolver *r, struct dns_stats *s);
void dns_stats_log_view(const struct dns_stats *d);
const char *dns_status_name(enum dns_status s);
void dns_parse_reply(int type, int status, const unsigned char *abuf, int alen,
    struct dns_answer *a);
void dns_deadline(struct timespec *ts, unsigned ms);

#endif
