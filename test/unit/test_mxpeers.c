/* test_mxpeers.c - peers from MX records: the immutable set, the logged
 * diff, the TTL of a raw answer, the {j} exclusion, the configuration keys,
 * and the classification order (whitelist file, MX peers, TrustedNetworks)
 * through session.c itself */
#include "autoconf.h"
#include <fcntl.h>
#include <arpa/nameser.h>
#include "config.h"
#include "log.h"
#include "mxpeers.h"
#include "session.h"
#include "unit.h"
#include "snapshot.h"
#include "wlcompile.h"

static struct mxp_peer
peer(const char *a, const char *domain, const char *host)
{
	struct mxp_peer p;

	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(addr_parse(a, &p.a), 0);
	snprintf(p.domain, sizeof(p.domain), "%s", domain);
	snprintf(p.host, sizeof(p.host), "%s", host);
	return p;
}

START_TEST(mxp_set_finds_each_address_once_first_domain_wins)
{
	struct mxp_peer v[] = {
		peer("192.0.2.25", "example.com", "mx2.example.net"),
		peer("2001:db8::25", "example.com", "mx2.example.net"),
		peer("192.0.2.25", "example.org", "mx9.example.org"),
		peer("10.0.0.1", "example.org", "mx3.example.org"),
	};
	struct mxp_set *s = mxp_set_new(v, 4);
	struct addr a;

	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(mxp_set_count(s), 3);
	addr_parse("192.0.2.25", &a);
	ck_assert_str_eq(mxp_set_find(s, &a)->domain, "example.com");
	addr_parse("2001:db8::25", &a);
	ck_assert_str_eq(mxp_set_find(s, &a)->host, "mx2.example.net");
	addr_parse("10.0.0.1", &a);
	ck_assert_ptr_nonnull(mxp_set_find(s, &a));
	addr_parse("192.0.2.26", &a);
	ck_assert_ptr_null(mxp_set_find(s, &a));
	addr_parse("::ffff:192.0.2.25", &a);        /* mapped: the IPv4 entry */
	ck_assert_ptr_nonnull(mxp_set_find(s, &a));
	mxp_set_put(s);
	s = mxp_set_new(NULL, 0);
	ck_assert_ptr_null(mxp_set_find(s, &a));
	mxp_set_put(s);
}
END_TEST

START_TEST(mxp_diff_names_what_was_added_and_removed)
{
	struct mxp_peer old[] = {
		peer("192.0.2.25", "example.com", "mx2.example.net"),
		peer("192.0.2.30", "example.com", "mx3.example.net"),
	};
	struct mxp_peer nw[] = {
		peer("192.0.2.25", "example.com", "mx2.example.net"),
		peer("192.0.2.31", "example.com", "mx3.example.net"),
		peer("192.0.2.40", "example.com", "mx4\n.example.net"),
	};
	struct str s;

	str_init(&s, 1000);
	ck_assert_uint_eq(mxp_diff(old, 2, nw, 3, &s), 3);
	ck_assert_str_eq(str_text(&s), "added 192.0.2.31 (mx3.example.net), 192.0.2.40 "
	    "(mx4\\x0a.example.net), removed 192.0.2.30 (mx3.example.net)");
	str_reset(&s);
	ck_assert_uint_eq(mxp_diff(old, 2, old, 2, &s), 0);
	ck_assert_str_eq(str_text(&s), "");
	ck_assert_uint_eq(mxp_diff(old, 2, NULL, 0, &s), 2);
	ck_assert_str_eq(str_text(&s), "removed 192.0.2.25 (mx2.example.net), 192.0.2.30 (mx3.example.net)");
	str_reset(&s);
	/* a host that moved to another name is a change too */
	nw[0] = peer("192.0.2.25", "example.com", "mx5.example.net");
	ck_assert_uint_eq(mxp_diff(old, 1, nw, 1, &s), 2);
	str_free(&s);
}
END_TEST

/* an MX reply for example.com: answers with TTL 300 and 60, one A of TTL 5 */
static const unsigned char mx_reply[] = {
	0x12, 0x34, 0x81, 0x80, 0, 1, 0, 3, 0, 0, 0, 0,
	7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 15, 0, 1,
	0xc0, 12, 0, 15, 0, 1, 0, 0, 0x01, 0x2c, 0, 7, 0, 10, 2, 'm', 'x', 0xc0, 12,
	0xc0, 12, 0, 15, 0, 1, 0, 0, 0, 60, 0, 8, 0, 20, 3, 'm', 'x', '2', 0xc0, 12,
	0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 192, 0, 2, 1,
};

