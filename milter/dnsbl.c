/*
 * dnsbl.c - DNS blocklists.
 *
 * Pure parts: dnsbl_parse (postscreen's zone[=filter][*weight] syntax;
 * filter octets are a number, [a..b] or [a;b;c..d]; one zone listed with
 * several filters is queried once), dnsbl_qname (reversed IPv4 octets,
 * IPv6 nibbles), dnsbl_classify (an answer outside 127.0.0.0/8 or inside
 * 127.255.255.0/24 is the list telling us it is not answering, e.g.
 * Spamhaus refusing a public resolver: the zone failed, it does not count)
 * and dnsbl_score. A client is "listed" only when the summed weight reaches
 * the threshold even if every failed allowlist zone (negative weight) had
 * matched: a DNS failure never makes a reject.
 *
 * dnsbl_start sends one lookup per zone through the resolver and returns
 * at once; dnsbl_collect waits for the answers until the deadline fixed at
 * start, treats late ones as timeouts, and warns about bad answers at most
 * once a minute per zone (dnsbl_warn_bad; the time of the last warning
 * lives in the zone's stats row). Both count into the zone's row of stats.c:
 * lookups at start (queries and latency are counted by the resolver),
 * hits and errors when the verdict is collected.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "dnsbl.h"
#include "log.h"
#include "names.h"
#include "stats.h"
#include "textfile.h"

#define DNSBL_MAX_SITES 64

struct dnsbl_job {
	const struct dnsbl_conf *c;
	struct timespec deadline;
	unsigned n;
	struct dns_query *q[DNSBL_MAX_ZONES];
};

/* octet_set - "n", "[a..b]" or "[a;b;c..d]" into a 256-bit map; end or NULL */
static const char *
octet_set(const char *p, unsigned char *map)
{
	char *end;
	long a, b;
	int bracket = *p == '[';

	memset(map, 0, 32);
	if (bracket)
		p++;
	do {
		if (*p < '0' || *p > '9')
			return NULL;
		a = b = strtol(p, &end, 10);
		p = end;
		if (bracket && p[0] == '.' && p[1] == '.') {
			if (p[2] < '0' || p[2] > '9')
				return NULL;
			b = strtol(p + 2, &end, 10);
			p = end;
		}
		if (a < 0 || b > 255 || a > b)
			return NULL;
		for (; a <= b; a++)
			map[a / 8] |= (unsigned char)(1 << (a % 8));
	} while (bracket && *p == ';' && *++p);
	if (bracket && *p++ != ']')
		return NULL;
	return p;
}

/* parse_site - one "zone[=filter][*weight]" */
static const char *
parse_site(char *tok, struct dnsbl_site *s, char *zone)
{
	char *star = strrchr(tok, '*'), *eq, *end;
	const char *p;
	long w = 1;
	int i;

	memset(s, 0, sizeof(*s));
	snprintf(s->text, sizeof(s->text), "%s", tok);
	if (star) {
		*star = 0;
		w = strtol(star + 1, &end, 10);
		if (end == star + 1 || *end != 0 || w < -1000 || w > 1000 || w == 0)
			return "bad weight (expected *N, N a non-zero number from -1000 to 1000)";
	}
	s->weight = (int)w;
	if ((eq = strchr(tok, '=')) != NULL) {
		*eq = 0;
		s->has_filter = 1;
		for (p = eq + 1, i = 0; i < 4; i++) {
			if ((p = octet_set(p, s->filter[i])) == NULL || (i < 3 && *p++ != '.'))
				return "bad filter (expected e.g. 127.0.0.2 or 127.0.0.[2..11] or 127.0.[0..255].[1;3])";
		}
		if (*p != 0)
			return "bad filter (text after the fourth octet)";
	}
	if (name_canon(tok, zone, DNSBL_ZONE_MAX) < 0 || strchr(zone, '.') == NULL)
		return "bad zone name";
	return NULL;
}

/* dnsbl_parse - the DNSBL key; NULL-safe free on error is the caller's */
int
dnsbl_parse(const char *list, struct dnsbl_conf *c, char *why, size_t wsize)
{
	char *copy = strdup(list), *cur, *tok, zone[DNSBL_ZONE_MAX];
	struct dnsbl_site s;
	const char *bad;
	unsigned z;

	dnsbl_conf_free(c);
	if (copy == NULL || (c->sites = calloc(DNSBL_MAX_SITES, sizeof(*c->sites))) == NULL
	    || (c->zones = calloc(DNSBL_MAX_ZONES, sizeof(*c->zones))) == NULL) {
		free(copy);
		snprintf(why, wsize, "out of memory");
		return -1;
	}
	cur = copy;
	while ((tok = tf_item(&cur)) != NULL) {
		if ((bad = parse_site(tok, &s, zone)) != NULL) {
			snprintf(why, wsize, "\"%.80s\": %s", s.text, bad);
			free(copy);
			return -1;
		}
		if (c->nsites == DNSBL_MAX_SITES) {
			snprintf(why, wsize, "more than %d entries", DNSBL_MAX_SITES);
			free(copy);
			return -1;
		}
		for (z = 0; z < c->nzones && strcmp(c->zones[z], zone) != 0; z++)
			;
		if (z == c->nzones) {
			if (c->nzones == DNSBL_MAX_ZONES) {
				snprintf(why, wsize, "more than %d zones", DNSBL_MAX_ZONES);
				free(copy);
				return -1;
			}
			snprintf(c->zones[c->nzones++], DNSBL_ZONE_MAX, "%s", zone);
		}
		s.zone = z;
		c->sites[c->nsites++] = s;
	}
	free(copy);
	return 0;
}

