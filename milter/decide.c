/*
 * decide.c - classification of the client and the verdict on a message.
 *
 * Pure: inputs are plain values, outputs are plain values, nothing fails.
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "decide.h"
#include "str.h"

static const char *const action_names[ACT__N] = {
	"accept", "tag", "quarantine", "tempfail", "reject"
};
static const char *const reason_names[R__N] = {
	"clean", "dnsbl", "spf", "loop", "relay-origin",
	"whitelist", "trusted", "authenticated", "dns-error", "tag-flood"
};

const char *
dec_action_name(enum action a)
{
	return (unsigned)a < ACT__N ? action_names[a] : "?";
}

const char *
dec_reason_name(enum reason r)
{
	return (unsigned)r < R__N ? reason_names[r] : "?";
}

/*
 * dec_name_usable - may the client name be matched against host entries?
 * Only a forward-confirmed name: Postfix hands "unknown" otherwise, Sendmail
 * "[1.2.3.4]" and {client_resolve} other than OK.
 */
int
dec_name_usable(const char *name, const char *client_resolve)
{
	if (name == NULL || name[0] == 0 || name[0] == '['
	    || strcasecmp(name, "unknown") == 0)
		return 0;
	if (client_resolve != NULL && client_resolve[0] != 0
	    && strcasecmp(client_resolve, "OK") != 0)
		return 0;
	return 1;
}

/* dec_trust_connect - a whitelist entry says more than a trusted network */
enum trust
dec_trust_connect(int whitelisted, int in_trusted_networks)
{
	if (whitelisted)
		return TRUST_WHITELIST;
	return in_trusted_networks ? TRUST_NETWORK : TRUST_NONE;
}

/* dec_trust_mail - SASL login counts when nothing at connect did */
enum trust
dec_trust_mail(enum trust conn, const char *auth_authen, int trust_auth)
{
	if (conn != TRUST_NONE)
		return conn;
	if (trust_auth && auth_authen != NULL && auth_authen[0] != 0)
		return TRUST_AUTH;
	return TRUST_NONE;
}

/*
 * dec_rcpt - the verdict for one recipient: a listed client is refused
 * unless the recipient is exempt; a DNS failure follows DNSErrorAction and
 * is never a 5xx. ACT_ACCEPT means "go on".
 */
struct verdict
dec_rcpt(const struct msg_facts *f)
{
	struct verdict v = { ACT_ACCEPT, R_CLEAN, 0 };

	if (f->trust != TRUST_NONE)
		return v;
	if (f->dnsbl_checked && f->dnsbl_listed && !f->exempt) {
		v.action = ACT_REJECT;
		v.reason = R_DNSBL;
	} else if (f->spf == DEC_SPF_FAIL && (f->spf_fail_action == ACT_REJECT
	    || f->spf_fail_action == ACT_TEMPFAIL)) {
		v.action = (enum action)f->spf_fail_action;
		v.reason = R_SPF;
	} else if (f->error_tempfail && ((f->dnsbl_checked && !f->dnsbl_listed && f->dnsbl_failed)
	    || f->spf == DEC_SPF_TEMPERROR)) {
		v.action = ACT_TEMPFAIL;
		v.reason = R_DNS_ERROR;
	}
	v.enforce = v.action != ACT_ACCEPT && !f->monitor;
	return v;
}

/* dec_message - the verdict at end of message */
struct verdict
dec_message(const struct msg_facts *f)
{
	struct verdict v = { ACT_ACCEPT, R_CLEAN, 0 };

	/* a flood from outside is refused (its own MTA returns it); from a
	 * trusted peer it is passed on with the fields left in place: a
	 * refusal there would bounce to a possibly forged sender */
	if (f->tag_flood && f->trust == TRUST_NONE) {
		v.action = ACT_REJECT;
		v.reason = R_TAG_FLOOD;
		v.enforce = !f->monitor;
		return v;
	}
	if (f->loop) {
		/* proven by our marks: held, whoever sends it (loops come through
		 * peers); on forgeable evidence alone (Received: count,
		 * Delivered-To) only our own peers' mail is held: an outside
		 * client's is refused, so no one can put mail on hold */
		v.action = f->loop_proven || f->trust != TRUST_NONE
		    ? (enum action)f->loop_action : ACT_REJECT;
		v.reason = R_LOOP;
		v.enforce = !f->monitor;
		return v;
	}
	if (f->relay_hit) {              /* never a reject: the peer already took the mail */
		v.action = (enum action)f->relay_action;
		v.reason = R_RELAY_ORIGIN;
		v.enforce = !f->monitor;
		return v;
	}
	if (f->trust == TRUST_NONE && (f->dnsbl_checked || f->spf != DEC_SPF_UNCHECKED)) {
		if (f->dnsbl_checked && f->dnsbl_listed) {
			v.reason = R_DNSBL;      /* monitor mode, or an exempt recipient */
			if (!f->exempt)
				v.action = ACT_REJECT;
		} else if (f->spf == DEC_SPF_FAIL && f->spf_fail_action != ACT_ACCEPT) {
			v.reason = R_SPF;        /* tag, or what monitor mode kept from happening */
			v.action = (enum action)f->spf_fail_action;
		} else if ((f->dnsbl_checked && f->dnsbl_failed) || f->spf == DEC_SPF_TEMPERROR) {
			v.reason = R_DNS_ERROR;
			if (f->error_tempfail)
				v.action = ACT_TEMPFAIL;
		}
		v.enforce = v.action != ACT_ACCEPT && !f->monitor;
		return v;
	}
	switch (f->trust) {
	case TRUST_WHITELIST:
		v.reason = R_WHITELIST;
		break;
	case TRUST_NETWORK:
		v.reason = R_TRUSTED;
		break;
	case TRUST_AUTH:
		v.reason = R_AUTHENTICATED;
		break;
	case TRUST_NONE:
		break;
	}
	v.enforce = v.action != ACT_ACCEPT && !f->monitor;
	return v;
}