START_TEST(mxp_ttl_is_the_smallest_of_the_type)
{
	unsigned ttl = 0;

	ck_assert_int_eq(mxp_ttl(mx_reply, sizeof(mx_reply), ns_t_mx, &ttl), 0);
	ck_assert_uint_eq(ttl, 60);
	ck_assert_int_eq(mxp_ttl(mx_reply, sizeof(mx_reply), ns_t_a, &ttl), 0);
	ck_assert_uint_eq(ttl, 5);
	ck_assert_int_eq(mxp_ttl(mx_reply, sizeof(mx_reply), ns_t_aaaa, &ttl), -1);
	ck_assert_int_eq(mxp_ttl(mx_reply, (int)sizeof(mx_reply) - 3, ns_t_a, &ttl), -1);
	ck_assert_int_eq(mxp_ttl(mx_reply, 11, ns_t_mx, &ttl), -1);
	ck_assert_int_eq(mxp_ttl(NULL, 0, ns_t_mx, &ttl), -1);
}
END_TEST

START_TEST(mxp_match_is_not_this_host_by_j)
{
	struct mxp_peer v[] = { peer("192.0.2.25", "example.com", "mx2.example.net") }, out;
	struct mxp *m = mxp_new();
	struct addr a;

	addr_parse("192.0.2.25", &a);
	ck_assert_int_eq(mxp_match(m, &a, "", &out), 0);   /* no set yet */
	mxp_swap(m, mxp_set_new(v, 1));
	ck_assert_int_eq(mxp_match(m, &a, "", &out), 1);
	ck_assert_str_eq(out.domain, "example.com");
	ck_assert_int_eq(mxp_match(m, &a, "mx1.example.com", &out), 1);
	ck_assert_int_eq(mxp_match(m, &a, "MX2.example.net.", &out), 0);
	mxp_swap(m, mxp_set_new(NULL, 0));                  /* swapped whole */
	ck_assert_int_eq(mxp_match(m, &a, "", &out), 0);
	mxp_stop(m);
}
END_TEST

static struct config *
load(const char *text)
{
	static struct cfg_errs errs;
	struct config *c = cfg_load(unit_write("mxguard.conf", text, strlen(text)), &errs);

	if (c == NULL && errs.n)
		fprintf(stderr, "# %s\n", errs.msg[0]);
	return c;
}

START_TEST(config_backup_mx_keys)
{
	struct config *c = load("BackupMXFor example.com Example.ORG\n");
	char many[2000] = "BackupMXFor";
	int i;

	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->backup_mx.n, 2);
	ck_assert_str_eq(c->backup_mx.v[1], "example.org");
	ck_assert_int_eq(c->backup_mx_trust, WL_RELAY);
	ck_assert_uint_eq(c->backup_mx_min_ttl, 60000);
	cfg_free(c);
	c = load("BackupMXTrust ok\nBackupMXMinTTL 5s\n");
	ck_assert_int_eq(c->backup_mx_trust, WL_OK);
	ck_assert_uint_eq(c->backup_mx_min_ttl, 5000);
	cfg_free(c);
	ck_assert_ptr_null(load("BackupMXTrust maybe\n"));
	ck_assert_ptr_null(load("BackupMXFor exa_mple..com\n"));
	ck_assert_ptr_null(load("BackupMXMinTTL 0s\n"));
	for (i = 0; i <= MXP_DOMAINS_MAX; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), " d%d.example", i);
	strcat(many, "\n");
	ck_assert_ptr_null(load(many));
}
END_TEST

/* classify ADDR with a session over c, whose MX peers are v */
static struct session *
connect_to(struct config *c, const char *addr, const char *j)
{
	struct session *s;
	struct addr a;

	c->refs++;
	s = sess_new(c);
	ck_assert_ptr_nonnull(s);
	addr_parse(addr, &a);
	sess_connect(s, &a, "unknown", j, NULL);
	return s;
}

