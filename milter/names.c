/*
 * names.c - host names, the one copy of each rule: name_valid (host-name
 * syntax as mxguard accepts it in its files: labels of [A-Za-z0-9_-]),
 * name_canon (lower case, one trailing dot dropped, then valid),
 * name_equal (equal in any case, a trailing dot ignored), name_dns_ok
 * (could this be asked of DNS at all: any bytes, labels of 1..63, at most
 * 253 bytes, one trailing dot allowed; what SPF's expanded domain-specs
 * are held to, RFC 7208 4.3 and 7.3) and name_under (equal to a domain or
 * below it).
 *
 * Pure functions of their arguments: no allocation, no state; a name that
 * fails a rule is a 0 (or -1 from name_canon), never an error.
 */
#include "autoconf.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "names.h"

/* name_valid - host name syntax: labels of [A-Za-z0-9_-], 1..63, total <= 253, no trailing dot */
int
name_valid(const char *name)
{
	size_t total = 0, label = 0;
	const char *p;

	for (p = name; *p; p++, total++) {
		unsigned char c = (unsigned char)*p;

		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (!isalnum(c) && c != '-' && c != '_')
			return 0;
		if (++label > NAME_LABEL_MAX)
			return 0;
	}
	return total > 0 && total <= NAME_TEXT_MAX && label > 0;
}

/* name_canon - lower case, one trailing dot dropped; its length, or -1 if not a name */
int
name_canon(const char *in, char *out, size_t size)
{
	size_t n = strlen(in), i;

	if (n > 0 && in[n - 1] == '.')
		n--;
	if (n == 0 || n >= size)
		return -1;
	for (i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[n] = 0;
	return name_valid(out) ? (int)n : -1;
}

/* name_equal - host names equal in any case, a trailing dot ignored; "" equals nothing */
int
name_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la && a[la - 1] == '.')
		la--;
	if (lb && b[lb - 1] == '.')
		lb--;
	return la == lb && la > 0 && strncasecmp(a, b, la) == 0;
}

/* name_dns_ok - could d be asked of DNS: no empty label, labels <= 63, <= 253, one trailing dot allowed */
int
name_dns_ok(const char *d)
{
	size_t len = strlen(d), label = 0, i;

	if (len > 0 && d[len - 1] == '.')
		len--;
	if (len == 0 || len > NAME_TEXT_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		if (d[i] == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if (++label > NAME_LABEL_MAX)
			return 0;
	}
	return label > 0;
}

/* name_under - is name equal to d or a subdomain of it (any case; a trailing dot of d ignored)? */
int
name_under(const char *name, const char *d)
{
	size_t nl = strlen(name), dl = strlen(d);

	if (dl > 0 && d[dl - 1] == '.')
		dl--;
	if (nl < dl || strncasecmp(name + nl - dl, d, dl) != 0)
		return 0;
	return nl == dl || name[nl - dl - 1] == '.';
}
