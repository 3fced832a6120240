/* test_relay.c - the origin hop of mail relayed by a RELAY peer (relay.c) */
#include "autoconf.h"
#include "received.h"
#include "relay.h"
#include "unit.h"

/* stamps - parse a set of header values, newest first */
static unsigned
stamps(const char **v, struct rcv_stamp *out)
{
	unsigned n = 0;

	for (; *v; v++)
		rcv_parse(*v, strlen(*v), &out[n++]);
	return n;
}

START_TEST(relay_origin_is_in_the_peers_own_stamp)
{
	static char *local[] = { "mx1.example.com" };
	struct rcv_stamp st2[8];
	const struct rcv_stamp *peer;
	char buf[64];
	const char *postfix[] = {            /* Postfix hides its own: the peer's is on top */
		"from spam.example (unknown [203.0.113.5]) by backup.example.net (Postfix) with ESMTP id 1; date",
		"from clean.example (clean.example [192.0.2.1]) by backup.example.net; forged by the sender",
		NULL };
	const char *sendmail[] = {           /* our own on top: a re-injection (content filter, MSP) */
		"from localhost (localhost [127.0.0.1]) by mx1.example.com (8.17.1/8.17.1) with ESMTP id 2; date",
		"from x (x.example [198.51.100.9]) by backup.example.net (8.17.1) id 3; date",
		NULL };
	const char *exim[] = {
		"from [2001:db8::66] (helo=x) by backup.example.net with esmtp (Exim 4.96) id 4; date", NULL };
	const char *exchange[] = {
		"from EXT1.example.org (203.0.113.77) by BACKUP.example.net (10.0.0.2) with Microsoft SMTP Server id 15.1; date", NULL };
	const char *none[] = { "by backup.example.net (Postfix, from userid 0) id 5; date", NULL };

	struct addr pa;

	ck_assert_int_eq(addr_parse("198.51.100.20", &pa), 0);
	ck_assert_int_eq(relay_origin(st2, stamps(postfix, st2), local, 1, &pa, &peer), 1);
	ck_assert_str_eq(addr_str(&peer->ip, buf, sizeof(buf)), "203.0.113.5");
	ck_assert_int_eq(relay_origin(st2, stamps(sendmail, st2), local, 1, &pa, &peer), 1);
	ck_assert_str_eq(addr_str(&peer->ip, buf, sizeof(buf)), "198.51.100.9");
	ck_assert_int_eq(relay_origin(st2, stamps(exim, st2), local, 1, &pa, &peer), 1);
	ck_assert_str_eq(addr_str(&peer->ip, buf, sizeof(buf)), "2001:db8::66");
	ck_assert_int_eq(relay_origin(st2, stamps(exchange, st2), local, 1, &pa, &peer), 1);
	ck_assert_str_eq(addr_str(&peer->ip, buf, sizeof(buf)), "203.0.113.77");
	ck_assert_int_eq(relay_origin(st2, stamps(none, st2), local, 1, &pa, &peer), 0);
	ck_assert_int_eq(relay_origin(st2, 0, local, 1, &pa, &peer), 0);
	ck_assert_ptr_null(peer);
}
END_TEST

/* origin_of - relay_origin over a chain, the peer at 198.51.100.20: the origin or "unknown" */
static const char *
origin_of(const char **chain)
{
	static char *local[] = { "mx1.example.com" };
	static char buf[64];
	struct rcv_stamp st2[12];
	const struct rcv_stamp *peer;
	struct addr pa;

	ck_assert_int_eq(addr_parse("198.51.100.20", &pa), 0);
	if (!relay_origin(st2, stamps(chain, st2), local, 1, &pa, &peer))
		return "unknown";
	return addr_str(&peer->ip, buf, sizeof(buf));
}

START_TEST(relay_origin_skips_the_peers_content_filter_hops)
{
	const char *postfix[] = {            /* content_filter = scan:[127.0.0.1]:10025, no amavis stamp */
		"from scan.backup.example.net (localhost [127.0.0.1]) by backup.example.net (Postfix) with ESMTP id B; date",
		"from spam.example (unknown [203.0.113.5]) by backup.example.net (Postfix) with ESMTP id A; date",
		"from clean.example (clean.example [192.0.2.1]) by backup.example.net; forged by the sender",
		NULL };
	const char *amavis[] = {             /* amavisd-new's own stamp says "by localhost" */
		"from localhost (localhost [127.0.0.1]) by backup.example.net (Postfix) with ESMTP id C; date",
		"from backup.example.net ([127.0.0.1]) by localhost (backup.example.net [127.0.0.1]) (amavisd-new, port 10024) with ESMTP id x; date",
		"from spam.example (unknown [203.0.113.6]) by backup.example.net (Postfix) with ESMTP id A; date",
		"from clean.example (clean.example [192.0.2.1]) by backup.example.net; forged by the sender",
		NULL };
	const char *ours_too[] = {           /* our own re-injection on top of the peer's */
		"from localhost (localhost [127.0.0.1]) by mx1.example.com (Postfix) with ESMTP id D; date",
		"from localhost (localhost [IPv6:::1]) by BACKUP.example.net. (Postfix) with ESMTP id C; date",
		"from backup.example.net ([127.0.0.1]) by localhost (amavisd-new, port 10024) with ESMTP id y; date",
		"from spam.example (unknown [2001:db8::7]) by backup.example.net (Postfix) with ESMTP id A; date",
		NULL };
	const char *own_address[] = {        /* re-injected through the peer's own (outside) address */
		"from backup.example.net (backup.example.net [198.51.100.20]) by backup.example.net (8.17.1/8.17.1) id E; date",
		"from spam.example (spam.example [203.0.113.8]) by backup.example.net (8.17.1/8.17.1) id F; date",
		NULL };
	const char *exim[] = {               /* Exim with +incoming_port, filter on ::1 */
		"from localhost ([::1]:41000 helo=backup.example.net) by backup.example.net with esmtp (Exim 4.96) id G; date",
		"from [203.0.113.9]:41234 (helo=spam.example) by backup.example.net with esmtp (Exim 4.96) id H; date",
		NULL };

	ck_assert_str_eq(origin_of(postfix), "203.0.113.5");
	ck_assert_str_eq(origin_of(amavis), "203.0.113.6");
	ck_assert_str_eq(origin_of(ours_too), "2001:db8::7");
	ck_assert_str_eq(origin_of(own_address), "203.0.113.8");
	ck_assert_str_eq(origin_of(exim), "203.0.113.9");
}
END_TEST

