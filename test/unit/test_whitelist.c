/* test_whitelist.c - source parsing, CDB layout, matching, reload-on-replace, staleness */
#include "autoconf.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include "log.h"
#include "unit.h"
#include "whitelist.h"
#include "wlcompile.h"

static char errtext[8192];

/* compile - source text to name.cdb; returns problems, errors in errtext */
static int
compile_n(const char *name, const char *text, size_t len, int check_only)
{
	char src[256], out[300];
	FILE *ef = fmemopen(errtext, sizeof(errtext), "w");
	int r;

	snprintf(src, sizeof(src), "%s", unit_write(name, text, len));
	snprintf(out, sizeof(out), "%s.cdb", src);
	r = wlc_compile(src, out, check_only, ef);
	fclose(ef);
	return r;
}

static int
compile(const char *name, const char *text, int check_only)
{
	return compile_n(name, text, strlen(text), check_only);
}

static struct wl *
open_wl(const char *name)
{
	char path[256], err[512];
	struct wl *wl;

	snprintf(path, sizeof(path), "%s.cdb", unit_path(name));
	wl = wl_open(path, err, sizeof(err));
	if (wl == NULL)
		fprintf(stderr, "# %s\n", err);
	return wl;
}

/* match - the entry text an address or name matches, "" for none */
static const char *
match(struct wl *wl, const char *key)
{
	static struct wl_entry e;
	struct addr a;
	int hit = addr_parse(key, &a) == 0 ? wl_match_addr(wl, &a, &e)
	    : wl_match_name(wl, key, &e);

	return hit ? e.text : "";
}

static const char sample[] =
    "# trusted backup MX peers\n"
    "\n"
    "   \t\n"
    "192.0.2.25            OK\n"
    "198.51.100.0/24       ok      # any case\n"
    "198.51.100.128/25     RELAY\n"
    "2001:db8:1::/48       OK\n"
    "2001:db8:1:2::/64     RELAY\n"
    "2001:db8::7           OK\n"
    "Backup.Example.NET    OK      # forward-confirmed only\n"
    ".example.org          OK\n"
    ".deep.example.org     RELAY\n"
    "203.0.113.7           RELAY\r\n";

START_TEST(ipv4_exact_and_longest_prefix_win)
{
	struct wl *wl;

	ck_assert_int_eq(compile("s", sample, 0), 0);
	ck_assert_ptr_nonnull(wl = open_wl("s"));
	ck_assert_str_eq(match(wl, "192.0.2.25"), "192.0.2.25");
	ck_assert_str_eq(match(wl, "192.0.2.26"), "");
	ck_assert_str_eq(match(wl, "198.51.100.1"), "198.51.100.0/24");
	ck_assert_str_eq(match(wl, "198.51.100.200"), "198.51.100.128/25");
	ck_assert_str_eq(match(wl, "198.51.101.1"), "");
	ck_assert_str_eq(match(wl, "203.0.113.7"), "203.0.113.7");
	ck_assert_uint_eq(wl_count(wl), 10);
	wl_close(wl);
}
END_TEST

START_TEST(ipv6_and_mapped_ipv4)
{
	struct wl *wl;

	ck_assert_int_eq(compile("s", sample, 0), 0);
	ck_assert_ptr_nonnull(wl = open_wl("s"));
	ck_assert_str_eq(match(wl, "2001:db8:1:ffff::1"), "2001:db8:1::/48");
	ck_assert_str_eq(match(wl, "2001:db8:1:2::99"), "2001:db8:1:2::/64");
	ck_assert_str_eq(match(wl, "2001:0db8:0000::7"), "2001:db8::7");
	ck_assert_str_eq(match(wl, "2001:db8::8"), "");
	ck_assert_str_eq(match(wl, "::ffff:192.0.2.25"), "192.0.2.25");
	wl_close(wl);
}
END_TEST

START_TEST(zero_and_full_prefixes)
{
	struct wl *wl;

	ck_assert_int_eq(compile("z", "0.0.0.0/0 OK\n::/0 RELAY\n10.1.1.1/32 RELAY\n2001:db8::1/128 OK\n", 0), 0);
	ck_assert_ptr_nonnull(wl = open_wl("z"));
	ck_assert_str_eq(match(wl, "1.2.3.4"), "0.0.0.0/0");
	ck_assert_str_eq(match(wl, "10.1.1.1"), "10.1.1.1");
	ck_assert_str_eq(match(wl, "2001:db8::1"), "2001:db8::1");
	ck_assert_str_eq(match(wl, "fe80::1"), "::/0");
	wl_close(wl);
}
END_TEST

