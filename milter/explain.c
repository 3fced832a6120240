/*
 * explain.c - mxguard -t: what mxguard would do with a client, and why,
 * without sending mail.
 *
 * The client goes through the session code the milter runs (session.c:
 * classification, DNSBL, SPF, recipient verdict, headers, loop and relay
 * origin checks, message verdict, reply text) with the configuration it
 * would run with and live DNS through the same resolver; this file only
 * drives it and puts what it found into plain words. The per-zone DNSBL
 * lines come from the resolver's cache, filled by the session's own lookups.
 * Exports exp_run; its return value is the exit status (explain.h).
 *
 * Everything from outside (arguments, DNS, the message file) is printed
 * through log_quote. The message file is read up to the end of its header
 * section only, at most EXP_HEADER_MAX bytes and EXP_FIELD_MAX bytes a
 * field (the rest counted and said); a NUL ends a value as it does in the
 * milter protocol. Fails (EXP_USAGE) on a client that is not an address, a
 * file that cannot be read, or no memory.
 */
#include "autoconf.h"

#include <sys/stat.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "explain.h"
#include "log.h"
#include "mxpeers.h"
#include "session.h"
#include "whitelist.h"

#define Q(v) exp_q(v, (char[MXG_LOGVAL_MAX * 4 + 8]){0}, MXG_LOGVAL_MAX * 4 + 8)
#define E(v) exp_e(v, (char[MXG_LOGVAL_MAX * 4 + 8]){0}, MXG_LOGVAL_MAX * 4 + 8)

/* exp_q - outside text as the log writes it */
static const char *
exp_q(const char *v, char *buf, size_t size)
{
	log_quote(buf, size, v ? v : "");
	return buf;
}

/* exp_e - outside text inside a sentence: the log's escapes, no quotes, cut
 * to fit size with "..." */
static const char *
exp_e(const char *v, char *buf, size_t size)
{
	struct str t;

	str_init(&t, size - 4);
	str_escape(&t, v ? v : "");
	snprintf(buf, size, "%s%s", str_text(&t), t.truncated ? "..." : "");
	str_free(&t);
	return buf;
}

struct hdrs {
	unsigned fields, cut_fields, stopped;
	unsigned long bytes;
	int ended;                    /* the empty line was seen */
};

/* field - one finished header field to the session, as the MTA hands it */
static int
field(struct session *s, char *f, size_t len, struct hdrs *h)
{
	char *colon;

	f[len] = 0;
	if ((colon = memchr(f, ':', len)) == NULL)
		return 0;
	*colon++ = 0;
	while (*colon == ' ' || *colon == '\t')
		colon++;
	h->fields++;
	return sess_header(s, f, colon);
}

/* read_headers - the header section of fp into the session, bounded */
static int
read_headers(struct session *s, FILE *fp, struct hdrs *h)
{
	char *f = malloc(EXP_FIELD_MAX + 1), *line = malloc(EXP_FIELD_MAX + 1);
	size_t flen = 0, llen, i;
	int ch = 0, rc = 0, first = 1, cut = 0;

	if (f == NULL || line == NULL) {
		free(f);
		free(line);
		return -1;
	}
	while (ch != EOF && rc == 0) {
		for (llen = 0; (ch = getc(fp)) != EOF && ch != '\n';) {
			if (++h->bytes > EXP_HEADER_MAX)
				break;
			if (llen < EXP_FIELD_MAX)
				line[llen++] = (char)ch;
			else
				cut = 1;
		}
		if (h->bytes > EXP_HEADER_MAX) {
			h->stopped = 1;
			break;
		}
		h->bytes++;
		if (llen && line[llen - 1] == '\r')
			llen--;
		if (llen == 0 && ch != EOF) {
			h->ended = 1;
			break;
		}
		if (first && llen >= 5 && memcmp(line, "From ", 5) == 0) {
			first = 0;                /* an mbox separator */
			continue;
		}
		first = 0;
		if (llen && (line[0] == ' ' || line[0] == '\t') && flen) {
			for (i = 0; i < llen + 1; i++)       /* a continuation: "\n" + line */
				if (flen < EXP_FIELD_MAX)
					f[flen++] = i ? line[i - 1] : '\n';
				else
					cut = 1;
			continue;
		}
		if (flen)
			rc = field(s, f, flen, h);
		if (cut)
			h->cut_fields++;
		flen = cut = 0;
		for (i = 0; i < llen && line[i] != ':' && line[i] > ' ' && line[i] < 127; i++)
			;
		if (i == llen || i == 0 || line[i] != ':')
			break;                    /* not a field: the body starts */
		memcpy(f, line, llen);
		flen = llen;
	}
	if (flen && rc == 0)
		rc = field(s, f, flen, h);
	free(f);
	free(line);
	return ferror(fp) ? -1 : rc;
}

