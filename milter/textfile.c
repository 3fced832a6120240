/*
 * textfile.c - read a text file a line at a time, never more than the
 * caller's buffer; a line that is too long or holds a NUL byte is consumed
 * whole and reported, so the caller names FILE:LINE and carries on.
 *
 * Exports tf_open, tf_next, tf_close, tf_uncomment, tf_token, tf_item, and
 * tf_vproblem: the one FILE:LINE problem format of the config parser and
 * the whitelist compiler. I/O errors come back as -1 with errno set.
 */
#include "autoconf.h"

#include <errno.h>
#include <string.h>
#include <ctype.h>

#include "str.h"
#include "textfile.h"

int
tf_open(struct tf *t, const char *path)
{
	t->path = path;
	t->line = 0;
	t->fp = fopen(path, "r");
	return t->fp ? 0 : -1;
}

void
tf_close(struct tf *t)
{
	if (t->fp)
		fclose(t->fp);
	t->fp = NULL;
}

/*
 * tf_next - next line into buf (no newline, CR of CRLF dropped).
 * Returns 1 with *bad NULL for a good line, 1 with *bad a reason for a bad
 * one (buf then empty), 0 at end of file, -1 on a read error.
 */
int
tf_next(struct tf *t, char *buf, size_t size, const char **bad)
{
	size_t n = 0;
	int c, nul = 0, toolong = 0;

	*bad = NULL;
	errno = 0;
	while ((c = getc(t->fp)) != EOF && c != '\n') {
		if (c == 0)
			nul = 1;
		if (n + 1 < size)
			buf[n++] = (char)c;
		else
			toolong = 1;
	}
	if (c == EOF && ferror(t->fp))
		return -1;
	if (c == EOF && n == 0 && !toolong && !nul)
		return 0;
	t->line++;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = 0;
	if (nul)
		*bad = "NUL byte in line";
	else if (toolong)
		*bad = "line too long";
	if (*bad)
		buf[0] = 0;
	return 1;
}

/* tf_uncomment - cut at a '#' that starts the line or follows white space */
char *
tf_uncomment(char *s)
{
	char *p;

	for (p = s; *p; p++)
		if (*p == '#' && (p == s || isspace((unsigned char)p[-1]))) {
			*p = 0;
			break;
		}
	return s;
}

/* split - next word ended by white space (or, with commas, by a comma) */
static char *
split(char **cursor, int commas)
{
	char *p = *cursor, *start;

#define SEP(c) (isspace((unsigned char)(c)) || (commas && (c) == ','))
	while (*p && SEP(*p))
		p++;
	if (*p == 0) {
		*cursor = p;
		return NULL;
	}
	start = p;
	while (*p && !SEP(*p))
		p++;
	if (*p)
		*p++ = 0;
	*cursor = p;
	return start;
#undef SEP
}

/* tf_token - next white-space separated word, or NULL */
char *
tf_token(char **cursor)
{
	return split(cursor, 0);
}

/* tf_item - next item of a list separated by commas or white space, or NULL */
char *
tf_item(char **cursor)
{
	return split(cursor, 1);
}

/* tf_vproblem - one problem as "path:line: message" ("path: message" for
 * line 0) appended to out, bounded by out's maximum */
void
tf_vproblem(struct str *out, const char *path, unsigned line, const char *fmt, va_list ap)
{
	if (line)
		str_catf(out, "%s:%u: ", path, line);
	else
		str_catf(out, "%s: ", path);
	str_vcatf(out, fmt, ap);
}
