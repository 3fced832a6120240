/*
 * metrics.c - the counters of the stats lines in the Prometheus text
 * exposition format (version 0.0.4), written to StatsFile for
 * node_exporter's textfile collector or any scraper that reads files.
 *
 * metrics_format (pure: figures in, text out to a stream) writes one family
 * after the other, each with its HELP and TYPE lines: counters end in
 * _total, times are in seconds, the DNSBL query times are a histogram whose
 * le bounds are the power-of-two edges of stats.c's log-scale histogram (15
 * us, 31 us ... 2^27-1 us, then +Inf), so every cumulative count is exact.
 * Label values are escaped as the format says (\\, \", \n); a byte outside
 * printable ASCII becomes "?" (zone names are DNS names; this is a guard).
 * The last line is always mxguard_config_reloads_total, so a reader can
 * tell a whole file from a cut one.
 *
 * metrics_write replaces the file atomically: a temporary file in the same
 * directory (PATH.tmp.XXXXXX, which the textfile collector's *.prom glob
 * does not match), written, fsync'd, mode 0644, renamed over PATH. A
 * reader sees the old file or the new one, never a part. On failure the
 * temporary file is removed, the old file stays, and the reason is
 * returned (-1, err) for the caller to log.
 */
#include "autoconf.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decide.h"
#include "metrics.h"

/* family - the HELP and TYPE lines of one metric family */
static void
family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* label - a label value, escaped and kept to printable ASCII */
static void
label(FILE *f, const char *v)
{
	for (; *v; v++) {
		unsigned char c = (unsigned char)*v;

		if (c == '\\' || c == '"')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else
			fputc(c >= 0x20 && c < 0x7f ? c : '?', f);
	}
}

/* zone_metric - NAME{zone="Z"[,EXTRA]} VALUE */
static void
zone_metric(FILE *f, const char *name, const char *zone, const char *extra, unsigned long v)
{
	fprintf(f, "%s{zone=\"", name);
	label(f, zone);
	fprintf(f, "\"%s} %lu\n", extra ? extra : "", v);
}

/* seconds - microseconds as decimal seconds, exactly */
static void
seconds(FILE *f, unsigned long us)
{
	fprintf(f, "%lu.%06lu", us / 1000000UL, us % 1000000UL);
}

/* edge - bucket b closes a power of two (an le bound of the export) */
static int
edge(unsigned b)
{
	if (b == STATS_EXACT - 1)
		return 1;
	return b >= STATS_EXACT && b < STATS_BUCKETS - 1
	    && (b - STATS_EXACT) % STATS_SUB == STATS_SUB - 1;
}

/* histogram - one zone's query times: _bucket at each edge, +Inf, _sum, _count */
static void
histogram(FILE *f, const struct stats_zone_view *z)
{
	const char *n = "mxguard_dnsbl_query_duration_seconds";
	unsigned long seen = 0;
	unsigned b;

	for (b = 0; b < STATS_BUCKETS; b++) {
		seen += z->hist[b];
		if (!edge(b))
			continue;
		fprintf(f, "%s_bucket{zone=\"", n);
		label(f, z->name);
		fputs("\",le=\"", f);
		seconds(f, stats_bucket_top(b));
		fprintf(f, "\"} %lu\n", seen);
	}
	fprintf(f, "%s_bucket{zone=\"", n);
	label(f, z->name);
	fprintf(f, "\",le=\"+Inf\"} %lu\n%s_sum{zone=\"", seen, n);
	label(f, z->name);
	fputs("\"} ", f);
	seconds(f, z->sum_us);
	fprintf(f, "\n%s_count{zone=\"", n);
	label(f, z->name);
	fprintf(f, "\"} %lu\n", seen);
}

/* zones - the per-zone families */
static void
zones(FILE *f, const struct metrics_input *in)
{
	static const char *const kinds[] = {"timeout", "servfail", "bad", "other"};
	char extra[40];
	unsigned i, k;

	family(f, "mxguard_dnsbl_lookups_total", "counter",
	    "Lookups of a client in a DNSBL zone, cached or not.");
	for (i = 0; i < in->nzones; i++)
		zone_metric(f, "mxguard_dnsbl_lookups_total", in->zones[i].name, NULL,
		    in->zones[i].lookups);
	family(f, "mxguard_dnsbl_queries_total", "counter", "Queries of a DNSBL zone sent to the DNS.");
	for (i = 0; i < in->nzones; i++)
		zone_metric(f, "mxguard_dnsbl_queries_total", in->zones[i].name, NULL,
		    in->zones[i].queries);
	family(f, "mxguard_dnsbl_hits_total", "counter", "Lookups that found the client listed.");
	for (i = 0; i < in->nzones; i++)
		zone_metric(f, "mxguard_dnsbl_hits_total", in->zones[i].name, NULL, in->zones[i].hits);
	family(f, "mxguard_dnsbl_errors_total", "counter",
	    "Lookups for which the zone failed, by kind (timeout, servfail, bad answer, other).");
	for (i = 0; i < in->nzones; i++) {
		const struct stats_zone_view *z = &in->zones[i];
		const unsigned long v[] = {z->timeouts, z->servfail, z->bad, z->other};

		for (k = 0; k < 4; k++) {
			snprintf(extra, sizeof(extra), ",error=\"%s\"", kinds[k]);
			zone_metric(f, "mxguard_dnsbl_errors_total", z->name, extra, v[k]);
		}
	}
	family(f, "mxguard_dnsbl_query_duration_seconds", "histogram",
	    "Time from sending a DNSBL query to its answer.");
	for (i = 0; i < in->nzones; i++)
		histogram(f, &in->zones[i]);
}

