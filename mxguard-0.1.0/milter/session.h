/*
 * session.h - per-connection state, kept behind smfi_setpriv: libmilter
 * runs one connection's callbacks on different threads, so nothing of a
 * connection lives anywhere else. Message fields are reset per message.
 */
#ifndef SESSION_H
#define SESSION_H

#include "addr.h"
#include "decide.h"
#include "dnsbl.h"
#include "loop.h"
#include "spf.h"
#include "mxguard.h"
#include "whitelist.h"

struct config;

#define SESS_STAMPS_MAX     64     /* Received: fields parsed; more are only counted */
#define SESS_DELIVERED_MAX  16     /* Delivered-To: values kept */
#define SESS_RCPTS_MAX      64     /* recipients kept for the Delivered-To rule */

struct session {
	struct config *cfg;          /* snapshot taken at connect */
	struct addr addr;
	int have_addr;
	char addrstr[INET6_ADDRSTRLEN];
	char name[MXG_NAME_MAX];
	char helo[MXG_NAME_MAX];
	char j[MXG_NAME_MAX];        /* the MTA's {j}: its own name */
	enum trust conn_trust;
	struct wl_entry entry;       /* the whitelist entry that matched */
	struct dnsbl_job *dnsbl_job; /* lookups started at connect */
	int dnsbl_done;              /* verdict below collected (once per connection) */
	struct dnsbl_verdict dnsbl;

	/* the message in progress */
	enum trust trust;
	char qid[64];
	char from[MXG_ADDR_MAX];
	char rcpt[MXG_ADDR_MAX];     /* the first recipient */
	unsigned nrcpt;
	int exempt;                  /* a recipient passed only because it is exempt */
	char *rcpts[SESS_RCPTS_MAX]; /* the first recipients, for the Delivered-To rule */
	unsigned nheaders;           /* header fields seen */
	unsigned nreceived;          /* Received: fields seen */
	struct rcv_stamp *stamps;    /* the first SESS_STAMPS_MAX of them, parsed */
	unsigned nstamps;
	char *delivered[SESS_DELIVERED_MAX];
	unsigned ndelivered;
	unsigned dropped;            /* values not kept (caps above, or no memory) */
	unsigned nxmxguard;          /* X-Mxguard fields from outside */
	int loop_done;
	struct loop_verdict loop;
	struct spf_result spf;       /* res SPF_NOT_CHECKED unless checked at MAIL */
	int relay_checked;           /* a RELAY peer: origin looked for (dnsbl/spf describe it) */
	int origin_known;
	char origin[INET6_ADDRSTRLEN];
	char relay_why[MXG_NAME_MAX + 600];  /* the quarantine reason */
};

struct session *sess_new(struct config *cfg);
void sess_free(struct session *s);
void sess_reset_message(struct session *s);
void sess_copy(char *dst, size_t size, const char *src);
void sess_classify(struct session *s, const char *client_resolve);
void sess_add_rcpt(struct session *s, const char *rcpt);
void sess_add_header(struct session *s, const char *name, const char *value);
void sess_check_loop(struct session *s);
void sess_check_spf(struct session *s);
void sess_check_relay(struct session *s);
void sess_facts(struct session *s, struct msg_facts *f);
void sess_log_verdict(const struct session *s, const struct verdict *v, const char *rcpt);

#endif
