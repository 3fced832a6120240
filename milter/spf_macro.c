/*
 * spf_macro.c - RFC 7208 section 7 macro strings: syntax and expansion.
 *
 * Exports spf_macro_check (7.1 ABNF: macro-string, domain-spec,
 * explain-string), spf_macro_expand (7.2-7.4) and spf_toplabel_ok. A
 * macro-string is at most the record's length, each expansion is built in
 * a bounded window: a domain keeps its rightmost SPF_EXPAND_MAX bytes and
 * then loses whole labels on the left until it fits 253 (7.3); an
 * explanation keeps its first osize - 1 bytes. Failures are strings.
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "spf_macro.h"

#define PARTS_MAX (SPF_EXPAND_MAX + 1)       /* a value of n bytes has at most n+1 parts */

struct mexp {
	char letter;               /* as written (upper case: URL-escape) */
	unsigned digits;           /* 0: all parts */
	int rev;
	char delims[8];            /* "" : "." */
	size_t len;                /* bytes of the whole %{...} */
};

/* parse_expand - the macro-expand at s (s[0] == '%'); NULL or why */
static const char *
parse_expand(const char *s, size_t n, int flags, struct mexp *x)
{
	size_t i = 2, nd = 0, digits = 0;
	char l;

	memset(x, 0, sizeof(*x));
	if (n < 2)
		return "lone % at the end";
	if (s[1] == '%' || s[1] == '_' || s[1] == '-') {
		x->letter = s[1];
		x->len = 2;
		return NULL;
	}
	if (s[1] != '{')
		return "% not followed by {, %, _ or -";
	if (n < 3)
		return "unterminated macro";
	l = (char)tolower((unsigned char)s[2]);
	if (!strchr("slodiphvcrt", l) || l == 0)
		return "unknown macro letter";
	if (strchr("crt", l) && !(flags & SPF_MS_EXP))
		return "c, r and t macros only in explanation text";
	x->letter = s[2];
	i = 3;
	while (i < n && isdigit((unsigned char)s[i])) {
		if (x->digits < 1000)
			x->digits = x->digits * 10 + (unsigned)(s[i] - '0');
		digits++;
		i++;
	}
	if (digits > 0 && x->digits == 0)
		return "macro transformer out of range (0)";
	if (i < n && (s[i] == 'r' || s[i] == 'R')) {
		x->rev = 1;
		i++;
	}
	while (i < n && strchr(".-+,/_=", s[i]) && s[i] != 0) {
		if (nd < sizeof(x->delims) - 1 && !strchr(x->delims, s[i]))
			x->delims[nd++] = s[i];
		i++;
	}
	if (i >= n || s[i] != '}')
		return "malformed macro";
	x->len = i + 1;
	return NULL;
}

/* spf_toplabel_ok - does s end in "." toplabel [ "." ] (7.1 with the errata)? */
int
spf_toplabel_ok(const char *s, size_t n)
{
	size_t i, start, alpha = 0, dash = 0;

	if (n > 0 && s[n - 1] == '.')
		n--;
	for (start = n; start > 0 && s[start - 1] != '.'; start--)
		;
	if (start == 0 || start == n)
		return 0;
	for (i = start; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '-')
			dash++;
		else if (isalpha(c))
			alpha++;
		else if (!isdigit(c))
			return 0;
	}
	if (s[start] == '-' || s[n - 1] == '-')
		return 0;
	return dash > 0 || alpha > 0;
}

/* spf_macro_check - NULL when s is a well-formed macro-string for FLAGS */
const char *
spf_macro_check(const char *s, size_t n, int flags)
{
	size_t i = 0;
	int ends_macro = 0;
	struct mexp x;
	const char *bad;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			if ((bad = parse_expand(s + i, n - i, flags, &x)) != NULL)
				return bad;
			i += x.len;
			ends_macro = 1;
			continue;
		}
		if (c == ' ' && (flags & SPF_MS_EXP)) {
			i++;
			ends_macro = 0;
			continue;
		}
		if (c < 0x21 || c > 0x7e)
			return c == 0 ? "NUL in the record" : "character outside printable ASCII";
		ends_macro = 0;
		i++;
	}
	if (flags & SPF_MS_DOMAIN) {
		if (n == 0)
			return "empty domain";
		if (!ends_macro && !spf_toplabel_ok(s, n))
			return "domain without a valid top label";
	}
	return NULL;
}

struct sink {
	char *b;
	size_t cap, len;
	int tail, cut;
	size_t total;              /* every byte ever put, kept or not */
};

/* the reason spf_macro_expand gives when the work budget is spent */
const char spf_macro_too_long[] = "macro expansion longer than the limit";

/* put - append to the sink: a tail sink drops its older half when full */
static void
put(struct sink *k, const char *p, size_t n)
{
	k->total += n;
	while (n > 0) {
		size_t room;

		if (k->len == k->cap) {
			size_t drop = k->cap / 2;

			k->cut = 1;
			if (!k->tail)
				return;
			memmove(k->b, k->b + drop, k->len - drop);
			k->len -= drop;
		}
		room = k->cap - k->len;
		if (room > n)
			room = n;
		memcpy(k->b + k->len, p, room);
		k->len += room;
		p += room;
		n -= room;
	}
}

