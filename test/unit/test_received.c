/* test_received.c - Received: stamps as real MTAs write them, and garbage */
#include "autoconf.h"
#include "received.h"
#include "unit.h"

static struct rcv_stamp st;

static void
parse(const char *v)
{
	rcv_parse(v, strlen(v), &st);
}

static const char *
ip(void)
{
	static char buf[64];

	return st.has_ip ? addr_str(&st.ip, buf, sizeof(buf)) : "";
}

START_TEST(postfix_stamp)
{
	parse("from mail.example.org (mail.example.org [192.0.2.1])\r\n\tby mx1.example.com (Postfix) with ESMTPS id 4F2A81C3A\r\n\tfor <u@example.com>; Wed, 25 Nov 2026 10:00:00 +0000 (UTC)");
	ck_assert_str_eq(st.from, "mail.example.org");
	ck_assert_str_eq(st.from_name, "mail.example.org");
	ck_assert_str_eq(ip(), "192.0.2.1");
	ck_assert_str_eq(st.by, "mx1.example.com");
}
END_TEST

START_TEST(postfix_unknown_client_and_ipv6)
{
	parse("from helo.test (unknown [IPv6:2001:db8::5]) by mx1.example.com (Postfix) with ESMTP id 1; date");
	ck_assert_str_eq(st.from, "helo.test");
	ck_assert_str_eq(st.from_name, "unknown");
	ck_assert_str_eq(ip(), "2001:db8::5");
	parse("from helo.test (unknown [2001:db8::6]) by mx1.example.com (Postfix)");
	ck_assert_str_eq(ip(), "2001:db8::6");
}
END_TEST

START_TEST(sendmail_may_be_forged)
{
	parse("from fake.example (rdns.example.net [198.51.100.7] (may be forged))\n by mail.example.com (8.15.2/8.15.2) with ESMTP id 0A1B2C; Mon, 1 Jan 2026");
	ck_assert_str_eq(st.from, "fake.example");
	ck_assert_str_eq(st.from_name, "rdns.example.net");
	ck_assert_str_eq(ip(), "198.51.100.7");
	ck_assert_str_eq(st.by, "mail.example.com");
	/* review: the sender's PTR name beside the bracketed address may read
	 * like an address ("127.0.0.1."): the bracketed one is the client */
	parse("from h (127.0.0.1 [203.0.113.66] (may be forged)) by backup.example (8.15.2/8.15.2); date");
	ck_assert_str_eq(ip(), "203.0.113.66");
	parse("from h (127.0.0.1 helo=x) by backup.example; date");     /* bare, not alone */
	ck_assert_int_eq(st.has_ip, 0);
}
END_TEST

START_TEST(sendmail_authenticated_tls_and_no_helo)
{
	/* the template of Debian's sendmail.cf: $_ in a comment, AUTH and TLS comments */
	parse("from helo.example (rdns.example.net [198.51.100.8]) (authenticated bits=0)\n\tby smx.example.test (8.17.1.9/8.17.1.9/Debian-2+deb12u2) with ESMTPSA id 5AQ1; date\n\t(envelope-from <a@b>)");
	ck_assert_str_eq(st.from, "helo.example");
	ck_assert_str_eq(st.from_name, "rdns.example.net");
	ck_assert_str_eq(ip(), "198.51.100.8");
	ck_assert_str_eq(st.by, "smx.example.test");
	parse("from helo.example ([198.51.100.9]) (authenticated bits=256)\n\tby smx.example.test (8.17.1.9/8.17.1.9) with ESMTPSA id 5AQ2\n\t(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NOT); date");
	ck_assert_str_eq(st.from_name, "");
	ck_assert_str_eq(ip(), "198.51.100.9");
	ck_assert_str_eq(st.by, "smx.example.test");
	/* no HELO: "(from $_)" */
	parse("(from rdns.example.net [198.51.100.10])\n\tby smx.example.test (8.17.1.9/8.17.1.9) with SMTP id 5AQ3; date");
	ck_assert_str_eq(st.from_name, "rdns.example.net");
	ck_assert_str_eq(ip(), "198.51.100.10");
	ck_assert_str_eq(st.by, "smx.example.test");
	/* local submission: no address */
	parse("(from root@localhost)\n\tby smx.example.test (8.17.1.9/8.17.1.9/Submit) id 5AQ4; date");
	ck_assert_int_eq(st.has_ip, 0);
	ck_assert_str_eq(st.by, "smx.example.test");
	/* a comment after "by" that starts with "from" is no from clause */
	parse("by smx.example.test (from 192.0.2.1) id 5AQ5; date");
	ck_assert_int_eq(st.has_ip, 0);
}
END_TEST

