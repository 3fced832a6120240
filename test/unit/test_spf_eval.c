/*
 * test_spf_eval.c - mxguard's RFC 7208 evaluator, section by section:
 * every case names the section it checks and runs spf_eval over a table
 * DNS ("name TYPE value" lines; value TEMPFAIL: the lookup fails; a name
 * with no line: NXDOMAIN; a name with lines of other types: NODATA; "~"
 * in a zone name stands for a space). The
 * DNS counts its lookups, so a case can prove a name was never asked.
 */
#include "autoconf.h"
#include <time.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <strings.h>

#include "spf_eval.h"
#include "spf_macro.h"
#include "spf_record.h"
#include "unit.h"

struct tdns {
	const char *zone;          /* lines "name TYPE value" */
	const char *nul_txt;       /* one more TXT record (with a NUL) for nul_name */
	size_t nul_len;
	const char *nul_name;
	char asked[64][300];       /* "TYPE name" of every lookup */
	int nasked;
};

static const char *const rr_names[] = { "TXT", "A", "AAAA", "MX", "PTR" };

/* same_name - name equals the zone's n bytes at z ("~" there: a space) */
static int
same_name(const char *name, const char *z, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (tolower((unsigned char)name[i]) != tolower((unsigned char)(z[i] == '~' ? ' ' : z[i])))
			return 0;
	return 1;
}

/* tlookup - the table DNS */
static enum spf_dns_rc
tlookup(void *arg, const char *name, enum spf_rr t, struct spf_rrset *out)
{
	struct tdns *d = arg;
	const char *p = d->zone;
	int exists = 0;

	if (d->nasked < 64)
		snprintf(d->asked[d->nasked++], sizeof(d->asked[0]), "%s %s", rr_names[t], name);
	if (d->nul_name && strcasecmp(name, d->nul_name) == 0 && t == SPF_RR_TXT) {
		spf_rrset_add_text(out, d->nul_txt, d->nul_len);
		exists = 1;
	}
	while (p && *p) {
		const char *eol = strchr(p, '\n'), *sp1 = strchr(p, ' '), *sp2;
		size_t nl, ll;

		if (eol == NULL)
			eol = p + strlen(p);
		ll = (size_t)(eol - p);
		sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
		ck_assert_msg(sp1 && sp2 && sp2 < eol, "bad zone line %.40s", p);
		nl = (size_t)(sp1 - p);
		if (strlen(name) == nl && same_name(name, p, nl)) {
			size_t tl = (size_t)(sp2 - sp1 - 1), vl = ll - (size_t)(sp2 + 1 - p);
			const char *v = sp2 + 1;
			char val[4200];

			exists = 1;
			if (tl == strlen(rr_names[t]) && strncmp(sp1 + 1, rr_names[t], tl) == 0) {
				snprintf(val, sizeof(val), "%.*s", (int)vl, v);
				if (strcmp(val, "TEMPFAIL") == 0)
					return SPF_DNS_TEMPFAIL;
				if (t == SPF_RR_A || t == SPF_RR_AAAA) {
					struct addr a;

					memset(&a, 0, sizeof(a));
					a.family = t == SPF_RR_A ? AF_INET : AF_INET6;
					ck_assert_int_eq(inet_pton(a.family, val, a.b), 1);
					spf_rrset_add_addr(out, &a);
				} else
					spf_rrset_add_text(out, val, vl);
			}
		}
		p = *eol ? eol + 1 : eol;
	}
	return !exists ? SPF_DNS_NXDOMAIN : out->total ? SPF_DNS_OK : SPF_DNS_NODATA;
}

/* asked - was "TYPE name" looked up? */
static int
asked(const struct tdns *d, const char *what)
{
	for (int i = 0; i < d->nasked; i++)
		if (strcasecmp(d->asked[i], what) == 0)
			return 1;
	return 0;
}

/* eval - run spf_eval for client ip and sender over zone */
static enum spf_eval_res
eval(struct tdns *d, const char *ip, const char *sender, struct spf_outcome *out)
{
	struct spf_dns dns = { tlookup, d };
	struct spf_request rq;

	memset(&rq, 0, sizeof(rq));
	rq.ip.family = strchr(ip, ':') ? AF_INET6 : AF_INET;
	ck_assert_int_eq(inet_pton(rq.ip.family, ip, rq.ip.b), 1);
	rq.sender = sender;
	rq.helo = "mail.example.org";
	rq.receiver = "mx.example.net";
	rq.now = 1700000000;
	rq.want_exp = 1;
	spf_eval(&dns, &rq, out);
	return out->res;
}

struct tcase_row {
	const char *section, *what, *zone, *ip, *sender;
	enum spf_eval_res want;
	const char *why;           /* substring of out.why, or NULL */
	int voids;                 /* void lookups counted, when > 0 */
};

