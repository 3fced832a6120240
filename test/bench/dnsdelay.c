/*
 * dnsdelay.c - a UDP DNS proxy that answers late, for benchmarks.
 *
 *   dnsdelay -l 127.0.0.1:PORT -u 127.0.0.1:UPSTREAM [-d DELAY_MS] [-x]
 *   dnsdelay -p NAME -u 127.0.0.1:PORT [-n COUNT]
 *
 * Each query is forwarded upstream under an id of our own (the slot that
 * remembers the client); the answer goes back to the client with its own id
 * DELAY_MS after the query arrived (at once if upstream was slower). -d 0 is
 * a transparent proxy. -x is a black hole: queries are read and dropped.
 * -z NAME or -z NAME/TYPE (repeatable, at most DROPS): queries for NAME (any
 * type, or only the numeric TYPE) are dropped, so that one name times out
 * while the rest is answered (test/e2e/spf-rfc7208.sh: the RFC 7208 suite's
 * TIMEOUT entries); names compare case-insensitively, without a final dot.
 * Both addresses must be loopback: this is a test tool.
 *
 * -p is a probe, the "one lookup" a benchmark compares with: COUNT queries
 * (default 5) for NAME type A, one after the other, each timed in
 * microseconds; prints lookup_p50_ms= lookup_min_ms= lookup_max_ms=
 * answered= and exits 1 unless every query was answered within 5 s.
 *
 * One thread, poll(), a binary heap of answers by due time. At most
 * SLOTS queries are in flight (more are dropped and counted); a query whose
 * upstream answer never comes is forgotten after MAX(DELAY, 0) + 10 s.
 * Memory is bounded: the slot table plus at most SLOTS held answers.
 *
 * SIGUSR1 prints counters on stderr; SIGTERM/SIGINT print them and exit 0.
 * Failure: bad usage exits 2, a socket that cannot be set up exits 1;
 * afterwards a failed send or receive is counted and the proxy goes on.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SLOT_BITS   14
#define SLOTS       (1U << SLOT_BITS)          /* queries in flight */
#define LOST_US     10000000                   /* forget an unanswered query */
#define BATCH       256                        /* datagrams read per wake-up */
#define DROPS       64                         /* -z entries */
#define QNAME_MAX   1025                       /* a query name as text, 255 bytes escaped at most 4 each */

enum { FREE, FORWARDED, HELD };

struct slot {
	int state;
	uint16_t pid;                  /* our id upstream: generation | index */
	uint16_t cid;                  /* the client's id */
	struct sockaddr_in client;
	int64_t arrived, due;
	unsigned char *answer;         /* HELD: the answer, client id restored */
	size_t len;
};

struct proxy {
	int lfd, ufd, blackhole;
	int64_t delay;
	struct slot *slots;
	uint32_t *freelist, nfree;
	uint32_t *heap, nheap;         /* HELD slots by due time */
	uint16_t gen;
	struct { char name[QNAME_MAX]; int type; } drop[DROPS];
	size_t ndrop;
	unsigned long queries, forwarded, answered, full, late, lost, dropped, errors;
};

