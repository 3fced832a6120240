/* test_config.c - mxguard.conf parsing: defaults, every type, every error */
#include "autoconf.h"
#include <sys/stat.h>
#include <syslog.h>
#include "config.h"
#include "decide.h"
#include "unit.h"
#include "snapshot.h"
#include "wlcompile.h"

static struct cfg_errs errs;

static struct config *
load_text(const char *text)
{
	return cfg_load(unit_write("mxguard.conf", text, strlen(text)), &errs);
}

/* has_error - some problem reads exactly "FILE:LINE: msg" */
static int
has_error(unsigned line, const char *msg)
{
	char want[600];
	int i;

	snprintf(want, sizeof(want), "%s:%u: %s", unit_path("mxguard.conf"), line, msg);
	for (i = 0; i < errs.n && i < MXG_ERRS_MAX; i++)
		if (strcmp(errs.msg[i], want) == 0)
			return 1;
	for (i = 0; i < errs.n && i < MXG_ERRS_MAX; i++)
		fprintf(stderr, "# got: %s\n# want: %s\n", errs.msg[i], want);
	return 0;
}

START_TEST(empty_file_gives_spec_defaults)
{
	struct config *c = load_text("# nothing\n\n");
	struct addr a;

	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->socket, "unix:/run/mxguard/mxguard.sock");
	ck_assert_ptr_null(c->userid);
	ck_assert_ptr_null(c->pidfile);
	ck_assert_int_eq(c->umask, 007);
	ck_assert_int_eq(c->syslog, 1);
	ck_assert_int_eq(c->facility, LOG_MAIL);
	ck_assert_int_eq(c->loglevel, LOG_INFO);
	ck_assert_int_eq(c->mode, MODE_ENFORCE);
	ck_assert_ptr_null(c->wl);
	ck_assert_int_eq(c->trust_auth, 1);
	ck_assert_uint_eq(c->trusted.n, 2);
	addr_parse("127.1.2.3", &a);
	ck_assert_int_eq(cfg_in_list(&c->trusted, &a), 1);
	addr_parse("::1", &a);
	ck_assert_int_eq(cfg_in_list(&c->trusted, &a), 1);
	addr_parse("192.0.2.1", &a);
	ck_assert_int_eq(cfg_in_list(&c->trusted, &a), 0);
	ck_assert_str_eq(c->loop_key_file, SYSCONFDIR "/mxguard/loop.key");
	ck_assert_uint_eq(c->loop_mark_max_age, 2 * 86400000u);
	cfg_free(c);
}
END_TEST

START_TEST(keys_are_case_insensitive_and_values_parse)
{
	struct config *c = load_text(
	    "socket inet:8891@127.0.0.1\n"
	    "USERID nobody:nogroup\n"
	    "PidFile /run/mxguard.pid   # trailing comment\n"
	    "UMask 002\n"
	    "Syslog no\n"
	    "SyslogFacility LOCAL3\n"
	    "LogLevel Debug\n"
	    "Mode monitor\n"
	    "TrustedNetworks 192.0.2.0/24,2001:db8::/32 10.0.0.1\n"
	    "TrustAuthenticated false\n");
	struct addr a;

	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->socket, "inet:8891@127.0.0.1");
	ck_assert_str_eq(c->userid, "nobody:nogroup");
	ck_assert_str_eq(c->pidfile, "/run/mxguard.pid");
	ck_assert_int_eq(c->umask, 002);
	ck_assert_int_eq(c->syslog, 0);
	ck_assert_int_eq(c->facility, LOG_LOCAL3);
	ck_assert_int_eq(c->loglevel, LOG_DEBUG);
	ck_assert_int_eq(c->mode, MODE_MONITOR);
	ck_assert_int_eq(c->trust_auth, 0);
	ck_assert_uint_eq(c->trusted.n, 3);
	addr_parse("2001:db8:ffff::1", &a);
	ck_assert_int_eq(cfg_in_list(&c->trusted, &a), 1);
	addr_parse("127.0.0.1", &a);
	ck_assert_int_eq(cfg_in_list(&c->trusted, &a), 0);
	cfg_free(c);
}
END_TEST

