/* test_textfile.c - bounded line reading and splitting (textfile.c) */
#include "autoconf.h"
#include <errno.h>
#include "textfile.h"
#include "unit.h"

/* open_text - a file holding exactly len bytes of text, opened */
static void
open_text(struct tf *t, const char *text, size_t len)
{
	ck_assert_int_eq(tf_open(t, unit_write("f", text, len)), 0);
}
#define OPEN_TEXT(t, lit) open_text((t), (lit), sizeof(lit) - 1)

START_TEST(lines_come_numbered_without_newline_or_cr)
{
	struct tf t;
	char buf[32];
	const char *bad;

	OPEN_TEXT(&t, "one\r\ntwo\n\nlast without newline");
	ck_assert_int_eq(tf_next(&t, buf, sizeof(buf), &bad), 1);
	ck_assert_ptr_null(bad);
	ck_assert_str_eq(buf, "one");
	ck_assert_uint_eq(t.line, 1);
	ck_assert_int_eq(tf_next(&t, buf, sizeof(buf), &bad), 1);
	ck_assert_str_eq(buf, "two");
	ck_assert_int_eq(tf_next(&t, buf, sizeof(buf), &bad), 1);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(tf_next(&t, buf, sizeof(buf), &bad), 1);
	ck_assert_str_eq(buf, "last without newline");
	ck_assert_uint_eq(t.line, 4);
	ck_assert_int_eq(tf_next(&t, buf, sizeof(buf), &bad), 0);
	tf_close(&t);
	tf_close(&t);        /* twice is harmless */
}
END_TEST

START_TEST(a_long_line_is_consumed_whole_and_reported)
{
	struct tf t;
	char buf[8];
	const char *bad;

	OPEN_TEXT(&t, "1234567\n12345678 and more\nnext\n");
	ck_assert_int_eq(tf_next(&t, buf, sizeof(buf), &bad), 1);
	ck_assert_ptr_null(bad);
	ck_assert_str_eq(buf, "1234567");            /* fills the buffer exactly */
	ck_assert_int_eq(tf_next(&t, buf, sizeof(buf), &bad), 1);
	ck_assert_str_eq(bad, "line too long");
	ck_assert_str_eq(buf, "");
	ck_assert_uint_eq(t.line, 2);
	ck_assert_int_eq(tf_next(&t, buf, sizeof(buf), &bad), 1);
	ck_assert_ptr_null(bad);
	ck_assert_str_eq(buf, "next");               /* the rest of line 2 is gone */
	ck_assert_uint_eq(t.line, 3);
	tf_close(&t);
}
END_TEST

START_TEST(a_nul_byte_makes_a_bad_line)
{
	struct tf t;
	char buf[32];
	const char *bad;

	OPEN_TEXT(&t, "a\0b\nok\n\0");
	ck_assert_int_eq(tf_next(&t, buf, sizeof(buf), &bad), 1);
	ck_assert_str_eq(bad, "NUL byte in line");
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(tf_next(&t, buf, sizeof(buf), &bad), 1);
	ck_assert_str_eq(buf, "ok");
	ck_assert_int_eq(tf_next(&t, buf, sizeof(buf), &bad), 1);   /* a lone NUL at the end */
	ck_assert_str_eq(bad, "NUL byte in line");
	ck_assert_uint_eq(t.line, 3);
	ck_assert_int_eq(tf_next(&t, buf, sizeof(buf), &bad), 0);
	tf_close(&t);
}
END_TEST

START_TEST(a_missing_file_fails_with_errno)
{
	struct tf t;

	errno = 0;
	ck_assert_int_eq(tf_open(&t, unit_path("absent")), -1);
	ck_assert_int_eq(errno, ENOENT);
	tf_close(&t);
}
END_TEST

START_TEST(comments_start_a_line_or_follow_white_space)
{
	char a[] = "# all comment", b[] = "Key value # note", c[] = "Key a#b", d[] = "Key\t#tab";

	ck_assert_str_eq(tf_uncomment(a), "");
	ck_assert_str_eq(tf_uncomment(b), "Key value ");
	ck_assert_str_eq(tf_uncomment(c), "Key a#b");
	ck_assert_str_eq(tf_uncomment(d), "Key\t");
}
END_TEST

START_TEST(tokens_split_on_white_space_items_also_on_commas)
{
	char line[] = "  DNSBL bl.test*2,  bad.test ,wl.test\t";
	char *cur = line, *w;

	ck_assert_str_eq(tf_token(&cur), "DNSBL");
	ck_assert_str_eq(tf_item(&cur), "bl.test*2");
	ck_assert_str_eq(tf_item(&cur), "bad.test");
	ck_assert_str_eq(tf_item(&cur), "wl.test");
	ck_assert_ptr_null(tf_item(&cur));
	ck_assert_ptr_null(tf_token(&cur));

	char words[] = "a,b c";
	cur = words;
	w = tf_token(&cur);
	ck_assert_str_eq(w, "a,b");                  /* a token keeps its commas */
	ck_assert_str_eq(tf_token(&cur), "c");
	ck_assert_ptr_null(tf_token(&cur));
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("textfile");
	TCase *t = tcase_create("textfile");

	tcase_add_test(t, lines_come_numbered_without_newline_or_cr);
	tcase_add_test(t, a_long_line_is_consumed_whole_and_reported);
	tcase_add_test(t, a_nul_byte_makes_a_bad_line);
	tcase_add_test(t, a_missing_file_fails_with_errno);
	tcase_add_test(t, comments_start_a_line_or_follow_white_space);
	tcase_add_test(t, tokens_split_on_white_space_items_also_on_commas);
	suite_add_tcase(s, t);
	return s;
}

UNIT_MAIN(suite)
