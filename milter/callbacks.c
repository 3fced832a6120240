/*
 * callbacks.c - the xxfi_* callbacks, kept thin: each hands what the MTA
 * tells to one session function (session.c) and turns its answer into
 * libmilter's (replies, header edits, quarantine); no session field is
 * read or written here.
 *
 * All connection state hangs off smfi_setpriv, made at negotiation. A
 * callback that finds no session (allocation failed) tempfails: when in
 * doubt, mail waits rather than passing unchecked or being lost. Stages
 * agreed to have no reply (cb_negotiate) answer SMFIS_NOREPLY; their
 * failures are refused at the next stage that replies (session.c).
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "callbacks.h"
#include "config.h"
#include "decide.h"
#include "log.h"
#include "mark.h"
#include "session.h"
#include "snapshot.h"
#include "stats.h"

#define SESSION(ctx) ((struct session *)smfi_getpriv(ctx))

/*
 * The macros read, at the stage they are read (Sendmail needs asking;
 * Postfix obeys): connect {j} {client_resolve}, MAIL {i} {auth_authen},
 * end of message {i}. Nothing else is read.
 */
static char conn_macros[] = "j {client_resolve}";
static char mail_macros[] = "i {auth_authen}";
static char eom_macros[] = "i";

/*
 * Stages mxguard never refuses at, so the MTA need not wait for them
 * (protocol 6): connect, HELO, MAIL, each header, end of headers. A
 * failure there (memory) is kept by the session and refused at the next
 * stage that replies (RCPT, end of message). Stages it never needs: body,
 * unknown commands, DATA.
 */
#define CB_NOREPLY (SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_MAIL | SMFIP_NR_HDR | SMFIP_NR_EOH)
#define CB_NOSTEPS (SMFIP_NOBODY | SMFIP_NOUNKNOWN | SMFIP_NODATA)

/* new_session - one connection's session with the current configuration */
static struct session *
new_session(void)
{
	struct config *cfg = cfg_acquire();
	struct session *s = cfg ? sess_new(cfg) : NULL;

	if (s == NULL)
		cfg_release(cfg);
	return s;
}

/*
 * cb_negotiate - take what the MTA offers of what mxguard wants. libmilter
 * offers the no-reply flags itself when the MTA lacks them (it then
 * answers CONTINUE in the filter's place), so every MTA gets the same
 * callbacks; what was agreed is kept in the session, made here, so a
 * callback says SMFIS_NOREPLY only for a stage agreed to have none. No
 * memory for the session: nothing is skipped, and connect tempfails.
 */
static sfsistat
cb_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2,
    unsigned long f3, unsigned long *pf0, unsigned long *pf1, unsigned long *pf2,
    unsigned long *pf3)
{
	struct session *s = new_session();

	(void)f2;
	(void)f3;
	*pf0 = f0 & cb_desc.xxfi_flags;
	*pf1 = f1 & (CB_NOSTEPS | (s != NULL ? CB_NOREPLY : 0));
	*pf2 = *pf3 = 0;
	if (s != NULL) {
		sess_set_proto(s, *pf1);
		smfi_setpriv(ctx, s);
	}
	if (f0 & SMFIF_SETSYMLIST) {
		*pf0 |= SMFIF_SETSYMLIST;
		smfi_setsymlist(ctx, SMFIM_CONNECT, conn_macros);
		smfi_setsymlist(ctx, SMFIM_ENVFROM, mail_macros);
		smfi_setsymlist(ctx, SMFIM_EOM, eom_macros);
	}
	return SMFIS_CONTINUE;
}

/*
 * answer - R, or no reply where the MTA was told this stage has none: a
 * failure (R tempfail) is then the session's to refuse at the next stage
 * that replies. A missing session answers R (libmilter withholds it if
 * a no-reply flag was agreed).
 */
static sfsistat
answer(const struct session *s, unsigned long noreply_flag, sfsistat r)
{
	return s != NULL && (sess_proto(s) & noreply_flag) ? SMFIS_NOREPLY : r;
}

/*
 * cb_connect - the session made at negotiation; one is made here when that
 * failed (then nothing was agreed and this reply is awaited) or after an
 * MTA's QUIT_NC reused the connection
 */
