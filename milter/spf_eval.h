/*
 * spf_eval.h - check_host() of RFC 7208 (4-7) over a DNS given as
 * callbacks: the daemon plugs in the resolver, the tests a table.
 *
 * spf_eval never fails: every outcome is one of the seven results, with
 * the term that decided and, for permerror/temperror, why. The limits of
 * 4.6.4 hold across the whole evaluation (include and redirect too): 10
 * DNS-querying terms, 10 MX names per mx (more: permerror), 10 PTR names
 * per ptr (more: ignored), 2 void lookups. The DNS callback owns time:
 * one deadline for the whole check is its business (TEMPFAIL after it).
 */
#ifndef SPF_EVAL_H
#define SPF_EVAL_H

#include <stddef.h>

#include "addr.h"
#include "spf_macro.h"

enum spf_rr { SPF_RR_TXT, SPF_RR_A, SPF_RR_AAAA, SPF_RR_MX, SPF_RR_PTR };
enum spf_dns_rc { SPF_DNS_OK, SPF_DNS_NXDOMAIN, SPF_DNS_NODATA, SPF_DNS_TEMPFAIL };

#define SPF_RRSET_MAX 64           /* records kept per answer; total counts them all */

/* one answer: addresses (A, AAAA) or strings (TXT joined, MX and PTR names);
 * filled with spf_rrset_add_*, freed by the evaluator */
struct spf_rrset {
	unsigned n;                /* kept */
	unsigned total;            /* in the answer */
	struct addr addr[SPF_RRSET_MAX];
	char *text[SPF_RRSET_MAX]; /* NUL-terminated copies (a TXT may hold NULs: see len) */
	size_t len[SPF_RRSET_MAX];
};

struct spf_dns {
	enum spf_dns_rc (*lookup)(void *arg, const char *name, enum spf_rr type,
	    struct spf_rrset *out);
	void *arg;
};

enum spf_eval_res { SPF_EV_NONE, SPF_EV_NEUTRAL, SPF_EV_PASS, SPF_EV_FAIL,
	SPF_EV_SOFTFAIL, SPF_EV_TEMPERROR, SPF_EV_PERMERROR };

struct spf_request {
	struct addr ip;            /* the client; v4-mapped IPv6 is taken as IPv4 */
	const char *sender;        /* MAIL FROM (local@domain), or "" : postmaster@helo */
	const char *helo;
	const char *receiver;      /* r macro; NULL: "unknown" */
	long long now;             /* t macro */
	int want_exp;              /* expand exp= on fail */
};

struct spf_outcome {
	enum spf_eval_res res;
	char domain[SPF_DOMAIN_MAX + 1];   /* the checked identity's domain */
	char term[80];             /* the top-level term that decided, "" : default */
	char why[160];             /* permerror / temperror: the reason */
	char exp[SPF_EXPAND_MAX];  /* explanation for fail, "" when none */
	unsigned dns_terms, voids, lookups;
};

int spf_rrset_add_text(struct spf_rrset *s, const char *p, size_t len);
int spf_rrset_add_addr(struct spf_rrset *s, const struct addr *a);
void spf_rrset_free(struct spf_rrset *s);
void spf_eval(const struct spf_dns *dns, const struct spf_request *rq, struct spf_outcome *out);
const char *spf_eval_res_name(enum spf_eval_res r);

#endif
