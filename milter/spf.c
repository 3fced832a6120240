/*
 * spf.c - SPF (RFC 7208) for the envelope sender, or the HELO name for the
 * null sender: spf_check hands it to mxguard's own evaluator (spf_mxg.c,
 * SPFEngine mxguard, the default) or evaluates it with libspf2 (SPFEngine
 * libspf2), as below.
 *
 * libspf2's DNS goes through a layer of ours (SPF_dns_server_t) over the
 * shared resolver, so DNSServers and DNSTimeout govern SPF as they do
 * DNSBLs, and one deadline bounds the whole check. The per-check state
 * (deadline, lookup counts) is reached through a thread-local pointer: a
 * libspf2 query runs synchronously on the calling thread.
 *
 * Debian 12's libspf2 1.2.10 lacks the upstream fix for CVE-2023-42118 (an
 * underflow when a term's compiled data nearly fills its buffer) and
 * abort()s on some internal errors. So every TXT record that says
 * "v=spf1" passes spf_guard before libspf2 may see it: strict RFC 7208
 * syntax, at most 40 terms, a term of at most 255 bytes with at most 8
 * macros, transformer digits 1..128, no c/r/t macro (explanation text only). A record
 * that fails is replaced by two bare "v=spf1" records (libspf2 stops at
 * "multiple records", a path with no macro in it) and the result is forced
 * to permerror with the reason. No other DNS text reaches libspf2: a TXT
 * string that is not a "v=spf1" record is dropped (RFC 7208 4.5 ignores
 * it anyway), and the exp= modifier is cut out of every record that
 * passes, so libspf2 never fetches an explanation TXT and compiles it as a
 * macro string (that path bypassed the guard and crashed the daemon on the
 * CVE-2023-42118 underflow); mxguard never uses the explanation, and the
 * guard has already checked exp='s syntax. RFC 7208's limits are enforced here too:
 * 10 DNS-querying terms (libspf2's own counter, set to 10) and 2 void
 * lookups (counted in our layer, which then answers nothing and forces
 * permerror). A lookup that fails or misses the deadline is temperror; a
 * name that cannot exist in DNS (libspf2 1.2.10 expands %{l1r-} of a
 * one-part local part to "", giving an empty label) is a nonexistent name,
 * not a failure, so a sender cannot turn its own record into a deferral.
 */
#include "autoconf.h"

#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/nameser.h>
#include <ctype.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ares.h>
#include <spf2/spf.h>
#include <spf2/spf_dns.h>

#include "log.h"
#include "names.h"
#include "spf.h"
#include "spf_record.h"
#include "str.h"

#define GUARD_RECORD_MAX 2048
#define GUARD_TERMS_MAX  40
#define GUARD_TERM_MAX   255
#define GUARD_MACROS_MAX 8
#define LOOKUPS_MAX      40          /* every DNS lookup of one check, a backstop */

struct ctx {
	struct dns_resolver *dns;
	struct timespec deadline;
	unsigned lookups, voids;
	int first_done;                   /* the first TXT (the sender's record) was asked */
	int first_records;                /* "v=spf1" records handed to libspf2 in its answer */
	char why[160];                    /* "domain: reason", at most 40 + 2 + 100 */
};

static __thread struct ctx *cur;

const char *
spf_res_name(enum spf_res r)
{
	static const char *const n[] = {
		"-", "pass", "fail", "softfail", "neutral", "none", "permerror", "temperror"
	};
	return (unsigned)r < sizeof(n) / sizeof(n[0]) ? n[r] : "?";
}

/* ---- the guard (pure) ---- */