START_TEST(hostnames_any_case_exact_then_parent_domains)
{
	struct wl *wl;
	struct wl_entry e;

	ck_assert_int_eq(compile("s", sample, 0), 0);
	ck_assert_ptr_nonnull(wl = open_wl("s"));
	ck_assert_str_eq(match(wl, "backup.example.net"), "backup.example.net");
	ck_assert_str_eq(match(wl, "BACKUP.EXAMPLE.NET."), "backup.example.net");
	ck_assert_str_eq(match(wl, "x.backup.example.net"), "");
	ck_assert_str_eq(match(wl, "mx.example.org"), ".example.org");
	ck_assert_str_eq(match(wl, "a.b.c.example.org"), ".example.org");
	ck_assert_str_eq(match(wl, "example.org"), "");         /* .domain: below it only */
	ck_assert_str_eq(match(wl, "mx.deep.example.org"), ".deep.example.org");
	ck_assert_int_eq(wl_match_name(wl, "mx.deep.example.org", &e), 1);
	ck_assert_int_eq(e.kind, WL_RELAY);
	ck_assert_str_eq(match(wl, "evil-example.org"), "");
	ck_assert_str_eq(match(wl, "bad name.example.org"), "");
	wl_close(wl);
}
END_TEST

START_TEST(lookup_probes_only_the_prefix_lengths_present)
{
	struct wl *wl;
	struct wl_entry e;
	struct addr a;

	ck_assert_int_eq(compile("s", sample, 0), 0);
	ck_assert_ptr_nonnull(wl = open_wl("s"));
	addr_parse("10.9.8.7", &a);                   /* v4 lengths: 32, 25, 24 */
	ck_assert_int_eq(wl_match_addr(wl, &a, &e), 0);
	ck_assert_uint_eq(e.probes, 3);
	addr_parse("198.51.100.200", &a);             /* /32 miss, /25 hit */
	ck_assert_int_eq(wl_match_addr(wl, &a, &e), 1);
	ck_assert_uint_eq(e.probes, 2);
	addr_parse("2001:db8:5::1", &a);              /* v6 lengths: 128, 64, 48 */
	ck_assert_int_eq(wl_match_addr(wl, &a, &e), 0);
	ck_assert_uint_eq(e.probes, 3);
	ck_assert_int_eq(wl_match_name(wl, "a.b.c.d", &e), 0);   /* name + 3 parents */
	ck_assert_uint_eq(e.probes, 4);
	wl_close(wl);
}
END_TEST

START_TEST(bad_lines_are_named_and_nothing_is_written)
{
	const char *src =
	    "192.0.2.1 OK\n"          /* 1 */
	    "192.0.2.0/33 OK\n"       /* 2 */
	    "2001:db8::/129 OK\n"     /* 3 */
	    "192.0.2.1/24 OK\n"       /* 4 */
	    "192.0.2.300 OK\n"        /* 5 */
	    "host.example MAYBE\n"    /* 6 */
	    "lonely\n"                /* 7 */
	    "192.0.2.1/32 OK\n"       /* 8: duplicate of line 1 */
	    "a..b OK\n"               /* 9 */
	    ". OK\n"                  /* 10 */
	    "x OK y\n";               /* 11 */
	struct stat st;

	ck_assert_int_eq(compile("bad", src, 0), 10);
	ck_assert_ptr_nonnull(strstr(errtext, "bad:2: \"192.0.2.0/33\": prefix length over 32\n"));
	ck_assert_ptr_nonnull(strstr(errtext, "bad:3: \"2001:db8::/129\": prefix length over 128\n"));
	ck_assert_ptr_nonnull(strstr(errtext, "bad:4: \"192.0.2.1/24\": host bits set after the prefix length\n"));
	ck_assert_ptr_nonnull(strstr(errtext, "bad:5: \"192.0.2.300\": not an IP address or network\n"));
	ck_assert_ptr_nonnull(strstr(errtext, "bad:6: unknown value \"MAYBE\" (expected OK or RELAY)\n"));
	ck_assert_ptr_nonnull(strstr(errtext, "bad:7: \"lonely\": missing value (OK or RELAY)\n"));
	ck_assert_ptr_nonnull(strstr(errtext, "bad:8: duplicate entry for 192.0.2.1\n"));
	ck_assert_ptr_nonnull(strstr(errtext, "bad:9: \"a..b\": not an IP address, network or host name\n"));
	ck_assert_ptr_nonnull(strstr(errtext, "bad:10: \".\": bad domain (expected .example.org)\n"));
	ck_assert_ptr_nonnull(strstr(errtext, "bad:11: \"x\": unexpected text after the value\n"));
	ck_assert_int_eq(stat(unit_path("bad.cdb"), &st), -1);
}
END_TEST

