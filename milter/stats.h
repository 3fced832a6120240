/*
 * stats.h - the counters of the stats lines: connections and decisions,
 * and per-DNSBL-zone counters and latency histograms (a fixed table).
 * Lock-free updates, no allocation, safe from any thread.
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
#define STATS_ACTIONS    5          /* enum action's ACT__N (decide.h) */
#define STATS_REASONS    10         /* enum reason's R__N */

/* what one lookup of a client in a zone came to */
enum stats_result {
	SR_NOTLISTED, SR_LISTED, SR_TIMEOUT, SR_SERVFAIL, SR_BAD, SR_ERROR
};

struct stats_zone;                  /* one row of the table, lives until exit */

struct stats_zone_view {            /* a copy of one row, for printing */
	char name[STATS_ZONE_NAME];
	unsigned long lookups, queries, hits, timeouts, servfail, bad, other;
	unsigned long hist[STATS_BUCKETS];
	unsigned long sum_us;           /* of the answered queries' times */
};

/* a copy of the filter's counters (stats_get), for metrics.c */
struct stats_view {
	unsigned long connections;
	unsigned long action[STATS_ACTIONS], reason[STATS_REASONS];
	unsigned long decision[STATS_ACTIONS][STATS_REASONS][2];  /* [.][.][monitor] */
	unsigned long wl_reloads, config_reloads;
	time_t start_time;              /* wall clock at stats_start */
	long uptime;                    /* seconds since stats_start (monotonic) */
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
void stats_zone_log_view(const struct stats_zone_view *v);

/* connections and decisions, and the "stats connections=..." line */
void stats_start(void);
void stats_count_connection(void);
void stats_count(int action, int reason);
void stats_set_monitor(int monitor);
void stats_count_wl_reload(void);
void stats_count_config_reload(void);
void stats_get(struct stats_view *v);
void stats_log(void);
void stats_log_view(const struct stats_view *v);

/* elapsed microseconds from a CLOCK_MONOTONIC time to now */
unsigned long stats_since_us(const struct timespec *t0);
/* seconds on the monotonic clock */
time_t stats_mono_sec(void);

#endif
