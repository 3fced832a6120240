/*
 * log.h - the one log sink (syslog and/or standard error) and the builder
 * for SPEC's key=value decision lines.
 */
#ifndef LOG_H
#define LOG_H

#include <stddef.h>
#include <syslog.h>

#include "mxguard.h"

struct logline {
	char buf[MXG_LOGLINE_MAX];
	size_t len;
};

void log_open(const char *ident, int use_syslog, int facility, int to_stderr);
void log_setlevel(int prio);
int log_enabled(int prio);
void log_msg(int prio, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

size_t log_quote(char *dst, size_t size, const char *val);
void ll_init(struct logline *l, const char *qid);
void ll_add(struct logline *l, const char *key, const char *val);
void ll_addf(struct logline *l, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ll_emit(struct logline *l, int prio);

void log_count_connection(void);
void log_count(int action, int reason);
void log_stats(void);

#endif
