/*
 * mtload.c - load generator speaking the milter protocol (version 6) the
 * way Postfix does: one filter connection per SMTP session, OPTNEG, then
 * CONNECT, HELO, MAIL, RCPT, EOH, EOB, QUIT, honouring the steps the filter
 * asks to skip. Many sessions at once in one thread with epoll.
 *
 *   mtload -s unix:PATH -c CONCURRENCY -n TOTAL [-a FIRST_IP -k COUNT] [-t MS]
 *
 * Prints one line: sessions= ok= rejected= tempfailed= errors= timeouts=
 * elapsed_ms= rate= lat_p50_ms= lat_p99_ms= lat_max_ms= where the latency is
 * from sending CONNECT to the RCPT reply (the decision). Fails only on bad
 * usage; every session problem is counted, never fatal.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define SMFIP_NOCONNECT 0x01
#define SMFIP_NOHELO    0x02
#define SMFIP_NOMAIL    0x04
#define SMFIP_NORCPT    0x08
#define SMFIP_NOEOH     0x40

enum step { S_OPTNEG, S_CONNECT, S_HELO, S_MAIL, S_RCPT, S_EOH, S_EOB, S_DONE };

struct sess {
	int fd;
	enum step step;
	uint32_t skip;               /* protocol steps the filter does not want */
	double t0, tdecide, deadline;
	unsigned char in[8192];
	size_t inlen;
	char ip[64];
	int active;
};

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* put - one packet: length, command, data */
static int
put(int fd, char cmd, const void *data, size_t len)
{
	unsigned char buf[1024];
	uint32_t n = htonl((uint32_t)len + 1);

	if (len + 5 > sizeof(buf))
		return -1;
	memcpy(buf, &n, 4);
	buf[4] = (unsigned char)cmd;
	memcpy(buf + 5, data, len);
	return write(fd, buf, len + 5) == (ssize_t)(len + 5) ? 0 : -1;
}

/* send_step - the packet(s) for a step; skipped steps are passed over */
static int
send_step(struct sess *s)
{
	char buf[512];
	size_t n;
	uint16_t port = htons(40000);

	for (;;) {
		switch (s->step) {
		case S_CONNECT:
			if (s->skip & SMFIP_NOCONNECT)
				break;
			n = (size_t)snprintf(buf, sizeof(buf), "Cj%cmx.bench.test%c", 0, 0);
			if (put(s->fd, 'D', buf, n) < 0)
				return -1;
			n = (size_t)snprintf(buf, sizeof(buf), "[%s]", s->ip) + 1;
			buf[n++] = '4';
			memcpy(buf + n, &port, 2);
			n += 2;
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s", s->ip) + 1;
			s->t0 = now_ms();
			return put(s->fd, 'C', buf, n);
		case S_HELO:
			if (s->skip & SMFIP_NOHELO)
				break;
			return put(s->fd, 'H', "bench.example\0", 14);
		case S_MAIL:
			if (s->skip & SMFIP_NOMAIL)
				break;
			n = (size_t)snprintf(buf, sizeof(buf), "Mi%cBENCH1%c", 0, 0);
			if (put(s->fd, 'D', buf, n) < 0)
				return -1;
			return put(s->fd, 'M', "<sender@bench.example>\0", 23);
		case S_RCPT:
			if (s->skip & SMFIP_NORCPT)
				break;
			return put(s->fd, 'R', "<user@example.com>\0", 19);
		case S_EOH:
			if (s->skip & SMFIP_NOEOH)
				break;
			return put(s->fd, 'N', "", 0);
		case S_EOB:
			return put(s->fd, 'E', "", 0);
		default:
			return -1;
		}
		s->step++;
	}
}

struct totals {
	unsigned long started, done, ok, rejected, tempfailed, errors, timeouts;
	double *lat;
	unsigned long nlat;
};

static void
finish(int ep, struct sess *s, struct totals *t, int outcome)
{
	if (s->fd >= 0) {
		if (outcome != 'e' && outcome != 'x')
			(void)put(s->fd, 'Q', "", 0);
		epoll_ctl(ep, EPOLL_CTL_DEL, s->fd, NULL);
		close(s->fd);
	}
	s->fd = -1;
	s->active = 0;
	t->done++;
	switch (outcome) {
	case 'o': t->ok++; break;
	case 'r': t->rejected++; break;
	case 't': t->tempfailed++; break;
	case 'x': t->timeouts++; break;
	default: t->errors++; break;
	}
	if (s->tdecide > 0)
		t->lat[t->nlat++] = s->tdecide - s->t0;
}

/* reply - one packet from the filter; advances the session */
static void
reply(int ep, struct sess *s, struct totals *t, char cmd, const unsigned char *data, size_t len)
{
	if (s->step == S_OPTNEG) {
		uint32_t v;

		if (cmd != 'O' || len < 12) {
			finish(ep, s, t, 'e');
			return;
		}
		memcpy(&v, data + 8, 4);
		s->skip = ntohl(v);
		s->step = S_CONNECT;
		if (send_step(s) < 0)
			finish(ep, s, t, 'e');
		return;
	}
	if (s->step == S_EOB && strchr("hmiq+-bpf2", cmd))
		return;                                     /* modifications before the verdict */
	if (s->step == S_RCPT)
		s->tdecide = now_ms();
	switch (cmd) {
	case 'c':
		if (++s->step == S_DONE) {
			finish(ep, s, t, 'o');
			return;
		}
		if (send_step(s) < 0)
			finish(ep, s, t, 'e');
		return;
	case 'a':
		finish(ep, s, t, 'o');
		return;
	case 'r':
		finish(ep, s, t, 'r');
		return;
	case 't':
		finish(ep, s, t, 't');
		return;
	case 'y':
		finish(ep, s, t, len > 0 && data[0] == '4' ? 't' : 'r');
		return;
	default:
		finish(ep, s, t, 'e');
	}
}

