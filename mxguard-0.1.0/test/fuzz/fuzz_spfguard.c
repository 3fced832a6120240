/* fuzz_spfguard.c - libFuzzer: the SPF record guard on any text */
#include "autoconf.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "spf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), why[200];

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	spf_guard(s, why, sizeof(why));
	free(s);
	return 0;
}
