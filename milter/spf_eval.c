/*
 * spf_eval.c - check_host() of RFC 7208: record lookup and selection
 * (4.4, 4.5), evaluation in order (4.6, 5), redirect= and exp= (6), macro
 * expansion through spf_macro.c (7), the processing limits of 4.6.4
 * counted over the whole evaluation.
 *
 * Exports spf_eval, spf_eval_res_name and the spf_rrset
 * helpers the DNS callbacks fill answers with. The evaluator allocates
 * one parsed record per nesting level (at most 11: each include or
 * redirect is one of the 10 DNS terms) and the answers' copies, all
 * freed before it returns; every failure becomes a result.
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "names.h"
#include "spf_eval.h"
#include "spf_record.h"

#define DNS_TERMS_MAX 10           /* 4.6.4 */
#define MX_NAMES_MAX  10
#define PTR_NAMES_MAX 10
#define VOIDS_MAX     2

enum { NOMATCH = 0, MATCH = 1, ERR_TEMP = -1, ERR_PERM = -2 };

struct ev {
	const struct spf_dns *dns;
	const struct spf_request *rq;
	struct spf_outcome *out;
	struct spf_macro_ctx m;
	char local[SPF_EXPAND_MAX / 2], odomain[SPF_DOMAIN_MAX + 1];
	int ptr_done, nvalid;
	char valid[PTR_NAMES_MAX][SPF_DOMAIN_MAX + 1];  /* validated names of the client */
	int err;                   /* sticky: ERR_PERM from a lookup inside a macro */
};

/* spf_eval_res_name - the RFC 7208 result word */
const char *
spf_eval_res_name(enum spf_eval_res r)
{
	static const char *const n[] = {
		"none", "neutral", "pass", "fail", "softfail", "temperror", "permerror"
	};
	return (unsigned)r < sizeof(n) / sizeof(n[0]) ? n[r] : "?";
}

/* spf_rrset_add_text - keep a copy of one string (may hold NULs) */
int
spf_rrset_add_text(struct spf_rrset *s, const char *p, size_t len)
{
	s->total++;
	if (s->n >= SPF_RRSET_MAX)
		return 0;
	if ((s->text[s->n] = malloc(len + 1)) == NULL)
		return -1;
	memcpy(s->text[s->n], p, len);
	s->text[s->n][len] = 0;
	s->len[s->n++] = len;
	return 0;
}

/* spf_rrset_add_addr - keep one address */
int
spf_rrset_add_addr(struct spf_rrset *s, const struct addr *a)
{
	s->total++;
	if (s->n < SPF_RRSET_MAX)
		s->addr[s->n++] = *a;
	return 0;
}

/* spf_rrset_free - release the copies */
void
spf_rrset_free(struct spf_rrset *s)
{
	unsigned i;

	for (i = 0; i < s->n && i < SPF_RRSET_MAX; i++)
		free(s->text[i]);
	memset(s, 0, sizeof(*s));
}

/* fail - set the reason (first one wins) and return CODE */
static int
fail(struct ev *e, int code, const char *what, const char *arg)
{
	if (e->out->why[0] == 0)
		snprintf(e->out->why, sizeof(e->out->why), "%.100s%s%.50s", what, arg ? ": " : "",
		    arg ? arg : "");
	return code;
}

/* q - one lookup: MATCH (data), NOMATCH (void), ERR_TEMP, ERR_PERM (void limit) */
static int
q(struct ev *e, const char *name, enum spf_rr t, struct spf_rrset *rs, int voids)
{
	enum spf_dns_rc rc = SPF_DNS_NXDOMAIN;

	memset(rs, 0, sizeof(*rs));
	if (name_dns_ok(name)) {
		e->out->lookups++;
		rc = e->dns->lookup(e->dns->arg, name, t, rs);
	}
	if (rc == SPF_DNS_TEMPFAIL) {
		spf_rrset_free(rs);
		return fail(e, ERR_TEMP, "DNS lookup failed", name);
	}
	if (rc == SPF_DNS_OK && rs->total > 0)
		return MATCH;
	spf_rrset_free(rs);
	if (voids && ++e->out->voids > VOIDS_MAX)
		return e->err = fail(e, ERR_PERM, "more than 2 void lookups", NULL);
	return NOMATCH;
}

/* in_net - is the client inside net/len? */
static int
in_net(const struct addr *ip, const struct addr *net, int len)
{
	int i;

	if (ip->family != net->family)
		return 0;
	for (i = 0; i < len / 8; i++)
		if (ip->b[i] != net->b[i])
			return 0;
	return len % 8 == 0 || ((ip->b[i] ^ net->b[i]) & (0xff00 >> (len % 8)) & 0xff) == 0;
}