static int
start(int ep, struct sess *s, const struct sockaddr_un *sun, const char *ip, double timeout)
{
	struct epoll_event ev;
	unsigned char opt[12];
	uint32_t v[3] = { htonl(6), htonl(0x1ff), htonl(0x1fffff) };

	memset(s, 0, sizeof(*s));
	snprintf(s->ip, sizeof(s->ip), "%s", ip);
	if ((s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (connect(s->fd, (const struct sockaddr *)sun, sizeof(*sun)) < 0) {
		close(s->fd);
		s->fd = -1;
		return -1;
	}
	memcpy(opt, v, 12);
	if (put(s->fd, 'O', opt, 12) < 0) {
		close(s->fd);
		s->fd = -1;
		return -1;
	}
	ev.events = EPOLLIN;
	ev.data.ptr = s;
	epoll_ctl(ep, EPOLL_CTL_ADD, s->fd, &ev);
	s->active = 1;
	s->step = S_OPTNEG;
	s->deadline = now_ms() + timeout;
	return 0;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	const char *sock = NULL, *first = "198.51.100.1";
	unsigned long conc = 10, total = 100, count = 1, i;
	double timeout = 10000, t_start, elapsed;
	struct sockaddr_un sun;
	struct epoll_event evs[256];
	struct totals t;
	struct sess *ss;
	struct in_addr base;
	int c, ep;

	while ((c = getopt(argc, argv, "s:c:n:a:k:t:")) != -1) {
		switch (c) {
		case 's': sock = optarg; break;
		case 'c': conc = strtoul(optarg, NULL, 10); break;
		case 'n': total = strtoul(optarg, NULL, 10); break;
		case 'a': first = optarg; break;
		case 'k': count = strtoul(optarg, NULL, 10); break;
		case 't': timeout = strtod(optarg, NULL); break;
		default:
			fprintf(stderr, "usage: mtload -s unix:PATH -c N -n N [-a IP -k N] [-t MS]\n");
			return 2;
		}
	}
	if (sock == NULL || strncmp(sock, "unix:", 5) != 0 || conc == 0 || count == 0
	    || inet_pton(AF_INET, first, &base) != 1 || strlen(sock + 5) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "usage: mtload -s unix:PATH -c N -n N [-a IP -k N] [-t MS]\n");
		return 2;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, sock + 5);
	memset(&t, 0, sizeof(t));
	if ((ss = calloc(conc, sizeof(*ss))) == NULL || (t.lat = calloc(total + 1, sizeof(double))) == NULL
	    || (ep = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		perror("mtload");
		return 2;
	}
	for (i = 0; i < conc; i++)
		ss[i].fd = -1;
	t_start = now_ms();
	while (t.done < total) {
		double now = now_ms();
		int n, k;

		for (i = 0; i < conc && t.started < total; i++) {
			if (ss[i].active)
				continue;
			struct in_addr a = { htonl(ntohl(base.s_addr) + (uint32_t)(t.started % count)) };
			char ip[INET_ADDRSTRLEN];

			inet_ntop(AF_INET, &a, ip, sizeof(ip));
			if (start(ep, &ss[i], &sun, ip, timeout) < 0)
				break;                              /* backlog full: retry soon */
			t.started++;
		}
		n = epoll_wait(ep, evs, 256, 5);
		for (k = 0; k < n; k++) {
			struct sess *s = evs[k].data.ptr;
			ssize_t r;

			if (!s->active)
				continue;
			r = read(s->fd, s->in + s->inlen, sizeof(s->in) - s->inlen);
			if (r <= 0) {
				if (r < 0 && errno == EAGAIN)
					continue;
				finish(ep, s, &t, 'e');
				continue;
			}
			s->inlen += (size_t)r;
			while (s->active && s->inlen >= 5) {
				uint32_t len;

				memcpy(&len, s->in, 4);
				len = ntohl(len);
				if (len == 0 || len > sizeof(s->in) - 4) {
					finish(ep, s, &t, 'e');
					break;
				}
				if (s->inlen < len + 4)
					break;
				reply(ep, s, &t, (char)s->in[4], s->in + 5, len - 1);
				if (!s->active)
					break;
				memmove(s->in, s->in + 4 + len, s->inlen - 4 - len);
				s->inlen -= 4 + len;
			}
		}
		now = now_ms();
		for (i = 0; i < conc; i++)
			if (ss[i].active && now > ss[i].deadline)
				finish(ep, &ss[i], &t, 'x');
	}
	elapsed = now_ms() - t_start;
	qsort(t.lat, t.nlat, sizeof(double), cmp);
	printf("sessions=%lu ok=%lu rejected=%lu tempfailed=%lu errors=%lu timeouts=%lu "
	    "elapsed_ms=%.0f rate=%.1f lat_p50_ms=%.2f lat_p99_ms=%.2f lat_max_ms=%.2f\n",
	    t.done, t.ok, t.rejected, t.tempfailed, t.errors, t.timeouts, elapsed,
	    t.done / (elapsed / 1000.0),
	    t.nlat ? t.lat[t.nlat / 2] : 0, t.nlat ? t.lat[(size_t)(t.nlat * 0.99)] : 0,
	    t.nlat ? t.lat[t.nlat - 1] : 0);
	free(t.lat);
	free(ss);
	return 0;
}
