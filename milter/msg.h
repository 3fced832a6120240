/*
 * msg.h - one message: made at MAIL (msg_new), freed at end of message or
 * abort (msg_free). It owns the envelope, the header stamps, the loop
 * input (pass marks and their binding, mark.h) and verdict, the SPF result of MAIL FROM, and the origin check of
 * a RELAY peer in a struct of its own. Knows nothing of libmilter: the
 * unit tests feed it headers as the MTA would.
 */
#ifndef MSG_H
#define MSG_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "decide.h"
#include "dnsbl.h"
#include "loop.h"
#include "mark.h"
#include "mxguard.h"
#include "received.h"
#include "spf.h"
#include "str.h"

struct config;

#define MSG_STAMPS_MAX     64     /* Received: fields parsed; more are only counted */
#define MSG_DELIVERED_MAX  16     /* Delivered-To: values kept */
#define MSG_RCPTS_MAX      64     /* recipients kept for the Delivered-To rule */
#define MSG_XMXGUARD_MAX   16     /* foreign X-Mxguard fields removed; more: refused */
#define MSG_MARKS_MAX      MARK_MAX_EXAMINED  /* X-Mxguard-Pass values kept */
#define MSG_QID_MAX        64
#define ORIGIN_WHY_MAX     600    /* the quarantine reason of a relay-origin hit */

/* what the origin check of a RELAY peer found: never the connection's own */
struct origin {
	int checked;                  /* a RELAY peer: the origin was looked for */
	int known;                    /* the peer's stamp names an address */
	char addr[INET6_ADDRSTRLEN];
	int dnsbl_done;               /* dnsbl below holds the zones' verdict */
	struct dnsbl_verdict dnsbl;
	struct spf_result spf;        /* res SPF_NOT_CHECKED unless checked */
	int hit;                      /* listed, or SPF fail */
	struct str why;               /* "relay-origin: ..." on a hit, else empty */
};

struct msg {
	enum trust trust;             /* the connection's, or TRUST_AUTH at MAIL */
	char qid[MSG_QID_MAX];
	char from[MXG_ADDR_MAX];
	char rcpt[MXG_ADDR_MAX];      /* the first recipient */
	unsigned nrcpt;
	int exempt;                   /* a recipient passed only because it is exempt */
	char *rcpts[MSG_RCPTS_MAX];   /* the first recipients, for the Delivered-To rule */
	unsigned nheaders;            /* header fields seen */
	unsigned nreceived;           /* Received: fields seen */
	struct rcv_stamp *stamps;     /* the first MSG_STAMPS_MAX of them, parsed */
	unsigned nstamps;
	char *delivered[MSG_DELIVERED_MAX];
	unsigned ndelivered;
	unsigned dropped;             /* values not kept (caps above, or no memory) */
	unsigned nxmxguard;           /* X-Mxguard fields from outside */
	char *msgid;                  /* the first Message-ID value, or NULL */
	char *marks[MSG_MARKS_MAX];   /* the first X-Mxguard-Pass values (cut past 512 bytes) */
	unsigned nmarks;
	unsigned marks_dropped;       /* X-Mxguard-Pass values not kept (cap, no memory) */
	struct mark_rcpts mark_rcpts; /* the accepted recipients, for the binding */
	struct mark_bind bind;        /* what a mark binds this message by */
	int bound;                    /* bind is set (mark_bind succeeded) */
	struct mark_tally tally;      /* the marks examined, when a key is loaded */
	int loop_done;
	struct loop_verdict loop;
	struct spf_result spf;        /* res SPF_NOT_CHECKED unless checked at MAIL */
	struct origin origin;
};

struct msg *msg_new(enum trust trust, const char *from, const char *qid);
void msg_free(struct msg *m);
void msg_set_qid(struct msg *m, const char *qid);
void msg_add_rcpt(struct msg *m, const char *rcpt);
void msg_add_header(struct msg *m, const char *name, const char *value);
int msg_xmxguard_flood(const struct msg *m);
/* what the loop rules need besides the message: this host and the settings */
struct msg_loop_conf {
	const struct mark_key *key;   /* LoopKeyFile's key; len 0: no marks counted */
	int64_t now;                  /* seconds since 1970 */
	int64_t max_age;              /* LoopMarkMaxAge, seconds */
	const char *self;             /* this host's name (h= of our marks) */
	unsigned max_received;
	unsigned max_passes;
};

void msg_check_loop(struct msg *m, const struct msg_loop_conf *c);
int msg_pass_mark(struct msg *m, const struct mark_key *key, const char *self, int64_t now,
    char out[MARK_VALUE_MAX]);
void msg_spf(const struct msg *m, const struct config *cfg, const struct addr *client,
    const char *helo, const char *receiver, struct spf_result *out);
void msg_check_origin(struct msg *m, const struct config *cfg, const struct addr *peer_addr,
    char *const *local, size_t nlocal, const char *receiver);

#endif
