/*
 * log.h - the one log sink (syslog and/or standard error) and the builder
 * of key=value lines (the decision line of mxguard(8), LOGGING).
 */
#ifndef LOG_H
#define LOG_H

#include <stddef.h>
#include <syslog.h>

#include "mxguard.h"

#define LL_KEYS_MAX  48             /* key=value pairs of one line */
#define LL_KEY_MAX   24             /* bytes of a key, its NUL included */
#define LL_HEAD_MAX  80             /* what leads the line: "QID:" or a word */

/*
 * A line being built: the pairs as given (each value at most
 * MXG_LOGVAL_MAX bytes, cut remembered); buf and len hold the finished line
 * after ll_emit. Large (about 13 KB): one on a thread's stack at a time.
 */
struct logline {
	char head[LL_HEAD_MAX];
	unsigned n;
	struct ll_pair {
		char key[LL_KEY_MAX];
		char val[MXG_LOGVAL_MAX];
		unsigned short len;         /* bytes of val */
		unsigned char cut;          /* the value given was longer */
	} kv[LL_KEYS_MAX];
	char buf[MXG_LOGLINE_MAX];
	size_t len;
};

void log_open(const char *ident, int use_syslog, int facility, int to_stderr);
void log_setlevel(int prio);
int log_enabled(int prio);
void log_msg(int prio, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void log_bug(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

size_t log_quote(char *dst, size_t size, const char *val);

/*
 * ll_init starts a line led by "QID:" (none without a queue id),
 * ll_init_text one led by a fixed word of the code ("stats dnsbl"). ll_add
 * and ll_addf add a pair; ll_emit writes the line: action, reason, mode,
 * client, score first (in that order, when added), then the other keys in
 * the order added; when it would pass MXG_LOGLINE_MAX - 1 bytes the longest
 * values are shortened, each ending in "...", until it fits, the
 * classifying values last of all. Every key added is on the line.
 */
void ll_init(struct logline *l, const char *qid);
void ll_init_text(struct logline *l, const char *lead);
void ll_add(struct logline *l, const char *key, const char *val);
void ll_addf(struct logline *l, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ll_emit(struct logline *l, int prio);

#endif
