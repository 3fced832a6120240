/* test_dnsbl.c - zone syntax, query names, answer classes, scoring, and the
 * RCPT/EOM decisions, reply text and exempt recipients built on them */
#include "autoconf.h"
#include "decide.h"
#include "dnsbl.h"
#include "log.h"
#include "stats.h"
#include "unit.h"

static struct dnsbl_conf conf;
static char why[300];

static struct dns_answer
answer(enum dns_status st, const char *a1, const char *a2)
{
	struct dns_answer a;

	memset(&a, 0, sizeof(a));
	a.status = st;
	if (a1)
		inet_pton(AF_INET, a1, &a.a[a.n++]);
	if (a2)
		inet_pton(AF_INET, a2, &a.a[a.n++]);
	return a;
}

/* score - parse list, give zone i the answer ans[i], score against threshold;
 * the verdict's texts live until the next call */
static struct dnsbl_verdict
score(const char *list, int threshold, const struct dns_answer *ans)
{
	static struct dnsbl_verdict v;
	struct dnsbl_zone_result z[8];
	unsigned i;

	ck_assert_int_eq(dnsbl_parse(list, &conf, why, sizeof(why)), 0);
	for (i = 0; i < conf.nzones; i++)
		dnsbl_classify(&ans[i], &z[i]);
	dnsbl_verdict_free(&v);
	dnsbl_score(&conf, z, threshold, &v);
	return v;
}

START_TEST(postscreen_syntax_parses)
{
	ck_assert_int_eq(dnsbl_parse("zen.example=127.0.0.[2..11]*3, list.dnswl.example=127.0.[0..255].[1;3]*-5 Plain.Example",
	    &conf, why, sizeof(why)), 0);
	ck_assert_uint_eq(conf.nzones, 3);
	ck_assert_uint_eq(conf.nsites, 3);
	ck_assert_str_eq(conf.zones[0], "zen.example");
	ck_assert_str_eq(conf.zones[2], "plain.example");
	ck_assert_int_eq(conf.sites[0].weight, 3);
	ck_assert_int_eq(conf.sites[1].weight, -5);
	ck_assert_int_eq(conf.sites[2].weight, 1);
	ck_assert_int_eq(conf.sites[2].has_filter, 0);
	ck_assert_int_eq(conf.sites[0].filter[3][11 / 8] & (1 << (11 % 8)) ? 1 : 0, 1);
	ck_assert_int_eq(conf.sites[0].filter[3][12 / 8] & (1 << (12 % 8)) ? 1 : 0, 0);
	ck_assert_int_eq(conf.sites[1].filter[3][2 / 8] & (1 << 2) ? 1 : 0, 0);
}
END_TEST

START_TEST(same_zone_with_two_filters_is_one_query)
{
	ck_assert_int_eq(dnsbl_parse("zen.example=127.0.0.[2..3]*3 zen.example=127.0.0.[10;11]*1",
	    &conf, why, sizeof(why)), 0);
	ck_assert_uint_eq(conf.nzones, 1);
	ck_assert_uint_eq(conf.nsites, 2);
	ck_assert_uint_eq(conf.sites[1].zone, 0);
}
END_TEST

START_TEST(bad_entries_are_refused_with_a_reason)
{
	static const char *bad[] = {
		"zen.example*0", "zen.example*x", "zen.example*", "zen..example",
		"zen.example=127.0.0", "zen.example=127.0.0.256", "zen.example=127.0.0.[5..2]",
		"zen.example=127.0.0.[2..3", "zen.example=127.0.0.2.9", "nodot", "zen.example=a.b.c.d",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = 0;
		ck_assert_msg(dnsbl_parse(bad[i], &conf, why, sizeof(why)) < 0, "%s accepted", bad[i]);
		ck_assert_msg(why[0] != 0, "no reason for %s", bad[i]);
	}
}
END_TEST

