/*
 * session.c - one connection: classify the client at connect, start its
 * DNSBL lookups, make and end its messages (msg.c), gather the facts the
 * decisions need (decide.c), and write the reply, tag and log texts of a
 * verdict. The callbacks call one function here per milter stage.
 *
 * Allocation failure: sess_new returns NULL and sess_mail/rcpt/header/
 * eoh/eom return -1; the callback tempfails. The MTA may have been told
 * that MAIL, the headers and end of headers get no reply (SMFIP_NR_*,
 * callbacks.c): a failure there is kept in s->failed and the next stage
 * that replies, RCPT or end of message, returns -1 in its place, so the
 * message is tempfailed as before, one stage later.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "log.h"
#include "mxpeers.h"
#include "session.h"
#include "snapshot.h"
#include "stats.h"

struct session *
sess_new(struct config *cfg)
{
	struct session *s = calloc(1, sizeof(*s));

	if (s != NULL) {
		s->cfg = cfg;
		s->dnsbl.best_site = -1;    /* no DNSBL verdict yet */
	}
	return s;
}

void
sess_free(struct session *s)
{
	if (s == NULL)
		return;
	dnsbl_job_free(s->dnsbl_job);
	dnsbl_verdict_free(&s->dnsbl);
	msg_free(s->msg);
	cfg_release(s->cfg);
	free(s);
}

/* local_names - LocalNames, or the MTA's {j} and the host name */
static size_t
local_names(const struct session *s, char **buf, char *const **out)
{
	if (s->cfg->local_names.n) {
		*out = s->cfg->local_names.v;
		return s->cfg->local_names.n;
	}
	buf[0] = (char *)(s->j[0] ? s->j : s->cfg->hostname);
	buf[1] = (char *)s->cfg->hostname;
	*out = buf;
	return s->cfg->hostname[0] ? 2 : 1;
}

/* receiver - this host's name for Received-SPF */
static const char *
receiver(const struct session *s)
{
	return s->j[0] ? s->j : s->cfg->hostname[0] ? s->cfg->hostname : "localhost";
}

/* mx_peer - an MX host of a BackupMXFor domain (not this host by {j}):
 * a whitelist entry "mx:DOMAIN" of BackupMXTrust's kind; never waits */
static int
mx_peer(struct session *s)
{
	struct mxp_peer p;

	if (!s->have_addr || !mxp_match(s->cfg->mxp, &s->addr, s->j, &p))
		return 0;
	s->entry.kind = s->cfg->backup_mx_trust;
	snprintf(s->entry.text, sizeof(s->entry.text), MXP_ENTRY_PREFIX "%s", p.domain);
	return 1;
}

/* classify - whitelist file (address, then confirmed name), then the MX
 * peers of BackupMXFor, then TrustedNetworks */
static void
classify(struct session *s, const char *client_resolve)
{
	int hit = 0;

	if (s->have_addr && s->cfg->wl) {
		hit = wl_match_addr(s->cfg->wl, &s->addr, &s->entry);
		if (!hit && dec_name_usable(s->name, client_resolve))
			hit = wl_match_name(s->cfg->wl, s->name, &s->entry);
	}
	if (!hit)
		hit = mx_peer(s);
	s->trust = dec_trust_connect(hit,
	    s->have_addr && cfg_in_list(&s->cfg->trusted, &s->addr));
}

/*
 * sess_connect - the client as the MTA names it (a NULL address: none
 * usable); classified, and for an untrusted client the DNSBL lookups start
 * now and run while it says HELO and MAIL
 */
