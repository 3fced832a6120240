/*
 * mtsess.c - the MTA side of one milter session, as Postfix 3.7 speaks it:
 * OPTNEG (version 6, every action and protocol flag offered), then per
 * session CONNECT, HELO, MAIL, RCPT, DATA, five headers, EOH, one body
 * chunk, EOB, each preceded by its macros, and ABORT/QUIT at the end.
 *
 * The filter's answer to OPTNEG is honoured as an MTA must: steps it asked
 * to skip (SMFIP_NO*) are not sent, steps it asked not to answer
 * (SMFIP_NR_*) are not waited for, macro lists it set (SETSYMLIST) replace
 * the defaults. Replies: c/p/a/r/t/y/d/f/4 anywhere, s in the body, and the
 * message changes (h i m q e + - 2 b) before the end-of-message verdict.
 *
 * Exports (mtsess.h): mt_begin, mt_input, mt_abort.
 * Failure: anything a filter must not send (a bad length, a reply out of
 * place, flags never offered) ends the session as MT_ERROR with a reason.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <libmilter/mfapi.h>   /* SMFIM_* stages, SMFIF_SETSYMLIST */
#include <libmilter/mfdef.h>

#include "mtsess.h"

#define MT_VERSION   6
#define MT_ACTIONS   0x1ffU          /* SMFIF_ADDHDRS .. SMFIF_SETSYMLIST */
#define MT_PROTOCOL  0x1fffffU       /* SMFIP_NOCONNECT .. SMFIP_HDR_LEADSPC */

enum { ST_OPTNEG, ST_CONNECT, ST_HELO, ST_MAIL, ST_RCPT, ST_DATA, ST_HEADER,
	ST_EOH, ST_BODY, ST_EOB, ST_DONE };

/* macros this MTA knows; SMFIM_* stages ask for them by name */
static const char *const macro_names[] = {
	"j", "{daemon_name}", "{daemon_addr}", "v", "_", "{client_addr}",
	"{client_name}", "{client_port}", "{client_ptr}", "{client_resolve}",
	"i", "{mail_addr}", "{mail_host}", "{mail_mailer}", "{rcpt_addr}",
	"{rcpt_host}", "{rcpt_mailer}", "{auth_type}", "{auth_authen}",
	"{auth_author}", "{tls_version}", "{cipher}", "{cipher_bits}",
	"{cert_subject}", "{cert_issuer}",
};
#define NMACROS (sizeof(macro_names) / sizeof(macro_names[0]))

/* Postfix's defaults (milter_*_macros), as lists of names */
static const char *const default_macros[MT_STAGES] = {
	"j {daemon_name} {daemon_addr} v _",                                   /* connect */
	"{tls_version} {cipher} {cipher_bits} {cert_subject} {cert_issuer}",  /* helo */
	"i {auth_type} {auth_authen} {auth_author} {mail_addr} {mail_host} {mail_mailer}",
	"i {rcpt_addr} {rcpt_host} {rcpt_mailer}",                             /* rcpt */
	"i",                                                                   /* data */
	"i",                                                                   /* eom */
	"i",                                                                   /* eoh */
};

static const char *const headers[][2] = {
	{ "Received", "from client.bench.example (client.bench.example [192.0.2.10])\n"
	    "\tby relay.bench.example with ESMTP id 4XbVq; Tue, 25 Nov 2025 10:00:00 +0000" },
	{ "From", "Bench Sender <sender@bench.example>" },
	{ "To", "<user@example.com>" },
	{ "Subject", "mxguard benchmark message" },
	{ "Message-ID", "<bench.1@bench.example>" },
};
#define NHEADERS (sizeof(headers) / sizeof(headers[0]))

/* macro_mask - the known macros named in a space-separated LIST */
static uint32_t
macro_mask(const char *list, size_t len)
{
	uint32_t mask = 0;
	size_t i = 0, j, n, k;

	while (i < len) {
		while (i < len && (list[i] == ' ' || list[i] == ','))
			i++;
		for (j = i; j < len && list[j] != ' ' && list[j] != ','; j++)
			;
		for (k = 0; k < NMACROS && j > i; k++) {
			const char *m = macro_names[k];
			size_t ml = strlen(m);

			n = j - i;
			/* "j" and "{j}" name the same macro */
			if ((n == ml && memcmp(list + i, m, n) == 0)
			    || (ml == 1 && n == 3 && list[i] == '{' && list[i + 1] == m[0] && list[i + 2] == '}'))
				mask |= 1U << k;
		}
		i = j;
	}
	return mask;
}

