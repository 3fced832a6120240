/* test_spf.c - the SPF record guard: real records pass, hostile ones never reach libspf2 */
#include "autoconf.h"
#include <arpa/nameser.h>
#include <ares.h>
#include "spf.h"
#include "unit.h"

/* reply - a DNS reply for QTYPE with one answer per RDATA (length-prefixed
 * in RD), written into BUF; its length */
static int
reply(unsigned char *buf, int qtype, const unsigned char *rd, int nrd)
{
	static const unsigned char head[] = {
		0x12, 0x34, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0,
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'o', 'r', 'g', 0 };
	int len = sizeof(head), i;

	memcpy(buf, head, sizeof(head));
	buf[7] = (unsigned char)nrd;
	buf[len++] = 0; buf[len++] = (unsigned char)qtype; buf[len++] = 0; buf[len++] = 1;
	for (i = 0; i < nrd; i++) {
		int n = rd[0] << 8 | rd[1];

		buf[len++] = 0xc0; buf[len++] = 0x0c;                /* name: the question's */
		buf[len++] = 0; buf[len++] = (unsigned char)qtype; buf[len++] = 0; buf[len++] = 1;
		buf[len++] = 0; buf[len++] = 0; buf[len++] = 0x01; buf[len++] = 0x2c;   /* TTL 300 */
		memcpy(buf + len, rd, (size_t)n + 2);
		len += n + 2;
		rd += n + 2;
	}
	return len;
}

START_TEST(dns_replies_are_parsed_and_bad_ones_refused)
{
	static const unsigned char a[] = { 0, 4, 127, 0, 0, 2, 0, 4, 127, 0, 0, 10 };
	static const unsigned char txt[] = {
		0, 25, 18, 'v', '=', 's', 'p', 'f', '1', ' ', 'i', 'p', '4', ':', '1', '.', '2', '.', '3', '.', '4', 5, ' ', '-', 'a', 'l', 'l', 0, 4, 3, 'f', 'o', 'o' };
	static const unsigned char hostile[] = {
		0, 19, 18, 'v', '=', 's', 'p', 'f', '1', ' ', 'e', 'x', 'i', 's', 't', 's', ':', '%', '{', 'z', '}' };
	unsigned char buf[512];
	struct dns_answer ans;
	char why[160] = "", first[200];
	int len;

	len = reply(buf, ns_t_a, a, 2);
	dns_parse_reply(ns_t_a, ARES_SUCCESS, buf, len, &ans);
	ck_assert_int_eq(ans.status, DNS_OK);
	ck_assert_int_eq(ans.n, 2);
	ck_assert_uint_eq(ans.ttl, 300);
	ck_assert_uint_eq(ntohl(ans.a[1].s_addr), 0x7f00000a);
	dns_parse_reply(ns_t_a, ARES_SUCCESS, buf, len - 3, &ans);          /* truncated */
	ck_assert_int_eq(ans.status, DNS_ERROR);
	dns_parse_reply(ns_t_a, ARES_ESERVFAIL, NULL, 0, &ans);
	ck_assert_int_eq(ans.status, DNS_SERVFAIL);

	/* two strings of one TXT record are one SPF record; the other
	 * record ("foo", not SPF) is dropped before libspf2 sees it */
	len = reply(buf, ns_t_txt, txt, 2);
	dns_parse_reply(ns_t_txt, ARES_SUCCESS, buf, len, &ans);
	ck_assert_int_eq(ans.status, DNS_OK);
	ck_assert_int_eq(spf_parse_answer(ns_t_txt, &ans, why, sizeof(why), first, sizeof(first)), 1);
	ck_assert_str_eq(first, "v=spf1 ip4:1.2.3.4 -all");
	ck_assert_str_eq(why, "");
	free((void *)ans.raw);
	len = reply(buf, ns_t_txt, txt, 2);
	dns_parse_reply(ns_t_txt, ARES_SUCCESS, buf, len - 1, &ans);      /* truncated */
	ck_assert_int_eq(spf_parse_answer(ns_t_txt, &ans, why, sizeof(why), NULL, 0), -1);
	free((void *)ans.raw);

	/* a record the guard refuses never reaches libspf2: the reason is kept */
	len = reply(buf, ns_t_txt, hostile, 1);
	dns_parse_reply(ns_t_txt, ARES_SUCCESS, buf, len, &ans);
	ck_assert_int_eq(spf_parse_answer(ns_t_txt, &ans, why, sizeof(why), NULL, 0), 2);
	ck_assert_msg(strstr(why, "fuzz.example") != NULL, "%s", why);
	free((void *)ans.raw);
}
END_TEST

