/*
 * spf.h - SPF at MAIL FROM: mxguard's own RFC 7208 evaluator (spf_eval.c,
 * through spf_mxg.c) by default, or libspf2 with its DNS through our
 * resolver and a guard that keeps hostile records away from it.
 */
#ifndef SPF_H
#define SPF_H

#include <stddef.h>

#include "addr.h"
#include "mxguard.h"
#include "resolver.h"

enum spf_res {
	SPF_NOT_CHECKED, SPF_R_PASS, SPF_R_FAIL, SPF_R_SOFTFAIL, SPF_R_NEUTRAL,
	SPF_R_NONE, SPF_R_PERMERROR, SPF_R_TEMPERROR
};

#define SPF_HELO_SHOWN 100             /* HELO bytes in a Received-SPF we word */

struct spf_result {
	enum spf_res res;
	char domain[MXG_NAME_MAX];       /* the identity's domain */
	char header[1024];               /* Received-SPF: value */
	char why[160];                   /* guard or limit that forced permerror, "" */
	char term[80];                   /* the term that decided (mxguard engine), "" : default */
};

#define SPF_ENGINE_MXGUARD 0          /* spf_eval.c: RFC 7208 check_host(), the default */
#define SPF_ENGINE_LIBSPF2 1          /* libspf2 behind the guard */

struct spf_query {
	struct dns_resolver *dns;
	const struct addr *client;
	const char *helo;
	const char *from;                /* envelope sender, "<>" or "" for the null sender */
	const char *receiver;            /* this host's name, for Received-SPF */
	unsigned timeout_ms;
	int engine;                      /* SPF_ENGINE_* */
};

void spf_sender(const char *from, char *out, size_t size);
int spf_guard(const char *record, char *why, size_t wsize);
int spf_parse_answer(int type, const struct dns_answer *ans, char *why, size_t wsize,
    char *first, size_t fsize);
void spf_check(const struct spf_query *q, struct spf_result *r);
void spf_error_header(struct spf_result *res, const char *receiver, const char *why,
    const char *addr, const char *helo);
void spf_check_mxguard(const struct spf_query *q, struct spf_result *r);
const char *spf_res_name(enum spf_res r);
void spf_init(void);

#endif
