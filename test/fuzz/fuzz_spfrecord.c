/* fuzz_spfrecord.c - libFuzzer: the RFC 7208 record parser on any bytes,
 * then every domain-spec of a record that parses expanded (macros) */
#include "autoconf.h"
#include <stdint.h>
#include <string.h>
#include "spf_macro.h"
#include "spf_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ptr - a fixed %{p} */
static const char *
ptr(void *arg)
{
	(void)arg;
	return "mail.example.org";
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct addr ip = { AF_INET6, { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } };
	const struct spf_macro_ctx m = { "a.b-c+d", "example.com", "sub.example.com", &ip,
		"helo.example.org", "mx.example.net", 1700000000, ptr, NULL };
	struct spf_record r;
	char out[SPF_EXPAND_MAX];
	size_t i;

	if (spf_record_parse((const char *)data, size, &r) != NULL)
		return 0;
	for (i = 0; i < r.nterms; i++)
		if (r.term[i].domain)
			spf_macro_expand(r.term[i].domain, strlen(r.term[i].domain), 0, &m, out, SPF_DOMAIN_MAX + 1);
	if (r.redirect)
		spf_macro_expand(r.redirect, strlen(r.redirect), 0, &m, out, SPF_DOMAIN_MAX + 1);
	if (r.exp)                               /* as if it were explanation text */
		spf_macro_expand(r.exp, strlen(r.exp), SPF_MS_EXP, &m, out, sizeof(out));
	spf_record_free(&r);
	return 0;
}
