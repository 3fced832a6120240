/*
 * test_spf_rfc7208.c - the openspf RFC 7208 test suite through spf_eval.
 *
 * Reads the line form written by rfc7208-lines.py (stdin), serves each
 * scenario's zone data as the DNS (with the semantics of pyspf's test
 * driver: names lower-cased, a TIMEOUT entry times out a lookup that met
 * no record of its type before it, one level of CNAME followed, an
 * unknown name is NXDOMAIN unless it starts with "error."), runs every
 * test and prints TAP: the result must be one of the listed ones, and
 * where the test names an explanation, spf_eval's (or "DEFAULT") must
 * equal it.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "spf_eval.h"

#define FIELDS 8

struct rr {
	char *name, *type, *val;
	size_t vlen;
};

struct zone {
	struct rr *rr;
	size_t n, cap;
};

/* decode - one ":..." field, %XX undone, in place; its length */
static size_t
decode(char *s)
{
	size_t i = 1, o = 0;

	while (s[i]) {
		if (s[i] == '%' && isxdigit((unsigned char)s[i + 1]) && isxdigit((unsigned char)s[i + 2])) {
			char h[3] = { s[i + 1], s[i + 2], 0 };

			s[o++] = (char)strtol(h, NULL, 16);
			i += 3;
		} else
			s[o++] = s[i++];
	}
	s[o] = 0;
	return o;
}

/* split - the line's fields after the keyword, decoded */
static int
split(char *line, char **f, size_t *len)
{
	int n = 0;
	char *p = strchr(line, ' ');

	while (p && n < FIELDS) {
		*p++ = 0;
		f[n] = p;
		p = strchr(p, ' ');
		if (p)
			*p = 0;
		len[n] = decode(f[n]);
		n++;
		if (p)
			*p = ' ';
	}
	return n;
}

static enum spf_dns_rc zl(struct zone *z, const char *qname, enum spf_rr t, struct spf_rrset *out, int level);

static enum spf_dns_rc
zlookup(void *arg, const char *qname, enum spf_rr t, struct spf_rrset *out)
{
	return zl(arg, qname, t, out, 0);
}

/* zl - pyspf's testspf.py DNSLookup over the zone */
static enum spf_dns_rc
zl(struct zone *z, const char *qname, enum spf_rr t, struct spf_rrset *out, int level)
{
	static const char *const tn[] = { "TXT", "A", "AAAA", "MX", "PTR" };
	char name[1024];
	size_t o = 0, i, label = 0, found = 0;
	int seen = 0;

	for (i = 0; qname[i] && o + 1 < sizeof(name); i++) {
		if (qname[i] == '.') {
			if (label > 63)
				return SPF_DNS_TEMPFAIL;
			if (label > 0)
				name[o++] = '.';
			label = 0;
		} else {
			name[o++] = (char)tolower((unsigned char)qname[i]);
			label++;
		}
	}
	if (label > 63)
		return SPF_DNS_TEMPFAIL;
	if (o > 0 && name[o - 1] == '.')
		o--;
	name[o] = 0;
	for (i = 0; i < z->n; i++) {
		struct rr *r = &z->rr[i];

		if (strcmp(r->name, name) != 0)
			continue;
		found++;
		if (strcmp(r->type, "TIMEOUT") == 0) {
			if (!seen)
				return SPF_DNS_TEMPFAIL;
			break;
		}
		if (strcmp(r->type, "TXT-TIMEOUT") == 0) {
			if (t == SPF_RR_TXT)
				return SPF_DNS_TEMPFAIL;
			continue;
		}
		if (strcmp(r->type, "CNAME") == 0 && level == 0) {
			if (zl(z, r->val, t, out, 1) == SPF_DNS_TEMPFAIL)
				return SPF_DNS_TEMPFAIL;
			continue;
		}
		if (strcmp(r->type, tn[t]) != 0)
			continue;
		seen = 1;
		if (t == SPF_RR_A || t == SPF_RR_AAAA) {
			struct addr a;

			memset(&a, 0, sizeof(a));
			a.family = t == SPF_RR_A ? AF_INET : AF_INET6;
			if (inet_pton(a.family, r->val, a.b) == 1)
				spf_rrset_add_addr(out, &a);
		} else if (spf_rrset_add_text(out, r->val, r->vlen) < 0)
			return SPF_DNS_TEMPFAIL;
	}
	if (found == 0)
		return strncmp(name, "error.", 6) == 0 ? SPF_DNS_TEMPFAIL : SPF_DNS_NXDOMAIN;
	return out->total > 0 ? SPF_DNS_OK : SPF_DNS_NODATA;
}

