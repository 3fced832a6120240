/*
 * wlcompile.c - compile a whitelist source into the CDB layout of
 * whitelist.h.
 *
 * Every problem is written as "SOURCE:LINE: message" (at most MXG_ERRS_MAX
 * of them); one problem means no output at all. Output goes to a temporary
 * file beside the target, is synced and renamed into place, so a reader
 * sees the old file or the new one, never half of one.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cdb.h>

#include "mxguard.h"
#include "names.h"
#include "str.h"
#include "textfile.h"
#include "whitelist.h"
#include "wlcompile.h"

#define WLC_PROBLEM_MAX ((size_t)2 * MXG_LINE_MAX)  /* bytes of one problem: it quotes at most a line */

/* numeric - only digits and dots: meant as an IPv4 address */
static int
numeric(const char *s)
{
	return strspn(s, "0123456789./") == strlen(s);
}

/*
 * wlc_parse_key - one source key to its CDB key and canonical text.
 * Returns the bit map slot: prefix length for networks (AF in *why unused),
 * -1 for names, -2 on error with *why set.
 */
int
wlc_parse_key(const char *word, unsigned char *key, size_t *klen,
    char *canon, size_t csize, const char **why)
{
	char name[MXG_NAME_MAX];
	struct cidr c;
	int len;

	if (word[0] == '.') {
		if ((len = name_canon(word + 1, name + 1, sizeof(name) - 1)) < 0) {
			*why = "bad domain (expected .example.org)";
			return -2;
		}
		name[0] = '.';
		*klen = wl_key_name('D', name, (size_t)len + 1, key);
		snprintf(canon, csize, "%s", name);
		return -1;
	}
	if (strchr(word, ':') || strchr(word, '/') || numeric(word)) {
		if (cidr_parse(word, &c, why) < 0)
			return -2;
		*klen = wl_key_net(&c.net, c.len, key);
		cidr_str(&c, canon, csize);
		return c.len;
	}
	if ((len = name_canon(word, name, sizeof(name))) < 0) {
		*why = "not an IP address, network or host name";
		return -2;
	}
	*klen = wl_key_name('H', name, (size_t)len, key);
	snprintf(canon, csize, "%s", name);
	return -1;
}

struct job {
	const char *src;
	FILE *errf;
	int problems;
};

