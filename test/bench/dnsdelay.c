/*
 * dnsdelay.c - a UDP DNS proxy that delays answers, for benchmarks.
 *   dnsdelay -l 127.0.0.1:PORT -u 127.0.0.1:UPSTREAM -d DELAY_MS [-x]
 * Each query is forwarded upstream under a fresh id; the answer goes back
 * to the client DELAY_MS after the query arrived, with the client's id.
 * -x: never answer (a black hole). One thread, poll, a FIFO of answers
 * (delays are constant, so due times are in order). Up to 65536 queries in
 * flight; past that the oldest slot is reused.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SLOTS 65536
#define QMAX  (SLOTS)

struct slot {
	struct sockaddr_in client;
	uint16_t id;
	double arrived;
	int used;
};

struct ready {
	double due;
	struct sockaddr_in client;
	unsigned char buf[1500];
	size_t len;
};

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
parse_addr(const char *s, struct sockaddr_in *a)
{
	char host[64];
	const char *colon = strrchr(s, ':');

	if (colon == NULL || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = 0;
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)atoi(colon + 1));
	return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in listen_a, up_a, from;
	struct slot *slots = calloc(SLOTS, sizeof(*slots));
	struct ready *q = calloc(QMAX, sizeof(*q));
	size_t qhead = 0, qlen = 0;
	unsigned next_id = 0;
	double delay = 0;
	int c, blackhole = 0, lfd, ufd, have_l = 0, have_u = 0;
	unsigned char buf[1500];

	while ((c = getopt(argc, argv, "l:u:d:x")) != -1) {
		switch (c) {
		case 'l': have_l = parse_addr(optarg, &listen_a) == 0; break;
		case 'u': have_u = parse_addr(optarg, &up_a) == 0; break;
		case 'd': delay = atof(optarg); break;
		case 'x': blackhole = 1; break;
		default: have_l = 0;
		}
	}
	if (!have_l || (!have_u && !blackhole) || slots == NULL || q == NULL) {
		fprintf(stderr, "usage: dnsdelay -l IP:PORT -u IP:PORT -d MS [-x]\n");
		return 2;
	}
	lfd = socket(AF_INET, SOCK_DGRAM, 0);
	ufd = socket(AF_INET, SOCK_DGRAM, 0);
	if (lfd < 0 || ufd < 0 || bind(lfd, (struct sockaddr *)&listen_a, sizeof(listen_a)) < 0
	    || (!blackhole && connect(ufd, (struct sockaddr *)&up_a, sizeof(up_a)) < 0)) {
		perror("dnsdelay");
		return 1;
	}
	for (;;) {
		struct pollfd p[2] = { { lfd, POLLIN, 0 }, { ufd, POLLIN, 0 } };
		double now = now_ms();
		int timeout = -1;
		ssize_t n;
		socklen_t fl;

		while (qlen && q[qhead].due <= now) {        /* answers that are due */
			sendto(lfd, q[qhead].buf, q[qhead].len, 0,
			    (struct sockaddr *)&q[qhead].client, sizeof(q[qhead].client));
			qhead = (qhead + 1) % QMAX;
			qlen--;
		}
		if (qlen)
			timeout = (int)(q[qhead].due - now) + 1;
		if (poll(p, blackhole ? 1 : 2, timeout) < 0 && errno != EINTR)
			return 1;
		if (p[0].revents & POLLIN) {
			fl = sizeof(from);
			n = recvfrom(lfd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
			if (n >= 12 && !blackhole) {
				uint16_t id = (uint16_t)(next_id++ % SLOTS), nid = htons(id);
				struct slot *s = &slots[id];

				s->client = from;
				memcpy(&s->id, buf, 2);
				s->arrived = now_ms();
				s->used = 1;
				memcpy(buf, &nid, 2);
				(void)send(ufd, buf, (size_t)n, 0);
			}
		}
		if (!blackhole && (p[1].revents & POLLIN)) {
			n = recv(ufd, buf, sizeof(buf), 0);
			if (n >= 12 && qlen < QMAX) {
				uint16_t id;
				struct slot *s;
				struct ready *r = &q[(qhead + qlen) % QMAX];

				memcpy(&id, buf, 2);
				s = &slots[ntohs(id)];
				if (!s->used)
					continue;
				s->used = 0;
				memcpy(buf, &s->id, 2);
				r->due = s->arrived + delay;
				r->client = s->client;
				memcpy(r->buf, buf, (size_t)n);
				r->len = (size_t)n;
				qlen++;
			}
		}
	}
}
