/*
 * callbacks.c - the xxfi_* callbacks, kept thin: each gathers what the MTA
 * tells into the session and calls the modules that decide.
 *
 * All connection state hangs off smfi_setpriv. A callback that finds no
 * session (allocation failed, or the MTA skipped connect) tempfails: when in
 * doubt, mail waits rather than passing unchecked or being lost.
 */
#include "autoconf.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "callbacks.h"
#include "config.h"
#include "decide.h"
#include "log.h"
#include "session.h"

#define SESSION(ctx) ((struct session *)smfi_getpriv(ctx))

/* macros we ask the MTA for, per stage (Sendmail needs asking; Postfix obeys) */
static char conn_macros[] = "j {client_resolve} {daemon_name}";
static char mail_macros[] = "i {auth_authen} {auth_type}";
static char qid_macros[] = "i";

static sfsistat
cb_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2,
    unsigned long f3, unsigned long *pf0, unsigned long *pf1, unsigned long *pf2,
    unsigned long *pf3)
{
	(void)f2;
	(void)f3;
	*pf0 = f0 & cb_desc.xxfi_flags;
	*pf1 = f1 & (SMFIP_NOBODY | SMFIP_NOUNKNOWN | SMFIP_NODATA);
	*pf2 = *pf3 = 0;
	if (f0 & SMFIF_SETSYMLIST) {
		*pf0 |= SMFIF_SETSYMLIST;
		smfi_setsymlist(ctx, SMFIM_CONNECT, conn_macros);
		smfi_setsymlist(ctx, SMFIM_ENVFROM, mail_macros);
		smfi_setsymlist(ctx, SMFIM_ENVRCPT, qid_macros);
		smfi_setsymlist(ctx, SMFIM_EOH, qid_macros);
		smfi_setsymlist(ctx, SMFIM_EOM, qid_macros);
	}
	return SMFIS_CONTINUE;
}

static sfsistat
cb_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *hostaddr)
{
	struct config *cfg = cfg_acquire();
	struct session *s;

	log_count_connection();
	if (cfg == NULL || (s = sess_new(cfg)) == NULL) {
		log_msg(LOG_ERR, "connect from %s: out of memory; tempfail",
		    hostname ? "client" : "unknown client");
		cfg_release(cfg);
		return SMFIS_TEMPFAIL;
	}
	if (addr_from_sockaddr(hostaddr, &s->addr) == 0) {
		s->have_addr = 1;
		addr_str(&s->addr, s->addrstr, sizeof(s->addrstr));
	}
	/* Postfix and Sendmail hand "[addr]" for a client without a usable name */
	sess_copy(s->name, sizeof(s->name),
	    hostname == NULL || hostname[0] == 0 || hostname[0] == '[' ? "unknown" : hostname);
	sess_copy(s->j, sizeof(s->j), smfi_getsymval(ctx, "j"));
	sess_classify(s, smfi_getsymval(ctx, "{client_resolve}"));
	smfi_setpriv(ctx, s);
	return SMFIS_CONTINUE;
}

static sfsistat
cb_helo(SMFICTX *ctx, char *helo)
{
	struct session *s = SESSION(ctx);

	if (s == NULL)
		return SMFIS_TEMPFAIL;
	sess_copy(s->helo, sizeof(s->helo), helo);
	return SMFIS_CONTINUE;
}

static sfsistat
cb_envfrom(SMFICTX *ctx, char **argv)
{
	struct session *s = SESSION(ctx);

	if (s == NULL)
		return SMFIS_TEMPFAIL;
	sess_reset_message(s);
	sess_copy(s->from, sizeof(s->from), argv[0]);
	sess_copy(s->qid, sizeof(s->qid), smfi_getsymval(ctx, "i"));
	/* authentication is per message: the connection's DNSBL lookups are
	 * kept for a later message without it */
	s->trust = dec_trust_mail(s->conn_trust, smfi_getsymval(ctx, "{auth_authen}"),
	    s->cfg->trust_auth);
	sess_check_spf(s);
	return SMFIS_CONTINUE;
}

/* set_reply - the SMTP reply for a refusal, by its reason: a loop, an SPF
 * fail, a listing, or a DNS failure (never a 5xx) */