START_TEST(nul_and_overlong_lines_leave_old_cdb_untouched)
{
	char text[MXG_LINE_MAX + 64];
	struct stat before, after;
	struct wl *wl;

	ck_assert_int_eq(compile("keep", "192.0.2.1 OK\n", 0), 0);
	ck_assert_int_eq(stat(unit_path("keep.cdb"), &before), 0);
	memset(text, 'a', sizeof(text));
	memcpy(text, "192.0.2.2 OK\n1.2.3.4\0 OK\n", 25);
	text[sizeof(text) - 1] = '\n';
	ck_assert_int_eq(compile_n("keep", text, sizeof(text), 0), 2);
	ck_assert_ptr_nonnull(strstr(errtext, "keep:2: NUL byte in line\n"));
	ck_assert_ptr_nonnull(strstr(errtext, "keep:3: line too long\n"));
	ck_assert_int_eq(stat(unit_path("keep.cdb"), &after), 0);
	ck_assert_uint_eq(before.st_ino, after.st_ino);
	ck_assert_ptr_nonnull(wl = open_wl("keep"));
	ck_assert_str_eq(match(wl, "192.0.2.2"), "");
	wl_close(wl);
}
END_TEST

START_TEST(check_only_writes_nothing)
{
	struct stat st;

	ck_assert_int_eq(compile("dry", "192.0.2.1 OK\n", 1), 0);
	ck_assert_int_eq(stat(unit_path("dry.cdb"), &st), -1);
	ck_assert_int_eq(compile("dry", "192.0.2.1 NO\n", 1), 1);
}
END_TEST

/* corrupt - copy good.cdb to name with damage: cut to len bytes, or flip byte at */
static void
corrupt(const char *name, long cut, long flip)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "cp %s %s", unit_path("good.cdb"), unit_path(name));
	ck_assert_int_eq(system(cmd), 0);
	if (cut >= 0)
		ck_assert_int_eq(truncate(unit_path(name), cut), 0);
	if (flip >= 0) {
		int fd = open(unit_path(name), O_RDWR);
		unsigned char b;

		ck_assert_int_eq(pread(fd, &b, 1, flip), 1);
		b ^= 0x5a;
		ck_assert_int_eq(pwrite(fd, &b, 1, flip), 1);
		close(fd);
	}
}

START_TEST(truncated_or_corrupt_files_are_refused)
{
	char err[512];
	struct stat st;
	long size, at;
	int refused = 0, tries = 0;

	ck_assert_int_eq(compile("good", sample, 0), 0);
	ck_assert_int_eq(stat(unit_path("good.cdb"), &st), 0);
	size = (long)st.st_size;
	corrupt("cut", size / 2, -1);
	ck_assert_ptr_null(wl_open(unit_path("cut"), err, sizeof(err)));
	corrupt("cut", size - 1, -1);
	ck_assert_ptr_null(wl_open(unit_path("cut"), err, sizeof(err)));
	corrupt("cut", 0, -1);
	ck_assert_ptr_null(wl_open(unit_path("cut"), err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "not a CDB file"));
	/* flipping any byte of the records or the hash tables must be caught */
	for (at = 2048; at < size; at += 7, tries++) {
		struct wl *wl;

		corrupt("flip", -1, at);
		if ((wl = wl_open(unit_path("flip"), err, sizeof(err))) == NULL)
			refused++;
		wl_close(wl);
	}
	ck_assert_int_eq(refused, tries);
}
END_TEST

START_TEST(replaced_file_is_followed_and_a_corrupt_one_ignored)
{
	struct wl *wl;
	char cmd[1024];

	log_open("test", 0, 0, 0);
	ck_assert_int_eq(compile("live", "192.0.2.1 OK\n", 0), 0);
	ck_assert_ptr_nonnull(wl = open_wl("live"));
	ck_assert_str_eq(match(wl, "192.0.2.1"), "192.0.2.1");

	ck_assert_int_eq(compile("live", "192.0.2.2 RELAY\n", 0), 0);   /* rename over it */
	sleep(2);
	ck_assert_str_eq(match(wl, "192.0.2.2"), "192.0.2.2");
	ck_assert_str_eq(match(wl, "192.0.2.1"), "");

	snprintf(cmd, sizeof(cmd), "head -c 100 %s.cdb > %s.tmp && mv %s.tmp %s.cdb",
	    unit_path("live"), unit_path("live"), unit_path("live"), unit_path("live"));
	ck_assert_int_eq(system(cmd), 0);
	sleep(2);
	ck_assert_str_eq(match(wl, "192.0.2.2"), "192.0.2.2");       /* old data kept */
	ck_assert_uint_eq(wl_count(wl), 1);
	wl_close(wl);
}
END_TEST

