/*
 * log.c - log sink and key=value line builder.
 *
 * Exports log_open/log_setlevel/log_msg (syslog and/or stderr, one write a
 * line, safe from any thread), log_quote and ll_* (a bounded decision line
 * whose values are quoted and escaped so a hostile HELO or client name can
 * neither break the line nor grow it: control bytes, quotes and non-ASCII
 * become \xNN, a value is cut at MXG_LOGVAL_MAX bytes with "...").
 *
 * The builder keeps the key/value pairs and writes the line at ll_emit:
 * the keys that classify a decision (action, reason, mode, client, score)
 * first, in that order, then the others in the order they were added. A
 * line longer than MXG_LOGLINE_MAX - 1 bytes is made to fit by shortening
 * the longest values to one common length, each ending in "..." (inside its
 * quotes), so every key added is on the line; the classifying values are
 * shortened only if nothing else can give. Logging never fails the caller;
 * more than LL_KEYS_MAX keys, or a key longer than LL_KEY_MAX - 1 bytes, is
 * a bug of the caller (abort).
 */
#include "autoconf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* the sink's settings: written at start-up and on reload only */
static const char *log_ident = "mxguard";
static int log_syslog;
static int log_stderr = 1;
static int log_level = LOG_INFO;      /* set by the signal thread, read by every worker: atomic */
void
log_open(const char *ident, int use_syslog, int facility, int to_stderr)
{
	log_ident = ident;
	if (log_syslog)
		closelog();
	log_syslog = use_syslog;
	log_stderr = to_stderr;
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, facility);
}

void
log_setlevel(int prio)
{
	__atomic_store_n(&log_level, prio, __ATOMIC_RELAXED);
}

int
log_enabled(int prio)
{
	return prio <= __atomic_load_n(&log_level, __ATOMIC_RELAXED);
}

/* emit - hand one finished line to the sinks */
static void
emit(int prio, const char *line)
{
	if (!log_enabled(prio))
		return;
	if (log_syslog)
		syslog(prio, "%s", line);
	if (log_stderr) {
		char out[MXG_LOGLINE_MAX + 128], ts[32];
		time_t now = time(NULL);
		struct tm tm;
		int n;

		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", localtime_r(&now, &tm));
		n = snprintf(out, sizeof(out), "%s %s[%ld]: %s\n", ts, log_ident,
		    (long)getpid(), line);
		if (n > (int)sizeof(out) - 1) {
			n = (int)sizeof(out) - 1;
			out[n - 1] = '\n';
		}
		if (write(STDERR_FILENO, out, (size_t)n) < 0)
			return;
	}
}

void
log_msg(int prio, const char *fmt, ...)
{
	char line[MXG_LOGLINE_MAX];
	va_list ap;

	if (!log_enabled(prio))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	emit(prio, line);
}

/* log_bug - a broken internal promise: say which (LOG_CRIT, whatever the
 * level) and abort */
void
log_bug(const char *fmt, ...)
{
	char line[MXG_LOGLINE_MAX];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "bug: ");
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	emit(LOG_CRIT, line);
	abort();
}

/* the smallest a shortened value gets: "..." */
#define LL_VAL_MIN 5

/* every key at its longest with the smallest values fits in one line */
_Static_assert(LL_HEAD_MAX + LL_KEYS_MAX * (1 + (LL_KEY_MAX - 1) + 1 + LL_VAL_MIN)
    < MXG_LOGLINE_MAX, "LL_KEYS_MAX keys cannot all fit in one log line");

/* the keys that classify a decision line: first, in this order, cut last */
static const char *const ll_classifying[] = {"action", "reason", "mode", "client", "score"};
#define LL_NCLASS (sizeof(ll_classifying) / sizeof(ll_classifying[0]))

/* escaped - whether a byte is written as \xNN (a space is kept but quoted) */
static int
escaped(unsigned char c)
{
	return c != ' ' && (c < 0x21 || c >= 0x7f || c == '"' || c == '\\');
}

