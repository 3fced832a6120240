/*
 * msg.c - one message's state, from MAIL to end of message or abort: the
 * envelope, the header fields the loop rules read (bounded where they
 * enter), the loop verdict, and the origin check of a RELAY peer.
 *
 * Exports msg_new/msg_free, msg_add_rcpt/msg_add_header (collect),
 * msg_check_loop and msg_check_origin (decide at end of headers),
 * msg_pass_mark (the X-Mxguard-Pass value of this pass, end of message)
 * and msg_xmxguard_flood. No libmilter here. msg_new returns NULL when memory
 * runs out (the callback tempfails); later allocations that fail only
 * drop a value, counted in dropped.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "msg.h"
#include "relay.h"

struct msg *
msg_new(enum trust trust, const char *from, const char *qid)
{
	struct msg *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->trust = trust;
	str_copy(m->from, sizeof(m->from), from);
	str_copy(m->qid, sizeof(m->qid), qid);
	m->spf.res = m->origin.spf.res = SPF_NOT_CHECKED;
	m->origin.dnsbl.best_site = -1;
	str_init(&m->origin.why, ORIGIN_WHY_MAX);
	return m;
}

void
msg_free(struct msg *m)
{
	unsigned i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nrcpt && i < MSG_RCPTS_MAX; i++)
		free(m->rcpts[i]);
	for (i = 0; i < m->ndelivered; i++)
		free(m->delivered[i]);
	for (i = 0; i < m->nmarks; i++)
		free(m->marks[i]);
	free(m->msgid);
	mark_rcpts_free(&m->mark_rcpts);
	free(m->stamps);
	dnsbl_verdict_free(&m->origin.dnsbl);
	str_free(&m->origin.why);
	free(m);
}

/* msg_set_qid - the queue id, once the MTA has one */
void
msg_set_qid(struct msg *m, const char *qid)
{
	if (qid != NULL)
		str_copy(m->qid, sizeof(m->qid), qid);
}

/* msg_add_rcpt - an accepted recipient: the first for the log, all (capped) for loops */
void
msg_add_rcpt(struct msg *m, const char *rcpt)
{
	if (m->nrcpt == 0)
		str_copy(m->rcpt, sizeof(m->rcpt), rcpt);
	mark_rcpts_add(&m->mark_rcpts, rcpt);   /* all of them, or no binding */
	if (m->nrcpt < MSG_RCPTS_MAX) {
		if ((m->rcpts[m->nrcpt] = strndup(rcpt, MXG_ADDR_MAX)) == NULL) {
			m->dropped++;
			return;          /* not kept, not counted: rcpts[0..nrcpt) stay valid */
		}
	} else
		m->dropped++;
	m->nrcpt++;
}

/* msg_add_header - count every field; keep what the loop rules read, bounded */
void
msg_add_header(struct msg *m, const char *name, const char *value)
{
	m->nheaders++;
	if (strcasecmp(name, "X-Mxguard") == 0) {
		m->nxmxguard++;
		return;
	}
	switch (loop_header_kind(name)) {
	case LH_RECEIVED:
		m->nreceived++;
		if (m->nstamps == MSG_STAMPS_MAX) {
			m->dropped++;
			break;
		}
		if (m->stamps == NULL && (m->stamps = malloc(MSG_STAMPS_MAX * sizeof(*m->stamps))) == NULL) {
			m->dropped++;
			break;
		}
		rcv_parse(value, strlen(value), &m->stamps[m->nstamps++]);
		break;
	case LH_DELIVERED_TO:
		if (m->ndelivered == MSG_DELIVERED_MAX
		    || (m->delivered[m->ndelivered] = strndup(value, MXG_ADDR_MAX)) == NULL)
			m->dropped++;
		else
			m->ndelivered++;
		break;
	case LH_MESSAGE_ID:
		if (m->msgid == NULL && (m->msgid = strndup(value, MARK_VALUE_MAX)) == NULL)
			m->dropped++;
		break;
	case LH_PASS_MARK:
		/* one byte more than a mark may have: a longer value stays bad */
		if (m->nmarks == MSG_MARKS_MAX
		    || (m->marks[m->nmarks] = strndup(value, MARK_VALUE_MAX + 1)) == NULL)
			m->marks_dropped++;
		else
			m->nmarks++;
		break;
	case LH_OTHER:
		break;
	}
}

/* msg_xmxguard_flood - more foreign X-Mxguard fields than are removed one by one */
int
msg_xmxguard_flood(const struct msg *m)
{
	return m->nxmxguard > MSG_XMXGUARD_MAX;
}

/*
 * msg_check_loop - the loop verdict, once the headers are in: the marks
 * are checked against the message's binding (Message-ID, recipients) under
 * the key, when there is one; without a key or a binding none counts
 */