static volatile sig_atomic_t got_usr1, got_term;

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_usr1 = 1;
	else
		got_term = 1;
}

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* parse_addr - IP:PORT, loopback only */
static int
parse_addr(const char *s, struct sockaddr_in *a)
{
	char host[INET_ADDRSTRLEN];
	const char *colon = strrchr(s, ':');
	char *end;
	long port;

	if (colon == NULL || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = 0;
	port = strtol(colon + 1, &end, 10);
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	if (*end || end == colon + 1 || port < 1 || port > 65535
	    || inet_pton(AF_INET, host, &a->sin_addr) != 1)
		return -1;
	return (ntohl(a->sin_addr.s_addr) >> 24) == 127 ? 0 : -1;
}

/* heap_swap, heap_up, heap_down - the min-heap of held answers by due time */
static void
heap_swap(struct proxy *p, uint32_t i, uint32_t j)
{
	uint32_t t = p->heap[i];

	p->heap[i] = p->heap[j];
	p->heap[j] = t;
}

static void
heap_up(struct proxy *p, uint32_t i)
{
	while (i > 0 && p->slots[p->heap[(i - 1) / 2]].due > p->slots[p->heap[i]].due) {
		heap_swap(p, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void
heap_down(struct proxy *p, uint32_t i)
{
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < p->nheap && p->slots[p->heap[l]].due < p->slots[p->heap[m]].due)
			m = l;
		if (r < p->nheap && p->slots[p->heap[r]].due < p->slots[p->heap[m]].due)
			m = r;
		if (m == i)
			return;
		heap_swap(p, i, m);
		i = m;
	}
}

/* slot_free - give slot I back */
static void
slot_free(struct proxy *p, uint32_t i)
{
	free(p->slots[i].answer);
	p->slots[i].answer = NULL;
	p->slots[i].state = FREE;
	p->freelist[p->nfree++] = i;
}

/* reply - send LEN bytes to the slot's client */
static void
reply(struct proxy *p, struct slot *s, const unsigned char *buf, size_t len)
{
	if (sendto(p->lfd, buf, len, 0, (const struct sockaddr *)&s->client, sizeof(s->client)) < 0)
		p->errors++;
	else
		p->answered++;
}

/* dropped - does the query in BUF (LEN bytes) ask for a -z name (and type)? */
static int
dropped(const struct proxy *p, const unsigned char *buf, size_t len)
{
	char name[QNAME_MAX];
	size_t off = 12, o = 0, i;
	int type;

	if (p->ndrop == 0)
		return 0;
	while (off < len && buf[off] != 0) {
		size_t l = buf[off++];

		if (l > 63 || off + l > len || o + l + 1 >= sizeof(name))
			return 0;
		if (o > 0)
			name[o++] = '.';
		for (i = 0; i < l; i++)
			name[o++] = (char)(buf[off + i] >= 'A' && buf[off + i] <= 'Z' ? buf[off + i] + 32 : buf[off + i]);
		off += l;
	}
	if (off + 3 > len)
		return 0;
	name[o] = 0;
	type = buf[off + 1] << 8 | buf[off + 2];
	for (i = 0; i < p->ndrop; i++)
		if ((p->drop[i].type == 0 || p->drop[i].type == type) && strlen(p->drop[i].name) == o
		    && memcmp(p->drop[i].name, name, o) == 0)
			return 1;
	return 0;
}

/* add_drop - one -z argument; -1 when it does not fit or is malformed */
static int
add_drop(struct proxy *p, const char *arg)
{
	const char *slash = strrchr(arg, '/');
	size_t n = slash ? (size_t)(slash - arg) : strlen(arg), i;
	char *end;
	long t = 0;

	if (p->ndrop == DROPS || n == 0 || n >= QNAME_MAX)
		return -1;
	if (slash) {
		t = strtol(slash + 1, &end, 10);
		if (*end || end == slash + 1 || t < 1 || t > 65535)
			return -1;
	}
	for (i = 0; i < n; i++)
		p->drop[p->ndrop].name[i] = (char)(arg[i] >= 'A' && arg[i] <= 'Z' ? arg[i] + 32 : arg[i]);
	p->drop[p->ndrop].name[n] = 0;
	p->drop[p->ndrop++].type = (int)t;
	return 0;
}

/* on_query - a query from a client: remember it, forward it */
static void
on_query(struct proxy *p, unsigned char *buf, size_t len, const struct sockaddr_in *from, int64_t now)
{
	struct slot *s;
	uint32_t i;
	uint16_t nid;

	p->queries++;
	if (p->blackhole || len < 12)
		return;
	if (dropped(p, buf, len)) {
		p->dropped++;
		return;
	}
	if (p->nfree == 0) {
		p->full++;
		return;
	}
	i = p->freelist[--p->nfree];
	s = &p->slots[i];
	p->gen = (uint16_t)((p->gen + 1) & ((1U << (16 - SLOT_BITS)) - 1));
	s->pid = (uint16_t)((p->gen << SLOT_BITS) | i);
	memcpy(&s->cid, buf, 2);
	s->client = *from;
	s->arrived = now;
	s->state = FORWARDED;
	nid = htons(s->pid);
	memcpy(buf, &nid, 2);
	if (send(p->ufd, buf, len, 0) < 0) {
		p->errors++;
		slot_free(p, i);
		return;
	}
	p->forwarded++;
}

/* on_answer - an answer from upstream: send it now or hold it until due */
static void
on_answer(struct proxy *p, unsigned char *buf, size_t len, int64_t now)
{
	uint16_t id;
	struct slot *s;

	if (len < 12)
		return;
	memcpy(&id, buf, 2);
	id = ntohs(id);
	s = &p->slots[id & (SLOTS - 1)];
	if (s->state != FORWARDED || s->pid != id) {
		p->late++;                        /* forgotten, or not ours */
		return;
	}
	memcpy(buf, &s->cid, 2);
	s->due = s->arrived + p->delay;
	if (s->due <= now) {
		reply(p, s, buf, len);
		slot_free(p, (uint32_t)(s - p->slots));
		return;
	}
	if ((s->answer = malloc(len)) == NULL) {
		p->errors++;
		slot_free(p, (uint32_t)(s - p->slots));
		return;
	}
	memcpy(s->answer, buf, len);
	s->len = len;
	s->state = HELD;
	p->heap[p->nheap] = (uint32_t)(s - p->slots);
	heap_up(p, p->nheap++);
}

/* drain - read up to BATCH datagrams from FD */
static void
drain(struct proxy *p, int fd)
{
	unsigned char buf[65536];
	int k;

	for (k = 0; k < BATCH; k++) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);

		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				p->errors++;              /* e.g. ECONNREFUSED: upstream down */
			return;
		}
		if (fd == p->lfd)
			on_query(p, buf, (size_t)n, &from, now_us());
		else
			on_answer(p, buf, (size_t)n, now_us());
	}
}

