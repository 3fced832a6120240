/*
 * dnsreply.c - what of a DNS reply the resolver's cache keeps. Pure: no
 * state, no I/O; called on the resolver thread for every answer that is not
 * an A lookup (those are parsed into addresses).
 *
 * dnsreply_reduce copies a reply without what no caller reads: the
 * authority and additional sections always, and in a TXT answer every
 * record that is not an SPF record (its text starts "v=spf1" followed by a
 * space or its end, RFC 7208 4.5, as spf.c tests it). So a sender whose
 * wildcard TXT carries kilobytes of other text costs the cache a few dozen
 * bytes. The TXT records kept are written with the question's name (a
 * pointer to it; c-ares' TXT parser reads no owner name) and keep their
 * text byte for byte. A TXT answer that had TXT records but no SPF record
 * keeps one empty TXT record, so a caller still sees "records, none of
 * them SPF" and not "no records". Other types keep the header, the question
 * and the answer section unchanged (names compressed inside it point
 * backwards, into what is kept). It also gives the smallest TTL of the
 * records kept, so those answers live for their TTL too.
 *
 * Exports dnsreply_reduce and dnsreply_is_spf. Fails (-1, nothing
 * allocated) on a reply it cannot walk - short, truncated, a bad name, not
 * exactly one question - and on no memory; the caller treats that as a
 * failed lookup (as c-ares' parsers would have refused the reply later).
 */
#include "autoconf.h"

#include <arpa/nameser.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dnsreply.h"
#include "log.h"

#define HDR 12                        /* the fixed header */
#define RR_FIXED 10                   /* type, class, TTL, RDLENGTH */

struct buf {                          /* the copy being written; counts only when p is NULL */
	unsigned char *p;
	size_t len, cap;
};

static unsigned
get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static void
put(struct buf *b, const void *data, size_t n)
{
	if (b->p != NULL) {
		if (n > b->cap - b->len)
			log_bug("dnsreply: the second walk writes more than the first measured");
		memcpy(b->p + b->len, data, n);
	}
	b->len += n;
}

/* skip_name - the offset after the name at OFF, or 0 when it is malformed */
static size_t
skip_name(const unsigned char *a, size_t alen, size_t off)
{
	while (off < alen) {
		unsigned c = a[off];

		if (c == 0)
			return off + 1;
		if ((c & 0xc0) == 0xc0)
			return off + 2 <= alen ? off + 2 : 0;
		if (c & 0xc0)
			return 0;
		off += 1 + c;
	}
	return 0;
}

/*
 * dnsreply_is_spf - does TXT RDATA hold an SPF record: its strings, joined,
 * start "v=spf1" (any case) followed by nothing, a space or a NUL byte?
 */
int
dnsreply_is_spf(const unsigned char *rd, size_t rdlen)
{
	char head[7];
	size_t have = 0, p = 0, n;

	while (p < rdlen && have < sizeof(head)) {
		n = rd[p++];
		if (n > rdlen - p)
			n = rdlen - p;
		if (n > sizeof(head) - have)
			n = sizeof(head) - have;
		memcpy(head + have, rd + p, n);
		have += n;
		p += rd[p - 1];
	}
	return have >= 6 && strncasecmp(head, "v=spf1", 6) == 0
	    && (have == 6 || head[6] == ' ' || head[6] == 0);
}

/* walk - one pass over the reply: write (or, with b->p NULL, measure) the copy */
static int
walk(int type, const unsigned char *a, size_t alen, struct buf *b, unsigned *ttl)
{
	static const unsigned char name_ptr[2] = { 0xc0, HDR };     /* the question's name */
	static const unsigned char empty_txt[RR_FIXED + 1] = { 0, ns_t_txt, 0, ns_c_in, 0, 0, 0, 0, 0, 1, 0 };
	unsigned char hdr[HDR];
	size_t off, end, rd, rdlen;
	unsigned an, i, kept = 0, t, min_all = UINT32_MAX, min_kept = UINT32_MAX;
	int txt_seen = 0;

	if (alen < HDR || get16(a + 4) != 1)
		return -1;
	an = get16(a + 6);
	if ((off = skip_name(a, alen, HDR)) == 0 || off + 4 > alen)
		return -1;
	off += 4;
	memcpy(hdr, a, HDR);
	memset(hdr + 8, 0, 4);                         /* no authority, no additional */
	put(b, hdr, HDR);
	put(b, a + HDR, off - HDR);
	for (i = 0; i < an; i++) {
		if ((end = skip_name(a, alen, off)) == 0 || end + RR_FIXED > alen)
			return -1;
		rd = end + RR_FIXED;
		rdlen = get16(a + end + 8);
		if (rdlen > alen - rd)
			return -1;
		t = (unsigned)a[end + 4] << 24 | (unsigned)a[end + 5] << 16 | get16(a + end + 6);
		if (t > INT32_MAX)
			t = 0;                                 /* RFC 2181 8 */
		if (type != ns_t_txt) {
			if (t < min_kept)
				min_kept = t;
			put(b, a + off, rd + rdlen - off);
			kept++;
		} else if (get16(a + end) == ns_t_txt && get16(a + end + 2) == ns_c_in) {
			txt_seen = 1;
			if (t < min_all)
				min_all = t;
			if (dnsreply_is_spf(a + rd, rdlen)) {
				if (t < min_kept)
					min_kept = t;
				put(b, name_ptr, sizeof(name_ptr));
				put(b, a + end, RR_FIXED + rdlen);
				kept++;
			}
		}
		off = rd + rdlen;
	}
	if (type == ns_t_txt && kept == 0 && txt_seen) {
		put(b, name_ptr, sizeof(name_ptr));
		put(b, empty_txt, sizeof(empty_txt));
		kept = 1;
		min_kept = min_all;
	}
	if (b->p != NULL) {
		b->p[6] = (unsigned char)(kept >> 8);
		b->p[7] = (unsigned char)kept;
	}
	*ttl = min_kept == UINT32_MAX ? 0 : min_kept;
	return 0;
}

/*
 * dnsreply_reduce - a malloc()ed copy of the reply ABUF (an answer to a
 * TYPE query) with only what is used, into *OUT and *OUTLEN; the smallest
 * TTL of the records kept into *TTL (0 when none). 0, or -1 (nothing
 * allocated) on a malformed reply or no memory.
 */
int
dnsreply_reduce(int type, const unsigned char *abuf, size_t alen, unsigned char **out,
    size_t *outlen, unsigned *ttl)
{
	struct buf b = { NULL, 0, 0 };

	if (walk(type, abuf, alen, &b, ttl) < 0 || (b.p = malloc(b.len)) == NULL)
		return -1;
	b.cap = b.len;
	b.len = 0;
	if (walk(type, abuf, alen, &b, ttl) < 0)
		log_bug("dnsreply: a reply walked once fails the second walk");
	*out = b.p;
	*outlen = b.len;
	return 0;
}
