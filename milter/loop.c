/*
 * loop.c - is this message going round in circles?
 *
 * Three rules, evidence named in the verdict:
 *  - passes: the distinct valid pass marks of the message (mark.c: made
 *    by mxguard with the key of this MX set, for this message and its
 *    recipients, recent) are its earlier passes; this arrival is one more.
 *    Host names in Received: stamps are never counted: anyone can write
 *    them, and content filters stamp "by localhost" at every site;
 *  - Delivered-To: a current envelope recipient already delivered to;
 *  - the count: LoopMaxReceived Received: fields or more, as the filter
 *    sees them (the MTA hides its own, so its hop count is one more).
 * Only the first is proof of a loop through us (verdict.proven); the
 * other two are what an outside sender can forge, and decide.c refuses
 * rather than holds on them (mxguard(8), LOOPS).
 * Pure: plain inputs, a filled verdict, nothing can fail.
 */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "loop.h"
#include "mark.h"
#include "names.h"

/* loop_header_kind - which fields matter, in any case ("Received-SPF" does not) */
enum loop_hdr
loop_header_kind(const char *name)
{
	if (strcasecmp(name, "Received") == 0)
		return LH_RECEIVED;
	if (strcasecmp(name, "Delivered-To") == 0)
		return LH_DELIVERED_TO;
	if (strcasecmp(name, "Message-ID") == 0)
		return LH_MESSAGE_ID;
	if (strcasecmp(name, MARK_HEADER) == 0)
		return LH_PASS_MARK;
	return LH_OTHER;
}

/* loop_is_local - "by" names this host (LocalNames); "localhost" never does */
int
loop_is_local(const char *by, char *const *local, size_t nlocal)
{
	size_t i;

	if (by[0] == 0)
		return 0;
	for (i = 0; i < nlocal; i++)
		if (name_equal(by, local[i]))
			return 1;
	return 0;
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
	const char *hit;

	memset(v, 0, sizeof(*v));
	v->received = in->received;
	v->passes = in->marks + 1;
	if (in->max_passes && v->passes >= in->max_passes) {
		v->loop = v->proven = 1;
		snprintf(v->why, sizeof(v->why), "loop: %u%s pass through %.*s", v->passes,
		    ordinal(v->passes), MARK_HOST_MAX, in->through && in->through[0]
		    ? in->through : "this host");
	} else if ((hit = delivered_match(in, rcpt, sizeof(rcpt))) != NULL) {
		v->loop = 1;
		snprintf(v->why, sizeof(v->why), "loop: Delivered-To <%s>", hit);
	} else if (in->max_received && in->received >= in->max_received) {
		v->loop = 1;
		snprintf(v->why, sizeof(v->why), "loop: %u Received headers", in->received);
	}
}