static const char *
trust_words(enum trust t)
{
	static const char *const w[] = { "not trusted", "whitelisted", "in TrustedNetworks",
		"authenticated" };
	return (unsigned)t < 4 ? w[t] : "?";
}

/* classification - which list made the client what it is */
static void
classification(FILE *o, struct config *c, struct session *s)
{
	struct mxp_peer p;
	char net[ADDR_STRLEN];
	int mx = mxp_match(c->mxp, &s->addr, s->j, &p);
	size_t i;

	fprintf(o, "1. Classification: %s\n", trust_words(s->trust));
	if (s->trust == TRUST_WHITELIST && strncmp(s->entry.text, MXP_ENTRY_PREFIX,
	    strlen(MXP_ENTRY_PREFIX)) == 0)
		fprintf(o, "   %s is %s, an MX host of %s (BackupMXFor): a peer derived from our MX "
		    "records, trusted as %s (logged entry=%s)\n", s->addrstr, Q(p.host), Q(p.domain),
		    wl_kind_name(s->entry.kind), Q(s->entry.text));
	else if (s->trust == TRUST_WHITELIST) {
		fprintf(o, "   the whitelist file %s has the entry %s (%s)\n", c->whitelist,
		    Q(s->entry.text), wl_kind_name(s->entry.kind));
		if (mx)
			fprintf(o, "   (it is also %s, an MX host of %s; the whitelist file wins)\n",
			    Q(p.host), Q(p.domain));
	} else if (s->trust == TRUST_NETWORK) {
		for (i = 0; i < c->trusted.n; i++)
			if (cidr_contains(&c->trusted.v[i], &s->addr))
				break;
		fprintf(o, "   %s lies in %s of TrustedNetworks\n", s->addrstr,
		    i < c->trusted.n ? cidr_str(&c->trusted.v[i], net, sizeof(net)) : "?");
	} else
		fprintf(o, "   not in the whitelist file (%s), not an MX host of a BackupMXFor domain "
		    "(%zu domains)%s, not in TrustedNetworks (%zu networks)\n",
		    c->whitelist ? c->whitelist : "none", c->backup_mx.n,
		    mx ? " other than this host ({j})" : "", c->trusted.n);
	if (s->trust == TRUST_WHITELIST || s->trust == TRUST_NETWORK)
		fprintf(o, "   a trusted client skips the DNSBL and SPF checks%s\n",
		    s->trust == TRUST_WHITELIST && s->entry.kind == WL_RELAY
		    ? "; as RELAY, the origin in its own Received: stamp is checked" : "");
}

