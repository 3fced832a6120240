/*
 * session.h - one connection, kept behind smfi_setpriv: libmilter runs one
 * connection's callbacks on different threads, so nothing of a connection
 * lives anywhere else. The session holds the client (address, names,
 * trust), its DNSBL lookups and their verdict, and the message in
 * progress (struct msg, msg.h), made at MAIL and freed at its end.
 */
#ifndef SESSION_H
#define SESSION_H

#include "addr.h"
#include "decide.h"
#include "dnsbl.h"
#include "msg.h"
#include "mxguard.h"
#include "str.h"
#include "whitelist.h"

struct config;

#define SESS_TAG_MAX 1024            /* X-Mxguard value */

struct session {
	struct config *cfg;          /* snapshot taken at negotiation (connect) */
	struct addr addr;
	int have_addr;
	char addrstr[INET6_ADDRSTRLEN];
	char name[MXG_NAME_MAX];
	char helo[MXG_NAME_MAX];
	char j[MXG_NAME_MAX];        /* the MTA's {j}: its own name */
	enum trust trust;            /* at connect; a message may add TRUST_AUTH */
	struct wl_entry entry;       /* the whitelist entry that matched */
	struct dnsbl_job *dnsbl_job; /* lookups started at connect, kept to the end */
	int dnsbl_done;              /* verdict below collected (once per connection) */
	struct dnsbl_verdict dnsbl;
	struct msg *msg;             /* the message in progress, or NULL */
	int failed;                  /* a stage that gives no reply failed (memory): the
	                              * next one that replies (RCPT, end of message) tempfails */
	unsigned long proto;         /* the MTA's protocol flags in force (callbacks.c's) */
};

struct session *sess_new(struct config *cfg);
void sess_free(struct session *s);
void sess_connect(struct session *s, const struct addr *a, const char *hostname,
    const char *j, const char *client_resolve);
void sess_helo(struct session *s, const char *helo);
int sess_mail(struct session *s, const char *from, const char *qid, const char *auth_authen);
int sess_rcpt(struct session *s, const char *rcpt, struct verdict *v);
int sess_header(struct session *s, const char *name, const char *value);
int sess_eoh(struct session *s);
int sess_eom(struct session *s, const char *qid, struct verdict *v);
void sess_end_message(struct session *s);
void sess_set_proto(struct session *s, unsigned long flags);
unsigned long sess_proto(const struct session *s);
const char *sess_qid(const struct session *s);
unsigned sess_foreign_tags(const struct session *s);
const char *sess_spf_header(const struct session *s);
const char *sess_pass_mark(struct session *s, const struct verdict *v, char out[MARK_VALUE_MAX]);
const char *sess_quarantine_reason(const struct session *s, const struct verdict *v);
void sess_tag(const struct session *s, const struct verdict *v, struct str *tag);
void sess_reply_in(const struct session *s, const struct verdict *v, struct dec_reply_in *in);
void sess_log_verdict(const struct session *s, const struct verdict *v, const char *rcpt);

#endif