/* needs_quote - whether a value of n bytes is written in double quotes */
static int
needs_quote(const char *v, size_t n)
{
	size_t i;

	if (n == 0)
		return 1;
	for (i = 0; i < n; i++)
		if (v[i] == ' ' || escaped((unsigned char)v[i]))
			return 1;
	return 0;
}

/* quoted_len - bytes a value of n bytes takes written whole ("..." when cut) */
static size_t
quoted_len(const char *v, size_t n, int cut)
{
	size_t i, len = needs_quote(v, n) ? 2 : 0;

	for (i = 0; i < n; i++)
		len += escaped((unsigned char)v[i]) ? 4 : 1;
	return len + (cut ? 3 : 0);
}

/*
 * render - a value of n bytes escaped into dst, at most cap bytes (no NUL):
 * whole when it fits, else as much as fits before "..." (never half an
 * escape); cap >= LL_VAL_MIN. cut: the value was already cut, ends in "...".
 */
static size_t
render(char *dst, size_t cap, const char *val, size_t n, int cut)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *v = (const unsigned char *)val;
	int quote = needs_quote(val, n);
	size_t in, out = 0, room;

	if (quoted_len(val, n, cut) > cap)
		cut = 1;
	room = cap - (cut ? 3 : 0) - (quote ? 2 : 0);
	if (quote)
		dst[out++] = '"';
	for (in = 0; in < n; in++) {
		size_t w = escaped(v[in]) ? 4 : 1;

		if (out - (quote ? 1 : 0) + w > room)
			break;
		if (w == 1) {
			dst[out++] = (char)v[in];
			continue;
		}
		dst[out++] = '\\';
		dst[out++] = 'x';
		dst[out++] = hex[v[in] >> 4];
		dst[out++] = hex[v[in] & 15];
	}
	if (cut) {
		dst[out++] = '.';
		dst[out++] = '.';
		dst[out++] = '.';
	}
	if (quote)
		dst[out++] = '"';
	return out;
}

/*
 * log_quote - one value made safe for a key=value line: returned length is
 * what was written to dst (always NUL-terminated). Quoted when it is empty
 * or holds a space or anything that needed escaping; past MXG_LOGVAL_MAX
 * bytes, or past what dst holds, cut and ended with "...".
 */
size_t
log_quote(char *dst, size_t size, const char *val)
{
	size_t n = strnlen(val, MXG_LOGVAL_MAX + 1), out;

	if (size < 8) {
		if (size)
			dst[0] = 0;
		return 0;
	}
	out = render(dst, size - 1, val, n > MXG_LOGVAL_MAX ? MXG_LOGVAL_MAX : n,
	    n > MXG_LOGVAL_MAX);
	dst[out] = 0;
	return out;
}

/* ll_reset - an empty line with the given head (at most LL_HEAD_MAX - 1 bytes) */
static void
ll_reset(struct logline *l, const char *head)
{
	l->n = 0;
	l->len = 0;
	l->buf[0] = 0;
	snprintf(l->head, sizeof(l->head), "%s", head);
}

void
ll_init(struct logline *l, const char *qid)
{
	ll_reset(l, "");
	if (qid && *qid) {
		char q[64];

		log_quote(q, sizeof(q), qid);
		snprintf(l->head, sizeof(l->head), "%s:", q);
	}
}

void
ll_init_text(struct logline *l, const char *lead)
{
	ll_reset(l, lead);
}

void
ll_add(struct logline *l, const char *key, const char *val)
{
	struct ll_pair *p;
	size_t n;

	if (l->n >= LL_KEYS_MAX || strlen(key) >= LL_KEY_MAX) {
		log_bug("log line: key %.40s is key %u (max %d) or longer than %d bytes",
		    key, l->n + 1, LL_KEYS_MAX, LL_KEY_MAX - 1);
	}
	p = &l->kv[l->n++];
	memcpy(p->key, key, strlen(key) + 1);
	if (val == NULL)
		val = "";
	n = strnlen(val, MXG_LOGVAL_MAX + 1);
	p->cut = n > MXG_LOGVAL_MAX;
	p->len = p->cut ? MXG_LOGVAL_MAX : n;
	memcpy(p->val, val, p->len);
}