/* dnsbl_meters - each zone's stats row, once per configuration (not per
 * connection); zones without one (the table is full) are not counted */
void
dnsbl_meters(struct dnsbl_conf *c)
{
	unsigned i;

	for (i = 0; i < c->nzones; i++)
		c->meter[i] = stats_zone(c->zones[i]);
}

void
dnsbl_conf_free(struct dnsbl_conf *c)
{
	free(c->sites);
	free(c->zones);
	memset(c, 0, sizeof(*c));
}

/* dnsbl_qname - 5.113.0.203.zone or the 32 reversed nibbles of IPv6 */
int
dnsbl_qname(const struct addr *a, const char *zone, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	int i, r;

	if (a->family == AF_INET) {
		r = snprintf(out, size, "%u.%u.%u.%u.%s", a->b[3], a->b[2], a->b[1], a->b[0], zone);
		return r > 0 && (size_t)r < size && r <= 253 ? 0 : -1;
	}
	if (size < 65)
		return -1;
	for (i = 15; i >= 0; i--) {
		out[n++] = hex[a->b[i] & 15];
		out[n++] = '.';
		out[n++] = hex[a->b[i] >> 4];
		out[n++] = '.';
	}
	r = snprintf(out + n, size - n, "%s", zone);
	return r > 0 && (size_t)r < size - n && n + (size_t)r <= 253 ? 0 : -1;
}

/* dnsbl_classify - what one zone's answer means */
void
dnsbl_classify(const struct dns_answer *ans, struct dnsbl_zone_result *z)
{
	int i;

	z->ans = *ans;
	z->why = NULL;
	switch (ans->status) {
	case DNS_OK:
		for (i = 0; i < ans->n; i++) {
			const unsigned char *b = (const unsigned char *)&ans->a[i];

			if (b[0] != 127 || (b[1] == 255 && b[2] == 255)) {
				z->state = DZ_FAILED;
				z->why = "bad-answer";
				return;
			}
		}
		z->state = DZ_LISTED;
		return;
	case DNS_NXDOMAIN:
		z->state = DZ_NOTLISTED;
		return;
	case DNS_TIMEOUT:
	case DNS_PENDING:
		z->why = "timeout";
		break;
	case DNS_SERVFAIL:
		z->why = "servfail";
		break;
	case DNS_ERROR:
		z->why = "error";
		break;
	}
	z->state = DZ_FAILED;
}

/* dnsbl_stats_result - how a zone's result is counted in its stats row */
enum stats_result
dnsbl_stats_result(const struct dnsbl_zone_result *z)
{
	if (z->state == DZ_LISTED)
		return SR_LISTED;
	if (z->state == DZ_NOTLISTED)
		return SR_NOTLISTED;
	switch (z->ans.status) {
	case DNS_OK:
		return SR_BAD;
	case DNS_SERVFAIL:
		return SR_SERVFAIL;
	case DNS_TIMEOUT:
	case DNS_PENDING:
		return SR_TIMEOUT;
	default:
		return SR_ERROR;
	}
}

/* site_matches - any answer passes the site's filter */
static int
site_matches(const struct dnsbl_site *s, const struct dns_answer *ans)
{
	int i, o;

	if (!s->has_filter)
		return 1;
	for (i = 0; i < ans->n; i++) {
		const unsigned char *b = (const unsigned char *)&ans->a[i];

		for (o = 0; o < 4 && (s->filter[o][b[o] / 8] & (1 << (b[o] % 8))); o++)
			;
		if (o == 4)
			return 1;
	}
	return 0;
}

/* has_item - list (comma separated) holds item as one whole element */
static int
has_item(const char *list, const char *item)
{
	size_t n = strlen(item), len;
	const char *p, *end;

	for (p = list; *p; p = end + 1) {
		end = strchr(p, ',');
		len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && memcmp(p, item, n) == 0)
			return 1;
		if (end == NULL)
			break;
	}
	return 0;
}

/* append - "item" to a comma separated, bounded list, unless already an element */
static void
append(struct str *list, const char *item)
{
	if (has_item(str_text(list), item))
		return;
	if (list->len)
		str_cat(list, ",");
	str_cat(list, item);
}

