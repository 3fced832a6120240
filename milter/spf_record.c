/*
 * spf_record.c - the RFC 7208 record parser (4.5 selection, 4.6 terms,
 * 5 mechanisms, 6 modifiers, 7.1 macro ABNF through spf_macro_check).
 *
 * Exports spf_record_is_spf1, spf_record_parse, spf_record_free and
 * spf_mech_name. The record is copied twice into one allocation (the
 * terms as written, for logs, and a copy cut into NUL-terminated pieces),
 * plus one struct spf_term per term: memory is linear in the record's
 * length, which is at most SPF_RECORD_MAX, and time is linear too.
 * Failures are returned as a string (also kept in r->why); on failure
 * nothing stays allocated.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "spf_macro.h"
#include "spf_record.h"

static const char *const mech_names[SPF_MECH__N] = {
	"all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"
};

/* spf_mech_name - the mechanism's name as RFC 7208 writes it */
const char *
spf_mech_name(enum spf_mech m)
{
	return (unsigned)m < sizeof(mech_names) / sizeof(mech_names[0]) ? mech_names[m] : "?";
}

/* spf_record_is_spf1 - does this TXT record say "v=spf1" followed by SP or end (4.5)? */
int
spf_record_is_spf1(const char *txt, size_t len)
{
	return len >= 6 && strncasecmp(txt, "v=spf1", 6) == 0 && (len == 6 || txt[6] == ' ');
}

/* cidr_at_end - strip a trailing "/n" from s[0..*n) if it is one; -1 none, else n */
static int
cidr_at_end(const char *s, size_t *n, size_t maxdigits)
{
	size_t i = *n, d = 0;
	int v = 0;

	while (i > 0 && isdigit((unsigned char)s[i - 1]) && d <= maxdigits) {
		i--;
		d++;
	}
	if (d == 0 || d > maxdigits || i == 0 || s[i - 1] != '/' || (d > 1 && s[i] == '0'))
		return -1;
	for (size_t k = i; k < *n; k++)
		v = v * 10 + (s[k] - '0');
	*n = i - 1;
	return v;
}

/* ipnet - ip4/ip6 argument ":addr[/len]" into t; NULL or why */
static const char *
ipnet(char *arg, struct spf_term *t)
{
	int v6 = t->mech == SPF_MECH_IP6, len;
	size_t n = strlen(arg);

	if (arg[0] != ':' || n < 2)
		return "ip4/ip6 without an address";
	arg++;
	n--;
	len = cidr_at_end(arg, &n, v6 ? 3 : 2);
	if (len < 0 && memchr(arg, '/', n))
		return "bad prefix length";
	if (len > (v6 ? 128 : 32))
		return "prefix length out of range";
	arg[n] = 0;
	memset(&t->net, 0, sizeof(t->net));
	t->net.family = v6 ? AF_INET6 : AF_INET;
	if (inet_pton(t->net.family, arg, t->net.b) != 1)
		return v6 ? "bad IPv6 address" : "bad IPv4 address";
	if (v6)
		t->cidr6 = len < 0 ? 128 : len;
	else
		t->cidr4 = len < 0 ? 32 : len;
	return NULL;
}

/* directive - [qualifier] mechanism; NULL or why */
static const char *
directive(char *s, struct spf_term *t)
{
	size_t name, i, n;
	const char *bad;
	char *arg;

	t->qual = '+';
	if (strchr("+-~?", s[0]) && s[0] != 0)
		t->qual = *s++;
	name = strcspn(s, ":/");
	for (i = 0; i < sizeof(mech_names) / sizeof(mech_names[0]); i++)
		if (strlen(mech_names[i]) == name && strncasecmp(s, mech_names[i], name) == 0)
			break;
	if (i == sizeof(mech_names) / sizeof(mech_names[0]))
		return "unknown mechanism";
	t->mech = (enum spf_mech)i;
	t->cidr4 = 32;
	t->cidr6 = 128;
	arg = s + name;
	n = strlen(arg);
	switch (t->mech) {
	case SPF_MECH_ALL:
		return n == 0 ? NULL : "all takes no argument";
	case SPF_MECH_IP4:
	case SPF_MECH_IP6:
		return ipnet(arg, t);
	case SPF_MECH_A:
	case SPF_MECH_MX: {
		size_t keep = n;
		int c6 = -1, c4;

		if (n >= 2 && (c6 = cidr_at_end(arg, &keep, 3)) >= 0) {
			if (keep > 0 && arg[keep - 1] == '/')
				keep--;                /* "//n" */
			else {
				c6 = -1;               /* "/n": the IPv4 length */
				keep = n;
			}
		}
		c4 = cidr_at_end(arg, &keep, 2);
		if (c4 > 32 || c6 > 128)
			return "prefix length out of range";
		if (c4 >= 0)
			t->cidr4 = c4;
		if (c6 >= 0)
			t->cidr6 = c6;
		n = keep;
		arg[n] = 0;
		break;
	}
	default:
		break;
	}
	if (n == 0) {
		if (t->mech == SPF_MECH_INCLUDE || t->mech == SPF_MECH_EXISTS)
			return "include/exists without a domain";
		return NULL;
	}
	if (arg[0] != ':')
		return t->mech == SPF_MECH_PTR ? "ptr takes no prefix length" : "bad mechanism argument";
	if ((bad = spf_macro_check(arg + 1, n - 1, SPF_MS_DOMAIN)) != NULL)
		return bad;
	t->domain = arg + 1;
	return NULL;
}

