/* test_str.c - the bounded string: cut at its maximum and say so; quote as the log does */
#include "autoconf.h"
#include "log.h"
#include "str.h"
#include "unit.h"

START_TEST(quote_writes_what_log_quote_writes)
{
	static const char *const vals[] = {
		"", "plain", "two words", "ctl\001\r\n\x7f", "q\"uote", "back\\slash", "\xc3\xa9t\xc3\xa9",
		"evil\"\r\n\\ \001evil", "=", "a=b,c:d"
	};
	char want[MXG_LOGVAL_MAX * 4 + 8], big[400];
	struct str s;
	size_t i, n;

	str_init(&s, 4096);
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]) + 4; i++) {
		const char *v = i < sizeof(vals) / sizeof(vals[0]) ? vals[i] : big;

		if (v == big) {           /* 199, 200, 201 and 399 bytes, the last with a space */
			n = (size_t[]){ 199, 200, 201, 399 }[i - sizeof(vals) / sizeof(vals[0])];
			memset(big, 'x', n);
			big[n] = 0;
			if (n == 399)
				big[150] = ' ';
		}
		log_quote(want, sizeof(want), v);
		str_reset(&s);
		str_quote(&s, v);
		ck_assert_str_eq(str_text(&s), want);
		ck_assert_int_eq(s.truncated, 0);
	}
	str_free(&s);
}
END_TEST

START_TEST(escape_uses_the_same_escapes_but_no_quotes)
{
	struct str s;

	str_init(&s, 100);
	str_escape(&s, "loop: Delivered-To <a\"b\001@example.com>");
	ck_assert_str_eq(str_text(&s), "loop: Delivered-To <a\\x22b\\x01@example.com>");
	str_free(&s);
}
END_TEST

START_TEST(escape_comment_also_escapes_what_ends_a_header_comment)
{
	/* review: DNS text in Received-SPF's comment could close it and add
	 * fields of the sender's choosing ("x) client-ip=...;") */
	struct str s;

	str_init(&s, 200);
	str_escape_comment(&s, ")identity=helo;client-ip=192.0.2.1;x=(");
	ck_assert_str_eq(str_text(&s), "\\x29identity=helo\\x3bclient-ip=192.0.2.1\\x3bx=\\x28");
	str_reset(&s);
	str_escape(&s, "a(b);c");                 /* the log's escape leaves them */
	ck_assert_str_eq(str_text(&s), "a(b);c");
	str_free(&s);
}
END_TEST

START_TEST(text_past_the_maximum_is_cut_and_marked)
{
	struct str s;

	str_init(&s, 10);
	ck_assert_str_eq(str_text(&s), "");
	str_cat(&s, "0123456");
	ck_assert_int_eq(s.truncated, 0);
	str_catf(&s, "%s-%d", "abc", 42);
	ck_assert_str_eq(str_text(&s), "0123456abc");
	ck_assert_uint_eq(s.len, 10);
	ck_assert_int_eq(s.truncated, 1);
	str_cat(&s, "more");
	ck_assert_str_eq(str_text(&s), "0123456abc");
	str_reset(&s);
	ck_assert_int_eq(s.truncated, 0);
	str_quote(&s, "a b c d e f g");
	ck_assert_str_eq(str_text(&s), "\"a b c d e");
	ck_assert_int_eq(s.truncated, 1);
	str_free(&s);
	ck_assert_ptr_null(s.buf);
	ck_assert_uint_eq(s.max, 10);
}
END_TEST

START_TEST(grows_past_its_first_block)
{
	struct str s;
	size_t i;

	str_init(&s, 100000);
	for (i = 0; i < 10000; i++)
		str_catf(&s, "%zu,", i % 10);
	ck_assert_uint_eq(s.len, 20000);
	ck_assert_uint_eq(strlen(str_text(&s)), 20000);
	ck_assert_int_eq(s.truncated, 0);
	str_free(&s);
}
END_TEST

START_TEST(copy_into_a_fixed_array_is_bounded)
{
	char b[5];

	ck_assert_uint_eq(str_copy(b, sizeof(b), "abcdefgh"), 4);
	ck_assert_str_eq(b, "abcd");
	ck_assert_uint_eq(str_copy(b, sizeof(b), NULL), 0);
	ck_assert_str_eq(b, "");
	ck_assert_uint_eq(str_copy(b, sizeof(b), "ab"), 2);
	ck_assert_str_eq(b, "ab");
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("str");
	TCase *t = tcase_create("str");

	tcase_add_test(t, quote_writes_what_log_quote_writes);
	tcase_add_test(t, escape_uses_the_same_escapes_but_no_quotes);
	tcase_add_test(t, text_past_the_maximum_is_cut_and_marked);
	tcase_add_test(t, grows_past_its_first_block);
	tcase_add_test(t, copy_into_a_fixed_array_is_bounded);
	tcase_add_test(t, escape_comment_also_escapes_what_ends_a_header_comment);
	suite_add_tcase(s, t);
	return s;
}

UNIT_MAIN(suite)