/* value - the raw value of macro letter L into v (NUL-terminated) */
static void
value(char l, const struct spf_macro_ctx *m, char *v, size_t vs)
{
	const unsigned char *b = m->ip->b;
	const char *p;

	v[0] = 0;
	switch (l) {
	case 's':
		snprintf(v, vs, "%s@%s", m->local, m->odomain);
		break;
	case 'l': snprintf(v, vs, "%s", m->local); break;
	case 'o': snprintf(v, vs, "%s", m->odomain); break;
	case 'd': snprintf(v, vs, "%s", m->domain); break;
	case 'h': snprintf(v, vs, "%s", m->helo); break;
	case 'r': snprintf(v, vs, "%s", m->receiver && m->receiver[0] ? m->receiver : "unknown"); break;
	case 't': snprintf(v, vs, "%lld", m->now); break;
	case 'v': snprintf(v, vs, "%s", m->ip->family == AF_INET ? "in-addr" : "ip6"); break;
	case 'c': addr_str(m->ip, v, vs); break;
	case 'p':
		p = m->ptr ? m->ptr(m->arg) : NULL;
		snprintf(v, vs, "%s", p ? p : "unknown");
		break;
	case 'i':
		if (m->ip->family == AF_INET)
			snprintf(v, vs, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
		else {
			/* upper case, as the openspf suite (v-macro-ip6) and pyspf
			 * write it; RFC 7208 7.4's example is lower case, and DNS
			 * does not care */
			static const char hex[] = "0123456789ABCDEF";
			size_t k, o = 0;

			for (k = 0; k < 16 && o + 4 < vs; k++) {
				v[o++] = hex[b[k] >> 4];
				v[o++] = '.';
				v[o++] = hex[b[k] & 15];
				v[o++] = k < 15 ? '.' : 0;
			}
			v[o < vs ? o : vs - 1] = 0;
		}
		break;
	default:
		v[0] = 0;
	}
}

/* transform - split v by the delimiters, reverse, keep the right parts,
 * join with "." (7.3); URL-escape when the letter was upper case */
static void
transform(const struct mexp *x, const char *v, struct sink *k)
{
	unsigned short o[PARTS_MAX], l[PARTS_MAX];     /* written before read */
	const char *d = x->delims[0] ? x->delims : ".";
	size_t np = 0, i, first, vl = strlen(v), s = 0;
	int esc = isupper((unsigned char)x->letter);
	char out[SPF_EXPAND_MAX];
	struct sink t = { out, sizeof(out), 0, 0, 0, 0 };

	for (i = 0; i <= vl && np < PARTS_MAX; i++)
		if (i == vl || strchr(d, v[i])) {
			o[np] = (unsigned short)s;
			l[np++] = (unsigned short)(i - s);
			s = i + 1;
		}
	if (x->rev)
		for (i = 0; i < np / 2; i++) {
			unsigned short to = o[i], tl = l[i];

			o[i] = o[np - 1 - i];
			l[i] = l[np - 1 - i];
			o[np - 1 - i] = to;
			l[np - 1 - i] = tl;
		}
	first = x->digits > 0 && x->digits < np ? np - x->digits : 0;
	for (i = first; i < np; i++) {
		if (i > first)
			put(&t, ".", 1);
		put(&t, v + o[i], l[i]);
	}
	if (!esc) {
		put(k, out, t.len);
		return;
	}
	for (i = 0; i < t.len; i++) {            /* 7.3: URL-escape (RFC 3986 unreserved kept) */
		static const char hex[] = "0123456789ABCDEF";
		unsigned char c = (unsigned char)out[i];

		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
			put(k, out + i, 1);
		else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };

			put(k, e, 3);
		}
	}
}

/* spf_macro_expand - expand s (checked with the same FLAGS) into out;
 * a domain (no SPF_MS_EXP) loses a trailing dot and left labels down to
 * 253 bytes; NULL or why (then out is "") */
const char *
spf_macro_expand(const char *s, size_t n, int flags, const struct spf_macro_ctx *m,
    char *out, size_t osize)
{
	char win[SPF_EXPAND_MAX], v[SPF_EXPAND_MAX] = "";
	int dom = !(flags & SPF_MS_EXP);
	struct sink k = { win, sizeof(win), 0, dom, 0, 0 };
	size_t i = 0, start = 0;
	struct mexp x;
	const char *bad;

	if (osize == 0)
		return "no room";
	out[0] = 0;
	if ((bad = spf_macro_check(s, n, flags)) != NULL)
		return bad;
	while (i < n) {
		const char *pc = memchr(s + i, '%', n - i);
		size_t lit = pc ? (size_t)(pc - (s + i)) : n - i;

		put(&k, s + i, lit);
		i += lit;
		if (i >= n)
			break;
		parse_expand(s + i, n - i, flags, &x);
		i += x.len;
		if (x.letter == '%')
			put(&k, "%", 1);
		else if (x.letter == '_')
			put(&k, " ", 1);
		else if (x.letter == '-')
			put(&k, "%20", 3);
		else {
			value((char)tolower((unsigned char)x.letter), m, v, sizeof(v));
			transform(&x, v, &k);
		}
		if (k.total > SPF_EXPAND_BUDGET)
			return spf_macro_too_long;
	}
	if (dom) {
		if (k.len > 0 && win[k.len - 1] == '.')
			k.len--;
		if (k.cut) {                       /* the first label in the window is partial */
			char *dot = memchr(win, '.', k.len);

			start = dot ? (size_t)(dot - win) + 1 : k.len;
		}
		while (k.len - start > SPF_DOMAIN_MAX) {
			char *dot = memchr(win + start, '.', k.len - start);

			if (dot == NULL)
				return "expanded name has a label over 253 bytes";
			start = (size_t)(dot - win) + 1;
		}
		if (k.len == start)
			return "expanded name is empty";
	}
	if (k.len - start >= osize)
		k.len = start + osize - 1;
	memcpy(out, win + start, k.len - start);
	out[k.len - start] = 0;
	return NULL;
}
