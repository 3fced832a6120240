/*
 * test_resolver.c - the resolver thread and its cache, through the real
 * c-ares code path: each test starts a tiny DNS responder on a loopback UDP
 * port (in a private network namespace made before the tests fork) and a
 * resolver with small bounds, so eviction, the byte bound, the expiry sweep,
 * overload and in-flight sharing run in the suite.
 *
 * The responder answers by the first label of the name asked: "servfail"
 * SERVFAIL, "nx" NXDOMAIN, "slow" never, "delay" after 300 ms; else an A
 * record (127.0.0.2) or, for TXT, records chosen by resp_txt.
 */
#include "autoconf.h"
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ares.h>
#include <malloc.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>

#include "dnsbl.h"
#include "log.h"
#include "resolver.h"
#include "spf.h"
#include "stats.h"
#include "unit.h"

#define SPF_LEN   250                 /* the v=spf1 record of a "spf" TXT answer (the reply stays within 512 bytes) */
#define JUNK_LEN  160                 /* and the other TXT text around it */

static int net_ok;                    /* a private network namespace with lo up */

/* ---- the responder ---- */

struct delayed {
	unsigned char buf[512];
	size_t len;
	struct sockaddr_in to;
	struct timespec due;
};

static struct {
	int fd, port;
	pthread_t th;
	volatile int stop;
	unsigned ttl;                     /* of every record */
	unsigned long queries;            /* atomic */
	struct delayed later[64];
	int nlater;
} resp;

static size_t
put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
	return 2;
}

/* rr - an answer record (name: the question's) with RDATA of n bytes */
static size_t
rr(unsigned char *p, int type, const unsigned char *rdata, size_t n)
{
	size_t k = 0;

	p[k++] = 0xc0;
	p[k++] = 0x0c;
	k += put16(p + k, (unsigned)type);
	k += put16(p + k, 1);
	k += put16(p + k, resp.ttl >> 16);
	k += put16(p + k, resp.ttl & 0xffff);
	k += put16(p + k, (unsigned)n);
	memcpy(p + k, rdata, n);
	return k + n;
}

/* txt_rdata - TEXT as one record of 255-byte strings */
static size_t
txt_rdata(unsigned char *p, const char *text)
{
	size_t n = strlen(text), k = 0, c;

	while (n > 0) {
		c = n > 255 ? 255 : n;
		p[k++] = (unsigned char)c;
		memcpy(p + k, text, c);
		k += c;
		text += c;
		n -= c;
	}
	return k;
}

/* answer - the reply to one query of LEN bytes in Q (written into OUT) */
static size_t
answer(const unsigned char *q, size_t len, unsigned char *out, int *drop, int *delay)
{
	char first[64];
	size_t qend = 12, n = 0, k;
	int type;
	unsigned char rd[4096];
	char text[4096];

	*drop = *delay = 0;
	while (qend < len && q[qend] != 0)
		qend += q[qend] + 1u;
	qend += 5;
	if (len < 17 || qend > len)
		return 0;
	type = q[qend - 4] << 8 | q[qend - 3];
	snprintf(first, sizeof(first), "%.*s", q[12] < 63 ? q[12] : 63, (const char *)q + 13);
	memcpy(out, q, qend);
	out[2] = 0x81;
	out[3] = 0x80;
	memset(out + 6, 0, 6);
	k = qend;
	if (strncmp(first, "slow", 4) == 0)
		*drop = 1;
	*delay = strncmp(first, "delay", 5) == 0;
	if (strcmp(first, "servfail") == 0) {
		out[3] |= 2;
		return k;
	}
	if (strncmp(first, "nx", 2) == 0) {
		out[3] |= 3;
		return k;
	}
	if (type == ns_t_a) {
		static const unsigned char a[] = { 127, 0, 0, 2 };

		k += rr(out + k, type, a, 4);
		n = 1;
	} else if (type == ns_t_txt) {
		/* a junk record, the SPF record ("spf...") and more junk */
		memset(text, 'j', JUNK_LEN / 2);
		text[JUNK_LEN / 2] = 0;
		k += rr(out + k, type, rd, txt_rdata(rd, text));
		n++;
		if (strncmp(first, "spf", 3) == 0) {
			snprintf(text, sizeof(text), "v=spf1 include:%%{l}.x.%s", first);
			memset(text + strlen(text), ' ', SPF_LEN - strlen(text) - 5);
			memcpy(text + SPF_LEN - 5, " -all", 6);
			k += rr(out + k, type, rd, txt_rdata(rd, text));
			n++;
		}
		memset(text, 'k', JUNK_LEN / 2);
		text[JUNK_LEN / 2] = 0;
		k += rr(out + k, type, rd, txt_rdata(rd, text));
		n++;
	}
	put16(out + 6, (unsigned)n);
	return k;
}