/* expire - send held answers that are due; forget queries never answered */
static void
expire(struct proxy *p, int64_t now, int scan)
{
	uint32_t i;

	while (p->nheap > 0 && p->slots[p->heap[0]].due <= now) {
		struct slot *s = &p->slots[p->heap[0]];

		reply(p, s, s->answer, s->len);
		slot_free(p, p->heap[0]);
		p->heap[0] = p->heap[--p->nheap];
		heap_down(p, 0);
	}
	if (!scan)
		return;
	for (i = 0; i < SLOTS; i++)
		if (p->slots[i].state == FORWARDED
		    && now - p->slots[i].arrived > (p->delay > 0 ? p->delay : 0) + LOST_US) {
			p->lost++;
			slot_free(p, i);
		}
}

/* stats - the counters, one line on stderr */
static void
stats(const struct proxy *p)
{
	fprintf(stderr, "dnsdelay: queries=%lu forwarded=%lu answered=%lu dropped_full=%lu "
	    "late=%lu lost=%lu dropped=%lu errors=%lu\n", p->queries, p->forwarded, p->answered, p->full,
	    p->late, p->lost, p->dropped, p->errors);
}

/* probe - time COUNT lookups of NAME at server UA, one after the other */
static int
probe(const char *name, const struct sockaddr_in *ua, unsigned count)
{
	unsigned char q[300], a[4096];
	double ms[64];
	size_t n = 12, i, done = 0;
	const char *l = name;
	int fd;

	memset(q, 0, 12);
	q[2] = 0x01;                          /* RD */
	q[5] = 1;                             /* one question */
	while (*l) {                          /* NAME as labels */
		size_t len = strcspn(l, ".");

		if (len == 0 || len > 63 || n + len + 6 > sizeof(q))
			return 2;
		q[n++] = (unsigned char)len;
		memcpy(q + n, l, len);
		n += len;
		l += len + (l[len] == '.');
	}
	q[n++] = 0;
	q[n++] = 0, q[n++] = 1, q[n++] = 0, q[n++] = 1;   /* A, IN */
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0
	    || connect(fd, (const struct sockaddr *)ua, sizeof(*ua)) < 0) {
		perror("dnsdelay: probe");
		return 1;
	}
	for (i = 0; i < count; i++) {
		int64_t t0 = now_us(), end = t0 + 5000000, now;
		struct pollfd pf = { fd, POLLIN, 0 };

		q[0] = (unsigned char)(i >> 8), q[1] = (unsigned char)i;
		if (send(fd, q, n, 0) < 0)
			break;
		while ((now = now_us()) < end) {
			ssize_t r;

			if (poll(&pf, 1, (int)((end - now + 999) / 1000)) <= 0)
				continue;
			r = recv(fd, a, sizeof(a), 0);
			if (r >= 12 && a[0] == q[0] && a[1] == q[1]) {
				ms[done++] = (double)(now_us() - t0) / 1000.0;
				break;
			}
			if (r < 0)
				break;
		}
	}
	close(fd);
	for (i = 1; i < done; i++) {          /* insertion sort, a handful of values */
		double v = ms[i];
		size_t j = i;

		for (; j > 0 && ms[j - 1] > v; j--)
			ms[j] = ms[j - 1];
		ms[j] = v;
	}
	printf("lookup_p50_ms=%.2f lookup_min_ms=%.2f lookup_max_ms=%.2f answered=%zu\n",
	    done ? ms[(done - 1) / 2] : 0, done ? ms[0] : 0, done ? ms[done - 1] : 0, done);
	return done == count ? 0 : 1;
}

