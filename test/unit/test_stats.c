/* test_stats.c - the latency histogram's geometry, percentiles, and the zone table */
#include "autoconf.h"

#include <pthread.h>

#include "decide.h"
#include "dnsbl.h"
#include "stats.h"
#include "unit.h"

START_TEST(every_latency_lands_in_a_bucket_whose_top_is_within_an_eighth)
{
	unsigned long v;
	unsigned b, last = 0;

	for (v = 0; v < (1UL << STATS_MAX_EXP); v += 1 + v / 64) {
		b = stats_bucket(v);
		ck_assert_uint_lt(b, STATS_BUCKETS - 1);
		ck_assert_uint_ge(b, last);                   /* monotonic */
		ck_assert_uint_ge(stats_bucket_top(b), v);    /* never below */
		ck_assert_uint_le(stats_bucket_top(b), v + v / 8);
		if (b > 0)
			ck_assert_uint_lt(stats_bucket_top(b - 1), v);
		last = b;
	}
}
END_TEST

START_TEST(small_latencies_are_exact_and_huge_ones_overflow)
{
	ck_assert_uint_eq(stats_bucket(0), 0);
	ck_assert_uint_eq(stats_bucket(15), 15);
	ck_assert_uint_eq(stats_bucket_top(15), 15);
	ck_assert_uint_eq(stats_bucket(16), 16);
	ck_assert_uint_eq(stats_bucket_top(stats_bucket(16)), 17);
	ck_assert_uint_eq(stats_bucket(1000), stats_bucket(1023));
	ck_assert_uint_eq(stats_bucket_top(stats_bucket(1000)), 1023);
	ck_assert_uint_eq(stats_bucket((1UL << STATS_MAX_EXP) - 1), STATS_BUCKETS - 2);
	ck_assert_uint_eq(stats_bucket(1UL << STATS_MAX_EXP), STATS_BUCKETS - 1);
	ck_assert_uint_eq(stats_bucket(~0UL), STATS_BUCKETS - 1);
	ck_assert_uint_eq(stats_bucket_top(STATS_BUCKETS - 1), 1UL << STATS_MAX_EXP);
}
END_TEST

START_TEST(percentile_of_empty_histogram_is_none)
{
	unsigned long h[STATS_BUCKETS] = {0}, us = 777;

	ck_assert_int_eq(stats_percentile(h, STATS_BUCKETS, 50, &us), 0);
	ck_assert_uint_eq(us, 777);
}
END_TEST

START_TEST(percentile_of_one_sample_is_its_bucket_for_every_pct)
{
	unsigned long h[STATS_BUCKETS] = {0}, us;

	h[stats_bucket(5000)] = 1;
	ck_assert_int_eq(stats_percentile(h, STATS_BUCKETS, 0, &us), 1);
	ck_assert_uint_eq(us, stats_bucket_top(stats_bucket(5000)));
	ck_assert_int_eq(stats_percentile(h, STATS_BUCKETS, 100, &us), 1);
	ck_assert_uint_eq(us, stats_bucket_top(stats_bucket(5000)));
}
END_TEST

START_TEST(p50_and_p99_of_a_known_distribution)
{
	unsigned long h[STATS_BUCKETS] = {0}, us;

	/* 98 fast (10 us), 2 slow (2 s): the median is fast, p99 is slow */
	h[10] = 98;
	h[stats_bucket(2000000)] = 2;
	ck_assert_int_eq(stats_percentile(h, STATS_BUCKETS, 50, &us), 1);
	ck_assert_uint_eq(us, 10);
	ck_assert_int_eq(stats_percentile(h, STATS_BUCKETS, 98, &us), 1);
	ck_assert_uint_eq(us, 10);
	ck_assert_int_eq(stats_percentile(h, STATS_BUCKETS, 99, &us), 1);
	ck_assert_uint_eq(us, stats_bucket_top(stats_bucket(2000000)));
	ck_assert_uint_ge(us, 2000000);
	ck_assert_uint_le(us, 2250000);
}
END_TEST

START_TEST(percentile_rank_rounds_up)
{
	unsigned long h[STATS_BUCKETS] = {0}, us;

	/* samples 1, 2, 3: the median is the 2nd (rank ceil(1.5)) */
	h[1] = h[2] = h[3] = 1;
	stats_percentile(h, STATS_BUCKETS, 50, &us);
	ck_assert_uint_eq(us, 2);
	stats_percentile(h, STATS_BUCKETS, 34, &us);
	ck_assert_uint_eq(us, 2);
	stats_percentile(h, STATS_BUCKETS, 33, &us);
	ck_assert_uint_eq(us, 1);
	stats_percentile(h, STATS_BUCKETS, 200, &us);      /* clamped to 100 */
	ck_assert_uint_eq(us, 3);
}
END_TEST