/* macro_string - RFC 7208 7.1 macro-string; counts macros; exp allows c, r, t */
static const char *
macro_string(const char *s, size_t n, int exp, unsigned *macros)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x21 || c > 0x7e)
			return "character outside printable ASCII";
		if (c != '%') {
			i++;
			continue;
		}
		if (++i >= n)
			return "lone % at the end";
		if (s[i] == '%' || s[i] == '_' || s[i] == '-') {
			i++;
			continue;
		}
		if (s[i] != '{')
			return "% not followed by {, %, _ or -";
		if (++*macros > GUARD_MACROS_MAX)
			return "too many macros in one term";
		if (++i >= n)
			return "unterminated macro";
		c = (unsigned char)tolower((unsigned char)s[i]);
		if (!strchr("slodiphv", c) && !(exp && strchr("crt", c)))
			return "bad macro letter";
		i++;
		if (i < n && isdigit((unsigned char)s[i])) {
			unsigned num = 0;

			while (i < n && isdigit((unsigned char)s[i]) && num <= 128)
				num = num * 10 + (unsigned)(s[i++] - '0');
			if (num == 0 || num > 128)
				return "macro transformer out of range (1..128)";
		}
		if (i < n && (s[i] == 'r' || s[i] == 'R'))
			i++;
		while (i < n && strchr(".-+,/_=", s[i]))
			i++;
		if (i >= n || s[i] != '}')
			return "malformed macro";
		i++;
	}
	return NULL;
}

/* cidr_len - at P[*I] the digits of one prefix length of at most MAX
 * (7.1: no leading zero); advances *I; 0 when there is none */
static int
cidr_len(const char *p, size_t n, size_t *i, unsigned max)
{
	unsigned v = 0, digits = 0;

	while (*i < n && isdigit((unsigned char)p[*i]) && digits < 4) {
		v = v * 10 + (unsigned)(p[(*i)++] - '0');
		digits++;
	}
	return digits > 0 && v <= max && !(digits > 1 && p[*i - digits] == '0');
}

/* cidr_ok - the whole of P: "/n" (n <= MAX) for ip4/ip6; for a/mx (DUAL)
 * the dual-cidr-length of 5.6, ["/" ip4-len] ["//" ip6-len] */
static int
cidr_ok(const char *p, size_t n, unsigned max, int dual)
{
	size_t i = 0;

	if (!dual)
		return n > 1 && p[0] == '/' && (i = 1, cidr_len(p, n, &i, max)) && i == n;
	if (i + 1 < n && p[i] == '/' && p[i + 1] != '/') {
		i++;
		if (!cidr_len(p, n, &i, 32))
			return 0;
	}
	if (i + 2 < n && p[i] == '/' && p[i + 1] == '/') {
		i += 2;
		if (!cidr_len(p, n, &i, 128))
			return 0;
	}
	return i == n;
}

/* term - one directive or modifier */
static const char *
term(const char *t, size_t n, int *redirects, int *exps)
{
	unsigned macros = 0;
	size_t name, i;
	const char *eq;
	char buf[GUARD_TERM_MAX + 1];

	if (n > GUARD_TERM_MAX)
		return "term too long";
	memcpy(buf, t, n);
	buf[n] = 0;
	t = buf;                        /* from here on, a NUL-terminated copy */
	eq = memchr(t, '=', n);
	name = strcspn(buf, ":/=");
	if (eq && (size_t)(eq - t) == name) {              /* modifier */
		if (name == 0 || !isalpha((unsigned char)t[0]))
			return "bad modifier name";
		for (i = 0; i < name; i++)
			if (!isalnum((unsigned char)t[i]) && !strchr("-_.", t[i]))
				return "bad modifier name";
		if (name == 8 && strncasecmp(t, "redirect", 8) == 0 && ++*redirects > 1)
			return "redirect= twice";
		if (name == 3 && strncasecmp(t, "exp", 3) == 0 && ++*exps > 1)
			return "exp= twice";
		if (name + 1 == n && ((name == 8 && strncasecmp(t, "redirect", 8) == 0)
		    || (name == 3 && strncasecmp(t, "exp", 3) == 0)))
			return "empty domain";             /* 6.1, 6.2: a domain-spec is required */
		return macro_string(eq + 1, n - name - 1, 0, &macros);   /* exp= too: c, r, t only in its TXT */
	}
	if (strchr("+-~?", t[0])) {
		t++;
		n--;
		name = strcspn(t, ":/=");
	}
	for (i = 0; i < SPF_MECH__N; i++)   /* the names spf_record.c parses */
		if (strlen(spf_mech_name(i)) == name && strncasecmp(t, spf_mech_name(i), name) == 0)
			break;
	if (i == SPF_MECH__N)
		return "unknown mechanism";
	if (i == SPF_MECH_IP4 || i == SPF_MECH_IP6) {
		struct addr a;
		char ip[64];
		size_t al;

		if (t[name] != ':')
			return "ip4/ip6 without an address";
		al = strcspn(t + name + 1, "/");
		if (al == 0 || al >= sizeof(ip) || name + 1 + al > n)
			return "bad address";
		memcpy(ip, t + name + 1, al);
		ip[al] = 0;
		if (addr_parse(ip, &a) < 0 || (i == SPF_MECH_IP4) != (strchr(ip, ':') == NULL))
			return "bad address";
		if (name + 1 + al < n && !cidr_ok(t + name + 1 + al, n - name - 1 - al, i == SPF_MECH_IP4 ? 32 : 128, 0))
			return "bad prefix length";
		return NULL;
	}
	if (i == SPF_MECH_ALL)
		return n == name ? NULL : "all takes no argument";
	if (t[name] == ':') {
		size_t dl = strcspn(t + name + 1, "/");

		if (dl == 0)
			return "empty domain";
		if (i != SPF_MECH_A && i != SPF_MECH_MX && name + 1 + dl != n)
			return "prefix length on a mechanism without one";
		if (macro_string(t + name + 1, dl, 0, &macros) != NULL)
			return macro_string(t + name + 1, dl, 0, &macros);
		name += 1 + dl;
	} else if (i == SPF_MECH_INCLUDE || i == SPF_MECH_EXISTS) {
		return "include/exists without a domain";
	}
	if (name < n && ((i != SPF_MECH_A && i != SPF_MECH_MX) || !cidr_ok(t + name, n - name, 0, 1)))
		return "bad prefix length";
	return NULL;
}

