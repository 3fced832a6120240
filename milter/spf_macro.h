/*
 * spf_macro.h - RFC 7208 section 7 macro strings: syntax (7.1) and
 * expansion (7.2-7.4). Pure: the one macro that needs DNS (%{p}) is asked
 * of a callback, so the tests run without a resolver.
 *
 * spf_macro_check says whether a macro-string, domain-spec or explanation
 * text is well formed (NULL) or why not. spf_macro_expand expands one into
 * a caller's buffer; a domain name longer than 253 bytes loses labels on
 * its left (7.3); an explanation longer than the buffer is cut (it is
 * only ever logged). Nothing here allocates.
 */
#ifndef SPF_MACRO_H
#define SPF_MACRO_H

#include <stddef.h>

#include "addr.h"

#define SPF_MS_EXP    1            /* explanation text: c, r, t allowed, and SP */
#define SPF_MS_DOMAIN 2            /* domain-spec: must end in "." toplabel or a macro */
#define SPF_DOMAIN_MAX 253         /* a domain name in text form (RFC 7208 7.3) */
#define SPF_EXPAND_MAX 1024        /* an expanded explanation, and the tail window of a name */
/* Bytes one macro-string may expand to before the window keeps its tail:
 * a record of 4096 bytes could hold a thousand %{S} of a 500-byte sender
 * (1.5 MB, 30 ms of CPU for one term). Real records expand to a few hundred
 * bytes; past this the expansion fails with spf_macro_too_long (permerror). */
#define SPF_EXPAND_BUDGET 32768

extern const char spf_macro_too_long[];

struct spf_macro_ctx {
	const char *local;         /* l: the sender's local part ("postmaster" when empty) */
	const char *odomain;       /* o: the sender's domain */
	const char *domain;        /* d: the domain being checked now */
	const struct addr *ip;     /* i, c, v: the client (IPv4 when it was v4-mapped) */
	const char *helo;          /* h */
	const char *receiver;      /* r */
	long long now;             /* t */
	/* p: the validated name of the client, asked when a %{p} is met; may be NULL */
	const char *(*ptr)(void *arg);
	void *arg;
};

const char *spf_macro_check(const char *s, size_t n, int flags);
const char *spf_macro_expand(const char *s, size_t n, int flags,
    const struct spf_macro_ctx *m, char *out, size_t osize);
int spf_toplabel_ok(const char *s, size_t n);

#endif
