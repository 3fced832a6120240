/*
 * stats.c - the counters of the stats lines: connections and decisions
 * (stats_count*, stats_log: "stats connections=N action.X=N reason.Y=N
 * uptime=S"), per-DNSBL-zone counters and latency histograms.
 *
 * Pure parts: stats_bucket/stats_bucket_top (a log-scale histogram of
 * microseconds: 0..15 exact, then 8 buckets per power of two, so a bucket
 * is at most 1/8 of its lower bound wide; 2^27 us and more share the last
 * bucket) and stats_percentile (the top of the bucket that holds the
 * p-th percentile sample: never below the true value, at most 12.5% above).
 *
 * The table: STATS_ZONES_MAX rows, appended under a mutex and never removed,
 * so a row pointer stays valid until exit and a zone keeps its counters
 * across reloads. Readers scan the published rows without the lock; every
 * counter is a relaxed atomic add, so a stats line may be a moment stale but
 * a lookup never waits and nothing is allocated. A zone past the table's
 * size is not counted (warned about once). A row also remembers when its
 * zone was last warned about (stats_zone_warn_due), so rate-limited
 * warnings need no table of their own.
 *
 * For metrics.c: stats_get copies the filter's counters (decisions also by
 * action x reason x mode, whitelist and configuration reloads, start time);
 * a zone's view carries the sum of its latencies. The mode of a decision is
 * the Mode of the configuration published when it is counted
 * (stats_set_monitor, called at every publish), so a decision counted in the
 * instant of a reload that switches Mode may be put under the new one.
 */
#include "autoconf.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "decide.h"
#include "log.h"
#include "stats.h"

struct stats_zone {
	char name[STATS_ZONE_NAME];
	unsigned long lookups, queries, hits, timeouts, servfail, bad, other;
	unsigned long hist[STATS_BUCKETS];
	unsigned long sum_us;
	long long warned;            /* time() of the last warning about the zone; 0: none */
};

_Static_assert(ACT__N == STATS_ACTIONS, "STATS_ACTIONS is enum action's size");
_Static_assert(R__N == STATS_REASONS, "STATS_REASONS is enum reason's size");

static unsigned long n_connections;
static unsigned long n_action[ACT__N];
static unsigned long n_reason[R__N];
static unsigned long n_decision[ACT__N][R__N][2];
static unsigned long n_wl_reloads, n_config_reloads;
static int monitor;                  /* Mode monitor published; relaxed atomic */
static time_t started;               /* CLOCK_MONOTONIC seconds at stats_start */
static time_t started_wall;          /* and the wall clock then */

static struct stats_zone zones[STATS_ZONES_MAX];
static long long uncounted_warned;   /* the same for every zone past the table */
static unsigned nzones;              /* published rows; release/acquire */
static pthread_mutex_t zones_lock = PTHREAD_MUTEX_INITIALIZER;

/* stats_bucket - the histogram bucket of a latency in microseconds */
unsigned
stats_bucket(unsigned long us)
{
	unsigned e = 4;

	if (us < STATS_EXACT)
		return (unsigned)us;
	while (e < STATS_MAX_EXP && (us >> (e + 1)) != 0)
		e++;
	if (e >= STATS_MAX_EXP)
		return STATS_BUCKETS - 1;
	return STATS_EXACT + (e - 4) * STATS_SUB + (unsigned)((us >> (e - 3)) & (STATS_SUB - 1));
}

/* stats_bucket_top - the largest latency bucket b holds (the overflow
 * bucket: its lowest, 2^STATS_MAX_EXP) */
unsigned long
stats_bucket_top(unsigned b)
{
	unsigned e, sub;

	if (b < STATS_EXACT)
		return b;
	if (b >= STATS_BUCKETS - 1)
		return 1UL << STATS_MAX_EXP;
	e = 4 + (b - STATS_EXACT) / STATS_SUB;
	sub = (b - STATS_EXACT) % STATS_SUB;
	return ((unsigned long)(STATS_SUB + sub + 1) << (e - 3)) - 1;
}

/*
 * stats_percentile - the pct-th percentile (0..100) of a histogram of n
 * buckets: the top of the bucket holding the sample of rank ceil(pct% of
 * the total), at least the first. 0 and *us untouched when it is empty.
 */
int
stats_percentile(const unsigned long *hist, unsigned n, unsigned pct, unsigned long *us)
{
	unsigned long total = 0, rank, seen = 0;
	unsigned b;

	for (b = 0; b < n; b++)
		total += hist[b];
	if (total == 0)
		return 0;
	if (pct > 100)
		pct = 100;
	rank = total / 100 * pct + ((total % 100) * pct + 99) / 100;
	if (rank == 0)
		rank = 1;
	for (b = 0; b < n; b++) {
		seen += hist[b];
		if (seen >= rank)
			break;
	}
	*us = stats_bucket_top(b < n ? b : n - 1);
	return 1;
}

