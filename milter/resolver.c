/*
 * resolver.c - every DNS lookup of mxguard goes through here.
 *
 * c-ares 1.18 channels are not thread-safe, and libmilter runs callbacks on
 * many threads, so one resolver thread owns the channel. It waits in poll()
 * on the sockets c-ares reports through ARES_OPT_SOCK_STATE_CB (no
 * select/ares_fds, which break past fd 1024) and on a wake-up pipe. Callers
 * never touch c-ares: dns_lookup_a() finds or creates a cache entry and
 * queues it, dns_wait() sleeps on that entry until it is answered or the
 * caller's deadline passes; a late answer still fills the cache.
 *
 * The cache is a hash table, bounded by struct dns_limits (dns_start):
 *   - in bytes: every entry costs its struct, its name, what it keeps of the
 *     answer and the allocator's overhead; past cache_bytes the least
 *     recently used answered entries go (an LRU list holds only answered
 *     entries; one still held by a caller is freed by its last handle);
 *   - in entries (max_entries), the same way;
 *   - by age: answered entries sit in a heap ordered by expiry, and the
 *     resolver thread drops the expired ones about once a second, whether
 *     or not anyone asks for them again;
 *   - per answer: one that keeps more than entry_bytes is handed to its
 *     waiters but not cached;
 *   - in flight: past max_pending queries a lookup fails at once as
 *     DNS_ERROR, counted as overload and logged at warning (the first at
 *     once, then at most once a minute with the number since).
 * Answers live for their TTL clamped by the caller's bounds; a negative
 * answer for the lower bound; failures are not cached. A pending entry is
 * shared by every concurrent lookup of the same name.
 *
 * A lookups may carry a meter (a DNSBL zone's row in stats.c): a query
 * actually sent for it is counted there, and its latency, from queueing to
 * an answer (records, NXDOMAIN or SERVFAIL; not a timeout), is recorded
 * once, whoever else shares it.
 *
 * A lookups are parsed here; for other types (TXT, AAAA, MX, PTR for SPF)
 * a reduced copy of the reply is kept (dnsreply.c: the answer section
 * only; for TXT only the SPF records) and handed out, for the caller to
 * parse with c-ares' parsers while it holds the handle.
 *
 * SERVFAIL and REFUSED replies are answers (ARES_FLAG_NOCHECKRESP): c-ares
 * 1.18 would otherwise retry them and report "could not contact DNS
 * servers", so a SERVFAIL was counted as another error.
 *
 * Failure: dns_start() reports why it could not start; afterwards every
 * problem becomes a dns_status in an answer, never an error to the caller.
 */
#include "autoconf.h"

#include <arpa/nameser.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <ares.h>

#include "dnsreply.h"
#include "log.h"
#include "resolver.h"
#include "stats.h"

#define DNS_BUCKETS      16384
#define DNS_MAX_ENTRIES  100000
#define DNS_MAX_PENDING  16384        /* 5000 sessions x 3 zones at once (make bench e.) */
#define DNS_CACHE_BYTES  (8u << 20)
#define DNS_ENTRY_BYTES  4096         /* answers kept: a few SPF records, an MX set */
#define DNS_MAX_SOCKS    64
#define DNS_NAME_MAX     256
#define DNS_PARSE_MAX    64
#define DNS_MALLOC_COST  16           /* what malloc adds to each block */
#define DNS_WARN_EVERY   60           /* seconds between overload warnings */

struct dns_query {                    /* one cache entry; a handle points here */
	struct dns_resolver *r;
	int type;                         /* ns_t_a, ns_t_txt, ... */
	unsigned hash;
	struct dns_query *hnext;          /* bucket chain */
	struct dns_query *lprev, *lnext;  /* LRU list (answered entries), most recent first */
	struct dns_query *qnext;          /* submission queue */
	int refs;                         /* handles, plus one while in flight */
	int in_table, in_lru;
	unsigned heap_at;                 /* 1 + index in the expiry heap; 0: not in it */
	size_t cost;                      /* bytes counted in the cache's size while in_table */
	unsigned min_ttl, max_ttl;
	time_t expires;                   /* CLOCK_MONOTONIC seconds */
	struct timespec sent;             /* CLOCK_MONOTONIC, when queued */
	struct stats_zone *meter;         /* counts the query and its latency, or NULL */
	pthread_cond_t done;
	struct dns_answer ans;
	char name[];                      /* at most DNS_NAME_MAX - 1 bytes */
};