/* overwrite_in_place - the same inode gets new bytes: the first n of the
 * file named from (all of it when n < 0), then garbage up to pad bytes */
static void
overwrite_in_place(const char *name, const char *from, long n, long pad)
{
	char buf[65536];
	int in = open(unit_path(from), O_RDONLY), out = open(unit_path(name), O_WRONLY | O_TRUNC);
	ssize_t got = 0;
	long i;

	ck_assert_int_ge(in, 0);
	ck_assert_int_ge(out, 0);
	if (n != 0)
		got = read(in, buf, n > 0 && (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf));
	ck_assert_int_ge(got, 0);
	for (i = got; i < pad && (size_t)i < sizeof(buf); i++)
		buf[i] = (char)(i * 7);
	if (pad > got)
		got = pad;
	ck_assert_int_eq(write(out, buf, (size_t)got), got);
	close(in);
	close(out);
}

START_TEST(file_rewritten_in_place_keeps_the_old_entries)
{
	struct stat before, after;
	struct wl *wl;
	int i;

	log_open("test", 0, 0, 0);
	ck_assert_int_eq(compile("inplace", "192.0.2.1 OK\n.example.org RELAY\n", 0), 0);
	ck_assert_int_eq(compile("other", "198.51.100.0/24 OK\n", 0), 0);
	ck_assert_ptr_nonnull(wl = open_wl("inplace"));
	ck_assert_int_eq(stat(unit_path("inplace.cdb"), &before), 0);
	/* truncated to nothing, half copied, then garbage: the same inode each time */
	overwrite_in_place("inplace.cdb", "other.cdb", 0, 0);
	for (i = 0; i < 3; i++) {
		sleep(1);
		if (i == 1)
			overwrite_in_place("inplace.cdb", "other.cdb", 1500, 0);
		if (i == 2)
			overwrite_in_place("inplace.cdb", "other.cdb", 0, 3000);
		ck_assert_str_eq(match(wl, "192.0.2.1"), "192.0.2.1");
		ck_assert_str_eq(match(wl, "mx.example.org"), ".example.org");
		ck_assert_str_eq(match(wl, "198.51.100.1"), "");
		ck_assert_uint_eq(wl_count(wl), 2);
	}
	ck_assert_int_eq(stat(unit_path("inplace.cdb"), &after), 0);
	ck_assert_uint_eq(before.st_ino, after.st_ino);
	/* a complete copy in place is loaded */
	overwrite_in_place("inplace.cdb", "other.cdb", -1, 0);
	for (i = 0; i < 30 && strcmp(match(wl, "198.51.100.1"), "198.51.100.0/24") != 0; i++)
		usleep(100000);
	ck_assert_str_eq(match(wl, "198.51.100.1"), "198.51.100.0/24");
	ck_assert_str_eq(match(wl, "192.0.2.1"), "");
	wl_close(wl);
}
END_TEST

START_TEST(whitelist_larger_than_the_bound_is_refused_by_name)
{
	char err[512], want[600];
	int fd = open(unit_path("huge.cdb"), O_CREAT | O_TRUNC | O_WRONLY, 0644);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, (off_t)WL_FILE_MAX + 1), 0);
	close(fd);
	ck_assert_ptr_null(wl_open(unit_path("huge.cdb"), err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: larger than %u MiB, the most a whitelist may be",
	    unit_path("huge.cdb"), (unsigned)(WL_FILE_MAX >> 20));
	ck_assert_str_eq(err, want);
	unlink(unit_path("huge.cdb"));
}
END_TEST

/* set_mtime - a whole-second mtime (and atime) on a file of the test directory */
static void
set_mtime(const char *name, time_t t)
{
	struct timespec ts[2] = { { t, 0 }, { t, 0 } };

	ck_assert_int_eq(utimensat(AT_FDCWD, unit_path(name), ts, 0), 0);
}