/* macro_value - the value of known macro K in this session, or NULL */
static const char *
macro_value(const struct mt_sess *s, size_t k, char *buf, size_t size)
{
	const char *m = macro_names[k];

	if (strcmp(m, "j") == 0)
		return "mx.bench.test";
	if (strcmp(m, "{daemon_name}") == 0)
		return "smtpd";
	if (strcmp(m, "{daemon_addr}") == 0)
		return "127.0.0.1";
	if (strcmp(m, "v") == 0)
		return "Postfix 3.7.11";
	if (strcmp(m, "_") == 0) {
		snprintf(buf, size, "unknown [%s]", s->ip);
		return buf;
	}
	if (strcmp(m, "{client_addr}") == 0)
		return s->ip;
	if (strcmp(m, "{client_name}") == 0 || strcmp(m, "{client_ptr}") == 0)
		return "unknown";
	if (strcmp(m, "{client_port}") == 0)
		return "40000";
	if (strcmp(m, "{client_resolve}") == 0)
		return "FAIL";
	if (strcmp(m, "i") == 0)
		return s->qid;
	if (strcmp(m, "{mail_addr}") == 0)
		return "sender@bench.example";
	if (strcmp(m, "{rcpt_addr}") == 0)
		return "user@example.com";
	if (strcmp(m, "{mail_mailer}") == 0)
		return "smtp";
	if (strcmp(m, "{rcpt_mailer}") == 0)
		return "virtual";
	if (strcmp(m, "{mail_host}") == 0)
		return "bench.example";
	if (strcmp(m, "{rcpt_host}") == 0)
		return "example.com";
	return NULL;                      /* not authenticated, no TLS */
}

/* put - queue one packet: 4-byte length, command, two data parts */
static int
put(struct mt_sess *s, char cmd, const void *a, size_t alen, const void *b, size_t blen)
{
	uint32_t n = htonl((uint32_t)(alen + blen + 1));

	if (s->outcome == MT_ERROR)
		return -1;
	if (s->outlen + 5 + alen + blen > sizeof(s->out)) {
		mt_abort(s, MT_ERROR, "output buffer full");
		return -1;
	}
	memcpy(s->out + s->outlen, &n, 4);
	s->out[s->outlen + 4] = (unsigned char)cmd;
	if (alen)
		memcpy(s->out + s->outlen + 5, a, alen);
	if (blen)
		memcpy(s->out + s->outlen + 5 + alen, b, blen);
	s->outlen += 5 + alen + blen;
	return 0;
}

/* put_macros - a SMFIC_MACRO packet for CMD with the stage's macros, if any */
static int
put_macros(struct mt_sess *s, char cmd, int stage)
{
	char buf[1024], val[128];
	size_t n = 0, k;

	for (k = 0; k < NMACROS; k++) {
		const char *v;
		size_t nl, vl;

		if (!(s->macros[stage] & (1U << k)) || (v = macro_value(s, k, val, sizeof(val))) == NULL)
			continue;
		nl = strlen(macro_names[k]) + 1;
		vl = strlen(v) + 1;
		if (n + nl + vl > sizeof(buf))
			break;
		memcpy(buf + n, macro_names[k], nl);
		memcpy(buf + n + nl, v, vl);
		n += nl + vl;
	}
	return n ? put(s, SMFIC_MACRO, &cmd, 1, buf, n) : 0;
}