static void *
responder(void *arg)
{
	unsigned char q[512], out[8192];
	struct sockaddr_in from;
	socklen_t fl;
	struct pollfd p;
	struct timespec now;
	ssize_t n;
	size_t len;
	int drop, delay, i;

	(void)arg;
	while (!resp.stop) {
		p.fd = resp.fd;
		p.events = POLLIN;
		poll(&p, 1, 20);
		clock_gettime(CLOCK_MONOTONIC, &now);
		for (i = 0; i < resp.nlater; i++)
			if (now.tv_sec > resp.later[i].due.tv_sec || (now.tv_sec == resp.later[i].due.tv_sec
			    && now.tv_nsec >= resp.later[i].due.tv_nsec)) {
				sendto(resp.fd, resp.later[i].buf, resp.later[i].len, 0,
				    (struct sockaddr *)&resp.later[i].to, sizeof(resp.later[i].to));
				resp.later[i--] = resp.later[--resp.nlater];
			}
		if (!(p.revents & POLLIN))
			continue;
		fl = sizeof(from);
		if ((n = recvfrom(resp.fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fl)) <= 0)
			continue;
		__atomic_fetch_add(&resp.queries, 1, __ATOMIC_SEQ_CST);
		if ((len = answer(q, (size_t)n, out, &drop, &delay)) == 0 || drop)
			continue;
		if (delay && resp.nlater < 64 && len <= sizeof(resp.later[0].buf)) {
			struct delayed *d = &resp.later[resp.nlater++];

			memcpy(d->buf, out, len);
			d->len = len;
			d->to = from;
			d->due = now;
			d->due.tv_nsec += 300000000L;
			if (d->due.tv_nsec >= 1000000000L) {
				d->due.tv_sec++;
				d->due.tv_nsec -= 1000000000L;
			}
			continue;
		}
		sendto(resp.fd, out, len, 0, (struct sockaddr *)&from, fl);
	}
	return NULL;
}

static unsigned long
queries(void)
{
	return __atomic_load_n(&resp.queries, __ATOMIC_SEQ_CST);
}

/* start - the responder and a resolver with LIM (NULL: the defaults) */
static struct dns_resolver *
start(const struct dns_limits *lim)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	struct dns_limits d;
	struct dns_resolver *r;
	char servers[64], err[200];

	ck_assert_msg(net_ok, "no private network namespace (the test needs root)");
	memset(&resp, 0, sizeof(resp));
	resp.ttl = 300;
	resp.fd = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(resp.fd, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(resp.fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(resp.fd, (struct sockaddr *)&sa, &sl), 0);
	resp.port = ntohs(sa.sin_port);
	ck_assert_int_eq(pthread_create(&resp.th, NULL, responder, NULL), 0);
	snprintf(servers, sizeof(servers), "127.0.0.1:%d", resp.port);
	if (lim == NULL) {
		dns_limits_default(&d);
		lim = &d;
	}
	r = dns_start(servers, 1000, lim, err, sizeof(err));
	ck_assert_msg(r != NULL, "%s", err);
	return r;
}

static void
stop(struct dns_resolver *r)
{
	dns_stop(r);
	resp.stop = 1;
	pthread_join(resp.th, NULL);
	close(resp.fd);
}

static struct dns_limits
limits(size_t bytes, unsigned entries, unsigned pending)
{
	struct dns_limits l;

	dns_limits_default(&l);
	l.cache_bytes = bytes;
	l.max_entries = entries;
	l.max_pending = pending;
	return l;
}

/* ask - look NAME up (TYPE), wait up to 2 s; the status; ANS filled, handle released */
static enum dns_status
ask(struct dns_resolver *r, const char *name, int type, struct dns_answer *ans)
{
	struct dns_query *q = type == ns_t_a ? dns_lookup_a(r, name, 1, 3600, NULL)
	    : dns_lookup(r, name, type);
	struct timespec dl;
	struct dns_answer a;

	dns_deadline(&dl, 2000);
	dns_wait(q, &dl, &a);
	if (ans)
		*ans = a;
	if (ans)
		ans->raw = NULL;              /* gone with the handle */
	dns_release(q);
	return a.status;
}

