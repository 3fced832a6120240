/* test_decide.c - the pure decisions: who the client is, what a message gets */
#include "autoconf.h"
#include "decide.h"
#include "unit.h"

START_TEST(name_unknown_or_bracketed_is_not_confirmed)
{
	ck_assert_int_eq(dec_name_usable("unknown", NULL), 0);
	ck_assert_int_eq(dec_name_usable("UNKNOWN", NULL), 0);
	ck_assert_int_eq(dec_name_usable("[192.0.2.1]", NULL), 0);
	ck_assert_int_eq(dec_name_usable("", NULL), 0);
	ck_assert_int_eq(dec_name_usable(NULL, NULL), 0);
	ck_assert_int_eq(dec_name_usable("mx.example.net", NULL), 1);
}
END_TEST

START_TEST(sendmail_client_resolve_other_than_ok_is_not_confirmed)
{
	ck_assert_int_eq(dec_name_usable("mx.example.net", "OK"), 1);
	ck_assert_int_eq(dec_name_usable("mx.example.net", "FORGED"), 0);
	ck_assert_int_eq(dec_name_usable("mx.example.net", "FAIL"), 0);
	ck_assert_int_eq(dec_name_usable("mx.example.net", "TEMP"), 0);
}
END_TEST

START_TEST(whitelist_beats_trusted_network)
{
	ck_assert_int_eq(dec_trust_connect(1, 1), TRUST_WHITELIST);
	ck_assert_int_eq(dec_trust_connect(0, 1), TRUST_NETWORK);
	ck_assert_int_eq(dec_trust_connect(0, 0), TRUST_NONE);
}
END_TEST

START_TEST(authentication_counts_only_when_trusted_and_present)
{
	ck_assert_int_eq(dec_trust_mail(TRUST_NONE, "alice", 1), TRUST_AUTH);
	ck_assert_int_eq(dec_trust_mail(TRUST_NONE, "alice", 0), TRUST_NONE);
	ck_assert_int_eq(dec_trust_mail(TRUST_NONE, "", 1), TRUST_NONE);
	ck_assert_int_eq(dec_trust_mail(TRUST_NONE, NULL, 1), TRUST_NONE);
	ck_assert_int_eq(dec_trust_mail(TRUST_WHITELIST, "alice", 1), TRUST_WHITELIST);
}
END_TEST

START_TEST(verdict_reason_follows_trust)
{
	struct msg_facts f;
	struct verdict v;

	memset(&f, 0, sizeof(f));
	v = dec_message(&f);

	ck_assert_int_eq(v.action, ACT_ACCEPT);
	ck_assert_str_eq(dec_reason_name(v.reason), "clean");
	f.trust = TRUST_WHITELIST;
	ck_assert_str_eq(dec_reason_name(dec_message(&f).reason), "whitelist");
	f.trust = TRUST_NETWORK;
	ck_assert_str_eq(dec_reason_name(dec_message(&f).reason), "trusted");
	f.trust = TRUST_AUTH;
	ck_assert_str_eq(dec_reason_name(dec_message(&f).reason), "authenticated");
	ck_assert_int_eq(dec_message(&f).enforce, 0);
}
END_TEST

START_TEST(names_match_spec_words)
{
	ck_assert_str_eq(dec_action_name(ACT_QUARANTINE), "quarantine");
	ck_assert_str_eq(dec_action_name(ACT_TEMPFAIL), "tempfail");
	ck_assert_str_eq(dec_reason_name(R_RELAY_ORIGIN), "relay-origin");
	ck_assert_str_eq(dec_reason_name(R_DNS_ERROR), "dns-error");
	ck_assert_str_eq(dec_action_name((enum action)99), "?");
}
END_TEST

START_TEST(tag_flood_is_refused_from_outside_and_passed_on_from_a_trusted_peer)
{
	struct msg_facts f;
	struct verdict v;

	memset(&f, 0, sizeof(f));
	f.trust = TRUST_NONE;
	f.loop = 1;
	f.loop_action = ACT_QUARANTINE;
	f.tag_flood = 1;
	v = dec_message(&f);
	ck_assert_int_eq(v.action, ACT_REJECT);
	ck_assert_str_eq(dec_reason_name(v.reason), "tag-flood");
	ck_assert_int_eq(v.enforce, 1);
	f.monitor = 1;
	ck_assert_int_eq(dec_message(&f).enforce, 0);
	/* review: from our backup MX a 5xx makes the backup bounce to a
	 * possibly forged sender; the message goes on as it would have */
	f.monitor = 0;
	f.trust = TRUST_WHITELIST;
	v = dec_message(&f);
	ck_assert_int_eq(v.action, ACT_QUARANTINE);
	ck_assert_str_eq(dec_reason_name(v.reason), "loop");
	f.loop = 0;
	f.trust = TRUST_NETWORK;
	v = dec_message(&f);
	ck_assert_int_eq(v.action, ACT_ACCEPT);
}
END_TEST

START_TEST(spf_facts_decide_by_their_own_names)
{
	struct msg_facts f;
	struct verdict v;

	memset(&f, 0, sizeof(f));
	f.spf = DEC_SPF_FAIL;
	f.spf_fail_action = ACT_REJECT;
	v = dec_rcpt(&f);
	ck_assert_int_eq(v.action, ACT_REJECT);
	ck_assert_int_eq(v.reason, R_SPF);
	f.spf_fail_action = ACT_TAG;                 /* tag: not at RCPT, at the message */
	ck_assert_int_eq(dec_rcpt(&f).action, ACT_ACCEPT);
	v = dec_message(&f);
	ck_assert_int_eq(v.action, ACT_TAG);
	ck_assert_int_eq(v.reason, R_SPF);
	f.spf = DEC_SPF_TEMPERROR;
	f.error_tempfail = 1;
	v = dec_rcpt(&f);
	ck_assert_int_eq(v.action, ACT_TEMPFAIL);
	ck_assert_int_eq(v.reason, R_DNS_ERROR);
	f.spf = DEC_SPF_OTHER;                       /* pass, softfail, none...: clean */
	v = dec_message(&f);
	ck_assert_int_eq(v.action, ACT_ACCEPT);
	ck_assert_int_eq(v.reason, R_CLEAN);
	f.trust = TRUST_AUTH;
	f.spf = DEC_SPF_FAIL;
	f.spf_fail_action = ACT_REJECT;
	ck_assert_int_eq(dec_rcpt(&f).action, ACT_ACCEPT);
	ck_assert_int_eq(dec_message(&f).reason, R_AUTHENTICATED);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("decide");
	TCase *t = tcase_create("decide");

	tcase_add_test(t, name_unknown_or_bracketed_is_not_confirmed);
	tcase_add_test(t, sendmail_client_resolve_other_than_ok_is_not_confirmed);
	tcase_add_test(t, whitelist_beats_trusted_network);
	tcase_add_test(t, authentication_counts_only_when_trusted_and_present);
	tcase_add_test(t, verdict_reason_follows_trust);
	tcase_add_test(t, names_match_spec_words);
	tcase_add_test(t, spf_facts_decide_by_their_own_names);
	tcase_add_test(t, tag_flood_is_refused_from_outside_and_passed_on_from_a_trusted_peer);
	suite_add_tcase(s, t);
	return s;
}

UNIT_MAIN(suite)
