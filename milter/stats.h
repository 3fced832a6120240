/*
 * stats.h - per-DNSBL-zone counters and latency histograms for the stats
 * lines: a fixed table, lock-free updates, no allocation per lookup.
 */
#ifndef STATS_H
#define STATS_H

#include <time.h>

#define STATS_ZONES_MAX  64         /* distinct zones tracked since start */
#define STATS_ZONE_NAME  256
#define STATS_EXACT      16         /* latencies below this (us) get a bucket each */
#define STATS_SUB        8          /* then 8 buckets per power of two */
#define STATS_MAX_EXP    27         /* from 2^27 us (134 s) on: one overflow bucket */
#define STATS_BUCKETS    (STATS_EXACT + (STATS_MAX_EXP - 4) * STATS_SUB + 1)

/* what one lookup of a client in a zone came to */
enum stats_result {
	SR_NOTLISTED, SR_LISTED, SR_TIMEOUT, SR_SERVFAIL, SR_BAD, SR_ERROR
};

struct stats_zone;                  /* one row of the table, lives until exit */

struct stats_zone_view {            /* a copy of one row, for printing */
	char name[STATS_ZONE_NAME];
	unsigned long lookups, queries, hits, timeouts, servfail, bad, other;
	unsigned long hist[STATS_BUCKETS];
};

/* pure: the histogram's geometry and percentiles */
unsigned stats_bucket(unsigned long us);
unsigned long stats_bucket_top(unsigned b);
int stats_percentile(const unsigned long *hist, unsigned n, unsigned pct,
    unsigned long *us);

/* the table: safe from any thread */
struct stats_zone *stats_zone(const char *name);
void stats_zone_lookup(struct stats_zone *z);
void stats_zone_query(struct stats_zone *z);
void stats_zone_latency(struct stats_zone *z, unsigned long us);
void stats_zone_result(struct stats_zone *z, enum stats_result r);
int stats_zone_warn_due(struct stats_zone *z, time_t now, unsigned every);
int stats_zone_get(const char *name, struct stats_zone_view *v);
void stats_zone_log(const char *name);

/* elapsed microseconds from a CLOCK_MONOTONIC time to now */
unsigned long stats_since_us(const struct timespec *t0);

#endif
