/* test_metrics.c - the Prometheus text of metrics_format and metrics_write's file */
#include "autoconf.h"

#include <sys/stat.h>

#include "decide.h"
#include "metrics.h"
#include "unit.h"

static struct stats_view sv;
static struct stats_zone_view zv[2];
static struct dns_stats ds;

/* render - metrics_format of the fixtures into a string the caller frees */
static char *
render(struct metrics_input *in)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(metrics_format(f, in), 0);
	fclose(f);
	return buf;
}

static struct metrics_input
fixture(void)
{
	struct metrics_input in = {&sv, &ds, zv, 2, 1, 3};

	memset(&sv, 0, sizeof(sv));
	memset(zv, 0, sizeof(zv));
	memset(&ds, 0, sizeof(ds));
	snprintf(zv[0].name, sizeof(zv[0].name), "bl.test");
	snprintf(zv[1].name, sizeof(zv[1].name), "a\"b\\c\nd\x01\xc3");
	return in;
}

START_TEST(label_values_are_escaped_and_kept_printable)
{
	struct metrics_input in = fixture();
	char *t;

	zv[1].hits = 4;
	t = render(&in);
	ck_assert_ptr_nonnull(strstr(t, "mxguard_dnsbl_hits_total{zone=\"a\\\"b\\\\c\\nd??\"} 4\n"));
	free(t);
}
END_TEST

START_TEST(histogram_buckets_are_cumulative_at_exact_power_of_two_edges)
{
	struct metrics_input in = fixture();
	char *t;

	zv[0].hist[stats_bucket(15)] = 1;        /* <= 15 us */
	zv[0].hist[stats_bucket(16)] = 2;        /* 16..31 us */
	zv[0].hist[stats_bucket(1000)] = 3;      /* 512..1023 us */
	zv[0].hist[STATS_BUCKETS - 1] = 1;       /* 134 s and more: +Inf only */
	zv[0].sum_us = 1000000UL * 200 + 15 + 32 + 3000;
	t = render(&in);
	ck_assert_ptr_nonnull(strstr(t, "_bucket{zone=\"bl.test\",le=\"0.000015\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(t, "_bucket{zone=\"bl.test\",le=\"0.000031\"} 3\n"));
	ck_assert_ptr_nonnull(strstr(t, "_bucket{zone=\"bl.test\",le=\"0.000511\"} 3\n"));
	ck_assert_ptr_nonnull(strstr(t, "_bucket{zone=\"bl.test\",le=\"0.001023\"} 6\n"));
	ck_assert_ptr_nonnull(strstr(t, "_bucket{zone=\"bl.test\",le=\"134.217727\"} 6\n"));
	ck_assert_ptr_nonnull(strstr(t, "_bucket{zone=\"bl.test\",le=\"+Inf\"} 7\n"));
	ck_assert_ptr_nonnull(strstr(t, "mxguard_dnsbl_query_duration_seconds_sum{zone=\"bl.test\"} 200.003047\n"));
	ck_assert_ptr_nonnull(strstr(t, "mxguard_dnsbl_query_duration_seconds_count{zone=\"bl.test\"} 7\n"));
	ck_assert_ptr_null(strstr(t, "le=\"0.000017\""));      /* only the edges */
	free(t);
}
END_TEST

START_TEST(decisions_by_action_reason_and_mode_accept_never_monitor)
{
	struct metrics_input in = fixture();
	char *t;

	sv.decision[ACT_REJECT][R_DNSBL][0] = 7;
	sv.decision[ACT_REJECT][R_DNSBL][1] = 2;
	t = render(&in);
	ck_assert_ptr_nonnull(strstr(t, "mxguard_decisions_total{action=\"reject\",reason=\"dnsbl\",mode=\"enforce\"} 7\n"));
	ck_assert_ptr_nonnull(strstr(t, "mxguard_decisions_total{action=\"reject\",reason=\"dnsbl\",mode=\"monitor\"} 2\n"));
	ck_assert_ptr_nonnull(strstr(t, "mxguard_decisions_total{action=\"accept\",reason=\"clean\",mode=\"enforce\"} 0\n"));
	ck_assert_ptr_null(strstr(t, "action=\"accept\",reason=\"clean\",mode=\"monitor\""));
	ck_assert_ptr_nonnull(strstr(t, "# TYPE mxguard_decisions_total counter\n"));
	free(t);
}
END_TEST

START_TEST(every_family_has_help_and_type_and_the_file_ends_with_the_reload_count)
{
	struct metrics_input in = fixture();
	char *t, *p, *last;
	unsigned types = 0, helps = 0;

	sv.config_reloads = 5;
	t = render(&in);
	for (p = t; (p = strstr(p, "# TYPE ")) != NULL; p++)
		types++;
	for (p = t; (p = strstr(p, "# HELP ")) != NULL; p++)
		helps++;
	ck_assert_uint_eq(types, helps);
	ck_assert_uint_ge(types, 20);
	last = strrchr(t, '\n');
	ck_assert_ptr_nonnull(last);
	*last = 0;
	ck_assert_str_eq(strrchr(t, '\n') + 1, "mxguard_config_reloads_total 5");
	free(t);
	in.dns = NULL;                           /* no resolver: no dns families */
	t = render(&in);
	ck_assert_ptr_null(strstr(t, "mxguard_dns_lookups_total"));
	free(t);
}
END_TEST

START_TEST(write_replaces_the_file_and_leaves_no_temporary)
{
	struct metrics_input in = fixture();
	char err[600], buf[128];
	struct stat st;
	FILE *f;

	UNIT_WRITE("m.prom", "old\n");
	sv.connections = 42;
	ck_assert_int_eq(metrics_write(unit_path("m.prom"), &in, err, sizeof(err)), 0);
	ck_assert_int_eq(stat(unit_path("m.prom"), &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0644);
	f = fopen(unit_path("m.prom"), "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	ck_assert_str_eq(buf, "# HELP mxguard_start_time_seconds Start time of mxguard, seconds since the epoch.\n");
	fclose(f);
	ck_assert_int_eq(metrics_write(unit_path("nodir/m.prom"), &in, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "nodir/m.prom: temporary file: No such file or directory"));
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *t = tcase_create("metrics");

	tcase_add_test(t, label_values_are_escaped_and_kept_printable);
	tcase_add_test(t, histogram_buckets_are_cumulative_at_exact_power_of_two_edges);
	tcase_add_test(t, decisions_by_action_reason_and_mode_accept_never_monitor);
	tcase_add_test(t, every_family_has_help_and_type_and_the_file_ends_with_the_reload_count);
	tcase_add_test(t, write_replaces_the_file_and_leaves_no_temporary);
	suite_add_tcase(s, t);
	return s;
}

UNIT_MAIN(suite)