void
sess_connect(struct session *s, const struct addr *a, const char *hostname, const char *j,
    const char *client_resolve)
{
	if (a != NULL) {
		s->addr = *a;
		s->have_addr = 1;
		addr_str(&s->addr, s->addrstr, sizeof(s->addrstr));
	}
	/* Postfix and Sendmail hand "[addr]" for a client without a usable name */
	str_copy(s->name, sizeof(s->name),
	    hostname == NULL || hostname[0] == 0 || hostname[0] == '[' ? "unknown" : hostname);
	str_copy(s->j, sizeof(s->j), j);
	classify(s, client_resolve);
	if (s->trust == TRUST_NONE && s->have_addr && s->cfg->dns && s->cfg->dnsbl.nzones)
		s->dnsbl_job = dnsbl_start(s->cfg->dns, &s->cfg->dnsbl, &s->addr,
		    s->cfg->dnsbl_min_ttl / 1000, s->cfg->dnsbl_max_ttl / 1000, s->cfg->dns_timeout);
}

void
sess_helo(struct session *s, const char *helo)
{
	str_copy(s->helo, sizeof(s->helo), helo);
}

/* cur - the message in progress; one is made for an MTA that skipped MAIL */
static struct msg *
cur(struct session *s)
{
	if (s->msg == NULL)
		s->msg = msg_new(s->trust, "", "");
	return s->msg;
}

/* check_spf - at MAIL FROM, for an untrusted client: waits at most DNSTimeout */
static void
check_spf(struct session *s, struct msg *m)
{
	if (m->trust != TRUST_NONE || !s->cfg->spf || s->cfg->dns == NULL || !s->have_addr)
		return;
	msg_spf(m, s->cfg, &s->addr, s->helo, receiver(s), &m->spf);
}

/*
 * sess_mail - a new message: authentication counts for this message only,
 * and the connection's DNSBL lookups are kept for the next one
 */
int
sess_mail(struct session *s, const char *from, const char *qid, const char *auth_authen)
{
	msg_free(s->msg);
	s->msg = msg_new(dec_trust_mail(s->trust, auth_authen, s->cfg->trust_auth), from, qid);
	s->failed = s->msg == NULL;
	if (s->msg == NULL)
		return -1;
	check_spf(s, s->msg);
	return 0;
}

/* sess_end_message - end of message or abort: the message is gone */
void
sess_end_message(struct session *s)
{
	msg_free(s->msg);
	s->msg = NULL;
	s->failed = 0;
}

/* sess_set_proto - keep the protocol flags negotiated with the MTA */
void
sess_set_proto(struct session *s, unsigned long flags)
{
	s->proto = flags;
}

/* sess_proto - the protocol flags negotiated with the MTA */
unsigned long
sess_proto(const struct session *s)
{
	return s->proto;
}

/*
 * facts - what the decisions need to know about the message so far;
 * collects the connection's DNSBL verdict (waiting at most until the
 * deadline set at connect) the first time an untrusted message needs it
 */
static void
facts(struct session *s, struct msg *m, struct msg_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->trust = m->trust;
	f->monitor = s->cfg->mode == MODE_MONITOR;
	f->error_tempfail = s->cfg->dns_error_action == ACT_TEMPFAIL;
	f->exempt = m->exempt;
	f->loop = m->loop_done && m->loop.loop;
	f->loop_proven = m->loop_done && m->loop.proven;
	f->spf = m->spf.res == SPF_NOT_CHECKED ? DEC_SPF_UNCHECKED : m->spf.res == SPF_R_FAIL ? DEC_SPF_FAIL
	    : m->spf.res == SPF_R_TEMPERROR ? DEC_SPF_TEMPERROR : DEC_SPF_OTHER;
	f->relay_hit = m->origin.hit;
	f->relay_action = s->cfg->relay_action;
	f->spf_fail_action = s->cfg->spf_fail_action;
	f->loop_action = s->cfg->loop_action;
	f->tag_flood = msg_xmxguard_flood(m);
	if (s->dnsbl_job && !s->dnsbl_done && m->trust == TRUST_NONE) {
		dnsbl_collect(s->dnsbl_job, s->cfg->dnsbl_threshold, &s->dnsbl);
		s->dnsbl_done = 1;
		dnsbl_job_free(s->dnsbl_job);
		s->dnsbl_job = NULL;
	}
	if (s->dnsbl_done && m->trust == TRUST_NONE) {
		f->dnsbl_checked = 1;
		f->dnsbl_listed = s->dnsbl.listed;
		f->dnsbl_failed = s->dnsbl.failed > 0 || s->dnsbl.uncertain;
	}
}

