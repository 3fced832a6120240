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

	log_open("test", 0, 0, 0);
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	ll_init(&l, "4F2A81C3A");
	ll_add(&l, "action", "accept");
	for (i = 0; i < 40; i++)
		ll_add(&l, "helo", big);
	ll_emit(&l, LOG_INFO);
	ck_assert_uint_lt(l.len, sizeof(l.buf));
	ck_assert_uint_eq(strlen(l.buf), l.len);
	ck_assert_int_eq(strncmp(l.buf, "4F2A81C3A: action=accept helo=", 30), 0);
}
END_TEST

/* token - the value written for the n-th (from 0) occurrence of key in a
 * line, into out; 0 when the key is not there as a word of its own */
static int
token(const char *line, const char *key, int n, char *out, size_t size)
{
	char pat[64];
	const char *p = line, *e;
	size_t klen;

	snprintf(pat, sizeof(pat), " %s=", key);
	klen = strlen(pat);
	for (;;) {
		if ((p = strstr(p, pat)) == NULL)
			return 0;
		if (n-- == 0)
			break;
		p += klen;
	}
	p += klen;
	if (*p == '"') {
		if ((e = strchr(p + 1, '"')) == NULL)
			return 0;          /* cut inside its quotes */
		e++;
	} else
		e = p + strcspn(p, " ");
	if ((size_t)(e - p) >= size)
		return 0;
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = 0;
	return 1;
}

/* the keys of a monitor-mode decision line in the order sess_log_verdict
 * adds them; the long ones get 200 control bytes (800 bytes escaped) */
static const struct {
	const char *key;
	int big;
} verdict_keys[] = {
	{"action", 0}, {"reason", 0}, {"client", 0}, {"name", 1}, {"origin", 1},
	{"helo", 1}, {"from", 1}, {"rcpt", 1}, {"received", 0}, {"passes", 0},
	{"detail", 1}, {"spf", 0}, {"spfdomain", 1}, {"spfwhy", 1}, {"score", 0},
	{"zones", 1}, {"dnserrors", 1}, {"mode", 0},
};

static const char *
verdict_value(const char *key)
{
	if (strcmp(key, "action") == 0)
		return "reject";
	if (strcmp(key, "reason") == 0)
		return "dnsbl";
	if (strcmp(key, "client") == 0)
		return "192.0.2.99";
	if (strcmp(key, "score") == 0)
		return "3";
	if (strcmp(key, "mode") == 0)
		return "monitor";
	if (strcmp(key, "spf") == 0)
		return "permerror";
	return "7";
}

START_TEST(ten_huge_values_keep_every_key_and_classifying_keys_first)
{
	struct logline l;
	char big[MXG_LOGVAL_MAX + 1], v[MXG_LOGLINE_MAX];
	const char *p, *lead = "4F2A81C3A: action=reject reason=dnsbl mode=monitor "
	    "client=192.0.2.99 score=3 name=\"\\x01";
	size_t i, nbig = 0;

	log_open("test", 0, 0, 0);
	memset(big, 0x01, MXG_LOGVAL_MAX);        /* each byte escapes to \x01 */
	big[MXG_LOGVAL_MAX] = 0;
	ll_init(&l, "4F2A81C3A");
	for (i = 0; i < sizeof(verdict_keys) / sizeof(verdict_keys[0]); i++) {
		ll_add(&l, verdict_keys[i].key,
		    verdict_keys[i].big ? big : verdict_value(verdict_keys[i].key));
		nbig += verdict_keys[i].big;
	}
	ck_assert_uint_eq(nbig, 10);
	ll_emit(&l, LOG_INFO);
	ck_assert_uint_eq(strlen(l.buf), l.len);
	ck_assert_uint_le(l.len, MXG_LOGLINE_MAX - 1);
	for (i = 0; i < sizeof(verdict_keys) / sizeof(verdict_keys[0]); i++)
		ck_assert_msg(token(l.buf, verdict_keys[i].key, 0, v, sizeof(v)),
		    "key %s missing from the line", verdict_keys[i].key);
	/* every key is there once, the long values shortened with the
	 * marker and in the order they were added, the short ones whole */
	p = l.buf;
	for (i = 0; i < sizeof(verdict_keys) / sizeof(verdict_keys[0]); i++) {
		const char *key = verdict_keys[i].key;
		char word[64];

		ck_assert_msg(token(l.buf, key, 0, v, sizeof(v)), "key %s missing: %s", key, l.buf);
		ck_assert_msg(!token(l.buf, key, 1, word, sizeof(word)), "key %s twice", key);
		if (!verdict_keys[i].big) {
			ck_assert_str_eq(v, verdict_value(key));
			continue;
		}
		snprintf(word, sizeof(word), " %s=", key);
		ck_assert_msg(strstr(l.buf, word) > p, "key %s out of order: %s", key, l.buf);
		p = strstr(l.buf, word);
		ck_assert_uint_gt(strlen(v), 8);
		ck_assert_int_eq(strncmp(v, "\"\\x01", 5), 0);
		ck_assert_str_eq(v + strlen(v) - 4, "...\"");
	}
	/* what classifies the line leads it, whole */
	ck_assert_msg(strncmp(l.buf, lead, strlen(lead)) == 0, "line starts: %.100s", l.buf);
}
END_TEST

