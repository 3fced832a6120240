/*
 * noop.c - the benchmark's baseline: a libmilter filter with mxguard's
 * callbacks and flags that decides nothing (every callback returns
 * SMFIS_CONTINUE). What mtload measures against it is the cost of libmilter
 * and the protocol alone; mxguard's figures are read as ratios to it.
 *
 *   noop -p SOCKET [-r MS]   (SOCKET: unix:PATH, inet:PORT@HOST)
 *
 * -r MS sleeps MS milliseconds in the RCPT callback: a filter that waits for
 * something (DNS) while holding a libmilter worker, to tell libmilter's own
 * behaviour with blocked callbacks apart from the filter's.
 *
 * No negotiate callback: libmilter asks the MTA to skip the steps that have
 * no callback (body, unknown, data), as a typical filter does. libmilter
 * handles SIGTERM/SIGINT/SIGHUP. Failure: a socket that cannot be opened
 * exits 1 with a message; bad usage exits 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/types.h>
#include <unistd.h>
#include <libmilter/mfapi.h>

static sfsistat
noop_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *addr)
{
	(void)ctx, (void)host, (void)addr;
	return SMFIS_CONTINUE;
}

static long rcpt_ms;                      /* -r */

static sfsistat
noop_args(SMFICTX *ctx, char **argv)
{
	(void)ctx, (void)argv;
	return SMFIS_CONTINUE;
}

static sfsistat
noop_rcpt(SMFICTX *ctx, char **argv)
{
	struct timespec ts = { rcpt_ms / 1000, (rcpt_ms % 1000) * 1000000 };

	(void)ctx, (void)argv;
	while (rcpt_ms > 0 && nanosleep(&ts, &ts) < 0)
		;                                 /* EINTR: sleep the rest */
	return SMFIS_CONTINUE;
}

static sfsistat
noop_helo(SMFICTX *ctx, char *helo)
{
	(void)ctx, (void)helo;
	return SMFIS_CONTINUE;
}

static sfsistat
noop_header(SMFICTX *ctx, char *name, char *value)
{
	(void)ctx, (void)name, (void)value;
	return SMFIS_CONTINUE;
}

static sfsistat
noop_ctx(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_CONTINUE;
}

int
main(int argc, char **argv)
{
	struct smfiDesc d;
	const char *sock = NULL;
	char *end;
	int c;

	while ((c = getopt(argc, argv, "p:r:")) != -1) {
		switch (c) {
		case 'p':
			sock = optarg;
			break;
		case 'r':
			rcpt_ms = strtol(optarg, &end, 10);
			if (*end || end == optarg || rcpt_ms < 0 || rcpt_ms > 3600000)
				goto usage;
			break;
		default:
			goto usage;
		}
	}
	if (sock == NULL || optind != argc)
		goto usage;
	memset(&d, 0, sizeof(d));
	d.xxfi_name = "noop";
	d.xxfi_version = SMFI_VERSION;
	d.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE;
	d.xxfi_connect = noop_connect;
	d.xxfi_helo = noop_helo;
	d.xxfi_envfrom = noop_args;
	d.xxfi_envrcpt = noop_rcpt;
	d.xxfi_header = noop_header;
	d.xxfi_eoh = noop_ctx;
	d.xxfi_eom = noop_ctx;
	d.xxfi_abort = noop_ctx;
	d.xxfi_close = noop_ctx;
	if (smfi_setconn((char *)sock) == MI_FAILURE || smfi_register(d) == MI_FAILURE
	    || smfi_opensocket(1) == MI_FAILURE) {
		fprintf(stderr, "noop: cannot listen on %s\n", sock);
		return 1;
	}
	return smfi_main() == MI_SUCCESS ? 0 : 1;
usage:
	fprintf(stderr, "usage: noop -p unix:PATH|inet:PORT@HOST [-r MS]\n");
	return 2;
}
