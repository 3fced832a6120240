/*
 * spf_mxg.c - SPF by mxguard's own evaluator (SPFEngine mxguard): the DNS
 * callbacks of spf_eval over the shared resolver, one deadline for the
 * whole check, and the result in spf.h's form (result, domain,
 * Received-SPF value, reason).
 *
 * Exports spf_check_mxguard. Answers are parsed from the resolver's raw
 * reply with c-ares, every address counted (more than spf_eval keeps:
 * "cannot check whole", temperror, never a false fail). A
 * lookup past the deadline, a server failure or an unreadable reply is a
 * TEMPFAIL: temperror. The header's outside text (sender, HELO) is cut to
 * printable ASCII without ( ) ; " \ and bounded.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ares.h>

#include "log.h"
#include "spf.h"
#include "spf_eval.h"
#include "str.h"

#define LOOKUPS_MAX 150           /* a backstop: spf_eval's limits allow about 130 */

struct actx {
	struct dns_resolver *dns;
	struct timespec deadline;
	unsigned lookups;
};

/* add_txt - the TXT answer's records (strings joined) into out */
static int
add_txt(const struct dns_answer *ans, struct spf_rrset *out)
{
	struct ares_txt_ext *txt = NULL, *t;
	char *rec = NULL;
	size_t len = 0;
	int rc = 0, started = 0;

	if (ares_parse_txt_reply_ext(ans->raw, ans->rawlen, &txt) != ARES_SUCCESS)
		return -1;
	if ((rec = malloc((size_t)ans->rawlen + 1)) == NULL) {   /* a record fits its reply */
		ares_free_data(txt);
		return -1;
	}
	for (t = txt; rc == 0; t = t->next) {
		if (started && (t == NULL || t->record_start)) {
			rc = spf_rrset_add_text(out, rec, len);
			len = 0;
		}
		if (t == NULL)
			break;
		started = 1;
		if (len + t->length > (size_t)ans->rawlen)
			rc = -1;
		else {
			memcpy(rec + len, t->txt, t->length);
			len += t->length;
		}
	}
	free(rec);
	ares_free_data(txt);
	return rc;
}

/* fill - an OK answer of TYPE into out; -1 when it cannot be read */
static int
fill(enum spf_rr type, const struct dns_answer *ans, struct spf_rrset *out)
{
	int i, rc = 0;

	switch (type) {
	case SPF_RR_A: {
		struct hostent *he = NULL;

		/* every address of the answer is counted, SPF_RRSET_MAX kept
		 * (DNS_T_A_ALL: the resolver keeps the reply, not its 16) */
		if ((rc = ares_parse_a_reply(ans->raw, ans->rawlen, &he, NULL, NULL)) != ARES_SUCCESS)
			return rc == ARES_ENODATA ? 0 : -1;
		for (i = 0; he->h_addr_list[i]; i++) {
			struct addr a;

			memset(&a, 0, sizeof(a));
			a.family = AF_INET;
			memcpy(a.b, he->h_addr_list[i], 4);
			spf_rrset_add_addr(out, &a);
		}
		ares_free_hostent(he);
		return 0;
	}
	case SPF_RR_AAAA: {
		struct hostent *he = NULL;

		/* the hostent holds every address of the answer: each is
		 * counted, SPF_RRSET_MAX kept, so a match past them is never
		 * taken for "no match" (spf_eval: temperror, not a false fail) */
		if ((rc = ares_parse_aaaa_reply(ans->raw, ans->rawlen, &he, NULL, NULL)) != ARES_SUCCESS)
			return rc == ARES_ENODATA ? 0 : -1;
		for (i = 0; he->h_addr_list[i]; i++) {
			struct addr a;

			memset(&a, 0, sizeof(a));
			a.family = AF_INET6;
			memcpy(a.b, he->h_addr_list[i], 16);
			spf_rrset_add_addr(out, &a);
		}
		ares_free_hostent(he);
		return 0;
	}
	case SPF_RR_TXT:
		return add_txt(ans, out);
	case SPF_RR_MX: {
		struct ares_mx_reply *mx = NULL, *m;

		if ((rc = ares_parse_mx_reply(ans->raw, ans->rawlen, &mx)) != ARES_SUCCESS)
			return rc == ARES_ENODATA ? 0 : -1;
		rc = 0;
		for (m = mx; m && rc == 0; m = m->next)
			rc = spf_rrset_add_text(out, m->host, strlen(m->host));
		ares_free_data(mx);
		return rc;
	}
	case SPF_RR_PTR: {
		struct hostent *he = NULL;

		if ((rc = ares_parse_ptr_reply(ans->raw, ans->rawlen, NULL, 0, AF_INET, &he)) != ARES_SUCCESS)
			return rc == ARES_ENODATA ? 0 : -1;
		rc = 0;
		for (i = 0; he->h_aliases[i] && rc == 0; i++)
			rc = spf_rrset_add_text(out, he->h_aliases[i], strlen(he->h_aliases[i]));
		if (rc == 0 && out->total == 0 && he->h_name)
			rc = spf_rrset_add_text(out, he->h_name, strlen(he->h_name));
		ares_free_hostent(he);
		return rc;
	}
	}
	return -1;
}