/* spf_guard - 0 when record is safe to hand to libspf2, else -1 and why */
int
spf_guard(const char *record, char *why, size_t wsize)
{
	size_t len = strlen(record), i = 6, n;
	int terms = 0, redirects = 0, exps = 0;
	const char *bad;

	if (len > GUARD_RECORD_MAX) {
		snprintf(why, wsize, "record longer than %d bytes", GUARD_RECORD_MAX);
		return -1;
	}
	if (strncasecmp(record, "v=spf1", 6) != 0 || (record[6] != 0 && record[6] != ' ')) {
		snprintf(why, wsize, "not an SPF record");
		return -1;
	}
	while (i < len) {
		while (i < len && record[i] == ' ')
			i++;
		if (i >= len)
			break;
		n = strcspn(record + i, " ");
		if (++terms > GUARD_TERMS_MAX) {
			snprintf(why, wsize, "more than %d terms", GUARD_TERMS_MAX);
			return -1;
		}
		if ((bad = term(record + i, n, &redirects, &exps)) != NULL) {
			snprintf(why, wsize, "%s in \"%.40s\"", bad, record + i);
			return -1;
		}
		i += n;
	}
	return 0;
}

/* strip_exp - remove every exp= term from a guarded record, in place */
static void
strip_exp(char *rec)
{
	char *in = rec, *out = rec;

	while (*in) {
		size_t sp = strspn(in, " "), n = strcspn(in + sp, " ");

		if (!(n > 4 && strncasecmp(in + sp, "exp=", 4) == 0)) {
			memmove(out, in, sp + n);
			out += sp + n;
		}
		in += sp + n;
	}
	*out = 0;
}

/* ---- our DNS layer under libspf2 ---- */

/* add_rr - one more record into an SPF_dns_rr_t */
static int
add_rr(SPF_dns_rr_t *rr, const void *data, size_t len, int text)
{
	if (SPF_dns_rr_buf_realloc(rr, rr->num_rr, len + (text ? 1 : 0)) != SPF_E_SUCCESS)
		return -1;
	memcpy(rr->rr[rr->num_rr], data, len);
	if (text)
		((char *)rr->rr[rr->num_rr])[len] = 0;
	rr->num_rr++;
	return 0;
}

/* txt_record - one whole TXT record (its strings joined) into RR: dropped
 * unless it says v=spf1; replaced by "v=spf1" twice (libspf2: permerror)
 * when the guard refuses it or it holds a NUL (a C string would cut it); else handed on without exp=. A record the
 * guard refused sets WHY and ends the answer: -1 on no memory. */
