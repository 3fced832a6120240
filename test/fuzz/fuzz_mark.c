/* fuzz_mark.c - libFuzzer: one X-Mxguard-Pass: value through mark_verify
 * (alone and 40 times through mark_count, which must stop at
 * MARK_MAX_EXAMINED and count a repeated mark once), then the same bytes as
 * a Message-ID and a recipient through the binding. The key, binding and
 * time are fixed, so the seeds can hold marks that verify. */
#include "autoconf.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "mark.h"

#define NOW      INT64_C(1796000000)
#define MAX_AGE  (2 * 86400)
#define COPIES   40

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char k[32] = "fuzz-key-fuzz-key-fuzz-key-fuzz!";
	const char *v[COPIES];
	struct mark_rcpts r = { 0 };
	struct mark_bind b, b2;
	struct mark_tally t;
	struct mark_key key;
	enum mark_status st;
	char *s = malloc(size + 1);
	size_t i;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	if (mark_key_set(&key, k, sizeof(k)) < 0)
		abort();
	mark_rcpts_add(&r, "<u@example.org>");
	if (mark_bind("<seed@example.org>", &r, &b) < 0)
		abort();
	st = mark_verify(&key, s, &b, NOW, MAX_AGE);
	if ((unsigned)st >= MARK_NSTATUS)
		abort();
	for (i = 0; i < COPIES; i++)
		v[i] = s;
	if (mark_count(&key, v, COPIES, &b, NOW, MAX_AGE, &t) != (st == MARK_VALID)
	    || t.n[st] != MARK_MAX_EXAMINED || t.dropped != COPIES - MARK_MAX_EXAMINED)
		abort();
	mark_rcpts_add(&r, s);
	if (mark_bind(s, &r, &b2) == 0 && st == MARK_VALID
	    && mark_verify(&key, s, &b2, NOW, MAX_AGE) == MARK_VALID)
		abort();         /* another binding cannot accept the same mark */
	mark_rcpts_free(&r);
	free(s);
	return 0;
}
