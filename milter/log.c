/*
 * log.c - log sink and key=value line builder.
 *
 * Exports log_open/log_setlevel/log_msg (syslog and/or stderr, one write a
 * line, safe from any thread) and ll_* (a bounded decision line whose values
 * are quoted and escaped so a hostile HELO or client name can neither break
 * the line nor grow it: control bytes, quotes and non-ASCII become \xNN,
 * values are cut at MXG_LOGVAL_MAX bytes with "...", the line at
 * MXG_LOGLINE_MAX). Logging never fails the caller.
 *
 * Also the counters of the stats line (log_count*, log_stats): relaxed
 * atomic adds, read without a lock, so a stats line may be a moment stale.
 */
#include "autoconf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "decide.h"
#include "log.h"

/* the sink's settings: written at start-up and on reload only */
static const char *log_ident = "mxguard";
static int log_syslog;
static int log_stderr = 1;
static int log_level = LOG_INFO;      /* set by the signal thread, read by every worker: atomic */
static time_t log_started;            /* CLOCK_MONOTONIC seconds at the first log_open */

/* mono_sec - seconds on the monotonic clock */
static time_t
mono_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

void
log_open(const char *ident, int use_syslog, int facility, int to_stderr)
{
	log_ident = ident;
	if (log_started == 0)
		log_started = mono_sec();
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

/*
 * log_quote - one value made safe for a key=value line: returned length is
 * what was written to dst (always NUL-terminated). Quoted when it is empty
 * or holds a space or anything that needed escaping.
 */
size_t
log_quote(char *dst, size_t size, const char *val)
{
	static const char hex[] = "0123456789abcdef";
	size_t in, out = 1, limit = MXG_LOGVAL_MAX;
	int quote = val[0] == 0;
	const unsigned char *v = (const unsigned char *)val;

	if (size < 8) {
		if (size)
			dst[0] = 0;
		return 0;
	}
	for (in = 0; v[in] && out + 8 < size; in++) {
		if (in >= limit) {
			memcpy(dst + out, "...", 3);
			out += 3;
			break;
		}
		if (v[in] < 0x21 || v[in] >= 0x7f || v[in] == '"' || v[in] == '\\') {
			quote = 1;
			if (v[in] == ' ') {
				dst[out++] = ' ';
				continue;
			}
			dst[out++] = '\\';
			dst[out++] = 'x';
			dst[out++] = hex[v[in] >> 4];
			dst[out++] = hex[v[in] & 15];
			continue;
		}
		dst[out++] = (char)v[in];
	}
	if (quote) {
		dst[0] = '"';
		dst[out++] = '"';
		dst[out] = 0;
		return out;
	}
	memmove(dst, dst + 1, out - 1);
	dst[out - 1] = 0;
	return out - 1;
}

void
ll_init(struct logline *l, const char *qid)
{
	l->len = 0;
	l->buf[0] = 0;
	if (qid && *qid) {
		char q[64];

		log_quote(q, sizeof(q), qid);
		l->len = (size_t)snprintf(l->buf, sizeof(l->buf), "%s:", q);
	}
}

void
ll_add(struct logline *l, const char *key, const char *val)
{
	char q[MXG_LOGVAL_MAX * 4 + 8];
	int n;

	if (l->len >= sizeof(l->buf) - 1)
		return;
	log_quote(q, sizeof(q), val ? val : "");
	n = snprintf(l->buf + l->len, sizeof(l->buf) - l->len, "%s%s=%s",
	    l->len ? " " : "", key, q);
	if (n < 0)
		return;
	l->len += (size_t)n;
	if (l->len >= sizeof(l->buf))
		l->len = sizeof(l->buf) - 1;
}

void
ll_addf(struct logline *l, const char *key, const char *fmt, ...)
{
	char v[MXG_LOGVAL_MAX + 1];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	ll_add(l, key, v);
}

void
ll_emit(struct logline *l, int prio)
{
	emit(prio, l->buf);
}

/* ---- counters and the stats line ---- */

static unsigned long n_connections;
static unsigned long n_action[ACT__N];
static unsigned long n_reason[R__N];

void
log_count_connection(void)
{
	__atomic_fetch_add(&n_connections, 1, __ATOMIC_RELAXED);
}

void
log_count(int action, int reason)
{
	if ((unsigned)action < ACT__N)
		__atomic_fetch_add(&n_action[action], 1, __ATOMIC_RELAXED);
	if ((unsigned)reason < R__N)
		__atomic_fetch_add(&n_reason[reason], 1, __ATOMIC_RELAXED);
}

/* log_stats - "stats connections=N action.accept=N ... reason.clean=N ...
 * uptime=SECONDS": counted since start-up */
void
log_stats(void)
{
	struct logline l;
	char key[64];
	int i;

	ll_init(&l, NULL);
	l.len = (size_t)snprintf(l.buf, sizeof(l.buf), "stats");
	ll_addf(&l, "connections", "%lu", __atomic_load_n(&n_connections, __ATOMIC_RELAXED));
	for (i = 0; i < ACT__N; i++) {
		snprintf(key, sizeof(key), "action.%s", dec_action_name(i));
		ll_addf(&l, key, "%lu", __atomic_load_n(&n_action[i], __ATOMIC_RELAXED));
	}
	for (i = 0; i < R__N; i++) {
		snprintf(key, sizeof(key), "reason.%s", dec_reason_name(i));
		ll_addf(&l, key, "%lu", __atomic_load_n(&n_reason[i], __ATOMIC_RELAXED));
	}
	ll_addf(&l, "uptime", "%ld", (long)(mono_sec() - log_started));
	ll_emit(&l, LOG_NOTICE);
}
