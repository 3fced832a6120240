/*
 * loop.h - relay loop rules over the parsed Received: stamps (pure).
 */
#ifndef LOOP_H
#define LOOP_H

#include <stddef.h>

#include "received.h"

struct loop_input {
	unsigned received;               /* Received: fields seen, parsed or not */
	const struct rcv_stamp *stamps;  /* the first ones, in header order (newest first) */
	unsigned nstamps;
	char *const *local;              /* names of this host (LocalNames) */
	size_t nlocal;
	char *const *delivered_to;       /* Delivered-To: values */
	size_t ndelivered;
	char *const *rcpts;              /* this message's envelope recipients */
	size_t nrcpts;
	unsigned max_received;           /* LoopMaxReceived */
	unsigned max_passes;             /* LoopMaxPasses */
};

struct loop_verdict {
	int loop;
	unsigned received;
	unsigned passes;                 /* through this host, this arrival included */
	char why[MXG_ADDR_MAX + 64];     /* "loop: 3rd pass through mx1.example.com" */
};

enum loop_hdr { LH_OTHER, LH_RECEIVED, LH_DELIVERED_TO };

enum loop_hdr loop_header_kind(const char *name);
int loop_is_local(const char *by, char *const *local, size_t nlocal);
unsigned loop_passes(const struct loop_input *in, const char **through);
void loop_check(const struct loop_input *in, struct loop_verdict *v);

#endif
