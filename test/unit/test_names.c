/* test_names.c - host names: syntax, canonical form, equality, DNS-askable, below a domain */
#include "autoconf.h"
#include "names.h"
#include "unit.h"

START_TEST(valid_names_are_labels_of_letters_digits_hyphen_underscore)
{
	char l63[64], l64[65], long254[260];

	memset(l63, 'a', 63), l63[63] = 0;
	memset(l64, 'a', 64), l64[64] = 0;
	ck_assert_int_eq(name_valid("mx1.example.com"), 1);
	ck_assert_int_eq(name_valid("_dmarc.Ex-ample.COM"), 1);
	ck_assert_int_eq(name_valid("localhost"), 1);
	ck_assert_int_eq(name_valid(l63), 1);
	ck_assert_int_eq(name_valid(l64), 0);
	ck_assert_int_eq(name_valid(""), 0);
	ck_assert_int_eq(name_valid("example.com."), 0);     /* trailing dot: canon drops it */
	ck_assert_int_eq(name_valid(".example.com"), 0);
	ck_assert_int_eq(name_valid("a..b"), 0);
	ck_assert_int_eq(name_valid("a b.com"), 0);
	ck_assert_int_eq(name_valid("a*.com"), 0);
	/* 253 bytes in labels of 3 + dots: valid; 254: not */
	memset(long254, 'a', 253), long254[253] = 0;
	for (int i = 3; i < 253; i += 4)
		long254[i] = '.';
	ck_assert_int_eq(name_valid(long254), 1);
	long254[253] = 'a', long254[254] = 0;
	ck_assert_int_eq(name_valid(long254), 0);
}
END_TEST

START_TEST(canon_lowers_and_drops_one_trailing_dot)
{
	char out[16];

	ck_assert_int_eq(name_canon("MX.Example.COM.", out, sizeof(out)), 14);
	ck_assert_str_eq(out, "mx.example.com");
	ck_assert_int_eq(name_canon("a.b..", out, sizeof(out)), -1);
	ck_assert_int_eq(name_canon(".", out, sizeof(out)), -1);
	ck_assert_int_eq(name_canon("", out, sizeof(out)), -1);
	ck_assert_int_eq(name_canon("a-very-long.example", out, sizeof(out)), -1);   /* does not fit */
	ck_assert_int_eq(name_canon("bad name", out, sizeof(out)), -1);
}
END_TEST

START_TEST(names_compare_without_case_or_trailing_dot)
{
	ck_assert_int_eq(name_equal("MX1.Example.COM.", "mx1.example.com"), 1);
	ck_assert_int_eq(name_equal("mx1.example.com", "mx1.example.com."), 1);
	ck_assert_int_eq(name_equal("mx1.example.com", "mx1.example.co"), 0);
	ck_assert_int_eq(name_equal("", ""), 0);
	ck_assert_int_eq(name_equal(".", ""), 0);
}
END_TEST

START_TEST(dns_ok_refuses_empty_and_long_labels_only)
{
	char l64[70], long254[260];

	memset(l64, 'a', 64), l64[64] = 0;
	memset(long254, 'a', 254), long254[254] = 0;
	for (int i = 3; i < 254; i += 4)
		long254[i] = '.';
	ck_assert_int_eq(name_dns_ok("example.com"), 1);
	ck_assert_int_eq(name_dns_ok("example.com."), 1);
	ck_assert_int_eq(name_dns_ok("any bytes*.example"), 1);   /* SPF domain-spec: not host syntax */
	ck_assert_int_eq(name_dns_ok("example.com.."), 0);
	ck_assert_int_eq(name_dns_ok("a..b"), 0);
	ck_assert_int_eq(name_dns_ok(".a"), 0);
	ck_assert_int_eq(name_dns_ok("."), 0);
	ck_assert_int_eq(name_dns_ok(""), 0);
	ck_assert_int_eq(name_dns_ok(l64), 0);
	ck_assert_int_eq(name_dns_ok(long254), 0);
	long254[253] = 0;
	ck_assert_int_eq(name_dns_ok(long254), 1);
}
END_TEST

START_TEST(under_is_the_domain_or_below_it_at_a_label_boundary)
{
	ck_assert_int_eq(name_under("mail.Example.com", "example.com"), 1);
	ck_assert_int_eq(name_under("example.com", "EXAMPLE.com."), 1);
	ck_assert_int_eq(name_under("badexample.com", "example.com"), 0);
	ck_assert_int_eq(name_under("com", "example.com"), 0);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("names");
	TCase *t = tcase_create("names");

	tcase_add_test(t, valid_names_are_labels_of_letters_digits_hyphen_underscore);
	tcase_add_test(t, canon_lowers_and_drops_one_trailing_dot);
	tcase_add_test(t, names_compare_without_case_or_trailing_dot);
	tcase_add_test(t, dns_ok_refuses_empty_and_long_labels_only);
	tcase_add_test(t, under_is_the_domain_or_below_it_at_a_label_boundary);
	suite_add_tcase(s, t);
	return s;
}

UNIT_MAIN(suite)