START_TEST(query_names_reverse_ipv4_octets_and_ipv6_nibbles)
{
	struct addr a;
	char name[300];

	addr_parse("203.0.113.5", &a);
	ck_assert_int_eq(dnsbl_qname(&a, "zen.example", name, sizeof(name)), 0);
	ck_assert_str_eq(name, "5.113.0.203.zen.example");
	addr_parse("2001:db8::1", &a);
	ck_assert_int_eq(dnsbl_qname(&a, "zen.example", name, sizeof(name)), 0);
	ck_assert_str_eq(name, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.example");
	ck_assert_int_eq(dnsbl_qname(&a, "zen.example", name, 40), -1);   /* too small: refused, not cut */
}
END_TEST

START_TEST(error_codes_and_outside_answers_never_list)
{
	struct dns_answer a[1];
	struct dnsbl_verdict v;

	a[0] = answer(DNS_OK, "127.255.255.254", NULL);          /* Spamhaus: public resolver */
	v = score("zen.example", 1, a);
	ck_assert_int_eq(v.listed, 0);
	ck_assert_int_eq(v.failed, 1);
	ck_assert_str_eq(str_text(&v.errors), "zen.example:bad-answer");
	a[0] = answer(DNS_OK, "127.0.0.2", "10.1.2.3");          /* one stray answer spoils it */
	ck_assert_int_eq(score("zen.example", 1, a).listed, 0);
	a[0] = answer(DNS_OK, "192.0.2.1", NULL);                /* wildcard / hijacked NXDOMAIN */
	ck_assert_int_eq(score("zen.example", 1, a).listed, 0);
	a[0] = answer(DNS_TIMEOUT, NULL, NULL);
	v = score("zen.example", 1, a);
	ck_assert_int_eq(v.listed, 0);
	ck_assert_str_eq(str_text(&v.errors), "zen.example:timeout");
	a[0] = answer(DNS_SERVFAIL, NULL, NULL);
	ck_assert_int_eq(score("zen.example", 1, a).listed, 0);
	a[0] = answer(DNS_NXDOMAIN, NULL, NULL);
	v = score("zen.example", 1, a);
	ck_assert_int_eq(v.listed, 0);
	ck_assert_int_eq(v.failed, 0);
}
END_TEST

START_TEST(weights_sum_filters_select_and_threshold_decides)
{
	struct dns_answer a[3];
	struct dnsbl_verdict v;

	a[0] = answer(DNS_OK, "127.0.0.2", NULL);
	a[1] = answer(DNS_OK, "127.0.0.4", NULL);
	a[2] = answer(DNS_NXDOMAIN, NULL, NULL);
	v = score("zen.example=127.0.0.[2..3]*2 b.example=127.0.0.2 c.example*5", 3, a);
	ck_assert_int_eq(v.score, 2);                            /* b's filter did not match */
	ck_assert_int_eq(v.listed, 0);
	v = score("zen.example=127.0.0.[2..3]*2 b.example*1 c.example*5", 3, a);
	ck_assert_int_eq(v.score, 3);
	ck_assert_int_eq(v.listed, 1);
	ck_assert_str_eq(str_text(&v.zones), "zen.example:127.0.0.2,b.example:127.0.0.4");
	ck_assert_int_eq(v.best_site, 0);
}
END_TEST

START_TEST(zone_named_inside_another_is_still_logged)
{
	struct dns_answer a[3];
	struct dnsbl_verdict v;

	a[0] = answer(DNS_OK, "127.0.0.2", NULL);
	a[1] = answer(DNS_OK, "127.0.0.2", NULL);
	a[2] = answer(DNS_OK, "127.0.0.2", NULL);
	v = score("bl.example.test example.test", 1, a);
	ck_assert_str_eq(str_text(&v.zones), "bl.example.test:127.0.0.2,example.test:127.0.0.2");
	v = score("example.test bl.example.test", 1, a);
	ck_assert_str_eq(str_text(&v.zones), "example.test:127.0.0.2,bl.example.test:127.0.0.2");
	/* one zone matched by two of its filters is named once */
	v = score("zen.example=127.0.0.2 zen.example=127.0.0.[1..3] x.zen.example", 1, a);
	ck_assert_str_eq(str_text(&v.zones), "zen.example:127.0.0.2,x.zen.example:127.0.0.2");
	ck_assert_int_eq(v.score, 3);
	/* failures the same way */
	a[0] = answer(DNS_TIMEOUT, NULL, NULL);
	a[1] = answer(DNS_TIMEOUT, NULL, NULL);
	v = score("bl.example.test example.test", 1, a);
	ck_assert_int_eq(v.failed, 2);
	ck_assert_ptr_nonnull(strstr(str_text(&v.errors), "bl.example.test:"));
	ck_assert_ptr_nonnull(strstr(str_text(&v.errors), ",example.test:"));
}
END_TEST

START_TEST(bad_answers_warn_once_a_minute_per_zone_however_many_zones)
{
	struct dns_answer a = answer(DNS_OK, "192.0.2.1", NULL);
	char zone[64];
	int i;

	log_open("test", 0, 0, 0);
	/* more zones than one configuration holds, as reloads bring them */
	for (i = 0; i < 3 * DNSBL_MAX_ZONES / 2; i++) {
		snprintf(zone, sizeof(zone), "z%d.example", i);
		ck_assert_msg(dnsbl_warn_bad(stats_zone(zone), zone, &a) == 1, "zone %d never warned", i);
		ck_assert_int_eq(dnsbl_warn_bad(stats_zone(zone), zone, &a), 0);
	}
	ck_assert_int_eq(dnsbl_warn_bad(stats_zone("z0.example"), "z0.example", &a), 0);
}
END_TEST

START_TEST(dnswl_weight_offsets_a_listing)
{
	struct dns_answer a[2];

	a[0] = answer(DNS_OK, "127.0.0.2", NULL);
	a[1] = answer(DNS_OK, "127.0.2.1", NULL);
	ck_assert_int_eq(score("zen.example*3 wl.example=127.0.[0..255].[1..3]*-5", 1, a).listed, 0);
	ck_assert_int_eq(score("zen.example*3 wl.example=127.0.[0..255].[1..3]*-5", 1, a).score, -2);
	a[1] = answer(DNS_NXDOMAIN, NULL, NULL);
	ck_assert_int_eq(score("zen.example*3 wl.example*-5", 1, a).listed, 1);
}
END_TEST

START_TEST(failed_allowlist_makes_a_listing_uncertain_not_a_reject)
{
	struct dns_answer a[2];
	struct dnsbl_verdict v;

	a[0] = answer(DNS_OK, "127.0.0.2", NULL);
	a[1] = answer(DNS_TIMEOUT, NULL, NULL);
	v = score("zen.example*3 wl.example*-5", 1, a);
	ck_assert_int_eq(v.listed, 0);
	ck_assert_int_eq(v.uncertain, 1);
	v = score("zen.example*9 wl.example*-5", 1, a);           /* listed even if wl had matched */
	ck_assert_int_eq(v.listed, 1);
}
END_TEST

START_TEST(verdict_texts_are_cut_at_their_bound_and_marked)
{
	/* 8 zones of 60 bytes, all listing: "zone:127.0.0.2," is 72 bytes each, 576 in all */
	struct dns_answer a[8];
	struct dnsbl_verdict v;
	char list[600] = "";
	unsigned i;

	for (i = 0; i < 8; i++) {
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%050u.example%u",
		    i ? " " : "", i, i);
		a[i] = answer(DNS_OK, "127.0.0.2", NULL);
	}
	v = score(list, 1, a);
	ck_assert_int_eq(v.listed, 1);
	ck_assert_uint_eq(strlen(str_text(&v.zones)), DNSBL_ZONES_TEXT_MAX);
	ck_assert_int_eq(v.zones.truncated, 1);
	for (i = 0; i < 8; i++)
		a[i] = answer(DNS_TIMEOUT, NULL, NULL);
	v = score(list, 1, a);
	ck_assert_int_eq(v.failed, 8);
	ck_assert_uint_eq(strlen(str_text(&v.errors)), DNSBL_ERRORS_TEXT_MAX);
	ck_assert_int_eq(v.errors.truncated, 1);
	ck_assert_int_eq(strncmp(str_text(&v.errors), "00000000000000000000000000000000000000000000000000.example0:timeout,", 68), 0);
}
END_TEST

