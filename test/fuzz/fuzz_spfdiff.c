/*
 * fuzz_spfdiff.c - libFuzzer, differential: SPF by mxguard's evaluator
 * (SPFEngine mxguard) and by libspf2 behind the guard (SPFEngine libspf2),
 * both through spf_check exactly as the daemon calls it, over one small
 * DNS world; abort() on any disagreement that is not one of libspf2's
 * known deviations (mxguard.conf(5), SPFEngine), each recognized by a
 * predicate on the records below, never by the result alone.
 *
 * Input: byte 0 picks the client; the rest, split at '\n', is up to four
 * TXT records: example.com (the sender's domain), i1.example.com,
 * i2.example.com, i3.example.com (include/redirect targets). The rest of
 * the world is fixed (see world[]): A/AAAA/MX/PTR names for a, mx, ptr
 * and exists, an explanation TXT, and tf.example.com, which fails
 * (SERVFAIL, temperror). The resolver is replaced at link time
 * (-Wl,--wrap=dns_lookup,--wrap=dns_wait,--wrap=dns_release): each
 * lookup builds the DNS reply a server would send and hands it to
 * resolver.c's own dns_parse_reply, so both engines parse real wire data.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ares.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "resolver.h"
#include "spf.h"
#include "spf_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
struct dns_query *__wrap_dns_lookup(struct dns_resolver *r, const char *name, int type);
int __wrap_dns_wait(struct dns_query *q, const struct timespec *deadline, struct dns_answer *out);
void __wrap_dns_release(struct dns_query *q);

#define RECORDS 4
#define REC_MAX 1024

struct rr {
	const char *name;
	int type;
	const char *val;          /* text; for TXT the record index "0".."3" */
};

static const struct rr world[] = {
	{ "example.com", ns_t_txt, "0" },
	{ "i1.example.com", ns_t_txt, "1" },
	{ "i2.example.com", ns_t_txt, "2" },
	{ "i3.example.com", ns_t_txt, "3" },
	{ "example.com", ns_t_a, "192.0.2.1" },
	{ "example.com", ns_t_mx, "a.example.com" },
	{ "example.com", ns_t_mx, "b.example.com" },
	{ "a.example.com", ns_t_a, "192.0.2.1" },
	{ "a.example.com", ns_t_aaaa, "2001:db8::1" },
	{ "b.example.com", ns_t_a, "198.51.100.1" },
	{ "mx.example.com", ns_t_mx, "a.example.com" },
	{ "e.example.com", ns_t_a, "127.0.0.2" },
	{ "1.2.0.192.in-addr.arpa", ns_t_ptr, "a.example.com" },
	{ "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", ns_t_ptr, "a.example.com" },
	{ "x.example.com", ns_t_txt, "!denied %{i} for %{s}" },
};

static char rec[RECORDS][REC_MAX];
static size_t reclen[RECORDS];

struct dns_query {
	struct dns_answer a;
};

/* put_name - NAME in wire form at P; 0 when it does not fit or is no name */
static size_t
put_name(unsigned char *p, size_t cap, const char *name)
{
	size_t o = 0;

	while (*name) {
		size_t l = strcspn(name, ".");

		if (l == 0 || l > 63 || o + l + 2 > cap)
			return 0;
		p[o++] = (unsigned char)l;
		memcpy(p + o, name, l);
		o += l;
		name += l + (name[l] == '.');
	}
	p[o++] = 0;
	return o;
}

/* rdata - the record's data in wire form; its length, 0 when it does not fit */
static size_t
rdata(unsigned char *p, size_t cap, const struct rr *r, unsigned idx)
{
	size_t o = 0, n;

	switch (r->type) {
	case ns_t_a:
		return inet_pton(AF_INET, r->val, p) == 1 ? 4 : 0;
	case ns_t_aaaa:
		return inet_pton(AF_INET6, r->val, p) == 1 ? 16 : 0;
	case ns_t_mx:
		p[0] = 0, p[1] = (unsigned char)(10 * idx);
		n = put_name(p + 2, cap - 2, r->val);
		return n ? n + 2 : 0;
	case ns_t_ptr:
		return put_name(p, cap, r->val);
	default: {                                 /* TXT: strings of at most 255 */
		const char *t = r->val;
		size_t len;

		if (t[0] == '!')
			t++, len = strlen(t);
		else
			len = reclen[t[0] - '0'], t = rec[t[0] - '0'];
		do {
			n = len > 255 ? 255 : len;
			if (o + n + 1 > cap)
				return 0;
			p[o++] = (unsigned char)n;
			memcpy(p + o, t, n);
			o += n, t += n, len -= n;
		} while (len > 0);
		return o;
	}
	}
}