#define R(name, v) name " TXT " v "\n"
static const struct tcase_row rows[] = {
	/* the usual results (2.6, 4.6.2) */
	{ "2.6.1 pass", "ip4 match", R("example.com", "v=spf1 ip4:192.0.2.1 -all"), "192.0.2.1", "a@example.com", SPF_EV_PASS, NULL, 0 },
	{ "2.6.4 fail", "-all", R("example.com", "v=spf1 ip4:192.0.2.1 -all"), "192.0.2.9", "a@example.com", SPF_EV_FAIL, NULL, 0 },
	{ "2.6.5 softfail", "~all", R("example.com", "v=spf1 ~all"), "192.0.2.9", "a@example.com", SPF_EV_SOFTFAIL, NULL, 0 },
	{ "2.6.3 neutral", "?all", R("example.com", "v=spf1 ?all"), "192.0.2.9", "a@example.com", SPF_EV_NEUTRAL, NULL, 0 },
	{ "4.7 neutral", "no match, no redirect", R("example.com", "v=spf1 ip4:192.0.2.1"), "192.0.2.9", "a@example.com", SPF_EV_NEUTRAL, NULL, 0 },
	{ "2.6.1 none", "no record", "example.com A 192.0.2.1\n", "192.0.2.9", "a@example.com", SPF_EV_NONE, NULL, 0 },
	{ "4.4 temperror", "TXT lookup fails", "example.com TXT TEMPFAIL\n", "192.0.2.9", "a@example.com", SPF_EV_TEMPERROR, NULL, 0 },
	{ "4.3 none", "single-label domain", "", "192.0.2.9", "a@localhost", SPF_EV_NONE, NULL, 0 },
	{ "4.3 none", "label over 63", "", "192.0.2.9", "a@x1234567890123456789012345678901234567890123456789012345678901234.com", SPF_EV_NONE, NULL, 0 },
	/* 4.5 record selection */
	{ "4.5", "two v=spf1 records", R("example.com", "v=spf1 +all") R("example.com", "v=spf1 -all"), "192.0.2.9", "a@example.com", SPF_EV_PERMERROR, "more than one", 0 },
	{ "4.5", "v=spf10 is not a record", R("example.com", "v=spf10 +all"), "192.0.2.9", "a@example.com", SPF_EV_NONE, NULL, 0 },
	{ "4.5", "version is case-insensitive", R("example.com", "V=SpF1 +ALL") R("example.com", "other text"), "192.0.2.9", "a@example.com", SPF_EV_PASS, NULL, 0 },
	{ "4.5", "v=spf1 alone", R("example.com", "v=spf1"), "192.0.2.9", "a@example.com", SPF_EV_NEUTRAL, NULL, 0 },
	/* issue 14, false fail: permerror per the ABNF */
	{ "7.1 toplabel", "a:foo.example.123", R("example.com", "v=spf1 a:foo.example.123 -all"), "192.0.2.9", "a@example.com", SPF_EV_PERMERROR, "top label", 0 },
	{ "7.1 toplabel", "a:example (no dot)", R("example.com", "v=spf1 a:example -all"), "192.0.2.9", "a@example.com", SPF_EV_PERMERROR, "top label", 0 },
	{ "7.1 toplabel", "toplabel ending in -", R("example.com", "v=spf1 include:foo.bar- -all"), "192.0.2.9", "a@example.com", SPF_EV_PERMERROR, "top label", 0 },
	{ "6.2", "exp= with an empty domain", R("example.com", "v=spf1 -all exp="), "192.0.2.9", "a@example.com", SPF_EV_PERMERROR, "empty domain", 0 },
	{ "7.1", "exp=%{c} outside explanation text", R("example.com", "v=spf1 -all exp=%{c}.example.com"), "192.0.2.9", "a@example.com", SPF_EV_PERMERROR, "only in explanation", 0 },
	{ "7.1", "%{t} in a mechanism", R("example.com", "v=spf1 exists:%{t}.example.com -all"), "192.0.2.9", "a@example.com", SPF_EV_PERMERROR, "only in explanation", 0 },
	{ "7.1", "a name with a space (%_) is asked", R("example.com", "v=spf1 a:x%_y.example.com -all") "x~y.example.com A 192.0.2.9\n", "192.0.2.9", "a@example.com", SPF_EV_PASS, NULL, 0 },
	/* issue 14, valid but refused */
	{ "5.6 cidr", "ip4:0.0.0.0/0", R("example.com", "v=spf1 ip4:0.0.0.0/0 -all"), "203.0.113.7", "a@example.com", SPF_EV_PASS, NULL, 0 },
	{ "5.3 cidr", "a/0", R("example.com", "v=spf1 a/0 -all") "example.com A 10.0.0.1\n", "203.0.113.7", "a@example.com", SPF_EV_PASS, NULL, 0 },
	{ "5.4 cidr", "mx//0 for IPv6", R("example.com", "v=spf1 mx//0 -all") "example.com MX mx.example.com\nmx.example.com AAAA 2001:db8::1\n", "2001:db8:ffff::7", "a@example.com", SPF_EV_PASS, NULL, 0 },
	{ "5.6 cidr", "ip6 /48", R("example.com", "v=spf1 ip6:2001:db8:1::/48 -all"), "2001:db8:1:ffff::1", "a@example.com", SPF_EV_PASS, NULL, 0 },
	{ "5.6 cidr", "ip6 /48 outside", R("example.com", "v=spf1 ip6:2001:db8:1::/48 -all"), "2001:db8:2::1", "a@example.com", SPF_EV_FAIL, NULL, 0 },
	{ "5.6 cidr", "ip6 /127", R("example.com", "v=spf1 ip6:2001:db8::2/127 -all"), "2001:db8::3", "a@example.com", SPF_EV_PASS, NULL, 0 },
	{ "7.1", "a:foo:bar/baz.example.com", R("example.com", "v=spf1 a:foo:bar/baz.example.com -all") "foo:bar/baz.example.com A 192.0.2.9\n", "192.0.2.9", "a@example.com", SPF_EV_PASS, NULL, 0 },
	{ "4.6.1", "modifier name with . - _", R("example.com", "v=spf1 x.y-z_w=%{d} ip4:192.0.2.9 -all"), "192.0.2.9", "a@example.com", SPF_EV_PASS, NULL, 0 },
	{ "6.1", "redirect= first, mechanisms after", R("example.com", "v=spf1 redirect=_spf.example.com ip4:192.0.2.9") R("_spf.example.com", "v=spf1 -all"), "192.0.2.9", "a@example.com", SPF_EV_PASS, NULL, 0 },
	{ "6.1", "redirect= first, no mechanism matches", R("example.com", "v=spf1 redirect=_spf.example.com ip4:192.0.2.9") R("_spf.example.com", "v=spf1 -all"), "192.0.2.1", "a@example.com", SPF_EV_FAIL, NULL, 0 },
	{ "6.1", "redirect= ignored with all", R("example.com", "v=spf1 redirect=_spf.example.com ?all") R("_spf.example.com", "v=spf1 -all"), "192.0.2.1", "a@example.com", SPF_EV_NEUTRAL, NULL, 0 },
	/* issue 14, invalid but accepted */
	{ "5.6 cidr", "leading zero /032", R("example.com", "v=spf1 ip4:192.0.2.9/032 -all"), "192.0.2.9", "a@example.com", SPF_EV_PERMERROR, NULL, 0 },
	{ "5.6 cidr", "leading zero /09", R("example.com", "v=spf1 ip4:192.0.2.9/09 -all"), "192.0.2.9", "a@example.com", SPF_EV_PERMERROR, NULL, 0 },
	{ "5.6 cidr", "leading zero ip6 /064", R("example.com", "v=spf1 ip6:2001:db8::/064 -all"), "192.0.2.9", "a@example.com", SPF_EV_PERMERROR, NULL, 0 },
	{ "5.4 cidr", "leading zero mx//064", R("example.com", "v=spf1 mx//064 -all"), "192.0.2.9", "a@example.com", SPF_EV_PERMERROR, NULL, 0 },
	{ "5.3 cidr", "leading zero a/024", R("example.com", "v=spf1 a/024 -all"), "192.0.2.9", "a@example.com", SPF_EV_PERMERROR, NULL, 0 },
	{ "5.6 cidr", "ip4 /33", R("example.com", "v=spf1 ip4:192.0.2.9/33 -all"), "192.0.2.9", "a@example.com", SPF_EV_PERMERROR, NULL, 0 },
	{ "5.6 cidr", "ip6 /129", R("example.com", "v=spf1 ip6:::1/129 -all"), "192.0.2.9", "a@example.com", SPF_EV_PERMERROR, NULL, 0 },
	{ "5.6", "ip4 address with leading zero", R("example.com", "v=spf1 ip4:192.0.02.9 -all"), "192.0.2.9", "a@example.com", SPF_EV_PERMERROR, NULL, 0 },
	{ "4.6.1", "error after a match is still permerror", R("example.com", "v=spf1 +all foo:bar"), "192.0.2.9", "a@example.com", SPF_EV_PERMERROR, "unknown mechanism", 0 },
	{ "6", "redirect= twice", R("example.com", "v=spf1 redirect=a.example.com redirect=b.example.com"), "192.0.2.9", "a@example.com", SPF_EV_PERMERROR, "twice", 0 },
	{ "6", "exp= twice", R("example.com", "v=spf1 -all exp=a.example.com exp=b.example.com"), "192.0.2.9", "a@example.com", SPF_EV_PERMERROR, "twice", 0 },
	{ "7.1", "transformer 0", R("example.com", "v=spf1 exists:%{d0}.x.example.com -all"), "192.0.2.9", "a@example.com", SPF_EV_PERMERROR, "transformer", 0 },
	{ "7.1", "unknown macro letter", R("example.com", "v=spf1 exists:%{q}.example.com -all"), "192.0.2.9", "a@example.com", SPF_EV_PERMERROR, "macro letter", 0 },
	{ "7.1", "lone %", R("example.com", "v=spf1 exists:50%.example.com -all"), "192.0.2.9", "a@example.com", SPF_EV_PERMERROR, NULL, 0 },
	{ "3.1", "non-ASCII in a term", R("example.com", "v=spf1 a:\xc3\xa9.example.com -all"), "192.0.2.9", "a@example.com", SPF_EV_PERMERROR, "ASCII", 0 },
	{ "4.6.1", "tab is no separator", R("example.com", "v=spf1 ip4:192.0.2.9\t-all"), "192.0.2.9", "a@example.com", SPF_EV_PERMERROR, NULL, 0 },
	{ "5.1", "all with an argument", R("example.com", "v=spf1 -all:foo"), "192.0.2.9", "a@example.com", SPF_EV_PERMERROR, NULL, 0 },
	{ "5.5", "ptr with a prefix length", R("example.com", "v=spf1 ptr/24 -all"), "192.0.2.9", "a@example.com", SPF_EV_PERMERROR, NULL, 0 },
	{ "5.7", "exists without a domain", R("example.com", "v=spf1 exists -all"), "192.0.2.9", "a@example.com", SPF_EV_PERMERROR, NULL, 0 },
	{ "5.6", "ip4 with dual cidr", R("example.com", "v=spf1 ip4:192.0.2.9//64 -all"), "192.0.2.9", "a@example.com", SPF_EV_PERMERROR, NULL, 0 },
	/* 5.2 include results */
	{ "5.2", "include pass matches", R("example.com", "v=spf1 include:i.example.com -all") R("i.example.com", "v=spf1 +all"), "192.0.2.9", "a@example.com", SPF_EV_PASS, NULL, 0 },
	{ "5.2", "include fail does not match", R("example.com", "v=spf1 include:i.example.com ~all") R("i.example.com", "v=spf1 -all"), "192.0.2.9", "a@example.com", SPF_EV_SOFTFAIL, NULL, 0 },
	{ "5.2", "include temperror propagates", R("example.com", "v=spf1 include:i.example.com -all") "i.example.com TXT TEMPFAIL\n", "192.0.2.9", "a@example.com", SPF_EV_TEMPERROR, NULL, 0 },
	{ "5.2", "include permerror propagates", R("example.com", "v=spf1 include:i.example.com -all") R("i.example.com", "v=spf1 bogus"), "192.0.2.9", "a@example.com", SPF_EV_PERMERROR, NULL, 0 },
	{ "5.2", "include none is permerror", R("example.com", "v=spf1 include:i.example.com -all") "i.example.com A 192.0.2.1\n", "192.0.2.9", "a@example.com", SPF_EV_PERMERROR, "without SPF record", 0 },
	{ "6.1", "redirect none is permerror", R("example.com", "v=spf1 redirect=r.example.com") "r.example.com A 192.0.2.1\n", "192.0.2.9", "a@example.com", SPF_EV_PERMERROR, "without SPF record", 0 },
	{ "6.1", "redirect result is the result", R("example.com", "v=spf1 redirect=r.example.com") R("r.example.com", "v=spf1 ~all"), "192.0.2.9", "a@example.com", SPF_EV_SOFTFAIL, NULL, 0 },
	/* 4.6.4 void lookups */
	{ "4.6.4 void", "two void lookups are fine", R("example.com", "v=spf1 a:n1.example.com a:n2.example.com -all"), "192.0.2.9", "a@example.com", SPF_EV_FAIL, NULL, 0 },
	{ "4.6.4 void", "a third is permerror", R("example.com", "v=spf1 a:n1.example.com a:n2.example.com mx:n3.example.com -all"), "192.0.2.9", "a@example.com", SPF_EV_PERMERROR, "void", 0 },
	{ "4.6.4 void", "NODATA is void too", R("example.com", "v=spf1 a:n1.example.com a:n2.example.com a -all"), "192.0.2.9", "a@example.com", SPF_EV_PERMERROR, "void", 0 },
	{ "4.6.4 void", "exp= lookup is not void", R("example.com", "v=spf1 a:n1.example.com a:n2.example.com -all exp=n3.example.com"), "192.0.2.9", "a@example.com", SPF_EV_FAIL, NULL, 2 },
	{ "6.2", "exp= failing lookup keeps fail", R("example.com", "v=spf1 -all exp=e.example.com") "e.example.com TXT TEMPFAIL\n", "192.0.2.9", "a@example.com", SPF_EV_FAIL, NULL, 0 },
	{ "6.2", "exp= with a bad macro keeps fail", R("example.com", "v=spf1 -all exp=e.example.com") R("e.example.com", "bad %{q} macro"), "192.0.2.9", "a@example.com", SPF_EV_FAIL, NULL, 0 },
	/* 5.4 mx */
	{ "5.4", "mx match", R("example.com", "v=spf1 mx -all") "example.com MX mx1.example.com\nmx1.example.com A 192.0.2.9\n", "192.0.2.9", "a@example.com", SPF_EV_PASS, NULL, 0 },
	{ "5.4", "mx A lookup fails: temperror", R("example.com", "v=spf1 mx -all") "example.com MX mx1.example.com\nmx1.example.com A TEMPFAIL\n", "192.0.2.9", "a@example.com", SPF_EV_TEMPERROR, NULL, 0 },
	/* 5.5 ptr */
	{ "5.5", "ptr: a failed A lookup skips that name", R("example.com", "v=spf1 ptr -all") "9.2.0.192.in-addr.arpa PTR bad.example.com\n9.2.0.192.in-addr.arpa PTR good.example.com\nbad.example.com A TEMPFAIL\ngood.example.com A 192.0.2.9\n", "192.0.2.9", "a@example.com", SPF_EV_PASS, NULL, 0 },
	{ "5.5", "ptr: PTR lookup error is no match", R("example.com", "v=spf1 ptr ~all") "9.2.0.192.in-addr.arpa PTR TEMPFAIL\n", "192.0.2.9", "a@example.com", SPF_EV_SOFTFAIL, NULL, 0 },
	{ "5.5", "ptr: unvalidated name does not match", R("example.com", "v=spf1 ptr -all") "9.2.0.192.in-addr.arpa PTR host.example.com\nhost.example.com A 192.0.2.1\n", "192.0.2.9", "a@example.com", SPF_EV_FAIL, NULL, 0 },
	{ "5.5", "ptr:domain matches a subdomain only at a dot", R("example.com", "v=spf1 ptr:ample.com -all") "9.2.0.192.in-addr.arpa PTR host.example.com\nhost.example.com A 192.0.2.9\n", "192.0.2.9", "a@example.com", SPF_EV_FAIL, NULL, 0 },
	{ "5.5", "ptr for IPv6", R("example.com", "v=spf1 ptr -all") "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa PTR h.example.com\nh.example.com AAAA 2001:db8::1\n", "2001:db8::1", "a@example.com", SPF_EV_PASS, NULL, 0 },
	/* 5 with IPv4-mapped IPv6 clients */
	{ "5", "v4-mapped client is IPv4", R("example.com", "v=spf1 ip4:192.0.2.9 -all"), "::ffff:192.0.2.9", "a@example.com", SPF_EV_PASS, NULL, 0 },
	{ "5", "v4-mapped client asks A", R("example.com", "v=spf1 a -all") "example.com A 192.0.2.9\n", "::ffff:192.0.2.9", "a@example.com", SPF_EV_PASS, NULL, 0 },
	{ "5.6", "ip6 never matches an IPv4 client", R("example.com", "v=spf1 ip6:::/0 -all"), "192.0.2.9", "a@example.com", SPF_EV_FAIL, NULL, 0 },
	{ "5.7", "exists asks A even for IPv6", R("example.com", "v=spf1 exists:%{ir}.%{v}.e.example.com -all") "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.e.example.com A 127.0.0.2\n", "2001:db8::1", "a@example.com", SPF_EV_PASS, NULL, 0 },
	/* 7 macros */
	{ "7.3", "%{l} %{o} %{d}", R("example.com", "v=spf1 exists:%{l}.%{o}.%{d2}.m.example.com -all") "john.example.com.example.com.m.example.com A 127.0.0.2\n", "192.0.2.9", "john@example.com", SPF_EV_PASS, NULL, 0 },
	{ "4.3", "no local part: postmaster", R("example.com", "v=spf1 exists:%{l}.m.example.com -all") "postmaster.m.example.com A 127.0.0.2\n", "192.0.2.9", "@example.com", SPF_EV_PASS, NULL, 0 },
	{ "4.3", "null sender: postmaster@helo", R("mail.example.org", "v=spf1 exists:%{s}.m.example.com -all") "postmaster@mail.example.org.m.example.com A 127.0.0.2\n", "192.0.2.9", "", SPF_EV_PASS, NULL, 0 },
	{ "7.3", "%{h}", R("example.com", "v=spf1 exists:%{h}.m.example.com -all") "mail.example.org.m.example.com A 127.0.0.2\n", "192.0.2.9", "a@example.com", SPF_EV_PASS, NULL, 0 },
	{ "7.3", "%{lr-} and %{l1r-}", R("example.com", "v=spf1 exists:%{lr-}.%{l1r-}.m.example.com -all") "bad.strong.strong.m.example.com A 127.0.0.2\n", "192.0.2.9", "strong-bad@example.com", SPF_EV_PASS, NULL, 0 },
	{ "7.3", "%{p} validated name", R("example.com", "v=spf1 exists:%{p}.m.example.com -all") "9.2.0.192.in-addr.arpa PTR other.org\n9.2.0.192.in-addr.arpa PTR h.example.com\nh.example.com A 192.0.2.9\nother.org A 192.0.2.9\nh.example.com.m.example.com A 127.0.0.2\n", "192.0.2.9", "a@example.com", SPF_EV_PASS, NULL, 0 },
	{ "7.3", "%{p} with nothing validated: unknown", R("example.com", "v=spf1 exists:%{p}.m.example.com -all") "unknown.m.example.com A 127.0.0.2\n", "192.0.2.9", "a@example.com", SPF_EV_PASS, NULL, 0 },
	{ "7.3", "upper-case macro is URL-escaped", R("example.com", "v=spf1 exists:%{L}.m.example.com -all") "a%2Bb.m.example.com A 127.0.0.2\n", "192.0.2.9", "a+b@example.com", SPF_EV_PASS, NULL, 0 },
	{ "7.1", "%% %- in a name", R("example.com", "v=spf1 exists:a%%b%-c.example.com -all") "a%b%20c.example.com A 127.0.0.2\n", "192.0.2.9", "a@example.com", SPF_EV_PASS, NULL, 0 },
	{ "7.1", "domain-spec may end in a macro", R("example.com", "v=spf1 a:%{d} -all") "example.com A 192.0.2.9\n", "192.0.2.9", "a@example.com", SPF_EV_PASS, NULL, 0 },
	{ "7.1", "trailing dot after toplabel", R("example.com", "v=spf1 a:host.example.com. -all") "host.example.com A 192.0.2.9\n", "192.0.2.9", "a@example.com", SPF_EV_PASS, NULL, 0 },
	{ "7.1 errata", "toplabel with a dash and digits", R("example.com", "v=spf1 a:host.123-4 -all") "host.123-4 A 192.0.2.9\n", "192.0.2.9", "a@example.com", SPF_EV_PASS, NULL, 0 },
};