START_TEST(exim_with_and_without_rdns)
{
	parse("from mail.example.org ([192.0.2.9] helo=mx.example.org)\n\tby relay.isp.example with esmtps (Exim 4.96) (envelope-from <a@b>) id 1abc; date");
	ck_assert_str_eq(ip(), "192.0.2.9");
	ck_assert_str_eq(st.from_name, "");
	ck_assert_str_eq(st.by, "relay.isp.example");
	parse("from [203.0.113.4] (helo=spam.example) by relay.isp.example with esmtp (Exim 4.96) id 2; date");
	ck_assert_str_eq(st.from, "[203.0.113.4]");
	ck_assert_str_eq(ip(), "203.0.113.4");
}
END_TEST

START_TEST(exim_incoming_port_stamps)
{
	/* received_header_text with +incoming_port: "[ip]:port" in $sender_rcvhost */
	parse("from mail.example.org ([192.0.2.1]:41234 helo=mx.example.org)\n\tby relay.isp.example with esmtps (Exim 4.96) id 1abc; date");
	ck_assert_str_eq(st.from, "mail.example.org");
	ck_assert_str_eq(ip(), "192.0.2.1");
	ck_assert_str_eq(st.from_name, "");
	ck_assert_str_eq(st.by, "relay.isp.example");
	parse("from mail.example.org ([192.0.2.2]:25) by relay.isp.example with esmtp (Exim 4.96) id 1abd; date");
	ck_assert_str_eq(ip(), "192.0.2.2");
	parse("from [192.0.2.3]:41234 (helo=spam.example) by relay.isp.example with esmtp (Exim 4.96) id 2; date");
	ck_assert_str_eq(st.from, "[192.0.2.3]:41234");
	ck_assert_str_eq(ip(), "192.0.2.3");
	ck_assert_str_eq(st.by, "relay.isp.example");
	parse("from [192.0.2.4]:587 by relay.isp.example with esmtp (Exim 4.96) id 3; date");
	ck_assert_str_eq(ip(), "192.0.2.4");
	parse("from mail6.example.org ([2001:db8::1]:41234 helo=mx6.example.org) by relay.isp.example with esmtp (Exim 4.96) id 4; date");
	ck_assert_str_eq(ip(), "2001:db8::1");
	parse("from [2001:db8::2]:41234 (helo=spam6.example) by relay.isp.example with esmtp (Exim 4.96) id 5; date");
	ck_assert_str_eq(ip(), "2001:db8::2");
	parse("from x ([IPv6:2001:db8::3]:65535) by relay.isp.example; date");
	ck_assert_str_eq(ip(), "2001:db8::3");
}
END_TEST

START_TEST(a_port_that_is_not_one_is_no_address)
{
	const char *bad[] = {
		"from x ([192.0.2.1]:) by y", "from x ([192.0.2.1]:65536) by y",
		"from x ([192.0.2.1]:123456) by y", "from x ([192.0.2.1]:41x) by y",
		"from x ([192.0.2.1]:-1) by y", "from x ([192.0.2.1]x) by y",
		"from x ([192.0.2.1]]:25) by y", "from x ([192.0.2.1:25]) by y",
		"from x ([192.0.2.1]:25:25) by y", "from [192.0.2.1]: (helo=x) by y",
		"from [192.0.2.1]:99999 by y", "from x (192.0.2.1:25) by y",
		"from x ([192.0.2.1) by y", "from x ([]:25) by y", NULL };
	const char **b;

	for (b = bad; *b; b++) {
		parse(*b);
		ck_assert_msg(!st.has_ip, "%s: took %s", *b, ip());
	}
}
END_TEST

