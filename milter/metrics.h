/*
 * metrics.h - the counters of the stats lines as a Prometheus text
 * exposition file (StatsFile), for node_exporter's textfile collector.
 */
#ifndef METRICS_H
#define METRICS_H

#include <stddef.h>
#include <stdio.h>

#include "resolver.h"
#include "stats.h"

/* one moment's figures: the same copies the stats lines are made of */
struct metrics_input {
	const struct stats_view *filter;
	const struct dns_stats *dns;          /* NULL: no resolver running */
	const struct stats_zone_view *zones;  /* the running configuration's zones */
	unsigned nzones;
	int have_wl;                          /* a whitelist is configured */
	unsigned wl_entries;
};

int metrics_format(FILE *f, const struct metrics_input *in);
int metrics_write(const char *path, const struct metrics_input *in, char *err, size_t errlen);

#endif
