/*
 * received.c - parse one Received: header value (RFC 5321 4.4 and what
 * real MTAs write instead).
 *
 * Stamps seen in the wild, all handled:
 *   from helo (rdns [192.0.2.1]) by mx.example (Postfix) with ESMTP id X; date
 *   from helo (unknown [IPv6:2001:db8::1]) by host (8.15.2/8.15.2) ...  Sendmail
 *   from helo (rdns [192.0.2.1]) (authenticated bits=0) by host ...      Sendmail, AUTH
 *   (from rdns [192.0.2.1]) by host (8.17.1.9/8.17.1.9) ...              Sendmail, no HELO
 *   from rdns ([192.0.2.1] helo=helo) by host with esmtp (Exim 4.96) ...
 *   from [192.0.2.1] (helo=x) by host with esmtp ...                      Exim, no rDNS
 *   from rdns ([192.0.2.1]:41234 helo=helo) by host ...                   Exim +incoming_port
 *   from [2001:db8::1]:41234 (helo=x) by host ...                         the same, no rDNS
 *   from EXCH1.corp.local (10.0.0.1) by EXCH2.corp.local (10.0.0.2) ...   Exchange
 *   from unknown (HELO x) (192.0.2.1) by mx with SMTP; date              qmail
 *   (qmail 123 invoked from network); date                               no from/by
 * Comments nest (to a bounded depth) and may be unterminated; folding
 * whitespace (CR, LF, tab) is plain space; the date after ';' is ignored.
 * The address of a from clause is taken from its comment (what the
 * receiving MTA saw), and from a bracketed from-host only when no comment
 * had one (Exim without rDNS). Only the first RCV_VALUE_MAX bytes are read.
 */
#include "autoconf.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "received.h"

#define DEPTH_MAX 8

enum tok { T_END, T_WORD, T_COMMENT };

struct lex {
	const char *p, *end;
};

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* next - one word, or one comment (its inside), or the end (';' or the value's end) */
static enum tok
next(struct lex *lx, const char **s, size_t *n)
{
	const char *p = lx->p;
	int depth;

	while (p < lx->end && is_space(*p))
		p++;
	if (p >= lx->end || *p == ';') {
		lx->p = lx->end;
		return T_END;
	}
	if (*p == '(') {
		*s = ++p;
		for (depth = 1; p < lx->end && depth > 0; p++) {
			if (*p == '\\' && p + 1 < lx->end)
				p++;
			else if (*p == '(' && depth < DEPTH_MAX)
				depth++;
			else if (*p == ')')
				depth--;
		}
		*n = (size_t)(p - *s) - (depth == 0);
		lx->p = p;
		return T_COMMENT;
	}
	*s = p;
	while (p < lx->end && !is_space(*p) && *p != '(' && *p != ';')
		p++;
	*n = (size_t)(p - *s);
	lx->p = p;
	return T_WORD;
}

static void
copy(char *dst, const char *src, size_t n)
{
	if (n >= MXG_NAME_MAX)
		n = MXG_NAME_MAX - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
}

/* is_port - ":" and 1 to 5 digits up to 65535 (Exim's +incoming_port) */
static int
is_port(const char *s, size_t n)
{
	unsigned long v = 0;
	size_t i;

	if (n < 2 || n > 6 || s[0] != ':')
		return 0;
	for (i = 1; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	return v <= 65535;
}

/* word_ip - "192.0.2.1", "[192.0.2.1]", "[IPv6:2001:db8::1]", "[ip]:port" to an address */
static int
word_ip(const char *s, size_t n, struct addr *a)
{
	const char *close;
	char buf[64];

	if (n >= 2 && s[0] == '[') {
		close = memchr(s, ']', n);
		if (close == NULL)
			return -1;
		if (close != s + n - 1 && !is_port(close + 1, (size_t)(s + n - close - 1)))
			return -1;
		n = (size_t)(close - s) - 1;
		s++;
		if (n > 5 && strncasecmp(s, "IPv6:", 5) == 0) {
			s += 5;
			n -= 5;
		}
	}
	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = 0;
	return addr_parse(buf, a);
}

static int
word_is(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

/* from_comment - "(rdns [ip])", "([ip] helo=x)", "(ip)", "(HELO x)": take ip
 * and rDNS. A bracketed address wins; a bare one counts only as the
 * comment's sole word (Exchange's and qmail's "(192.0.2.1)"), since the
 * rDNS name beside a bracketed address is the sender's PTR and may itself
 * read "127.0.0.1". */
static void
from_comment(const char *s, size_t n, struct rcv_stamp *st)
{
	struct lex lx = { s, s + n };
	const char *w;
	size_t wn;
	enum tok t;
	int first = 1, words = 0, have_bare = 0;
	struct addr bare;

	while ((t = next(&lx, &w, &wn)) != T_END) {
		if (t == T_COMMENT)              /* "(may be forged)" and such */
			continue;
		if (word_is(w, wn, "HELO") || word_is(w, wn, "EHLO")) {
			next(&lx, &w, &wn);          /* qmail's claimed name: not evidence */
			first = 0;
			continue;
		}
		words++;
		if (w[0] == '[') {
			if (!st->has_ip && word_ip(w, wn, &st->ip) == 0)
				st->has_ip = 1;
		} else if (!have_bare && word_ip(w, wn, &bare) == 0) {
			have_bare = 1;
		} else if (first && !st->from_name[0] && memchr(w, '=', wn) == NULL) {
			copy(st->from_name, w, wn);
		}
		first = 0;
	}
	if (!st->has_ip && have_bare && words == 1) {
		st->ip = bare;
		st->has_ip = 1;
	}
}

/* rcv_parse - one header value (folded or not) into a stamp */
void
rcv_parse(const char *value, size_t len, struct rcv_stamp *st)
{
	struct lex lx;
	const char *w, *from_word = NULL;
	size_t wn, from_n = 0;
	enum tok t;
	int in_from = 0;

	memset(st, 0, sizeof(*st));
	if (len > RCV_VALUE_MAX) {
		len = RCV_VALUE_MAX;
		st->truncated = 1;
	}
	lx.p = value;
	lx.end = value + len;
	while ((t = next(&lx, &w, &wn)) != T_END) {
		if (t == T_COMMENT) {
			/* the client's comment; later ones ("(authenticated bits=0)") once it is known */
			if (in_from && !st->has_ip)
				from_comment(w, wn, st);
			else if (!in_from && st->from[0] == 0 && st->by[0] == 0 && wn > 5
			    && strncasecmp(w, "from ", 5) == 0)
				from_comment(w + 5, wn - 5, st);     /* Sendmail, no HELO */
			continue;
		}
		in_from = 0;
		if (word_is(w, wn, "from") && st->from[0] == 0 && st->by[0] == 0) {
			if (next(&lx, &w, &wn) != T_WORD)
				break;
			copy(st->from, w, wn);
			from_word = w;
			from_n = wn;
			in_from = 1;
		} else if (word_is(w, wn, "by") && st->by[0] == 0) {
			if (next(&lx, &w, &wn) != T_WORD)
				break;
			copy(st->by, w, wn);
		}
	}
	if (!st->has_ip && from_word && from_word[0] == '['
	    && word_ip(from_word, from_n, &st->ip) == 0)
		st->has_ip = 1;
}
