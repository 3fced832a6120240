/* test_loop.c - header sets fed to a message (msg.c) and the loop verdicts they must get */
#include "autoconf.h"
#include "loop.h"
#include "msg.h"
#include "unit.h"

#define MAXH 64

struct lcase {
	const char *name;
	const char *headers[MAXH];      /* "Name: value", top (newest) first */
	const char *rcpts[4];
	int loop;                        /* expected */
	unsigned passes;                 /* expected; 0: do not check */
	const char *why;                 /* expected, or NULL */
};

static char *local[] = { "mx1.example.com", "mx1" };

/* run - the header fields and recipients into a message, as the milter
 * hands them (the value without the blank after the colon), then check */
static void
run(const struct lcase *c, unsigned max_received, struct loop_verdict *v)
{
	struct msg *m = msg_new(TRUST_NONE, "<s@example.net>", "Q1");
	char name[64];
	size_t i;

	ck_assert_ptr_nonnull(m);
	for (i = 0; i < MAXH && c->headers[i]; i++) {
		const char *colon = strchr(c->headers[i], ':');
		size_t n = (size_t)(colon - c->headers[i]);

		snprintf(name, sizeof(name), "%.*s", (int)n, c->headers[i]);
		msg_add_header(m, name, colon[1] == ' ' ? colon + 2 : colon + 1);
	}
	for (i = 0; i < 4 && c->rcpts[i]; i++)
		msg_add_rcpt(m, c->rcpts[i]);
	msg_check_loop(m, local, 2, max_received, 3);
	ck_assert_int_eq(m->loop_done, 1);
	*v = m->loop;
	msg_free(m);
}

#define R(from, by) "Received: from " from " (" from " [192.0.2.1]) by " by " (Postfix) with ESMTP id X; Wed, 25 Nov 2026"

static const struct lcase cases[] = {
	{ "distinct hops pass",
	  { R("a.example", "b.example"), R("c.example", "a.example"), "Subject: hi" },
	  { "<u@example.com>" }, 0, 1, NULL },
	{ "own MX + content filter + own MX is one pass",
	  { R("localhost", "mx1.example.com"), R("mx1.example.com", "localhost"),
	    R("client.example", "mx1.example.com"), R("origin.example", "client.example") },
	  { "<u@example.com>" }, 0, 1, NULL },
	{ "backup <-> relay ping-pong: second arrival passes",
	  { R("backup", "relay.isp.example"), R("origin.example", "mx1.example.com"),
	    R("sender.example", "origin.example") },
	  { "<u@example.com>" }, 0, 2, NULL },
	{ "backup <-> relay ping-pong: third arrival is a loop",
	  { R("mx1", "relay.isp.example"), R("relay.isp.example", "MX1.Example.COM."),
	    R("mx1", "relay.isp.example"), R("origin.example", "mx1.example.com"),
	    R("sender.example", "origin.example") },
	  { "<u@example.com>" }, 1, 3, "loop: 3rd pass through MX1.Example.COM." },
	{ "mailing list round trip through the own host passes",
	  { R("lists.example.com", "mx1.example.com"), "List-Id: <team.example.com>",
	    R("localhost", "lists.example.com"), R("mx1.example.com", "localhost"),
	    R("client.example", "mx1.example.com") },
	  { "<member@example.com>" }, 0, 2, NULL },
	{ "Delivered-To naming a current recipient is a loop",
	  { R("relay.isp.example", "backup.example.net"), "Delivered-To: u@example.com",
	    R("mx1.example.com", "relay.isp.example") },
	  { "<other@example.com>", "<U@Example.com>" }, 1, 0, "loop: Delivered-To <U@Example.com>" },
	{ "Delivered-To for someone else is no loop",
	  { "Delivered-To: alias@example.com", R("a.example", "b.example") },
	  { "<u@example.com>" }, 0, 1, NULL },
	{ "folded, malformed and qmail stamps are counted and survive",
	  { "Received: from a.example\r\n\t(a.example [192.0.2.9])\r\n\tby b.example; date",
	    "Received: ((((garbage", "Received: (qmail 123 invoked from network); date",
	    "Received:", "RECEIVED: from x by y" },
	  { "<u@example.com>" }, 0, 1, NULL },
	{ "Received-SPF is not a Received field",
	  { "Received-SPF: pass (mx1.example.com: domain of a@b designates 192.0.2.1)",
	    R("a.example", "b.example") },
	  { "<u@example.com>" }, 0, 1, NULL },
};