static int
txt_record(SPF_dns_rr_t *rr, char *rec, size_t len, int too_long, int nul, const char *domain,
    char *why, size_t wsize)
{
	char bad[140];

	if (!spf_record_is_spf1(rec, len) || why[0])    /* by length: "v=spf1" NUL is none */
		return 0;
	if (too_long)
		snprintf(bad, sizeof(bad), "record longer than %d bytes", GUARD_RECORD_MAX);
	else if (nul)
		snprintf(bad, sizeof(bad), "NUL in the record");
	if (too_long || nul || spf_guard(rec, bad, sizeof(bad)) < 0) {
		snprintf(why, wsize, "%.40s: %.100s", domain, bad);
		rr->num_rr = 0;
		return add_rr(rr, "v=spf1", 6, 1) | add_rr(rr, "v=spf1", 6, 1);
	}
	strip_exp(rec);
	return add_rr(rr, rec, strlen(rec), 1);
}

/* fill - parse our resolver's reply into libspf2's form; -1 on a bad reply.
 * A record the guard refuses becomes "v=spf1" twice (libspf2: permerror)
 * and the reason goes to WHY. */
static int
fill(SPF_dns_rr_t *rr, ns_type type, const struct dns_answer *ans, const char *domain,
    char *why, size_t wsize)
{
	int i, rc = -1;

	switch (type) {
	case ns_t_a:
		for (i = 0; i < ans->n; i++)
			if (add_rr(rr, &ans->a[i], sizeof(ans->a[i]), 0) < 0)
				return -1;
		return 0;
	case ns_t_aaaa: {
		struct ares_addr6ttl at[16];
		int n = 16;

		if (ares_parse_aaaa_reply(ans->raw, ans->rawlen, NULL, at, &n) != ARES_SUCCESS)
			return n == 0 ? 0 : -1;
		for (i = 0; i < n; i++)
			if (add_rr(rr, &at[i].ip6addr, 16, 0) < 0)
				return -1;
		return 0;
	}
	case ns_t_txt: {
		struct ares_txt_ext *txt = NULL, *t;
		char rec[GUARD_RECORD_MAX + 1] = "";        /* all zero: the analyzer can see rec[6] */
		size_t len = 0;
		int too_long = 0, started = 0, nul = 0;

		if (ares_parse_txt_reply_ext(ans->raw, ans->rawlen, &txt) != ARES_SUCCESS)
			return -1;
		rc = 0;
		for (t = txt; rc == 0; t = t->next) {
			if (started && (t == NULL || t->record_start)) {
				rec[len] = 0;
				rc = txt_record(rr, rec, len, too_long, nul, domain, why, wsize);
				len = 0;
				too_long = nul = 0;
			}
			if (t == NULL)
				break;
			started = 1;
			if (memchr(t->txt, 0, t->length) != NULL)
				nul = 1;                  /* libspf2 would cut the record there */
			if (len + t->length > GUARD_RECORD_MAX)
				too_long = 1;
			else if (!too_long) {
				memcpy(rec + len, t->txt, t->length);
				len += t->length;
			}
		}
		ares_free_data(txt);
		return rc;
	}
	case ns_t_mx: {
		struct ares_mx_reply *mx = NULL, *m;

		if (ares_parse_mx_reply(ans->raw, ans->rawlen, &mx) != ARES_SUCCESS)
			return -1;
		rc = 0;
		for (m = mx; m && rc == 0 && rr->num_rr < 20; m = m->next)
			rc = add_rr(rr, m->host, strlen(m->host), 1);
		ares_free_data(mx);
		return rc;
	}
	case ns_t_ptr: {
		struct hostent *he = NULL;

		if (ares_parse_ptr_reply(ans->raw, ans->rawlen, NULL, 0, AF_INET, &he) != ARES_SUCCESS)
			return -1;
		rc = 0;
		for (i = 0; he->h_aliases[i] && rc == 0 && i < 10; i++)
			rc = add_rr(rr, he->h_aliases[i], strlen(he->h_aliases[i]), 1);
		if (rc == 0 && rr->num_rr == 0)
			rc = add_rr(rr, he->h_name, strlen(he->h_name), 1);
		ares_free_hostent(he);
		return rc;
	}
	default:
		return 0;
	}
}

