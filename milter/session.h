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
#include "mxguard.h"
#include "whitelist.h"

struct config;

struct session {
	struct config *cfg;          /* snapshot taken at connect */
	struct addr addr;
	int have_addr;
	char addrstr[INET6_ADDRSTRLEN];
	char name[MXG_NAME_MAX];
	char helo[MXG_NAME_MAX];
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
};

struct session *sess_new(struct config *cfg);
void sess_free(struct session *s);
void sess_reset_message(struct session *s);
void sess_copy(char *dst, size_t size, const char *src);
void sess_classify(struct session *s, const char *client_resolve);
void sess_facts(struct session *s, struct msg_facts *f);
void sess_log_verdict(const struct session *s, const struct verdict *v, const char *rcpt);

#endif