/* addr_match - does an A/AAAA lookup of name hold the client (cidr)? */
static int
addr_match(struct ev *e, const char *name, int cidr, int voids)
{
	struct spf_rrset rs;
	int rc = q(e, name, e->rq->ip.family == AF_INET ? SPF_RR_A : SPF_RR_AAAA, &rs, voids);
	unsigned i;

	if (rc != MATCH)
		return rc;
	rc = NOMATCH;
	for (i = 0; i < rs.n && rc == NOMATCH; i++)
		if (in_net(&e->rq->ip, &rs.addr[i], cidr))
			rc = MATCH;
	if (rc == NOMATCH && rs.total > rs.n)     /* not all kept: never a false fail */
		rc = fail(e, ERR_TEMP, "address answer larger than kept", name);
	spf_rrset_free(&rs);
	return rc;
}

/* validate_ptrs - the client's validated names (5.5), once per evaluation */
static void
validate_ptrs(struct ev *e)
{
	struct spf_rrset rs;
	char rev[80];
	const unsigned char *b = e->rq->ip.b;
	unsigned i;
	size_t o = 0;

	if (e->ptr_done)
		return;
	e->ptr_done = 1;
	if (e->rq->ip.family == AF_INET)
		snprintf(rev, sizeof(rev), "%u.%u.%u.%u.in-addr.arpa", b[3], b[2], b[1], b[0]);
	else {
		for (i = 16; i-- > 0;)
			o += (size_t)snprintf(rev + o, sizeof(rev) - o, "%x.%x.", b[i] & 15, b[i] >> 4);
		snprintf(rev + o, sizeof(rev) - o, "ip6.arpa");
	}
	if (q(e, rev, SPF_RR_PTR, &rs, 1) != MATCH)
		return;                           /* a DNS error: no match (5.5) */
	for (i = 0; i < rs.n && i < PTR_NAMES_MAX; i++) {
		struct spf_rrset a;
		unsigned k;
		int rc;

		if (!name_dns_ok(rs.text[i]))
			continue;
		rc = q(e, rs.text[i], e->rq->ip.family == AF_INET ? SPF_RR_A : SPF_RR_AAAA, &a, 0);
		if (rc != MATCH)
			continue;                     /* a failed lookup skips the name */
		for (k = 0; k < a.n; k++)
			if (in_net(&e->rq->ip, &a.addr[k], e->rq->ip.family == AF_INET ? 32 : 128)) {
				size_t l = strlen(rs.text[i]);

				if (l > 0 && rs.text[i][l - 1] == '.')
					l--;
				snprintf(e->valid[e->nvalid++], sizeof(e->valid[0]), "%.*s", (int)l, rs.text[i]);
				break;
			}
		spf_rrset_free(&a);
	}
	spf_rrset_free(&rs);
}

/* ptr_name - the p macro (7.3): a validated name, preferring d's own */
static const char *
ptr_name(void *arg)
{
	struct ev *e = arg;
	int i;

	validate_ptrs(e);
	for (i = 0; i < e->nvalid; i++)
		if (strcasecmp(e->valid[i], e->m.domain) == 0)
			return e->valid[i];
	for (i = 0; i < e->nvalid; i++)
		if (name_under(e->valid[i], e->m.domain))
			return e->valid[i];
	return e->nvalid > 0 ? e->valid[0] : "unknown";
}

/* target - the term's domain-spec expanded (or the current domain) into t */
static int
target(struct ev *e, const char *spec, char *t, size_t ts)
{
	if (spec == NULL) {
		snprintf(t, ts, "%s", e->m.domain);
		return 0;
	}
	const char *why = spf_macro_expand(spec, strlen(spec), 0, &e->m, t, ts);

	if (why == spf_macro_too_long)        /* a work bound, not a name: permerror */
		return e->err = fail(e, ERR_PERM, why, NULL);
	if (why != NULL)
		t[0] = 0;                     /* a name that cannot exist: a void lookup */
	return e->err;
}

static enum spf_eval_res check_host(struct ev *e, const char *domain, int depth, int incl);

