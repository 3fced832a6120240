/*
 * config.c - parse mxguard.conf: a pure parse, nothing opened or started.
 *
 * One key table says each key's name, type, default and field; the same
 * parser reads defaults and the file, so a default can never be a value the
 * file could not hold. Every problem becomes "FILE:LINE: message" in a
 * cfg_errs (cfg_problem, the one reporter, also used by snapshot.c); any
 * problem means no config (the caller keeps the one it has). Exports
 * cfg_parse / cfg_clear, cfg_problem, cfg_line, cfg_in_list and
 * cfg_local_names. Opening the files the keys name, starting the resolver
 * and sharing the running snapshot: snapshot.c.
 */
#include "autoconf.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#include "config.h"
#include "decide.h"
#include "log.h"
#include "mxpeers.h"
#include "names.h"
#include "spf.h"
#include "str.h"
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
static const struct choice error_actions[] = {
	{"accept", ACT_ACCEPT}, {"tempfail", ACT_TEMPFAIL}, {NULL, 0}
};
static const struct choice spf_actions[] = {
	{"reject", ACT_REJECT}, {"tempfail", ACT_TEMPFAIL}, {"tag", ACT_TAG}, {"ignore", ACT_ACCEPT},
	{NULL, 0}
};
static const struct choice spf_engines[] = {
	{"mxguard", SPF_ENGINE_MXGUARD}, {"libspf2", SPF_ENGINE_LIBSPF2}, {NULL, 0}
};
static const struct choice relay_actions[] = {
	{"tag", ACT_TAG}, {"quarantine", ACT_QUARANTINE}, {NULL, 0}
};
static const struct choice mx_trusts[] = {
	{"RELAY", WL_RELAY}, {"OK", WL_OK}, {NULL, 0}
};
static const struct choice loop_actions[] = {
	{"quarantine", ACT_QUARANTINE}, {"tempfail", ACT_TEMPFAIL}, {"reject", ACT_REJECT},
	{"tag", ACT_TAG}, {NULL, 0}
};

enum ktype {
	K_SOCKET, K_PATH, K_USER, K_UMASK, K_BOOL, K_CHOICE, K_CIDRS,
	K_TIME, K_INT, K_REPLY, K_SERVERS, K_DNSBL, K_RCPTS, K_NAMES, K_SIZE
};

struct key {
	const char *name;
	enum ktype type;
	const char *def;          /* NULL: unset */
	size_t off;
	const struct choice *choices;
	long min, max;            /* K_TIME (ms), K_INT and K_SIZE (bytes) bounds */
};