START_TEST(classification_order_whitelist_then_mx_then_trusted)
{
	struct mxp_peer v[] = {
		peer("192.0.2.25", "example.com", "mx2.example.net"),
		peer("192.0.2.30", "example.com", "mx3.example.net"),
		peer("10.1.2.3", "example.com", "mx4.example.net"),
	};
	FILE *devnull = fopen("/dev/null", "w");
	const char *src = UNIT_WRITE("wl", "192.0.2.30 OK\n");
	struct session *s;
	struct config *c;
	char conf[600];

	ck_assert_int_eq(wlc_compile(src, unit_path("wl.cdb"), 0, devnull), 0);
	fclose(devnull);
	snprintf(conf, sizeof(conf), "Whitelist %s\nTrustedNetworks 10.0.0.0/8\nSPF no\n"
	    "LoopKeyFile /nonexistent/loop.key\n", unit_path("wl.cdb"));
	c = load(conf);
	ck_assert_ptr_nonnull(c);
	c->mxp = mxp_new();
	mxp_swap(c->mxp, mxp_set_new(v, 3));

	s = connect_to(c, "192.0.2.25", "mx1.example.com");
	ck_assert_int_eq(s->trust, TRUST_WHITELIST);
	ck_assert_str_eq(s->entry.text, "mx:example.com");
	ck_assert_int_eq(s->entry.kind, WL_RELAY);
	sess_free(s);
	s = connect_to(c, "192.0.2.30", "");             /* the file wins */
	ck_assert_int_eq(s->trust, TRUST_WHITELIST);
	ck_assert_str_eq(s->entry.text, "192.0.2.30");
	ck_assert_int_eq(s->entry.kind, WL_OK);
	sess_free(s);
	s = connect_to(c, "10.1.2.3", "");               /* MX peer before TrustedNetworks */
	ck_assert_int_eq(s->trust, TRUST_WHITELIST);
	ck_assert_str_eq(s->entry.text, "mx:example.com");
	sess_free(s);
	s = connect_to(c, "10.1.2.3", "mx4.example.net"); /* this host by {j}: only trusted */
	ck_assert_int_eq(s->trust, TRUST_NETWORK);
	sess_free(s);
	s = connect_to(c, "192.0.2.99", "");
	ck_assert_int_eq(s->trust, TRUST_NONE);
	sess_free(s);
	c->backup_mx_trust = WL_OK;
	s = connect_to(c, "192.0.2.25", "");
	ck_assert_int_eq(s->entry.kind, WL_OK);
	sess_free(s);
	cfg_free(c);
}
END_TEST

START_TEST(decision_line_addresses_are_bracketed_and_cut_where_the_log_cuts)
{
	char from[700], want[300], line[4096];
	struct session *s;
	struct config *c;
	struct verdict v = { ACT_ACCEPT, R_CLEAN, 0 };
	FILE *fp;
	int fd, saved;
	size_t n;

	c = load("SPF no\nLoopKeyFile /nonexistent/loop.key\n");
	ck_assert_ptr_nonnull(c);
	s = connect_to(c, "192.0.2.99", "");
	memset(from, 'x', 600);
	memcpy(from + 600, "@example.com", 13);
	ck_assert_int_eq(sess_mail(s, from, "QID1", NULL), 0);
	fd = open(unit_path("log"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	log_open("test", 0, 0, 1);
	sess_log_verdict(s, &v, "rcpt@example.org");
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
	fp = fopen(unit_path("log"), "r");
	ck_assert_ptr_nonnull(fp);
	n = fread(line, 1, sizeof(line) - 1, fp);
	line[n] = 0;
	fclose(fp);
	/* "<" and 199 bytes of the address: the log keeps 200, then "..." */
	snprintf(want, sizeof(want), " from=<%.199s... ", from);
	ck_assert_msg(strstr(line, want) != NULL, "%s", line);
	ck_assert_msg(strstr(line, " rcpt=<rcpt@example.org>") != NULL, "%s", line);
	sess_free(s);
	cfg_free(c);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("mxpeers");
	TCase *t = tcase_create("mxpeers");

	tcase_add_test(t, mxp_set_finds_each_address_once_first_domain_wins);
	tcase_add_test(t, mxp_diff_names_what_was_added_and_removed);
	tcase_add_test(t, mxp_ttl_is_the_smallest_of_the_type);
	tcase_add_test(t, mxp_match_is_not_this_host_by_j);
	tcase_add_test(t, config_backup_mx_keys);
	tcase_add_test(t, classification_order_whitelist_then_mx_then_trusted);
	tcase_add_test(t, decision_line_addresses_are_bracketed_and_cut_where_the_log_cuts);
	suite_add_tcase(s, t);
	return s;
}

UNIT_MAIN(suite)
