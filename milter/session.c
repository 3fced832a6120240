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

#include "config.h"
#include "log.h"
#include "session.h"

struct session *
sess_new(struct config *cfg)
{
	struct session *s = calloc(1, sizeof(*s));

	if (s != NULL)
		s->cfg = cfg;
	return s;
}

void
sess_free(struct session *s)
{
	if (s == NULL)
		return;
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
	s->trust = s->conn_trust;
	s->qid[0] = s->from[0] = s->rcpt[0] = 0;
	s->nrcpt = 0;
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
}

/* sess_log_verdict - SPEC's one line per message */
void
sess_log_verdict(const struct session *s, const struct verdict *v)
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
	ll_add(&l, "helo", s->helo);
	snprintf(from, sizeof(from), "%s%s%s", s->from[0] == '<' ? "" : "<", s->from,
	    s->from[0] == '<' ? "" : ">");
	ll_add(&l, "from", from);
	snprintf(rcpt, sizeof(rcpt), "%s%s%s", s->rcpt[0] == '<' ? "" : "<", s->rcpt,
	    s->rcpt[0] == '<' ? "" : ">");
	ll_add(&l, "rcpt", rcpt);
	if (s->nrcpt > 1)
		ll_addf(&l, "nrcpt", "%u", s->nrcpt);
	if (v->action != ACT_ACCEPT && !v->enforce)
		ll_add(&l, "mode", "monitor");
	ll_emit(&l, LOG_INFO);
	log_count(v->action, v->reason);
}