#define F(x) offsetof(struct config, x)
static const struct key keys[] = {
	{"Socket", K_SOCKET, "unix:/run/mxguard/mxguard.sock", F(socket), NULL, 0, 0},
	{"UserID", K_USER, NULL, F(userid), NULL, 0, 0},
	{"PidFile", K_PATH, NULL, F(pidfile), NULL, 0, 0},
	{"UMask", K_UMASK, "007", F(umask), NULL, 0, 0},
	{"Syslog", K_BOOL, "yes", F(syslog), NULL, 0, 0},
	{"SyslogFacility", K_CHOICE, "mail", F(facility), facilities, 0, 0},
	{"LogLevel", K_CHOICE, "info", F(loglevel), levels, 0, 0},
	{"Mode", K_CHOICE, "enforce", F(mode), modes, 0, 0},
	{"Whitelist", K_PATH, NULL, F(whitelist), NULL, 0, 0},
	{"TrustedNetworks", K_CIDRS, "127.0.0.0/8, ::1/128", F(trusted), NULL, 0, 0},
	{"TrustAuthenticated", K_BOOL, "yes", F(trust_auth), NULL, 0, 0},
	{"DNSServers", K_SERVERS, NULL, F(dns_servers), NULL, 0, 0},
	{"DNSTimeout", K_TIME, "3s", F(dns_timeout), NULL, 100, 25000},
	{"DNSErrorAction", K_CHOICE, "accept", F(dns_error_action), error_actions, 0, 0},
	{"DNSBL", K_DNSBL, NULL, F(dnsbl), NULL, 0, 0},
	{"DNSBLThreshold", K_INT, "1", F(dnsbl_threshold), NULL, -100000, 100000},
	{"DNSBLReply", K_REPLY, "554 5.7.1 Service unavailable; client [%a] blocked using %z",
	    F(dnsbl_reply), NULL, 0, 0},
	{"DNSBLMinTTL", K_TIME, "60s", F(dnsbl_min_ttl), NULL, 0, 7 * 86400000L},
	{"DNSBLMaxTTL", K_TIME, "1h", F(dnsbl_max_ttl), NULL, 0, 7 * 86400000L},
	{"DNSCacheSize", K_SIZE, "8m", F(dns_cache_size), NULL, 0, 1L << 30},
	{"ExemptRecipients", K_RCPTS, "postmaster@, abuse@", F(exempt), NULL, 0, 0},
	{"SPF", K_BOOL, "yes", F(spf), NULL, 0, 0},
	{"SPFFailAction", K_CHOICE, "reject", F(spf_fail_action), spf_actions, 0, 0},
	{"SPFHeader", K_BOOL, "yes", F(spf_header), NULL, 0, 0},
	{"SPFEngine", K_CHOICE, "mxguard", F(spf_engine), spf_engines, 0, 0},
	{"LocalNames", K_NAMES, NULL, F(local_names), NULL, 0, 0},
	{"LoopMaxReceived", K_INT, "20", F(loop_max_received), NULL, 0, 1000},
	{"LoopMaxPasses", K_INT, "3", F(loop_max_passes), NULL, 0, 100},
	{"LoopAction", K_CHOICE, "quarantine", F(loop_action), loop_actions, 0, 0},
	{"LoopKeyFile", K_PATH, SYSCONFDIR "/mxguard/loop.key", F(loop_key_file), NULL, 0, 0},
	{"LoopMarkMaxAge", K_TIME, "2d", F(loop_mark_max_age), NULL, 600000L, 14 * 86400000L},
	{"RelayCheckAction", K_CHOICE, "tag", F(relay_action), relay_actions, 0, 0},
	{"StatsInterval", K_TIME, "1h", F(stats_interval), NULL, 0, 86400000L},
	{"StatsFile", K_PATH, NULL, F(stats_file), NULL, 0, 0},
	{"BackupMXFor", K_NAMES, NULL, F(backup_mx), NULL, 0, 0},
	{"BackupMXTrust", K_CHOICE, "RELAY", F(backup_mx_trust), mx_trusts, 0, 0},
	{"BackupMXMinTTL", K_TIME, "60s", F(backup_mx_min_ttl), NULL, 1000, 86400000L},
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))
_Static_assert(NKEYS <= CFG_KEYS_MAX, "struct config's lines[] has a slot for every key");

struct parse {
	const char *path;
	struct cfg_errs *errs;
};

/* problem - one FILE:LINE problem of this parse */
#define problem(p, line, ...) cfg_problem((p)->errs, (p)->path, line, __VA_ARGS__)

/* cfg_problem - the one FILE:LINE reporter: "path:line: msg" ("path: msg" for
 * line 0) into errs; past MXG_ERRS_MAX only counted */
