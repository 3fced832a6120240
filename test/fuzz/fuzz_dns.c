/* fuzz_dns.c - libFuzzer: a DNS reply as c-ares hands it to us, through
 * the resolver's parser and, for the types SPF asks for, the conversion
 * to libspf2's records (with the SPF guard on every TXT record). The first
 * byte picks the query type; the rest is the reply. */
#include "autoconf.h"
#include <arpa/nameser.h>
#include <ares.h>
#include <stdint.h>
#include <stdlib.h>
#include "resolver.h"
#include "spf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int types[] = { ns_t_a, ns_t_aaaa, ns_t_txt, ns_t_mx, ns_t_ptr };
	struct dns_answer ans;
	char why[160];
	int type;

	if (size < 1 || size > 65536)
		return 0;
	type = types[data[0] % (sizeof(types) / sizeof(types[0]))];
	dns_parse_reply(type, ARES_SUCCESS, data + 1, (int)(size - 1), &ans);
	if (ans.status == DNS_OK && ans.raw != NULL)
		(void)spf_parse_answer(type, &ans, why, sizeof(why), NULL, 0);
	free((void *)ans.raw);
	return 0;
}
