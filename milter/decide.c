/*
 * decide.c - classification of the client and the verdict on a message.
 *
 * Pure: inputs are plain values, outputs are plain values, nothing fails.
 */
#include "autoconf.h"

#include <string.h>
#include <strings.h>

#include "decide.h"

static const char *const action_names[ACT__N] = {
	"accept", "tag", "quarantine", "tempfail", "reject"
};
static const char *const reason_names[R__N] = {
	"clean", "dnsbl", "spf", "loop", "relay-origin",
	"whitelist", "trusted", "authenticated", "dns-error"
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

/* dec_message - the verdict at end of message */
struct verdict
dec_message(const struct msg_facts *f)
{
	struct verdict v = { ACT_ACCEPT, R_CLEAN, 0 };

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