/* txt1 - RD (length-prefixed RDATA of one TXT record of one string S) */
static int
txt1(unsigned char *rd, const char *s)
{
	size_t n = strlen(s);

	rd[0] = 0; rd[1] = (unsigned char)(n + 1); rd[2] = (unsigned char)n;
	memcpy(rd + 3, s, n);
	return (int)n + 3;
}

START_TEST(exp_text_from_dns_never_reaches_libspf2)
{
	/* issue 12: an exp= explanation TXT was compiled by libspf2 as a
	 * macro string outside the guard (CVE-2023-42118, a crash) */
	unsigned char rd[300], buf[600];
	struct dns_answer ans;
	char why[160], first[300], text[260];
	int len;

	memset(text, 0, sizeof(text));
	for (len = 0; len < 60; len++)
		memcpy(text + 4 * len, "%{d}", 4);
	txt1(rd, text);                                     /* an explanation TXT */
	len = reply(buf, ns_t_txt, rd, 1);
	dns_parse_reply(ns_t_txt, ARES_SUCCESS, buf, len, &ans);
	ck_assert_int_eq(spf_parse_answer(ns_t_txt, &ans, why, sizeof(why), first, sizeof(first)), 0);
	free((void *)ans.raw);

	txt1(rd, "v=spf1 ?all EXP=why.%{d} ip4:192.0.2.1");
	len = reply(buf, ns_t_txt, rd, 1);
	dns_parse_reply(ns_t_txt, ARES_SUCCESS, buf, len, &ans);
	ck_assert_int_eq(spf_parse_answer(ns_t_txt, &ans, why, sizeof(why), first, sizeof(first)), 1);
	ck_assert_str_eq(first, "v=spf1 ?all ip4:192.0.2.1");
	free((void *)ans.raw);

	txt1(rd, "v=spf1 exp=%{z} -all");                   /* bad exp=: still the guard's */
	len = reply(buf, ns_t_txt, rd, 1);
	dns_parse_reply(ns_t_txt, ARES_SUCCESS, buf, len, &ans);
	ck_assert_int_eq(spf_parse_answer(ns_t_txt, &ans, why, sizeof(why), first, sizeof(first)), 2);
	ck_assert_str_eq(first, "v=spf1");
	ck_assert_msg(strstr(why, "bad macro letter") != NULL, "%s", why);
	free((void *)ans.raw);
}
END_TEST

START_TEST(sender_is_up_to_the_last_bracket_and_domain_after_the_last_at)
{
	/* review: a quoted local part with '>' or '@' made mxguard check the
	 * attacker's domain, or fall back to the HELO */
	char out[64];

	spf_sender("<\"x@evil.example>\"@victim.example>", out, sizeof(out));
	ck_assert_str_eq(out, "\"x@evil.example>\"@victim.example");
	ck_assert_str_eq(strrchr(out, '@') + 1, "victim.example");
	spf_sender("<\"x>\"@victim.example>", out, sizeof(out));
	ck_assert_str_eq(out, "\"x>\"@victim.example");
	spf_sender("<>", out, sizeof(out));
	ck_assert_str_eq(out, "");
	spf_sender("", out, sizeof(out));
	ck_assert_str_eq(out, "");
	spf_sender("a@b.example", out, sizeof(out));          /* no brackets */
	ck_assert_str_eq(out, "a@b.example");
	spf_sender("<a@b.example", out, sizeof(out));         /* no closing bracket */
	ck_assert_str_eq(out, "a@b.example");
	spf_sender("<0123456789@0123456789.example>", out, 12);
	ck_assert_str_eq(out, "0123456789@");
}
END_TEST

