/* test_spf.c - the SPF record guard: real records pass, hostile ones never reach libspf2 */
#include "autoconf.h"
#include "spf.h"
#include "unit.h"

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

static Suite *
suite(void)
{
	Suite *s = suite_create("spf");
	TCase *t = tcase_create("spf");

	tcase_add_test(t, real_world_records_pass);
	tcase_add_test(t, hostile_and_malformed_records_are_refused);
	tcase_add_test(t, oversized_records_and_terms_are_refused);
	tcase_add_test(t, result_names_are_spec_words);
	suite_add_tcase(s, t);
	return s;
}

UNIT_MAIN(suite)
