/*
 * mtload.c - load generator for milters: many SMTP sessions at once, each
 * on its own filter connection as Postfix does, spoken by mtsess.c; one
 * thread, non-blocking sockets, epoll.
 *
 *   mtload -s SOCKET [-c CONCURRENCY] [-n TOTAL] [-a FIRST_IP] [-k COUNT]
 *          [-t SESSION_MS] [-T TOTAL_MS] [-o FILE] [-v]
 *
 * SOCKET is unix:PATH (or local:PATH), inet:PORT@IP or inet6:PORT@IP, IP a
 * loopback address only. Session i sends client address FIRST_IP + i % COUNT
 * in its CONNECT (a string; nothing is sent there).
 *
 * Prints one line: sessions= ok= rejected= tempfailed= errors= timeouts=
 * elapsed_ms= rate= lat_p50_ms= lat_p99_ms= lat_max_ms=. The latency is the
 * decision latency: CONNECT sent -> RCPT reply received, over the sessions
 * that got that far. -v adds a line on stderr with session-time percentiles
 * and the counts behind "ok" (quarantined, discarded, changed, retries).
 * -o FILE writes one line per session: start_ms (since the run began),
 * outcome, first_ms (CONNECT sent -> first reply after OPTNEG), decision_ms
 * (-1 if none), session_ms, client address, and for an error its reason
 * as one word (filter_closed, read_failed, ...; "-" otherwise).
 *
 * Failure: bad usage or setup (no memory, fd limit, epoll) exits 2 before
 * any load; once running every problem is a counted session outcome, a
 * session past -t is a timeout, and the run as a whole stops at -T
 * (unfinished sessions counted as timeouts). Exit 1 when -T cut the run or
 * no session got an answer, else 0. Memory is fixed at start.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "mtsess.h"

#define MAX_CONC   10000
#define HIST_FINE  10000           /* 10 us buckets up to 100 ms */
#define HIST_ALL   (HIST_FINE + 99900 + 1)   /* then 1 ms up to 100 s, then overflow */

enum slot_state { SL_FREE, SL_RETRY, SL_CONNECTING, SL_ACTIVE };

struct slot {
	enum slot_state state;
	int fd;
	uint32_t gen;                /* tells stale epoll events apart */
	int want_out;                /* EPOLLOUT registered */
	int64_t t_start, t_connect, t_first, t_decided, deadline, t_retry;
	struct mt_sess m;
};

struct hist {
	uint32_t *b;
	uint64_t n;
	int64_t max;
};

struct totals {
	unsigned long started, done, ok, rejected, tempfailed, errors, timeouts;
	unsigned long quarantined, discarded, changed, retries;
	int timed_out;               /* release() is ending a timeout */
	struct hist lat, sess;
	FILE *log;                   /* -o: one line per session */
	int64_t t0;
};

struct target {
	struct sockaddr_storage sa;
	socklen_t len;
};

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* hist_add - record one latency in microseconds */
static void
hist_add(struct hist *h, int64_t us)
{
	size_t i;

	if (us < 0)
		us = 0;
	if (us < 100000)
		i = (size_t)(us / 10);
	else if (us < 100000000)
		i = HIST_FINE + (size_t)((us - 100000) / 1000);
	else
		i = HIST_ALL - 1;
	h->b[i]++;
	h->n++;
	if (us > h->max)
		h->max = us;
}

/* hist_ms - the P quantile in ms (upper edge of its bucket, at most the max) */
static double
hist_ms(const struct hist *h, double p)
{
	uint64_t want, seen = 0;
	size_t i;

	if (h->n == 0)
		return 0;
	want = (uint64_t)(p * (double)h->n + 0.999999);
	want = want < 1 ? 1 : want;
	for (i = 0; i < HIST_ALL; i++) {
		seen += h->b[i];
		if (seen >= want) {
			int64_t edge = i < HIST_FINE ? (int64_t)(i + 1) * 10
			    : 100000 + (int64_t)(i - HIST_FINE + 1) * 1000;

			return (edge < h->max ? edge : h->max) / 1000.0;
		}
	}
	return h->max / 1000.0;
}