START_TEST(nul_in_a_record_is_refused_by_the_guard)
{
	/* found by fuzz_spfdiff: a NUL inside a TXT record cut the record
	 * there for libspf2, which then evaluated the valid prefix (RFC 7208
	 * 3.3 and 4.6: the whole record is invalid, permerror) */
	static const char rec[] = "v=spf1 +all\0 -all";
	unsigned char rd[64], buf[200];
	struct dns_answer ans;
	char why[160], first[64];
	int len, n = (int)sizeof(rec) - 1;

	rd[0] = 0; rd[1] = (unsigned char)(n + 1); rd[2] = (unsigned char)n;
	memcpy(rd + 3, rec, (size_t)n);
	len = reply(buf, ns_t_txt, rd, 1);
	dns_parse_reply(ns_t_txt, ARES_SUCCESS, buf, len, &ans);
	ck_assert_int_eq(spf_parse_answer(ns_t_txt, &ans, why, sizeof(why), first, sizeof(first)), 2);
	ck_assert_str_eq(first, "v=spf1");
	ck_assert_msg(strstr(why, "NUL") != NULL, "%s", why);
	free((void *)ans.raw);

	/* "v=spf1" then a NUL is no SPF record at all (4.5: SP or the end
	 * must follow): dropped, as mxguard's engine ignores it (none) */
	n = 9;
	rd[0] = 0; rd[1] = (unsigned char)(n + 1); rd[2] = (unsigned char)n;
	memcpy(rd + 3, "v=spf1\0 a", (size_t)n);
	len = reply(buf, ns_t_txt, rd, 1);
	dns_parse_reply(ns_t_txt, ARES_SUCCESS, buf, len, &ans);
	ck_assert_int_eq(spf_parse_answer(ns_t_txt, &ans, why, sizeof(why), first, sizeof(first)), 0);
	ck_assert_str_eq(why, "");
	free((void *)ans.raw);
}
END_TEST

START_TEST(real_world_records_pass)
{
	static const char *good[] = {
		"v=spf1 -all",
		"v=spf1",
		"v=spf1 ip4:192.0.2.0/24 include:_spf.example.com ~all",
		"v=spf1 a mx/24 a:mail.example.com/28//64 mx:example.org//48 -all",
		"v=spf1 ip6:2001:db8::/32 ip6:2001:db8:1::1 ?all",
		"v=spf1 exists:%{i}.%{h}.%{d}._spf.example.com -all",
		"v=spf1 include:%{l1r-}.example.com +all",
		"v=spf1 redirect=_spf.example.com",
		"v=spf1 exp=explain.%{d} -all",
		"v=spf1 ptr:example.com -all",
		"V=SPF1 IP4:192.0.2.1 -ALL",
		"v=spf1 x-custom=foo%%bar%_%- -all",
		"v=spf1 ip6:2001:db8::/48 ip6:2001:db8::1/128 a//128 mx/0//0 -all",   /* fuzz_spfdiff */
	};
	char why[200];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(spf_guard(good[i], why, sizeof(why)) == 0, "%s refused: %s", good[i], why);
}
END_TEST

START_TEST(hostile_and_malformed_records_are_refused)
{
	static const char *bad[] = {
		"v=spf1 exists:%{",
		"v=spf1 exists:%{i0}.example.com",                    /* 0 labels */
		"v=spf1 exists:%{i129}.example.com",                  /* over 128 */
		"v=spf1 exists:%{i99999999999999999999}.example.com", /* overflow */
		"v=spf1 exists:%{z}.example.com",                     /* no such macro */
		"v=spf1 include:%{c}.example.com",                    /* c only in exp= */
		"v=spf1 exists:%x.example.com",
		"v=spf1 exists:%{i}%{i}%{i}%{i}%{i}%{i}%{i}%{i}%{i}.example.com",
		"v=spf1 exists:%{ir.-+,/_=.}.example.com extra%",
		"v=spf1 redirect=a.example redirect=b.example",
		"v=spf1 exp=a.example exp=b.example",
		"v=spf1 ip4:300.1.1.1 -all",
		"v=spf1 ip4:192.0.2.0/33 -all",
		"v=spf1 ip4:2001:db8::1 -all",
		"v=spf1 ip6:192.0.2.1 -all",
		"v=spf1 foo:bar -all",
		"v=spf1 a:mail.example.com/99",
		"v=spf1 include",
		"v=spf1 include:example.com/24",
		"v=spf1 all:example.com",
		"v=spf1 a:\x01.example.com",
		"v=spf1 a:caf\xc3\xa9.example.com",
		"v=spf10 -all",
		"spf1 -all",
		"v=spf1 a/24/4 -all",                                 /* fuzz_spfdiff: "//" for IPv6 */
		"v=spf1 mx/024 -all",                                 /* no leading zero */
		"v=spf1 ip4:192.0.2.0/024 -all",
		"v=spf1 a//64/24 -all",                               /* IPv4 length first */
		"v=spf1 ip6:2001:db8::/129 -all",
		"v=spf1 exp= -all",                                   /* empty domain-spec */
		"v=spf1 redirect=",
		"v=spf1 exp=%{t}.example.com -all",                   /* c, r, t: only in the explanation TXT */
	};
	char why[200];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = 0;
		ck_assert_msg(spf_guard(bad[i], why, sizeof(why)) < 0, "%s accepted", bad[i]);
		ck_assert_msg(why[0] != 0, "%s: no reason", bad[i]);
	}
}
END_TEST

