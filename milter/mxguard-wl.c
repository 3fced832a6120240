/*
 * mxguard-wl.c - compile, check, query and show the mxguard whitelist
 * (the postmap of mxguard).
 *
 *   mxguard-wl [-n] [-o OUT] SOURCE   compile SOURCE into SOURCE.cdb (or OUT)
 *   mxguard-wl -q KEY FILE.cdb        print the entry KEY matches; exit 1 if none
 *   mxguard-wl -s FILE.cdb            print every entry
 *
 * Exit: 0 done or found; 1 problems in SOURCE, or KEY not found; 2 usage
 * error or an unusable CDB file.
 *
 * -q, -s and -n warn on stderr, as postmap does, when the CDB is older than
 * its source (FILE.cdb and FILE; for -n, SOURCE and its output); a warning
 * never changes the exit status.
 */
#include "autoconf.h"

#include <sys/stat.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "log.h"
#include "whitelist.h"
#include "wlcompile.h"

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: mxguard-wl [-n] [-o OUT] SOURCE   compile SOURCE into SOURCE.cdb\n"
	    "       mxguard-wl -q KEY FILE.cdb        print the entry KEY matches\n"
	    "       mxguard-wl -s FILE.cdb            print every entry\n"
	    "       mxguard-wl -V | -h\n");
}

static void
show(const struct wl_entry *e, void *arg)
{
	(void)arg;
	printf("%s\t%s\n", e->text, wl_kind_name(e->kind));
}

/* warn_stale - the postmap warning when an existing CDB is older than src */
static void
warn_stale(const char *cdb, const char *src)
{
	char msg[2 * PATH_MAX + 64];
	struct stat st;

	if (stat(cdb, &st) == 0 && wl_older_than(cdb, &st, src, msg, sizeof(msg)))
		fprintf(stderr, "mxguard-wl: warning: %s\n", msg);
}

/* open_or_die - open and validate a CDB, warn if its source is newer */
static struct wl *
open_or_die(const char *path)
{
	char err[2 * PATH_MAX + 64];
	struct wl *wl = wl_open(path, err, sizeof(err));

	if (wl == NULL) {
		fprintf(stderr, "mxguard-wl: %s\n", err);
		exit(2);
	}
	if (wl_stale(wl, err, sizeof(err)))
		fprintf(stderr, "mxguard-wl: warning: %s\n", err);
	return wl;
}

/* query - an IP matches networks, anything else is a host name */
static int
query(const char *key, const char *path)
{
	struct wl *wl = open_or_die(path);
	struct wl_entry e;
	struct addr a;
	int hit;

	if (addr_parse(key, &a) == 0)
		hit = wl_match_addr(wl, &a, &e);
	else
		hit = wl_match_name(wl, key, &e);
	if (hit)
		printf("%s\t%s\n", e.text, wl_kind_name(e.kind));
	wl_close(wl);
	return hit ? 0 : 1;
}

int
main(int argc, char **argv)
{
	const char *out = NULL, *qkey = NULL;
	char *defout = NULL;
	int c, check_only = 0, showall = 0, r;

	log_open("mxguard-wl", 0, 0, 1);
	while ((c = getopt(argc, argv, "hno:q:sV")) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 0;
		case 'n':
			check_only = 1;
			break;
		case 'o':
			out = optarg;
			break;
		case 'q':
			qkey = optarg;
			break;
		case 's':
			showall = 1;
			break;
		case 'V':
			printf("mxguard-wl %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 1 || (qkey && showall)) {
		usage(stderr);
		return 2;
	}
	if (qkey)
		return query(qkey, argv[optind]);
	if (showall) {
		struct wl *wl = open_or_die(argv[optind]);

		r = wl_walk(wl, show, NULL);
		wl_close(wl);
		return r < 0 ? 2 : 0;
	}
	if (out == NULL) {
		size_t n = strlen(argv[optind]) + 5;

		if ((defout = malloc(n)) == NULL) {
			fprintf(stderr, "mxguard-wl: out of memory\n");
			return 2;
		}
		snprintf(defout, n, "%s.cdb", argv[optind]);
		out = defout;
	}
	r = wlc_compile(argv[optind], out, check_only, stderr);
	if (check_only)
		warn_stale(out, argv[optind]);
	free(defout);
	return r == 0 ? 0 : 1;
}