void
ll_addf(struct logline *l, const char *key, const char *fmt, ...)
{
	char v[MXG_LOGVAL_MAX + 2];     /* one byte more than is kept: the cut shows */
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	ll_add(l, key, v);
}

/* classifying - the rank of a key among ll_classifying, or LL_NCLASS */
static unsigned
classifying(const char *key)
{
	unsigned c;

	for (c = 0; c < LL_NCLASS; c++)
		if (strcmp(key, ll_classifying[c]) == 0)
			break;
	return c;
}

/* over - bytes by which values of the given full lengths overrun room when
 * every one that may give (give[i]) is held to cap; 0 when they fit */
static size_t
over(const size_t *full, const int *give, unsigned n, size_t cap, size_t room)
{
	size_t sum = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		sum += give[i] && full[i] > cap ? cap : full[i];
	return sum > room ? sum - room : 0;
}

/* fit_cap - the largest common cap (>= LL_VAL_MIN) under which the values
 * fit in room, or 0 when even LL_VAL_MIN is too much */
static size_t
fit_cap(const size_t *full, const int *give, unsigned n, size_t room)
{
	size_t lo = LL_VAL_MIN, hi = MXG_LOGLINE_MAX;

	if (over(full, give, n, lo, room))
		return 0;
	while (lo < hi) {                    /* over(lo) == 0 holds */
		size_t mid = lo + (hi - lo + 1) / 2;

		if (over(full, give, n, mid, room))
			hi = mid - 1;
		else
			lo = mid;
	}
	return lo;
}

/* ll_build - the line into l->buf: classifying keys first, the longest
 * values shortened until it fits */
static void
ll_build(struct logline *l)
{
	unsigned rank[LL_KEYS_MAX], i, c, n = l->n;
	size_t full[LL_KEYS_MAX], fixed, room, cap = MXG_LOGLINE_MAX, pos;
	int give[LL_KEYS_MAX];
	char *b = l->buf;

	fixed = strlen(l->head);
	for (i = 0; i < n; i++) {
		const struct ll_pair *p = &l->kv[i];

		rank[i] = classifying(p->key);
		full[i] = quoted_len(p->val, p->len, p->cut);
		give[i] = rank[i] == LL_NCLASS;
		fixed += 1 + strlen(p->key) + 1;        /* " key=" */
	}
	if (n && l->head[0] == 0)
		fixed--;                        /* no space before the first key */
	room = sizeof(l->buf) - 1 - fixed;  /* > LL_KEYS_MAX * LL_VAL_MIN: the assertion */
	if (over(full, give, n, cap, room)) {
		if ((cap = fit_cap(full, give, n, room)) == 0) {
			for (i = 0; i < n; i++)
				give[i] = 1;
			cap = fit_cap(full, give, n, room);
		}
	}
	pos = (size_t)snprintf(b, sizeof(l->buf), "%s", l->head);
	for (c = 0; c <= LL_NCLASS; c++) {
		for (i = 0; i < n; i++) {
			const struct ll_pair *p = &l->kv[i];
			size_t klen = strlen(p->key);

			if (rank[i] != c)
				continue;
			if (pos)
				b[pos++] = ' ';
			memcpy(b + pos, p->key, klen);
			pos += klen;
			b[pos++] = '=';
			pos += render(b + pos, give[i] && full[i] > cap ? cap : full[i],
			    p->val, p->len, p->cut);
		}
	}
	b[pos] = 0;
	l->len = pos;
}

void
ll_emit(struct logline *l, int prio)
{
	ll_build(l);
	emit(prio, l->buf);
}