/* modifier_name - length of name "=" at s (4.6.1), 0 when s is no modifier */
static size_t
modifier_name(const char *s)
{
	size_t i = 0;

	if (!isalpha((unsigned char)s[0]))
		return 0;
	while (isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '_' || s[i] == '.')
		i++;
	return s[i] == '=' ? i : 0;
}

/* term - one term at s (NUL-terminated; TEXT: as written); NULL or why */
static const char *
term(struct spf_record *r, char *s, const char *text)
{
	size_t name = modifier_name(s);
	const char *val = s + name + 1, *bad;

	if (name == 0) {
		struct spf_term *t = &r->term[r->nterms];

		memset(t, 0, sizeof(*t));
		if ((bad = directive(s, t)) != NULL)
			return bad;
		t->text = text;
		if (t->mech == SPF_MECH_ALL)
			r->has_all = 1;
		r->nterms++;
		return NULL;
	}
	if (name == 8 && strncasecmp(s, "redirect", 8) == 0) {
		if (r->redirect)
			return "redirect= twice";
		r->redirect = val;
		return spf_macro_check(val, strlen(val), SPF_MS_DOMAIN);
	}
	if (name == 3 && strncasecmp(s, "exp", 3) == 0) {
		if (r->exp)
			return "exp= twice";
		r->exp = val;
		return spf_macro_check(val, strlen(val), SPF_MS_DOMAIN);
	}
	return spf_macro_check(val, strlen(val), 0);      /* unknown: ignored (6) */
}

/* spf_record_parse - TXT record (len bytes) into r; NULL or why */
const char *
spf_record_parse(const char *txt, size_t len, struct spf_record *r)
{
	size_t i, terms = 0, tb;
	char *work, *text, *p;

	memset(r, 0, sizeof(*r));
	if (len > SPF_RECORD_MAX) {
		snprintf(r->why, sizeof(r->why), "record longer than %d bytes", SPF_RECORD_MAX);
		return r->why;
	}
	if (!spf_record_is_spf1(txt, len)) {
		snprintf(r->why, sizeof(r->why), "not an SPF record");
		return r->why;
	}
	if (memchr(txt, 0, len)) {
		snprintf(r->why, sizeof(r->why), "NUL in the record");
		return r->why;
	}
	for (i = 6; i < len; i++)
		if (txt[i] != ' ' && txt[i - 1] == ' ')
			terms++;
	tb = terms * sizeof(struct spf_term);
	if ((r->mem = malloc(tb + 2 * (len + 1))) == NULL) {
		snprintf(r->why, sizeof(r->why), "out of memory");
		return r->why;
	}
	r->term = r->mem;
	work = (char *)r->mem + tb;
	text = work + len + 1;
	memcpy(work, txt, len);
	memcpy(text, txt, len);
	work[len] = text[len] = 0;
	for (i = 6; i < len; i++)
		if (work[i] == ' ')
			work[i] = text[i] = 0;
	for (p = work + 6; p < work + len; p++) {
		const char *bad;
		size_t n;

		if (*p == 0)
			continue;
		n = strlen(p);
		if ((bad = term(r, p, text + (p - work))) != NULL) {
			snprintf(r->why, sizeof(r->why), "%s in \"%.60s\"", bad, text + (p - work));
			free(r->mem);
			r->mem = NULL;
			r->term = NULL;
			return r->why;
		}
		p += n;
	}
	return NULL;
}

/* spf_record_free - release what spf_record_parse allocated */
void
spf_record_free(struct spf_record *r)
{
	free(r->mem);
	r->mem = NULL;
	r->term = NULL;
	r->nterms = 0;
}