START_TEST(exchange_bare_addresses)
{
	parse("from EXCH1.corp.example (10.0.0.1) by EXCH2.corp.example (10.0.0.2) with Microsoft SMTP Server (version=TLS1_2, cipher=X) id 15.1.2375.7; date");
	ck_assert_str_eq(st.from, "EXCH1.corp.example");
	ck_assert_str_eq(ip(), "10.0.0.1");
	ck_assert_str_eq(st.by, "EXCH2.corp.example");
}
END_TEST

START_TEST(qmail_forms)
{
	parse("(qmail 12345 invoked from network); 25 Nov 2026 10:00:00 -0000");
	ck_assert_str_eq(st.from, "");
	ck_assert_str_eq(st.by, "");
	ck_assert_int_eq(st.has_ip, 0);
	parse("from unknown (HELO claimed.example) (192.0.2.33) by mx.example.com with SMTP; date");
	ck_assert_str_eq(ip(), "192.0.2.33");
	ck_assert_str_eq(st.from_name, "");
	ck_assert_str_eq(st.by, "mx.example.com");
}
END_TEST

START_TEST(stamp_without_from)
{
	parse("by mx1.example.com (Postfix, from userid 1000) id 7; date");
	ck_assert_str_eq(st.from, "");
	ck_assert_str_eq(st.by, "mx1.example.com");
	ck_assert_int_eq(st.has_ip, 0);
}
END_TEST

START_TEST(the_helo_is_not_taken_as_the_address)
{
	parse("from [192.0.2.200] (rdns.example [198.51.100.1]) by mx1.example.com; date");
	ck_assert_str_eq(ip(), "198.51.100.1");               /* what the MTA saw wins */
	parse("from mx.example.org (mx.example.org [not-an-ip]) by mx1.example.com");
	ck_assert_int_eq(st.has_ip, 0);
}
END_TEST

START_TEST(garbage_and_hostile_values_never_crash)
{
	static char big[RCV_VALUE_MAX * 4];
	size_t i;

	parse("");
	ck_assert_str_eq(st.by, "");
	parse("from");
	parse("by");
	parse("from (((((((((((((((((((((((((((( by x");
	parse("from x (unterminated [192.0.2.1] by y");
	ck_assert_str_eq(ip(), "192.0.2.1");
	parse(";;;;((()))\\\\\\(");
	parse("from \x01\x02\xff (\xff\xfe [::ffff:192.0.2.1]) by \x7f");
	ck_assert_str_eq(ip(), "192.0.2.1");
	for (i = 0; i < sizeof(big) - 1; i++)
		big[i] = "from ab( [)"[i % 11];
	big[sizeof(big) - 1] = 0;
	rcv_parse(big, strlen(big), &st);
	ck_assert_int_eq(st.truncated, 1);
	memset(big, 'x', sizeof(big) - 1);
	memcpy(big, "from ", 5);
	rcv_parse(big, strlen(big), &st);
	ck_assert_uint_eq(strlen(st.from), MXG_NAME_MAX - 1);
}
END_TEST


static Suite *
suite(void)
{
	Suite *s = suite_create("received");
	TCase *t = tcase_create("received");

	tcase_add_test(t, postfix_stamp);
	tcase_add_test(t, postfix_unknown_client_and_ipv6);
	tcase_add_test(t, sendmail_may_be_forged);
	tcase_add_test(t, sendmail_authenticated_tls_and_no_helo);
	tcase_add_test(t, exim_with_and_without_rdns);
	tcase_add_test(t, exim_incoming_port_stamps);
	tcase_add_test(t, a_port_that_is_not_one_is_no_address);
	tcase_add_test(t, exchange_bare_addresses);
	tcase_add_test(t, qmail_forms);
	tcase_add_test(t, stamp_without_from);
	tcase_add_test(t, the_helo_is_not_taken_as_the_address);
	tcase_add_test(t, garbage_and_hostile_values_never_crash);
	suite_add_tcase(s, t);
	return s;
}

UNIT_MAIN(suite)