/*
 * name_ok - could this name exist in DNS (names.c name_dns_ok), and is it
 * printable ASCII? The second rule is the libspf2 engine's own, kept
 * deliberately: its expanded names go to our resolver unchecked by
 * libspf2, and a control byte or space there has never been asked of DNS
 * by this engine (mxguard's evaluator leaves bytes to the DNS layer).
 */
static int
name_ok(const char *d)
{
	const unsigned char *p;

	if (!name_dns_ok(d))
		return 0;
	for (p = (const unsigned char *)d; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f)
			return 0;
	return 1;
}

static SPF_dns_rr_t *
lookup(SPF_dns_server_t *srv, const char *domain, ns_type type, int should_cache)
{
	struct ctx *c = cur;
	struct dns_query *q;
	struct dns_answer ans;
	SPF_dns_rr_t *rr;
	int first;

	(void)should_cache;
	if (c == NULL)
		return SPF_dns_rr_new_init(srv, domain, type, 0, TRY_AGAIN);
	if (type == ns_t_spf)              /* RR type 99, retired by RFC 7208: not asked */
		return SPF_dns_rr_new_init(srv, domain, type, 0, NO_DATA);
	first = !c->first_done && type == ns_t_txt;
	c->first_done = 1;
	if (c->voids > 2 || c->why[0])                     /* already decided: permerror */
		return SPF_dns_rr_new_init(srv, domain, type, 0, NO_DATA);
	if (!name_ok(domain)) {           /* e.g. a macro expanded to an empty label */
		if (!first && ++c->voids > 2)
			snprintf(c->why, sizeof(c->why), "more than 2 void lookups");
		return SPF_dns_rr_new_init(srv, domain, type, 0, HOST_NOT_FOUND);
	}
	if (++c->lookups > LOOKUPS_MAX) {
		snprintf(c->why, sizeof(c->why), "more than %d DNS lookups", LOOKUPS_MAX);
		return SPF_dns_rr_new_init(srv, domain, type, 0, NO_DATA);
	}
	q = dns_lookup(c->dns, domain, type);
	dns_wait(q, &c->deadline, &ans);
	if (log_enabled(LOG_DEBUG)) {
		char name[300];

		log_quote(name, sizeof(name), domain);
		log_msg(LOG_DEBUG, "spf lookup %s type %d: %s", name, (int)type, dns_status_name(ans.status));
	}
	switch (ans.status) {
	case DNS_OK:
		rr = SPF_dns_rr_new_init(srv, domain, type, (int)ans.ttl, NETDB_SUCCESS);
		if (rr && fill(rr, type, &ans, domain, c->why, sizeof(c->why)) < 0) {
			SPF_dns_rr_free(rr);
			rr = SPF_dns_rr_new_init(srv, domain, type, 0, TRY_AGAIN);
		}
		if (rr && first)
			c->first_records = rr->num_rr;
		if (rr && rr->num_rr == 0 && !first && ++c->voids > 2)
			snprintf(c->why, sizeof(c->why), "more than 2 void lookups");
		break;
	case DNS_NXDOMAIN:
		if (!first && ++c->voids > 2)
			snprintf(c->why, sizeof(c->why), "more than 2 void lookups");
		rr = SPF_dns_rr_new_init(srv, domain, type, 0, HOST_NOT_FOUND);
		break;
	default:
		rr = SPF_dns_rr_new_init(srv, domain, type, 0, TRY_AGAIN);
		break;
	}
	dns_release(q);
	return rr;
}

/* spf_parse_answer - ANS (a DNS_OK answer for TYPE) as libspf2 would get
 * it: the number of records, or -1 on a bad reply; the first record's
 * text into FIRST when it is a TXT answer. For the tests and the DNS fuzzer. */