struct dns_query *
__wrap_dns_lookup(struct dns_resolver *r, const char *name, int type)
{
	static unsigned char buf[8192];
	struct dns_query *q = calloc(1, sizeof(*q));
	size_t o = 12, n, i, an = 0, qlen, qn = strlen(name);
	int qt = DNS_QTYPE(type);                 /* DNS_T_A_ALL asks for A */

	(void)r;
	if (q == NULL)
		abort();
	if (qn > 0 && name[qn - 1] == '.')          /* "example.com." is example.com */
		qn--;
	if (qn == 14 && strncasecmp(name, "tf.example.com", qn) == 0) {
		q->a.status = DNS_SERVFAIL;
		return q;
	}
	memset(buf, 0, 12);
	buf[2] = 0x81, buf[3] = 0x80, buf[5] = 1;
	if ((qlen = put_name(buf + o, sizeof(buf) - o - 4, name)) == 0) {
		q->a.status = DNS_NXDOMAIN;
		return q;
	}
	o += qlen;
	buf[o++] = 0, buf[o++] = (unsigned char)qt, buf[o++] = 0, buf[o++] = 1;
	for (i = 0; i < sizeof(world) / sizeof(world[0]); i++) {
		const struct rr *w = &world[i];
		unsigned char *len;

		if (w->type != qt || strncasecmp(w->name, name, qn) != 0 || w->name[qn] != 0
		    || (w->type == ns_t_txt && w->val[0] != '!' && reclen[w->val[0] - '0'] == 0))
			continue;
		if (o + 12 + 2 > sizeof(buf))
			break;
		buf[o++] = 0xc0, buf[o++] = 12;
		buf[o++] = 0, buf[o++] = (unsigned char)qt, buf[o++] = 0, buf[o++] = 1;
		buf[o++] = 0, buf[o++] = 0, buf[o++] = 0x0e, buf[o++] = 0x10;
		len = buf + o;
		o += 2;
		if ((n = rdata(buf + o, sizeof(buf) - o, w, (unsigned)an)) == 0)
			abort();                         /* the world is ours: it fits */
		len[0] = (unsigned char)(n >> 8), len[1] = (unsigned char)n;
		o += n;
		an++;
	}
	if (an == 0) {
		q->a.status = DNS_NXDOMAIN;       /* as the resolver says for NODATA too */
		return q;
	}
	buf[7] = (unsigned char)an;
	dns_parse_reply(type, ARES_SUCCESS, buf, (int)o, &q->a);
	return q;
}

int
__wrap_dns_wait(struct dns_query *q, const struct timespec *deadline, struct dns_answer *out)
{
	(void)deadline;
	*out = q->a;
	return 0;
}

void
__wrap_dns_release(struct dns_query *q)
{
	free((void *)q->a.raw);
	free(q);
}

/* ---- libspf2's known deviations: predicates on the records ---- */

/* cidr0 - a prefix length of 0 written: libspf2 takes /0 as "no length" (/32, /128) */
static int
cidr0(const char *t, size_t len)
{
	struct spf_record r;
	size_t i;
	int hit = 0;

	if (spf_record_parse(t, len, &r) != NULL)
		return 0;
	for (i = 0; i < r.nterms; i++) {
		const struct spf_term *x = &r.term[i];

		if (((x->mech == SPF_MECH_A || x->mech == SPF_MECH_MX || x->mech == SPF_MECH_IP4) && x->cidr4 == 0)
		    || ((x->mech == SPF_MECH_A || x->mech == SPF_MECH_MX || x->mech == SPF_MECH_IP6) && x->cidr6 == 0))
			hit = 1;
	}
	spf_record_free(&r);
	return hit;
}

/* toplabel - a domain-spec whose last label is no toplabel (7.1: not all
 * digits, letters/digits/hyphen): permerror; neither libspf2 nor the guard checks */
static int
toplabel(const char *t, size_t len)
{
	struct spf_record r;
	const char *why = spf_record_parse(t, len, &r);

	if (why == NULL) {
		spf_record_free(&r);
		return 0;
	}
	return strstr(why, "without a valid top label") != NULL;
}

/* guarded - a record RFC 7208 accepts that the guard refuses (its limits:
 * 40 terms, 255-byte terms, 8 macros per term, ip4/ip6 prefixes of at most
 * 32 bits written, no "/" in a domain-spec, 2048 bytes): permerror */
static int
guarded(const char *t, size_t len)
{
	struct spf_record r;
	char why[140];

	if (spf_record_parse(t, len, &r) != NULL)
		return 0;
	spf_record_free(&r);
	return spf_guard(t, why, sizeof(why)) < 0;
}

/* token - the next space-separated term of T after *O; its length, 0 at the end */
static size_t
token(const char *t, size_t len, size_t *o, const char **tok)
{
	while (*o < len && t[*o] == ' ')
		(*o)++;
	*tok = t + *o;
	while (*o < len && t[*o] != ' ')
		(*o)++;
	return (size_t)(*tok - t) < len ? (size_t)(t + *o - *tok) : 0;
}