/* find - a published row by name, or NULL; no lock */
static struct stats_zone *
find(const char *name)
{
	unsigned i, n = __atomic_load_n(&nzones, __ATOMIC_ACQUIRE);

	for (i = 0; i < n; i++)
		if (strcmp(zones[i].name, name) == 0)
			return &zones[i];
	return NULL;
}

/* stats_zone - the row of a zone, made on first use; NULL when the table is full */
struct stats_zone *
stats_zone(const char *name)
{
	static int warned;
	struct stats_zone *z;
	int warn = 0;

	if ((z = find(name)) != NULL)
		return z;
	pthread_mutex_lock(&zones_lock);
	if ((z = find(name)) == NULL) {
		if (nzones < STATS_ZONES_MAX) {
			z = &zones[nzones];
			snprintf(z->name, sizeof(z->name), "%s", name);
			__atomic_store_n(&nzones, nzones + 1, __ATOMIC_RELEASE);
		} else if (!warned) {
			warned = warn = 1;
		}
	}
	pthread_mutex_unlock(&zones_lock);
	if (warn)
		log_msg(LOG_WARNING, "stats: more than %d DNSBL zones since start; "
		    "zone %.253s and later ones are not counted", STATS_ZONES_MAX, name);
	return z;
}

static void
add(unsigned long *counter)
{
	__atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

/* stats_zone_lookup - one client looked up in the zone (cache or not) */
void
stats_zone_lookup(struct stats_zone *z)
{
	if (z)
		add(&z->lookups);
}

/* stats_zone_query - one query sent to the DNS for the zone */
void
stats_zone_query(struct stats_zone *z)
{
	if (z)
		add(&z->queries);
}

/* stats_zone_latency - one answered query and how long it took */
void
stats_zone_latency(struct stats_zone *z, unsigned long us)
{
	if (z) {
		add(&z->hist[stats_bucket(us)]);
		__atomic_fetch_add(&z->sum_us, us, __ATOMIC_RELAXED);
	}
}

/* stats_zone_result - what one lookup meant for the decision */
void
stats_zone_result(struct stats_zone *z, enum stats_result r)
{
	if (z == NULL)
		return;
	switch (r) {
	case SR_NOTLISTED:
		break;
	case SR_LISTED:
		add(&z->hits);
		break;
	case SR_TIMEOUT:
		add(&z->timeouts);
		break;
	case SR_SERVFAIL:
		add(&z->servfail);
		break;
	case SR_BAD:
		add(&z->bad);
		break;
	case SR_ERROR:
		add(&z->other);
		break;
	}
}

/* stats_zone_warn_due - 1 (and now recorded) when nothing was said about the
 * zone for every seconds; one caller wins a race. Zones without a row (NULL,
 * past the table) share one slot. */
int
stats_zone_warn_due(struct stats_zone *z, time_t now, unsigned every)
{
	long long *slot = z ? &z->warned : &uncounted_warned;
	long long last = __atomic_load_n(slot, __ATOMIC_RELAXED);

	if (last != 0 && (long long)now - last < (long long)every)
		return 0;
	return __atomic_compare_exchange_n(slot, &last, (long long)now, 0,
	    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

static unsigned long
load(const unsigned long *counter)
{
	return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

/* stats_zone_get - a copy of a zone's row; 0 when the zone has none */
int
stats_zone_get(const char *name, struct stats_zone_view *v)
{
	const struct stats_zone *z = find(name);
	unsigned b;

	memset(v, 0, sizeof(*v));
	snprintf(v->name, sizeof(v->name), "%s", name);
	if (z == NULL)
		return 0;
	v->lookups = load(&z->lookups);
	v->queries = load(&z->queries);
	v->hits = load(&z->hits);
	v->timeouts = load(&z->timeouts);
	v->servfail = load(&z->servfail);
	v->bad = load(&z->bad);
	v->other = load(&z->other);
	for (b = 0; b < STATS_BUCKETS; b++)
		v->hist[b] = load(&z->hist[b]);
	v->sum_us = load(&z->sum_us);
	return 1;
}

/* add_ms - key=milliseconds with three decimals, or "-" without samples */
static void
add_ms(struct logline *l, const char *key, const struct stats_zone_view *v, unsigned pct)
{
	unsigned long us;

	if (stats_percentile(v->hist, STATS_BUCKETS, pct, &us))
		ll_addf(l, key, "%lu.%03lu", us / 1000, us % 1000);
	else
		ll_add(l, key, "-");
}

/*
 * stats_zone_log - "stats dnsbl zone=Z lookups=N queries=N hits=N errors=N
 * timeouts=N servfail=N bad=N p50_ms=X p99_ms=X", one line per zone
 */
void
stats_zone_log(const char *name)
{
	struct stats_zone_view v;

	stats_zone_get(name, &v);
	stats_zone_log_view(&v);
}

/* stats_zone_log_view - the same line of a copy already taken */
void
stats_zone_log_view(const struct stats_zone_view *v)
{
	struct logline l;

	ll_init_text(&l, "stats dnsbl");
	ll_add(&l, "zone", v->name);
	ll_addf(&l, "lookups", "%lu", v->lookups);
	ll_addf(&l, "queries", "%lu", v->queries);
	ll_addf(&l, "hits", "%lu", v->hits);
	ll_addf(&l, "errors", "%lu", v->timeouts + v->servfail + v->bad + v->other);
	ll_addf(&l, "timeouts", "%lu", v->timeouts);
	ll_addf(&l, "servfail", "%lu", v->servfail);
	ll_addf(&l, "bad", "%lu", v->bad);
	add_ms(&l, "p50_ms", v, 50);
	add_ms(&l, "p99_ms", v, 99);
	ll_emit(&l, LOG_NOTICE);
}

/* stats_since_us - microseconds from t0 (CLOCK_MONOTONIC) to now */
unsigned long
stats_since_us(const struct timespec *t0)
{
	struct timespec now;
	long long us;

	clock_gettime(CLOCK_MONOTONIC, &now);
	us = (long long)(now.tv_sec - t0->tv_sec) * 1000000LL
	    + (now.tv_nsec - t0->tv_nsec) / 1000;
	return us < 0 ? 0 : (unsigned long)us;
}

/* stats_mono_sec - seconds on the monotonic clock: the one copy (uptime,
 * the resolver's cache, mxpeers' refresh times) */
time_t
stats_mono_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* stats_start - the time uptime counts from (the first call only) */
void
stats_start(void)
{
	if (started == 0) {
		started = stats_mono_sec();
		started_wall = time(NULL);
	}
}

/* stats_count_connection - one connection accepted */
void
stats_count_connection(void)
{
	add(&n_connections);
}

/* stats_count - one decision line's action and reason */
void
stats_count(int action, int reason)
{
	int mon = action != ACT_ACCEPT && __atomic_load_n(&monitor, __ATOMIC_RELAXED);

	if ((unsigned)action < ACT__N)
		add(&n_action[action]);
	if ((unsigned)reason < R__N)
		add(&n_reason[reason]);
	if ((unsigned)action < ACT__N && (unsigned)reason < R__N)
		add(&n_decision[action][reason][mon]);
}

/* stats_set_monitor - the published configuration's Mode is monitor (1) or not */
void
stats_set_monitor(int on)
{
	__atomic_store_n(&monitor, on != 0, __ATOMIC_RELAXED);
}

/* stats_count_wl_reload - the whitelist was read anew (file replaced, or reload) */
void
stats_count_wl_reload(void)
{
	add(&n_wl_reloads);
}

/* stats_count_config_reload - a configuration reload was published */
void
stats_count_config_reload(void)
{
	add(&n_config_reloads);
}

/* stats_get - a copy of the filter's counters */
void
stats_get(struct stats_view *v)
{
	int a, r;

	memset(v, 0, sizeof(*v));
	v->connections = load(&n_connections);
	for (a = 0; a < ACT__N; a++) {
		v->action[a] = load(&n_action[a]);
		for (r = 0; r < R__N; r++) {
			v->decision[a][r][0] = load(&n_decision[a][r][0]);
			v->decision[a][r][1] = load(&n_decision[a][r][1]);
		}
	}
	for (r = 0; r < R__N; r++)
		v->reason[r] = load(&n_reason[r]);
	v->wl_reloads = load(&n_wl_reloads);
	v->config_reloads = load(&n_config_reloads);
	v->start_time = started_wall;
	v->uptime = (long)(stats_mono_sec() - started);
}

/* stats_log - "stats connections=N action.accept=N ... reason.clean=N ...
 * uptime=SECONDS": counted since start-up */
void
stats_log(void)
{
	struct stats_view v;

	stats_get(&v);
	stats_log_view(&v);
}

/* stats_log_view - the same line of a copy already taken */
void
stats_log_view(const struct stats_view *v)
{
	struct logline l;
	char key[64];
	int i;

	ll_init_text(&l, "stats");
	ll_addf(&l, "connections", "%lu", v->connections);
	for (i = 0; i < ACT__N; i++) {
		snprintf(key, sizeof(key), "action.%s", dec_action_name(i));
		ll_addf(&l, key, "%lu", v->action[i]);
	}
	for (i = 0; i < R__N; i++) {
		snprintf(key, sizeof(key), "reason.%s", dec_reason_name(i));
		ll_addf(&l, key, "%lu", v->reason[i]);
	}
	ll_addf(&l, "uptime", "%ld", v->uptime);
	ll_emit(&l, LOG_NOTICE);
}