START_TEST(oversized_records_and_terms_are_refused)
{
	char rec[4096], why[200];
	size_t n;
	int i;

	n = (size_t)snprintf(rec, sizeof(rec), "v=spf1 a:");
	memset(rec + n, 'a', 300);
	strcpy(rec + n + 300, ".example.com -all");
	ck_assert_int_lt(spf_guard(rec, why, sizeof(why)), 0);            /* a 300-byte term */
	n = (size_t)snprintf(rec, sizeof(rec), "v=spf1");
	for (i = 0; i < 41; i++)
		n += (size_t)snprintf(rec + n, sizeof(rec) - n, " ip4:192.0.2.%d", i);
	ck_assert_int_lt(spf_guard(rec, why, sizeof(why)), 0);            /* 41 terms */
	ck_assert_ptr_nonnull(strstr(why, "terms"));
	memset(rec, ' ', sizeof(rec) - 1);
	memcpy(rec, "v=spf1", 6);
	rec[sizeof(rec) - 1] = 0;
	ck_assert_int_lt(spf_guard(rec, why, sizeof(why)), 0);            /* 4 KB */
}
END_TEST

START_TEST(result_names_are_spec_words)
{
	ck_assert_str_eq(spf_res_name(SPF_R_PASS), "pass");
	ck_assert_str_eq(spf_res_name(SPF_R_SOFTFAIL), "softfail");
	ck_assert_str_eq(spf_res_name(SPF_R_PERMERROR), "permerror");
	ck_assert_str_eq(spf_res_name(SPF_R_TEMPERROR), "temperror");
}
END_TEST

START_TEST(received_spf_of_a_guard_error_has_no_raw_control_byte)
{
	struct spf_result r;
	char why[160], helo[300];
	size_t i;

	memset(&r, 0, sizeof(r));
	r.res = SPF_R_PERMERROR;
	ck_assert_int_eq(spf_guard("v=spf1 frob\001nic\177\033[2J:x -all", why, sizeof(why)), -1);
	memset(helo, 'h', sizeof(helo));
	helo[0] = '\r';
	helo[sizeof(helo) - 1] = 0;
	spf_error_header(&r, "mx.example.com", why, "192.0.2.1", helo);
	for (i = 0; r.header[i]; i++)
		ck_assert_msg((unsigned char)r.header[i] >= 0x20 && (unsigned char)r.header[i] < 0x7f,
		    "byte 0x%02x at %zu: %s", (unsigned char)r.header[i], i, r.header);
	ck_assert_ptr_nonnull(strstr(r.header, "permerror (mx.example.com: unknown mechanism in "
	    "\\x22frob\\x01nic\\x7f\\x1b[2J:x"));
	ck_assert_ptr_nonnull(strstr(r.header, ") client-ip=192.0.2.1; helo=\\x0dhhh"));
	ck_assert_uint_eq(strlen(strstr(r.header, "helo=")), 5 + 4 + 99 + 1);   /* 100 bytes of HELO */
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("spf");
	TCase *t = tcase_create("spf");

	tcase_add_test(t, nul_in_a_record_is_refused_by_the_guard);
	tcase_add_test(t, real_world_records_pass);
	tcase_add_test(t, hostile_and_malformed_records_are_refused);
	tcase_add_test(t, oversized_records_and_terms_are_refused);
	tcase_add_test(t, result_names_are_spec_words);
	tcase_add_test(t, dns_replies_are_parsed_and_bad_ones_refused);
	tcase_add_test(t, exp_text_from_dns_never_reaches_libspf2);
	tcase_add_test(t, sender_is_up_to_the_last_bracket_and_domain_after_the_last_at);
	tcase_add_test(t, received_spf_of_a_guard_error_has_no_raw_control_byte);
	suite_add_tcase(s, t);
	return s;
}

UNIT_MAIN(suite)
