/* fuzz_dnsbl.c - libFuzzer: the DNSBL key's zone[=filter][*weight] syntax */
#include "autoconf.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "dnsbl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dnsbl_conf c;
	char *s = malloc(size + 1), why[300];

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	memset(&c, 0, sizeof(c));
	dnsbl_parse(s, &c, why, sizeof(why));
	dnsbl_conf_free(&c);
	free(s);
	return 0;
}