/* dnsbl - each zone's answer, each site's weight, the score */
static void
dnsbl(FILE *o, struct config *c, struct session *s)
{
	struct dnsbl_zone_result z[DNSBL_MAX_ZONES];
	struct dnsbl_conf one;
	struct dnsbl_verdict v1;
	struct dns_query *q;
	struct timespec deadline;
	char name[300], a[INET_ADDRSTRLEN];
	unsigned i, k;

	fprintf(o, "2. DNSBL: ");
	if (c->dnsbl.nzones == 0 || c->dns == NULL) {
		fprintf(o, "none configured\n");
		return;
	}
	if (s->trust != TRUST_NONE || !s->dnsbl_done) {
		fprintf(o, "not looked up (%s)\n", s->trust != TRUST_NONE ? "trusted client"
		    : "no recipient was decided");
		return;
	}
	fprintf(o, "score %d against DNSBLThreshold %d: %s\n", s->dnsbl.score, c->dnsbl_threshold,
	    s->dnsbl.listed ? "listed" : s->dnsbl.uncertain ? "listed only if a failed allowlist "
	    "zone would not have matched: not refused" : "not listed");
	dns_deadline(&deadline, c->dns_timeout);
	for (i = 0; i < c->dnsbl.nzones && i < DNSBL_MAX_ZONES; i++) {
		memset(&z[i], 0, sizeof(z[i]));
		q = dnsbl_qname(&s->addr, c->dnsbl.zones[i], name, sizeof(name)) == 0
		    ? dns_lookup_a(c->dns, name, c->dnsbl_min_ttl / 1000, c->dnsbl_max_ttl / 1000, NULL)
		    : NULL;
		dns_wait(q, &deadline, &z[i].ans);
		dnsbl_classify(&z[i].ans, &z[i]);
		dns_release(q);
		fprintf(o, "   zone %s: ", Q(c->dnsbl.zones[i]));
		if (z[i].state == DZ_FAILED)
			fprintf(o, "lookup failed (%s)\n", Q(z[i].why));
		else if (z[i].state == DZ_NOTLISTED)
			fprintf(o, "not listed\n");
		else
			for (k = 0; k < (unsigned)z[i].ans.n; k++)
				fprintf(o, "%s%s", inet_ntop(AF_INET, &z[i].ans.a[k], a, sizeof(a)),
				    k + 1 < (unsigned)z[i].ans.n ? ", " : "\n");
	}
	for (k = 0; k < c->dnsbl.nsites; k++) {
		one = c->dnsbl;
		one.sites = &c->dnsbl.sites[k];
		one.nsites = 1;
		dnsbl_score(&one, z, 1, &v1);
		fprintf(o, "   site %s, weight %d: %s\n", Q(c->dnsbl.sites[k].text),
		    c->dnsbl.sites[k].weight, v1.zones.len ? "matches" : "does not match");
		dnsbl_verdict_free(&v1);
	}
	if (s->dnsbl.errors.len)
		fprintf(o, "   failed zones: %s (DNSErrorAction %s)\n", Q(str_text(&s->dnsbl.errors)),
		    c->dns_error_action == ACT_TEMPFAIL ? "tempfail" : "accept");
}

/* spf - the result and the term that decided */
static void
spf(FILE *o, struct config *c, const struct msg *m)
{
	const struct spf_result *r = &m->spf;

	fprintf(o, "3. SPF: ");
	if (r->res == SPF_NOT_CHECKED) {
		fprintf(o, "not checked (%s)\n", !c->spf ? "SPF no" : m->trust != TRUST_NONE
		    ? "trusted client" : "no DNS");
		return;
	}
	fprintf(o, "%s for the domain %s", spf_res_name(r->res), Q(r->domain));
	if (r->term[0])
		fprintf(o, ", decided by the term %s", Q(r->term));
	else if (r->res != SPF_R_NONE && r->res != SPF_R_TEMPERROR && r->res != SPF_R_PERMERROR)
		fprintf(o, ", by the default (no term matched)");
	if (r->why[0])
		fprintf(o, " (%s)", Q(r->why));
	fprintf(o, "\n");
	if (r->res == SPF_R_FAIL)
		fprintf(o, "   SPFFailAction: %s\n", c->spf_fail_action == ACT_ACCEPT ? "ignore"
		    : dec_action_name(c->spf_fail_action));
}

