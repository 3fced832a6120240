/*
 * mxpeers.c - trusted peers from our own MX records (BackupMXFor).
 *
 * For each listed domain: its MX hosts, less those that are this host
 * (LocalNames, else the host name; the MTA's {j} is per connection and is
 * applied at match time), and their A and AAAA addresses. Resolved at
 * start-up and at each reload (synchronously, before the snapshot is
 * published), then by one refresher thread per snapshot when the shortest
 * TTL of a domain's answers runs out (at least BackupMXMinTTL, at most
 * MXP_TTL_MAX). The thread is stopped and joined when the snapshot is
 * freed; it looks at its stop flag every 100 ms while it waits for DNS.
 *
 * Readers never wait on DNS or on the refresher: the set is immutable and
 * refcounted; mxp_match takes a reference under a lock held for a pointer
 * copy, searches, and drops it; the refresher builds a new set and swaps
 * the pointer. Exports the set (mxp_set_*), the diff of two peer lists and
 * the TTL of a raw answer (pure, unit-tested), and mxp_start/stop/match/print.
 *
 * Failure: a lookup that fails or times out keeps that domain's (or that
 * host's) last known addresses and logs a warning; an answer that the
 * domain has no MX (NXDOMAIN, no MX records, a null MX) or that a host has
 * no address is a real change and empties it. Bounded: MXP_DOMAINS_MAX
 * domains (the configuration refuses more), MXP_HOSTS_MAX hosts per domain,
 * MXP_ADDRS_MAX addresses per host; what is past a bound is counted and
 * logged. Out of memory: the last set stays.
 */
#include "autoconf.h"

#include <arpa/nameser.h>
#include <netdb.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <ares.h>

#include "log.h"
#include "loop.h"
#include "mxpeers.h"
#include "names.h"
#include "received.h"
#include "resolver.h"
#include "stats.h"

#define MXP_LOG_MAX 1500          /* bytes of one "mx peers for" line */

struct mxp_set {
	int refs;
	unsigned n;
	struct mxp_peer v[];
};

struct mxp_domain {
	char name[MXG_NAME_MAX];
	struct mxp_peer *peers;       /* last known, sorted (mxp_diff order) */
	unsigned n;
	time_t due;                   /* CLOCK_MONOTONIC seconds */
	char state[160];              /* what the last lookup found, for -n */
};

struct mxp {
	pthread_mutex_t lock;         /* cur and stop */
	pthread_cond_t wake;
	struct mxp_set *cur;
	int stop, running;
	pthread_t thread;
	struct dns_resolver *dns;
	char **local;
	size_t nlocal;
	unsigned timeout_ms, min_ttl;
	struct mxp_domain *dom;       /* the refresher's own (no thread: the caller's) */
	unsigned ndom;
};

/* ---- pure parts ---- */

static int
addr_cmp(const struct addr *a, const struct addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->b, b->b, a->family == AF_INET ? 4 : 16);
}

/* peer_cmp - address, then host: the order of a domain's list */
static int
peer_cmp(const void *x, const void *y)
{
	const struct mxp_peer *a = x, *b = y;
	int c = addr_cmp(&a->a, &b->a);

	return c ? c : strcasecmp(a->host, b->host);
}

struct ordered {
	const struct mxp_peer *p;
	unsigned i;
};

static int
ordered_cmp(const void *x, const void *y)
{
	const struct ordered *a = x, *b = y;
	int c = addr_cmp(&a->p->a, &b->p->a);

	return c ? c : a->i < b->i ? -1 : a->i > b->i;
}

/* mxp_set_new - an immutable set of v, one peer per address (the first
 * given wins); NULL when out of memory */