/* parse_target - unix:PATH, local:PATH, inet:PORT@IP, inet6:PORT@IP (loopback only) */
static int
parse_target(const char *spec, struct target *t)
{
	const char *at;
	char *end;
	long port;

	memset(t, 0, sizeof(*t));
	if (strncmp(spec, "unix:", 5) == 0 || strncmp(spec, "local:", 6) == 0) {
		struct sockaddr_un *un = (struct sockaddr_un *)&t->sa;
		const char *path = strchr(spec, ':') + 1;

		if (*path == 0 || strlen(path) >= sizeof(un->sun_path))
			return -1;
		un->sun_family = AF_UNIX;
		memcpy(un->sun_path, path, strlen(path) + 1);
		t->len = sizeof(*un);
		return 0;
	}
	if ((at = strchr(spec, '@')) == NULL)
		return -1;
	if (strncmp(spec, "inet:", 5) == 0) {
		struct sockaddr_in *in = (struct sockaddr_in *)&t->sa;

		port = strtol(spec + 5, &end, 10);
		if (end != at || port < 1 || port > 65535 || inet_pton(AF_INET, at + 1, &in->sin_addr) != 1
		    || (ntohl(in->sin_addr.s_addr) >> 24) != 127)
			return -1;
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		t->len = sizeof(*in);
		return 0;
	}
	if (strncmp(spec, "inet6:", 6) == 0) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&t->sa;

		port = strtol(spec + 6, &end, 10);
		if (end != at || port < 1 || port > 65535 || inet_pton(AF_INET6, at + 1, &in6->sin6_addr) != 1
		    || !IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
			return -1;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		t->len = sizeof(*in6);
		return 0;
	}
	return -1;
}

/* watch - (re)register the slot's fd for input, and output while some is queued */
static int
watch(int ep, struct slot *s, size_t idx, int op)
{
	struct epoll_event ev;

	ev.events = EPOLLIN | (s->want_out ? EPOLLOUT : 0);
	ev.data.u64 = ((uint64_t)s->gen << 32) | idx;
	return epoll_ctl(ep, op, s->fd, &ev);
}

/* why_word - an error reason as one word for the -o file ("filter closed" -> filter_closed) */
static const char *
why_word(const char *why)
{
	static char w[48];
	size_t i;

	for (i = 0; why != NULL && why[i] && i < sizeof(w) - 1; i++)
		w[i] = why[i] == ' ' ? '_' : why[i];
	w[i] = 0;
	return i ? w : "unknown";
}

/* release - close the slot's connection and count its outcome */
static void
release(struct slot *s, struct totals *t, int64_t now)
{
	struct mt_sess *m = &s->m;

	if (s->fd >= 0) {
		if (m->outlen > 0)              /* ABORT/QUIT: best effort, as Postfix */
			(void)send(s->fd, m->out, m->outlen, MSG_NOSIGNAL | MSG_DONTWAIT);
		close(s->fd);                   /* also leaves the epoll set */
	}
	s->fd = -1;
	s->state = SL_FREE;
	s->gen++;
	t->done++;
	switch (m->outcome) {
	case MT_OK:       t->ok++; break;
	case MT_REJECT:   t->rejected++; break;
	case MT_TEMPFAIL: t->tempfailed++; break;
	default:          t->errors++; break;
	}
	if (m->outcome == MT_OK || m->outcome == MT_REJECT || m->outcome == MT_TEMPFAIL)
		hist_add(&t->sess, now - s->t_start);
	if (t->log != NULL) {
		static const char *const names[] = { "pending", "ok", "reject", "tempfail", "error" };

		fprintf(t->log, "%.3f %s %.3f %.3f %.3f %s %s\n", (double)(s->t_start - t->t0) / 1000.0,
		    t->timed_out ? "timeout" : names[m->outcome],
		    s->t_first ? (double)(s->t_first - s->t_connect) / 1000.0 : -1.0,
		    s->t_decided ? (double)(s->t_decided - s->t_connect) / 1000.0 : -1.0,
		    (double)(now - s->t_start) / 1000.0, m->ip,
		    m->outcome == MT_ERROR && !t->timed_out ? why_word(m->why) : "-");
	}
	t->quarantined += (unsigned long)m->quarantined;
	t->discarded += (unsigned long)m->discarded;
	t->changed += m->modifications > 0;
}

/* timeout - the slot ran past its deadline */
static void
timeout(struct slot *s, struct totals *t, int64_t now)
{
	mt_abort(&s->m, MT_ERROR, "timeout");
	t->timeouts++;
	t->errors--;                          /* release counts it as an error */
	t->timed_out = 1;
	release(s, t, now);
	t->timed_out = 0;
}