/* modifier - the length of a term's modifier name ('=' before any ':' or '/'), 0 for a mechanism */
static size_t
modifier(const char *tok, size_t n)
{
	size_t i = strcspn(tok, "=:/ ");

	return i < n && tok[i] == '=' ? i : 0;
}

/* moddot - a valid record with a modifier whose name holds a '.' (4.6.1
 * allows it; unknown, so ignored): libspf2 refuses the record */
static int
moddot(const char *t, size_t len)
{
	struct spf_record r;
	const char *tok;
	size_t o = 0, n, m;
	int hit = 0;

	if (spf_record_parse(t, len, &r) != NULL)
		return 0;
	spf_record_free(&r);
	while ((n = token(t, len, &o, &tok)) > 0)
		if ((m = modifier(tok, n)) > 0 && memchr(tok, '.', m) != NULL)
			hit = 1;
	return hit;
}

/* redirect_first - a valid record with redirect= written before a
 * mechanism (6.1: its place does not matter): libspf2 acts on it there */
static int
redirect_first(const char *t, size_t len)
{
	struct spf_record r;
	const char *tok;
	size_t o = 0, n;
	int seen = 0, hit = 0;

	if (spf_record_parse(t, len, &r) != NULL)
		return 0;
	spf_record_free(&r);
	token(t, len, &o, &tok);                    /* v=spf1 */
	while ((n = token(t, len, &o, &tok)) > 0) {
		if (modifier(tok, n) == 8 && strncasecmp(tok, "redirect", 8) == 0)
			seen = 1;
		else if (seen && modifier(tok, n) == 0)
			hit = 1;
	}
	return hit;
}

/* dns_terms - the world's records hold more than 10 DNS-querying terms in
 * all (4.6.4 counts across include and redirect): libspf2 counts per record */
static int
dns_terms(const char *t, size_t len)
{
	size_t k, i, sum = 0;

	(void)t, (void)len;
	for (k = 0; k < RECORDS; k++) {
		struct spf_record r;

		if (reclen[k] == 0 || spf_record_parse(rec[k], reclen[k], &r) != NULL)
			continue;
		for (i = 0; i < r.nterms; i++)
			sum += r.term[i].mech != SPF_MECH_ALL && r.term[i].mech != SPF_MECH_IP4
			    && r.term[i].mech != SPF_MECH_IP6;
		sum += r.redirect != NULL;
		spf_record_free(&r);
	}
	return sum > 10;
}

/* macro_digits - a valid record with a macro that keeps N right-hand
 * parts (%{d2}): libspf2 1.2.10 drops the first byte of the value when N
 * is at least its number of parts ("example.com" -> "xample.com") */
static int
macro_digits(const char *t, size_t len)
{
	struct spf_record r;
	size_t i;
	int hit = 0;

	if (spf_record_parse(t, len, &r) != NULL)
		return 0;
	spf_record_free(&r);
	for (i = 0; i + 3 < len && !hit; i++)
		if (t[i] == '%' && t[i + 1] == '{')
			hit = isdigit((unsigned char)t[i + 3]);
		else if (t[i] == '%')
			i++;                           /* %%, %_, %- */
	return hit;
}

/* void_layer - mxguard's layer under libspf2 counts every lookup libspf2
 * makes that answers nothing (4.6.4): a ptr (or %{p}) written twice in the
 * world is two void PTR lookups there, one in mxguard's engine (asked once); a
 * domain-spec with an empty label ("a..b") is a void lookup there, and
 * never asked by mxguard's engine */
static int
void_layer(const char *t, size_t len)
{
	size_t k, i, ptrs = 0;
	int hit = 0;

	(void)t, (void)len;
	for (k = 0; k < RECORDS; k++) {
		struct spf_record r;

		if (reclen[k] == 0 || spf_record_parse(rec[k], reclen[k], &r) != NULL)
			continue;
		for (i = 0; i < r.nterms; i++) {
			ptrs += r.term[i].mech == SPF_MECH_PTR;
			if (r.term[i].domain && (strstr(r.term[i].domain, "..") || r.term[i].domain[0] == '.'))
				hit = 1;
		}
		if (r.redirect && (strstr(r.redirect, "..") || r.redirect[0] == '.'))
			hit = 1;
		spf_record_free(&r);
		for (i = 0; i + 2 < reclen[k]; i++)        /* %{p} asks the PTR name too */
			ptrs += rec[k][i] == '%' && rec[k][i + 1] == '{' && (rec[k][i + 2] | 0x20) == 'p';
	}
	return hit || ptrs > 1;
}