/* dns - the resolver's families */
static void
dns(FILE *f, const struct dns_stats *d)
{
	family(f, "mxguard_dns_lookups_total", "counter", "Lookups asked of the resolver.");
	fprintf(f, "mxguard_dns_lookups_total %lu\n", d->lookups);
	family(f, "mxguard_dns_cache_hits_total", "counter", "Lookups answered from the cache.");
	fprintf(f, "mxguard_dns_cache_hits_total %lu\n", d->hits);
	family(f, "mxguard_dns_shared_total", "counter", "Lookups that joined a query in flight.");
	fprintf(f, "mxguard_dns_shared_total %lu\n", d->shared);
	family(f, "mxguard_dns_queries_total", "counter", "Queries sent to a DNS server.");
	fprintf(f, "mxguard_dns_queries_total %lu\n", d->queries);
	family(f, "mxguard_dns_overloads_total", "counter",
	    "Lookups refused because too many queries were in flight.");
	fprintf(f, "mxguard_dns_overloads_total %lu\n", d->overload);
	family(f, "mxguard_dns_cache_entries", "gauge", "Entries in the resolver cache.");
	fprintf(f, "mxguard_dns_cache_entries %u\n", d->entries);
	family(f, "mxguard_dns_pending_queries", "gauge", "Queries in flight.");
	fprintf(f, "mxguard_dns_pending_queries %u\n", d->pending);
	family(f, "mxguard_dns_cache_hit_ratio", "gauge",
	    "Cache hits over lookups since start-up (0 before the first lookup).");
	fprintf(f, "mxguard_dns_cache_hit_ratio %.6f\n",
	    d->lookups ? (double)d->hits / (double)d->lookups : 0.0);
}

/* metrics_format - every family, in the text format; 0, or -1 on a write error */
int
metrics_format(FILE *f, const struct metrics_input *in)
{
	const struct stats_view *s = in->filter;
	int a, r, m;

	family(f, "mxguard_start_time_seconds", "gauge", "Start time of mxguard, seconds since the epoch.");
	fprintf(f, "mxguard_start_time_seconds %lld\n", (long long)s->start_time);
	family(f, "mxguard_uptime_seconds", "gauge", "Seconds since mxguard started.");
	fprintf(f, "mxguard_uptime_seconds %ld\n", s->uptime);
	family(f, "mxguard_connections_total", "counter", "Connections the MTA announced.");
	fprintf(f, "mxguard_connections_total %lu\n", s->connections);
	family(f, "mxguard_decisions_total", "counter",
	    "Decision lines by action and reason; mode=\"monitor\": logged under Mode monitor, not enforced.");
	for (m = 0; m < 2; m++)
		for (a = 0; a < STATS_ACTIONS; a++) {
			if (m == 1 && a == ACT_ACCEPT)
				continue;                 /* an accept is never a monitor decision */
			for (r = 0; r < STATS_REASONS; r++)
				fprintf(f, "mxguard_decisions_total{action=\"%s\",reason=\"%s\",mode=\"%s\"} %lu\n",
				    dec_action_name(a), dec_reason_name(r), m ? "monitor" : "enforce",
				    s->decision[a][r][m]);
		}
	if (in->dns)
		dns(f, in->dns);
	zones(f, in);
	if (in->have_wl) {
		family(f, "mxguard_whitelist_entries", "gauge", "Entries of the whitelist loaded.");
		fprintf(f, "mxguard_whitelist_entries %u\n", in->wl_entries);
	}
	family(f, "mxguard_whitelist_reloads_total", "counter",
	    "Whitelist loads after start-up (file replaced, or configuration reloaded).");
	fprintf(f, "mxguard_whitelist_reloads_total %lu\n", s->wl_reloads);
	family(f, "mxguard_config_reloads_total", "counter", "Configuration reloads (SIGUSR1) that took effect.");
	fprintf(f, "mxguard_config_reloads_total %lu\n", s->config_reloads);
	return ferror(f) ? -1 : 0;
}

/* metrics_write - replace path with the figures, atomically; -1 and err on failure */
int
metrics_write(const char *path, const struct metrics_input *in, char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	const char *what = "write";
	FILE *f;
	int fd, n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		snprintf(err, errlen, "StatsFile %.200s...: path too long", path);
		return -1;
	}
	if ((fd = mkstemp(tmp)) < 0) {
		snprintf(err, errlen, "StatsFile %.400s: temporary file: %s", path, strerror(errno));
		return -1;
	}
	if (fchmod(fd, 0644) < 0 || (f = fdopen(fd, "w")) == NULL) {
		snprintf(err, errlen, "StatsFile %.400s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	errno = 0;
	if (metrics_format(f, in) < 0 || fflush(f) != 0 || (what = "fsync", fsync(fd)) < 0) {
		snprintf(err, errlen, "StatsFile %.400s: %s: %s", tmp, what,
		    errno ? strerror(errno) : "write error");
		fclose(f);
		unlink(tmp);
		return -1;
	}
	if (fclose(f) != 0) {
		snprintf(err, errlen, "StatsFile %.400s: close: %s", tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) < 0) {
		snprintf(err, errlen, "StatsFile %.400s: rename: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}