struct dns_resolver {
	pthread_mutex_t lock;             /* everything below but socks */
	pthread_t thread;
	int wake[2];
	int stopping;
	struct dns_query *buckets[DNS_BUCKETS];
	struct dns_query *lru_head, *lru_tail;
	struct dns_query **heap;          /* answered entries, soonest expiry first */
	unsigned nheap, heap_cap;
	struct dns_query *queue_head, *queue_tail;
	struct dns_stats st;
	struct dns_limits lim;
	time_t warned;                    /* last overload warning; 0: none yet */
	unsigned long unwarned;           /* overloads since */
	ares_channel channel;             /* resolver thread only */
	struct pollfd socks[DNS_MAX_SOCKS];
	int nsocks;
};

/* the counters of resolvers already stopped (reloads), so totals run from start-up */
static pthread_mutex_t retired_lock = PTHREAD_MUTEX_INITIALIZER;
static struct dns_stats retired;

static pthread_once_t ares_once = PTHREAD_ONCE_INIT;
static int ares_init_status;

static void
ares_global_init(void)
{
	ares_init_status = ares_library_init(ARES_LIB_INIT_ALL);
}

/* dns_deadline - now + ms on the clock dns_wait uses */
void
dns_deadline(struct timespec *ts, unsigned ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

const char *
dns_status_name(enum dns_status s)
{
	static const char *const names[] = {
		"pending", "ok", "nxdomain", "servfail", "timeout", "error"
	};
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

static unsigned
hash_name(const char *s)
{
	unsigned h = 5381;

	while (*s)
		h = (h * 33) ^ (unsigned char)tolower((unsigned char)*s++);
	return h;
}

/* ---- table, LRU and expiry heap, with r->lock held ---- */

static void
lru_unlink(struct dns_resolver *r, struct dns_query *q)
{
	if (!q->in_lru)
		return;
	if (q->lprev)
		q->lprev->lnext = q->lnext;
	else
		r->lru_head = q->lnext;
	if (q->lnext)
		q->lnext->lprev = q->lprev;
	else
		r->lru_tail = q->lprev;
	q->lprev = q->lnext = NULL;
	q->in_lru = 0;
}

static void
lru_push(struct dns_resolver *r, struct dns_query *q)
{
	q->lnext = r->lru_head;
	q->lprev = NULL;
	if (r->lru_head)
		r->lru_head->lprev = q;
	r->lru_head = q;
	if (r->lru_tail == NULL)
		r->lru_tail = q;
	q->in_lru = 1;
}

/* heap_set - put Q at index I of the heap */
static void
heap_set(struct dns_resolver *r, unsigned i, struct dns_query *q)
{
	r->heap[i] = q;
	q->heap_at = i + 1;
}

/* heap_fix - restore the heap order around index I */
static void
heap_fix(struct dns_resolver *r, unsigned i)
{
	struct dns_query *q = r->heap[i];
	unsigned c;

	while (i > 0 && r->heap[(i - 1) / 2]->expires > q->expires) {
		heap_set(r, i, r->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	for (;;) {
		c = 2 * i + 1;
		if (c >= r->nheap)
			break;
		if (c + 1 < r->nheap && r->heap[c + 1]->expires < r->heap[c]->expires)
			c++;
		if (r->heap[c]->expires >= q->expires)
			break;
		heap_set(r, i, r->heap[c]);
		i = c;
	}
	heap_set(r, i, q);
}

/* heap_add - Q into the expiry heap; -1 when it cannot grow */
static int
heap_add(struct dns_resolver *r, struct dns_query *q)
{
	if (r->nheap == r->heap_cap) {
		unsigned cap = r->heap_cap ? r->heap_cap * 2 : 256;
		struct dns_query **grown = realloc(r->heap, cap * sizeof(void *));  /* pointers */

		if (grown == NULL)
			return -1;
		r->heap = grown;
		r->heap_cap = cap;
	}
	heap_set(r, r->nheap++, q);
	heap_fix(r, r->nheap - 1);
	return 0;
}

static void
heap_del(struct dns_resolver *r, struct dns_query *q)
{
	unsigned i = q->heap_at - 1;

	if (q->heap_at == 0)
		return;
	q->heap_at = 0;
	if (i == --r->nheap)
		return;
	heap_set(r, i, r->heap[r->nheap]);
	heap_fix(r, i);
}

static void
entry_free(struct dns_query *q)
{
	pthread_cond_destroy(&q->done);
	free((void *)q->ans.raw);
	free(q);
}

/* detach - out of the table; freed now or by its last handle */
static void
detach(struct dns_resolver *r, struct dns_query *q)
{
	struct dns_query **pp = &r->buckets[q->hash % DNS_BUCKETS];

	while (*pp && *pp != q)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = q->hnext;
	lru_unlink(r, q);
	heap_del(r, q);
	q->in_table = 0;
	r->st.entries--;
	r->st.bytes -= q->cost;
	if (q->refs == 0)
		entry_free(q);
}

/* evict - least recently used answered entries go until both bounds hold */
static void
evict(struct dns_resolver *r)
{
	while ((r->st.entries > r->lim.max_entries || r->st.bytes > r->lim.cache_bytes)
	    && r->lru_tail) {
		detach(r, r->lru_tail);
		r->st.evicted++;
	}
}

/* sweep - drop the entries whose time is up */
static void
sweep(struct dns_resolver *r, time_t now)
{
	while (r->nheap > 0 && r->heap[0]->expires <= now) {
		detach(r, r->heap[0]);
		r->st.expired++;
	}
}

/* overload_note - one more overload; the count to warn about now, or 0 */
static unsigned long
overload_note(struct dns_resolver *r, time_t now)
{
	unsigned long n;

	r->unwarned++;
	if (r->warned != 0 && now - r->warned < DNS_WARN_EVERY)
		return 0;
	n = r->unwarned;
	r->unwarned = 0;
	r->warned = now;
	return n;
}

static void
overload_warn(const struct dns_resolver *r, unsigned long n)
{
	log_msg(LOG_WARNING, "resolver overloaded: %lu lookup%s failed at once since the last "
	    "warning, %u queries in flight (the bound); each counts as a DNS failure "
	    "(DNSErrorAction)", n, n == 1 ? "" : "s", r->lim.max_pending);
}

static struct dns_query *
entry_new(struct dns_resolver *r, const char *name, int type, unsigned h, unsigned min_ttl,
    unsigned max_ttl)
{
	size_t len = strnlen(name, DNS_NAME_MAX - 1);
	struct dns_query *q = calloc(1, sizeof(*q) + len + 1);
	pthread_condattr_t ca;

	if (q == NULL)
		return NULL;
	q->r = r;
	memcpy(q->name, name, len);
	q->type = type;
	q->hash = h;
	q->min_ttl = min_ttl;
	q->max_ttl = max_ttl < min_ttl ? min_ttl : max_ttl;
	q->ans.status = DNS_PENDING;
	/* its struct and name, a heap slot (the heap grows by doubling), malloc's share */
	q->cost = sizeof(*q) + len + 1 + 2 * sizeof(void *) + DNS_MALLOC_COST;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&q->done, &ca);
	pthread_condattr_destroy(&ca);
	return q;
}

/* lookup - dns_lookup with a meter for the query it may send */
static struct dns_query *
lookup(struct dns_resolver *r, const char *name, int type, unsigned min_ttl, unsigned max_ttl,
    struct stats_zone *meter)
{
	unsigned h = hash_name(name) * 31 + (unsigned)type;
	time_t now = stats_mono_sec();
	unsigned long warn;
	struct dns_query *q;
	char one = 1;

	pthread_mutex_lock(&r->lock);
	r->st.lookups++;
	for (q = r->buckets[h % DNS_BUCKETS]; q; q = q->hnext)
		if (q->hash == h && q->type == type && strcasecmp(q->name, name) == 0)
			break;
	if (q && (q->ans.status == DNS_PENDING || now < q->expires)) {
		q->refs++;
		if (q->ans.status == DNS_PENDING) {
			r->st.shared++;
		} else {
			lru_unlink(r, q);
			lru_push(r, q);
			r->st.hits++;
		}
		pthread_mutex_unlock(&r->lock);
		return q;
	}
	if (q) {
		detach(r, q);                 /* expired, not swept yet: ask again */
		r->st.expired++;
	}
	if ((q = entry_new(r, name, type, h, min_ttl, max_ttl)) == NULL) {
		pthread_mutex_unlock(&r->lock);
		return NULL;
	}
	q->refs = 1;
	if (r->st.pending >= r->lim.max_pending || r->stopping) {
		r->st.overload++;             /* answered at once, never cached */
		warn = r->stopping ? 0 : overload_note(r, now);
		q->ans.status = DNS_ERROR;
		pthread_mutex_unlock(&r->lock);
		if (warn)
			overload_warn(r, warn);
		return q;
	}
	q->refs++;                        /* the resolver's, until answered */
	q->meter = meter;
	clock_gettime(CLOCK_MONOTONIC, &q->sent);
	stats_zone_query(meter);
	q->in_table = 1;
	q->hnext = r->buckets[h % DNS_BUCKETS];
	r->buckets[h % DNS_BUCKETS] = q;
	r->st.entries++;
	r->st.bytes += q->cost;
	r->st.pending++;
	r->st.queries++;
	if (r->queue_tail)
		r->queue_tail->qnext = q;
	else
		r->queue_head = q;
	r->queue_tail = q;
	evict(r);
	pthread_mutex_unlock(&r->lock);
	if (write(r->wake[1], &one, 1) < 0 && errno != EAGAIN)
		log_msg(LOG_ERR, "resolver: wake-up: %s", strerror(errno));
	return q;
}

/*
 * dns_lookup_a - a handle on the A records of name; a query it sends is
 * counted in meter (when not NULL), and so is its latency once answered
 */
struct dns_query *
dns_lookup_a(struct dns_resolver *r, const char *name, unsigned min_ttl, unsigned max_ttl,
    struct stats_zone *meter)
{
	return lookup(r, name, ns_t_a, min_ttl, max_ttl, meter);
}

/*
 * dns_lookup - a handle on the records of one type; never blocks.
 * NULL only when memory ran out (dns_wait then reports DNS_ERROR).
 */
struct dns_query *
dns_lookup(struct dns_resolver *r, const char *name, int type)
{
	return lookup(r, name, type, r->lim.min_ttl, r->lim.max_ttl, NULL);
}

/* dns_lookup_ttl - dns_lookup with the answer's TTL clamped to [min_ttl,
 * max_ttl] instead of the resolver's bounds (mxpeers.c: min 0, so a
 * refresh at the record's TTL asks DNS again) */
struct dns_query *
dns_lookup_ttl(struct dns_resolver *r, const char *name, int type, unsigned min_ttl,
    unsigned max_ttl)
{
	return lookup(r, name, type, min_ttl, max_ttl, NULL);
}

/* dns_wait - the answer, or DNS_TIMEOUT once deadline passed (returns 0) */
int
dns_wait(struct dns_query *q, const struct timespec *deadline, struct dns_answer *out)
{
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (q == NULL) {
		out->status = DNS_ERROR;
		return 1;
	}
	pthread_mutex_lock(&q->r->lock);
	while (q->ans.status == DNS_PENDING && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&q->done, &q->r->lock, deadline);
	if (q->ans.status == DNS_PENDING)
		out->status = DNS_TIMEOUT;
	else
		*out = q->ans;
	pthread_mutex_unlock(&q->r->lock);
	return out->status != DNS_TIMEOUT || rc != ETIMEDOUT;
}

void
dns_release(struct dns_query *q)
{
	struct dns_resolver *r;

	if (q == NULL)
		return;
	r = q->r;
	pthread_mutex_lock(&r->lock);
	if (--q->refs == 0 && !q->in_table)
		entry_free(q);
	pthread_mutex_unlock(&r->lock);
}

/*
 * dns_get_stats - lookups, hits, shared, queries and overload since
 * start-up (this resolver's plus those of resolvers stopped before it);
 * entries and pending of this one
 */
void
dns_get_stats(struct dns_resolver *r, struct dns_stats *s)
{
	pthread_mutex_lock(&r->lock);
	*s = r->st;
	s->bytes_max = r->lim.cache_bytes;
	pthread_mutex_unlock(&r->lock);
	pthread_mutex_lock(&retired_lock);
	s->lookups += retired.lookups;
	s->hits += retired.hits;
	s->shared += retired.shared;
	s->queries += retired.queries;
	s->overload += retired.overload;
	s->evicted += retired.evicted;
	s->expired += retired.expired;
	pthread_mutex_unlock(&retired_lock);
}

/*
 * dns_stats_log_view - "stats dns lookups=N cache_hits=N shared=N queries=N
 * overload=N entries=N pending=N cache_hit_rate=X% cache_bytes=N
 * cache_max=N evicted=N expired=N"
 */
void
dns_stats_log_view(const struct dns_stats *d)
{
	char rate[16] = "-";

	if (d->lookups)
		snprintf(rate, sizeof(rate), "%.1f%%", 100.0 * (double)d->hits / (double)d->lookups);
	log_msg(LOG_NOTICE, "stats dns lookups=%lu cache_hits=%lu shared=%lu queries=%lu "
	    "overload=%lu entries=%u pending=%u cache_hit_rate=%s cache_bytes=%zu cache_max=%zu "
	    "evicted=%lu expired=%lu", d->lookups, d->hits, d->shared, d->queries, d->overload,
	    d->entries, d->pending, rate, d->bytes, d->bytes_max, d->evicted, d->expired);
}

/* retire - add a stopping resolver's counters to the totals */
static void
retire(const struct dns_stats *st)
{
	pthread_mutex_lock(&retired_lock);
	retired.lookups += st->lookups;
	retired.hits += st->hits;
	retired.shared += st->shared;
	retired.queries += st->queries;
	retired.overload += st->overload;
	retired.evicted += st->evicted;
	retired.expired += st->expired;
	pthread_mutex_unlock(&retired_lock);
}

/* ---- the resolver thread ---- */

/* cache - with r->lock held: keep answered Q for its TTL, or drop it */
static void
cache(struct dns_resolver *r, struct dns_query *q)
{
	size_t data = q->ans.raw ? (size_t)q->ans.rawlen + DNS_MALLOC_COST : 0;

	if (q->ans.ttl == 0 || data > r->lim.entry_bytes || q->cost + data > r->lim.cache_bytes
	    || heap_add(r, q) < 0) {
		detach(r, q);
		return;
	}
	q->cost += data;
	r->st.bytes += data;
	lru_push(r, q);
	evict(r);
}

/* complete - with r->lock held: publish an answer and wake its waiters */
static void
complete(struct dns_resolver *r, struct dns_query *q, const struct dns_answer *a)
{
	unsigned ttl = a->ttl;

	q->ans = *a;
	if (a->status == DNS_OK)
		ttl = ttl < q->min_ttl ? q->min_ttl : ttl > q->max_ttl ? q->max_ttl : ttl;
	else if (a->status == DNS_NXDOMAIN)
		ttl = q->min_ttl;             /* negative answers */
	else
		ttl = 0;                      /* failures are not cached */
	q->ans.ttl = ttl;
	q->ans.cached = 0;
	q->expires = stats_mono_sec() + (time_t)ttl;
	if (a->status == DNS_OK || a->status == DNS_NXDOMAIN || a->status == DNS_SERVFAIL)
		stats_zone_latency(q->meter, stats_since_us(&q->sent));
	r->st.pending--;
	pthread_cond_broadcast(&q->done);
	q->refs--;                        /* the resolver's */
	if (q->in_table)
		cache(r, q);
	else if (q->refs == 0)
		entry_free(q);
}

/* dns_parse_reply - a DNS reply to an answer; other types than A keep a
 * malloc()ed, reduced copy of the reply in A->raw (dnsreply.c), which the
 * caller frees, and the smallest TTL of what was kept */
void
dns_parse_reply(int type, int status, const unsigned char *abuf, int alen, struct dns_answer *a)
{
	struct ares_addrttl at[DNS_PARSE_MAX];
	int n = DNS_PARSE_MAX, i, rc;

	memset(a, 0, sizeof(*a));
	if (status == ARES_SUCCESS && type != ns_t_a) {          /* DNS_T_A_ALL too */
		unsigned char *copy;
		size_t len;

		if (alen <= 0 || dnsreply_reduce(DNS_QTYPE(type), abuf, (size_t)alen, &copy, &len, &a->ttl) < 0) {
			a->status = DNS_ERROR;
			return;
		}
		a->raw = copy;
		a->rawlen = (int)len;
		a->status = DNS_OK;
		return;
	}
	switch (status) {
	case ARES_SUCCESS:
		rc = ares_parse_a_reply(abuf, alen, NULL, at, &n);
		if (rc == ARES_ENODATA || (rc == ARES_SUCCESS && n == 0)) {
			a->status = DNS_NXDOMAIN;
			return;
		}
		if (rc != ARES_SUCCESS) {
			a->status = DNS_ERROR;
			return;
		}
		a->status = DNS_OK;
		a->ttl = (unsigned)-1;
		for (i = 0; i < n; i++) {
			if (i < DNS_MAX_A)
				a->a[a->n++] = at[i].ipaddr;
			else
				a->dropped++;
			if (at[i].ttl >= 0 && (unsigned)at[i].ttl < a->ttl)
				a->ttl = (unsigned)at[i].ttl;
		}
		return;
	case ARES_ENOTFOUND:
	case ARES_ENODATA:
		a->status = DNS_NXDOMAIN;
		return;
	case ARES_ESERVFAIL:
		a->status = DNS_SERVFAIL;
		return;
	case ARES_ETIMEOUT:
		a->status = DNS_TIMEOUT;
		return;
	default:
		a->status = DNS_ERROR;
	}
}

static void
on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct dns_query *q = arg;
	struct dns_resolver *r = q->r;
	struct dns_answer a;

	(void)timeouts;
	dns_parse_reply(q->type, status, abuf, alen, &a);
	pthread_mutex_lock(&r->lock);
	complete(r, q, &a);
	pthread_mutex_unlock(&r->lock);
}

/* sock_state - c-ares tells which sockets to watch, and for what */
static void
sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct dns_resolver *r = data;
	int i;

	for (i = 0; i < r->nsocks && r->socks[i].fd != fd; i++)
		;
	if (!readable && !writable) {
		if (i < r->nsocks)
			r->socks[i] = r->socks[--r->nsocks];
		return;
	}
	if (i == r->nsocks) {
		if (r->nsocks == DNS_MAX_SOCKS) {
			log_msg(LOG_ERR, "resolver: more than %d DNS sockets; ignoring one", DNS_MAX_SOCKS);
			return;
		}
		r->nsocks++;
	}
	r->socks[i].fd = fd;
	r->socks[i].events = (short)((readable ? POLLIN : 0) | (writable ? POLLOUT : 0));
}

/* submit - hand the queued entries to c-ares (never with r->lock held:
 * c-ares may answer from inside ares_query) */
static int
submit(struct dns_resolver *r)
{
	struct dns_query *q, *next;
	char buf[64];
	int stopping;

	while (read(r->wake[0], buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&r->lock);
	q = r->queue_head;
	r->queue_head = r->queue_tail = NULL;
	stopping = r->stopping;
	pthread_mutex_unlock(&r->lock);
	for (; q; q = next) {
		next = q->qnext;
		q->qnext = NULL;
		ares_query(r->channel, q->name, ns_c_in, DNS_QTYPE(q->type), on_answer, q);
	}
	return stopping;
}

static void *
loop(void *arg)
{
	struct dns_resolver *r = arg;
	struct pollfd pfd[DNS_MAX_SOCKS + 1];
	struct timeval tv, *tvp;
	time_t swept = 0, now;
	unsigned long warn;
	int i, n, ms;

	for (;;) {
		pfd[0].fd = r->wake[0];
		pfd[0].events = POLLIN;
		for (n = 0; n < r->nsocks; n++)
			pfd[n + 1] = r->socks[n];
		tvp = ares_timeout(r->channel, NULL, &tv);
		ms = tvp ? (int)(tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000) : 1000;
		if (ms > 1000)
			ms = 1000;                /* the sweep's pace */
		if (poll(pfd, (nfds_t)n + 1, ms) < 0 && errno != EINTR)
			log_msg(LOG_ERR, "resolver: poll: %s", strerror(errno));
		if ((pfd[0].revents & POLLIN) && submit(r))
			break;
		for (i = 1; i <= n; i++) {
			short ev = pfd[i].revents;

			if (ev == 0)
				continue;
			ares_process_fd(r->channel,
			    ev & (POLLIN | POLLERR | POLLHUP) ? pfd[i].fd : ARES_SOCKET_BAD,
			    ev & POLLOUT ? pfd[i].fd : ARES_SOCKET_BAD);
		}
		ares_process_fd(r->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
		if ((now = stats_mono_sec()) != swept) {
			swept = now;
			warn = 0;
			pthread_mutex_lock(&r->lock);
			sweep(r, now);
			if (r->unwarned && now - r->warned >= DNS_WARN_EVERY) {
				warn = r->unwarned;
				r->unwarned = 0;
				r->warned = now;
			}
			pthread_mutex_unlock(&r->lock);
			if (warn)
				overload_warn(r, warn);
		}
	}
	ares_destroy(r->channel);         /* answers every query in flight as failed */
	return NULL;
}

/*
 * dns_start - a resolver using servers ("ip:port,[ip6]:port" or NULL for
 * /etc/resolv.conf); one lookup gives up after about timeout_ms.
 */
void
dns_limits_default(struct dns_limits *l)
{
	l->cache_bytes = DNS_CACHE_BYTES;
	l->entry_bytes = DNS_ENTRY_BYTES;
	l->max_entries = DNS_MAX_ENTRIES;
	l->max_pending = DNS_MAX_PENDING;
	l->min_ttl = 60;
	l->max_ttl = 3600;
}

struct dns_resolver *
dns_start(const char *servers, unsigned timeout_ms, const struct dns_limits *lim,
    char *err, size_t errlen)
{
	struct dns_resolver *r;
	struct ares_options o;
	int rc;

	pthread_once(&ares_once, ares_global_init);
	if (ares_init_status != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(ares_init_status));
		return NULL;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->lim = *lim;
	if (pipe2(r->wake, O_NONBLOCK | O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		free(r);
		return NULL;
	}
	memset(&o, 0, sizeof(o));
	o.sock_state_cb = sock_state;
	o.sock_state_cb_data = r;
	o.timeout = (int)(timeout_ms / 3 > 100 ? timeout_ms / 3 : 100);  /* 2 tries: T + 2T */
	o.tries = 2;
	o.flags = ARES_FLAG_NOCHECKRESP;   /* a SERVFAIL is a SERVFAIL (see the top) */
	rc = ares_init_options(&r->channel, &o,
	    ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS);
	if (rc == ARES_SUCCESS && servers && *servers)
		rc = ares_set_servers_ports_csv(r->channel, servers);
	if (rc != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
		if (r->channel)
			ares_destroy(r->channel);
		close(r->wake[0]);
		close(r->wake[1]);
		free(r);
		return NULL;
	}
	pthread_mutex_init(&r->lock, NULL);
	if ((rc = pthread_create(&r->thread, NULL, loop, r)) != 0) {
		snprintf(err, errlen, "cannot start the resolver thread: %s", strerror(rc));
		ares_destroy(r->channel);
		close(r->wake[0]);
		close(r->wake[1]);
		pthread_mutex_destroy(&r->lock);
		free(r);
		return NULL;
	}
	return r;
}

/* dns_stop - end the thread; call when no handle is held any more */
void
dns_stop(struct dns_resolver *r)
{
	struct dns_query *q, *next;
	char one = 1;
	int i;

	if (r == NULL)
		return;
	pthread_mutex_lock(&r->lock);
	r->stopping = 1;
	pthread_mutex_unlock(&r->lock);
	if (write(r->wake[1], &one, 1) < 0 && errno != EAGAIN)
		log_msg(LOG_ERR, "resolver: wake-up: %s", strerror(errno));
	pthread_join(r->thread, NULL);
	pthread_mutex_lock(&r->lock);
	for (q = r->queue_head; q; q = next) {    /* queued, never sent */
		struct dns_answer a;

		next = q->qnext;
		memset(&a, 0, sizeof(a));
		a.status = DNS_ERROR;
		complete(r, q, &a);
	}
	for (i = 0; i < DNS_BUCKETS; i++)
		for (q = r->buckets[i]; q; q = next) {
			next = q->hnext;
			q->in_table = 0;
			if (q->refs == 0)
				entry_free(q);
		}
	free(r->heap);
	pthread_mutex_unlock(&r->lock);
	retire(&r->st);
	close(r->wake[0]);
	close(r->wake[1]);
	pthread_mutex_destroy(&r->lock);
	free(r);
}