/* dec_exempt - rcpt ("<user@dom>" or "user@dom") matches "local@", "user@dom" or "@dom" */
int
dec_exempt(char *const *list, size_t n, const char *rcpt)
{
	char r[512];
	const char *at;
	size_t len, i;

	if (*rcpt == '<')
		rcpt++;
	len = strcspn(rcpt, ">");
	if (len >= sizeof(r))
		return 0;
	for (i = 0; i < len; i++)
		r[i] = (char)tolower((unsigned char)rcpt[i]);
	r[len] = 0;
	if ((at = strrchr(r, '@')) == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		const char *e = list[i];

		if (e[0] == '@' ? strcmp(at, e) == 0
		    : e[strlen(e) - 1] == '@' ? strncmp(r, e, (size_t)(at - r) + 1) == 0
		    && strlen(e) == (size_t)(at - r) + 1
		    : strcmp(r, e) == 0)
			return 1;
	}
	return 0;
}

/* put_pct - one byte of reply text, a '%' doubled; 0 when it does not fit
 * (a "%%" is never cut in two: smfi_setreply drops a lone '%') */
static int
put_pct(struct str *text, char c)
{
	size_t need = c == '%' ? 2 : 1;

	if (text->max - text->len < need) {
		text->truncated = 1;
		return 0;
	}
	str_catn(text, c == '%' ? "%%" : &c, need);
	return 1;
}

/*
 * dec_reply - split "5xx [5.y.z] text" and expand %a (client), %z (zone)
 * and %% into text (emptied first). The values come from outside (an
 * address, a domain, a loop's evidence): escaped as the log escapes them
 * (control bytes, non-ASCII, quote and backslash as \xNN). Every literal
 * '%' in the result is doubled: smfi_setreply drops a text holding a lone
 * '%'. Cut at text's maximum. Returns -1 when the template is not a reply.
 */
int
dec_reply(const char *tmpl, const char *client, const char *zone,
    char *code, char *xcode, struct str *text)
{
	const char *p = tmpl + 4, *v;
	struct str esc;
	int room = 1;

	str_reset(text);
	if (strlen(tmpl) < 4 || tmpl[3] != ' ')
		return -1;
	memcpy(code, tmpl, 3);
	code[3] = 0;
	xcode[0] = 0;
	if (p[0] >= '2' && p[0] <= '5' && p[1] == '.') {
		size_t x = strcspn(p, " ");

		if (x <= DEC_XCODE_LEN_MAX) {
			memcpy(xcode, p, x);
			xcode[x] = 0;
			p += x;
			while (*p == ' ')
				p++;
		}
	}
	for (; *p && room; p++) {
		if (*p != '%') {
			room = put_pct(text, *p);
			continue;
		}
		p++;
		if (*p == 0)
			break;
		if (*p != 'a' && *p != 'z') {
			room = put_pct(text, '%');
			continue;
		}
		str_init(&esc, text->max);
		str_escape(&esc, *p == 'a' ? client : zone);
		for (v = str_text(&esc); *v && room; v++)
			room = put_pct(text, *v);
		str_free(&esc);
	}
	return 0;
}

/* dec_reply_for - the reply of a refusal, by its reason: a loop, an SPF
 * fail, a flood of forged X-Mxguard fields, a listing, or a DNS failure
 * (never a 5xx) */
void
dec_reply_for(const struct dec_reply_in *in, char *code, char *xcode, struct str *text)
{
	int reject = in->action == ACT_REJECT;

	if (in->reason == R_LOOP)
		dec_reply(reject ? "554 5.4.6 Routing loop detected (%z)"
		    : "451 4.4.6 Routing loop detected (%z)", in->client, in->loop_why,
		    code, xcode, text);
	else if (in->reason == R_SPF)
		dec_reply(reject ? "550 5.7.23 SPF fail: %z does not designate %a "
		    "as permitted sender" : "451 4.7.23 SPF fail: %z does not designate %a as "
		    "permitted sender", in->client, in->spf_domain, code, xcode, text);
	else if (in->reason == R_TAG_FLOOD)
		dec_reply("550 5.7.1 Too many X-Mxguard header fields", in->client, "", code, xcode,
		    text);
	else if (reject && in->reason == R_DNSBL)
		dec_reply(in->dnsbl_reply, in->client, in->zone, code, xcode, text);
	else
		dec_reply("451 4.7.1 Service temporarily unavailable; DNS lookups for "
		    "client [%a] failed, try again later", in->client, "", code, xcode, text);
}