/* lookup - spf_eval's DNS: the resolver, its cache, the check's deadline */
static enum spf_dns_rc
lookup(void *arg, const char *name, enum spf_rr type, struct spf_rrset *out)
{
	static const int types[] = { ns_t_txt, DNS_T_A_ALL, ns_t_aaaa, ns_t_mx, ns_t_ptr };
	struct actx *c = arg;
	struct dns_query *q;
	struct dns_answer ans;
	enum spf_dns_rc rc;

	if (++c->lookups > LOOKUPS_MAX)
		return SPF_DNS_TEMPFAIL;
	q = dns_lookup(c->dns, name, types[type]);
	dns_wait(q, &c->deadline, &ans);
	if (log_enabled(LOG_DEBUG)) {
		char qn[300];

		log_quote(qn, sizeof(qn), name);
		log_msg(LOG_DEBUG, "spf lookup %s type %d: %s", qn, types[type], dns_status_name(ans.status));
	}
	switch (ans.status) {
	case DNS_OK:
		rc = fill(type, &ans, out) < 0 ? SPF_DNS_TEMPFAIL : out->total ? SPF_DNS_OK : SPF_DNS_NODATA;
		break;
	case DNS_NXDOMAIN:
		rc = SPF_DNS_NXDOMAIN;           /* the resolver says NXDOMAIN for NODATA too */
		break;
	default:
		rc = SPF_DNS_TEMPFAIL;
	}
	dns_release(q);
	return rc;
}

/* hsafe - outside text for a header field value: printable, no ( ) ; " \ */
static void
hsafe(char *dst, size_t size, const char *src, size_t max)
{
	size_t i, o = 0;

	for (i = 0; i < max && src[i] && o + 1 < size; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[o++] = c > 0x20 && c < 0x7f && !strchr("();\"\\", c) ? (char)c : '?';
	}
	dst[o] = 0;
}

/* spf_check_mxguard - spf_check by spf_eval: never fails, never past the deadline */
void
spf_check_mxguard(const struct spf_query *qr, struct spf_result *res)
{
	static const enum spf_res map[] = { SPF_R_NONE, SPF_R_NEUTRAL, SPF_R_PASS, SPF_R_FAIL,
		SPF_R_SOFTFAIL, SPF_R_TEMPERROR, SPF_R_PERMERROR };
	struct spf_dns dns;
	struct spf_request rq;
	struct spf_outcome *out = calloc(1, sizeof(*out));
	struct actx c;
	const char *from = qr->from, *pre = "", *verb, *tail = "";
	char sender[MXG_ADDR_MAX], ip[INET6_ADDRSTRLEN], hs[MXG_ADDR_MAX], hh[MXG_NAME_MAX];
	char cm[MXG_ADDR_MAX + 200];

	memset(res, 0, sizeof(*res));
	res->res = SPF_R_TEMPERROR;
	str_copy(sender, sizeof(sender), from);     /* spf_check took the brackets off */
	if (out == NULL) {
		snprintf(res->why, sizeof(res->why), "out of memory");
		return;
	}
	memset(&c, 0, sizeof(c));
	c.dns = qr->dns;
	dns_deadline(&c.deadline, qr->timeout_ms);
	dns.lookup = lookup;
	dns.arg = &c;
	memset(&rq, 0, sizeof(rq));
	rq.ip = *qr->client;
	rq.sender = strchr(sender, '@') ? sender : "";
	rq.helo = qr->helo;
	rq.receiver = qr->receiver;
	rq.now = (long long)time(NULL);
	rq.want_exp = log_enabled(LOG_DEBUG);
	spf_eval(&dns, &rq, out);
	res->res = map[out->res];
	snprintf(res->domain, sizeof(res->domain), "%s", out->domain);
	snprintf(res->why, sizeof(res->why), "%s", out->why);
	snprintf(res->term, sizeof(res->term), "%s", out->term);
	if (log_enabled(LOG_DEBUG)) {
		char t[200], x[300];

		log_quote(t, sizeof(t), out->term);
		log_quote(x, sizeof(x), out->exp);
		log_msg(LOG_DEBUG, "spf %s: %s by term %s after %u DNS terms, %u void, %u lookups; exp %s",
		    res->domain, spf_eval_res_name(out->res), t, out->dns_terms, out->voids, out->lookups, x);
	}
	addr_str(&rq.ip, ip, sizeof(ip));
	hsafe(hh, sizeof(hh), qr->helo, 100);
	if (rq.sender[0])
		hsafe(hs, sizeof(hs), sender, 300);
	else
		snprintf(hs, sizeof(hs), "postmaster@%s", hh);
	switch (out->res) {
	case SPF_EV_PASS: pre = ""; verb = "designates"; tail = " as permitted sender"; break;
	case SPF_EV_FAIL: pre = ""; verb = "does not designate"; tail = " as permitted sender"; break;
	case SPF_EV_SOFTFAIL: pre = "transitioning "; verb = "does not designate"; tail = " as permitted sender"; break;
	case SPF_EV_NEUTRAL: pre = ""; verb = "neither permits nor denies"; tail = ""; break;
	case SPF_EV_NONE: pre = ""; verb = "publishes no SPF record for"; tail = ""; break;
	default: verb = NULL;
	}
	if (verb) {
		snprintf(cm, sizeof(cm), "%sdomain of %.250s %s %s%s", pre, hs, verb, ip, tail);
		snprintf(res->header, sizeof(res->header), "%s (%.100s: %.400s) client-ip=%s; envelope-from=%.250s; helo=%.100s;",
		    spf_res_name(res->res), qr->receiver, cm, ip, hs, hh);
	} else
		spf_error_header(res, qr->receiver, res->why[0] ? res->why
		    : out->res == SPF_EV_TEMPERROR ? "DNS lookups failed" : "invalid SPF record", ip, qr->helo);
	free(out);
}
