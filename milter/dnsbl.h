/*
 * dnsbl.h - DNS blocklists: postscreen's zone[=filter][*weight] syntax,
 * query names, scoring (pure), and the fan-out of one client's lookups.
 */
#ifndef DNSBL_H
#define DNSBL_H

#include "addr.h"
#include "resolver.h"
#include "stats.h"
#include "str.h"

#define DNSBL_ZONE_MAX 256
#define DNSBL_MAX_ZONES 32               /* distinct zones in the DNSBL key */
#define DNSBL_ZONES_TEXT_MAX 511         /* bytes of a verdict's "zone:answer,..." */
#define DNSBL_ERRORS_TEXT_MAX 255        /* bytes of a verdict's "zone:why,..." */

struct dnsbl_site {                  /* one entry of the DNSBL key */
	unsigned zone;                   /* index into zones */
	int weight;
	int has_filter;
	unsigned char filter[4][32];     /* per octet: bit map of the 256 values */
	char text[DNSBL_ZONE_MAX + 64];  /* as written, for logs */
};

struct dnsbl_conf {
	struct dnsbl_site *sites;
	unsigned nsites;
	char (*zones)[DNSBL_ZONE_MAX];   /* distinct zones: one query each */
	unsigned nzones;
	struct stats_zone *meter[DNSBL_MAX_ZONES];   /* stats rows, set by dnsbl_meters */
};

/* what one zone said about one client */
enum dnsbl_zstate { DZ_NOTLISTED, DZ_LISTED, DZ_FAILED };

struct dnsbl_zone_result {
	enum dnsbl_zstate state;
	const char *why;                 /* DZ_FAILED: timeout, servfail, bad-answer ... */
	struct dns_answer ans;
};

struct dnsbl_verdict {
	int checked;                     /* 0: no lookups were made */
	int score;
	int listed;                      /* score reached the threshold, for sure */
	int failed;                      /* zones that failed (DZ_FAILED) */
	int uncertain;                   /* listed only if a failed allowlist did not match */
	int best_site;                   /* site with the largest weight that matched, -1 */
	struct str zones;                /* "zone:answer,..." for the log, cut at DNSBL_ZONES_TEXT_MAX */
	struct str errors;               /* "zone:why,..." for the log, cut at DNSBL_ERRORS_TEXT_MAX */
};

int dnsbl_parse(const char *list, struct dnsbl_conf *c, char *why, size_t wsize);
void dnsbl_conf_free(struct dnsbl_conf *c);
void dnsbl_meters(struct dnsbl_conf *c);
int dnsbl_qname(const struct addr *a, const char *zone, char *out, size_t size);
void dnsbl_classify(const struct dns_answer *ans, struct dnsbl_zone_result *z);
enum stats_result dnsbl_stats_result(const struct dnsbl_zone_result *z);
int dnsbl_warn_bad(struct stats_zone *meter, const char *zone, const struct dns_answer *ans);
void dnsbl_score(const struct dnsbl_conf *c, const struct dnsbl_zone_result *z,
    int threshold, struct dnsbl_verdict *v);
void dnsbl_verdict_free(struct dnsbl_verdict *v);

struct dnsbl_job;
struct dnsbl_job *dnsbl_start(struct dns_resolver *r, const struct dnsbl_conf *c,
    const struct addr *a, unsigned min_ttl, unsigned max_ttl, unsigned timeout_ms);
void dnsbl_collect(struct dnsbl_job *j, int threshold, struct dnsbl_verdict *v);
void dnsbl_job_free(struct dnsbl_job *j);

#endif
