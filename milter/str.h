/*
 * str.h - the bounded string every text built from outside input is made
 * in (the idea of Postfix's VSTRING, much smaller): it grows on the heap up
 * to a maximum fixed at str_init; what does not fit is cut, and the cut is
 * remembered (truncated). str_quote and str_escape write a value with the
 * log's escapes (log.c log_quote), so a hostile name can neither break a
 * line nor grow it.
 *
 * Never fails the caller: out of memory, a string keeps what it holds and
 * is marked truncated. str_text is a C string at all times, "" before the
 * first byte.
 */
#ifndef STR_H
#define STR_H

#include <stdarg.h>
#include <stddef.h>

struct str {
	char *buf;          /* NULL until the first byte */
	size_t len;         /* bytes of text; buf[len] == 0 */
	size_t cap;         /* bytes allocated */
	size_t max;         /* most bytes of text it may hold */
	int truncated;      /* something was cut (or memory ran out) */
};

#define STR_QUOTE_MAX 200   /* input bytes of one quoted value (MXG_LOGVAL_MAX) */

void str_init(struct str *s, size_t max);
void str_free(struct str *s);
void str_reset(struct str *s);
const char *str_text(const struct str *s);
void str_cat(struct str *s, const char *t);
void str_catn(struct str *s, const char *t, size_t n);
void str_catf(struct str *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void str_vcatf(struct str *s, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
void str_quote(struct str *s, const char *val);
void str_escape(struct str *s, const char *val);
void str_escape_comment(struct str *s, const char *val);
size_t str_copy(char *dst, size_t size, const char *src);

#endif