START_TEST(percentile_does_not_overflow_on_huge_counts)
{
	unsigned long h[STATS_BUCKETS] = {0}, us;

	h[7] = ~0UL / 4;
	h[9] = ~0UL / 4;
	stats_percentile(h, STATS_BUCKETS, 50, &us);
	ck_assert_uint_eq(us, 7);
	stats_percentile(h, STATS_BUCKETS, 51, &us);
	ck_assert_uint_eq(us, 9);
}
END_TEST

START_TEST(zone_rows_are_found_by_name_and_count_what_they_are_told)
{
	struct stats_zone *a = stats_zone("a.test"), *b = stats_zone("b.test");
	struct stats_zone_view v;
	unsigned long us;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_ne(a, b);
	ck_assert_ptr_eq(stats_zone("a.test"), a);
	stats_zone_lookup(a);
	stats_zone_lookup(a);
	stats_zone_query(a);
	stats_zone_latency(a, 1500);
	stats_zone_result(a, SR_LISTED);
	stats_zone_result(a, SR_NOTLISTED);
	stats_zone_result(a, SR_TIMEOUT);
	stats_zone_result(a, SR_SERVFAIL);
	stats_zone_result(a, SR_BAD);
	stats_zone_result(a, SR_ERROR);
	stats_zone_lookup(NULL);                 /* an uncounted zone is harmless */
	ck_assert_int_eq(stats_zone_get("a.test", &v), 1);
	ck_assert_uint_eq(v.lookups, 2);
	ck_assert_uint_eq(v.queries, 1);
	ck_assert_uint_eq(v.hits, 1);
	ck_assert_uint_eq(v.timeouts, 1);
	ck_assert_uint_eq(v.servfail, 1);
	ck_assert_uint_eq(v.bad, 1);
	ck_assert_uint_eq(v.other, 1);
	ck_assert_int_eq(stats_percentile(v.hist, STATS_BUCKETS, 50, &us), 1);
	ck_assert_uint_ge(us, 1500);
	ck_assert_int_eq(stats_zone_get("b.test", &v), 1);
	ck_assert_uint_eq(v.lookups, 0);
	ck_assert_int_eq(stats_zone_get("never.test", &v), 0);
	ck_assert_str_eq(v.name, "never.test");
}
END_TEST

START_TEST(zone_table_is_bounded)
{
	char name[32];
	int i;

	for (i = 0; i < STATS_ZONES_MAX; i++) {
		snprintf(name, sizeof(name), "z%d.test", i);
		ck_assert_ptr_nonnull(stats_zone(name));
	}
	ck_assert_ptr_null(stats_zone("one-too-many.test"));
	ck_assert_ptr_nonnull(stats_zone("z0.test"));
}
END_TEST

#define THREADS 4
#define ADDS 100000

static void *
hammer(void *arg)
{
	struct stats_zone *z = stats_zone(arg);
	int i;

	for (i = 0; i < ADDS; i++) {
		stats_zone_lookup(z);
		stats_zone_latency(z, (unsigned long)i);
	}
	return NULL;
}

START_TEST(concurrent_updates_are_all_counted)
{
	pthread_t t[THREADS];
	struct stats_zone_view v;
	unsigned long sum = 0;
	int i;

	for (i = 0; i < THREADS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, hammer, "busy.test"), 0);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	stats_zone_get("busy.test", &v);
	ck_assert_uint_eq(v.lookups, THREADS * ADDS);
	for (i = 0; i < STATS_BUCKETS; i++)
		sum += v.hist[i];
	ck_assert_uint_eq(sum, THREADS * ADDS);
}
END_TEST

START_TEST(warning_is_due_once_per_interval_per_row)
{
	struct stats_zone *a = stats_zone("warn-a.example"), *b = stats_zone("warn-b.example");

	ck_assert_int_eq(stats_zone_warn_due(a, 1000, 60), 1);
	ck_assert_int_eq(stats_zone_warn_due(a, 1059, 60), 0);
	ck_assert_int_eq(stats_zone_warn_due(b, 1059, 60), 1);      /* rows apart */
	ck_assert_int_eq(stats_zone_warn_due(a, 1060, 60), 1);
	ck_assert_int_eq(stats_zone_warn_due(a, 1060, 60), 0);
	ck_assert_int_eq(stats_zone_warn_due(NULL, 1000, 60), 1);   /* no row: one shared slot */
	ck_assert_int_eq(stats_zone_warn_due(NULL, 1001, 60), 0);
}
END_TEST