static struct dns_stats
stats_of(struct dns_resolver *r)
{
	struct dns_stats s;

	dns_get_stats(r, &s);
	return s;
}

/* ---- the tests ---- */

START_TEST(limits_default_are_the_documented_ones)
{
	struct dns_limits l;

	dns_limits_default(&l);
	ck_assert_uint_eq(l.cache_bytes, 8u << 20);
	ck_assert_uint_eq(l.max_entries, 100000);
	ck_assert_uint_eq(l.max_pending, 16384);
	ck_assert_uint_le(l.entry_bytes, l.cache_bytes);
}
END_TEST

START_TEST(answers_are_cached_and_concurrent_lookups_share_one_query)
{
	struct dns_resolver *r = start(NULL);
	struct dns_query *q1 = dns_lookup_a(r, "delay1.test", 60, 3600, NULL);
	struct dns_query *q2 = dns_lookup_a(r, "DELAY1.test", 60, 3600, NULL);
	struct dns_answer a;
	struct timespec dl;

	dns_deadline(&dl, 2000);
	dns_wait(q1, &dl, &a);
	ck_assert_int_eq(a.status, DNS_OK);
	dns_wait(q2, &dl, &a);
	ck_assert_int_eq(a.status, DNS_OK);
	dns_release(q1);
	dns_release(q2);
	ck_assert_int_eq(ask(r, "delay1.test", ns_t_a, NULL), DNS_OK);
	ck_assert_uint_eq(queries(), 1);
	ck_assert_uint_eq(stats_of(r).shared, 1);
	ck_assert_uint_eq(stats_of(r).hits, 1);
	stop(r);
}
END_TEST

START_TEST(least_recently_used_entries_go_past_the_entry_bound)
{
	struct dns_limits l = limits(8u << 20, 8, 4096);
	struct dns_resolver *r = start(&l);
	char name[64];
	int i;

	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "a%d.test", i);
		ck_assert_int_eq(ask(r, name, ns_t_a, NULL), DNS_OK);
		if (i >= 1)
			ck_assert_int_eq(ask(r, "a0.test", ns_t_a, NULL), DNS_OK);   /* kept in use */
	}
	ck_assert_uint_le(stats_of(r).entries, 8);
	ck_assert_uint_eq(queries(), 20);
	ck_assert_int_eq(ask(r, "a0.test", ns_t_a, NULL), DNS_OK);         /* still cached */
	ck_assert_int_eq(ask(r, "a19.test", ns_t_a, NULL), DNS_OK);
	ck_assert_uint_eq(queries(), 20);
	ck_assert_int_eq(ask(r, "a1.test", ns_t_a, NULL), DNS_OK);         /* evicted: asked again */
	ck_assert_uint_eq(queries(), 21);
	stop(r);
}
END_TEST

START_TEST(cache_is_bounded_in_bytes_whatever_the_answers)
{
	/* issue 12: a wildcard TXT and unique names grew the cache to 1 GB */
	struct dns_limits l = limits(64 << 10, 100000, 4096);
	struct dns_resolver *r;
	struct mallinfo2 m0, m1;
	struct dns_stats s;
	char name[64];
	int i;

	r = start(&l);
	m0 = mallinfo2();
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "spf%d.hostile.test", i);
		ck_assert_int_eq(ask(r, name, ns_t_txt, NULL), DNS_OK);
	}
	s = stats_of(r);
	m1 = mallinfo2();
	ck_assert_uint_le(s.bytes, 64 << 10);
	ck_assert_uint_lt(s.entries, 1000);
	ck_assert_uint_gt(s.evicted, 0);
	/* the heap as malloc sees it, not only the cache's own count */
	printf("# heap growth %zu bytes, cache %zu bytes in %u entries\n",
	    m1.uordblks - m0.uordblks, s.bytes, s.entries);
	ck_assert_msg(m1.uordblks < m0.uordblks + (64 << 10) + (64 << 10),
	    "heap grew by %zu bytes for a 64 KiB cache", m1.uordblks - m0.uordblks);
	stop(r);
}
END_TEST

