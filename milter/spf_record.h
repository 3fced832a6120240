/*
 * spf_record.h - one SPF record (RFC 7208 4.5, 4.6, 5, 6, 7.1) parsed in
 * full: record selection, every mechanism and modifier, the ABNF of
 * domain-specs and macro-strings.
 *
 * spf_record_parse turns the text of one TXT record (its strings joined,
 * any bytes, length given) into a struct spf_record whose terms live in
 * one heap block sized from the record: nothing is cut. A record over
 * SPF_RECORD_MAX bytes, a NUL, a syntax error anywhere: the parse fails
 * with a reason (the caller's permerror). spf_record_free releases it.
 */
#ifndef SPF_RECORD_H
#define SPF_RECORD_H

#include <stddef.h>

#include "addr.h"

/* RFC 7208 sets no size; DNS does: a TXT record that fits a 4096-byte
 * EDNS answer with its name and header. The largest records published
 * by large senders are around 500 bytes (3.4 asks for < 450). */
#define SPF_RECORD_MAX 4096

enum spf_mech { SPF_MECH_ALL, SPF_MECH_INCLUDE, SPF_MECH_A, SPF_MECH_MX, SPF_MECH_PTR,
	SPF_MECH_IP4, SPF_MECH_IP6, SPF_MECH_EXISTS, SPF_MECH__N };

struct spf_term {
	enum spf_mech mech;
	char qual;                 /* '+', '-', '~' or '?' */
	const char *domain;        /* domain-spec, NUL-terminated; NULL: the current domain */
	int cidr4, cidr6;          /* a, mx, ip4: 0..32; a, mx, ip6: 0..128 */
	struct addr net;           /* ip4, ip6 */
	const char *text;          /* the term as written, for logs */
};

struct spf_record {
	struct spf_term *term;
	size_t nterms;
	const char *redirect;      /* domain-spec of redirect=, or NULL */
	const char *exp;           /* domain-spec of exp=, or NULL */
	int has_all;
	char why[160];             /* the parse failure */
	void *mem;                 /* the one block behind term and the strings */
};

int spf_record_is_spf1(const char *txt, size_t len);
const char *spf_record_parse(const char *txt, size_t len, struct spf_record *r);
void spf_record_free(struct spf_record *r);
const char *spf_mech_name(enum spf_mech m);

#endif