/* send_step - the packets of the current step; returns 1 if a reply is due */
static int
send_step(struct mt_sess *s)
{
	char buf[512];
	size_t n;
	uint16_t port = htons(40000);

	switch (s->step) {
	case ST_CONNECT:
		if (s->pflags & SMFIP_NOCONNECT)
			return 0;
		n = (size_t)snprintf(buf, sizeof(buf), "[%s]", s->ip) + 1;
		buf[n++] = SMFIA_INET;
		memcpy(buf + n, &port, 2);
		n += 2;
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s", s->ip) + 1;
		put_macros(s, SMFIC_CONNECT, SMFIM_CONNECT);
		put(s, SMFIC_CONNECT, buf, n, NULL, 0);
		return !(s->pflags & SMFIP_NR_CONN);
	case ST_HELO:
		if (s->pflags & SMFIP_NOHELO)
			return 0;
		put_macros(s, SMFIC_HELO, SMFIM_HELO);
		put(s, SMFIC_HELO, "client.bench.example", 21, NULL, 0);
		return !(s->pflags & SMFIP_NR_HELO);
	case ST_MAIL:
		s->mail_sent = 1;
		if (s->pflags & SMFIP_NOMAIL)
			return 0;
		put_macros(s, SMFIC_MAIL, SMFIM_ENVFROM);
		put(s, SMFIC_MAIL, "<sender@bench.example>", 23, "SIZE=1000", 10);
		return !(s->pflags & SMFIP_NR_MAIL);
	case ST_RCPT:
		if (s->pflags & SMFIP_NORCPT)
			return 0;
		put_macros(s, SMFIC_RCPT, SMFIM_ENVRCPT);
		put(s, SMFIC_RCPT, "<user@example.com>", 19, NULL, 0);
		return !(s->pflags & SMFIP_NR_RCPT);
	case ST_DATA:
		if (s->pflags & SMFIP_NODATA)
			return 0;
		put_macros(s, SMFIC_DATA, SMFIM_DATA);
		put(s, SMFIC_DATA, NULL, 0, NULL, 0);
		return !(s->pflags & SMFIP_NR_DATA);
	case ST_HEADER:
		if (s->pflags & SMFIP_NOHDRS)
			return 0;
		/* one at a time, each reply awaited, as Postfix does; all at once
		 * when the filter answers none (NR_HDR) */
		for (; s->hdr < NHEADERS; s->hdr++) {
			const char *v = headers[s->hdr][1];

			/* without HDR_LEADSPC the MTA drops the space after the colon */
			if (s->pflags & SMFIP_HDR_LEADSPC)
				snprintf(buf, sizeof(buf), " %s", v);
			else
				snprintf(buf, sizeof(buf), "%s", v);
			put(s, SMFIC_HEADER, headers[s->hdr][0], strlen(headers[s->hdr][0]) + 1,
			    buf, strlen(buf) + 1);
			if (!(s->pflags & SMFIP_NR_HDR))
				return 1;
		}
		return 0;
	case ST_EOH:
		if (s->pflags & SMFIP_NOEOH)
			return 0;
		put_macros(s, SMFIC_EOH, SMFIM_EOH);
		put(s, SMFIC_EOH, NULL, 0, NULL, 0);
		return !(s->pflags & SMFIP_NR_EOH);
	case ST_BODY:
		if (s->pflags & SMFIP_NOBODY)
			return 0;
		put(s, SMFIC_BODY, "This is a benchmark message.\r\n", 30, NULL, 0);
		return !(s->pflags & SMFIP_NR_BODY);
	case ST_EOB:
		put_macros(s, SMFIC_BODYEOB, SMFIM_EOM);
		put(s, SMFIC_BODYEOB, NULL, 0, NULL, 0);
		return 1;
	default:
		mt_abort(s, MT_ERROR, "bug: no such step");
		return 0;
	}
}

/* advance - move to the next step that owes a reply, sending what it needs */
static void
advance(struct mt_sess *s)
{
	for (;;) {
		s->step++;
		if (s->step > ST_RCPT)
			s->decided = 1;
		if (send_step(s) || s->outcome != MT_PENDING)
			return;
	}
}

/* finish - the session's outcome is known: tell the filter goodbye */
static void
finish(struct mt_sess *s, enum mt_outcome outcome)
{
	s->decided = 1;
	s->outcome = outcome;
	if (s->mail_sent && s->step != ST_DONE)
		(void)put(s, SMFIC_ABORT, NULL, 0, NULL, 0);
	(void)put(s, SMFIC_QUIT, NULL, 0, NULL, 0);
}

/* optneg - the filter's OPTNEG: version, actions, protocol, macro lists */
static void
optneg(struct mt_sess *s, const unsigned char *d, size_t len)
{
	uint32_t v[3];
	size_t i;

	if (len < 12) {
		mt_abort(s, MT_ERROR, "short OPTNEG reply");
		return;
	}
	memcpy(v, d, 12);
	v[0] = ntohl(v[0]), v[1] = ntohl(v[1]), v[2] = ntohl(v[2]);
	if (v[0] < 2 || v[0] > MT_VERSION || (v[1] & ~MT_ACTIONS) || (v[2] & ~MT_PROTOCOL)) {
		mt_abort(s, MT_ERROR, "OPTNEG asks for what was not offered");
		return;
	}
	s->pflags = v[2];
	for (i = 0; i < MT_STAGES; i++)
		s->macros[i] = macro_mask(default_macros[i], strlen(default_macros[i]));
	/* SETSYMLIST: (stage, "names\0") pairs replace the defaults */
	for (i = 12; i + 4 < len;) {
		uint32_t stage;
		const unsigned char *end;

		memcpy(&stage, d + i, 4);
		stage = ntohl(stage);
		if ((end = memchr(d + i + 4, 0, len - i - 4)) == NULL) {
			mt_abort(s, MT_ERROR, "unterminated macro list");
			return;
		}
		if (stage < MT_STAGES && (v[1] & SMFIF_SETSYMLIST))
			s->macros[stage] = macro_mask((const char *)d + i + 4, (size_t)(end - d - i - 4));
		i = (size_t)(end - d) + 1;
	}
	advance(s);
}