START_TEST(only_spf_text_of_a_txt_answer_is_kept)
{
	struct dns_resolver *r = start(NULL);
	struct dns_query *q = dns_lookup(r, "spf1.hostile.test", ns_t_txt);
	struct dns_answer a;
	struct timespec dl;
	char why[160], first[SPF_LEN + 1];

	dns_deadline(&dl, 2000);
	dns_wait(q, &dl, &a);
	ck_assert_int_eq(a.status, DNS_OK);
	ck_assert_msg(a.rawlen < SPF_LEN + 100, "kept %d bytes of a %d-byte SPF record", a.rawlen,
	    SPF_LEN);
	ck_assert_int_eq(spf_parse_answer(ns_t_txt, &a, why, sizeof(why), first, sizeof(first)), 1);
	ck_assert_int_eq(strncmp(first, "v=spf1 include:%{l}.x.spf1 ", 27), 0);
	ck_assert_uint_eq(strlen(first), SPF_LEN);
	dns_release(q);

	/* no SPF record among the TXT: nothing kept, still "no records", not an error */
	q = dns_lookup(r, "junk.hostile.test", ns_t_txt);
	dns_wait(q, &dl, &a);
	ck_assert_int_eq(a.status, DNS_OK);
	ck_assert_int_lt(a.rawlen, 100);
	ck_assert_int_eq(spf_parse_answer(ns_t_txt, &a, why, sizeof(why), first, sizeof(first)), 0);
	dns_release(q);
	stop(r);
}
END_TEST

START_TEST(answers_larger_than_an_entry_may_be_are_not_cached)
{
	struct dns_limits l = limits(8u << 20, 100000, 4096);
	struct dns_resolver *r;

	l.entry_bytes = 160;                   /* the SPF answer keeps ~300 bytes, the other ~60 */
	r = start(&l);
	ck_assert_int_eq(ask(r, "spf1.hostile.test", ns_t_txt, NULL), DNS_OK);
	ck_assert_uint_eq(stats_of(r).entries, 0);
	ck_assert_int_eq(ask(r, "spf1.hostile.test", ns_t_txt, NULL), DNS_OK);
	ck_assert_uint_eq(queries(), 2);
	ck_assert_int_eq(ask(r, "junk.hostile.test", ns_t_txt, NULL), DNS_OK);
	ck_assert_uint_eq(stats_of(r).entries, 1);                          /* small: cached */
	stop(r);
}
END_TEST

START_TEST(expired_entries_are_swept_without_being_asked_again)
{
	struct dns_resolver *r = start(NULL);
	struct dns_query *q;
	struct dns_answer a;
	struct timespec dl;
	char name[64];
	int i;

	resp.ttl = 1;
	for (i = 0; i < 30; i++) {
		snprintf(name, sizeof(name), "t%d.test", i);
		q = dns_lookup_a(r, name, 1, 1, NULL);
		dns_deadline(&dl, 2000);
		dns_wait(q, &dl, &a);
		ck_assert_int_eq(a.status, DNS_OK);
		ck_assert_uint_eq(a.ttl, 1);
		dns_release(q);
	}
	ck_assert_uint_eq(stats_of(r).entries, 30);
	usleep(3000 * 1000);
	ck_assert_uint_eq(stats_of(r).entries, 0);
	ck_assert_uint_eq(stats_of(r).expired, 30);
	ck_assert_uint_eq(stats_of(r).bytes, 0);
	stop(r);
}
END_TEST

START_TEST(raw_answers_live_for_their_ttl_within_the_bounds)
{
	struct dns_limits l = limits(8u << 20, 100000, 4096);
	struct dns_resolver *r;
	struct dns_answer a;

	l.min_ttl = 1;
	l.max_ttl = 3600;
	r = start(&l);
	resp.ttl = 2;
	ck_assert_int_eq(ask(r, "spf1.hostile.test", ns_t_txt, &a), DNS_OK);
	ck_assert_uint_eq(a.ttl, 2);
	resp.ttl = 7200;
	ck_assert_int_eq(ask(r, "spf2.hostile.test", ns_t_txt, &a), DNS_OK);
	ck_assert_uint_eq(a.ttl, 3600);
	stop(r);
}
END_TEST