/* message - the header fields read, the loop analysis, the relay origin */
static void
message(FILE *o, struct config *c, const struct session *s, const struct hdrs *h,
    const char *file)
{
	const struct msg *m = s->msg;
	const struct origin *or = &m->origin;

	fprintf(o, "4. Message: ");
	if (file == NULL)
		fprintf(o, "no message file (-m): no header fields\n");
	else
		fprintf(o, "%u header fields read from %s (%lu bytes%s%s)\n", h->fields, Q(file),
		    h->bytes, h->ended ? "" : h->stopped ? "; stopped at the limit, the rest not read"
		    : "; no end of the header section", h->cut_fields ? "; over-long fields cut" : "");
	fprintf(o, "   loop: %u Received: fields (LoopMaxReceived %d), %u passes proven by pass marks "
	    "(LoopMaxPasses %d), %u Delivered-To fields%s: %s\n", m->loop.received, c->loop_max_received,
	    m->loop.passes, c->loop_max_passes, m->ndelivered, m->dropped ? " (some not kept)" : "",
	    m->loop.loop ? Q(m->loop.why) : "no loop");
	fprintf(o, "   pass marks: %u valid (%s), %u not counted, %u not examined%s\n",
	    m->tally.valid, c->loop_key.len ? c->loop_key.id : "no LoopKeyFile",
	    m->nmarks - m->tally.valid, m->tally.dropped,
	    m->loop.loop && !m->loop.proven ? "; the loop is not proven: an outside client's "
	    "message is refused, a peer's gets LoopAction" : "");
	fprintf(o, "5. Relay origin: ");
	if (!or->checked) {
		fprintf(o, "not checked (only for a RELAY peer)\n");
		return;
	}
	if (!or->known) {
		fprintf(o, "the peer's own Received: stamp names no address: accepted, origin=unknown\n");
		return;
	}
	fprintf(o, "%s, from the peer's own Received: stamp\n", or->addr);
	if (or->dnsbl_done)
		fprintf(o, "   its DNSBL score %d (%s)\n", or->dnsbl.score,
		    or->dnsbl.zones.len ? Q(str_text(&or->dnsbl.zones)) : "no zone lists it");
	if (or->spf.res != SPF_NOT_CHECKED)
		fprintf(o, "   its SPF for the envelope sender: %s\n", spf_res_name(or->spf.res));
	fprintf(o, "   %s\n", or->hit ? Q(str_text(&or->why)) : "clean");
}

/* verdict - the action, and the reply the client would get; the exit status */
static int
verdict(FILE *o, struct config *c, struct session *s, const struct verdict *v, int at_rcpt)
{
	static const int status[] = { EXP_ACCEPT, EXP_TAG, EXP_QUARANTINE, EXP_TEMPFAIL,
		EXP_REJECT };
	char code[DEC_CODE_SIZE], xcode[DEC_XCODE_SIZE];
	struct dec_reply_in in;
	struct str tag, reply;

	fprintf(o, "6. Decision: %s (reason %s)%s\n", dec_action_name(v->action),
	    dec_reason_name(v->reason), at_rcpt ? ", at RCPT TO" : "");
	if (v->action != ACT_ACCEPT && !v->enforce) {
		fprintf(o, "   Mode monitor: only logged; the client gets the MTA's own reply\n");
		return EXP_ACCEPT;
	}
	switch (v->action) {
	case ACT_REJECT:
	case ACT_TEMPFAIL:
		sess_reply_in(s, v, &in);
		str_init(&reply, DEC_REPLY_TEXT_MAX);
		dec_reply_for(&in, code, xcode, &reply);      /* outside text escaped by dec_reply */
		fprintf(o, "   reply: %s %s%s%s\n", code, xcode, xcode[0] ? " " : "", str_text(&reply));
		str_free(&reply);
		break;
	case ACT_TAG:
		str_init(&tag, SESS_TAG_MAX);
		sess_tag(s, v, &tag);
		fprintf(o, "   reply: the MTA's own 250; the message gets X-Mxguard: %s\n",
		    str_text(&tag));
		str_free(&tag);
		break;
	case ACT_QUARANTINE:
		fprintf(o, "   reply: the MTA's own 250; the message is held: %s\n",
		    Q(sess_quarantine_reason(s, v)));
		break;
	default:
		fprintf(o, "   reply: the MTA's own 250; mxguard adds %s\n",
		    sess_spf_header(s) ? "Received-SPF" : "nothing");
	}
	(void)c;
	return (unsigned)v->action < sizeof(status) / sizeof(status[0]) ? status[v->action]
	    : EXP_USAGE;
}