static void
set_reply(SMFICTX *ctx, struct session *s, const struct verdict *v)
{
	char code[4], xcode[16], text[MXG_ADDR_MAX * 2 + 128];
	const char *zone = "";
	int reject = v->action == ACT_REJECT;

	if (s->dnsbl_done && s->dnsbl.best_site >= 0)
		zone = s->cfg->dnsbl.zones[s->cfg->dnsbl.sites[s->dnsbl.best_site].zone];
	if (v->reason == R_LOOP)
		/* through dec_reply: a '%' in the evidence (an address) is doubled */
		dec_reply(reject ? "554 5.4.6 Routing loop detected (%z)"
		    : "451 4.4.6 Routing loop detected (%z)", s->addrstr, s->loop.why,
		    code, xcode, text, sizeof(text));
	else if (v->reason == R_SPF)
		dec_reply(reject ? "550 5.7.23 SPF fail: %z does not designate %a "
		    "as permitted sender" : "451 4.7.23 SPF fail: %z does not designate %a as "
		    "permitted sender", s->addrstr, s->spf.domain, code, xcode, text, sizeof(text));
	else if (reject && v->reason == R_DNSBL)
		dec_reply(s->cfg->dnsbl_reply, s->addrstr, zone, code, xcode, text, sizeof(text));
	else
		dec_reply("451 4.7.1 Service temporarily unavailable; DNS lookups for "
		    "client [%a] failed, try again later", s->addrstr, "", code, xcode, text,
		    sizeof(text));
	if (smfi_setreply(ctx, code, xcode[0] ? xcode : NULL, text) != MI_SUCCESS)
		log_msg(LOG_WARNING, "cannot set the reply \"%s %s\"; the MTA's own is used",
		    code, xcode);
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
	struct msg_facts f;
	struct verdict v;
	int exempt;

	if (s == NULL)
		return SMFIS_TEMPFAIL;
	sess_facts(s, &f);
	exempt = dec_exempt(s->cfg->exempt.v, s->cfg->exempt.n, argv[0]);
	f.exempt = exempt;
	v = dec_rcpt(&f);
	if (v.enforce)
		return refuse(ctx, s, &v, argv[0]);
	if (f.dnsbl_listed && exempt)
		s->exempt = 1;
	sess_add_rcpt(s, argv[0]);
	return SMFIS_CONTINUE;
}

static sfsistat
cb_header(SMFICTX *ctx, char *name, char *value)
{
	struct session *s = SESSION(ctx);

	if (s == NULL)
		return SMFIS_TEMPFAIL;
	sess_add_header(s, name, value);
	return SMFIS_CONTINUE;
}

static sfsistat
cb_eoh(SMFICTX *ctx)
{
	struct session *s = SESSION(ctx);

	if (s == NULL)
		return SMFIS_TEMPFAIL;
	sess_check_loop(s);
	sess_check_relay(s);
	return SMFIS_CONTINUE;
}

/* apply - carry out an end-of-message verdict; the return value for libmilter */
static sfsistat
apply(SMFICTX *ctx, struct session *s, const struct verdict *v)
{
	char tag[MXG_ADDR_MAX + 128];
	unsigned i;

	/* X-Mxguard is ours: one from outside is never passed on */
	if (s->cfg->mode != MODE_MONITOR)
		for (i = s->nxmxguard; i > 0; i--)
			if (smfi_chgheader(ctx, "X-Mxguard", (int)i, NULL) != MI_SUCCESS)
				log_msg(LOG_WARNING, "%s: cannot remove an X-Mxguard field", s->qid);
	if (s->spf.res != SPF_NOT_CHECKED && s->cfg->spf_header && s->cfg->mode != MODE_MONITOR
	    && s->spf.header[0] && smfi_insheader(ctx, 0, "Received-SPF", s->spf.header) != MI_SUCCESS)
		log_msg(LOG_WARNING, "%s: cannot add Received-SPF", s->qid);
	if (!v->enforce)
		return SMFIS_CONTINUE;
	switch (v->action) {
	case ACT_QUARANTINE:
		if (smfi_quarantine(ctx, (char *)(uintptr_t)(v->reason == R_RELAY_ORIGIN
		    ? s->relay_why : s->loop.why)) != MI_SUCCESS) {
			log_msg(LOG_ERR, "%s: quarantine refused by the MTA; tempfail", s->qid);
			return SMFIS_TEMPFAIL;
		}
		return SMFIS_CONTINUE;
	case ACT_TAG:
		if (v->reason == R_SPF)
			snprintf(tag, sizeof(tag), "reason=spf spf=%s domain=%.253s client=%s",
			    spf_res_name(s->spf.res), s->spf.domain, s->addrstr);
		else if (v->reason == R_RELAY_ORIGIN)
			snprintf(tag, sizeof(tag), "reason=relay-origin origin=%s score=%d zones=%.200s spf=%s",
			    s->origin, s->dnsbl_done ? s->dnsbl.score : 0, s->dnsbl.zones[0] ? s->dnsbl.zones : "-",
			    spf_res_name(s->spf.res));
		else
			snprintf(tag, sizeof(tag), "reason=%s received=%u passes=%u (%s)",
			    dec_reason_name(v->reason), s->loop.received, s->loop.passes, s->loop.why);
		if (smfi_addheader(ctx, "X-Mxguard", tag) != MI_SUCCESS)
			log_msg(LOG_WARNING, "%s: cannot add X-Mxguard", s->qid);
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
	struct msg_facts f;
	struct verdict v;
	const char *qid;
	sfsistat r;

	if (s == NULL)
		return SMFIS_TEMPFAIL;
	if ((qid = smfi_getsymval(ctx, "i")) != NULL)
		sess_copy(s->qid, sizeof(s->qid), qid);
	if (!s->loop_done)
		sess_check_loop(s);
	sess_facts(s, &f);
	v = dec_message(&f);
	r = apply(ctx, s, &v);
	sess_log_verdict(s, &v, NULL);
	sess_reset_message(s);
	return r;
}

static sfsistat
cb_abort(SMFICTX *ctx)
{
	struct session *s = SESSION(ctx);

	if (s != NULL)
		sess_reset_message(s);
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