START_TEST(rfc7208_sections)
{
	const struct tcase_row *r = &rows[_i];
	struct tdns d = { .zone = r->zone };
	struct spf_outcome out;

	eval(&d, r->ip, r->sender, &out);
	ck_assert_msg(out.res == r->want, "RFC 7208 %s (%s): got %s (%s), want %s", r->section, r->what,
	    spf_eval_res_name(out.res), out.why, spf_eval_res_name(r->want));
	if (r->voids)
		ck_assert_msg(out.voids == (unsigned)r->voids, "RFC 7208 %s (%s): %u void lookups, want %d",
		    r->section, r->what, out.voids, r->voids);
	if (r->why)
		ck_assert_msg(strstr(out.why, r->why) != NULL, "RFC 7208 %s (%s): why \"%s\" lacks \"%s\"",
		    r->section, r->what, out.why, r->why);
}
END_TEST

/* zone_add - append printf-formatted zone lines to a growing buffer */
static void
zone_add(char *z, size_t zs, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void
zone_add(char *z, size_t zs, const char *fmt, ...)
{
	size_t l = strlen(z);
	va_list ap;

	va_start(ap, fmt);
	ck_assert_int_lt(vsnprintf(z + l, zs - l, fmt, ap), (int)(zs - l));
	va_end(ap);
}

START_TEST(nul_inside_a_record_is_permerror_not_cut)
{
	/* 3.3 / 4.5: the record "v=spf1 ip4:192.0.2.9\0 -all" used to be cut
	 * at the NUL and its prefix evaluated (pass) */
	static const char rec[] = "v=spf1 ip4:192.0.2.9\0 -all";
	struct tdns d = { .zone = "", .nul_txt = rec, .nul_len = sizeof(rec) - 1, .nul_name = "example.com" };
	struct spf_outcome out;

	ck_assert_int_eq(eval(&d, "192.0.2.9", "a@example.com", &out), SPF_EV_PERMERROR);
	ck_assert_ptr_nonnull(strstr(out.why, "NUL"));
}
END_TEST

START_TEST(dns_terms_are_counted_across_include_and_redirect)
{
	/* 4.6.4: 4 a + include (5) + 3 a inside (8) + redirect (9) + a:h8 (10) + a:h9 (11) */
	char z[4096] = "";
	struct tdns d;
	struct spf_outcome out;
	int i;

	zone_add(z, sizeof(z), R("example.com", "v=spf1 a:h1.example.com a:h2.example.com a:h3.example.com a:h4.example.com include:i.example.com redirect=r.example.com"));
	zone_add(z, sizeof(z), R("i.example.com", "v=spf1 a:h5.example.com a:h6.example.com a:h7.example.com ?all"));
	zone_add(z, sizeof(z), R("r.example.com", "v=spf1 a:h8.example.com a:h9.example.com ip4:192.0.2.9"));
	for (i = 1; i <= 9; i++)
		zone_add(z, sizeof(z), "h%d.example.com A 10.0.0.%d\n", i, i);
	memset(&d, 0, sizeof(d));
	d.zone = z;
	ck_assert_int_eq(eval(&d, "192.0.2.9", "a@example.com", &out), SPF_EV_PERMERROR);
	ck_assert_ptr_nonnull(strstr(out.why, "more than 10 DNS"));
	ck_assert(asked(&d, "A h8.example.com"));
	ck_assert(!asked(&d, "A h9.example.com"));
	ck_assert_uint_eq(out.dns_terms, 11);

	/* one DNS term fewer: the ip4 after it decides */
	z[0] = 0;
	zone_add(z, sizeof(z), R("example.com", "v=spf1 a:h1.example.com a:h2.example.com a:h3.example.com a:h4.example.com include:i.example.com redirect=r.example.com"));
	zone_add(z, sizeof(z), R("i.example.com", "v=spf1 a:h5.example.com a:h6.example.com a:h7.example.com ?all"));
	zone_add(z, sizeof(z), R("r.example.com", "v=spf1 a:h8.example.com ip4:192.0.2.9"));
	for (i = 1; i <= 9; i++)
		zone_add(z, sizeof(z), "h%d.example.com A 10.0.0.%d\n", i, i);
	memset(&d, 0, sizeof(d));
	d.zone = z;
	ck_assert_int_eq(eval(&d, "192.0.2.9", "a@example.com", &out), SPF_EV_PASS);
	ck_assert_str_eq(out.term, "ip4:192.0.2.9");
}
END_TEST

START_TEST(eleventh_dns_term_is_never_evaluated)
{
	/* 4.6.4: the 11th a: would match, but is permerror and never asked */
	char z[4096] = "", rec[1024] = "v=spf1";
	struct tdns d;
	struct spf_outcome out;
	int i;

	for (i = 1; i <= 11; i++) {
		snprintf(rec + strlen(rec), sizeof(rec) - strlen(rec), " a:h%d.example.com", i);
		zone_add(z, sizeof(z), "h%d.example.com A %s\n", i, i == 11 ? "192.0.2.9" : "10.0.0.1");
	}
	zone_add(z, sizeof(z), "example.com TXT %s -all\n", rec);
	memset(&d, 0, sizeof(d));
	d.zone = z;
	ck_assert_int_eq(eval(&d, "192.0.2.9", "a@example.com", &out), SPF_EV_PERMERROR);
	ck_assert(asked(&d, "A h10.example.com"));
	ck_assert(!asked(&d, "A h11.example.com"));
}
END_TEST

START_TEST(mx_with_more_than_10_names_is_permerror_before_any_match)
{
	/* 4.6.4: the first MX name matches, but 11 names are permerror */
	char z[4096] = "";
	struct tdns d;
	struct spf_outcome out;
	int i;

	zone_add(z, sizeof(z), R("example.com", "v=spf1 mx -all"));
	for (i = 1; i <= 11; i++)
		zone_add(z, sizeof(z), "example.com MX mx%d.example.com\nmx%d.example.com A 192.0.2.9\n", i, i);
	memset(&d, 0, sizeof(d));
	d.zone = z;
	ck_assert_int_eq(eval(&d, "192.0.2.9", "a@example.com", &out), SPF_EV_PERMERROR);
	ck_assert_ptr_nonnull(strstr(out.why, "MX"));
	ck_assert(!asked(&d, "A mx1.example.com"));

	z[0] = 0;                           /* exactly 10: fine */
	zone_add(z, sizeof(z), R("example.com", "v=spf1 mx -all"));
	for (i = 1; i <= 10; i++)
		zone_add(z, sizeof(z), "example.com MX mx%d.example.com\nmx%d.example.com A 10.0.0.%d\n", i, i, i);
	zone_add(z, sizeof(z), "mx10.example.com A 192.0.2.9\n");
	memset(&d, 0, sizeof(d));
	d.zone = z;
	ck_assert_int_eq(eval(&d, "192.0.2.9", "a@example.com", &out), SPF_EV_PASS);
}
END_TEST

START_TEST(ptr_names_beyond_10_are_ignored)
{
	/* 4.6.4 / 5.5: only the first 10 PTR names are validated */
	char z[4096] = "";
	struct tdns d;
	struct spf_outcome out;
	int i;

	zone_add(z, sizeof(z), R("example.com", "v=spf1 ptr -all"));
	for (i = 1; i <= 11; i++)
		zone_add(z, sizeof(z), "9.2.0.192.in-addr.arpa PTR p%d.example.com\np%d.example.com A %s\n", i, i,
		    i == 11 ? "192.0.2.9" : "10.0.0.1");
	memset(&d, 0, sizeof(d));
	d.zone = z;
	ck_assert_int_eq(eval(&d, "192.0.2.9", "a@example.com", &out), SPF_EV_FAIL);
	ck_assert(!asked(&d, "A p11.example.com"));
}
END_TEST

START_TEST(long_record_26_ip6_then_ip4_and_all_is_whole)
{
	/* libspf2 cut this record's compiled form at 511 bytes (neutral) */
	char z[8192] = "", rec[4096] = "v=spf1";
	struct tdns d;
	struct spf_outcome out;
	int i;

	for (i = 0; i < 26; i++)
		snprintf(rec + strlen(rec), sizeof(rec) - strlen(rec), " ip6:2001:db8:%x:%x::/64", 0x1000 + i, i);
	snprintf(rec + strlen(rec), sizeof(rec) - strlen(rec), " ip4:192.0.2.9 -all");
	ck_assert_uint_gt(strlen(rec), 600);
	zone_add(z, sizeof(z), "example.com TXT %s\n", rec);
	memset(&d, 0, sizeof(d));
	d.zone = z;
	ck_assert_int_eq(eval(&d, "192.0.2.9", "a@example.com", &out), SPF_EV_PASS);
	ck_assert_str_eq(out.term, "ip4:192.0.2.9");
	ck_assert_int_eq(eval(&d, "192.0.2.10", "a@example.com", &out), SPF_EV_FAIL);
	ck_assert_str_eq(out.term, "-all");
	ck_assert_int_eq(eval(&d, "2001:db8:1019:19::1", "a@example.com", &out), SPF_EV_PASS);
}
END_TEST

START_TEST(ten_long_includes_then_ip4_and_all_evaluate)
{
	char z[8192] = "", rec[4096] = "v=spf1";
	struct tdns d;
	struct spf_outcome out;
	int i;

	for (i = 0; i < 10; i++) {
		char name[128];

		snprintf(name, sizeof(name), "spf%d.a-rather-long-label-for-a-large-sender-xxxxxxxxxxxxx.mail.example.com", i);
		snprintf(rec + strlen(rec), sizeof(rec) - strlen(rec), " include:%s", name);
		zone_add(z, sizeof(z), "%s TXT v=spf1 ip4:10.%d.0.0/16 ?all\n", name, i);
	}
	snprintf(rec + strlen(rec), sizeof(rec) - strlen(rec), " ip4:192.0.2.9 -all");
	ck_assert_uint_gt(strlen(rec), 800);
	zone_add(z, sizeof(z), "example.com TXT %s\n", rec);
	memset(&d, 0, sizeof(d));
	d.zone = z;
	ck_assert_int_eq(eval(&d, "192.0.2.9", "a@example.com", &out), SPF_EV_PASS);
	ck_assert_int_eq(eval(&d, "10.9.1.1", "a@example.com", &out), SPF_EV_PASS);
	ck_assert_ptr_nonnull(strstr(out.term, "include:spf9."));
	ck_assert_int_eq(eval(&d, "192.0.2.10", "a@example.com", &out), SPF_EV_FAIL);
}
END_TEST

START_TEST(record_size_is_bounded_and_nothing_is_cut)
{
	char *rec = malloc(SPF_RECORD_MAX + 2);
	struct spf_record r;
	size_t n;

	ck_assert_ptr_nonnull(rec);
	strcpy(rec, "v=spf1");
	while ((n = strlen(rec)) + 15 <= SPF_RECORD_MAX - 5)
		strcat(rec, " ip4:10.0.0.1");
	while (strlen(rec) < SPF_RECORD_MAX - 5)
		strcat(rec, " ");
	strcat(rec, " -all");
	ck_assert_uint_eq(strlen(rec), SPF_RECORD_MAX);
	ck_assert_ptr_null(spf_record_parse(rec, strlen(rec), &r));
	ck_assert_int_eq(r.term[r.nterms - 1].mech, SPF_MECH_ALL);      /* the last term is there */
	ck_assert_int_eq(r.term[r.nterms - 1].qual, '-');
	spf_record_free(&r);
	strcat(rec, "x");
	ck_assert_ptr_nonnull(spf_record_parse(rec, strlen(rec), &r));
	free(rec);
}
END_TEST

START_TEST(address_answer_larger_than_kept_is_never_a_false_fail)
{
	/* 70 A records, the client is the 70th: only 64 are kept, so a
	 * miss is temperror, not fail; a hit among the kept ones still counts */
	char z[8192] = "";
	struct tdns d;
	struct spf_outcome out;
	int i;

	zone_add(z, sizeof(z), R("example.com", "v=spf1 a:pool.example.com -all"));
	for (i = 1; i <= 70; i++)
		zone_add(z, sizeof(z), "pool.example.com A 10.0.0.%d\n", i);
	memset(&d, 0, sizeof(d));
	d.zone = z;
	ck_assert_int_eq(eval(&d, "10.0.0.70", "a@example.com", &out), SPF_EV_TEMPERROR);
	ck_assert_int_eq(eval(&d, "10.0.0.3", "a@example.com", &out), SPF_EV_PASS);
}
END_TEST

START_TEST(hostile_record_costs_bounded_lookups)
{
	/* a record of 1000 "a" terms: 10 DNS terms, then permerror */
	char z[8192] = "", rec[4096] = "v=spf1";
	struct tdns d;
	struct spf_outcome out;

	while (strlen(rec) + 3 < 3000)
		strcat(rec, " mx");
	zone_add(z, sizeof(z), "example.com TXT %s\nexample.com MX m.example.com\nm.example.com A 10.0.0.1\n", rec);
	memset(&d, 0, sizeof(d));
	d.zone = z;
	ck_assert_int_eq(eval(&d, "192.0.2.9", "a@example.com", &out), SPF_EV_PERMERROR);
	ck_assert_uint_le(out.lookups, 1 + 10 * 2);
}
END_TEST

START_TEST(explanation_only_for_fail_and_from_the_right_record)
{
	static const char zone[] =
	    R("example.com", "v=spf1 ip4:192.0.2.1 ~all exp=e.example.com")
	    R("f.example.com", "v=spf1 -all exp=e.example.com")
	    R("e.example.com", "%{c} is not one of %{d}'s hosts (%{r}, %{i}, %{t})")
	    R("i.example.com", "v=spf1 include:f.example.com -all exp=e2.example.com")
	    R("e2.example.com", "outer")
	    R("r.example.com", "v=spf1 redirect=f.example.com exp=e2.example.com")
	    R("n.example.com", "v=spf1 include:f.example.com exp=e2.example.com");
	struct tdns d = { .zone = zone };
	struct spf_outcome out;

	/* 6.2: softfail: no explanation, and the exp TXT not even asked */
	ck_assert_int_eq(eval(&d, "192.0.2.9", "a@example.com", &out), SPF_EV_SOFTFAIL);
	ck_assert_str_eq(out.exp, "");
	ck_assert(!asked(&d, "TXT e.example.com"));
	/* fail: expanded with c, r, t */
	ck_assert_int_eq(eval(&d, "192.0.2.9", "a@f.example.com", &out), SPF_EV_FAIL);
	ck_assert_str_eq(out.exp, "192.0.2.9 is not one of f.example.com's hosts (mx.example.net, 192.0.2.9, 1700000000)");
	/* 6.2: an include's exp= is not used; the outer record's is */
	ck_assert_int_eq(eval(&d, "192.0.2.9", "a@i.example.com", &out), SPF_EV_FAIL);
	ck_assert_str_eq(out.exp, "outer");
	/* the included record's fail is no match: default neutral, its term
	 * and explanation are not the outcome's */
	ck_assert_int_eq(eval(&d, "192.0.2.9", "a@n.example.com", &out), SPF_EV_NEUTRAL);
	ck_assert_str_eq(out.term, "");
	ck_assert_str_eq(out.exp, "");
	/* 6.2: after redirect=, the target's exp= replaces the original's */
	ck_assert_int_eq(eval(&d, "192.0.2.9", "a@r.example.com", &out), SPF_EV_FAIL);
	ck_assert_str_eq(out.exp, "192.0.2.9 is not one of f.example.com's hosts (mx.example.net, 192.0.2.9, 1700000000)");
}
END_TEST

START_TEST(expanded_domain_over_253_loses_left_labels)
{
	/* 7.3: whole labels go from the left until the name fits 253 */
	char local[400] = "", sender[500], z[256];
	struct tdns d;
	struct spf_outcome out;
	int i;

	for (i = 0; i < 60; i++)
		strcat(local, i ? ".abcde" : "abcde");
	snprintf(sender, sizeof(sender), "%s@example.com", local);
	snprintf(z, sizeof(z), R("example.com", "v=spf1 exists:%%{l}.x.example.com -all"));
	memset(&d, 0, sizeof(d));
	d.zone = z;
	ck_assert_int_eq(eval(&d, "192.0.2.9", sender, &out), SPF_EV_FAIL);
	for (i = 0; i < d.nasked; i++)
		if (strncmp(d.asked[i], "A ", 2) == 0)
			break;
	ck_assert_int_lt(i, d.nasked);
	ck_assert_uint_le(strlen(d.asked[i] + 2), 253);
	ck_assert_uint_gt(strlen(d.asked[i] + 2), 253 - 6);
	ck_assert_int_eq(strncmp(d.asked[i] + 2, "abcde.", 6), 0);   /* starts at a label */
	ck_assert_ptr_nonnull(strstr(d.asked[i], ".abcde.x.example.com"));
}
END_TEST

START_TEST(sender_domain_with_an_empty_last_label_is_none_never_asked)
{
	/* 4.3: "example.com.." (one trailing dot of three dropped) has an empty label: none, no query */
	struct tdns d;
	struct spf_outcome out;

	memset(&d, 0, sizeof(d));
	d.zone = R("example.com", "v=spf1 -all");
	ck_assert_int_eq(eval(&d, "192.0.2.9", "a@example.com...", &out), SPF_EV_NONE);
	ck_assert_int_eq(d.nasked, 0);
}
END_TEST

START_TEST(macro_examples_of_section_7_4)
{
	struct addr a4 = { AF_INET, { 192, 0, 2, 3 } }, a6 = { AF_INET6, { 0x20, 0x01, 0x0d, 0xb8, [14] = 0xcb, [15] = 0x01 } };
	struct spf_macro_ctx m = { "strong-bad", "email.example.com", "email.example.com", &a4,
		"mx.example.org", "rcv.example.net", 0, NULL, NULL };
	static const char *const ex[][2] = {
		{ "%{s}", "strong-bad@email.example.com" }, { "%{o}", "email.example.com" },
		{ "%{d}", "email.example.com" }, { "%{d4}", "email.example.com" },
		{ "%{d3}", "email.example.com" }, { "%{d2}", "example.com" }, { "%{d1}", "com" },
		{ "%{dr}", "com.example.email" }, { "%{d2r}", "example.email" },
		{ "%{l}", "strong-bad" }, { "%{l-}", "strong.bad" }, { "%{lr}", "strong-bad" },
		{ "%{lr-}", "bad.strong" }, { "%{l1r-}", "strong" },
		{ "%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com" },
		{ "%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com" },
		{ "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com" },
		{ "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com" },
		{ "%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net" },
	};
	char out[300];
	size_t i;

	for (i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
		ck_assert_ptr_null(spf_macro_expand(ex[i][0], strlen(ex[i][0]), 0, &m, out, sizeof(out)));
		ck_assert_msg(strcmp(out, ex[i][1]) == 0, "7.4 %s: %s", ex[i][0], out);
	}
	m.ip = &a6;                          /* 7.4's IPv6 example (DNS ignores case) */
	ck_assert_ptr_null(spf_macro_expand("%{ir}.%{v}._spf.%{d2}", 21, 0, &m, out, sizeof(out)));
	ck_assert_str_eq(out, "1.0.B.C.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.ip6._spf.example.com");
	ck_assert_ptr_null(spf_macro_expand("%{c} via %{r}", 13, SPF_MS_EXP, &m, out, sizeof(out)));
	ck_assert_str_eq(out, "2001:db8::cb01 via rcv.example.net");
	/* 7.1: c, r, t only in explanation text */
	ck_assert_ptr_nonnull(spf_macro_check("%{c}.example.com", 16, SPF_MS_DOMAIN));
	ck_assert_ptr_null(spf_macro_check("%{c} %{r} %{t}", 14, SPF_MS_EXP));
}
END_TEST

START_TEST(macro_work_is_bounded_and_every_part_is_kept)
{
	/* review: a thousand %{S} of a 500-byte sender in one 4 KB term cost
	 * about 30 ms of CPU per expansion; and a value of more than 513
	 * delimiter-separated parts lost its right-hand parts */
	struct addr a4 = { AF_INET, { 192, 0, 2, 3 } };
	static char spec[4200], local[700];
	struct spf_macro_ctx m = { local, "evil.example", "evil.example", &a4, "h.example", "r.example", 0, NULL, NULL };
	char out[300];
	struct timespec t0, t1;
	size_t n = 0;
	double ms;

	memset(local, '+', 500);
	while (n + 4 < 4000) {
		memcpy(spec + n, "%{S}", 4);
		n += 4;
	}
	memcpy(spec + n, ".x.evil.example", 15);
	n += 15;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_ptr_eq(spf_macro_expand(spec, n, 0, &m, out, sizeof(out)), spf_macro_too_long);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	ck_assert_msg(ms < 5, "one hostile expansion took %.2f ms", ms);
	ck_assert_str_eq(out, "");
	/* a few big macros still expand (32 KB of work is far above real records) */
	ck_assert_ptr_null(spf_macro_expand("%{S}.%{S}.%{S}.x.example", 24, 0, &m, out, sizeof(out)));
	ck_assert_msg(strstr(out, "x.example") != NULL, "%s", out);

	memset(local, 0, sizeof(local));         /* "a" then 600 "-" then "zz": 602 parts */
	local[0] = 'a';
	memset(local + 1, '-', 600);
	memcpy(local + 601, "zz", 2);
	ck_assert_ptr_null(spf_macro_expand("%{l1-}.example.com", 18, 0, &m, out, sizeof(out)));
	ck_assert_str_eq(out, "zz.example.com");
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("spf_eval");
	TCase *t = tcase_create("core");

	tcase_add_loop_test(t, rfc7208_sections, 0, (int)(sizeof(rows) / sizeof(rows[0])));
	tcase_add_test(t, nul_inside_a_record_is_permerror_not_cut);
	tcase_add_test(t, dns_terms_are_counted_across_include_and_redirect);
	tcase_add_test(t, eleventh_dns_term_is_never_evaluated);
	tcase_add_test(t, mx_with_more_than_10_names_is_permerror_before_any_match);
	tcase_add_test(t, ptr_names_beyond_10_are_ignored);
	tcase_add_test(t, long_record_26_ip6_then_ip4_and_all_is_whole);
	tcase_add_test(t, ten_long_includes_then_ip4_and_all_evaluate);
	tcase_add_test(t, record_size_is_bounded_and_nothing_is_cut);
	tcase_add_test(t, hostile_record_costs_bounded_lookups);
	tcase_add_test(t, address_answer_larger_than_kept_is_never_a_false_fail);
	tcase_add_test(t, explanation_only_for_fail_and_from_the_right_record);
	tcase_add_test(t, expanded_domain_over_253_loses_left_labels);
	tcase_add_test(t, sender_domain_with_an_empty_last_label_is_none_never_asked);
	tcase_add_test(t, macro_examples_of_section_7_4);
	tcase_add_test(t, macro_work_is_bounded_and_every_part_is_kept);
	suite_add_tcase(s, t);
	return s;
}

UNIT_MAIN(suite)