START_TEST(dns_keys_default_as_spec)
{
	struct config *c = load_text("\n");

	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_null(c->dns_servers);
	ck_assert_uint_eq(c->dns_timeout, 3000);
	ck_assert_int_eq(c->dns_error_action, ACT_ACCEPT);
	ck_assert_uint_eq(c->dnsbl.nzones, 0);
	ck_assert_int_eq(c->dnsbl_threshold, 1);
	ck_assert_str_eq(c->dnsbl_reply, "554 5.7.1 Service unavailable; client [%a] blocked using %z");
	ck_assert_uint_eq(c->dnsbl_min_ttl, 60000);
	ck_assert_uint_eq(c->dnsbl_max_ttl, 3600000);
	ck_assert_uint_eq(c->exempt.n, 2);
	ck_assert_str_eq(c->exempt.v[0], "postmaster@");
	ck_assert_str_eq(c->exempt.v[1], "abuse@");
	ck_assert_int_eq(c->spf, 1);
	ck_assert_int_eq(c->spf_fail_action, ACT_REJECT);
	ck_assert_int_eq(c->spf_header, 1);
	ck_assert_int_eq(c->loop_max_received, 20);
	ck_assert_int_eq(c->loop_max_passes, 3);
	ck_assert_int_eq(c->loop_action, ACT_QUARANTINE);
	ck_assert_uint_eq(c->local_names.n, 0);
	cfg_free(c);
	c = load_text("SPF no\nSPFFailAction ignore\nSPFHeader no\nLoopAction tag\nLocalNames MX1.example.com mx1\n");
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->spf, 0);
	ck_assert_int_eq(c->spf_fail_action, ACT_ACCEPT);
	ck_assert_int_eq(c->spf_header, 0);
	ck_assert_int_eq(c->loop_action, ACT_TAG);
	ck_assert_str_eq(c->local_names.v[0], "mx1.example.com");
	cfg_free(c);
	ck_assert_ptr_null(load_text("SPFFailAction quarantine\nLocalNames bad..name\nLoopMaxPasses -1\n"));
	ck_assert(has_error(1, "SPFFailAction: bad value \"quarantine\" (expected reject, tempfail, tag or ignore)"));
	ck_assert(has_error(2, "LocalNames: \"bad..name\": not a host name"));
	ck_assert(has_error(3, "LoopMaxPasses: expected a whole number from 0 to 100"));
}
END_TEST

START_TEST(dns_keys_parse)
{
	struct config *c = load_text(
	    "DNSServers 127.0.0.1:5300, ::1 [2001:db8::53]:5353 192.0.2.53\n"
	    "DNSTimeout 500ms\n"
	    "DNSErrorAction TempFail\n"
	    "DNSBL zen.example=127.0.0.[2..11]*3, list.dnswl.example=127.0.[0..255].[1..3]*-5\n"
	    "DNSBLThreshold 3\n"
	    "DNSBLReply 550 5.7.1 %a is listed at %z, see 100%% http://example/\n"
	    "DNSBLMinTTL 10s\n"
	    "DNSBLMaxTTL 2d\n"
	    "ExemptRecipients Postmaster@, @Example.ORG hostmaster@example.com\n");

	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->dns_servers, "127.0.0.1:5300,[::1]:53,[2001:db8::53]:5353,192.0.2.53:53");
	ck_assert_uint_eq(c->dns_timeout, 500);
	ck_assert_int_eq(c->dns_error_action, ACT_TEMPFAIL);
	ck_assert_uint_eq(c->dnsbl.nzones, 2);
	ck_assert_int_eq(c->dnsbl_threshold, 3);
	ck_assert_uint_eq(c->dnsbl_min_ttl, 10000);
	ck_assert_uint_eq(c->dnsbl_max_ttl, 2 * 86400000U);
	ck_assert_uint_eq(c->exempt.n, 3);
	ck_assert_str_eq(c->exempt.v[1], "@example.org");
	cfg_free(c);
}
END_TEST