static sfsistat
cb_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *hostaddr)
{
	struct session *s = SESSION(ctx);
	struct addr a;

	stats_count_connection();
	if (s == NULL && (s = new_session()) == NULL) {
		log_msg(LOG_ERR, "connect from %s: out of memory; tempfail",
		    hostname ? "client" : "unknown client");
		return SMFIS_TEMPFAIL;
	}
	sess_connect(s, addr_from_sockaddr(hostaddr, &a) == 0 ? &a : NULL, hostname,
	    smfi_getsymval(ctx, "j"), smfi_getsymval(ctx, "{client_resolve}"));
	smfi_setpriv(ctx, s);
	return answer(s, SMFIP_NR_CONN, SMFIS_CONTINUE);
}

static sfsistat
cb_helo(SMFICTX *ctx, char *helo)
{
	struct session *s = SESSION(ctx);

	if (s == NULL)
		return SMFIS_TEMPFAIL;
	sess_helo(s, helo);
	return answer(s, SMFIP_NR_HELO, SMFIS_CONTINUE);
}

static sfsistat
cb_envfrom(SMFICTX *ctx, char **argv)
{
	struct session *s = SESSION(ctx);

	if (s == NULL)
		return SMFIS_TEMPFAIL;
	return answer(s, SMFIP_NR_MAIL, sess_mail(s, argv[0], smfi_getsymval(ctx, "i"),
	    smfi_getsymval(ctx, "{auth_authen}")) != 0 ? SMFIS_TEMPFAIL : SMFIS_CONTINUE);
}

/* set_reply - hand the MTA the reply of a refusal */
static void
set_reply(SMFICTX *ctx, struct session *s, const struct verdict *v)
{
	char code[DEC_CODE_SIZE], xcode[DEC_XCODE_SIZE];
	struct dec_reply_in in;
	struct str text;

	sess_reply_in(s, v, &in);
	str_init(&text, DEC_REPLY_TEXT_MAX);
	dec_reply_for(&in, code, xcode, &text);
	if (smfi_setreply(ctx, code, xcode[0] ? xcode : NULL, (char *)str_text(&text)) != MI_SUCCESS)
		log_msg(LOG_WARNING, "cannot set the reply \"%s %s\"; the MTA's own is used",
		    code, xcode);
	str_free(&text);
}

/* refuse - the reply and the log line for a recipient refused at RCPT */
static sfsistat
refuse(SMFICTX *ctx, struct session *s, const struct verdict *v, const char *rcpt)
{
	set_reply(ctx, s, v);
	sess_log_verdict(s, v, rcpt);
	return v->action == ACT_REJECT ? SMFIS_REJECT : SMFIS_TEMPFAIL;
}

static sfsistat
cb_envrcpt(SMFICTX *ctx, char **argv)
{
	struct session *s = SESSION(ctx);
	struct verdict v;

	if (s == NULL || sess_rcpt(s, argv[0], &v) != 0)
		return SMFIS_TEMPFAIL;
	if (v.enforce)
		return refuse(ctx, s, &v, argv[0]);
	return SMFIS_CONTINUE;
}

static sfsistat
cb_header(SMFICTX *ctx, char *name, char *value)
{
	struct session *s = SESSION(ctx);

	if (s == NULL)
		return SMFIS_TEMPFAIL;
	return answer(s, SMFIP_NR_HDR,
	    sess_header(s, name, value) != 0 ? SMFIS_TEMPFAIL : SMFIS_CONTINUE);
}

static sfsistat
cb_eoh(SMFICTX *ctx)
{
	struct session *s = SESSION(ctx);

	if (s == NULL)
		return SMFIS_TEMPFAIL;
	return answer(s, SMFIP_NR_EOH, sess_eoh(s) != 0 ? SMFIS_TEMPFAIL : SMFIS_CONTINUE);
}

/*
 * edit_headers - the header changes of end of message, all in one place:
 * foreign X-Mxguard fields out (ours is never passed on from outside; the
 * MTA matches the whole name, so X-Mxguard-Pass fields stay), then the
 * fields this filter adds (Received-SPF, the pass mark on top; the tag in
 * apply)
 */
