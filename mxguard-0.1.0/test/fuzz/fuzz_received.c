/* fuzz_received.c - libFuzzer: one Received: value through the parser, the
 * loop rules and the relay origin */
#include "autoconf.h"
#include <stdint.h>
#include <string.h>
#include "loop.h"
#include "relay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *local[] = { "mx1.example.com" };
	struct rcv_stamp st[2];
	const struct rcv_stamp *peer;
	struct loop_input in;
	struct loop_verdict v;

	rcv_parse((const char *)data, size, &st[0]);
	st[1] = st[0];
	memset(&in, 0, sizeof(in));
	in.received = 2;
	in.stamps = st;
	in.nstamps = 2;
	in.local = local;
	in.nlocal = 1;
	in.max_received = 20;
	in.max_passes = 3;
	loop_check(&in, &v);
	relay_origin(st, 2, local, 1, &peer);
	return 0;
}
