/* test_decide.c - the pure decisions: who the client is, what a message gets */
#include "autoconf.h"
#include "decide.h"
#include "str.h"
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

START_TEST(unproven_loop_from_an_outside_client_is_refused_never_held)
{
	struct msg_facts f;
	struct verdict v;

	memset(&f, 0, sizeof(f));
	f.loop = 1;                      /* Received: count or Delivered-To, no marks */
	f.loop_action = ACT_QUARANTINE;
	v = dec_message(&f);
	ck_assert_int_eq(v.action, ACT_REJECT);
	ck_assert_str_eq(dec_reason_name(v.reason), "loop");
	ck_assert_int_eq(v.enforce, 1);
	f.loop_action = ACT_TAG;         /* whatever LoopAction says */
	ck_assert_int_eq(dec_message(&f).action, ACT_REJECT);
	f.monitor = 1;
	ck_assert_int_eq(dec_message(&f).enforce, 0);
}
END_TEST

START_TEST(unproven_loop_from_our_own_peers_follows_loop_action)
{
	static const enum trust peers[] = { TRUST_WHITELIST, TRUST_NETWORK, TRUST_AUTH };
	struct msg_facts f;
	struct verdict v;
	size_t i;

	for (i = 0; i < sizeof(peers) / sizeof(peers[0]); i++) {
		memset(&f, 0, sizeof(f));
		f.trust = peers[i];
		f.loop = 1;
		f.loop_action = ACT_QUARANTINE;
		v = dec_message(&f);
		ck_assert_int_eq(v.action, ACT_QUARANTINE);
		ck_assert_str_eq(dec_reason_name(v.reason), "loop");
		ck_assert_int_eq(v.enforce, 1);
	}
}
END_TEST

START_TEST(loop_proven_by_marks_follows_loop_action_for_anyone)
{
	struct msg_facts f;
	struct verdict v;

	memset(&f, 0, sizeof(f));
	f.loop = f.loop_proven = 1;
	f.loop_action = ACT_QUARANTINE;
	v = dec_message(&f);
	ck_assert_int_eq(v.action, ACT_QUARANTINE);
	ck_assert_str_eq(dec_reason_name(v.reason), "loop");
	f.trust = TRUST_WHITELIST;
	f.loop_action = ACT_TEMPFAIL;
	ck_assert_int_eq(dec_message(&f).action, ACT_TEMPFAIL);
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

START_TEST(reply_values_from_outside_are_escaped)
{
	char code[DEC_CODE_SIZE], xcode[DEC_XCODE_SIZE];
	struct str text;

	str_init(&text, DEC_REPLY_TEXT_MAX);
	/* a Delivered-To / recipient with a control byte and UTF-8 reaches the SMTP reply escaped */
	ck_assert_int_eq(dec_reply("554 5.4.6 Routing loop detected (%z)", "192.0.2.9",
	    "loop: Delivered-To <a\001b\303\251%@x>", code, xcode, &text), 0);
	ck_assert_str_eq(str_text(&text), "Routing loop detected (loop: Delivered-To <a\\x01b\\xc3\\xa9%%@x>)");
	str_free(&text);
}
END_TEST

START_TEST(reply_is_cut_at_its_bound_never_inside_a_doubled_percent)
{
	char code[DEC_CODE_SIZE], xcode[DEC_XCODE_SIZE];
	struct str text;

	str_init(&text, 6);
	dec_reply("554 ab%z", "x", "cde%%%", code, xcode, &text);
	ck_assert_str_eq(str_text(&text), "abcde");               /* "abcde%" would be a lone % */
	ck_assert_int_eq(text.truncated, 1);
	str_free(&text);
	str_init(&text, DEC_REPLY_TEXT_MAX);
	ck_assert_int_eq(dec_reply("55 no", "x", "z", code, xcode, &text), -1);
	ck_assert_int_eq(dec_reply("554 5.7.1234567890 long xcode", "x", "z", code, xcode, &text), 0);
	ck_assert_str_eq(xcode, "");                              /* not an enhanced code: kept as text */
	ck_assert_str_eq(str_text(&text), "5.7.1234567890 long xcode");
	str_free(&text);
}
END_TEST

/* reply - dec_reply_for's code, xcode and text joined by spaces */
static const char *
reply(enum reason r, enum action a)
{
	static char out[DEC_REPLY_TEXT_MAX + 32];
	struct dec_reply_in in = { r, a, "192.0.2.9", "zen.example", "spf.example",
		"loop: 3rd pass through mx1.example", "554 5.7.1 Service unavailable; client [%a] blocked using %z" };
	char code[DEC_CODE_SIZE], xcode[DEC_XCODE_SIZE];
	struct str text;

	str_init(&text, DEC_REPLY_TEXT_MAX);
	dec_reply_for(&in, code, xcode, &text);
	snprintf(out, sizeof(out), "%s %s %s", code, xcode, str_text(&text));
	str_free(&text);
	return out;
}

START_TEST(each_reason_has_its_reply)
{
	ck_assert_str_eq(reply(R_LOOP, ACT_REJECT), "554 5.4.6 Routing loop detected (loop: 3rd pass through mx1.example)");
	ck_assert_str_eq(reply(R_LOOP, ACT_TEMPFAIL), "451 4.4.6 Routing loop detected (loop: 3rd pass through mx1.example)");
	ck_assert_str_eq(reply(R_SPF, ACT_REJECT), "550 5.7.23 SPF fail: spf.example does not designate 192.0.2.9 as permitted sender");
	ck_assert_str_eq(reply(R_SPF, ACT_TEMPFAIL), "451 4.7.23 SPF fail: spf.example does not designate 192.0.2.9 as permitted sender");
	ck_assert_str_eq(reply(R_TAG_FLOOD, ACT_REJECT), "550 5.7.1 Too many X-Mxguard header fields");
	ck_assert_str_eq(reply(R_DNSBL, ACT_REJECT), "554 5.7.1 Service unavailable; client [192.0.2.9] blocked using zen.example");
	/* a DNSBL tempfail (monitor of a failed allowlist...) and a DNS failure: never a 5xx */
	ck_assert_str_eq(reply(R_DNSBL, ACT_TEMPFAIL), "451 4.7.1 Service temporarily unavailable; DNS lookups for client [192.0.2.9] failed, try again later");
	ck_assert_str_eq(reply(R_DNS_ERROR, ACT_TEMPFAIL), "451 4.7.1 Service temporarily unavailable; DNS lookups for client [192.0.2.9] failed, try again later");
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
	tcase_add_test(t, reply_values_from_outside_are_escaped);
	tcase_add_test(t, reply_is_cut_at_its_bound_never_inside_a_doubled_percent);
	tcase_add_test(t, each_reason_has_its_reply);
	tcase_add_test(t, spf_facts_decide_by_their_own_names);
	tcase_add_test(t, tag_flood_is_refused_from_outside_and_passed_on_from_a_trusted_peer);
	tcase_add_test(t, unproven_loop_from_an_outside_client_is_refused_never_held);
	tcase_add_test(t, unproven_loop_from_our_own_peers_follows_loop_action);
	tcase_add_test(t, loop_proven_by_marks_follows_loop_action_for_anyone);
	suite_add_tcase(s, t);
	return s;
}

UNIT_MAIN(suite)
