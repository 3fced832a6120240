/* test_loop.c - header sets and pass marks fed to a message (msg.c) and the loop verdicts they must get */
#include "autoconf.h"

#include <time.h>

#include "loop.h"
#include "mark.h"
#include "msg.h"
#include "unit.h"

#define MAXH 64
#define NOW ((int64_t)1795000000)
#define SELF "mx1.example.com"

struct lcase {
	const char *name;
	const char *headers[MAXH];      /* "Name: value", top (newest) first */
	const char *rcpts[4];
	int loop;                        /* expected */
	unsigned passes;                 /* expected; 0: do not check */
	const char *why;                 /* expected, or NULL */
};

static struct mark_key key, other_key;

/* keys - ours, and another site's */
static void
keys(void)
{
	unsigned char a[32], b[32];

	memset(a, 0x5a, sizeof(a));
	memset(b, 0xa5, sizeof(b));
	ck_assert_int_eq(mark_key_set(&key, a, sizeof(a)), 0);
	ck_assert_int_eq(mark_key_set(&other_key, b, sizeof(b)), 0);
}

/* feed - the header fields and recipients into a new message, as the
 * milter hands them (the value without the blank after the colon) */
static struct msg *
feed(const char *const *headers, size_t nh, const char *const *rcpts, size_t nr)
{
	struct msg *m = msg_new(TRUST_NONE, "<s@example.net>", "Q1");
	char name[64];
	size_t i;

	ck_assert_ptr_nonnull(m);
	for (i = 0; i < nr && rcpts[i]; i++)
		msg_add_rcpt(m, rcpts[i]);
	for (i = 0; i < nh && headers[i]; i++) {
		const char *colon = strchr(headers[i], ':');
		size_t n = (size_t)(colon - headers[i]);

		snprintf(name, sizeof(name), "%.*s", (int)n, headers[i]);
		msg_add_header(m, name, colon[1] == ' ' ? colon + 2 : colon + 1);
	}
	return m;
}

/* check - the loop verdict of a message at NOW under k */
static void
check(struct msg *m, const struct mark_key *k, unsigned max_received)
{
	struct msg_loop_conf c = { k, NOW, 2 * 86400, SELF, max_received, 3 };

	msg_check_loop(m, &c);
	ck_assert_int_eq(m->loop_done, 1);
}

static void
run(const struct lcase *c, unsigned max_received, struct loop_verdict *v)
{
	struct msg *m = feed(c->headers, MAXH, c->rcpts, 4);

	check(m, &key, max_received);
	*v = m->loop;
	msg_free(m);
}

/* mark - a pass mark for a message with this Message-ID and recipients */
static void
mark(const struct mark_key *k, const char *msgid, const char *const *rcpts, size_t nr,
    const char *host, int64_t when, char out[MARK_VALUE_MAX])
{
	struct mark_rcpts r;
	struct mark_bind b;
	size_t i;

	memset(&r, 0, sizeof(r));
	for (i = 0; i < nr; i++)
		mark_rcpts_add(&r, rcpts[i]);
	ck_assert_int_eq(mark_bind(msgid, &r, &b), 0);
	ck_assert_int_eq(mark_make(k, &b, host, when, out), 0);
	mark_rcpts_free(&r);
}

#define R(from, by) "Received: from " from " (" from " [192.0.2.1]) by " by " (Postfix) with ESMTP id X; Wed, 25 Nov 2026"