/* match - one mechanism: MATCH, NOMATCH or an error */
static int
match(struct ev *e, const struct spf_term *t, int depth)
{
	char d[SPF_DOMAIN_MAX + 1];
	struct spf_rrset rs;
	int rc, v4 = e->rq->ip.family == AF_INET;
	unsigned i;

	if (t->mech == SPF_MECH_ALL)
		return MATCH;
	if (t->mech == SPF_MECH_IP4 || t->mech == SPF_MECH_IP6)
		return in_net(&e->rq->ip, &t->net, t->mech == SPF_MECH_IP4 ? t->cidr4 : t->cidr6);
	if (++e->out->dns_terms > DNS_TERMS_MAX)
		return fail(e, ERR_PERM, "more than 10 DNS-querying terms", t->text);
	if ((rc = target(e, t->domain, d, sizeof(d))) != 0)
		return rc;
	switch (t->mech) {
	case SPF_MECH_INCLUDE:
		switch (check_host(e, d, depth + 1, 1)) {
		case SPF_EV_PASS: return MATCH;
		case SPF_EV_TEMPERROR: return ERR_TEMP;
		case SPF_EV_NONE: return fail(e, ERR_PERM, "include of a domain without SPF record", d);
		case SPF_EV_PERMERROR: return ERR_PERM;
		default: return NOMATCH;
		}
	case SPF_MECH_A:
		return addr_match(e, d, v4 ? t->cidr4 : t->cidr6, 1);
	case SPF_MECH_EXISTS:
		if ((rc = q(e, d, SPF_RR_A, &rs, 1)) == MATCH)
			spf_rrset_free(&rs);
		return rc;
	case SPF_MECH_MX:
		if ((rc = q(e, d, SPF_RR_MX, &rs, 1)) != MATCH)
			return rc;
		if (rs.total > MX_NAMES_MAX) {
			spf_rrset_free(&rs);
			return fail(e, ERR_PERM, "more than 10 MX names", d);
		}
		rc = NOMATCH;
		for (i = 0; i < rs.n && rc == NOMATCH; i++)
			rc = addr_match(e, rs.text[i], v4 ? t->cidr4 : t->cidr6, 1);
		spf_rrset_free(&rs);
		return rc;
	case SPF_MECH_PTR:
		validate_ptrs(e);
		if (e->err)
			return e->err;
		for (i = 0; i < (unsigned)e->nvalid; i++)
			if (name_under(e->valid[i], d))
				return MATCH;
		return NOMATCH;
	default:
		return NOMATCH;
	}
}

/* explain - exp= text for a fail (6.2): never counted, never changes the result */
static void
explain(struct ev *e, const struct spf_record *r)
{
	char d[SPF_DOMAIN_MAX + 1];
	struct spf_rrset rs;
	enum spf_dns_rc rc;

	if (!e->rq->want_exp || r->exp == NULL
	    || spf_macro_expand(r->exp, strlen(r->exp), 0, &e->m, d, sizeof(d)) != NULL
	    || !name_dns_ok(d))
		return;
	memset(&rs, 0, sizeof(rs));
	rc = e->dns->lookup(e->dns->arg, d, SPF_RR_TXT, &rs);
	if (rc == SPF_DNS_OK && rs.total == 1 && rs.n == 1)
		if (spf_macro_expand(rs.text[0], rs.len[0], SPF_MS_EXP, &e->m, e->out->exp,
		    sizeof(e->out->exp)) != NULL)
			e->out->exp[0] = 0;
	spf_rrset_free(&rs);
}

/* qual - the result of a matched qualifier */
static enum spf_eval_res
qual(char c)
{
	return c == '-' ? SPF_EV_FAIL : c == '~' ? SPF_EV_SOFTFAIL : c == '?' ? SPF_EV_NEUTRAL : SPF_EV_PASS;
}

/* evaluate - a parsed record of domain (4.6, 6.1) */
static enum spf_eval_res
evaluate(struct ev *e, const struct spf_record *r, int depth, int incl)
{
	char d[SPF_DOMAIN_MAX + 1];
	enum spf_eval_res res;
	size_t i;
	int rc;

	for (i = 0; i < r->nterms; i++) {
		rc = match(e, &r->term[i], depth);
		if (rc == ERR_TEMP)
			return SPF_EV_TEMPERROR;
		if (rc == ERR_PERM)
			return SPF_EV_PERMERROR;
		if (rc == MATCH) {
			res = qual(r->term[i].qual);
			if (!incl) {
				snprintf(e->out->term, sizeof(e->out->term), "%s", r->term[i].text);
				if (res == SPF_EV_FAIL)
					explain(e, r);
			}
			return res;
		}
	}
	if (r->redirect == NULL)
		return SPF_EV_NEUTRAL;
	if (++e->out->dns_terms > DNS_TERMS_MAX)
		return fail(e, SPF_EV_PERMERROR, "more than 10 DNS-querying terms", "redirect=");
	if (target(e, r->redirect, d, sizeof(d)) != 0)
		return SPF_EV_PERMERROR;
	res = check_host(e, d, depth + 1, incl);
	if (res == SPF_EV_NONE)
		return fail(e, SPF_EV_PERMERROR, "redirect to a domain without SPF record", d);
	return res;
}