/* dnsbl_verdict_free - the verdict's texts; it is empty (not checked) after */
void
dnsbl_verdict_free(struct dnsbl_verdict *v)
{
	str_free(&v->zones);
	str_free(&v->errors);
	memset(v, 0, sizeof(*v));
	v->best_site = -1;
}

/* dnsbl_score - sum the weights of matching sites; never "listed" by an error.
 * v holds nothing before (new, or after dnsbl_verdict_free); its texts are
 * the caller's to free with dnsbl_verdict_free */
void
dnsbl_score(const struct dnsbl_conf *c, const struct dnsbl_zone_result *z,
    int threshold, struct dnsbl_verdict *v)
{
	int unknown_allow = 0, best = 0;
	unsigned i;
	char item[DNSBL_ZONE_MAX + 40], a[INET_ADDRSTRLEN];

	memset(v, 0, sizeof(*v));
	str_init(&v->zones, DNSBL_ZONES_TEXT_MAX);
	str_init(&v->errors, DNSBL_ERRORS_TEXT_MAX);
	v->checked = 1;
	v->best_site = -1;
	for (i = 0; i < c->nzones; i++)
		if (z[i].state == DZ_FAILED) {
			v->failed++;
			snprintf(item, sizeof(item), "%s:%s", c->zones[i], z[i].why);
			append(&v->errors, item);
		}
	for (i = 0; i < c->nsites; i++) {
		const struct dnsbl_site *s = &c->sites[i];
		const struct dnsbl_zone_result *r = &z[s->zone];

		if (r->state == DZ_FAILED && s->weight < 0)
			unknown_allow += s->weight;
		if (r->state != DZ_LISTED || !site_matches(s, &r->ans))
			continue;
		v->score += s->weight;
		if (s->weight > best) {
			best = s->weight;
			v->best_site = (int)i;
		}
		inet_ntop(AF_INET, &r->ans.a[0], a, sizeof(a));
		snprintf(item, sizeof(item), "%s:%s", c->zones[s->zone], a);
		append(&v->zones, item);
	}
	v->listed = v->score >= threshold && v->score + unknown_allow >= threshold;
	v->uncertain = v->score >= threshold && !v->listed;
}

/* ---- fan-out ---- */

struct dnsbl_job *
dnsbl_start(struct dns_resolver *r, const struct dnsbl_conf *c, const struct addr *a,
    unsigned min_ttl, unsigned max_ttl, unsigned timeout_ms)
{
	struct dnsbl_job *j = calloc(1, sizeof(*j));
	char name[300];
	unsigned i;

	if (j == NULL)
		return NULL;
	j->c = c;
	j->n = c->nzones;
	dns_deadline(&j->deadline, timeout_ms);
	for (i = 0; i < j->n; i++) {
		stats_zone_lookup(c->meter[i]);
		j->q[i] = dnsbl_qname(a, c->zones[i], name, sizeof(name)) == 0
		    ? dns_lookup_a(r, name, min_ttl, max_ttl, c->meter[i]) : NULL;
	}
	return j;
}

/* dnsbl_warn_bad - a zone answering outside 127/8: once a minute per zone (the
 * time of the last warning is kept in the zone's stats row); 1 if logged */
int
dnsbl_warn_bad(struct stats_zone *meter, const char *zone, const struct dns_answer *ans)
{
	char a[INET_ADDRSTRLEN];

	if (!stats_zone_warn_due(meter, time(NULL), 60))
		return 0;
	inet_ntop(AF_INET, &ans->a[0], a, sizeof(a));
	log_msg(LOG_WARNING, "dnsbl %s answered %s: not a listing (resolver refused, over "
	    "quota or misconfigured?); zone counted as failing", zone, a);
	return 1;
}

/* dnsbl_collect - wait (until the deadline of dnsbl_start) and score */
void
dnsbl_collect(struct dnsbl_job *j, int threshold, struct dnsbl_verdict *v)
{
	struct dnsbl_zone_result z[DNSBL_MAX_ZONES];
	struct dns_answer ans;
	unsigned i;

	memset(z, 0, sizeof(z));
	for (i = 0; i < j->n; i++) {
		dns_wait(j->q[i], &j->deadline, &ans);
		dnsbl_classify(&ans, &z[i]);
		if (z[i].state == DZ_FAILED && ans.status == DNS_OK)
			dnsbl_warn_bad(j->c->meter[i], j->c->zones[i], &ans);
		stats_zone_result(j->c->meter[i], dnsbl_stats_result(&z[i]));
	}
	dnsbl_score(j->c, z, threshold, v);
}

void
dnsbl_job_free(struct dnsbl_job *j)
{
	unsigned i;

	if (j == NULL)
		return;
	for (i = 0; i < j->n; i++)
		dns_release(j->q[i]);
	free(j);
}
