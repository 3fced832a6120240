/*
 * noop.c - the benchmark's baseline: a libmilter filter with the same
 * callbacks as mxguard that decides nothing and returns CONTINUE.
 *   noop -p unix:PATH
 */
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>
#include <libmilter/mfapi.h>

static sfsistat cont_connect(SMFICTX *c, char *h, _SOCK_ADDR *a) { (void)c; (void)h; (void)a; return SMFIS_CONTINUE; }
static sfsistat cont_argv(SMFICTX *c, char **v) { (void)c; (void)v; return SMFIS_CONTINUE; }
static sfsistat cont_helo(SMFICTX *c, char *h) { (void)c; (void)h; return SMFIS_CONTINUE; }
static sfsistat cont_header(SMFICTX *c, char *n, char *v) { (void)c; (void)n; (void)v; return SMFIS_CONTINUE; }
static sfsistat cont(SMFICTX *c) { (void)c; return SMFIS_CONTINUE; }

int
main(int argc, char **argv)
{
	struct smfiDesc d;

	if (argc != 3 || strcmp(argv[1], "-p") != 0) {
		fprintf(stderr, "usage: noop -p unix:PATH\n");
		return 2;
	}
	memset(&d, 0, sizeof(d));
	d.xxfi_name = "noop";
	d.xxfi_version = SMFI_VERSION;
	d.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE;
	d.xxfi_connect = cont_connect;
	d.xxfi_helo = cont_helo;
	d.xxfi_envfrom = cont_argv;
	d.xxfi_envrcpt = cont_argv;
	d.xxfi_header = cont_header;
	d.xxfi_eoh = cont;
	d.xxfi_eom = cont;
	d.xxfi_abort = cont;
	d.xxfi_close = cont;
	if (smfi_setconn(argv[2]) == MI_FAILURE || smfi_register(d) == MI_FAILURE
	    || smfi_opensocket(1) == MI_FAILURE) {
		fprintf(stderr, "noop: cannot listen on %s\n", argv[2]);
		return 1;
	}
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