static void
edit_headers(SMFICTX *ctx, struct session *s, const struct verdict *v)
{
	const char *spf = sess_spf_header(s), *mark;
	char buf[MARK_VALUE_MAX];
	unsigned i;

	for (i = sess_foreign_tags(s); i > 0; i--)
		if (smfi_chgheader(ctx, "X-Mxguard", (int)i, NULL) != MI_SUCCESS)
			log_msg(LOG_WARNING, "%s: cannot remove an X-Mxguard field", sess_qid(s));
	if (spf != NULL && smfi_insheader(ctx, 0, "Received-SPF", (char *)(uintptr_t)spf) != MI_SUCCESS)
		log_msg(LOG_WARNING, "%s: cannot add Received-SPF", sess_qid(s));
	if ((mark = sess_pass_mark(s, v, buf)) != NULL
	    && smfi_insheader(ctx, 0, MARK_HEADER, (char *)(uintptr_t)mark) != MI_SUCCESS)
		log_msg(LOG_WARNING, "%s: cannot add %s", sess_qid(s), MARK_HEADER);
}

/* apply - carry out an end-of-message verdict; the return value for libmilter */
static sfsistat
apply(SMFICTX *ctx, struct session *s, const struct verdict *v)
{
	struct str tag;
	int r;

	edit_headers(ctx, s, v);
	if (!v->enforce)
		return SMFIS_CONTINUE;
	switch (v->action) {
	case ACT_QUARANTINE:
		if (smfi_quarantine(ctx, (char *)(uintptr_t)sess_quarantine_reason(s, v)) != MI_SUCCESS) {
			log_msg(LOG_ERR, "%s: quarantine refused by the MTA; tempfail", sess_qid(s));
			return SMFIS_TEMPFAIL;
		}
		return SMFIS_CONTINUE;
	case ACT_TAG:
		str_init(&tag, SESS_TAG_MAX);
		sess_tag(s, v, &tag);
		r = smfi_addheader(ctx, "X-Mxguard", (char *)(uintptr_t)str_text(&tag));
		str_free(&tag);
		if (r != MI_SUCCESS)
			log_msg(LOG_WARNING, "%s: cannot add X-Mxguard", sess_qid(s));
		return SMFIS_CONTINUE;
	case ACT_TEMPFAIL:
	case ACT_REJECT:
		set_reply(ctx, s, v);
		return v->action == ACT_REJECT ? SMFIS_REJECT : SMFIS_TEMPFAIL;
	case ACT_ACCEPT:
	case ACT__N:
		break;
	}
	return SMFIS_CONTINUE;
}

static sfsistat
cb_eom(SMFICTX *ctx)
{
	struct session *s = SESSION(ctx);
	struct verdict v;
	sfsistat r;

	if (s == NULL || sess_eom(s, smfi_getsymval(ctx, "i"), &v) != 0)
		return SMFIS_TEMPFAIL;
	r = apply(ctx, s, &v);
	sess_log_verdict(s, &v, NULL);
	sess_end_message(s);
	return r;
}

static sfsistat
cb_abort(SMFICTX *ctx)
{
	struct session *s = SESSION(ctx);

	if (s != NULL)
		sess_end_message(s);
	return SMFIS_CONTINUE;
}

static sfsistat
cb_close(SMFICTX *ctx)
{
	struct session *s = SESSION(ctx);

	smfi_setpriv(ctx, NULL);
	sess_free(s);
	return SMFIS_CONTINUE;
}

struct smfiDesc cb_desc = {
	.xxfi_name = "mxguard",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE,
	.xxfi_connect = cb_connect,
	.xxfi_helo = cb_helo,
	.xxfi_envfrom = cb_envfrom,
	.xxfi_envrcpt = cb_envrcpt,
	.xxfi_header = cb_header,
	.xxfi_eoh = cb_eoh,
	.xxfi_eom = cb_eom,
	.xxfi_abort = cb_abort,
	.xxfi_close = cb_close,
	.xxfi_negotiate = cb_negotiate,
};