/* reply - one packet CMD from the filter */
static void
reply(struct mt_sess *s, char cmd, const unsigned char *d, size_t len)
{
	s->replies++;
	if (s->step == ST_OPTNEG) {
		if (cmd == SMFIC_OPTNEG)
			optneg(s, d, len);
		else
			mt_abort(s, MT_ERROR, "no OPTNEG reply");
		return;
	}
	if (cmd == SMFIR_PROGRESS) {
		s->progress++;
		return;
	}
	if (s->step == ST_EOB && strchr("himqe+-2b", cmd) != NULL) {
		s->modifications++;
		s->quarantined |= cmd == SMFIR_QUARANTINE;
		return;
	}
	switch (cmd) {
	case SMFIR_CONTINUE:
		if (s->step == ST_EOB) {
			s->step = ST_DONE;
			finish(s, MT_OK);
		} else if (s->step == ST_HEADER && ++s->hdr < NHEADERS)
			send_step(s);                 /* the next header */
		else
			advance(s);
		return;
	case SMFIR_SKIP:
		if (s->step != ST_BODY) {
			mt_abort(s, MT_ERROR, "SKIP outside the body");
			return;
		}
		advance(s);                       /* straight to end of message */
		return;
	case SMFIR_ACCEPT:
		if (s->step == ST_EOB)
			s->step = ST_DONE;
		finish(s, MT_OK);
		return;
	case SMFIR_DISCARD:
		s->discarded = 1;
		if (s->step == ST_EOB)
			s->step = ST_DONE;
		finish(s, MT_OK);
		return;
	case SMFIR_REJECT:
		finish(s, MT_REJECT);
		return;
	case SMFIR_TEMPFAIL:
	case SMFIR_CONN_FAIL:
	case SMFIR_SHUTDOWN:
		finish(s, MT_TEMPFAIL);
		return;
	case SMFIR_REPLYCODE:
		if (len >= 4 && (d[0] == '4' || d[0] == '5') && d[len - 1] == 0)
			finish(s, d[0] == '4' ? MT_TEMPFAIL : MT_REJECT);
		else
			mt_abort(s, MT_ERROR, "malformed reply code");
		return;
	default:
		mt_abort(s, MT_ERROR, "unexpected reply");
	}
}

void
mt_begin(struct mt_sess *s, const char *ip, const char *qid)
{
	uint32_t v[3] = { htonl(MT_VERSION), htonl(MT_ACTIONS), htonl(MT_PROTOCOL) };

	s->step = ST_OPTNEG;
	s->hdr = 0;
	s->pflags = 0;
	memset(s->macros, 0, sizeof(s->macros));
	snprintf(s->ip, sizeof(s->ip), "%s", ip);
	snprintf(s->qid, sizeof(s->qid), "%s", qid);
	s->decided = s->mail_sent = 0;
	s->replies = 0;
	s->quarantined = s->discarded = s->modifications = s->progress = 0;
	s->outcome = MT_PENDING;
	s->why = NULL;
	s->inlen = s->outlen = 0;
	s->skip = 0;
	(void)put(s, SMFIC_OPTNEG, v, sizeof(v), NULL, 0);
}

int
mt_input(struct mt_sess *s, const unsigned char *data, size_t len)
{
	while (len > 0 && s->outcome == MT_PENDING) {
		size_t n;

		if (s->skip > 0) {                /* rest of an oversized packet */
			n = len < s->skip ? len : s->skip;
			data += n, len -= n, s->skip -= (uint32_t)n;
			if (s->skip == 0) {
				if (s->step == ST_EOB && s->skipcmd == SMFIR_REPLBODY)
					s->modifications++;
				else
					mt_abort(s, MT_ERROR, "oversized reply");
			}
			continue;
		}
		n = sizeof(s->in) - s->inlen;
		n = len < n ? len : n;
		memcpy(s->in + s->inlen, data, n);
		s->inlen += n, data += n, len -= n;
		while (s->inlen >= 5 && s->outcome == MT_PENDING) {
			uint32_t plen;

			memcpy(&plen, s->in, 4);
			plen = ntohl(plen);
			if (plen == 0) {
				mt_abort(s, MT_ERROR, "empty packet");
				break;
			}
			if (plen > sizeof(s->in) - 4) {   /* skip what is not buffered yet */
				s->skipcmd = (char)s->in[4];
				s->skip = plen + 4 - (uint32_t)s->inlen;
				s->inlen = 0;
				break;
			}
			if (s->inlen < plen + 4)
				break;
			reply(s, (char)s->in[4], s->in + 5, plen - 1);
			memmove(s->in, s->in + 4 + plen, s->inlen - 4 - plen);
			s->inlen -= 4 + plen;
		}
	}
	return s->outcome == MT_PENDING ? 0 : -1;
}

void
mt_abort(struct mt_sess *s, enum mt_outcome outcome, const char *why)
{
	if (s->outcome != MT_PENDING)
		return;
	s->outcome = outcome;
	s->why = why;
	s->outlen = 0;                        /* the connection is being dropped */
}