/* flush - write queued packets; 0, or -1 when the connection broke */
static int
flush(int ep, struct slot *s, size_t idx)
{
	struct mt_sess *m = &s->m;
	int want;

	while (m->outlen > 0) {
		ssize_t w = send(s->fd, m->out, m->outlen, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (w <= 0)
			return -1;
		memmove(m->out, m->out + w, m->outlen - (size_t)w);
		m->outlen -= (size_t)w;
	}
	want = m->outlen > 0;
	if (want != s->want_out) {
		s->want_out = want;
		if (watch(ep, s, idx, EPOLL_CTL_MOD) < 0)
			return -1;
	}
	return 0;
}

/* connected - the socket is up: queue OPTNEG and send it */
static void
connected(int ep, struct slot *s, size_t idx, struct totals *t, int64_t now)
{
	s->state = SL_ACTIVE;
	if (flush(ep, s, idx) < 0) {
		mt_abort(&s->m, MT_ERROR, "write failed");
		release(s, t, now);
	}
}

/* start - open slot IDX's filter connection (again, after a full backlog) */
static void
start(int ep, struct slot *s, size_t idx, const struct target *tg, struct totals *t, int64_t now)
{
	int fd = socket(tg->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		mt_abort(&s->m, MT_ERROR, "socket failed");
		release(s, t, now);
		return;
	}
	s->fd = fd;
	s->want_out = 0;
	if (connect(fd, (const struct sockaddr *)&tg->sa, tg->len) == 0) {
		if (watch(ep, s, idx, EPOLL_CTL_ADD) < 0) {
			mt_abort(&s->m, MT_ERROR, "epoll_ctl failed");
			release(s, t, now);
			return;
		}
		connected(ep, s, idx, t, now);
		return;
	}
	if (errno == EINPROGRESS) {         /* TCP: wait until writable */
		s->state = SL_CONNECTING;
		s->want_out = 1;
		if (watch(ep, s, idx, EPOLL_CTL_ADD) < 0) {
			mt_abort(&s->m, MT_ERROR, "epoll_ctl failed");
			release(s, t, now);
		}
		return;
	}
	if (errno == EAGAIN || errno == EINTR) {  /* unix listener's backlog is full */
		close(fd);
		s->fd = -1;
		s->state = SL_RETRY;
		s->t_retry = now + 1000;
		t->retries++;
		return;
	}
	mt_abort(&s->m, MT_ERROR, "connect failed");
	release(s, t, now);
}

/* event - epoll says the slot is readable or writable */
static void
event(int ep, struct slot *s, size_t idx, uint32_t evs, struct totals *t)
{
	unsigned char buf[16384];
	int64_t now = now_us();
	int decided = s->m.decided;

	if (s->state == SL_CONNECTING) {
		int err = 0;
		socklen_t l = sizeof(err);

		if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &l) < 0 || err != 0) {
			mt_abort(&s->m, MT_ERROR, "connect failed");
			release(s, t, now);
			return;
		}
		connected(ep, s, idx, t, now);
		return;
	}
	if ((evs & EPOLLOUT) && flush(ep, s, idx) < 0) {
		mt_abort(&s->m, MT_ERROR, "write failed");
		release(s, t, now);
		return;
	}
	if (!(evs & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	for (;;) {
		ssize_t r = read(s->fd, buf, sizeof(buf));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (r <= 0) {
			mt_abort(&s->m, MT_ERROR, r == 0 ? "filter closed" : "read failed");
			release(s, t, now);
			return;
		}
		if (mt_input(&s->m, buf, (size_t)r) < 0)
			break;
	}
	/* CONNECT (or, if the filter skips it, the next step) is queued as the
	 * OPTNEG reply is read, and written below: the decision clock starts */
	if (s->t_connect == 0 && s->m.step > 0)
		s->t_connect = now;
	if (s->t_first == 0 && s->m.replies >= 2)
		s->t_first = now;
	if (!decided && s->m.decided && s->m.outcome != MT_ERROR) {
		s->t_decided = now;
		hist_add(&t->lat, now - s->t_connect);
	}
	if (s->m.outcome != MT_PENDING) {
		release(s, t, now);
		return;
	}
	if (flush(ep, s, idx) < 0) {
		mt_abort(&s->m, MT_ERROR, "write failed");
		release(s, t, now);
	}
}

static void
usage(void)
{
	fprintf(stderr, "usage: mtload -s unix:PATH|inet:PORT@127.0.0.1 [-c CONC] [-n TOTAL]\n"
	    "              [-a FIRST_IP] [-k COUNT] [-t SESSION_MS] [-T TOTAL_MS] [-o FILE] [-v]\n");
	exit(2);
}

/* num - a whole number option in [lo, hi] */
static unsigned long
num(const char *s, unsigned long lo, unsigned long hi)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		usage();
	return v;
}