START_TEST(overload_fails_at_once_is_counted_and_logged_once)
{
	/* issue 12: past the in-flight bound every lookup failed, silently */
	struct dns_limits l = limits(8u << 20, 100000, 2);
	struct dns_resolver *r;
	struct dns_query *q1, *q2;
	struct timespec t0;
	char name[32], buf[4096];
	const char *path = unit_path("log");
	FILE *fp = fopen(path, "w+");
	size_t n;
	int i, lines = 0;
	char *p;

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_ge(dup2(fileno(fp), STDERR_FILENO), 0);
	log_open("test", 0, 0, 1);
	log_setlevel(LOG_WARNING);
	r = start(&l);
	q1 = dns_lookup_a(r, "slow1.test", 60, 3600, NULL);
	q2 = dns_lookup_a(r, "slow2.test", 60, 3600, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "x%d.test", i);
		ck_assert_int_eq(ask(r, name, ns_t_a, NULL), DNS_ERROR);
	}
	ck_assert_uint_lt(stats_since_us(&t0), 500000);                    /* at once */
	ck_assert_uint_eq(stats_of(r).overload, 50);
	dns_release(q1);
	dns_release(q2);
	stop(r);
	fflush(stderr);
	rewind(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = 0;
	for (p = buf; (p = strstr(p, "resolver overloaded")) != NULL; p++)
		lines++;
	ck_assert_msg(lines == 1, "want one warning, got %d in: %s", lines, buf);
	ck_assert_msg(strstr(buf, "2 queries in flight") != NULL, "%s", buf);
	fclose(fp);
}
END_TEST

START_TEST(default_bound_holds_2000_sessions_times_3_zones_in_flight)
{
	/* make bench e.: with 4096 in flight, 2000 sessions at once with 3
	 * zones each (6000 queries) had 2/3 of them fail at once as
	 * dns-error, with DNS answering in 900 ms, well within DNSTimeout */
	struct dns_resolver *r = start(NULL);
	static struct dns_query *q[6000];
	char name[32];
	int i, errors = 0;

	for (i = 0; i < 6000; i++) {
		struct timespec now;
		struct dns_answer a;

		snprintf(name, sizeof(name), "slow%d.bl%d.test", i / 3, i % 3);
		q[i] = dns_lookup_a(r, name, 60, 3600, NULL);
		dns_deadline(&now, 0);
		dns_wait(q[i], &now, &a);             /* no wait: failed at once, or still pending */
		errors += a.status == DNS_ERROR;
	}
	ck_assert_int_eq(errors, 0);
	ck_assert_uint_eq(stats_of(r).overload, 0);
	ck_assert_uint_eq(stats_of(r).pending, 6000);
	for (i = 0; i < 6000; i++)
		dns_release(q[i]);
	stop(r);
}
END_TEST

START_TEST(servfail_is_reported_and_counted_as_servfail)
{
	struct dns_resolver *r = start(NULL);
	struct dnsbl_zone_result z;
	struct dns_answer a;

	ck_assert_int_eq(ask(r, "servfail.bl.test", ns_t_a, &a), DNS_SERVFAIL);
	memset(&z, 0, sizeof(z));
	dnsbl_classify(&a, &z);
	ck_assert_str_eq(z.why, "servfail");
	ck_assert_int_eq(dnsbl_stats_result(&z), SR_SERVFAIL);
	ck_assert_int_eq(ask(r, "nx.bl.test", ns_t_a, NULL), DNS_NXDOMAIN);
	stop(r);
}
END_TEST

/* private_net - a network namespace of our own with lo up, before the forks */
static void
private_net(void)
{
	struct ifreq ifr;
	int s;

	if (unshare(CLONE_NEWNET) < 0 || (s = socket(AF_INET, SOCK_DGRAM, 0)) < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		net_ok = ioctl(s, SIOCSIFFLAGS, &ifr) == 0;
	}
	close(s);
}

static Suite *
resolver_suite(void)
{
	Suite *s = suite_create("resolver");
	TCase *t = tcase_create("cache");

	private_net();
	tcase_set_timeout(t, 20);
	tcase_add_test(t, limits_default_are_the_documented_ones);
	tcase_add_test(t, answers_are_cached_and_concurrent_lookups_share_one_query);
	tcase_add_test(t, least_recently_used_entries_go_past_the_entry_bound);
	tcase_add_test(t, cache_is_bounded_in_bytes_whatever_the_answers);
	tcase_add_test(t, only_spf_text_of_a_txt_answer_is_kept);
	tcase_add_test(t, answers_larger_than_an_entry_may_be_are_not_cached);
	tcase_add_test(t, expired_entries_are_swept_without_being_asked_again);
	tcase_add_test(t, raw_answers_live_for_their_ttl_within_the_bounds);
	tcase_add_test(t, overload_fails_at_once_is_counted_and_logged_once);
	tcase_add_test(t, default_bound_holds_2000_sessions_times_3_zones_in_flight);
	tcase_add_test(t, servfail_is_reported_and_counted_as_servfail);
	suite_add_tcase(s, t);
	return s;
}

UNIT_MAIN(resolver_suite)