/* exp_run - the whole explanation on out; the exit status */
int
exp_run(struct config *c, const struct exp_args *a, FILE *out)
{
	struct session *s;
	struct addr addr;
	struct verdict v;
	struct hdrs h = {0};
	char rcpt[MXG_NAME_MAX + 8];
	FILE *fp = NULL;
	struct stat st = {0};
	int r = EXP_USAGE;

	if (strlen(a->client) >= INET6_ADDRSTRLEN || addr_parse(a->client, &addr) < 0) {
		fprintf(stderr, "mxguard: -t %s: not an IP address\n", Q(a->client));
		return EXP_USAGE;
	}
	if (a->file && (fp = strcmp(a->file, "-") ? fopen(a->file, "r") : stdin) == NULL) {
		fprintf(stderr, "mxguard: -m %s: %s\n", Q(a->file), strerror(errno));
		return EXP_USAGE;
	}
	if (fp && (fstat(fileno(fp), &st) < 0 || S_ISDIR(st.st_mode))) {
		fprintf(stderr, "mxguard: -m %s: %s\n", Q(a->file), strerror(S_ISDIR(st.st_mode)
		    ? EISDIR : errno));
		if (fp != stdin)
			fclose(fp);
		return EXP_USAGE;
	}
	snprintf(rcpt, sizeof(rcpt), "test@%s", c->local_names.n ? c->local_names.v[0]
	    : c->hostname[0] ? c->hostname : "localhost");
	c->refs++;                        /* the session's; it releases it */
	if ((s = sess_new(c)) == NULL) {
		c->refs--;
		goto out;
	}
	sess_connect(s, &addr, a->name, "", a->name ? "OK" : NULL);
	sess_helo(s, a->helo ? a->helo : "");
	fprintf(out, "mxguard -t: client %s, name %s, HELO %s, MAIL FROM <%s>, RCPT TO <%s>; "
	    "configuration %s, Mode %s\n", s->addrstr, a->name ? E(a->name) : "unknown",
	    E(a->helo ? a->helo : ""), E(a->from ? a->from : ""), E(a->rcpt ? a->rcpt : rcpt),
	    c->path, c->mode == MODE_MONITOR ? "monitor" : "enforce");
	classification(out, c, s);
	if (sess_mail(s, a->from ? a->from : "", "explain", NULL) != 0
	    || sess_rcpt(s, a->rcpt ? a->rcpt : rcpt, &v) != 0)
		goto out;
	dnsbl(out, c, s);
	spf(out, c, s->msg);
	if (dec_exempt(c->exempt.v, c->exempt.n, a->rcpt ? a->rcpt : rcpt))
		fprintf(out, "   the recipient is in ExemptRecipients: a DNSBL listing does not "
		    "refuse it\n");
	if (v.enforce) {
		fprintf(out, "4. Message: not reached (the recipient is refused)\n");
		r = verdict(out, c, s, &v, 1);
		goto out;
	}
	if (fp && read_headers(s, fp, &h) < 0) {
		fprintf(stderr, "mxguard: -m %s: %s\n", Q(a->file), ferror(fp) ? strerror(errno)
		    : "out of memory");
		goto out;
	}
	if (sess_eoh(s) != 0 || sess_eom(s, "explain", &v) != 0)
		goto out;
	message(out, c, s, &h, a->file);
	r = verdict(out, c, s, &v, 0);
out:
	if (fp && fp != stdin)
		fclose(fp);
	sess_free(s);
	if (r == EXP_USAGE)
		fprintf(stderr, "mxguard: -t: could not finish (out of memory or unreadable input)\n");
	return r;
}