void
cfg_problem(struct cfg_errs *errs, const char *path, unsigned line, const char *fmt, ...)
{
	struct str msg;
	va_list ap;

	if (errs->n < MXG_ERRS_MAX) {
		str_init(&msg, CFG_PROBLEM_MAX);
		va_start(ap, fmt);
		tf_vproblem(&msg, path, line, fmt, ap);
		va_end(ap);
		str_copy(errs->msg[errs->n], sizeof(errs->msg[0]), str_text(&msg));
		str_free(&msg);
	}
	errs->n++;
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
	cur = copy;
	while ((tok = tf_item(&cur)) != NULL) {
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

/* cfg_account - "user[:group]" to its ids (the group: the user's own unless
 * named); NULL, or why not. The one parser of UserID: config checks it,
 * main drops privileges with it */
const char *
cfg_account(const char *v, uid_t *uid, gid_t *gid, char *why, size_t wsize)
{
	char user[MXG_NAME_MAX];
	const char *colon = strchr(v, ':');
	size_t n = colon ? (size_t)(colon - v) : strlen(v);
	struct passwd *pw;
	struct group *gr;

	if (n == 0 || n >= sizeof(user) || (colon && colon[1] == 0))
		return "expected user[:group]";
	memcpy(user, v, n);
	user[n] = 0;
	if ((pw = getpwnam(user)) == NULL) {
		snprintf(why, wsize, "unknown user \"%s\"", user);
		return why;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	if (colon) {
		if ((gr = getgrnam(colon + 1)) == NULL) {
			snprintf(why, wsize, "unknown group \"%s\"", colon + 1);
			return why;
		}
		*gid = gr->gr_gid;
	}
	return NULL;
}

/* check_user - UserID names a user (and group) that exist */
static const char *
check_user(const char *v, char *why, size_t wsize)
{
	uid_t uid;
	gid_t gid;

	return cfg_account(v, &uid, &gid, why, wsize);
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

/* parse_time - "500ms", "3s", "2m", "1h", "1d" to ms within [min, max] */
static const char *
parse_time(const char *v, const struct key *k, unsigned *out, char *why, size_t wsize)
{
	static const struct { const char *unit; long ms; } units[] = {
		{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000}
	};
	char *end;
	long n;
	size_t i;

	if (*v < '0' || *v > '9')
		return "expected a time with a unit, such as 500ms, 3s, 5m, 1h or 1d";
	n = strtol(v, &end, 10);
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcasecmp(end, units[i].unit) == 0)
			break;
	if (i == sizeof(units) / sizeof(units[0]))
		return "expected a time with a unit, such as 500ms, 3s, 5m, 1h or 1d";
	if (n > k->max / units[i].ms || n * units[i].ms < k->min) {
		snprintf(why, wsize, "%.40s is out of range (%ldms to %ldms)", v, k->min, k->max);
		return why;
	}
	*out = (unsigned)(n * units[i].ms);
	return NULL;
}

/* parse_size - "4096", "512k", "8m", "1g" (bytes, KiB, MiB, GiB) within [min, max] */
static const char *
parse_size(const char *v, const struct key *k, unsigned long *out, char *why, size_t wsize)
{
	static const struct { const char *unit; long mult; } units[] = {
		{"", 1}, {"k", 1L << 10}, {"m", 1L << 20}, {"g", 1L << 30}
	};
	char *end;
	long n;
	size_t i;

	errno = 0;
	if (*v < '0' || *v > '9')
		return "expected a size such as 65536, 512k, 8m or 1g";
	n = strtol(v, &end, 10);
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcasecmp(end, units[i].unit) == 0)
			break;
	if (i == sizeof(units) / sizeof(units[0]) || errno)
		return "expected a size such as 65536, 512k, 8m or 1g";
	if (n > k->max / units[i].mult || n * units[i].mult < k->min) {
		snprintf(why, wsize, "%.40s is out of range (%ld to %ld bytes)", v, k->min, k->max);
		return why;
	}
	*out = (unsigned long)(n * units[i].mult);
	return NULL;
}

/* parse_servers - "ip", "ip:port", "ip6", "[ip6]:port" to c-ares' csv (a
 * memory stream: the list is as long as it needs to be, nothing sized by hand) */
static const char *
parse_servers(const char *v, char **out, char *why, size_t wsize)
{
	char *copy = strdup(v), *cur, *tok, *csv = NULL;
	char host[INET6_ADDRSTRLEN + 2], as_written[64], *port, *end;
	struct addr a;
	size_t n = 0, len = 0;
	FILE *fp = copy ? open_memstream(&csv, &len) : NULL;
	long p;

	if (fp == NULL) {
		free(copy);
		return "out of memory";
	}
	cur = copy;
	while ((tok = tf_item(&cur)) != NULL) {
		snprintf(as_written, sizeof(as_written), "%s", tok);
		port = NULL;
		if (tok[0] == '[') {
			if ((end = strchr(tok, ']')) == NULL || (end[1] != 0 && end[1] != ':'))
				goto bad;
			*end = 0;
			port = end[1] ? end + 2 : NULL;
			tok++;
		} else if (strchr(tok, ':') == strrchr(tok, ':') && (port = strchr(tok, ':')) != NULL)
			*port++ = 0;
		if (strlen(tok) >= sizeof(host) || addr_parse(tok, &a) < 0)
			goto bad;
		addr_str(&a, host, sizeof(host));
		p = 53;
		if (port && ((p = strtol(port, &end, 10)) < 1 || p > 65535 || *end || end == port))
			goto bad;
		fprintf(fp, a.family == AF_INET6 ? "%s[%s]:%ld" : "%s%s:%ld", n++ ? "," : "", host, p);
	}
	free(copy);
	if (fclose(fp) != 0) {
		free(csv);
		return "out of memory";
	}
	if (n == 0) {
		free(csv);
		return "expected IP[:PORT] addresses";
	}
	free(*out);
	*out = csv;
	return NULL;
bad:
	snprintf(why, wsize, "\"%s\": expected IP, IP:PORT or [IPv6]:PORT", as_written);
	free(copy);
	fclose(fp);
	free(csv);
	return why;
}

/* parse_reply - "5xx [5.y.z] text" with only %a, %z and %% */
static const char *
parse_reply(const char *v)
{
	const char *p;

	if (v[0] != '5' || v[1] < '0' || v[1] > '9' || v[2] < '0' || v[2] > '9' || v[3] != ' ')
		return "expected a 5xx reply code, e.g. 554 5.7.1 text";
	for (p = v; *p; p++) {
		if (*p == '%' && p[1] != 'a' && p[1] != 'z' && p[1] != '%')
			return "only %a (client address), %z (zone) and %% may follow %";
		if (*p == '%')
			p++;
	}
	return NULL;
}

/* parse_words - a list of recipients ("local@", "user@domain", "@domain") or
 * of host names, kept lower case; "none" or "" is empty */
static const char *
parse_words(const char *v, struct str_list *l, int names, char *why, size_t wsize)
{
	char *copy = strdup(v), *cur, *tok, **grown, *q;

	if (copy == NULL)
		return "out of memory";
	for (; l->n; l->n--)
		free(l->v[l->n - 1]);
	free(l->v);
	l->v = NULL;
	cur = copy;
	while ((tok = tf_item(&cur)) != NULL) {
		if (strcasecmp(tok, "none") == 0 && l->n == 0 && *cur == 0)
			break;
		if (names ? !name_valid(tok)
		    : strchr(tok, '@') == NULL || strchr(tok, '@') != strrchr(tok, '@') || tok[1] == 0) {
			snprintf(why, wsize, names ? "\"%.60s\": not a host name"
			    : "\"%.60s\": expected local@, user@domain or @domain", tok);
			free(copy);
			return why;
		}
		if ((grown = realloc(l->v, (l->n + 1) * sizeof(*l->v))) == NULL
		    || (grown[l->n] = strdup(tok)) == NULL) {
			if (grown)
				l->v = grown;
			free(copy);
			return "out of memory";
		}
		l->v = grown;
		for (q = l->v[l->n]; *q; q++)
			*q = (char)tolower((unsigned char)*q);
		l->n++;
	}
	free(copy);
	return NULL;
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
	case K_TIME:
		return parse_time(v, k, field, why, wsize);
	case K_SIZE:
		return parse_size(v, k, field, why, wsize);
	case K_INT:
		errno = 0;
		{
			long n = strtol(v, &end, 10);

			if (end == v || *end != 0 || errno || n < k->min || n > k->max) {
				snprintf(why, wsize, "expected a whole number from %ld to %ld", k->min, k->max);
				return why;
			}
			*(int *)field = (int)n;
		}
		return NULL;
	case K_REPLY:
		if ((bad = parse_reply(v)) != NULL)
			return bad;
		free(*(char **)field);
		return (*(char **)field = strdup(v)) == NULL ? "out of memory" : NULL;
	case K_SERVERS:
		return parse_servers(v, field, why, wsize);
	case K_DNSBL:
		return dnsbl_parse(v, field, why, wsize) < 0 ? why : NULL;
	case K_RCPTS:
	case K_NAMES:
		return parse_words(v, field, k->type == K_NAMES, why, wsize);
	}
	log_bug("config key %s has no parser for its type %d", k->name, (int)k->type);
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
	if (*cur == 0 && k->type != K_CIDRS && k->type != K_RCPTS && k->type != K_NAMES) {
		problem(p, line, "%s: missing value", k->name);
		return;
	}
	if ((bad = set_value(c, k, cur, why, sizeof(why))) != NULL)
		problem(p, line, "%s: %s", k->name, bad);
}

/* keys_agree - problems of one key against another, or against a module's bound */
static void
keys_agree(struct parse *p, struct config *c)
{
	if (c->dnsbl_min_ttl > c->dnsbl_max_ttl)
		problem(p, c->lines[find_key("DNSBLMaxTTL") - keys]
		    ? c->lines[find_key("DNSBLMaxTTL") - keys] : c->lines[find_key("DNSBLMinTTL") - keys],
		    "DNSBLMinTTL is larger than DNSBLMaxTTL");

	if (c->backup_mx.n > MXP_DOMAINS_MAX)
		problem(p, c->lines[find_key("BackupMXFor") - keys], "BackupMXFor: %zu domains, "
		    "at most %d", c->backup_mx.n, MXP_DOMAINS_MAX);
}

/* cfg_parse - the file's values over the defaults, nothing opened; NULL
 * with errs->n > 0 */
struct config *
cfg_parse(const char *path, struct cfg_errs *errs)
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
	if (gethostname(c->hostname, sizeof(c->hostname) - 1) < 0)
		c->hostname[0] = 0;
	for (i = 0; i < NKEYS; i++)
		if (keys[i].def && (bad = set_value(c, &keys[i], keys[i].def, why, sizeof(why))))
			log_bug("the default of %s is refused: %s", keys[i].name, bad);
	if (tf_open(&t, path) < 0) {
		problem(&p, 0, "cannot open: %s", strerror(errno));
		cfg_clear(c);
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
		keys_agree(&p, c);
	if (errs->n) {
		cfg_clear(c);
		return NULL;
	}
	return c;
}

/* cfg_clear - what cfg_parse allocated, and c (snapshot.c closes what it opened first) */
void
cfg_clear(struct config *c)
{
	if (c == NULL)
		return;
	free(c->path);
	free(c->socket);
	free(c->userid);
	free(c->pidfile);
	free(c->whitelist);
	free(c->loop_key_file);
	free(c->stats_file);
	free(c->trusted.v);
	free(c->dns_servers);
	dnsbl_conf_free(&c->dnsbl);
	free(c->dnsbl_reply);
	while (c->exempt.n)
		free(c->exempt.v[--c->exempt.n]);
	free(c->exempt.v);
	while (c->local_names.n)
		free(c->local_names.v[--c->local_names.n]);
	free(c->local_names.v);
	while (c->backup_mx.n)
		free(c->backup_mx.v[--c->backup_mx.n]);
	free(c->backup_mx.v);
	free(c);
}

/* cfg_line - the line a key was set on; 0 for a default or an unknown key */
unsigned
cfg_line(const struct config *c, const char *key)
{
	const struct key *k = find_key(key);

	return k ? c->lines[k - keys] : 0;
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

/* cfg_local_names - this host's names: LocalNames, else the MTA's {j}
 * (when given) and the host name; buf holds two pointers */
size_t
cfg_local_names(const struct config *c, const char *j, char **buf, char *const **out)
{
	if (c->local_names.n) {
		*out = c->local_names.v;
		return c->local_names.n;
	}
	buf[0] = (char *)(j && j[0] ? j : c->hostname);
	buf[1] = (char *)c->hostname;
	*out = buf;
	return c->hostname[0] ? 2 : 1;
}
