/*
 * names.h - host names: syntax, canonical form, comparison. Pure; no
 * allocation, never fails (a bad name is a 0 or a -1).
 */
#ifndef NAMES_H
#define NAMES_H

#include <stddef.h>

#define NAME_LABEL_MAX 63    /* bytes of one label (RFC 1035 2.3.4) */
#define NAME_TEXT_MAX  253   /* bytes of a name in text form, no trailing dot */

int name_valid(const char *name);
int name_canon(const char *in, char *out, size_t size);
int name_equal(const char *a, const char *b);
int name_dns_ok(const char *d);
int name_under(const char *name, const char *d);

#endif
