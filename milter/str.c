/*
 * str.c - bounded heap strings (see str.h): init / cat / catf / quote /
 * escape / free, and str_copy, the bounded copy into a fixed array.
 *
 * Growth doubles up to max + 1 bytes; an allocation that fails leaves the
 * text as it was and marks it truncated.
 */
#include "autoconf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard.h"
#include "str.h"

_Static_assert(STR_QUOTE_MAX == MXG_LOGVAL_MAX, "str_quote cuts where log_quote does");

void
str_init(struct str *s, size_t max)
{
	s->buf = NULL;
	s->len = s->cap = 0;
	s->max = max;
	s->truncated = 0;
}

void
str_free(struct str *s)
{
	free(s->buf);
	str_init(s, s->max);
}

/* str_reset - empty again, same maximum, memory kept */
void
str_reset(struct str *s)
{
	s->len = 0;
	s->truncated = 0;
	if (s->buf)
		s->buf[0] = 0;
}

const char *
str_text(const struct str *s)
{
	return s->buf ? s->buf : "";
}

/* room - make space for up to n more bytes; returns how many fit */
static size_t
room(struct str *s, size_t n)
{
	size_t want, cap, have;
	char *b;

	if (n > s->max - s->len) {
		n = s->max - s->len;
		s->truncated = 1;
	}
	want = s->len + n + 1;
	if (want <= s->cap)
		return n;
	cap = s->cap ? s->cap : 64;
	while (cap < want)
		cap *= 2;
	if (cap > s->max + 1)
		cap = s->max + 1;
	if ((b = realloc(s->buf, cap)) == NULL) {
		s->truncated = 1;
		have = s->cap ? s->cap - 1 - s->len : 0;
		return have < n ? have : n;
	}
	if (s->buf == NULL)
		b[0] = 0;
	s->buf = b;
	s->cap = cap;
	return n;
}

void
str_catn(struct str *s, const char *t, size_t n)
{
	size_t k = room(s, n);

	if (k == 0)
		return;
	memcpy(s->buf + s->len, t, k);
	s->len += k;
	s->buf[s->len] = 0;
}

void
str_cat(struct str *s, const char *t)
{
	str_catn(s, t, t ? strlen(t) : 0);
}

void
str_vcatf(struct str *s, const char *fmt, va_list ap)
{
	va_list aq;
	int n;
	size_t k;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n <= 0)
		return;
	if ((k = room(s, (size_t)n)) == 0)
		return;
	vsnprintf(s->buf + s->len, k + 1, fmt, ap);
	s->len += k;
}

void
str_catf(struct str *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	str_vcatf(s, fmt, ap);
	va_end(ap);
}

/* needs_escape - a byte the log never writes as itself */
static int
needs_escape(unsigned char c)
{
	return c < 0x21 || c >= 0x7f || c == '"' || c == '\\';
}

/* put_escaped - val's first limit bytes, escaped (and the bytes in MORE),
 * "..." after a cut */
static void
put_escaped(struct str *s, const char *val, size_t limit, const char *more)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *v = (const unsigned char *)val;
	size_t i;
	char e[4] = { '\\', 'x', 0, 0 };

	for (i = 0; v[i]; i++) {
		if (i >= limit) {
			str_cat(s, "...");
			return;
		}
		if (v[i] == ' ' || (!needs_escape(v[i]) && !strchr(more, v[i]))) {
			str_catn(s, (const char *)v + i, 1);
			continue;
		}
		e[2] = hex[v[i] >> 4];
		e[3] = hex[v[i] & 15];
		str_catn(s, e, 4);
	}
}

/*
 * str_quote - one value as log_quote writes it: in double quotes when it is
 * empty or holds a space or a byte that needs escaping (control bytes,
 * quotes, backslash, non-ASCII become \xNN), cut after STR_QUOTE_MAX bytes
 * with "..."
 */
void
str_quote(struct str *s, const char *val)
{
	const unsigned char *v = (const unsigned char *)val;
	size_t i;
	int quote = v[0] == 0;

	for (i = 0; i < STR_QUOTE_MAX && v[i] && !quote; i++)
		quote = needs_escape(v[i]);
	if (quote)
		str_cat(s, "\"");
	put_escaped(s, val, STR_QUOTE_MAX, "");
	if (quote)
		str_cat(s, "\"");
}

/* str_escape - the same escapes, never in quotes and cut only by the
 * string's maximum (a value inside a sentence) */
void
str_escape(struct str *s, const char *val)
{
	put_escaped(s, val, (size_t)-1, "");
}

/* str_escape_comment - str_escape, and ( ) ; too: for text inside a
 * header field's comment, where those would end the comment or start a
 * field of the sender's choosing (Received-SPF: "x) client-ip=...;") */
void
str_escape_comment(struct str *s, const char *val)
{
	put_escaped(s, val, (size_t)-1, "();");
}

/* str_copy - bounded copy into a fixed array; what does not fit is cut */
size_t
str_copy(char *dst, size_t size, const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if (size == 0)
		return 0;
	if (n >= size)
		n = size - 1;
	if (n)
		memcpy(dst, src, n);
	dst[n] = 0;
	return n;
}
