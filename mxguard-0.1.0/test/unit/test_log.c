/* test_log.c - hostile values stay inside one bounded, parseable log line */
#include "autoconf.h"
#include "log.h"
#include "unit.h"

START_TEST(plain_value_is_unquoted)
{
	char out[64];

	log_quote(out, sizeof(out), "mx.example.net");
	ck_assert_str_eq(out, "mx.example.net");
}
END_TEST

START_TEST(space_quote_and_control_bytes_are_quoted_and_escaped)
{
	char out[128];

	log_quote(out, sizeof(out), "a b\"c\r\nd\\");
	ck_assert_str_eq(out, "\"a b\\x22c\\x0d\\x0ad\\x5c\"");
	log_quote(out, sizeof(out), "");
	ck_assert_str_eq(out, "\"\"");
	log_quote(out, sizeof(out), "caf\xc3\xa9");
	ck_assert_str_eq(out, "\"caf\\xc3\\xa9\"");
}
END_TEST

START_TEST(huge_value_is_cut_with_ellipsis)
{
	char big[5000], out[1024];
	size_t n;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	n = log_quote(out, sizeof(out), big);
	ck_assert_uint_eq(n, MXG_LOGVAL_MAX + 3);
	ck_assert_str_eq(out + MXG_LOGVAL_MAX, "...");
}
END_TEST

START_TEST(small_buffer_never_overflows)
{
	char out[16];

	memset(out, 'Z', sizeof(out));
	log_quote(out, 12, "\x01\x02\x03\x04\x05\x06");
	ck_assert_ptr_nonnull(memchr(out, 0, 12));
	ck_assert_int_eq(out[12], 'Z');
}
END_TEST

START_TEST(line_is_bounded_and_keeps_qid_first)
{
	struct logline l;
	char big[4000];
	int i;

	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	ll_init(&l, "4F2A81C3A");
	ll_add(&l, "action", "accept");
	for (i = 0; i < 40; i++)
		ll_add(&l, "helo", big);
	ck_assert_uint_lt(l.len, sizeof(l.buf));
	ck_assert_uint_eq(strlen(l.buf), l.len);
	ck_assert_int_eq(strncmp(l.buf, "4F2A81C3A: action=accept helo=", 30), 0);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("log");
	TCase *t = tcase_create("log");

	tcase_add_test(t, plain_value_is_unquoted);
	tcase_add_test(t, space_quote_and_control_bytes_are_quoted_and_escaped);
	tcase_add_test(t, huge_value_is_cut_with_ellipsis);
	tcase_add_test(t, small_buffer_never_overflows);
	tcase_add_test(t, line_is_bounded_and_keeps_qid_first);
	suite_add_tcase(s, t);
	return s;
}

UNIT_MAIN(suite)
