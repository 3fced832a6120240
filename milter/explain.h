/*
 * explain.h - mxguard -t: one client (and optionally its HELO, sender,
 * recipient and a saved message) through the same session code the
 * milter runs, with live DNS, explained step by step.
 */
#ifndef EXPLAIN_H
#define EXPLAIN_H

#include <stdio.h>

struct config;

/* exit status by action (mxguard(8) EXIT STATUS) */
#define EXP_ACCEPT     0
#define EXP_USAGE      1          /* bad arguments or configuration, unreadable file */
#define EXP_REJECT     2
#define EXP_TEMPFAIL   3
#define EXP_QUARANTINE 4
#define EXP_TAG        5

#define EXP_FIELD_MAX  102400     /* bytes of one header field (Postfix header_size_limit) */
#define EXP_HEADER_MAX (4 << 20)  /* bytes of the header section read; the body never */

struct exp_args {
	const char *client;       /* address */
	const char *name;         /* verified client name, or NULL */
	const char *helo;
	const char *from;
	const char *rcpt;
	const char *file;         /* saved message, or NULL */
};

int exp_run(struct config *c, const struct exp_args *a, FILE *out);

#endif