/*
 * sess_rcpt - the verdict for one recipient; one that is not refused
 * (v->enforce 0) joins the message
 */
int
sess_rcpt(struct session *s, const char *rcpt, struct verdict *v)
{
	struct msg *m = s->failed ? NULL : cur(s);
	struct msg_facts f;

	if (m == NULL)
		return -1;
	facts(s, m, &f);
	f.exempt = dec_exempt(s->cfg->exempt.v, s->cfg->exempt.n, rcpt);
	*v = dec_rcpt(&f);
	if (v->enforce)
		return 0;
	if (f.dnsbl_listed && f.exempt)
		m->exempt = 1;
	msg_add_rcpt(m, rcpt);
	return 0;
}

int
sess_header(struct session *s, const char *name, const char *value)
{
	struct msg *m = s->failed ? NULL : cur(s);

	if (m == NULL) {
		s->failed = 1;
		return -1;
	}
	msg_add_header(m, name, value);
	return 0;
}

/* check_loop - the message's loop verdict: its pass marks under our key */
static void
check_loop(struct session *s, struct msg *m)
{
	struct msg_loop_conf c;

	c.key = &s->cfg->loop_key;
	c.now = (int64_t)time(NULL);
	c.max_age = (int64_t)(s->cfg->loop_mark_max_age / 1000);
	c.self = receiver(s);
	c.max_received = (unsigned)s->cfg->loop_max_received;
	c.max_passes = (unsigned)s->cfg->loop_max_passes;
	msg_check_loop(m, &c);
}

/* sess_eoh - the headers are in: loop rules, and a RELAY peer's origin */
int
sess_eoh(struct session *s)
{
	struct msg *m = s->failed ? NULL : cur(s);
	char *buf[2], *const *local;
	size_t nlocal;

	if (m == NULL) {
		s->failed = 1;
		return -1;
	}
	check_loop(s, m);
	if (m->trust == TRUST_WHITELIST && s->entry.kind == WL_RELAY) {
		nlocal = local_names(s, buf, &local);
		msg_check_origin(m, s->cfg, &s->addr, local, nlocal, receiver(s));
	}
	return 0;
}

/* sess_eom - the verdict on the message, with the queue id known by now */
int
sess_eom(struct session *s, const char *qid, struct verdict *v)
{
	struct msg *m = s->failed ? NULL : cur(s);
	struct msg_facts f;

	if (m == NULL)
		return -1;
	msg_set_qid(m, qid);
	if (!m->loop_done)
		check_loop(s, m);
	facts(s, m, &f);
	*v = dec_message(&f);
	if (f.tag_flood && f.trust != TRUST_NONE)
		log_msg(LOG_WARNING, "%s: trusted client %s sent more than %d foreign X-Mxguard fields:"
		    " left in place, not refused", qid && qid[0] ? qid : "NOQUEUE", s->addrstr,
		    MSG_XMXGUARD_MAX);
	return 0;
}

const char *
sess_qid(const struct session *s)
{
	return s->msg ? s->msg->qid : "";
}

/*
 * sess_pass_mark - the X-Mxguard-Pass value for a message this verdict lets
 * through (accepted, tagged, held; in Mode monitor whatever the verdict),
 * or NULL: refused, no key, or no mark could be made (logged)
 */