/* in_list - is word one of the comma-separated results? */
static int
in_list(const char *list, const char *word)
{
	size_t wl = strlen(word);

	for (const char *p = list; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] ? 1 : 0))
		if (strcspn(p, ",") == wl && strncmp(p, word, wl) == 0)
			return 1;
	return 0;
}

/* run - one test line; 1 when it passed */
static int
run(struct zone *z, char **f, int k, char *diag, size_t ds)
{
	struct spf_dns dns = { zlookup, z };
	struct spf_request rq;
	struct spf_outcome out;
	const char *exp;

	memset(&rq, 0, sizeof(rq));
	rq.ip.family = strchr(f[2], ':') ? AF_INET6 : AF_INET;
	if (inet_pton(rq.ip.family, f[2], rq.ip.b) != 1) {
		snprintf(diag, ds, "bad host %s", f[2]);
		return 0;
	}
	rq.helo = f[3];
	rq.sender = f[4];
	rq.now = 1400000000;
	rq.want_exp = 1;
	spf_eval(&dns, &rq, &out);
	exp = out.exp[0] ? out.exp : "DEFAULT";
	(void)k;
	if (!in_list(f[5], spf_eval_res_name(out.res))) {
		snprintf(diag, ds, "got %s (%s; term \"%s\"), want %s", spf_eval_res_name(out.res),
		    out.why, out.term, f[5]);
		return 0;
	}
	if (f[6][0] && out.res == SPF_EV_FAIL && strcmp(exp, f[6]) != 0) {
		snprintf(diag, ds, "explanation \"%.150s\", want \"%.150s\"", exp, f[6]);
		return 0;
	}
	return 1;
}

int
main(int argc, char **argv)
{
	FILE *in = argc > 1 ? fopen(argv[1], "r") : stdin;
	struct zone z = { NULL, 0, 0 };
	char *line = NULL, *f[FIELDS], diag[400];
	size_t cap = 0, len[FIELDS], i;
	ssize_t got;
	int k = 0, bad = 0;

	if (in == NULL) {
		printf("not ok 1 - cannot open %s\n1..1\n", argv[1]);
		return 1;
	}
	while ((got = getline(&line, &cap, in)) > 0) {
		int n;

		if (line[got - 1] == '\n')
			line[--got] = 0;
		if (strncmp(line, "scenario ", 9) == 0) {
			for (i = 0; i < z.n; i++)
				free(z.rr[i].name);
			z.n = 0;
			continue;
		}
		n = split(line, f, len);
		if (strncmp(line, "zone", 4) == 0 && n == 3) {
			char *copy = malloc((size_t)got + 3);
			struct rr *r;

			if (z.n == z.cap) {
				z.cap = z.cap ? z.cap * 2 : 64;
				z.rr = realloc(z.rr, z.cap * sizeof(*z.rr));
			}
			if (copy == NULL || z.rr == NULL)
				abort();
			r = &z.rr[z.n++];
			r->name = copy;
			memcpy(copy, f[0], len[0] + 1);
			for (char *p = copy; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			r->type = copy + len[0] + 1;
			memcpy(r->type, f[1], len[1] + 1);
			r->val = r->type + len[1] + 1;
			memcpy(r->val, f[2], len[2] + 1);
			r->vlen = len[2];
		} else if (strncmp(line, "test", 4) == 0 && n == 7) {
			k++;
			diag[0] = 0;
			if (run(&z, f, k, diag, sizeof(diag)))
				printf("ok %d - %s (RFC 7208 %s)\n", k, f[0], f[1]);
			else {
				printf("not ok %d - %s (RFC 7208 %s): %s\n", k, f[0], f[1], diag);
				bad++;
			}
		} else {
			printf("not ok %d - unreadable line\n", ++k);
			bad++;
		}
	}
	for (i = 0; i < z.n; i++)
		free(z.rr[i].name);
	free(z.rr);
	free(line);
	if (k == 0)
		printf("not ok 1 - no test read\n");
	printf("1..%d\n# %d of %d RFC 7208 suite cases pass\n", k ? k : 1, k - bad, k);
	return bad || k == 0 ? 1 : 0;
}