int
spf_parse_answer(int type, const struct dns_answer *ans, char *why, size_t wsize,
    char *first, size_t fsize)
{
	SPF_dns_rr_t *rr = SPF_dns_rr_new_init(NULL, "fuzz.example", (ns_type)type, 0, NETDB_SUCCESS);
	int n;

	if (rr == NULL)
		return -1;
	if (wsize > 0)
		why[0] = 0;
	if (fsize > 0)
		first[0] = 0;
	n = fill(rr, (ns_type)type, ans, "fuzz.example", why, wsize) < 0 ? -1 : rr->num_rr;
	if (n > 0 && type == ns_t_txt && fsize > 0)
		snprintf(first, fsize, "%s", (const char *)rr->rr[0]);
	SPF_dns_rr_free(rr);
	return n;
}

/* ---- libspf2 must not print or abort on its own ---- */

static void
quiet(const char *file, int line, const char *msg)
{
	(void)file;
	(void)line;
	log_msg(LOG_DEBUG, "libspf2: %s", msg);
}

static void __attribute__((noreturn))
fatal_spf(const char *file, int line, const char *msg)
{
	log_msg(LOG_ERR, "libspf2 internal error at %s:%d: %s; aborting", file, line, msg);
	abort();
}

void
spf_init(void)
{
	SPF_error_handler = fatal_spf;
	SPF_warning_handler = quiet;
	SPF_info_handler = quiet;
	SPF_debug_handler = quiet;
}

static void check_libspf2(const struct spf_query *qr, struct spf_result *res);

static enum spf_res
map(SPF_result_t r)
{
	switch (r) {
	case SPF_RESULT_PASS: return SPF_R_PASS;
	case SPF_RESULT_FAIL: return SPF_R_FAIL;
	case SPF_RESULT_SOFTFAIL: return SPF_R_SOFTFAIL;
	case SPF_RESULT_NEUTRAL: return SPF_R_NEUTRAL;
	case SPF_RESULT_NONE: return SPF_R_NONE;
	case SPF_RESULT_TEMPERROR: return SPF_R_TEMPERROR;
	default: return SPF_R_PERMERROR;
	}
}

/*
 * spf_error_header - the Received-SPF value of a result libspf2 did not
 * word (a guard's permerror, a temperror): the reason quotes DNS data and
 * the HELO is the client's, so both are escaped as the log escapes them
 */
void
spf_error_header(struct spf_result *res, const char *receiver, const char *why,
    const char *addr, const char *helo)
{
	char h100[SPF_HELO_SHOWN + 1];
	struct str h;

	str_init(&h, sizeof(res->header) - 1);
	str_catf(&h, "%s (%s: ", spf_res_name(res->res), receiver);
	str_escape_comment(&h, why);
	str_catf(&h, ") client-ip=%s; helo=", addr);
	str_copy(h100, sizeof(h100), helo);
	str_escape_comment(&h, h100);
	str_cat(&h, ";");
	str_copy(res->header, sizeof(res->header), str_text(&h));
	str_free(&h);
}

/* spf_check - evaluate SPF for one client and sender with the query's
 * engine; never fails, never past the deadline */
void
spf_check(const struct spf_query *qr, struct spf_result *res)
{
	struct spf_query q = *qr;
	char sender[MXG_ADDR_MAX], ip[INET6_ADDRSTRLEN];

	spf_sender(qr->from, sender, sizeof(sender));
	q.from = sender;
	if (sender[0] && strrchr(sender, '@') == NULL) {
		/* not the null sender, and no domain: nothing SPF can check,
		 * and never the HELO's result (that is for "<>" only) */
		memset(res, 0, sizeof(*res));
		res->res = SPF_R_NONE;
		str_copy(res->why, sizeof(res->why), "sender without a domain");
		addr_str(qr->client, ip, sizeof(ip));
		spf_error_header(res, qr->receiver, res->why, ip, qr->helo);
		return;
	}
	if (q.engine == SPF_ENGINE_MXGUARD) {
		spf_check_mxguard(&q, res);
		return;
	}
	check_libspf2(&q, res);
}

/*
 * spf_sender - the envelope sender as the MTA hands it ("<addr>", or a
 * bare address) without its angle brackets: everything between the first
 * '<' and the LAST '>', since a quoted local part may hold '>' and '@'
 * ("<\"x@evil>\"@victim.example>" is a victim.example address). "" for
 * the null sender. The domain is what follows the last '@'.
 */