/* check_host - fetch, select, parse and evaluate the record of domain */
static enum spf_eval_res
check_host(struct ev *e, const char *domain, int depth, int incl)
{
	struct spf_rrset rs;
	struct spf_record r;
	const char *saved = e->m.domain, *bad;
	enum spf_eval_res res;
	unsigned i, found = 0, at = 0;

	if (!name_dns_ok(domain))
		return SPF_EV_NONE;
	switch (q(e, domain, SPF_RR_TXT, &rs, depth > 0)) {
	case ERR_TEMP: return SPF_EV_TEMPERROR;
	case ERR_PERM: return SPF_EV_PERMERROR;
	case NOMATCH: return SPF_EV_NONE;
	default: break;
	}
	if (rs.total > rs.n) {
		spf_rrset_free(&rs);
		return fail(e, SPF_EV_TEMPERROR, "TXT answer with too many records", domain);
	}
	for (i = 0; i < rs.n; i++)
		if (spf_record_is_spf1(rs.text[i], rs.len[i])) {
			found++;
			at = i;
		}
	if (found != 1) {
		spf_rrset_free(&rs);
		return found == 0 ? SPF_EV_NONE
		    : fail(e, SPF_EV_PERMERROR, "more than one v=spf1 record", domain);
	}
	bad = spf_record_parse(rs.text[at], rs.len[at], &r);
	spf_rrset_free(&rs);
	if (bad) {
		char why[sizeof(e->out->why)];

		snprintf(why, sizeof(why), "%.60s: %.90s", domain, bad);
		return fail(e, SPF_EV_PERMERROR, why, NULL);
	}
	e->m.domain = domain;
	res = evaluate(e, &r, depth, incl);
	e->m.domain = saved;
	spf_record_free(&r);
	return res;
}

/* spf_eval - check_host() for the request's identity (the sender's
 * domain, or the HELO name for the null sender) */
void
spf_eval(const struct spf_dns *dns, const struct spf_request *rq, struct spf_outcome *out)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	struct spf_request r = *rq;
	const char *at = strrchr(rq->sender ? rq->sender : "", '@');
	struct ev *e = calloc(1, sizeof(*e));
	size_t len;

	memset(out, 0, sizeof(*out));
	if (e == NULL) {
		out->res = SPF_EV_TEMPERROR;
		snprintf(out->why, sizeof(out->why), "out of memory");
		return;
	}
	if (r.ip.family == AF_INET6 && memcmp(r.ip.b, mapped, 12) == 0) {
		r.ip.family = AF_INET;
		memmove(r.ip.b, r.ip.b + 12, 4);
		memset(r.ip.b + 4, 0, 12);
	}
	e->dns = dns;
	e->rq = &r;
	e->out = out;
	if (rq->sender && rq->sender[0] && at == NULL)
		snprintf(e->odomain, sizeof(e->odomain), "%s", rq->sender);
	else if (at)
		snprintf(e->odomain, sizeof(e->odomain), "%s", at + 1);
	else
		snprintf(e->odomain, sizeof(e->odomain), "%s", rq->helo ? rq->helo : "");
	if (at && at > rq->sender)
		snprintf(e->local, sizeof(e->local), "%.*s", (int)(at - rq->sender), rq->sender);
	else
		snprintf(e->local, sizeof(e->local), "postmaster");
	len = strlen(e->odomain);
	if (len > 0 && e->odomain[len - 1] == '.')
		e->odomain[len - 1] = 0;
	snprintf(out->domain, sizeof(out->domain), "%s", e->odomain);
	e->m = (struct spf_macro_ctx){ e->local, e->odomain, e->odomain, &e->rq->ip,
		rq->helo ? rq->helo : "", rq->receiver, rq->now, ptr_name, e };
	/* 4.3: a name that is not a multi-label domain name: none */
	if (!name_dns_ok(e->odomain) || strchr(e->odomain, '.') == NULL)
		out->res = SPF_EV_NONE;
	else
		out->res = check_host(e, e->odomain, 0, 0);
	if (out->res != SPF_EV_PERMERROR && out->res != SPF_EV_TEMPERROR)
		out->why[0] = 0;
	free(e);
}