/* separator - a domain-spec holding ':', '/' or '=' (macro-literals by
 * 7.1): libspf2 (or, for '/', the guard) takes it for a separator and
 * refuses the record */
static int
separator(const char *t, size_t len)
{
	struct spf_record r;
	size_t i;
	int hit = 0;

	if (spf_record_parse(t, len, &r) != NULL)
		return 0;
	for (i = 0; i < r.nterms; i++)
		if (r.term[i].domain && strpbrk(r.term[i].domain, ":/="))
			hit = 1;
	if ((r.redirect && strpbrk(r.redirect, ":/=")) || (r.exp && strpbrk(r.exp, ":/=")))
		hit = 1;
	spf_record_free(&r);
	return hit;
}

/* macro_case - a valid record with a macro whose reverse transformer is
 * written "R" or whose delimiters hold ',' or '/' (7.1 allows them): libspf2
 * refuses the record */
static int
macro_case(const char *t, size_t len)
{
	struct spf_record r;
	size_t i, j;
	int hit = 0;

	if (spf_record_parse(t, len, &r) != NULL)
		return 0;
	spf_record_free(&r);
	for (i = 0; i + 2 < len && !hit; i++) {
		if (t[i] != '%')
			continue;
		if (t[i + 1] != '{') {
			i++;                           /* %%, %_, %- */
			continue;
		}
		for (j = i + 3; j < len && t[j] != '}'; j++)
			if (t[j] == 'R' || t[j] == ',' || t[j] == '/')
				hit = 1;
	}
	return hit;
}

static const struct {
	const char *name;
	int (*f)(const char *, size_t);
} deviations[] = {
	{ "prefix length 0 taken as the default length", cidr0 },
	{ "domain-spec without a valid top label evaluated", toplabel },
	{ "valid record refused by the guard", guarded },
	{ "modifier name with a '.' refused", moddot },
	{ "redirect= acted on where written", redirect_first },
	{ "10 DNS-querying terms counted per record", dns_terms },
	{ "%{xN} with N >= the parts of its value loses a byte", macro_digits },
	{ "void lookups counted per libspf2 lookup", void_layer },
	{ "':', '/' or '=' in a domain-spec refused", separator },
	{ "macro with an \"R\" transformer or a ',' or '/' delimiter refused", macro_case },
};

/* deviation - the first known deviation some record of the world shows, or NULL */
static const char *
deviation(void)
{
	size_t i, k;

	for (i = 0; i < sizeof(deviations) / sizeof(deviations[0]); i++)
		for (k = 0; k < RECORDS; k++)
			if (reclen[k] && deviations[i].f(rec[k], reclen[k]))
				return deviations[i].name;
	return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const clients[] = { "192.0.2.1", "198.51.100.1", "2001:db8::1",
		"::ffff:192.0.2.1", "203.0.113.5" };
	static int inited;
	struct spf_query q;
	struct spf_result a, b;
	struct addr ip;
	size_t k, o;

	if (!inited) {
		spf_init();
		if (getenv("SPFDIFF_DEBUG")) {              /* what each engine asked and decided */
			log_open("spfdiff", 0, 0, 1);
			log_setlevel(LOG_DEBUG);
		}
		inited = 1;
	}
	if (size < 1)
		return 0;
	memset(reclen, 0, sizeof(reclen));
	for (k = 0, o = 1; k < RECORDS && o < size; k++) {
		const uint8_t *nl = memchr(data + o, '\n', size - o);
		size_t n = nl ? (size_t)(nl - (data + o)) : size - o;

		if (n >= REC_MAX)
			return 0;
		memcpy(rec[k], data + o, n);
		rec[k][n] = 0;
		reclen[k] = n;
		o += n + 1;
	}
	memset(&ip, 0, sizeof(ip));
	if (addr_parse(clients[data[0] % 5], &ip) != 0)
		abort();
	memset(&q, 0, sizeof(q));
	q.client = &ip;
	q.helo = "a.example.com";
	q.from = "<user@example.com>";
	q.receiver = "mx.example.net";
	q.timeout_ms = 1000;
	q.engine = SPF_ENGINE_MXGUARD;
	spf_check(&q, &a);
	q.engine = SPF_ENGINE_LIBSPF2;
	spf_check(&q, &b);
	if (a.res != b.res && deviation() == NULL) {
		fprintf(stderr, "spfdiff: client %s: mxguard %s (%s), libspf2 %s (%s)\n", clients[data[0] % 5],
		    spf_res_name(a.res), a.why, spf_res_name(b.res), b.why);
		for (k = 0; k < RECORDS; k++)
			if (reclen[k])
				fprintf(stderr, "spfdiff: record %zu: %.*s\n", k, (int)reclen[k], rec[k]);
		abort();
	}
	return 0;
}
