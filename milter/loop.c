/*
 * loop.c - is this message going round in circles?
 *
 * Three rules, evidence named in the verdict:
 *  - passes: a run of consecutive stamps whose "by" host is this host
 *    (LocalNames) or localhost is one pass (a content filter's re-injection
 *    adds stamps to the same run); the current arrival is a pass too, and
 *    joins the run at the top when the newest visible stamp is already ours
 *    (a re-injection, or Sendmail's MSP handing a submission to its MTA).
 *    Neither Postfix nor Sendmail shows milters the stamp it writes for the
 *    current arrival (Sendmail passes only the fields that came with the
 *    message), so the top stamp is the previous hop's;
 *  - Delivered-To: a current envelope recipient already delivered to;
 *  - the count: LoopMaxReceived Received: fields or more, as the filter
 *    sees them (the MTA hides its own, so its hop count is one more).
 * Pure: plain inputs, a filled verdict, nothing can fail.
 */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "loop.h"
#include "names.h"

/* loop_header_kind - which fields matter, in any case ("Received-SPF" does not) */
enum loop_hdr
loop_header_kind(const char *name)
{
	if (strcasecmp(name, "Received") == 0)
		return LH_RECEIVED;
	if (strcasecmp(name, "Delivered-To") == 0)
		return LH_DELIVERED_TO;
	return LH_OTHER;
}

/* loop_is_local - "by" names this host, or localhost */
int
loop_is_local(const char *by, char *const *local, size_t nlocal)
{
	size_t i;

	if (by[0] == 0)
		return 0;
	if (name_equal(by, "localhost") || strncasecmp(by, "localhost.", 10) == 0
	    || strcmp(by, "[127.0.0.1]") == 0 || strcasecmp(by, "[IPv6:::1]") == 0)
		return 1;
	for (i = 0; i < nlocal; i++)
		if (name_equal(by, local[i]))
			return 1;
	return 0;
}

/* loop_passes - runs of our own stamps, plus this arrival; *through names us */
unsigned
loop_passes(const struct loop_input *in, const char **through)
{
	unsigned i, passes = 0;
	int prev_local = 0;

	*through = in->nlocal ? in->local[0] : "localhost";
	for (i = 0; i < in->nstamps; i++) {
		int local = loop_is_local(in->stamps[i].by, in->local, in->nlocal);

		if (local && !prev_local) {
			/* name the newest run, as that host wrote itself */
			if (passes++ == 0 && !loop_is_local(in->stamps[i].by, NULL, 0))
				*through = in->stamps[i].by;
		}
		prev_local = local;
	}
	/* this arrival: its own run, unless the newest stamp is ours already */
	if (in->nstamps == 0 || !loop_is_local(in->stamps[0].by, in->local, in->nlocal))
		passes++;
	return passes;
}

static const char *
ordinal(unsigned n)
{
	if (n % 100 >= 11 && n % 100 <= 13)
		return "th";
	return n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th";
}

/* bare - "<a@b>" to "a@b" (bounded copy) */
static void
bare(const char *in, char *out, size_t size)
{
	size_t n;

	while (*in == ' ' || *in == '\t' || *in == '<')
		in++;
	n = strcspn(in, "> \t\r\n");
	if (n >= size)
		n = size - 1;
	memcpy(out, in, n);
	out[n] = 0;
}

/* delivered_match - a recipient that a Delivered-To already names, or NULL */
static const char *
delivered_match(const struct loop_input *in, char *buf, size_t size)
{
	char d[MXG_ADDR_MAX];
	size_t i, j;

	for (i = 0; i < in->ndelivered; i++) {
		bare(in->delivered_to[i], d, sizeof(d));
		if (d[0] == 0)
			continue;
		for (j = 0; j < in->nrcpts; j++) {
			bare(in->rcpts[j], buf, size);
			if (strcasecmp(buf, d) == 0)
				return buf;
		}
	}
	return NULL;
}

void
loop_check(const struct loop_input *in, struct loop_verdict *v)
{
	char rcpt[MXG_ADDR_MAX];
	const char *through, *hit;

	memset(v, 0, sizeof(*v));
	v->received = in->received;
	v->passes = loop_passes(in, &through);
	if (in->max_passes && v->passes >= in->max_passes) {
		v->loop = 1;
		snprintf(v->why, sizeof(v->why), "loop: %u%s pass through %s", v->passes,
		    ordinal(v->passes), through);
	} else if ((hit = delivered_match(in, rcpt, sizeof(rcpt))) != NULL) {
		v->loop = 1;
		snprintf(v->why, sizeof(v->why), "loop: Delivered-To <%s>", hit);
	} else if (in->max_received && in->received >= in->max_received) {
		v->loop = 1;
		snprintf(v->why, sizeof(v->why), "loop: %u Received headers", in->received);
	}
}
