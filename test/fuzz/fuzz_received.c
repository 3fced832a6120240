/* fuzz_received.c - libFuzzer: one Received: value through the parser, the
 * loop rules (the value as a Delivered-To: and as a recipient too; its
 * "by" against this host's names) and the relay origin (alone, and under a
 * peer's re-injection stamp so that the walk over the peer's internal hops
 * reads it too) */
#include "autoconf.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "loop.h"
#include "relay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *local[] = { "mx1.example.com" };
	static const char reinject[] = "from localhost (localhost [127.0.0.1]) by mx2.example.net (Postfix)";
	struct rcv_stamp st[3];
	const struct rcv_stamp *peer;
	struct addr peer_addr;
	struct loop_input in;
	struct loop_verdict v;
	char *text = malloc(size + 1);

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	rcv_parse(reinject, sizeof(reinject) - 1, &st[0]);
	rcv_parse((const char *)data, size, &st[1]);
	st[2] = st[1];
	memset(&in, 0, sizeof(in));
	in.received = 2;
	in.marks = size % 4;
	in.through = st[1].by;
	in.delivered_to = &text;
	in.ndelivered = 1;
	in.rcpts = &text;
	in.nrcpts = 1;
	in.max_received = 20;
	in.max_passes = 3;
	loop_check(&in, &v);
	(void)loop_is_local(st[1].by, local, 1);
	free(text);
	if (addr_parse("198.51.100.20", &peer_addr) != 0)
		return 0;
	relay_origin(st + 1, 2, local, 1, &peer_addr, &peer);
	relay_origin(st, 3, local, 1, &peer_addr, &peer);
	return 0;
}