void
spf_sender(const char *from, char *out, size_t size)
{
	const char *end;

	if (from == NULL)
		from = "";
	if (*from == '<') {
		from++;
		end = strrchr(from, '>');
	} else
		end = NULL;
	if (end == NULL)
		end = from + strlen(from);
	if (size == 0)
		return;
	if ((size_t)(end - from) >= size)
		end = from + size - 1;
	memcpy(out, from, (size_t)(end - from));
	out[end - from] = 0;
}

/* check_libspf2 - spf_check by libspf2, behind the guard */
static void
check_libspf2(const struct spf_query *qr, struct spf_result *res)
{
	SPF_dns_server_t *dns = calloc(1, sizeof(*dns));
	SPF_server_t *srv = NULL;
	SPF_request_t *req = NULL;
	SPF_response_t *resp = NULL;
	struct ctx c;
	SPF_errcode_t err;
	const char *from = qr->from, *at;            /* spf_check took the brackets off */
	char addr[INET6_ADDRSTRLEN];

	memset(res, 0, sizeof(*res));
	memset(&c, 0, sizeof(c));
	res->res = SPF_R_TEMPERROR;
	at = strrchr(from, '@');
	str_copy(res->domain, sizeof(res->domain), at ? at + 1 : qr->helo);
	if (dns == NULL || (srv = SPF_server_new_dns(dns, 0)) == NULL
	    || (req = SPF_request_new(srv)) == NULL) {
		snprintf(res->why, sizeof(res->why), "out of memory");
		goto out;
	}
	dns->lookup = lookup;
	dns->name = "mxguard";
	SPF_server_set_rec_dom(srv, qr->receiver);
	SPF_server_set_max_dns_mech(srv, 10);
	SPF_server_set_max_dns_mx(srv, 10);
	SPF_server_set_max_dns_ptr(srv, 10);
	addr_str(qr->client, addr, sizeof(addr));
	if ((qr->client->family == AF_INET ? SPF_request_set_ipv4_str(req, addr)
	    : SPF_request_set_ipv6_str(req, addr)) != SPF_E_SUCCESS
	    || SPF_request_set_helo_dom(req, qr->helo[0] ? qr->helo : "unknown") != SPF_E_SUCCESS) {
		res->res = SPF_R_PERMERROR;
		snprintf(res->why, sizeof(res->why), "bad client address or HELO");
		goto out;
	}
	if (at)
		SPF_request_set_env_from(req, from);
	c.dns = qr->dns;
	dns_deadline(&c.deadline, qr->timeout_ms);
	cur = &c;
	err = SPF_request_query_mailfrom(req, &resp);
	cur = NULL;
	if (err != SPF_E_SUCCESS)
		log_msg(LOG_DEBUG, "spf for %s: libspf2 query: %s (result %d)", res->domain,
		    SPF_strerror(err), resp ? (int)SPF_response_result(resp) : -1);
	if (resp == NULL)
		goto out;
	/* libspf2 gave up: no record at all (NOT_SPF, and we handed it none: RFC
	 * 7208 4.5, none), DNS, or a record it could not compile (NOT_SPF too) */
	res->res = SPF_response_result(resp) == SPF_RESULT_INVALID
	    ? (err == SPF_E_NOT_SPF && c.first_records == 0 ? SPF_R_NONE
	    : err == SPF_E_DNS_ERROR ? SPF_R_TEMPERROR : SPF_R_PERMERROR)
	    : map(SPF_response_result(resp));
	if (c.why[0]) {
		res->res = SPF_R_PERMERROR;
		snprintf(res->why, sizeof(res->why), "%s", c.why);
	}
	if (res->res == SPF_R_PERMERROR || res->res == SPF_R_TEMPERROR || c.why[0]) {
		spf_error_header(res, qr->receiver, c.why[0] ? c.why
		    : res->res == SPF_R_TEMPERROR ? "DNS lookups failed" : "invalid SPF record",
		    addr, qr->helo);
	} else if (SPF_response_get_received_spf_value(resp))
		snprintf(res->header, sizeof(res->header), "%s", SPF_response_get_received_spf_value(resp));
out:
	if (resp)
		SPF_response_free(resp);
	if (req)
		SPF_request_free(req);
	if (srv)
		SPF_server_free(srv);              /* frees dns: its destroy is NULL, so we do */
	free(dns);
}
