/*
 * mtraw.c - a scripted MTA side of the milter protocol, for hostile-client
 * tests: it sends what the script says, byte for byte, including what no
 * MTA would send (NUL bytes, 1 MB values, 10,000 headers), and prints each
 * reply of the filter, one line per packet, for the test to compare.
 *
 * Usage: mtraw [-p PFLAGS] SOCKETPATH < SCRIPT. First it negotiates
 * (version 6, every action offered, and the protocol flags PFLAGS, by
 * default every one but the no-reply flags SMFIP_NR_*, so that each stage
 * is answered and seen) and prints "O <protocol flags>" of the filter's
 * reply, then one "S <stage> <macros>" line per macro list it asked for
 * (SMFIM_* number). Then each script line is one of:
 *   C DATA          send packet C; DATA with \0 \n \r \t \\ \xHH escapes;
 *                   if the filter answers C (by the flags it chose), read
 *                   and print replies up to the final one: "C> R text"
 *   !rep C N TEXT   send packet C whose data is TEXT repeated N times
 *   !repeat N LINE  do LINE (one of the above) N times, printing one
 *                   "N x C> R" summary line for equal replies
 *   !close          close the connection now (a session that just stops)
 *   !eof            expect the filter to close the connection: "closed"
 *   # ...           a comment
 * Once the filter has closed the connection the script ends.
 * Exit status: 0 when the script ran, 1 on a protocol error or a reply not
 * arriving within 20 s (printed as "error: ..."), 2 on bad usage.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <libmilter/mfapi.h>
#include <libmilter/mfdef.h>

#define REPLY_MAX   (1 << 20)
#define TIMEOUT_MS  20000

static int fd = -1;
static uint32_t pflags;
static uint32_t offer = 0x1fffffU & ~(uint32_t)(SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_MAIL |
    SMFIP_NR_RCPT | SMFIP_NR_DATA | SMFIP_NR_UNKN | SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY);
static unsigned char reply[REPLY_MAX + 1];

static void
die(const char *what)
{
	printf("error: %s\n", what);
	exit(1);
}

/* put - one packet: length, command, data; dies if the filter is gone */
static int
put(char cmd, const unsigned char *data, size_t len)
{
	unsigned char hdr[5];
	uint32_t n = htonl((uint32_t)len + 1);
	size_t off = 0;
	ssize_t w;

	memcpy(hdr, &n, 4);
	hdr[4] = (unsigned char)cmd;
	if (send(fd, hdr, 5, MSG_NOSIGNAL) != 5)
		return -1;
	while (off < len) {
		if ((w = send(fd, data + off, len - off, MSG_NOSIGNAL)) <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

/* get - N bytes or 0 at EOF, -1 on timeout or error */
static int
get(unsigned char *buf, size_t n)
{
	size_t off = 0;
	ssize_t r;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (off < n) {
		if (poll(&p, 1, TIMEOUT_MS) != 1)
			return -1;
		if ((r = read(fd, buf + off, n - off)) < 0)
			return -1;
		if (r == 0)
			return 0;
		off += (size_t)r;
	}
	return 1;
}

/* packet - one reply packet into reply[]; its command, 0 at EOF */
static int
packet(size_t *len)
{
	unsigned char hdr[5];
	uint32_t n;
	int rc;

	if ((rc = get(hdr, 5)) <= 0)
		return rc == 0 ? 0 : (die("no reply within 20 s"), 0);
	memcpy(&n, hdr, 4);
	n = ntohl(n);
	if (n < 1 || n - 1 > REPLY_MAX)
		die("reply packet too large");
	*len = n - 1;
	if (*len > 0 && get(reply, *len) != 1)
		die("short reply packet");
	reply[*len] = 0;
	return hdr[4];
}

/* answers - does the filter reply to command C, given its flags? */
static int
answers(char c)
{
	switch (c) {
	case SMFIC_CONNECT: return !(pflags & SMFIP_NR_CONN);
	case SMFIC_HELO: return !(pflags & SMFIP_NR_HELO);
	case SMFIC_MAIL: return !(pflags & SMFIP_NR_MAIL);
	case SMFIC_RCPT: return !(pflags & SMFIP_NR_RCPT);
	case SMFIC_DATA: return !(pflags & SMFIP_NR_DATA);
	case SMFIC_HEADER: return !(pflags & SMFIP_NR_HDR);
	case SMFIC_EOH: return !(pflags & SMFIP_NR_EOH);
	case SMFIC_BODY: return !(pflags & SMFIP_NR_BODY);
	case SMFIC_UNKNOWN: return !(pflags & SMFIP_NR_UNKN);
	case SMFIC_BODYEOB: return 1;
	default: return 0;                /* macros, abort, quit */
	}
}

/* printable - reply text with control bytes as '?', at most 200 bytes */
static void
printable(char *out, const unsigned char *in, size_t len)
{
	size_t i;

	for (i = 0; i < len && i < 200; i++)
		out[i] = in[i] >= 0x20 && in[i] < 0x7f ? (char)in[i] : in[i] ? '?' : ' ';
	out[i] = 0;
}

/* exchange - send C, then read replies up to the final one into OUT */
static void
exchange(char c, const unsigned char *data, size_t len, char *out, size_t outlen)
{
	char text[201];
	size_t n, used = 0;
	int r;

	out[0] = 0;
	if (put(c, data, len) < 0) {
		snprintf(out, outlen, "%c> send failed", c);
		close(fd);
		fd = -1;
		return;
	}
	if (!answers(c))
		return;
	for (;;) {
		if ((r = packet(&n)) == 0) {
			snprintf(out + used, outlen - used, "%c> closed", c);
			close(fd);
			fd = -1;
			return;
		}
		printable(text, reply, n);
		if (r == SMFIR_PROGRESS)
			continue;
		if (c == SMFIC_BODYEOB && strchr("him+-2beq", r)) {
			/* a modification before the final reply */
			used += (size_t)snprintf(out + used, outlen - used, "%c> mod %c %s\n", c, r, text);
			if (used >= outlen)
				die("too many modifications");
			continue;
		}
		snprintf(out + used, outlen - used, "%c> %c%s%s", c, r, n ? " " : "", text);
		return;
	}
}

/* unescape - \0 \n \r \t \\ \xHH in IN, in place; the length */
static size_t
unescape(char *in)
{
	char *r = in, *w = in;

	while (*r) {
		if (*r != '\\' || r[1] == 0) {
			*w++ = *r++;
			continue;
		}
		r++;
		switch (*r) {
		case '0': *w++ = 0; r++; break;
		case 'n': *w++ = '\n'; r++; break;
		case 'r': *w++ = '\r'; r++; break;
		case 't': *w++ = '\t'; r++; break;
		case 'x':
			if (r[1] && r[2]) {
				char hex[3] = { r[1], r[2], 0 };

				*w++ = (char)strtol(hex, NULL, 16);
				r += 3;
				break;
			}
			/* FALLTHROUGH */
		default: *w++ = *r++; break;
		}
	}
	return (size_t)(w - in);
}

static void
optneg(void)
{
	unsigned char o[12];
	uint32_t v[3] = { htonl(6), htonl(0x1ffU), htonl(offer) }, stage;
	size_t n, off;

	memcpy(o, v, 12);
	if (put(SMFIC_OPTNEG, o, 12) < 0 || packet(&n) != SMFIC_OPTNEG || n < 12)
		die("option negotiation failed");
	memcpy(&pflags, reply + 8, 4);
	pflags = ntohl(pflags);
	printf("O %#x\n", (unsigned)pflags);
	/* the macro lists: a 4-byte stage, a NUL-terminated list, and again */
	for (off = 12; off + 4 < n; off += strlen((char *)reply + off) + 1) {
		memcpy(&stage, reply + off, 4);
		off += 4;
		if (memchr(reply + off, 0, n - off) == NULL)
			die("macro list without its end");
		printf("S %u %s\n", (unsigned)ntohl(stage), (char *)reply + off);
	}
}

/* run - one script line (already without its newline); 0 or -1 to stop */
static int
run(char *line, char *out, size_t outlen)
{
	out[0] = 0;
	if (line[0] == 0 || line[0] == '#')
		return 0;
	if (strcmp(line, "!close") == 0) {
		close(fd);
		fd = -1;
		snprintf(out, outlen, "closed by us");
		return -1;
	}
	if (strcmp(line, "!eof") == 0) {
		size_t n;
		int r = packet(&n);

		snprintf(out, outlen, r == 0 ? "closed" : "unexpected reply %c", r);
		return 0;
	}
	if (strncmp(line, "!rep ", 5) == 0 && line[5] && line[6] == ' ') {
		char *end, *text;
		unsigned long k = strtoul(line + 7, &end, 10), i;
		size_t tl, len;
		unsigned char *buf;

		if (*end != ' ' || k == 0 || k > (16UL << 20))
			die("bad !rep line");
		text = end + 1;
		tl = unescape(text);
		if (tl == 0 || k > (16UL << 20) / tl)
			die("!rep too large");
		if ((buf = malloc(k * tl)) == NULL)
			die("out of memory");
		for (i = 0, len = 0; i < k; i++, len += tl)
			memcpy(buf + len, text, tl);
		exchange(line[5], buf, len, out, outlen);
		free(buf);
		return 0;
	}
	if (line[0] == '!')
		die("unknown script command");
	if (line[1] != ' ' && line[1] != 0)
		die("a packet line is: C DATA");
	exchange(line[0], (unsigned char *)line + 2, line[1] ? unescape(line + 2) : 0, out, outlen);
	return 0;
}

int
main(int argc, char **argv)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char *line = NULL, out[8192], last[8192] = "";
	size_t cap = 0;
	ssize_t got;

	if (argc == 4 && strcmp(argv[1], "-p") == 0) {
		offer = (uint32_t)strtoul(argv[2], NULL, 0);
		argc -= 2;
		argv += 2;
	}
	if (argc != 2 || strlen(argv[1]) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "usage: mtraw [-p PFLAGS] SOCKETPATH < SCRIPT\n");
		return 2;
	}
	memcpy(sun.sun_path, argv[1], strlen(argv[1]));
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0
	    || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		die(strerror(errno));
	optneg();
	while ((got = getline(&line, &cap, stdin)) > 0) {
		unsigned long k = 1, i, same = 0;
		char *cmd = line;

		if (line[got - 1] == '\n')
			line[got - 1] = 0;
		if (strncmp(line, "!repeat ", 8) == 0) {
			k = strtoul(line + 8, &cmd, 10);
			if (*cmd++ != ' ' || k == 0)
				die("bad !repeat line");
		}
		for (i = 0; i < k; i++) {
			char *copy = k > 1 ? strdup(cmd) : cmd;   /* unescape works in place */
			int stop;

			if (copy == NULL)
				die("out of memory");
			stop = run(copy, out, sizeof(out));
			if (copy != cmd)
				free(copy);
			if (k == 1) {
				if (out[0])
					printf("%s\n", out);
			} else if (i == 0 || strcmp(out, last) == 0) {
				same++;
			} else {
				printf("%lu x %s\n", same, last);
				same = 1;
			}
			snprintf(last, sizeof(last), "%s", out);
			if (stop < 0 || fd < 0)
				break;
		}
		if (k > 1)
			printf("%lu x %s\n", same, last);
		if (fd < 0)
			break;
	}
	free(line);
	fflush(stdout);
	return 0;
}