static const struct lcase cases[] = {
	{ "distinct hops pass",
	  { R("a.example", "b.example"), R("c.example", "a.example"), "Subject: hi" },
	  { "<u@example.com>" }, 0, 1, NULL },
	{ "stamps by this host's own names are no passes: only marks are",
	  { R("mx1", "relay.isp.example"), R("relay.isp.example", "MX1.Example.COM."),
	    R("mx1", "relay.isp.example"), R("origin.example", "mx1.example.com"),
	    R("sender.example", "origin.example") },
	  { "<u@example.com>" }, 0, 1, NULL },
	{ "forged stamps by localhost.evil.example and LOCALHOST. are no passes (issue 13)",
	  { R("a.example", "localhost.evil.example"), R("b.example", "x.example"),
	    R("c.example", "LOCALHOST."), R("d.example", "y.example") },
	  { "<u@example.com>" }, 0, 1, NULL },
	{ "two sites' amavis 'by localhost' runs are no passes (issue 13)",
	  { R("localhost", "mx.site-b.example"), "Received: from mx.site-b.example (localhost [127.0.0.1]) by localhost (amavisd-new, port 10024); date",
	    R("mx.site-a.example", "mx.site-b.example"),
	    R("localhost", "mx.site-a.example"), "Received: from mx.site-a.example (localhost [127.0.0.1]) by localhost (amavisd-new, port 10024); date",
	    R("client.example", "mx.site-a.example") },
	  { "<u@example.com>" }, 0, 1, NULL },
	{ "Delivered-To naming a current recipient is a loop",
	  { R("relay.isp.example", "backup.example.net"), "Delivered-To: u@example.com",
	    R("mx1.example.com", "relay.isp.example") },
	  { "<other@example.com>", "<U@Example.com>" }, 1, 1, "loop: Delivered-To <U@Example.com>" },
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
	{ "forged pass marks count for nothing",
	  { "X-Mxguard-Pass: v=1; k=00000000; t=1795000000; h=mx1.example.com; m=00000000000000000000000000000000",
	    "X-Mxguard-Pass: v=1; k=00000000; t=1795000001; h=mx1.example.com; m=00000000000000000000000000000001",
	    "X-Mxguard-Pass: garbage", "Message-ID: <a@b>" },
	  { "<u@example.com>" }, 0, 1, NULL },
};

START_TEST(table_of_header_sets)
{
	size_t i;
	struct loop_verdict v;

	keys();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run(&cases[i], 20, &v);
		ck_assert_msg(v.loop == cases[i].loop, "%s: loop=%d (%s)", cases[i].name, v.loop, v.why);
		ck_assert_msg(v.proven == 0, "%s: proven", cases[i].name);
		if (cases[i].passes)
			ck_assert_msg(v.passes == cases[i].passes, "%s: passes=%u", cases[i].name, v.passes);
		if (cases[i].why)
			ck_assert_msg(strcmp(v.why, cases[i].why) == 0, "%s: why=%s", cases[i].name, v.why);
	}
}
END_TEST