START_TEST(dnsbl_results_map_to_stats_results)
{
	struct dnsbl_zone_result z;
	struct dns_answer a;

	memset(&a, 0, sizeof(a));
	a.status = DNS_OK;
	a.n = 1;
	a.a[0].s_addr = htonl(0x7f000002);
	dnsbl_classify(&a, &z);
	ck_assert_int_eq(dnsbl_stats_result(&z), SR_LISTED);
	a.a[0].s_addr = htonl(0x7ffffffe);         /* 127.255.255.254: not a listing */
	dnsbl_classify(&a, &z);
	ck_assert_int_eq(dnsbl_stats_result(&z), SR_BAD);
	a.a[0].s_addr = htonl(0x0a000001);         /* outside 127/8 */
	dnsbl_classify(&a, &z);
	ck_assert_int_eq(dnsbl_stats_result(&z), SR_BAD);
	a.status = DNS_NXDOMAIN;
	dnsbl_classify(&a, &z);
	ck_assert_int_eq(dnsbl_stats_result(&z), SR_NOTLISTED);
	a.status = DNS_SERVFAIL;
	dnsbl_classify(&a, &z);
	ck_assert_int_eq(dnsbl_stats_result(&z), SR_SERVFAIL);
	a.status = DNS_TIMEOUT;
	dnsbl_classify(&a, &z);
	ck_assert_int_eq(dnsbl_stats_result(&z), SR_TIMEOUT);
	a.status = DNS_ERROR;
	dnsbl_classify(&a, &z);
	ck_assert_int_eq(dnsbl_stats_result(&z), SR_ERROR);
}
END_TEST

START_TEST(decisions_are_counted_under_the_mode_published_and_an_accept_never_as_monitor)
{
	struct stats_view v;

	stats_set_monitor(1);
	stats_count(ACT_REJECT, R_DNSBL);
	stats_count(ACT_ACCEPT, R_CLEAN);
	stats_set_monitor(0);
	stats_count(ACT_REJECT, R_DNSBL);
	stats_count_wl_reload();
	stats_get(&v);
	ck_assert_uint_eq(v.decision[ACT_REJECT][R_DNSBL][1], 1);
	ck_assert_uint_eq(v.decision[ACT_REJECT][R_DNSBL][0], 1);
	ck_assert_uint_eq(v.decision[ACT_ACCEPT][R_CLEAN][0], 1);
	ck_assert_uint_eq(v.decision[ACT_ACCEPT][R_CLEAN][1], 0);
	ck_assert_uint_eq(v.action[ACT_REJECT], 2);
	ck_assert_uint_eq(v.reason[R_DNSBL], 2);
	ck_assert_uint_eq(v.wl_reloads, 1);
	ck_assert_uint_eq(v.config_reloads, 0);
}
END_TEST

START_TEST(zone_latency_sum_is_kept_for_the_histogram_export)
{
	struct stats_zone *z = stats_zone("sum.test");
	struct stats_zone_view v;

	stats_zone_latency(z, 100);
	stats_zone_latency(z, 2500);
	ck_assert_int_eq(stats_zone_get("sum.test", &v), 1);
	ck_assert_uint_eq(v.sum_us, 2600);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("stats");
	TCase *t = tcase_create("stats");

	tcase_add_test(t, every_latency_lands_in_a_bucket_whose_top_is_within_an_eighth);
	tcase_add_test(t, small_latencies_are_exact_and_huge_ones_overflow);
	tcase_add_test(t, percentile_of_empty_histogram_is_none);
	tcase_add_test(t, percentile_of_one_sample_is_its_bucket_for_every_pct);
	tcase_add_test(t, p50_and_p99_of_a_known_distribution);
	tcase_add_test(t, percentile_rank_rounds_up);
	tcase_add_test(t, percentile_does_not_overflow_on_huge_counts);
	tcase_add_test(t, zone_rows_are_found_by_name_and_count_what_they_are_told);
	tcase_add_test(t, zone_table_is_bounded);
	tcase_add_test(t, warning_is_due_once_per_interval_per_row);
	tcase_add_test(t, concurrent_updates_are_all_counted);
	tcase_add_test(t, dnsbl_results_map_to_stats_results);
	tcase_add_test(t, decisions_are_counted_under_the_mode_published_and_an_accept_never_as_monitor);
	tcase_add_test(t, zone_latency_sum_is_kept_for_the_histogram_export);
	tcase_set_timeout(t, 30);
	suite_add_tcase(s, t);
	return s;
}

UNIT_MAIN(suite)