START_TEST(many_short_ipv6_dns_servers_are_written_whole)
{
	char text[4096], want[8192];
	struct config *c;
	size_t n = 0, w = 0;
	int i;

	c = load_text("DNSServers ::,::,::,::,::,::,::,::\n");
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->dns_servers,
	    "[::]:53,[::]:53,[::]:53,[::]:53,[::]:53,[::]:53,[::]:53,[::]:53");
	cfg_free(c);
	n += (size_t)snprintf(text + n, sizeof(text) - n, "DNSServers");
	for (i = 0; i < 300; i++) {
		n += (size_t)snprintf(text + n, sizeof(text) - n, " ::%x", i % 15 + 1);
		w += (size_t)snprintf(want + w, sizeof(want) - w, "%s[::%x]:53", i ? "," : "", i % 15 + 1);
	}
	snprintf(text + n, sizeof(text) - n, "\n");
	ck_assert_ptr_nonnull(c = load_text(text));
	ck_assert_str_eq(c->dns_servers, want);
	cfg_free(c);
}
END_TEST

START_TEST(dns_key_problems_are_named)
{
	struct config *c = load_text(
	    "DNSServers 127.0.0.1:99999\n"          /* 1 */
	    "DNSTimeout 3\n"                        /* 2 */
	    "DNSErrorAction reject\n"               /* 3 */
	    "DNSBL zen.example*0\n"                 /* 4 */
	    "DNSBLThreshold many\n"                 /* 5 */
	    "DNSBLReply 450 try later\n"            /* 6 */
	    "DNSBLMinTTL 2h\n"                      /* 7 */
	    "DNSBLMaxTTL 1h\n"                      /* 8 */
	    "ExemptRecipients postmaster\n");       /* 9 */

	ck_assert_ptr_null(c);
	ck_assert(has_error(1, "DNSServers: \"127.0.0.1:99999\": expected IP, IP:PORT or [IPv6]:PORT"));
	ck_assert(has_error(2, "DNSTimeout: expected a time with a unit, such as 500ms, 3s, 5m, 1h or 1d"));
	ck_assert(has_error(3, "DNSErrorAction: bad value \"reject\" (expected accept or tempfail)"));
	ck_assert(has_error(4, "DNSBL: \"zen.example*0\": bad weight (expected *N, N a non-zero number from -1000 to 1000)"));
	ck_assert(has_error(5, "DNSBLThreshold: expected a whole number from -100000 to 100000"));
	ck_assert(has_error(6, "DNSBLReply: expected a 5xx reply code, e.g. 554 5.7.1 text"));
	ck_assert(has_error(9, "ExemptRecipients: \"postmaster\": expected local@, user@domain or @domain"));
	ck_assert_int_eq(errs.n, 7);       /* TTL order is checked once the rest is valid */
	c = load_text("DNSBLMinTTL 2h\nDNSBLMaxTTL 1h\nDNSTimeout 30s\n");
	ck_assert_ptr_null(c);
	ck_assert(has_error(3, "DNSTimeout: 30s is out of range (100ms to 25000ms)"));
	c = load_text("DNSBLMinTTL 2h\nDNSBLMaxTTL 1h\n");
	ck_assert(has_error(2, "DNSBLMinTTL is larger than DNSBLMaxTTL"));
}
END_TEST

START_TEST(dns_cache_size_takes_bytes_and_units)
{
	struct config *c = load_text("\n");

	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->dns_cache_size, 8u << 20);
	cfg_free(c);
	c = load_text("DNSCacheSize 512K\n");
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->dns_cache_size, 512u << 10);
	cfg_free(c);
	c = load_text("DNSCacheSize 0\n");
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->dns_cache_size, 0);
	cfg_free(c);
	ck_assert_ptr_null(load_text("DNSCacheSize 2t\n"));
	ck_assert(has_error(1, "DNSCacheSize: expected a size such as 65536, 512k, 8m or 1g"));
	ck_assert_ptr_null(load_text("DNSCacheSize 2g\n"));
	ck_assert(has_error(1, "DNSCacheSize: 2g is out of range (0 to 1073741824 bytes)"));
	ck_assert_ptr_null(load_text("DNSCacheSize -1m\n"));
	ck_assert(has_error(1, "DNSCacheSize: expected a size such as 65536, 512k, 8m or 1g"));
	ck_assert_ptr_null(load_text("DNSCacheSize 99999999999999999999m\n"));
	ck_assert(has_error(1, "DNSCacheSize: expected a size such as 65536, 512k, 8m or 1g"));
}
END_TEST