START_TEST(table_of_header_sets)
{
	size_t i;
	struct loop_verdict v;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run(&cases[i], 20, &v);
		ck_assert_msg(v.loop == cases[i].loop, "%s: loop=%d (%s)", cases[i].name, v.loop, v.why);
		if (cases[i].passes)
			ck_assert_msg(v.passes == cases[i].passes, "%s: passes=%u", cases[i].name, v.passes);
		if (cases[i].why)
			ck_assert_msg(strcmp(v.why, cases[i].why) == 0, "%s: why=%s", cases[i].name, v.why);
	}
}
END_TEST

/* hops - n distinct foreign hops */
static struct lcase
hops(unsigned n)
{
	static char text[MAXH][128];
	struct lcase c;
	unsigned i;

	memset(&c, 0, sizeof(c));
	for (i = 0; i < n && i < MAXH - 1; i++) {
		snprintf(text[i], sizeof(text[i]), "Received: from h%u.example by h%u.example; date", i + 1, i);
		c.headers[i] = text[i];
	}
	c.rcpts[0] = "<u@example.com>";
	return c;
}

START_TEST(count_rule_boundaries)
{
	struct loop_verdict v;
	struct lcase c;

	c = hops(19);
	run(&c, 20, &v);
	ck_assert_int_eq(v.loop, 0);                 /* LoopMaxReceived - 1 */
	ck_assert_uint_eq(v.received, 19);
	c = hops(20);
	run(&c, 20, &v);
	ck_assert_int_eq(v.loop, 1);                 /* LoopMaxReceived */
	ck_assert_str_eq(v.why, "loop: 20 Received headers");
	c = hops(25);
	run(&c, 20, &v);
	ck_assert_int_eq(v.loop, 1);
	ck_assert_str_eq(v.why, "loop: 25 Received headers");
	c = hops(25);
	run(&c, 0, &v);                              /* 0 switches the rule off */
	ck_assert_int_eq(v.loop, 0);
}
END_TEST

START_TEST(sendmail_shows_its_own_stamp_and_it_joins_this_arrival)
{
	static const struct lcase c = {
		"sendmail", { R("relay.isp.example", "mx1.example.com"), R("a.example", "relay.isp.example") },
		{ "<u@example.com>" }, 0, 1, NULL };
	struct loop_verdict v;

	run(&c, 20, &v);
	ck_assert_uint_eq(v.passes, 1);
}
END_TEST

START_TEST(ordinals)
{
	static const struct lcase c = {
		"many", { R("r", "mx1"), R("r", "x"), R("r", "mx1"), R("r", "x"), R("r", "mx1"),
		R("r", "x"), R("r", "mx1"), R("r", "x"), R("r", "mx1"), R("r", "x"), R("r", "mx1"),
		R("r", "x"), R("r", "mx1"), R("r", "x"), R("r", "mx1"), R("r", "x"), R("r", "mx1"),
		R("r", "x"), R("r", "mx1"), R("r", "x"), R("r", "mx1"), R("r", "x") },
		{ "<u@example.com>" }, 1, 0, NULL };
	struct loop_verdict v;

	run(&c, 100, &v);
	ck_assert_uint_eq(v.passes, 11);
	ck_assert_str_eq(v.why, "loop: 11th pass through mx1");
}
END_TEST

START_TEST(foreign_x_mxguard_fields_are_counted_and_a_flood_is_named)
{
	struct msg *m = msg_new(TRUST_NONE, "<s@example.net>", "Q2");
	unsigned i;

	ck_assert_ptr_nonnull(m);
	for (i = 0; i < MSG_XMXGUARD_MAX; i++)
		msg_add_header(m, i % 2 ? "x-mxguard" : "X-Mxguard", "reason=clean");
	msg_add_header(m, "Received", "from a (a [192.0.2.1]) by b; date");
	ck_assert_uint_eq(m->nxmxguard, MSG_XMXGUARD_MAX);
	ck_assert_uint_eq(m->nreceived, 1);
	ck_assert_int_eq(msg_xmxguard_flood(m), 0);
	msg_add_header(m, "X-Mxguard", "one more");
	ck_assert_int_eq(msg_xmxguard_flood(m), 1);
	msg_free(m);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("loop");
	TCase *t = tcase_create("loop");

	tcase_add_test(t, table_of_header_sets);
	tcase_add_test(t, count_rule_boundaries);
	tcase_add_test(t, sendmail_shows_its_own_stamp_and_it_joins_this_arrival);
	tcase_add_test(t, ordinals);
	tcase_add_test(t, foreign_x_mxguard_fields_are_counted_and_a_flood_is_named);
	suite_add_tcase(s, t);
	return s;
}

UNIT_MAIN(suite)