START_TEST(rcpt_decision_matrix)
{
	struct msg_facts f;
	struct verdict v;

	memset(&f, 0, sizeof(f));
	f.dnsbl_checked = 1;
	f.dnsbl_listed = 1;
	v = dec_rcpt(&f);
	ck_assert_int_eq(v.action, ACT_REJECT);
	ck_assert_int_eq(v.reason, R_DNSBL);
	ck_assert_int_eq(v.enforce, 1);
	f.monitor = 1;
	ck_assert_int_eq(dec_rcpt(&f).enforce, 0);
	ck_assert_int_eq(dec_message(&f).action, ACT_REJECT);     /* logged as what it would be */
	f.monitor = 0;
	f.exempt = 1;
	ck_assert_int_eq(dec_rcpt(&f).action, ACT_ACCEPT);
	ck_assert_int_eq(dec_message(&f).reason, R_DNSBL);
	ck_assert_int_eq(dec_message(&f).action, ACT_ACCEPT);
	f.exempt = 0;
	f.trust = TRUST_WHITELIST;
	ck_assert_int_eq(dec_rcpt(&f).action, ACT_ACCEPT);
	f.trust = TRUST_NONE;
	f.dnsbl_listed = 0;
	f.dnsbl_failed = 1;
	ck_assert_int_eq(dec_rcpt(&f).action, ACT_ACCEPT);        /* DNSErrorAction accept */
	ck_assert_int_eq(dec_message(&f).reason, R_DNS_ERROR);
	f.error_tempfail = 1;
	v = dec_rcpt(&f);
	ck_assert_int_eq(v.action, ACT_TEMPFAIL);                 /* never a 5xx */
	ck_assert_int_eq(v.reason, R_DNS_ERROR);
}
END_TEST