START_TEST(localhost_is_never_this_host)
{
	static char *local[] = { "mx1.example.com", "mx1" };

	ck_assert_int_eq(loop_is_local("localhost", local, 2), 0);
	ck_assert_int_eq(loop_is_local("LOCALHOST.", local, 2), 0);
	ck_assert_int_eq(loop_is_local("localhost.evil.example", local, 2), 0);
	ck_assert_int_eq(loop_is_local("[127.0.0.1]", local, 2), 0);
	ck_assert_int_eq(loop_is_local("MX1.example.com.", local, 2), 1);
	ck_assert_int_eq(loop_is_local("", local, 2), 0);
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

	keys();
	c = hops(19);
	run(&c, 20, &v);
	ck_assert_int_eq(v.loop, 0);                 /* LoopMaxReceived - 1 */
	ck_assert_uint_eq(v.received, 19);
	c = hops(20);
	run(&c, 20, &v);
	ck_assert_int_eq(v.loop, 1);                 /* LoopMaxReceived */
	ck_assert_int_eq(v.proven, 0);               /* forgeable: not proof */
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

/* marked - a message with Message-ID <id@x>, recipient u@example.com and
 * these mark values on top, checked under k */
static struct msg *
marked(char vals[][MARK_VALUE_MAX], size_t n, const struct mark_key *k)
{
	const char *h[MAXH];
	static const char *rcpt[] = { "<u@example.com>" };
	size_t i;

	ck_assert_uint_lt(n, MAXH - 2);
	for (i = 0; i < n; i++) {
		static char buf[MAXH][MARK_VALUE_MAX + 32];

		snprintf(buf[i], sizeof(buf[i]), "X-Mxguard-Pass: %.*s", MARK_VALUE_MAX - 1, vals[i]);
		h[i] = buf[i];
	}
	h[n] = "Message-ID: <id@x>";
	h[n + 1] = NULL;
	{
		struct msg *m = feed(h, n + 2, rcpt, 1);

		check(m, k, 20);
		return m;
	}
}

START_TEST(passes_are_valid_marks_plus_one)
{
	static const char *rcpt[] = { "u@example.com" };
	char v[3][MARK_VALUE_MAX];
	struct msg *m;

	keys();
	mark(&key, "<id@x>", rcpt, 1, "mx2.example.com", NOW - 60, v[0]);
	mark(&key, "<id@x>", rcpt, 1, "mx1.example.com", NOW - 120, v[1]);
	m = marked(v, 1, &key);
	ck_assert_uint_eq(m->loop.passes, 2);
	ck_assert_int_eq(m->loop.loop, 0);
	msg_free(m);
	m = marked(v, 2, &key);
	ck_assert_uint_eq(m->loop.passes, 3);
	ck_assert_int_eq(m->loop.loop, 1);
	ck_assert_int_eq(m->loop.proven, 1);
	/* named after the newest mark's host: a pass through any host of the set */
	ck_assert_str_eq(m->loop.why, "loop: 3rd pass through mx2.example.com");
	ck_assert_uint_eq(m->tally.valid, 2);
	msg_free(m);
	/* the same mark twice is one pass */
	memcpy(v[1], v[0], MARK_VALUE_MAX);
	m = marked(v, 2, &key);
	ck_assert_uint_eq(m->loop.passes, 2);
	ck_assert_uint_eq(m->tally.duplicates, 1);
	msg_free(m);
}
END_TEST

START_TEST(marks_of_another_key_message_or_recipient_do_not_count)
{
	static const char *rcpt[] = { "u@example.com" }, *other[] = { "v@example.com" };
	char v[4][MARK_VALUE_MAX];
	struct msg *m;

	keys();
	mark(&other_key, "<id@x>", rcpt, 1, "mx1.example.com", NOW - 60, v[0]);
	mark(&key, "<other@x>", rcpt, 1, "mx1.example.com", NOW - 60, v[1]);
	mark(&key, "<id@x>", other, 1, "mx1.example.com", NOW - 60, v[2]);
	mark(&key, "<id@x>", rcpt, 1, "mx1.example.com", NOW - 3 * 86400, v[3]);
	m = marked(v, 4, &key);
	ck_assert_uint_eq(m->loop.passes, 1);
	ck_assert_int_eq(m->loop.loop, 0);
	ck_assert_uint_eq(m->tally.n[MARK_FOREIGN], 1);
	ck_assert_uint_eq(m->tally.n[MARK_MISMATCH], 2);
	ck_assert_uint_eq(m->tally.n[MARK_EXPIRED], 1);
	msg_free(m);
	/* the other site counts its own */
	m = marked(v, 1, &other_key);
	ck_assert_uint_eq(m->loop.passes, 2);
	msg_free(m);
}
END_TEST

START_TEST(without_a_key_no_mark_counts)
{
	static const char *rcpt[] = { "u@example.com" };
	struct mark_key none;
	char v[2][MARK_VALUE_MAX];
	struct msg *m;

	keys();
	memset(&none, 0, sizeof(none));
	mark(&key, "<id@x>", rcpt, 1, "mx1.example.com", NOW - 60, v[0]);
	mark(&key, "<id@x>", rcpt, 1, "mx1.example.com", NOW - 90, v[1]);
	m = marked(v, 2, &none);
	ck_assert_uint_eq(m->loop.passes, 1);
	ck_assert_int_eq(m->loop.loop, 0);
	msg_free(m);
}
END_TEST

START_TEST(a_thousand_forged_marks_are_bounded)
{
	static const char *rcpt[] = { "<u@example.com>" };
	struct msg *m = feed(NULL, 0, rcpt, 1);
	char big[2000];
	clock_t t0 = clock();
	unsigned i;

	keys();
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	msg_add_header(m, "X-Mxguard-Pass", big);          /* kept cut: stays bad */
	for (i = 1; i < 1000; i++)
		msg_add_header(m, i % 2 ? "X-Mxguard-Pass" : "x-mxguard-pass",
		    "v=1; k=00000000; t=1795000000; h=mx1.example.com; m=00000000000000000000000000000000");
	msg_add_header(m, "Message-ID", "<id@x>");
	ck_assert_uint_eq(m->nmarks, MSG_MARKS_MAX);
	ck_assert_uint_eq(m->marks_dropped, 1000 - MSG_MARKS_MAX);
	ck_assert_uint_eq(strlen(m->marks[0]), MARK_VALUE_MAX + 1);
	check(m, &key, 20);
	ck_assert_uint_eq(m->loop.passes, 1);
	ck_assert_int_eq(m->loop.loop, 0);
	ck_assert_uint_eq(m->tally.n[MARK_BAD], 1);
	ck_assert_uint_eq(m->tally.n[MARK_FOREIGN], MSG_MARKS_MAX - 1);
	ck_assert_uint_eq(m->tally.dropped, 1000 - MSG_MARKS_MAX);
	ck_assert_uint_eq(m->nxmxguard, 0);                 /* not X-Mxguard fields */
	msg_free(m);
	ck_assert_msg((double)(clock() - t0) / CLOCKS_PER_SEC < 0.5, "took %.3f s",
	    (double)(clock() - t0) / CLOCKS_PER_SEC);
}
END_TEST

START_TEST(the_mark_a_pass_makes_counts_on_the_next_arrival)
{
	static const char *rcpt[] = { "<U@Example.com>", "<v@example.com>" };
	char val[MARK_VALUE_MAX], hdr[MARK_VALUE_MAX + 32];
	const char *h[3];
	struct msg *m;

	keys();
	m = feed((const char *[]){ "Message-ID: <id@x>" }, 1, rcpt, 2);
	check(m, &key, 20);
	ck_assert_int_eq(msg_pass_mark(m, &key, SELF, NOW - 30, val), 0);
	msg_free(m);
	snprintf(hdr, sizeof(hdr), "X-Mxguard-Pass: %.*s", MARK_VALUE_MAX - 1, val);
	h[0] = hdr;
	h[1] = "Message-ID:  <id@x> ";
	h[2] = NULL;
	/* recipients in another order and case: the same set */
	m = feed(h, 3, (const char *[]){ "<v@example.com>", "<u@example.com>" }, 2);
	check(m, &key, 20);
	ck_assert_uint_eq(m->loop.passes, 2);
	ck_assert_str_eq(m->tally.host, SELF);
	msg_free(m);
	/* no key: no mark made */
	{
		struct mark_key none;

		memset(&none, 0, sizeof(none));
		m = feed(NULL, 0, rcpt, 1);
		ck_assert_int_eq(msg_pass_mark(m, &none, SELF, NOW, val), -1);
		msg_free(m);
	}
}
END_TEST

START_TEST(passes_within_one_second_make_distinct_marks)
{
	char v[3][MARK_VALUE_MAX];
	struct msg *m;

	keys();
	/* pass 1, 2 and 3 of a fast loop, all at NOW */
	m = marked(v, 0, &key);
	ck_assert_int_eq(msg_pass_mark(m, &key, SELF, NOW, v[0]), 0);
	msg_free(m);
	m = marked(v, 1, &key);
	ck_assert_uint_eq(m->loop.passes, 2);
	ck_assert_int_eq(msg_pass_mark(m, &key, SELF, NOW, v[2]), 0);
	ck_assert_str_ne(v[2], v[0]);
	msg_free(m);
	memcpy(v[1], v[0], MARK_VALUE_MAX);
	memcpy(v[0], v[2], MARK_VALUE_MAX);          /* newest on top */
	m = marked(v, 2, &key);
	ck_assert_uint_eq(m->loop.passes, 3);
	ck_assert_int_eq(m->loop.proven, 1);
	msg_free(m);
}
END_TEST

START_TEST(ordinals)
{
	static const char *rcpt[] = { "u@example.com" };
	char v[12][MARK_VALUE_MAX];
	struct msg *m;
	unsigned i;

	keys();
	for (i = 0; i < 10; i++)
		mark(&key, "<id@x>", rcpt, 1, "mx1", NOW - 60 * (i + 1), v[i]);
	m = marked(v, 10, &key);
	ck_assert_uint_eq(m->loop.passes, 11);
	ck_assert_str_eq(m->loop.why, "loop: 11th pass through mx1");
	msg_free(m);
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
	msg_add_header(m, "X-Mxguard-Pass", "v=1; k=00000000; t=1; h=a; m=00");
	ck_assert_uint_eq(m->nxmxguard, MSG_XMXGUARD_MAX);
	ck_assert_uint_eq(m->nreceived, 1);
	ck_assert_uint_eq(m->nmarks, 1);
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
	tcase_add_test(t, localhost_is_never_this_host);
	tcase_add_test(t, count_rule_boundaries);
	tcase_add_test(t, passes_are_valid_marks_plus_one);
	tcase_add_test(t, marks_of_another_key_message_or_recipient_do_not_count);
	tcase_add_test(t, without_a_key_no_mark_counts);
	tcase_add_test(t, a_thousand_forged_marks_are_bounded);
	tcase_add_test(t, the_mark_a_pass_makes_counts_on_the_next_arrival);
	tcase_add_test(t, passes_within_one_second_make_distinct_marks);
	tcase_add_test(t, ordinals);
	tcase_add_test(t, foreign_x_mxguard_fields_are_counted_and_a_flood_is_named);
	suite_add_tcase(s, t);
	return s;
}

UNIT_MAIN(suite)