const char *
sess_pass_mark(struct session *s, const struct verdict *v, char out[MARK_VALUE_MAX])
{
	if (s->msg == NULL || s->cfg->loop_key.len == 0)
		return NULL;
	if (v->enforce && (v->action == ACT_REJECT || v->action == ACT_TEMPFAIL))
		return NULL;
	if (msg_pass_mark(s->msg, &s->cfg->loop_key, receiver(s), (int64_t)time(NULL), out) < 0) {
		log_msg(LOG_WARNING, "%s: no loop pass mark: %s", s->msg->qid,
		    s->msg->mark_rcpts.failed ? "too many recipients" : "cannot make one");
		return NULL;
	}
	return out;
}

/* sess_foreign_tags - X-Mxguard fields from outside to remove: none in
 * monitor mode, none in a flood (the message is refused, not edited) */
unsigned
sess_foreign_tags(const struct session *s)
{
	if (s->msg == NULL || s->cfg->mode == MODE_MONITOR || msg_xmxguard_flood(s->msg))
		return 0;
	return s->msg->nxmxguard;
}

/* shown_spf - the SPF result a message's header and log line describe:
 * the origin's for a RELAY peer, else the one of MAIL FROM */
static const struct spf_result *
shown_spf(const struct msg *m)
{
	return m->origin.checked ? &m->origin.spf : &m->spf;
}

/* sess_spf_header - the Received-SPF value to add, or NULL */
const char *
sess_spf_header(const struct session *s)
{
	const struct spf_result *spf;

	if (s->msg == NULL || !s->cfg->spf_header || s->cfg->mode == MODE_MONITOR)
		return NULL;
	spf = shown_spf(s->msg);
	return spf->res != SPF_NOT_CHECKED && spf->header[0] ? spf->header : NULL;
}

/* sess_quarantine_reason - the reason handed to the MTA with a quarantine */
const char *
sess_quarantine_reason(const struct session *s, const struct verdict *v)
{
	if (s->msg == NULL)
		return "";
	return v->reason == R_RELAY_ORIGIN ? str_text(&s->msg->origin.why) : s->msg->loop.why;
}

/* sess_tag - the X-Mxguard value of a tag verdict; what came from outside
 * is escaped as the log escapes it */
void
sess_tag(const struct session *s, const struct verdict *v, struct str *tag)
{
	const struct msg *m = s->msg;
	const struct origin *o;

	if (m == NULL)
		return;
	o = &m->origin;
	if (v->reason == R_SPF) {
		str_catf(tag, "reason=spf spf=%s domain=", spf_res_name(m->spf.res));
		str_quote(tag, m->spf.domain);
		str_catf(tag, " client=%s", s->addrstr);
	} else if (v->reason == R_RELAY_ORIGIN) {
		str_catf(tag, "reason=relay-origin origin=%s score=%d zones=", o->addr,
		    o->dnsbl_done ? o->dnsbl.score : 0);
		str_quote(tag, o->dnsbl.zones.len ? str_text(&o->dnsbl.zones) : "-");
		str_catf(tag, " spf=%s", spf_res_name(o->spf.res));
	} else {
		str_catf(tag, "reason=%s received=%u passes=%u (", dec_reason_name(v->reason),
		    m->loop.received, m->loop.passes);
		str_escape(tag, m->loop.why);
		str_cat(tag, ")");
	}
}

/* sess_reply_in - what the reply of a refusal is made of (decide.c dec_reply_for words it) */
void
sess_reply_in(const struct session *s, const struct verdict *v, struct dec_reply_in *in)
{
	in->reason = v->reason;
	in->action = v->action;
	in->client = s->addrstr;
	in->zone = "";
	in->loop_why = s->msg ? s->msg->loop.why : "";
	in->spf_domain = s->msg ? s->msg->spf.domain : "";
	in->dnsbl_reply = s->cfg->dnsbl_reply;
	if (s->dnsbl_done && s->dnsbl.best_site >= 0)
		in->zone = s->cfg->dnsbl.zones[s->cfg->dnsbl.sites[s->dnsbl.best_site].zone];
}

/* bracketed - an address as "<addr>" for the log line (brackets added when
 * missing), one byte longer than the log keeps so that the cut shows */
