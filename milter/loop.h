/*
 * loop.h - the loop rules (pure): passes proven by pass marks (mark.h),
 * Delivered-To naming a recipient, and the Received: count.
 */
#ifndef LOOP_H
#define LOOP_H

#include <stddef.h>

#include "received.h"

struct loop_input {
	unsigned received;               /* Received: fields seen, parsed or not */
	unsigned marks;                  /* distinct valid pass marks: earlier passes */
	const char *through;             /* host of the newest valid mark, or this host */
	char *const *delivered_to;       /* Delivered-To: values */
	size_t ndelivered;
	char *const *rcpts;              /* this message's envelope recipients */
	size_t nrcpts;
	unsigned max_received;           /* LoopMaxReceived */
	unsigned max_passes;             /* LoopMaxPasses */
};

struct loop_verdict {
	int loop;
	int proven;                      /* the passes rule fired: our own marks prove it */
	unsigned received;
	unsigned passes;                 /* valid marks + 1: this arrival included */
	char why[MXG_ADDR_MAX + 300];    /* "loop: 3rd pass through mx1.example.com" */
};

enum loop_hdr { LH_OTHER, LH_RECEIVED, LH_DELIVERED_TO, LH_MESSAGE_ID, LH_PASS_MARK };

enum loop_hdr loop_header_kind(const char *name);
int loop_is_local(const char *by, char *const *local, size_t nlocal);
void loop_check(const struct loop_input *in, struct loop_verdict *v);

#endif