START_TEST(reply_expands_client_and_zone)
{
	char code[4], xcode[16];
	struct str text;

	str_init(&text, 199);
	ck_assert_int_eq(dec_reply("554 5.7.1 Service unavailable; client [%a] blocked using %z",
	    "192.0.2.9", "zen.example", code, xcode, &text), 0);
	ck_assert_str_eq(code, "554");
	ck_assert_str_eq(xcode, "5.7.1");
	ck_assert_str_eq(str_text(&text), "Service unavailable; client [192.0.2.9] blocked using zen.example");
	ck_assert_int_eq(dec_reply("550 100%% sure: %z", "x", "a%b", code, xcode, &text), 0);
	ck_assert_str_eq(xcode, "");
	/* smfi_setreply drops a text with a lone '%': every literal % goes out doubled */
	ck_assert_str_eq(str_text(&text), "100%% sure: a%%b");
	str_free(&text);
	str_init(&text, 19);
	dec_reply("554 %a%a%a%a", "2001:db8::1", "z", code, xcode, &text);
	ck_assert_uint_lt(strlen(str_text(&text)), 20);
	str_free(&text);
}
END_TEST

START_TEST(exempt_recipients_by_local_part_address_or_domain)
{
	char *list[] = { "postmaster@", "abuse@", "ceo@example.com", "@exempt.example" };

	ck_assert_int_eq(dec_exempt(list, 4, "<postmaster@example.com>"), 1);
	ck_assert_int_eq(dec_exempt(list, 4, "<PostMaster@Other.Example>"), 1);
	ck_assert_int_eq(dec_exempt(list, 4, "<postmasters@example.com>"), 0);
	ck_assert_int_eq(dec_exempt(list, 4, "<xpostmaster@example.com>"), 0);
	ck_assert_int_eq(dec_exempt(list, 4, "<ceo@example.com>"), 1);
	ck_assert_int_eq(dec_exempt(list, 4, "<ceo@example.org>"), 0);
	ck_assert_int_eq(dec_exempt(list, 4, "<anyone@exempt.example>"), 1);
	ck_assert_int_eq(dec_exempt(list, 4, "<anyone@sub.exempt.example>"), 0);
	ck_assert_int_eq(dec_exempt(list, 4, "<>"), 0);
	ck_assert_int_eq(dec_exempt(list, 0, "<postmaster@example.com>"), 0);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("dnsbl");
	TCase *t = tcase_create("dnsbl");

	tcase_add_test(t, postscreen_syntax_parses);
	tcase_add_test(t, same_zone_with_two_filters_is_one_query);
	tcase_add_test(t, bad_entries_are_refused_with_a_reason);
	tcase_add_test(t, query_names_reverse_ipv4_octets_and_ipv6_nibbles);
	tcase_add_test(t, error_codes_and_outside_answers_never_list);
	tcase_add_test(t, weights_sum_filters_select_and_threshold_decides);
	tcase_add_test(t, zone_named_inside_another_is_still_logged);
	tcase_add_test(t, bad_answers_warn_once_a_minute_per_zone_however_many_zones);
	tcase_add_test(t, dnswl_weight_offsets_a_listing);
	tcase_add_test(t, failed_allowlist_makes_a_listing_uncertain_not_a_reject);
	tcase_add_test(t, rcpt_decision_matrix);
	tcase_add_test(t, reply_expands_client_and_zone);
	tcase_add_test(t, verdict_texts_are_cut_at_their_bound_and_marked);
	tcase_add_test(t, exempt_recipients_by_local_part_address_or_domain);
	suite_add_tcase(s, t);
	return s;
}

UNIT_MAIN(suite)