START_TEST(source_of_a_cdb_is_its_name_without_dot_cdb)
{
	char src[64];

	ck_assert_int_eq(wl_source_of("/etc/mxguard/whitelist.cdb", src, sizeof(src)), 0);
	ck_assert_str_eq(src, "/etc/mxguard/whitelist");
	ck_assert_int_eq(wl_source_of("w.cdb", src, sizeof(src)), 0);
	ck_assert_str_eq(src, "w");
	ck_assert_int_eq(wl_source_of("/etc/mxguard/whitelist.db", src, sizeof(src)), -1);
	ck_assert_int_eq(wl_source_of("/etc/mxguard/.cdb", src, sizeof(src)), -1);
	ck_assert_int_eq(wl_source_of(".cdb", src, sizeof(src)), -1);
	ck_assert_int_eq(wl_source_of("/etc/mxguard/whitelist.cdb", src, 8), -1);
}
END_TEST

START_TEST(stale_database_is_reported_and_still_used)
{
	char msg[1024], want[1024];
	struct wl *wl;

	ck_assert_int_eq(compile("aged", "192.0.2.1 OK\n", 0), 0);
	set_mtime("aged", 1704110400);
	set_mtime("aged.cdb", 1704110400);
	ck_assert_ptr_nonnull(wl = open_wl("aged"));
	ck_assert_int_eq(wl_stale(wl, msg, sizeof(msg)), 0);        /* same second: fresh */
	set_mtime("aged", 1704110401);
	ck_assert_int_eq(wl_stale(wl, msg, sizeof(msg)), 1);
	snprintf(want, sizeof(want), "database %s.cdb is older than source file %s",
	    unit_path("aged"), unit_path("aged"));
	ck_assert_str_eq(msg, want);
	ck_assert_str_eq(match(wl, "192.0.2.1"), "192.0.2.1");
	ck_assert_int_eq(unlink(unit_path("aged")), 0);
	ck_assert_int_eq(wl_stale(wl, msg, sizeof(msg)), 0);        /* no source: never stale */
	wl_close(wl);
}
END_TEST

START_TEST(replaced_stale_file_is_loaded_and_the_warning_logged)
{
	char buf[4096], want[1024];
	struct wl *wl;
	ssize_t n;
	int fd, i;

	fd = open(unit_path("stale.log"), O_CREAT | O_TRUNC | O_RDWR, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(dup2(fd, STDERR_FILENO), 0);       /* this forked test's stderr */
	log_open("test", 0, 0, 1);
	ck_assert_int_eq(compile("swap", "192.0.2.1 OK\n", 0), 0);
	ck_assert_ptr_nonnull(wl = open_wl("swap"));
	ck_assert_int_eq(compile("swap", "192.0.2.2 OK\n", 0), 0);
	set_mtime("swap.cdb", 1704110400);
	set_mtime("swap", 1704110401);
	for (i = 0; i < 50 && strcmp(match(wl, "192.0.2.2"), "192.0.2.2") != 0; i++)
		usleep(100000);
	ck_assert_str_eq(match(wl, "192.0.2.2"), "192.0.2.2");     /* loaded all the same */
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	ck_assert_int_gt(n, 0);
	buf[n] = 0;
	snprintf(want, sizeof(want), "whitelist: database %s.cdb is older than source file %s\n",
	    unit_path("swap"), unit_path("swap"));
	ck_assert_msg(strstr(buf, want) != NULL, "log: %s", buf);
	wl_close(wl);
	close(fd);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("whitelist");
	TCase *t = tcase_create("whitelist");

	tcase_set_timeout(t, 30);
	tcase_add_test(t, ipv4_exact_and_longest_prefix_win);
	tcase_add_test(t, ipv6_and_mapped_ipv4);
	tcase_add_test(t, zero_and_full_prefixes);
	tcase_add_test(t, hostnames_any_case_exact_then_parent_domains);
	tcase_add_test(t, lookup_probes_only_the_prefix_lengths_present);
	tcase_add_test(t, bad_lines_are_named_and_nothing_is_written);
	tcase_add_test(t, nul_and_overlong_lines_leave_old_cdb_untouched);
	tcase_add_test(t, check_only_writes_nothing);
	tcase_add_test(t, truncated_or_corrupt_files_are_refused);
	tcase_add_test(t, replaced_file_is_followed_and_a_corrupt_one_ignored);
	tcase_add_test(t, file_rewritten_in_place_keeps_the_old_entries);
	tcase_add_test(t, whitelist_larger_than_the_bound_is_refused_by_name);
	tcase_add_test(t, source_of_a_cdb_is_its_name_without_dot_cdb);
	tcase_add_test(t, stale_database_is_reported_and_still_used);
	tcase_add_test(t, replaced_stale_file_is_loaded_and_the_warning_logged);
	suite_add_tcase(s, t);
	return s;
}

UNIT_MAIN(suite)