START_TEST(trusted_networks_none_or_empty_is_empty)
{
	struct config *c = load_text("TrustedNetworks none\n");

	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->trusted.n, 0);
	cfg_free(c);
	c = load_text("TrustedNetworks\n");
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->trusted.n, 0);
	cfg_free(c);
}
END_TEST

START_TEST(every_problem_is_reported_with_its_line)
{
	struct config *c = load_text(
	    "Bogus 1\n"                       /* 1 */
	    "Syslog maybe\n"                  /* 2 */
	    "LogLevel loud\n"                 /* 3 */
	    "UMask 999\n"                     /* 4 */
	    "Socket tcp:25\n"                 /* 5 */
	    "TrustedNetworks 10.0.0.1/33\n"   /* 6 */
	    "Mode\n"                          /* 7 */
	    "PidFile relative.pid\n"          /* 8 */
	    "UserID no-such-user-here\n"      /* 9 */
	    "Syslog yes\n"                    /* 10: first Syslog was bad, still a duplicate */
	    "Socket inet:99999@localhost\n"); /* 11 */

	ck_assert_ptr_null(c);
	ck_assert(has_error(1, "unknown key \"Bogus\""));
	ck_assert(has_error(2, "Syslog: expected yes, no, true, false, 1 or 0"));
	ck_assert(has_error(3, "LogLevel: bad value \"loud\" (expected error, warning, notice, info or debug)"));
	ck_assert(has_error(4, "UMask: expected an octal mode such as 007"));
	ck_assert(has_error(5, "Socket: expected unix:PATH, inet:PORT@HOST or inet6:PORT@HOST"));
	ck_assert(has_error(6, "TrustedNetworks: \"10.0.0.1/33\": prefix length over 32"));
	ck_assert(has_error(7, "Mode: missing value"));
	ck_assert(has_error(8, "PidFile: path must be absolute"));
	ck_assert(has_error(9, "UserID: unknown user \"no-such-user-here\""));
	ck_assert(has_error(10, "Syslog already set on line 2"));
	ck_assert(has_error(11, "Socket already set on line 5"));
	ck_assert_int_eq(errs.n, 11);
}
END_TEST

START_TEST(nul_byte_and_overlong_line_are_errors)
{
	char text[MXG_LINE_MAX + 100];
	struct config *c;

	memset(text, 'x', sizeof(text));
	memcpy(text, "LogLevel info\nMode enf\0rce\n# ", 29);
	text[sizeof(text) - 1] = '\n';
	c = cfg_load(unit_write("mxguard.conf", text, sizeof(text)), &errs);
	ck_assert_ptr_null(c);
	ck_assert(has_error(2, "NUL byte in line"));
	ck_assert(has_error(3, "line too long"));
	ck_assert_int_eq(errs.n, 2);
}
END_TEST

START_TEST(missing_file_is_named)
{
	struct config *c = cfg_load("/nonexistent/mxguard.conf", &errs);

	ck_assert_ptr_null(c);
	ck_assert_int_eq(errs.n, 1);
	ck_assert_str_eq(errs.msg[0], "/nonexistent/mxguard.conf: cannot open: No such file or directory");
}
END_TEST

START_TEST(whitelist_is_opened_and_a_bad_one_named_at_its_line)
{
	char src[256], text[600];
	struct config *c;
	FILE *devnull = fopen("/dev/null", "w");

	snprintf(src, sizeof(src), "%s", UNIT_WRITE("wl", "192.0.2.25 OK\n"));
	ck_assert_int_eq(wlc_compile(src, unit_path("wl.cdb"), 0, devnull), 0);
	fclose(devnull);
	snprintf(text, sizeof(text), "Mode enforce\nWhitelist %s\n", unit_path("wl.cdb"));
	c = load_text(text);
	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_nonnull(c->wl);
	cfg_free(c);

	snprintf(text, sizeof(text), "\nWhitelist %s\n", unit_path("missing.cdb"));
	ck_assert_ptr_null(load_text(text));
	snprintf(text, sizeof(text), "Whitelist %s: No such file or directory", unit_path("missing.cdb"));
	ck_assert(has_error(2, text));

	snprintf(text, sizeof(text), "Whitelist %s\n", src);   /* the text source, not a CDB */
	ck_assert_ptr_null(load_text(text));
	snprintf(text, sizeof(text), "Whitelist %s: not a CDB file (truncated or corrupt)", src);
	ck_assert(has_error(1, text));
}
END_TEST