START_TEST(short_line_is_written_whole_classifying_keys_first)
{
	struct logline l;

	log_open("test", 0, 0, 0);
	ll_init(&l, "7B1C2D3E4");
	ll_add(&l, "action", "accept");
	ll_add(&l, "reason", "clean");
	ll_add(&l, "client", "198.51.100.7");
	ll_add(&l, "name", "mail.example.org");
	ll_add(&l, "helo", "a b");
	ll_add(&l, "from", "<b@example.org>");
	ll_add(&l, "rcpt", "<u@example.com>");
	ll_addf(&l, "nrcpt", "%u", 2u);
	ll_addf(&l, "score", "%d", 0);
	ll_add(&l, "zones", "");
	ll_emit(&l, LOG_INFO);
	ck_assert_str_eq(l.buf, "7B1C2D3E4: action=accept reason=clean client=198.51.100.7 score=0 "
	    "name=mail.example.org helo=\"a b\" from=<b@example.org> rcpt=<u@example.com> nrcpt=2 zones=\"\"");
	ck_assert_uint_eq(l.len, strlen(l.buf));
}
END_TEST

/* fill - n bytes of c, NUL-terminated, in a static buffer of its own */
static const char *
fill(int which, size_t n, char c)
{
	static char b[4][MXG_LOGVAL_MAX + 8];

	memset(b[which], c, n);
	b[which][n] = 0;
	return b[which];
}

START_TEST(line_that_fits_exactly_is_not_shortened)
{
	struct logline l;
	size_t fixed, i;

	log_open("test", 0, 0, 0);
	/* "action=reject" (13) + 10 x " kN=" (4) + value: 2047 bytes when the
	 * ten values hold 1994 bytes: nine of 199 and one of 203 */
	fixed = strlen("action=reject") + 10 * 4;
	ck_assert_uint_eq(MXG_LOGLINE_MAX - 1 - fixed, 1994);
	ll_init(&l, NULL);
	ll_add(&l, "action", "reject");
	for (i = 0; i < 9; i++) {
		char k[4] = {'k', (char)('0' + i), 0};

		ll_add(&l, k, fill(0, 199, 'a'));
	}
	ll_add(&l, "k9", fill(1, 200, 'b'));     /* 200 is whole: no cut */
	ll_emit(&l, LOG_INFO);
	/* 9 x 199 + 200 = 1991: three bytes to spare */
	ck_assert_uint_eq(l.len, MXG_LOGLINE_MAX - 1 - 3);
	ck_assert_ptr_null(strstr(l.buf, "..."));
	ll_init(&l, NULL);
	ll_add(&l, "action", "reject");
	for (i = 0; i < 9; i++) {
		char k[4] = {'k', (char)('0' + i), 0};

		ll_add(&l, k, fill(0, 199, 'a'));
	}
	ll_add(&l, "k9", fill(1, 203, 'b'));     /* cut at 200: 203 bytes written */
	ll_emit(&l, LOG_INFO);
	ck_assert_uint_eq(l.len, MXG_LOGLINE_MAX - 1);
	ck_assert_ptr_null(strstr(l.buf, "a..."));
	ck_assert_str_eq(l.buf + l.len - 4, "b...");
	/* one byte more: the longest value gives it up, still with the marker */
	ll_init(&l, NULL);
	ll_add(&l, "action", "reject");
	for (i = 0; i < 9; i++) {
		char k[4] = {'k', (char)('0' + i), 0};

		ll_add(&l, k, fill(0, 199, 'a'));
	}
	ll_add(&l, "k9", fill(1, 203, 'b'));
	ll_add(&l, "x", "");
	ll_emit(&l, LOG_INFO);
	ck_assert_uint_le(l.len, MXG_LOGLINE_MAX - 1);
	ck_assert_str_eq(l.buf + l.len - 4, "x=\"\"");
	ck_assert_ptr_nonnull(strstr(l.buf, "b... x=\"\""));
}
END_TEST

START_TEST(longest_values_are_shortened_first)
{
	struct logline l;
	char v[MXG_LOGLINE_MAX];
	int i;

	log_open("test", 0, 0, 0);
	ll_init(&l, NULL);
	ll_add(&l, "action", "tag");
	for (i = 0; i < 10; i++)
		ll_add(&l, "short", fill(0, 150, 's'));
	ll_add(&l, "long", fill(1, 200, '"'));   /* 800 bytes escaped */
	ll_add(&l, "after", "1");
	ll_emit(&l, LOG_INFO);
	ck_assert_uint_le(l.len, MXG_LOGLINE_MAX - 1);
	for (i = 0; i < 10; i++) {
		ck_assert(token(l.buf, "short", i, v, sizeof(v)));
		ck_assert_str_eq(v, fill(0, 150, 's'));
	}
	ck_assert(token(l.buf, "long", 0, v, sizeof(v)));
	ck_assert_uint_lt(strlen(v), 800);
	ck_assert_int_eq(strncmp(v, "\"\\x22\\x22", 9), 0);
	ck_assert_str_eq(v + strlen(v) - 4, "...\"");
	/* never half an escape before the marker */
	ck_assert_int_eq((int)((strlen(v) - 5) % 4), 0);
	ck_assert(token(l.buf, "after", 0, v, sizeof(v)));
	ck_assert_str_eq(v, "1");
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
	tcase_add_test(t, ten_huge_values_keep_every_key_and_classifying_keys_first);
	tcase_add_test(t, short_line_is_written_whole_classifying_keys_first);
	tcase_add_test(t, line_that_fits_exactly_is_not_shortened);
	tcase_add_test(t, longest_values_are_shortened_first);
	suite_add_tcase(s, t);
	return s;
}

UNIT_MAIN(suite)