/* fd_room - raise the soft fd limit to fit CONC sessions */
static int
fd_room(unsigned long conc)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)conc + 32;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -1;
	if (rl.rlim_cur >= need)
		return 0;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
		fprintf(stderr, "mtload: -c %lu needs %lu file descriptors, the hard limit is %lu\n",
		    conc, (unsigned long)need, (unsigned long)rl.rlim_max);
		return -1;
	}
	rl.rlim_cur = need;
	return setrlimit(RLIMIT_NOFILE, &rl);
}

/* the whole run: what was asked, the slots, the counts */
struct load {
	struct target tg;
	struct in_addr base;
	unsigned long conc, total, count, sess_ms, total_ms;
	struct slot *sl;
	size_t *freelist, nfree;
	int ep, retrying;
	struct totals t;
};

/* fill - start new sessions in free slots, until the listener is saturated */
static void
fill(struct load *L, int64_t now)
{
	while (L->nfree > 0 && L->t.started < L->total) {
		size_t idx = L->freelist[--L->nfree];
		struct slot *s = &L->sl[idx];
		struct in_addr a;
		char ip[INET_ADDRSTRLEN], qid[16];

		a.s_addr = htonl(ntohl(L->base.s_addr) + (uint32_t)(L->t.started % L->count));
		inet_ntop(AF_INET, &a, ip, sizeof(ip));
		snprintf(qid, sizeof(qid), "B%09lX", L->t.started & 0xfffffffffUL);
		mt_begin(&s->m, ip, qid);
		s->t_start = now;
		s->t_connect = s->t_first = s->t_decided = 0;
		s->deadline = now + (int64_t)L->sess_ms * 1000;
		L->t.started++;
		start(L->ep, s, idx, &L->tg, &L->t, now);
		if (s->state == SL_FREE)
			L->freelist[L->nfree++] = idx;
		if (s->state == SL_RETRY) {
			L->retrying = 1;
			return;
		}
	}
}

/* scan - time out late sessions, retry connects the backlog refused */
static void
scan(struct load *L, int64_t now)
{
	size_t i;

	L->retrying = 0;
	for (i = 0; i < L->conc; i++) {
		struct slot *s = &L->sl[i];

		if (s->state == SL_FREE)
			continue;
		if (now > s->deadline)
			timeout(s, &L->t, now);
		else if (s->state == SL_RETRY && now >= s->t_retry)
			start(L->ep, s, i, &L->tg, &L->t, now);
		if (s->state == SL_FREE)
			L->freelist[L->nfree++] = i;
		L->retrying |= s->state == SL_RETRY;
	}
}

/* loop - run every session; 1 if the -T deadline cut the run short */
static int
loop(struct load *L)
{
	struct epoll_event evs[512];
	int64_t t_end = L->t.t0 + (int64_t)L->total_ms * 1000, next_scan = 0, now;
	size_t i;

	while (L->t.done < L->total) {
		int n, k;

		if ((now = now_us()) >= t_end)
			break;
		fill(L, now);
		n = epoll_wait(L->ep, evs, (int)(sizeof(evs) / sizeof(evs[0])), L->retrying ? 1 : 10);
		if (n < 0 && errno != EINTR) {
			perror("mtload: epoll_wait");
			break;
		}
		for (k = 0; k < n; k++) {
			size_t idx = (size_t)(evs[k].data.u64 & 0xffffffffU);
			struct slot *s = &L->sl[idx];

			if (s->gen != (uint32_t)(evs[k].data.u64 >> 32) || s->fd < 0)
				continue;                  /* released earlier in this batch */
			event(L->ep, s, idx, evs[k].events, &L->t);
			if (s->state == SL_FREE)
				L->freelist[L->nfree++] = idx;
		}
		if ((now = now_us()) >= next_scan) {
			next_scan = now + 2000;
			scan(L, now);
		}
	}
	if (L->t.done >= L->total)
		return 0;
	now = now_us();                         /* what still runs timed out */
	for (i = 0; i < L->conc; i++)
		if (L->sl[i].state != SL_FREE)
			timeout(&L->sl[i], &L->t, now);
	fprintf(stderr, "mtload: stopped after %lu ms: %lu of %lu sessions never started\n",
	    L->total_ms, L->total - L->t.started, L->total);
	return 1;
}

