/*
 * session.c - create, reset and free a connection's state; classify the
 * client at connect; write the one decision line of a message.
 *
 * Allocation failure returns NULL to the callback, which tempfails.
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "log.h"
#include "relay.h"
#include "session.h"

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
	sess_reset_message(s);
	free(s->stamps);
	cfg_release(s->cfg);
	free(s);
}

/* sess_copy - bounded copy; what does not fit is cut */
void
sess_copy(char *dst, size_t size, const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if (n >= size)
		n = size - 1;
	if (n)
		memcpy(dst, src, n);
	dst[n] = 0;
}

void
sess_reset_message(struct session *s)
{
	unsigned i;

	s->trust = s->conn_trust;
	s->qid[0] = s->from[0] = s->rcpt[0] = 0;
	for (i = 0; i < s->nrcpt && i < SESS_RCPTS_MAX; i++)
		free(s->rcpts[i]);
	for (i = 0; i < s->ndelivered; i++)
		free(s->delivered[i]);
	s->nrcpt = s->ndelivered = 0;
	s->exempt = 0;
	s->nheaders = s->nreceived = s->nstamps = s->dropped = s->nxmxguard = 0;
	s->loop_done = 0;
	s->spf.res = SPF_NOT_CHECKED;
	if (s->relay_checked) {          /* the verdicts described the origin */
		s->dnsbl_done = 0;
		memset(&s->dnsbl, 0, sizeof(s->dnsbl));
		s->dnsbl.best_site = -1;
	}
	s->relay_checked = s->origin_known = 0;
	s->origin[0] = s->relay_why[0] = 0;
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

/*
 * sess_check_relay - for a RELAY peer, at end of headers: the origin in
 * the peer's own stamp gets the DNSBL zones and SPF with the envelope
 * sender, both under one DNSTimeout (the zones are asked first and run
 * while SPF is evaluated). The results land in s->dnsbl and s->spf.
 */
void
sess_check_relay(struct session *s)
{
	const struct rcv_stamp *peer;
	struct dnsbl_job *job = NULL;
	struct spf_query q;
	char *buf[2], *const *local;
	size_t nlocal = local_names(s, buf, &local);

	if (s->trust != TRUST_WHITELIST || s->entry.kind != WL_RELAY)
		return;
	s->relay_checked = 1;
	if (!relay_origin(s->stamps, s->nstamps, local, nlocal, &peer))
		return;                      /* logged origin=unknown, accepted */
	s->origin_known = 1;
	addr_str(&peer->ip, s->origin, sizeof(s->origin));
	if (s->cfg->dns == NULL)
		return;
	if (s->cfg->dnsbl.nzones)
		job = dnsbl_start(s->cfg->dns, &s->cfg->dnsbl, &peer->ip, s->cfg->dnsbl_min_ttl / 1000,
		    s->cfg->dnsbl_max_ttl / 1000, s->cfg->dns_timeout);
	if (s->cfg->spf) {
		q.dns = s->cfg->dns;
		q.client = &peer->ip;
		q.helo = peer->from;
		q.from = s->from;
		q.receiver = s->j[0] ? s->j : s->cfg->hostname[0] ? s->cfg->hostname : "localhost";
		q.timeout_ms = s->cfg->dns_timeout;
		q.engine = s->cfg->spf_engine;
		spf_check(&q, &s->spf);
	}
	if (job) {
		dnsbl_collect(job, s->cfg->dnsbl_threshold, &s->dnsbl);
		s->dnsbl_done = 1;
		dnsbl_job_free(job);
	}
	if (s->dnsbl_done && s->dnsbl.listed)
		snprintf(s->relay_why, sizeof(s->relay_why), "relay-origin: %s listed (%.300s)",
		    s->origin, s->dnsbl.zones);
	else if (s->spf.res == SPF_R_FAIL)
		snprintf(s->relay_why, sizeof(s->relay_why), "relay-origin: SPF fail for %.253s from %s",
		    s->spf.domain, s->origin);
}

/* sess_check_spf - at MAIL FROM, for an untrusted client: waits at most DNSTimeout */
void
sess_check_spf(struct session *s)
{
	struct spf_query q;

	if (s->trust != TRUST_NONE || !s->cfg->spf || s->cfg->dns == NULL || !s->have_addr)
		return;
	q.dns = s->cfg->dns;
	q.client = &s->addr;
	q.helo = s->helo;
	q.from = s->from;
	q.receiver = s->j[0] ? s->j : s->cfg->hostname[0] ? s->cfg->hostname : "localhost";
	q.timeout_ms = s->cfg->dns_timeout;
	q.engine = s->cfg->spf_engine;
	spf_check(&q, &s->spf);
}

/* sess_add_rcpt - an accepted recipient: the first for the log, all (capped) for loops */
void
sess_add_rcpt(struct session *s, const char *rcpt)
{
	if (s->nrcpt == 0)
		sess_copy(s->rcpt, sizeof(s->rcpt), rcpt);
	if (s->nrcpt < SESS_RCPTS_MAX) {
		if ((s->rcpts[s->nrcpt] = strndup(rcpt, MXG_ADDR_MAX)) == NULL) {
			s->dropped++;
			return;          /* not kept, not counted: rcpts[0..nrcpt) stay valid */
		}
	} else
		s->dropped++;
	s->nrcpt++;
}

/* sess_add_header - count every field; keep what the loop rules read, bounded */
void
sess_add_header(struct session *s, const char *name, const char *value)
{
	s->nheaders++;
	if (strcasecmp(name, "X-Mxguard") == 0) {
		s->nxmxguard++;
		return;
	}
	switch (loop_header_kind(name)) {
	case LH_RECEIVED:
		s->nreceived++;
		if (s->nstamps == SESS_STAMPS_MAX) {
			s->dropped++;
			break;
		}
		if (s->stamps == NULL && (s->stamps = malloc(SESS_STAMPS_MAX * sizeof(*s->stamps))) == NULL) {
			s->dropped++;
			break;
		}
		rcv_parse(value, strlen(value), &s->stamps[s->nstamps++]);
		break;
	case LH_DELIVERED_TO:
		if (s->ndelivered == SESS_DELIVERED_MAX
		    || (s->delivered[s->ndelivered] = strndup(value, MXG_ADDR_MAX)) == NULL)
			s->dropped++;
		else
			s->ndelivered++;
		break;
	case LH_OTHER:
		break;
	}
}

/* sess_check_loop - the loop verdict, once the headers are in */
void
sess_check_loop(struct session *s)
{
	struct loop_input in;
	char *local[2];

	memset(&in, 0, sizeof(in));
	in.received = s->nreceived;
	in.stamps = s->stamps;
	in.nstamps = s->nstamps;
	in.nlocal = local_names(s, local, &in.local);
	in.delivered_to = s->delivered;
	in.ndelivered = s->ndelivered;
	in.rcpts = s->rcpts;
	in.nrcpts = s->nrcpt < SESS_RCPTS_MAX ? s->nrcpt : SESS_RCPTS_MAX;
	in.max_received = (unsigned)s->cfg->loop_max_received;
	in.max_passes = (unsigned)s->cfg->loop_max_passes;
	loop_check(&in, &s->loop);
	s->loop_done = 1;
}

/* sess_classify - whitelist (address, then confirmed name), then TrustedNetworks */
void
sess_classify(struct session *s, const char *client_resolve)
{
	int hit = 0;

	if (s->have_addr && s->cfg->wl) {
		hit = wl_match_addr(s->cfg->wl, &s->addr, &s->entry);
		if (!hit && dec_name_usable(s->name, client_resolve))
			hit = wl_match_name(s->cfg->wl, s->name, &s->entry);
	}
	s->conn_trust = dec_trust_connect(hit,
	    s->have_addr && cfg_in_list(&s->cfg->trusted, &s->addr));
	sess_reset_message(s);
	/* lookups start now and run while the client says HELO and MAIL */
	if (s->conn_trust == TRUST_NONE && s->have_addr && s->cfg->dns && s->cfg->dnsbl.nzones)
		s->dnsbl_job = dnsbl_start(s->cfg->dns, &s->cfg->dnsbl, &s->addr,
		    s->cfg->dnsbl_min_ttl / 1000, s->cfg->dnsbl_max_ttl / 1000, s->cfg->dns_timeout);
}

/*
 * sess_facts - what the decisions need to know about the message so far;
 * collects the DNSBL verdict (waiting at most until the deadline set at
 * connect) the first time it is needed for an untrusted client.
 */
void
sess_facts(struct session *s, struct msg_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->trust = s->trust;
	f->monitor = s->cfg->mode == MODE_MONITOR;
	f->error_tempfail = s->cfg->dns_error_action == ACT_TEMPFAIL;
	f->exempt = s->exempt;
	f->loop = s->loop_done && s->loop.loop;
	f->spf = s->relay_checked ? SPF_NOT_CHECKED : s->spf.res;
	f->relay_hit = s->relay_why[0] != 0;
	f->relay_action = s->cfg->relay_action;
	f->spf_fail_action = s->cfg->spf_fail_action;
	f->loop_action = s->cfg->loop_action;
	if (s->dnsbl_job && !s->dnsbl_done && s->trust == TRUST_NONE) {
		dnsbl_collect(s->dnsbl_job, s->cfg->dnsbl_threshold, &s->dnsbl);
		s->dnsbl_done = 1;
		dnsbl_job_free(s->dnsbl_job);
		s->dnsbl_job = NULL;
	}
	if (s->dnsbl_done && s->trust == TRUST_NONE) {
		f->dnsbl_checked = 1;
		f->dnsbl_listed = s->dnsbl.listed;
		f->dnsbl_failed = s->dnsbl.failed > 0 || s->dnsbl.uncertain;
	}
}

/* sess_log_verdict - SPEC's line for a message, or for one refused recipient */
void
sess_log_verdict(const struct session *s, const struct verdict *v, const char *one_rcpt)
{
	struct logline l;
	char from[MXG_ADDR_MAX + 2], rcpt[MXG_ADDR_MAX + 2];

	ll_init(&l, s->qid);
	ll_add(&l, "action", dec_action_name(v->action));
	ll_add(&l, "reason", dec_reason_name(v->reason));
	ll_add(&l, "client", s->have_addr ? s->addrstr : "unknown");
	ll_add(&l, "name", s->name[0] ? s->name : "unknown");
	if (s->trust == TRUST_WHITELIST) {
		ll_add(&l, "entry", s->entry.text);
		ll_add(&l, "list", wl_kind_name(s->entry.kind));
	}
	if (s->relay_checked)
		ll_add(&l, "origin", s->origin_known ? s->origin : "unknown");
	ll_add(&l, "helo", s->helo);
	snprintf(from, sizeof(from), "%s%s%s", s->from[0] == '<' ? "" : "<", s->from,
	    s->from[0] == '<' ? "" : ">");
	ll_add(&l, "from", from);
	if (one_rcpt == NULL)
		one_rcpt = s->rcpt;
	snprintf(rcpt, sizeof(rcpt), "%s%.*s%s", one_rcpt[0] == '<' ? "" : "<",
	    MXG_ADDR_MAX - 1, one_rcpt, one_rcpt[0] == '<' ? "" : ">");
	ll_add(&l, "rcpt", rcpt);
	if (s->nrcpt > 1 && one_rcpt == s->rcpt)
		ll_addf(&l, "nrcpt", "%u", s->nrcpt);
	if (s->loop_done) {
		ll_addf(&l, "received", "%u", s->loop.received);
		ll_addf(&l, "passes", "%u", s->loop.passes);
		if (s->loop.loop)
			ll_add(&l, "detail", s->loop.why);
	}
	if (s->dropped)
		ll_addf(&l, "dropped", "%u", s->dropped);
	if (s->spf.res != SPF_NOT_CHECKED) {
		ll_add(&l, "spf", spf_res_name(s->spf.res));
		ll_add(&l, "spfdomain", s->spf.domain);
		if (s->spf.why[0])
			ll_add(&l, "spfwhy", s->spf.why);
	}
	if (s->dnsbl_done && (s->trust == TRUST_NONE || s->relay_checked)) {
		ll_addf(&l, "score", "%d", s->dnsbl.score);
		if (s->dnsbl.zones[0])
			ll_add(&l, "zones", s->dnsbl.zones);
		if (s->dnsbl.errors[0])
			ll_add(&l, "dnserrors", s->dnsbl.errors);
		if (s->dnsbl.uncertain)
			ll_add(&l, "uncertain", "failed-allowlist");
		if (s->exempt && v->reason == R_DNSBL && v->action == ACT_ACCEPT)
			ll_add(&l, "exempt", "yes");
	}
	if (v->action != ACT_ACCEPT && !v->enforce)
		ll_add(&l, "mode", "monitor");
	ll_emit(&l, LOG_INFO);
	log_count(v->action, v->reason);
}
