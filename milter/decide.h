/*
 * decide.h - the decisions, as pure functions of plain facts: who the
 * client is to us, and what happens to a message. No milter, no DNS, no
 * threads: the unit tests call these directly.
 */
#ifndef DECIDE_H
#define DECIDE_H

#include <stddef.h>

struct str;

enum trust { TRUST_NONE, TRUST_WHITELIST, TRUST_NETWORK, TRUST_AUTH };

enum action { ACT_ACCEPT, ACT_TAG, ACT_QUARANTINE, ACT_TEMPFAIL, ACT_REJECT, ACT__N };

enum reason {
	R_CLEAN, R_DNSBL, R_SPF, R_LOOP, R_RELAY_ORIGIN,
	R_WHITELIST, R_TRUSTED, R_AUTHENTICATED, R_DNS_ERROR, R_TAG_FLOOD, R__N
};

/* what decide needs of an SPF result (the caller maps spf.h's enum spf_res) */
enum dec_spf { DEC_SPF_UNCHECKED, DEC_SPF_OTHER, DEC_SPF_FAIL, DEC_SPF_TEMPERROR };

struct msg_facts {
	enum trust trust;
	int monitor;              /* Mode monitor: decide, log, change nothing */
	int dnsbl_checked;        /* the DNSBL verdict below is known */
	int dnsbl_listed;         /* listed for sure */
	int dnsbl_failed;         /* a zone failed, or the listing hinges on one */
	int error_tempfail;       /* DNSErrorAction tempfail */
	int exempt;               /* listed, but this recipient is exempt */
	enum dec_spf spf;         /* DEC_SPF_UNCHECKED: not checked */
	int spf_fail_action;      /* SPFFailAction */
	int relay_hit;            /* a RELAY peer's origin is listed or fails SPF */
	int relay_action;         /* RelayCheckAction */
	int loop;                 /* the loop rules fired */
	int loop_proven;          /* ... on passes our own valid marks prove */
	int loop_action;          /* LoopAction */
	int tag_flood;            /* more foreign X-Mxguard fields than are removed */
};

/* a refusal's reply: code[DEC_CODE_SIZE] "554", xcode[DEC_XCODE_SIZE] "5.7.1" or "",
 * text a struct str of at most DEC_REPLY_TEXT_MAX bytes */
#define DEC_CODE_SIZE 4
#define DEC_XCODE_SIZE 16
#define DEC_XCODE_LEN_MAX 11      /* longer: not an enhanced code, left in the text */
_Static_assert(DEC_XCODE_LEN_MAX < DEC_XCODE_SIZE, "an enhanced code fits xcode");
#define DEC_REPLY_TEXT_MAX 900     /* libmilter's smfi_setreply takes 980 bytes in all */

struct dec_reply_in {             /* what a refusal's reply is made of */
	enum reason reason;
	enum action action;       /* ACT_REJECT: 5xx, else 4xx */
	const char *client;       /* the client's address, as text */
	const char *zone;         /* R_DNSBL: the zone of the weightiest listing, "" */
	const char *spf_domain;   /* R_SPF: the failing domain */
	const char *loop_why;     /* R_LOOP: the rule that fired (outside text in it) */
	const char *dnsbl_reply;  /* DNSBLReply: "5xx [5.y.z] text" with %a %z */
};

struct verdict {
	enum action action;       /* what is logged */
	enum reason reason;
	int enforce;              /* 0: logged only (monitor mode or accept) */
};

int dec_name_usable(const char *name, const char *client_resolve);
enum trust dec_trust_connect(int whitelisted, int in_trusted_networks);
enum trust dec_trust_mail(enum trust conn, const char *auth_authen, int trust_auth);
struct verdict dec_rcpt(const struct msg_facts *f);
struct verdict dec_message(const struct msg_facts *f);
int dec_exempt(char *const *list, size_t n, const char *rcpt);
int dec_reply(const char *tmpl, const char *client, const char *zone,
    char *code, char *xcode, struct str *text);
void dec_reply_for(const struct dec_reply_in *in, char *code, char *xcode, struct str *text);
const char *dec_action_name(enum action a);
const char *dec_reason_name(enum reason r);

#endif