/* report - the result line, and with -v the details on stderr */
static void
report(const struct totals *t, int verbose)
{
	double elapsed = (double)(now_us() - t->t0) / 1000.0;

	printf("sessions=%lu ok=%lu rejected=%lu tempfailed=%lu errors=%lu timeouts=%lu "
	    "elapsed_ms=%.0f rate=%.1f lat_p50_ms=%.2f lat_p99_ms=%.2f lat_max_ms=%.2f\n",
	    t->done, t->ok, t->rejected, t->tempfailed, t->errors, t->timeouts, elapsed,
	    elapsed > 0 ? (double)t->done * 1000.0 / elapsed : 0.0,
	    hist_ms(&t->lat, 0.5), hist_ms(&t->lat, 0.99), (double)t->lat.max / 1000.0);
	if (verbose)
		fprintf(stderr, "mtload: sess_p50_ms=%.2f sess_p99_ms=%.2f sess_max_ms=%.2f "
		    "quarantined=%lu discarded=%lu changed=%lu connect_retries=%lu\n",
		    hist_ms(&t->sess, 0.5), hist_ms(&t->sess, 0.99), (double)t->sess.max / 1000.0,
		    t->quarantined, t->discarded, t->changed, t->retries);
}

int
main(int argc, char **argv)
{
	struct load L;
	const char *sock = NULL, *first = "198.51.100.1", *logfile = NULL;
	int c, verbose = 0, rc = 2, cut;
	size_t i;

	memset(&L, 0, sizeof(L));
	L.ep = -1;
	L.conc = 10, L.total = 100, L.count = 1, L.sess_ms = 10000, L.total_ms = 300000;
	while ((c = getopt(argc, argv, "s:c:n:a:k:t:T:o:v")) != -1) {
		switch (c) {
		case 's': sock = optarg; break;
		case 'c': L.conc = num(optarg, 1, MAX_CONC); break;
		case 'n': L.total = num(optarg, 1, 1000000000UL); break;
		case 'a': first = optarg; break;
		case 'k': L.count = num(optarg, 1, 16777216UL); break;
		case 't': L.sess_ms = num(optarg, 1, 3600000UL); break;
		case 'T': L.total_ms = num(optarg, 1, 86400000UL); break;
		case 'o': logfile = optarg; break;
		case 'v': verbose = 1; break;
		default: usage();
		}
	}
	if (sock == NULL || optind != argc || parse_target(sock, &L.tg) < 0
	    || inet_pton(AF_INET, first, &L.base) != 1)
		usage();
	L.sl = calloc(L.conc, sizeof(*L.sl));
	L.freelist = calloc(L.conc, sizeof(*L.freelist));
	L.t.lat.b = calloc(HIST_ALL, sizeof(uint32_t));
	L.t.sess.b = calloc(HIST_ALL, sizeof(uint32_t));
	if (L.sl == NULL || L.freelist == NULL || L.t.lat.b == NULL || L.t.sess.b == NULL) {
		fprintf(stderr, "mtload: out of memory\n");
		goto out;
	}
	if (logfile != NULL && (L.t.log = fopen(logfile, "w")) == NULL) {
		perror(logfile);
		goto out;
	}
	if (fd_room(L.conc) < 0 || (L.ep = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		perror("mtload: setup");
		goto out;
	}
	for (i = 0; i < L.conc; i++) {
		L.sl[i].fd = -1;
		L.freelist[i] = L.conc - 1 - i;
	}
	L.nfree = L.conc;
	L.t.t0 = now_us();
	cut = loop(&L);
	report(&L.t, verbose);
	rc = cut || L.t.ok + L.t.rejected + L.t.tempfailed == 0 ? 1 : 0;
	if (fflush(stdout) != 0)
		rc = 2;
out:
	if (L.t.log != NULL && fclose(L.t.log) != 0)
		rc = 2;
	if (L.ep >= 0)
		close(L.ep);
	free(L.t.lat.b);
	free(L.t.sess.b);
	free(L.freelist);
	free(L.sl);
	return rc;
}