struct mxp_set *
mxp_set_new(const struct mxp_peer *v, unsigned n)
{
	struct mxp_set *s = malloc(sizeof(*s) + (size_t)n * sizeof(s->v[0]));
	struct ordered *o = calloc(n ? n : 1, sizeof(*o));
	unsigned i;

	if (s == NULL || o == NULL) {
		free(s);
		free(o);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		o[i].p = &v[i];
		o[i].i = i;
	}
	qsort(o, n, sizeof(*o), ordered_cmp);
	s->refs = 1;
	s->n = 0;
	for (i = 0; i < n; i++)
		if (s->n == 0 || addr_cmp(&s->v[s->n - 1].a, &o[i].p->a) != 0)
			s->v[s->n++] = *o[i].p;
	free(o);
	return s;
}

void
mxp_set_put(struct mxp_set *s)
{
	if (s && __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(s);
}

unsigned
mxp_set_count(const struct mxp_set *s)
{
	return s ? s->n : 0;
}

/* mxp_set_find - the peer with address a, or NULL */
const struct mxp_peer *
mxp_set_find(const struct mxp_set *s, const struct addr *a)
{
	size_t lo = 0, hi = s ? s->n : 0, mid;
	int c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if ((c = addr_cmp(a, &s->v[mid].a)) == 0)
			return &s->v[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* put_peer - "192.0.2.25 (mx2.example.net)", the name escaped */
static void
put_peer(struct str *out, const struct mxp_peer *p)
{
	char a[INET6_ADDRSTRLEN];

	str_catf(out, "%s (", addr_str(&p->a, a, sizeof(a)));
	str_escape(out, p->host);
	str_cat(out, ")");
}

/*
 * mxp_diff - "added A (host), ..., removed B (host), ..." between two
 * lists sorted by peer_cmp, appended to out; the number of changes
 */
unsigned
mxp_diff(const struct mxp_peer *old, unsigned nold, const struct mxp_peer *nw, unsigned nnew,
    struct str *out)
{
	unsigned i = 0, j = 0, added = 0, removed = 0, pass;
	int c;

	for (pass = 0; pass < 2; pass++) {
		for (i = j = 0; i < nold || j < nnew;) {
			c = i == nold ? 1 : j == nnew ? -1 : peer_cmp(&old[i], &nw[j]);
			if (c == 0) {
				i++, j++;
			} else if (c > 0) {          /* only in the new list */
				if (pass == 0) {
					str_cat(out, added++ ? ", " : "added ");
					put_peer(out, &nw[j]);
				}
				j++;
			} else {
				if (pass == 1) {
					str_cat(out, removed++ ? ", " : added ? ", removed " : "removed ");
					put_peer(out, &old[i]);
				}
				i++;
			}
		}
	}
	return added + removed;
}

/* mxp_ttl - the smallest TTL of the records of TYPE in a raw reply's answer
 * section; -1 when the reply cannot be read or holds none */
int
mxp_ttl(const unsigned char *raw, int len, int type, unsigned *ttl)
{
	const unsigned char *p, *end;
	unsigned qd, an, i, t, rdlen;
	char *name;
	long nl;
	int found = 0;

	if (raw == NULL || len < 12)
		return -1;
	p = raw + 12;
	end = raw + len;
	qd = (unsigned)(raw[4] << 8 | raw[5]);
	an = (unsigned)(raw[6] << 8 | raw[7]);
	for (i = 0; i < qd + an; i++) {
		if (ares_expand_name(p, raw, len, &name, &nl) != ARES_SUCCESS)
			return -1;
		ares_free_string(name);
		p += nl;
		if (end - p < (i < qd ? 4 : 10))
			return -1;
		if (i < qd) {
			p += 4;
			continue;
		}
		t = (unsigned)p[4] << 24 | (unsigned)p[5] << 16 | (unsigned)p[6] << 8 | p[7];
		rdlen = (unsigned)(p[8] << 8 | p[9]);
		if ((p[0] << 8 | p[1]) == type) {
			t &= 0x7fffffffU;            /* RFC 2181 8: the top bit set means 0 */
			*ttl = found++ ? (t < *ttl ? t : *ttl) : t;
		}
		p += 10;
		if ((unsigned)(end - p) < rdlen)
			return -1;
		p += rdlen;
	}
	return found ? 0 : -1;
}

/* ---- the holder of the current set ---- */

struct mxp *
mxp_new(void)
{
	struct mxp *m = calloc(1, sizeof(*m));
	pthread_condattr_t ca;

	if (m == NULL)
		return NULL;
	pthread_mutex_init(&m->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&m->wake, &ca);
	pthread_condattr_destroy(&ca);
	return m;
}

/* mxp_swap - s becomes the current set (the holder takes its reference) */
void
mxp_swap(struct mxp *m, struct mxp_set *s)
{
	struct mxp_set *old;

	pthread_mutex_lock(&m->lock);
	old = m->cur;
	m->cur = s;
	pthread_mutex_unlock(&m->lock);
	mxp_set_put(old);
}

/* cur_ref - a reference to the current set, or NULL */
static struct mxp_set *
cur_ref(const struct mxp *cm)
{
	struct mxp *m = (struct mxp *)cm;
	struct mxp_set *s;

	pthread_mutex_lock(&m->lock);
	if ((s = m->cur) != NULL)
		__atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&m->lock);
	return s;
}

/*
 * mxp_match - is a an MX peer? Not when its MX host is j (the MTA's own
 * name for this connection): then it is this host. Never waits on DNS.
 */
int
mxp_match(struct mxp *m, const struct addr *a, const char *j, struct mxp_peer *out)
{
	struct mxp_set *s;
	const struct mxp_peer *p;
	int hit;

	if (m == NULL || (s = cur_ref(m)) == NULL)
		return 0;
	p = mxp_set_find(s, a);
	hit = p != NULL && !(j && j[0] && name_equal(p->host, j));
	if (hit)
		*out = *p;
	mxp_set_put(s);
	return hit;
}

/* ---- the refresher ---- */

struct work {                     /* one domain's round */
	struct mxp_domain *d;
	struct dns_query *mx;
	int failed;                   /* the MX lookup failed: keep the last set */
	char why[80];                 /* its status, or "no MX record" */
	unsigned ttl;
	unsigned nhost, self, dropped;
	char host[MXP_HOSTS_MAX][MXG_NAME_MAX];
	struct dns_query *qa[MXP_HOSTS_MAX], *q6[MXP_HOSTS_MAX];
};

static int
stopping(struct mxp *m)
{
	int s;

	pthread_mutex_lock(&m->lock);
	s = m->stop;
	pthread_mutex_unlock(&m->lock);
	return s;
}

/* wait_answer - dns_wait in slices of 100 ms, so a stop is seen; -1: stopping */
static int
wait_answer(struct mxp *m, struct dns_query *q, const struct timespec *deadline,
    struct dns_answer *ans)
{
	struct timespec slice, now;

	for (;;) {
		dns_deadline(&slice, 100);
		if (slice.tv_sec > deadline->tv_sec
		    || (slice.tv_sec == deadline->tv_sec && slice.tv_nsec > deadline->tv_nsec))
			slice = *deadline;
		if (dns_wait(q, &slice, ans))
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > deadline->tv_sec
		    || (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec)) {
			ans->status = DNS_TIMEOUT;
			return 0;
		}
		if (stopping(m))
			return -1;
	}
}

/* min_ttl - fold one answer's TTL into a round's */
static void
min_ttl(unsigned *ttl, unsigned t)
{
	if (t < *ttl)
		*ttl = t;
}

/* read_mx - the MX answer into w's hosts; this host's names left out */
static void
read_mx(struct mxp *m, struct work *w, const struct dns_answer *ans)
{
	struct ares_mx_reply *mx = NULL, *r;
	unsigned t;
	int rc;

	if (ans->status == DNS_NXDOMAIN) {
		snprintf(w->why, sizeof(w->why), "no MX record (nxdomain)");
		min_ttl(&w->ttl, m->min_ttl);
		return;
	}
	if (ans->status != DNS_OK) {
		w->failed = 1;
		snprintf(w->why, sizeof(w->why), "%s", dns_status_name(ans->status));
		return;
	}
	if ((rc = ares_parse_mx_reply(ans->raw, ans->rawlen, &mx)) != ARES_SUCCESS) {
		if (rc != ARES_ENODATA) {
			w->failed = 1;
			snprintf(w->why, sizeof(w->why), "unreadable answer");
			return;
		}
		snprintf(w->why, sizeof(w->why), "no MX record");
	}
	if (mxp_ttl(ans->raw, ans->rawlen, ns_t_mx, &t) == 0)
		min_ttl(&w->ttl, t);
	for (r = mx; r; r = r->next) {
		unsigned k;

		if (r->host[0] == 0 || strcmp(r->host, ".") == 0)
			continue;                 /* null MX (RFC 7505): no host */
		for (k = 0; k < w->nhost && !name_equal(w->host[k], r->host); k++)
			;
		if (k < w->nhost)
			continue;                 /* named twice (another preference): once */
		if (loop_is_local(r->host, m->local, m->nlocal))
			w->self++;
		else if (w->nhost < MXP_HOSTS_MAX && strlen(r->host) < MXG_NAME_MAX)
			str_copy(w->host[w->nhost++], MXG_NAME_MAX, r->host);
		else
			w->dropped++;
	}
	ares_free_data(mx);
}

/* add_addrs - one host's A or AAAA answer into peers; -1: the lookup failed */
static int
add_addrs(struct work *w, const char *host, int type, const struct dns_answer *ans,
    struct mxp_peer *peers, unsigned *n, unsigned *per_host, unsigned *dropped)
{
	struct ares_addr6ttl t6[MXP_ADDRS_MAX];
	struct hostent *he = NULL;
	int i, nt = MXP_ADDRS_MAX, rc;
	struct mxp_peer *p;

	if (ans->status == DNS_NXDOMAIN)
		return 0;
	if (ans->status != DNS_OK)
		return -1;
	if (type == ns_t_aaaa) {
		if ((rc = ares_parse_aaaa_reply(ans->raw, ans->rawlen, &he, t6, &nt)) != ARES_SUCCESS)
			return rc == ARES_ENODATA ? 0 : -1;
		for (i = 0; i < nt; i++)
			min_ttl(&w->ttl, t6[i].ttl > 0 ? (unsigned)t6[i].ttl : 0);
	} else
		min_ttl(&w->ttl, ans->ttl);
	for (i = 0; type == ns_t_aaaa ? he->h_addr_list[i] != NULL : i < ans->n; i++) {
		if (*per_host >= MXP_ADDRS_MAX) {
			(*dropped)++;
			continue;
		}
		p = &peers[(*n)++];
		(*per_host)++;
		memset(p, 0, sizeof(*p));
		p->a.family = type == ns_t_aaaa ? AF_INET6 : AF_INET;
		memcpy(p->a.b, type == ns_t_aaaa ? (const void *)he->h_addr_list[i]
		    : (const void *)&ans->a[i], type == ns_t_aaaa ? 16 : 4);
		str_copy(p->domain, sizeof(p->domain), w->d->name);
		str_copy(p->host, sizeof(p->host), host);
	}
	if (type != ns_t_aaaa)
		*dropped += ans->dropped;
	if (he)
		ares_free_hostent(he);
	return 0;
}

/* keep_host - a host whose lookup failed keeps its last known addresses:
 * at most MXP_ADDRS_MAX of them, and never past CAP entries of peers */
static void
keep_host(const struct mxp_domain *d, const char *host, struct mxp_peer *peers, unsigned *n,
    unsigned cap)
{
	unsigned i, kept = 0;

	for (i = 0; i < d->n && kept < MXP_ADDRS_MAX && *n < cap; i++)
		if (name_equal(d->peers[i].host, host)) {
			peers[(*n)++] = d->peers[i];
			kept++;
		}
}

/* finish - a domain's new list: the change logged once, the next refresh set */
static void
finish(struct mxp *m, struct work *w, struct mxp_peer *peers, unsigned n, time_t now)
{
	struct mxp_domain *d = w->d;
	struct str line;
	int first = d->state[0] == 0;

	qsort(peers, n, sizeof(*peers), peer_cmp);
	str_init(&line, MXP_LOG_MAX);
	str_cat(&line, "mx peers for ");
	str_escape(&line, d->name);
	str_cat(&line, ": ");
	if (mxp_diff(d->peers, d->n, peers, n, &line))
		log_msg(LOG_NOTICE, "%s", str_text(&line));
	str_free(&line);
	if (n == 0 && (first || d->n > 0))
		log_msg(LOG_WARNING, "mx peers for %s: none (%s)", d->name,
		    w->why[0] ? w->why : w->nhost ? "no address" : "no MX host but this one");
	if (w->dropped)
		log_msg(LOG_WARNING, "mx peers for %s: %u MX hosts or addresses past the limits "
		    "(%d hosts, %d addresses a host) ignored", d->name, w->dropped, MXP_HOSTS_MAX,
		    MXP_ADDRS_MAX);
	free(d->peers);
	d->peers = peers;
	d->n = n;
	if (w->ttl < m->min_ttl)
		w->ttl = m->min_ttl;
	d->due = now + (time_t)w->ttl;
	if (w->why[0])
		snprintf(d->state, sizeof(d->state), "%s; next lookup in %us", w->why, w->ttl);
	else
		snprintf(d->state, sizeof(d->state), "%u MX host%s besides this host (%u this host, "
		    "%u past the limits); next lookup in %us", w->nhost, w->nhost == 1 ? "" : "s",
		    w->self, w->dropped, w->ttl);
}

/* host_addrs - one host's A and AAAA answers into peers; -1 when either
 * lookup failed (then its last known addresses are kept) */
static int
host_addrs(struct mxp *m, struct work *w, unsigned h, const struct timespec *deadline,
    struct mxp_peer *peers, unsigned *n, char *why, size_t wsize)
{
	struct dns_answer ans;
	unsigned per = 0, start = *n;
	int r = 0, k;

	for (k = 0; k < 2; k++) {
		struct dns_query *q = k ? w->q6[h] : w->qa[h];

		if (r == 0 && wait_answer(m, q, deadline, &ans) < 0)
			r = -2;
		if (r == 0 && add_addrs(w, w->host[h], k ? ns_t_aaaa : ns_t_a, &ans, peers, n, &per,
		    &w->dropped) < 0) {
			snprintf(why, wsize, "%s %s", k ? "AAAA" : "A", dns_status_name(ans.status));
			r = -1;
		}
		dns_release(q);
	}
	if (r == -1) {
		*n = start;
		keep_host(w->d, w->host[h], peers, n, w->nhost * MXP_ADDRS_MAX);
	}
	return r;
}

/* hosts - the addresses of every host of the domains whose MX answered;
 * -1 when told to stop */
static int
hosts(struct mxp *m, struct work *w, unsigned nw, time_t now)
{
	struct timespec deadline;
	struct mxp_peer *peers;
	char why[64], hq[MXG_NAME_MAX * 4];
	unsigned i, h, n, kept;
	int rc = 0, r;

	for (i = 0; i < nw; i++)
		for (h = 0; !w[i].failed && h < w[i].nhost; h++) {
			w[i].qa[h] = dns_lookup_ttl(m->dns, w[i].host[h], ns_t_a, 0, MXP_TTL_MAX);
			w[i].q6[h] = dns_lookup_ttl(m->dns, w[i].host[h], ns_t_aaaa, 0, MXP_TTL_MAX);
		}
	dns_deadline(&deadline, m->timeout_ms);
	for (i = 0; i < nw; i++) {
		if (w[i].failed)
			continue;
		peers = calloc((size_t)w[i].nhost * MXP_ADDRS_MAX + 1, sizeof(*peers));
		for (h = 0, n = 0, kept = 0; h < w[i].nhost; h++) {
			if (rc < 0 || peers == NULL) {
				dns_release(w[i].qa[h]);
				dns_release(w[i].q6[h]);
				continue;
			}
			if ((r = host_addrs(m, &w[i], h, &deadline, peers, &n, why, sizeof(why))) == -2)
				rc = -1;
			else if (r < 0) {
				kept++;
				log_quote(hq, sizeof(hq), w[i].host[h]);
				log_msg(LOG_WARNING, "mx peers for %s: address lookup of %s failed (%s); "
				    "keeping its last known addresses", w[i].d->name, hq, why);
			}
		}
		if (kept)
			w[i].ttl = m->min_ttl;
		if (rc == 0 && peers)
			finish(m, &w[i], peers, n, now);
		else
			free(peers);
		if (peers == NULL)
			log_msg(LOG_ERR, "mx peers for %s: out of memory; keeping the last set",
			    w[i].d->name);
	}
	return rc;
}

/* round - refresh every domain that is due; the new set swapped in */
static void
round_due(struct mxp *m)
{
	struct work *w = calloc(m->ndom, sizeof(*w));
	struct timespec deadline;
	struct dns_answer ans;
	struct mxp_peer *all;
	unsigned i, nw = 0, n = 0, total = 0;
	time_t now = stats_mono_sec();
	int stop = 0;

	if (w == NULL) {
		log_msg(LOG_ERR, "mx peers: out of memory; keeping the last set");
		for (i = 0; i < m->ndom; i++)
			m->dom[i].due = now + (time_t)m->min_ttl;
		return;
	}
	for (i = 0; i < m->ndom; i++)
		if (m->dom[i].due <= now) {
			w[nw].d = &m->dom[i];
			w[nw].ttl = MXP_TTL_MAX;
			w[nw++].mx = dns_lookup_ttl(m->dns, m->dom[i].name, ns_t_mx, 0, MXP_TTL_MAX);
		}
	if (nw == 0) {
		free(w);
		return;
	}
	dns_deadline(&deadline, m->timeout_ms);
	for (i = 0; i < nw; i++) {
		if (!stop && wait_answer(m, w[i].mx, &deadline, &ans) < 0)
			stop = 1;
		if (!stop)
			read_mx(m, &w[i], &ans);
		dns_release(w[i].mx);
		if (!stop && w[i].failed) {
			log_msg(LOG_WARNING, "mx peers for %s: MX lookup failed (%s); keeping the last "
			    "known set (%u addresses)", w[i].d->name, w[i].why, w[i].d->n);
			snprintf(w[i].d->state, sizeof(w[i].d->state), "MX lookup failed (%s): the last "
			    "known set kept", w[i].why);
			w[i].d->due = now + (time_t)m->min_ttl;
		}
	}
	if (stop || hosts(m, w, nw, now) < 0) {
		free(w);
		return;
	}
	free(w);
	for (i = 0; i < m->ndom; i++)
		total += m->dom[i].n;
	if ((all = calloc(total + 1, sizeof(*all))) == NULL) {
		log_msg(LOG_ERR, "mx peers: out of memory; keeping the last set");
		return;
	}
	for (i = 0; i < m->ndom; i++) {
		memcpy(all + n, m->dom[i].peers, m->dom[i].n * sizeof(*all));
		n += m->dom[i].n;
	}
	{
		struct mxp_set *s = mxp_set_new(all, n);

		if (s)
			mxp_swap(m, s);
		else
			log_msg(LOG_ERR, "mx peers: out of memory; keeping the last set");
	}
	free(all);
}

static void *
run(void *arg)
{
	struct mxp *m = arg;
	struct timespec ts;
	time_t next;
	unsigned i;

	pthread_mutex_lock(&m->lock);
	while (!m->stop) {
		for (next = m->dom[0].due, i = 1; i < m->ndom; i++)
			if (m->dom[i].due < next)
				next = m->dom[i].due;
		if (next > stats_mono_sec()) {
			ts.tv_sec = next;
			ts.tv_nsec = 0;
			pthread_cond_timedwait(&m->wake, &m->lock, &ts);
			continue;
		}
		pthread_mutex_unlock(&m->lock);
		round_due(m);
		pthread_mutex_lock(&m->lock);
	}
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

/* inherit - a reload starts from the last set of the snapshot it replaces,
 * so neither a slow nor a failed first lookup leaves a gap */
static void
inherit(struct mxp *m, const struct mxp *prev)
{
	struct mxp_set *s = prev ? cur_ref(prev) : NULL;
	struct mxp_domain *d;
	unsigned i, k;

	for (i = 0; s && i < m->ndom; i++) {
		d = &m->dom[i];
		for (k = 0; k < s->n; k++)
			if (name_equal(s->v[k].domain, d->name))
				d->n++;
		if (d->n == 0 || (d->peers = calloc(d->n, sizeof(*d->peers))) == NULL) {
			d->n = 0;
			continue;
		}
		for (k = 0, d->n = 0; k < s->n; k++)
			if (name_equal(s->v[k].domain, d->name))
				d->peers[d->n++] = s->v[k];
		qsort(d->peers, d->n, sizeof(*d->peers), peer_cmp);
	}
	mxp_set_put(s);
}

/*
 * mxp_start - resolve every domain now (at most about twice DNSTimeout),
 * then, with thread, keep them current; NULL when out of memory or the
 * thread cannot start (logged)
 */
struct mxp *
mxp_start(const struct mxp_conf *c, const struct mxp *prev, int thread)
{
	struct mxp *m = mxp_new();
	size_t i;
	int rc;

	if (m == NULL || (m->dom = calloc(c->ndomains + 1, sizeof(*m->dom))) == NULL
	    || (m->local = calloc(c->nlocal + 1, sizeof(*m->local))) == NULL) {
		log_msg(LOG_ERR, "mx peers: out of memory");
		mxp_stop(m);
		return NULL;
	}
	m->dns = c->dns;
	m->timeout_ms = c->timeout_ms;
	m->min_ttl = c->min_ttl ? c->min_ttl : 1;
	for (i = 0; i < c->nlocal; i++)
		if ((m->local[m->nlocal] = strdup(c->local[i])) != NULL)
			m->nlocal++;
	for (i = 0; i < c->ndomains && i < MXP_DOMAINS_MAX; i++)
		str_copy(m->dom[m->ndom++].name, MXG_NAME_MAX, c->domains[i]);
	inherit(m, prev);
	round_due(m);
	if (thread && m->ndom) {
		if ((rc = pthread_create(&m->thread, NULL, run, m)) != 0) {
			log_msg(LOG_ERR, "mx peers: cannot start the refresher: %s", strerror(rc));
			mxp_stop(m);
			return NULL;
		}
		m->running = 1;
	}
	return m;
}

/* mxp_stop - stop and join the refresher (at most about 100 ms), free all */
void
mxp_stop(struct mxp *m)
{
	unsigned i;

	if (m == NULL)
		return;
	if (m->running) {
		pthread_mutex_lock(&m->lock);
		m->stop = 1;
		pthread_cond_signal(&m->wake);
		pthread_mutex_unlock(&m->lock);
		pthread_join(m->thread, NULL);
	}
	for (i = 0; m->dom && i < m->ndom; i++)
		free(m->dom[i].peers);
	free(m->dom);
	while (m->local && m->nlocal)
		free(m->local[--m->nlocal]);
	free(m->local);
	mxp_set_put(m->cur);
	pthread_cond_destroy(&m->wake);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

/* mxp_print - mxguard -n: each domain, what its lookup found, its peers
 * (only without a refresher thread, which owns the domains) */
void
mxp_print(struct mxp *m, FILE *fp)
{
	char a[INET6_ADDRSTRLEN], h[MXG_NAME_MAX * 4 + 8];
	unsigned i, k;

	if (m == NULL || m->running)
		return;
	for (i = 0; i < m->ndom; i++) {
		fprintf(fp, "mx peers for %s: %s\n", m->dom[i].name, m->dom[i].state);
		for (k = 0; k < m->dom[i].n; k++) {
			log_quote(h, sizeof(h), m->dom[i].peers[k].host);
			fprintf(fp, "  %s (%s)\n", addr_str(&m->dom[i].peers[k].a, a, sizeof(a)), h);
		}
		if (m->dom[i].n == 0)
			fprintf(fp, "  none\n");
	}
}
