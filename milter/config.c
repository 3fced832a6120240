/*
 * config.c - parse mxguard.conf into an immutable snapshot.
 *
 * One key table says each key's name, type, default and field; the same
 * parser reads defaults and the file, so a default can never be a value the
 * file could not hold. Every problem becomes "FILE:LINE: message" in a
 * cfg_errs; any problem means no snapshot (the caller keeps the one it has).
 * Files a key names (Whitelist) are opened here, so a snapshot that loads is
 * one that works.
 *
 * The current snapshot is refcounted: cfg_acquire at connect, cfg_release at
 * close; cfg_publish (start-up, SIGUSR1) swaps it and the old one is freed by
 * its last user.
 */
#include "autoconf.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "config.h"
#include "textfile.h"
#include "whitelist.h"

struct choice {
	const char *name;
	int value;
};

static const struct choice facilities[] = {
	{"mail", LOG_MAIL}, {"daemon", LOG_DAEMON}, {"user", LOG_USER},
	{"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2},
	{"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},
	{"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7}, {NULL, 0}
};
static const struct choice levels[] = {
	{"error", LOG_ERR}, {"warning", LOG_WARNING}, {"notice", LOG_NOTICE},
	{"info", LOG_INFO}, {"debug", LOG_DEBUG}, {NULL, 0}
};
static const struct choice modes[] = {
	{"enforce", MODE_ENFORCE}, {"monitor", MODE_MONITOR}, {NULL, 0}
};

enum ktype { K_SOCKET, K_PATH, K_USER, K_UMASK, K_BOOL, K_CHOICE, K_CIDRS };

struct key {
	const char *name;
	enum ktype type;
	const char *def;          /* NULL: unset */
	size_t off;
	const struct choice *choices;
};

#define F(x) offsetof(struct config, x)
static const struct key keys[] = {
	{"Socket", K_SOCKET, "unix:/run/mxguard/mxguard.sock", F(socket), NULL},
	{"UserID", K_USER, NULL, F(userid), NULL},
	{"PidFile", K_PATH, NULL, F(pidfile), NULL},
	{"UMask", K_UMASK, "007", F(umask), NULL},
	{"Syslog", K_BOOL, "yes", F(syslog), NULL},
	{"SyslogFacility", K_CHOICE, "mail", F(facility), facilities},
	{"LogLevel", K_CHOICE, "info", F(loglevel), levels},
	{"Mode", K_CHOICE, "enforce", F(mode), modes},
	{"Whitelist", K_PATH, NULL, F(whitelist), NULL},
	{"TrustedNetworks", K_CIDRS, "127.0.0.0/8, ::1/128", F(trusted), NULL},
	{"TrustAuthenticated", K_BOOL, "yes", F(trust_auth), NULL},
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

struct parse {
	const char *path;
	struct cfg_errs *errs;
};

static void
problem(struct parse *p, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
problem(struct parse *p, unsigned line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->errs->n < MXG_ERRS_MAX) {
		if (line)
			snprintf(p->errs->msg[p->errs->n], sizeof(p->errs->msg[0]),
			    "%s:%u: %s", p->path, line, msg);
		else
			snprintf(p->errs->msg[p->errs->n], sizeof(p->errs->msg[0]),
			    "%s: %s", p->path, msg);
	}
	p->errs->n++;
}

/* choices_text - "a, b or c" for an error message */
static void
choices_text(const struct choice *c, char *buf, size_t size)
{
	size_t n = 0;
	int i;

	buf[0] = 0;
	for (i = 0; c[i].name && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i == 0 ? ""
		    : c[i + 1].name ? ", " : " or ", c[i].name);
}

static int
parse_bool(const char *v, int *out)
{
	static const char *yes[] = {"yes", "true", "1"}, *no[] = {"no", "false", "0"};
	size_t i;

	for (i = 0; i < 3; i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return *out = 1, 0;
		if (strcasecmp(v, no[i]) == 0)
			return *out = 0, 0;
	}
	return -1;
}

/* parse_cidrs - comma or space separated networks; "none" or "" is empty */
static const char *
parse_cidrs(const char *v, struct cidr_list *l, char *why, size_t wsize)
{
	char *copy = strdup(v), *cur, *tok;
	struct cidr *grown;
	const char *reason;

	if (copy == NULL)
		return "out of memory";
	free(l->v);
	l->v = NULL;
	l->n = 0;
	for (cur = copy; *cur; cur++)
		if (*cur == ',')
			*cur = ' ';
	cur = copy;
	while ((tok = tf_token(&cur)) != NULL) {
		if (strcasecmp(tok, "none") == 0 && l->n == 0 && *cur == 0)
			break;
		if ((grown = realloc(l->v, (l->n + 1) * sizeof(*l->v))) == NULL) {
			free(copy);
			return "out of memory";
		}
		l->v = grown;
		if (cidr_parse(tok, &l->v[l->n], &reason) < 0) {
			snprintf(why, wsize, "\"%s\": %s", tok, reason);
			free(copy);
			return why;
		}
		l->n++;
	}
	free(copy);
	return NULL;
}

/* check_user - "user[:group]" naming accounts that exist */
static const char *
check_user(const char *v, char *why, size_t wsize)
{
	char user[MXG_NAME_MAX];
	const char *colon = strchr(v, ':');
	size_t n = colon ? (size_t)(colon - v) : strlen(v);

	if (n == 0 || n >= sizeof(user) || (colon && colon[1] == 0))
		return "expected user[:group]";
	memcpy(user, v, n);
	user[n] = 0;
	if (getpwnam(user) == NULL) {
		snprintf(why, wsize, "unknown user \"%s\"", user);
		return why;
	}
	if (colon && getgrnam(colon + 1) == NULL) {
		snprintf(why, wsize, "unknown group \"%s\"", colon + 1);
		return why;
	}
	return NULL;
}

/* check_socket - the forms libmilter takes */
static const char *
check_socket(const char *v)
{
	const char *at;

	if (strncmp(v, "unix:", 5) == 0 || strncmp(v, "local:", 6) == 0)
		return strchr(v, ':')[1] == '/' ? NULL : "unix socket path must be absolute";
	if (strncmp(v, "inet:", 5) == 0 || strncmp(v, "inet6:", 6) == 0) {
		const char *port = strchr(v, ':') + 1;
		char *end;
		long n = strtol(port, &end, 10);

		at = strchr(port, '@');
		if (end == port || n < 1 || n > 65535 || (*end != 0 && end != at)
		    || (at && at[1] == 0))
			return "expected inet:PORT@HOST or inet6:PORT@HOST";
		return NULL;
	}
	return "expected unix:PATH, inet:PORT@HOST or inet6:PORT@HOST";
}

/* set_value - parse v as key k into c; NULL or the reason it is bad */
static const char *
set_value(struct config *c, const struct key *k, const char *v, char *why, size_t wsize)
{
	void *field = (char *)c + k->off;
	const char *bad = NULL;
	char *end, list[200];
	int i;

	switch (k->type) {
	case K_SOCKET:
	case K_PATH:
	case K_USER:
		if (k->type == K_SOCKET)
			bad = check_socket(v);
		else if (k->type == K_PATH && v[0] != '/')
			bad = "path must be absolute";
		else if (k->type == K_USER)
			bad = check_user(v, why, wsize);
		if (bad)
			return bad;
		free(*(char **)field);
		if ((*(char **)field = strdup(v)) == NULL)
			return "out of memory";
		return NULL;
	case K_UMASK:
		errno = 0;
		i = (int)strtol(v, &end, 8);
		if (*v < '0' || *v > '7' || *end != 0 || errno || i < 0 || i > 0777)
			return "expected an octal mode such as 007";
		*(int *)field = i;
		return NULL;
	case K_BOOL:
		return parse_bool(v, field) < 0 ? "expected yes, no, true, false, 1 or 0" : NULL;
	case K_CHOICE:
		for (i = 0; k->choices[i].name; i++)
			if (strcasecmp(v, k->choices[i].name) == 0) {
				*(int *)field = k->choices[i].value;
				return NULL;
			}
		choices_text(k->choices, list, sizeof(list));
		snprintf(why, wsize, "bad value \"%.64s\" (expected %s)", v, list);
		return why;
	case K_CIDRS:
		return parse_cidrs(v, field, why, wsize);
	}
	abort();
}

static const struct key *
find_key(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcasecmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

/* parse_line - one "Key value" line */
static void
parse_line(struct parse *p, struct config *c, unsigned line, char *text)
{
	char *cur = tf_uncomment(text), *name, *end, why[300];
	const struct key *k;
	const char *bad;
	size_t slot;

	if ((name = tf_token(&cur)) == NULL)
		return;
	while (isspace((unsigned char)*cur))
		cur++;
	for (end = cur + strlen(cur); end > cur && isspace((unsigned char)end[-1]); end--)
		;
	*end = 0;
	if ((k = find_key(name)) == NULL) {
		problem(p, line, "unknown key \"%.64s\"", name);
		return;
	}
	slot = (size_t)(k - keys);
	if (c->lines[slot]) {
		problem(p, line, "%s already set on line %u", k->name, c->lines[slot]);
		return;
	}
	c->lines[slot] = line;
	if (*cur == 0 && k->type != K_CIDRS) {
		problem(p, line, "%s: missing value", k->name);
		return;
	}
	if ((bad = set_value(c, k, cur, why, sizeof(why))) != NULL)
		problem(p, line, "%s: %s", k->name, bad);
}

/* open_files - what the keys name must exist and be usable */
static void
open_files(struct parse *p, struct config *c)
{
	char err[600];

	if (c->whitelist && (c->wl = wl_open(c->whitelist, err, sizeof(err))) == NULL)
		problem(p, c->lines[find_key("Whitelist") - keys], "Whitelist %s", err);
}

/* cfg_load - a new snapshot, or NULL with errs->n > 0 */
struct config *
cfg_load(const char *path, struct cfg_errs *errs)
{
	struct parse p = { path, errs };
	struct config *c = calloc(1, sizeof(*c));
	char line[MXG_LINE_MAX], why[300];
	const char *bad;
	struct tf t;
	size_t i;
	int r;

	errs->n = 0;
	if (c == NULL || (c->path = strdup(path)) == NULL) {
		free(c);
		problem(&p, 0, "out of memory");
		return NULL;
	}
	c->refs = 1;
	for (i = 0; i < NKEYS; i++)
		if (keys[i].def && (bad = set_value(c, &keys[i], keys[i].def, why, sizeof(why))))
			abort();        /* a default the parser refuses is a bug */
	if (tf_open(&t, path) < 0) {
		problem(&p, 0, "cannot open: %s", strerror(errno));
		cfg_free(c);
		return NULL;
	}
	while ((r = tf_next(&t, line, sizeof(line), &bad)) > 0) {
		if (bad)
			problem(&p, t.line, "%s", bad);
		else
			parse_line(&p, c, t.line, line);
	}
	if (r < 0)
		problem(&p, t.line + 1, "read error: %s", strerror(errno));
	tf_close(&t);
	if (errs->n == 0)
		open_files(&p, c);
	if (errs->n) {
		cfg_free(c);
		return NULL;
	}
	return c;
}

void
cfg_free(struct config *c)
{
	if (c == NULL)
		return;
	wl_close(c->wl);
	free(c->path);
	free(c->socket);
	free(c->userid);
	free(c->pidfile);
	free(c->whitelist);
	free(c->trusted.v);
	free(c);
}

/* cfg_in_list - 1 when a lies in one of the networks */
int
cfg_in_list(const struct cidr_list *l, const struct addr *a)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (cidr_contains(&l->v[i], a))
			return 1;
	return 0;
}

/* ---- the current snapshot ---- */

static pthread_mutex_t current_lock = PTHREAD_MUTEX_INITIALIZER;
static struct config *current;

void
cfg_publish(struct config *c)
{
	struct config *old;

	pthread_mutex_lock(&current_lock);
	old = current;
	current = c;
	pthread_mutex_unlock(&current_lock);
	if (old)
		cfg_release(old);
}

struct config *
cfg_acquire(void)
{
	struct config *c;

	pthread_mutex_lock(&current_lock);
	if ((c = current) != NULL)
		c->refs++;
	pthread_mutex_unlock(&current_lock);
	return c;
}

void
cfg_release(struct config *c)
{
	int last;

	if (c == NULL)
		return;
	pthread_mutex_lock(&current_lock);
	last = --c->refs == 0;
	pthread_mutex_unlock(&current_lock);
	if (last)
		cfg_free(c);
}
