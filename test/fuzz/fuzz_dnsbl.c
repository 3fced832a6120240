/* fuzz_dnsbl.c - libFuzzer: the DNSBL key's zone[=filter][*weight] syntax, then a
 * verdict with every zone listing (the bounded zones text) */
#include "autoconf.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
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
	if (dnsbl_parse(s, &c, why, sizeof(why)) == 0) {
		struct dnsbl_zone_result z[DNSBL_MAX_ZONES];
		struct dnsbl_verdict v;
		unsigned i;

		memset(z, 0, sizeof(z));
		for (i = 0; i < c.nzones && i < DNSBL_MAX_ZONES; i++) {
			z[i].state = DZ_LISTED;
			z[i].ans.status = DNS_OK;
			z[i].ans.n = 1;
			z[i].ans.a[0].s_addr = htonl(0x7f000002);
		}
		dnsbl_score(&c, z, 1, &v);
		dnsbl_verdict_free(&v);
	}
	dnsbl_conf_free(&c);
	free(s);
	return 0;
}