START_TEST(relay_origin_never_trusts_what_the_sender_wrote)
{
	const char *names[] = {              /* the origin calls itself localhost and the peer: not evidence */
		"from localhost (localhost [127.0.0.1]) by backup.example.net (Postfix) with ESMTP id B; date",
		"from localhost (backup.example.net [203.0.113.10]) by backup.example.net (Postfix) with ESMTP id A; date",
		"from clean.example (clean.example [192.0.2.1]) by backup.example.net; forged",
		NULL };
	const char *forged_internal[] = {    /* internal-looking stamps below the outside one: never skipped */
		"from localhost (localhost [127.0.0.1]) by backup.example.net (Postfix) with ESMTP id B; date",
		"from spam.example (unknown [203.0.113.11]) by backup.example.net (Postfix) with ESMTP id A; date",
		"from localhost (localhost [127.0.0.1]) by backup.example.net (Postfix) with ESMTP id FORGED; date",
		"from clean.example (clean.example [192.0.2.1]) by backup.example.net; forged",
		NULL };
	const char *forged_alone[] = {       /* no filter: a loopback stamp under the peer's is the sender's */
		"from spam.example (unknown [203.0.113.12]) by backup.example.net (Postfix) with ESMTP id A; date",
		"from localhost (localhost [127.0.0.1]) by backup.example.net (Postfix) with ESMTP id FORGED; date",
		NULL };
	const char *other_host[] = {         /* a loopback hop written by another host: not the peer's */
		"from localhost (localhost [127.0.0.1]) by backup.example.net (Postfix) with ESMTP id B; date",
		"from localhost (localhost [127.0.0.1]) by elsewhere.example.org (Postfix) with ESMTP id X; date",
		"from clean.example (clean.example [192.0.2.1]) by elsewhere.example.org; forged",
		NULL };
	const char *helo_brackets[] = {      /* a bracketed HELO is not the client the peer saw */
		"from localhost (localhost [127.0.0.1]) by backup.example.net (Postfix) with ESMTP id B; date",
		"from [127.0.0.1] (unknown [203.0.113.13]) by backup.example.net (Postfix) with ESMTP id A; date",
		NULL };

	ck_assert_str_eq(origin_of(names), "203.0.113.10");
	ck_assert_str_eq(origin_of(forged_internal), "203.0.113.11");
	ck_assert_str_eq(origin_of(forged_alone), "203.0.113.12");
	ck_assert_str_eq(origin_of(other_host), "unknown");
	ck_assert_str_eq(origin_of(helo_brackets), "203.0.113.13");
}
END_TEST

START_TEST(relay_origin_of_only_internal_hops_is_unknown)
{
	const char *filtered_local[] = {     /* the peer's own mail (pickup) through its content filter */
		"from localhost (localhost [127.0.0.1]) by backup.example.net (Postfix) with ESMTP id B; date",
		"by backup.example.net (Postfix, from userid 0) id A; date",
		"from clean.example (clean.example [192.0.2.1]) by backup.example.net; written by a local user",
		NULL };
	const char *loopback_only[] = {
		"from localhost (localhost [127.0.0.1]) by backup.example.net (Postfix) with ESMTP id B; date",
		"from localhost (localhost [127.0.0.1]) by backup.example.net (Postfix) with ESMTP id A; date",
		NULL };
	const char *itself[] = {             /* the peer sent it from its own address */
		"from backup.example.net (backup.example.net [198.51.100.20]) by backup.example.net (Postfix) id A; date",
		NULL };
	const char *no_by[] = {              /* a loopback stamp that names no receiver */
		"from localhost (localhost [127.0.0.1]); date",
		"from spam.example (unknown [203.0.113.14]) by backup.example.net (Postfix) with ESMTP id A; date",
		NULL };
	const char *ours_only[] = {
		"from localhost (localhost [127.0.0.1]) by mx1.example.com (Postfix) with ESMTP id D; date", NULL };

	ck_assert_str_eq(origin_of(filtered_local), "unknown");
	ck_assert_str_eq(origin_of(loopback_only), "unknown");
	ck_assert_str_eq(origin_of(itself), "unknown");
	ck_assert_str_eq(origin_of(no_by), "unknown");
	ck_assert_str_eq(origin_of(ours_only), "unknown");
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("relay");
	TCase *t = tcase_create("relay");

	tcase_add_test(t, relay_origin_is_in_the_peers_own_stamp);
	tcase_add_test(t, relay_origin_skips_the_peers_content_filter_hops);
	tcase_add_test(t, relay_origin_never_trusts_what_the_sender_wrote);
	tcase_add_test(t, relay_origin_of_only_internal_hops_is_unknown);
	suite_add_tcase(s, t);
	return s;
}

UNIT_MAIN(suite)