void
msg_check_loop(struct msg *m, const struct msg_loop_conf *c)
{
	struct loop_input in;

	memset(&in, 0, sizeof(in));
	memset(&m->tally, 0, sizeof(m->tally));
	if (!m->bound)
		m->bound = mark_bind(m->msgid, &m->mark_rcpts, &m->bind) == 0;
	if (m->bound && c->key->len && m->nmarks)
		in.marks = mark_count(c->key, (const char *const *)m->marks, m->nmarks, &m->bind,
		    c->now, c->max_age, &m->tally);
	m->tally.dropped += m->marks_dropped;
	in.through = m->tally.host[0] ? m->tally.host : c->self;
	in.received = m->nreceived;
	in.delivered_to = m->delivered;
	in.ndelivered = m->ndelivered;
	in.rcpts = m->rcpts;
	in.nrcpts = m->nrcpt < MSG_RCPTS_MAX ? m->nrcpt : MSG_RCPTS_MAX;
	in.max_received = c->max_received;
	in.max_passes = c->max_passes;
	loop_check(&in, &m->loop);
	m->loop_done = 1;
}

/* msg_pass_mark - the X-Mxguard-Pass value recording this pass; 0, or -1
 * (no key, no binding: too many recipients or the crypto library failed).
 * Its time is later than every valid mark's: two passes within one second
 * would make the same mark, and a mark repeated counts once (a fast loop
 * runs ahead of the clock by a second a pass, within MARK_SKEW, and is held
 * at LoopMaxPasses long before that matters) */
int
msg_pass_mark(struct msg *m, const struct mark_key *key, const char *self, int64_t now,
    char out[MARK_VALUE_MAX])
{
	out[0] = 0;
	if (key->len == 0)
		return -1;
	if (!m->bound)
		m->bound = mark_bind(m->msgid, &m->mark_rcpts, &m->bind) == 0;
	if (!m->bound)
		return -1;
	if (m->loop_done && m->tally.valid && m->tally.latest >= now)
		now = m->tally.latest + 1;
	return mark_make(key, &m->bind, self, now, out);
}

/* msg_spf - SPF for the message's sender from client (which said helo), with
 * the snapshot's resolver, DNSTimeout and SPFEngine: the one place a query is
 * set up (the connection's check at MAIL and the origin check) */
void
msg_spf(const struct msg *m, const struct config *cfg, const struct addr *client,
    const char *helo, const char *receiver, struct spf_result *out)
{
	struct spf_query q;

	q.dns = cfg->dns;
	q.client = client;
	q.helo = helo;
	q.from = m->from;
	q.receiver = receiver;
	q.timeout_ms = cfg->dns_timeout;
	q.engine = cfg->spf_engine;
	spf_check(&q, out);
}

/*
 * msg_check_origin - for a RELAY peer, at end of headers: the origin in the
 * peer's own stamp gets the DNSBL zones and SPF with the envelope sender,
 * both under one DNSTimeout (the zones are asked first and run while SPF
 * is evaluated). The results land in m->origin, never in the connection's.
 */
void
msg_check_origin(struct msg *m, const struct config *cfg, const struct addr *peer_addr,
    char *const *local, size_t nlocal, const char *receiver)
{
	struct origin *o = &m->origin;
	const struct rcv_stamp *peer;
	struct dnsbl_job *job = NULL;

	o->checked = 1;
	if (!relay_origin(m->stamps, m->nstamps, local, nlocal, peer_addr, &peer))
		return;                      /* logged origin=unknown, accepted */
	o->known = 1;
	addr_str(&peer->ip, o->addr, sizeof(o->addr));
	if (cfg->dns == NULL)
		return;
	if (cfg->dnsbl.nzones)
		job = dnsbl_start(cfg->dns, &cfg->dnsbl, &peer->ip, cfg->dnsbl_min_ttl / 1000,
		    cfg->dnsbl_max_ttl / 1000, cfg->dns_timeout);
	if (cfg->spf)
		msg_spf(m, cfg, &peer->ip, peer->from, receiver, &o->spf);
	if (job) {
		dnsbl_collect(job, cfg->dnsbl_threshold, &o->dnsbl);
		o->dnsbl_done = 1;
		dnsbl_job_free(job);
	}
	str_reset(&o->why);
	o->hit = (o->dnsbl_done && o->dnsbl.listed) || o->spf.res == SPF_R_FAIL;
	if (o->dnsbl_done && o->dnsbl.listed) {
		str_catf(&o->why, "relay-origin: %s listed (", o->addr);
		str_escape(&o->why, str_text(&o->dnsbl.zones));
		str_cat(&o->why, ")");
	} else if (o->spf.res == SPF_R_FAIL) {
		str_cat(&o->why, "relay-origin: SPF fail for ");
		str_escape(&o->why, o->spf.domain);
		str_catf(&o->why, " from %s", o->addr);
	}
}
