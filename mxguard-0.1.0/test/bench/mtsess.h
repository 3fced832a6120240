/*
 * mtsess.h - one MTA side of a milter session, as Postfix speaks it
 * (protocol version 6), for the load generator mtload. Pure: bytes from
 * the filter go in, packets for the filter come out of a buffer, and the
 * session says when the filter decided and how the session ended. No
 * sockets, no clocks.
 *
 * Exports mt_begin, mt_input, mt_abort. Fails by setting the outcome to
 * MT_ERROR with a reason (a malformed or unexpected reply, a packet that
 * does not fit); it never aborts and never allocates.
 */
#ifndef MTSESS_H
#define MTSESS_H

#include <stddef.h>
#include <stdint.h>

#define MT_IN_MAX     8192     /* a reply packet larger than this is skipped */
#define MT_OUT_MAX    4096     /* packets queued for the filter */
#define MT_STAGES     7        /* SMFIM_CONNECT .. SMFIM_EOH */

enum mt_outcome { MT_PENDING, MT_OK, MT_REJECT, MT_TEMPFAIL, MT_ERROR };

struct mt_sess {
	int step;                      /* what we wait for (enum in mtsess.c) */
	unsigned hdr;                  /* header being sent (one at a time) */
	uint32_t pflags;               /* protocol flags the filter chose */
	uint32_t macros[MT_STAGES];    /* bit per known macro, per stage */
	char ip[48];                   /* client address sent at CONNECT */
	char qid[16];                  /* queue id, macro i */
	int decided;                   /* the RCPT verdict is in (or never comes) */
	unsigned replies;              /* packets from the filter so far */
	int mail_sent;                 /* a transaction is open at the filter */
	int quarantined, discarded, modifications, progress;
	enum mt_outcome outcome;
	const char *why;               /* reason for MT_ERROR */
	unsigned char in[MT_IN_MAX];   /* partial reply packet */
	size_t inlen;
	uint32_t skip;                 /* bytes left of an oversized packet */
	char skipcmd;
	unsigned char out[MT_OUT_MAX]; /* packets for the filter, not yet written */
	size_t outlen;
};

/* mt_begin - reset S for a new session from client IP; queues OPTNEG */
void mt_begin(struct mt_sess *s, const char *ip, const char *qid);

/* mt_input - LEN bytes from the filter; queues what follows in S->out.
 * Returns 0, or -1 once S->outcome is final (QUIT or ABORT queued). */
int mt_input(struct mt_sess *s, const unsigned char *data, size_t len);

/* mt_abort - end S now with OUTCOME (timeout, lost connection) */
void mt_abort(struct mt_sess *s, enum mt_outcome outcome, const char *why);

#endif
