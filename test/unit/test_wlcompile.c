/* test_wlcompile.c - whitelist source keys, problems as FILE:LINE, atomic output (wlcompile.c) */
#include "autoconf.h"
#include <sys/stat.h>
#include "mxguard.h"
#include "unit.h"
#include "whitelist.h"
#include "wlcompile.h"

static char errtext[16384];

/* compile - text into SRC, compiled to SRC.cdb; returns the problems, errtext their lines */
static int
compile(const char *name, const char *text, int check_only)
{
	char src[256], out[300];
	FILE *ef = fmemopen(errtext, sizeof(errtext), "w");
	int r;

	ck_assert_ptr_nonnull(ef);
	snprintf(src, sizeof(src), "%s", unit_write(name, text, strlen(text)));
	snprintf(out, sizeof(out), "%s.cdb", src);
	r = wlc_compile(src, out, check_only, ef);
	fclose(ef);
	return r;
}

/* key - wlc_parse_key's slot for word, its canonical text in canon */
static int
key(const char *word, char *canon, const char **why)
{
	unsigned char k[WL_KEY_MAX];
	size_t klen = 0;

	*why = NULL;
	return wlc_parse_key(word, k, &klen, canon, MXG_ENTRY_MAX, why);
}

START_TEST(keys_are_networks_hosts_or_domains)
{
	char canon[MXG_ENTRY_MAX];
	const char *why;

	ck_assert_int_eq(key("192.0.2.0/24", canon, &why), 24);
	ck_assert_str_eq(canon, "192.0.2.0/24");
	ck_assert_int_eq(key("192.0.2.25", canon, &why), 32);
	ck_assert_str_eq(canon, "192.0.2.25");
	ck_assert_int_eq(key("2001:DB8::/32", canon, &why), 32);
	ck_assert_str_eq(canon, "2001:db8::/32");
	ck_assert_int_eq(key("::ffff:192.0.2.1", canon, &why), 32);
	ck_assert_str_eq(canon, "192.0.2.1");
	ck_assert_int_eq(key("MX2.Example.NET.", canon, &why), -1);
	ck_assert_str_eq(canon, "mx2.example.net");
	ck_assert_int_eq(key(".Example.ORG", canon, &why), -1);
	ck_assert_str_eq(canon, ".example.org");
}
END_TEST

START_TEST(bad_keys_say_why)
{
	char canon[MXG_ENTRY_MAX];
	const char *why;

	ck_assert_int_eq(key("192.0.2.1/24", canon, &why), -2);
	ck_assert_str_eq(why, "host bits set after the prefix length");
	ck_assert_int_eq(key("192.0.2", canon, &why), -2);        /* digits and dots: meant as an address */
	ck_assert_str_eq(why, "not an IP address or network");
	ck_assert_int_eq(key("..example.org", canon, &why), -2);
	ck_assert_str_eq(why, "bad domain (expected .example.org)");
	ck_assert_int_eq(key("bad_name!", canon, &why), -2);
	ck_assert_str_eq(why, "not an IP address, network or host name");
}
END_TEST

START_TEST(problems_are_reported_as_file_line_and_nothing_is_written)
{
	struct stat sb;
	char want[512];
	const char *src = unit_path("bad");

	ck_assert_int_eq(compile("bad", "# peers\n192.0.2.1 OK\n192.0.2.1 RELAY\nmx.example.net MAYBE\n"
	    "192.0.2.0/24\n192.0.2.9 OK extra\n", 0), 4);
	snprintf(want, sizeof(want), "%s:3: duplicate entry for 192.0.2.1\n"
	    "%s:4: unknown value \"MAYBE\" (expected OK or RELAY)\n"
	    "%s:5: \"192.0.2.0/24\": missing value (OK or RELAY)\n"
	    "%s:6: \"192.0.2.9\": unexpected text after the value\n", src, src, src, src);
	ck_assert_str_eq(errtext, want);
	snprintf(want, sizeof(want), "%s.cdb", src);
	ck_assert_int_eq(stat(want, &sb), -1);
}
END_TEST

START_TEST(a_failed_compile_keeps_the_old_file)
{
	char out[300], err[256];
	struct wl *wl;
	struct addr a;
	struct wl_entry e;

	ck_assert_int_eq(compile("keep", "192.0.2.0/24 OK\n", 0), 0);
	ck_assert_str_eq(errtext, "");
	ck_assert_int_eq(compile("keep", "192.0.2.0/24 OK\nnot/a/key OK\n", 0), 1);
	snprintf(out, sizeof(out), "%s.cdb", unit_path("keep"));
	wl = wl_open(out, err, sizeof(err));
	ck_assert_msg(wl != NULL, "%s", err);
	ck_assert_int_eq(addr_parse("192.0.2.77", &a), 0);
	ck_assert_int_eq(wl_match_addr(wl, &a, &e), 1);
	ck_assert_str_eq(e.text, "192.0.2.0/24");
	wl_close(wl);
}
END_TEST

START_TEST(check_only_writes_nothing)
{
	struct stat sb;
	char out[300];

	ck_assert_int_eq(compile("check", "192.0.2.0/24 OK\n", 1), 0);
	snprintf(out, sizeof(out), "%s.cdb", unit_path("check"));
	ck_assert_int_eq(stat(out, &sb), -1);
}
END_TEST

START_TEST(problems_shown_are_capped)
{
	char text[8192] = "", *p = text;
	int i, lines = 0;

	for (i = 0; i < MXG_ERRS_MAX + 10; i++)
		p += snprintf(p, sizeof(text) - (size_t)(p - text), "bad%d! OK\n", i);
	ck_assert_int_eq(compile("many", text, 1), MXG_ERRS_MAX + 10);
	for (p = errtext; *p; p++)
		lines += *p == '\n';
	ck_assert_int_eq(lines, MXG_ERRS_MAX + 1);
	ck_assert_ptr_nonnull(strstr(errtext, "60 problems in all, only the first 50 shown"));
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("wlcompile");
	TCase *t = tcase_create("wlcompile");

	tcase_add_test(t, keys_are_networks_hosts_or_domains);
	tcase_add_test(t, bad_keys_say_why);
	tcase_add_test(t, problems_are_reported_as_file_line_and_nothing_is_written);
	tcase_add_test(t, a_failed_compile_keeps_the_old_file);
	tcase_add_test(t, check_only_writes_nothing);
	tcase_add_test(t, problems_shown_are_capped);
	suite_add_tcase(s, t);
	return s;
}

UNIT_MAIN(suite)
