/*
 * textfile.h - bounded reading of line-oriented text files (the config and
 * the whitelist source) with line numbers for FILE:LINE messages.
 */
#ifndef TEXTFILE_H
#define TEXTFILE_H

#include <stdarg.h>
#include <stdio.h>

struct str;

struct tf {
	FILE *fp;
	const char *path;
	unsigned line;
};

int tf_open(struct tf *t, const char *path);
void tf_close(struct tf *t);
int tf_next(struct tf *t, char *buf, size_t size, const char **bad);
char *tf_uncomment(char *s);
char *tf_token(char **cursor);
char *tf_item(char **cursor);
void tf_vproblem(struct str *out, const char *path, unsigned line, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

#endif