START_TEST(loop_key_file_is_read_and_its_problems_named_at_their_line)
{
	static const char bytes[33] = "0123456789abcdef0123456789abcdef";
	struct mark_key want;
	struct config *c;
	char text[600];
	const char *key = unit_write("loop.key", bytes, 32);

	ck_assert_int_eq(mark_key_set(&want, (const unsigned char *)bytes, 32), 0);
	chmod(key, 0600);
	snprintf(text, sizeof(text), "Mode enforce\nLoopKeyFile %s\nLoopMarkMaxAge 1h\n", key);
	c = load_text(text);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->loop_key.len, 32);
	ck_assert_str_eq(c->loop_key.id, want.id);
	ck_assert_uint_eq(c->loop_mark_max_age, 3600000u);
	cfg_free(c);

	/* no such file: a snapshot without a key, for the caller to warn about */
	snprintf(text, sizeof(text), "LoopKeyFile %s\n", unit_path("absent.key"));
	c = load_text(text);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->loop_key.len, 0);
	ck_assert_str_eq(c->loop_key.id, "");
	cfg_free(c);

	chmod(key, 0640);
	snprintf(text, sizeof(text), "\nLoopKeyFile %s\n", key);
	ck_assert_ptr_null(load_text(text));
	snprintf(text, sizeof(text), "LoopKeyFile %s: group or others have access (mode 0640): "
	    "chmod 600 %s", key, key);
	ck_assert(has_error(2, text));

	key = unit_write("short.key", bytes, 16);
	chmod(key, 0600);
	snprintf(text, sizeof(text), "LoopKeyFile %s\n", key);
	ck_assert_ptr_null(load_text(text));
	snprintf(text, sizeof(text), "LoopKeyFile %s: 16 bytes, a key has 32 to 256: remove it and "
	    "make one with mxguard -k", key);
	ck_assert(has_error(1, text));

	ck_assert_ptr_null(load_text("LoopKeyFile loop.key\nLoopMarkMaxAge 5m\nLoopMarkMaxAge 1d\n"
	    "LoopMarkMaxAge 15d\n"));
	ck_assert(has_error(1, "LoopKeyFile: path must be absolute"));
	ck_assert(has_error(2, "LoopMarkMaxAge: 5m is out of range (600000ms to 1209600000ms)"));
	ck_assert(has_error(3, "LoopMarkMaxAge already set on line 2"));
}
END_TEST

START_TEST(snapshot_outlives_publish_while_referenced)
{
	struct config *a = load_text("Mode monitor\n"), *b = load_text("Mode enforce\n"), *held;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	cfg_publish(a);
	held = cfg_acquire();
	ck_assert_ptr_eq(held, a);
	cfg_publish(b);                    /* a is no longer current ... */
	ck_assert_int_eq(held->mode, MODE_MONITOR);   /* ... but still alive */
	cfg_release(held);
	held = cfg_acquire();
	ck_assert_ptr_eq(held, b);
	cfg_release(held);
	cfg_publish(NULL);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("config");
	TCase *t = tcase_create("config");

	tcase_add_test(t, empty_file_gives_spec_defaults);
	tcase_add_test(t, keys_are_case_insensitive_and_values_parse);
	tcase_add_test(t, dns_keys_default_as_spec);
	tcase_add_test(t, dns_keys_parse);
	tcase_add_test(t, dns_key_problems_are_named);
	tcase_add_test(t, many_short_ipv6_dns_servers_are_written_whole);
	tcase_add_test(t, dns_cache_size_takes_bytes_and_units);
	tcase_add_test(t, trusted_networks_none_or_empty_is_empty);
	tcase_add_test(t, every_problem_is_reported_with_its_line);
	tcase_add_test(t, nul_byte_and_overlong_line_are_errors);
	tcase_add_test(t, missing_file_is_named);
	tcase_add_test(t, whitelist_is_opened_and_a_bad_one_named_at_its_line);
	tcase_add_test(t, loop_key_file_is_read_and_its_problems_named_at_their_line);
	tcase_add_test(t, snapshot_outlives_publish_while_referenced);
	suite_add_tcase(s, t);
	return s;
}

UNIT_MAIN(suite)