static void problem(struct job *j, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
problem(struct job *j, unsigned line, const char *fmt, ...)
{
	struct str msg;
	va_list ap;

	if (++j->problems > MXG_ERRS_MAX)
		return;
	str_init(&msg, WLC_PROBLEM_MAX);
	va_start(ap, fmt);
	tf_vproblem(&msg, j->src, line, fmt, ap);
	va_end(ap);
	fprintf(j->errf, "%s\n", str_text(&msg));
	str_free(&msg);
}

/* add_line - parse one line and add its entry; problems are reported */
static void
add_line(struct job *j, unsigned line, char *text, struct cdb_make *cm, struct wl_meta *m)
{
	unsigned char key[WL_KEY_MAX], val[MXG_ENTRY_MAX + 1];
	char canon[MXG_ENTRY_MAX], *cur = tf_uncomment(text), *k, *v;
	const char *why;
	size_t klen, vlen;
	int kind, slot;

	if ((k = tf_token(&cur)) == NULL)
		return;
	if ((v = tf_token(&cur)) == NULL) {
		problem(j, line, "\"%s\": missing value (OK or RELAY)", k);
		return;
	}
	if (tf_token(&cur) != NULL) {
		problem(j, line, "\"%s\": unexpected text after the value", k);
		return;
	}
	if ((kind = wl_kind_parse(v)) < 0) {
		problem(j, line, "unknown value \"%s\" (expected OK or RELAY)", v);
		return;
	}
	if (strlen(k) > MXG_NAME_MAX) {
		problem(j, line, "%s", "key too long");
		return;
	}
	if ((slot = wlc_parse_key(k, key, &klen, canon, sizeof(canon), &why)) == -2) {
		problem(j, line, "\"%s\": %s", k, why);
		return;
	}
	if (cdb_make_exists(cm, key, (unsigned)klen) > 0) {
		problem(j, line, "duplicate entry for %s", canon);
		return;
	}
	if (slot >= 0) {
		unsigned char *map = key[0] == '4' ? m->v4 : m->v6;
		map[slot / 8] |= (unsigned char)(1 << (slot % 8));
	}
	val[0] = (unsigned char)kind;
	vlen = strlen(canon);
	memcpy(val + 1, canon, vlen);
	if (cdb_make_add(cm, key, (unsigned)klen, val, (unsigned)vlen + 1) < 0) {
		problem(j, line, "write: %s", strerror(errno));
		return;
	}
	m->sum = wl_sum(wl_sum(m->sum, key, klen), val, vlen + 1);
	m->count++;
}

/* open_output - temporary file beside out, or an anonymous one for -n */
static int
open_output(const char *out, int check_only, char *tmp, size_t size)
{
	char *copy, *dir;
	int fd;

	if (check_only) {
		snprintf(tmp, size, "/tmp/.mxguard-wl.XXXXXX");
		if ((fd = mkstemp(tmp)) >= 0)
			unlink(tmp);
		return fd;
	}
	if ((copy = strdup(out)) == NULL)
		return -1;
	dir = dirname(copy);
	snprintf(tmp, size, "%s/.%s.XXXXXX", dir, "mxguard-wl");
	free(copy);
	if ((fd = mkstemp(tmp)) < 0)
		return -1;
	if (fchmod(fd, 0644) < 0) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	return fd;
}

/* sync_dir - make the rename durable */
static void
sync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd;

	if (copy == NULL)
		return;
	if ((fd = open(dirname(copy), O_RDONLY | O_DIRECTORY)) >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(copy);
}

int
wlc_compile(const char *src, const char *out, int check_only, FILE *errf)
{
	struct job j = { src, errf, 0 };
	struct cdb_make cm;
	struct wl_meta meta;
	unsigned char mbuf[WL_META_LEN];
	char line[MXG_LINE_MAX], tmp[4096];
	const char *bad;
	struct tf t;
	int fd, r;

	if (tf_open(&t, src) < 0) {
		fprintf(errf, "%s: %s\n", src, strerror(errno));
		return -1;
	}
	if ((fd = open_output(out, check_only, tmp, sizeof(tmp))) < 0) {
		fprintf(errf, "%s: cannot create a temporary file: %s\n", out, strerror(errno));
		tf_close(&t);
		return -1;
	}
	memset(&meta, 0, sizeof(meta));
	cdb_make_start(&cm, fd);
	while ((r = tf_next(&t, line, sizeof(line), &bad)) > 0) {
		if (bad)
			problem(&j, t.line, "%s", bad);
		else
			add_line(&j, t.line, line, &cm, &meta);
	}
	if (r < 0)
		problem(&j, t.line + 1, "read error: %s", strerror(errno));
	tf_close(&t);
	if (j.problems > MXG_ERRS_MAX)
		fprintf(errf, "%s: %d problems in all, only the first %d shown\n",
		    src, j.problems, MXG_ERRS_MAX);
	wl_meta_pack(&meta, mbuf);
	if (j.problems == 0
	    && cdb_make_add(&cm, WL_META_KEY, WL_META_KEYLEN, mbuf, sizeof(mbuf)) < 0) {
		fprintf(errf, "%s: write: %s\n", out, strerror(errno));
		j.problems++;
	}
	/* finish even after problems: it frees the record lists */
	if ((cdb_make_finish(&cm) < 0 || fsync(fd) < 0) && j.problems == 0) {
		fprintf(errf, "%s: write: %s\n", out, strerror(errno));
		j.problems++;
	}
	close(fd);
	if (check_only)
		return j.problems;
	if (j.problems == 0 && rename(tmp, out) < 0) {
		fprintf(errf, "%s: rename: %s\n", out, strerror(errno));
		j.problems++;
	}
	if (j.problems != 0)
		unlink(tmp);
	else
		sync_dir(out);
	return j.problems;
}