/* open_socket - a UDP socket with a large receive buffer (bursts of queries) */
static int
open_socket(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), size = 8 << 20;

	if (fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0
	    && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) < 0)
		perror("dnsdelay: warning: SO_RCVBUF");
	return fd;
}

int
main(int argc, char **argv)
{
	struct proxy p;
	struct sockaddr_in la, ua;
	struct sigaction sa;
	int c, have_l = 0, have_u = 0, bad = 0, rc = 1;
	long delay = 0, count = 5;
	const char *probe_name = NULL;
	int64_t next_scan = 0;
	uint32_t i;

	memset(&p, 0, sizeof(p));
	p.lfd = p.ufd = -1;
	while ((c = getopt(argc, argv, "l:u:d:xp:n:z:")) != -1) {
		char *end;

		switch (c) {
		case 'l': have_l = parse_addr(optarg, &la) == 0; break;
		case 'u': have_u = parse_addr(optarg, &ua) == 0; break;
		case 'd':
			delay = strtol(optarg, &end, 10);
			bad |= *end || end == optarg || delay < 0 || delay > 3600000;
			break;
		case 'x': p.blackhole = 1; break;
		case 'z': bad |= add_drop(&p, optarg) < 0; break;
		case 'p': probe_name = optarg; break;
		case 'n':
			count = strtol(optarg, &end, 10);
			bad |= *end || end == optarg || count < 1 || count > 64;
			break;
		default: bad = 1;
		}
	}
	if (!bad && probe_name != NULL && have_u && optind == argc)
		return probe(probe_name, &ua, (unsigned)count);
	if (bad || !have_l || (!have_u && !p.blackhole) || optind != argc) {
		fprintf(stderr, "usage: dnsdelay -l 127.0.0.1:PORT -u 127.0.0.1:PORT [-d MS] [-x] [-z NAME[/TYPE]]...\n"
		    "       dnsdelay -p NAME -u 127.0.0.1:PORT [-n COUNT]\n");
		return 2;
	}
	p.delay = (int64_t)delay * 1000;
	p.slots = calloc(SLOTS, sizeof(*p.slots));
	p.freelist = calloc(SLOTS, sizeof(*p.freelist));
	p.heap = calloc(SLOTS, sizeof(*p.heap));
	if (p.slots == NULL || p.freelist == NULL || p.heap == NULL) {
		fprintf(stderr, "dnsdelay: out of memory\n");
		goto out;
	}
	for (i = 0; i < SLOTS; i++)
		p.freelist[i] = SLOTS - 1 - i;
	p.nfree = SLOTS;
	p.lfd = open_socket();
	p.ufd = p.blackhole ? -1 : open_socket();
	if (p.lfd < 0 || bind(p.lfd, (struct sockaddr *)&la, sizeof(la)) < 0
	    || (!p.blackhole && (p.ufd < 0 || connect(p.ufd, (struct sockaddr *)&ua, sizeof(ua)) < 0))) {
		perror("dnsdelay");
		goto out;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0
	    || sigaction(SIGINT, &sa, NULL) < 0) {
		perror("dnsdelay: sigaction");
		goto out;
	}
	while (!got_term) {
		struct pollfd pf[2] = { { p.lfd, POLLIN, 0 }, { p.ufd, POLLIN, 0 } };
		int64_t now = now_us(), wait = next_scan - now;

		if (p.nheap > 0 && p.slots[p.heap[0]].due - now < wait)
			wait = p.slots[p.heap[0]].due - now;
		wait = wait < 0 ? 0 : (wait + 999) / 1000;
		if (poll(pf, p.blackhole ? 1 : 2, (int)wait) < 0 && errno != EINTR) {
			perror("dnsdelay: poll");
			goto out;
		}
		if (got_usr1) {
			got_usr1 = 0;
			stats(&p);
		}
		if (pf[0].revents)
			drain(&p, p.lfd);
		if (!p.blackhole && pf[1].revents)
			drain(&p, p.ufd);
		now = now_us();
		expire(&p, now, now >= next_scan);
		if (now >= next_scan)
			next_scan = now + 500000;
	}
	stats(&p);
	rc = 0;
out:
	for (i = 0; p.slots != NULL && i < SLOTS; i++)
		free(p.slots[i].answer);
	free(p.slots);
	free(p.freelist);
	free(p.heap);
	if (p.lfd >= 0)
		close(p.lfd);
	if (p.ufd >= 0)
		close(p.ufd);
	return rc;
}