static void
bracketed(struct str *s, const char *a)
{
	str_init(s, MXG_LOGVAL_MAX + 1);
	if (a[0] != '<')
		str_cat(s, "<");
	str_cat(s, a);
	if (a[0] != '<')
		str_cat(s, ">");
}

/* sess_log_verdict - the decision line for a message, or for one refused recipient */
void
sess_log_verdict(const struct session *s, const struct verdict *v, const char *one_rcpt)
{
	const struct msg *m = s->msg;
	const struct spf_result *spf;
	const struct dnsbl_verdict *bl = NULL;
	struct logline l;
	struct str from, rcpt;

	if (m == NULL)
		log_bug("a decision line without a message");
	spf = shown_spf(m);
	if (m->origin.checked)
		bl = m->origin.dnsbl_done ? &m->origin.dnsbl : NULL;
	else if (s->dnsbl_done && m->trust == TRUST_NONE)
		bl = &s->dnsbl;
	ll_init(&l, m->qid);
	ll_add(&l, "action", dec_action_name(v->action));
	ll_add(&l, "reason", dec_reason_name(v->reason));
	ll_add(&l, "client", s->have_addr ? s->addrstr : "unknown");
	ll_add(&l, "name", s->name[0] ? s->name : "unknown");
	if (m->trust == TRUST_WHITELIST) {
		ll_add(&l, "entry", s->entry.text);
		ll_add(&l, "list", wl_kind_name(s->entry.kind));
	}
	if (m->origin.checked)
		ll_add(&l, "origin", m->origin.known ? m->origin.addr : "unknown");
	ll_add(&l, "helo", s->helo);
	bracketed(&from, m->from);
	ll_add(&l, "from", str_text(&from));
	if (one_rcpt == NULL)
		one_rcpt = m->rcpt;
	bracketed(&rcpt, one_rcpt);
	ll_add(&l, "rcpt", str_text(&rcpt));
	str_free(&from);
	str_free(&rcpt);
	if (m->nrcpt > 1 && one_rcpt == m->rcpt)
		ll_addf(&l, "nrcpt", "%u", m->nrcpt);
	if (m->loop_done && m->nmarks + m->marks_dropped) {
		/* the message carried pass marks: how many count, how many not */
		ll_addf(&l, "marks", "%u", m->tally.valid);
		if (m->nmarks > m->tally.valid)
			ll_addf(&l, "marksignored", "%u", m->nmarks - m->tally.valid);
		if (m->tally.dropped)
			ll_addf(&l, "marksdropped", "%u", m->tally.dropped);
	}
	if (m->loop_done) {
		ll_addf(&l, "received", "%u", m->loop.received);
		ll_addf(&l, "passes", "%u", m->loop.passes);
		if (m->loop.loop)
			ll_add(&l, "detail", m->loop.why);
	}
	if (m->dropped)
		ll_addf(&l, "dropped", "%u", m->dropped);
	if (spf->res != SPF_NOT_CHECKED) {
		ll_add(&l, "spf", spf_res_name(spf->res));
		ll_add(&l, "spfdomain", spf->domain);
		if (spf->why[0])
			ll_add(&l, "spfwhy", spf->why);
	}
	if (bl != NULL) {
		ll_addf(&l, "score", "%d", bl->score);
		if (bl->zones.len)
			ll_add(&l, "zones", str_text(&bl->zones));
		if (bl->errors.len)
			ll_add(&l, "dnserrors", str_text(&bl->errors));
		if (bl->uncertain)
			ll_add(&l, "uncertain", "failed-allowlist");
		if (m->exempt && v->reason == R_DNSBL && v->action == ACT_ACCEPT)
			ll_add(&l, "exempt", "yes");
	}
	if (v->action != ACT_ACCEPT && !v->enforce)
		ll_add(&l, "mode", "monitor");
	ll_emit(&l, LOG_INFO);
	stats_count(v->action, v->reason);
}
