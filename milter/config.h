/*
 * config.h - mxguard.conf parsed (config.c): the values of every key, and
 * the fields snapshot.c fills with what it opens and starts (wl, loop_key,
 * dns, mxp, refs). Loading, starting and sharing a snapshot: snapshot.h.
 */
#ifndef CONFIG_H_MXG
#define CONFIG_H_MXG

#include <sys/types.h>

#include "addr.h"
#include "dnsbl.h"
#include "mark.h"
#include "mxguard.h"

enum cfg_mode { MODE_ENFORCE, MODE_MONITOR };

#define CFG_PROBLEM_MAX 511        /* bytes of one FILE:LINE problem */
#define CFG_KEYS_MAX 48           /* keys in config.c's table (checked there at compile time) */

struct cidr_list {
	size_t n;
	struct cidr *v;
};

struct str_list {
	size_t n;
	char **v;
};

struct config {
	int refs;                 /* snapshot.c: cfg_acquire/cfg_release */
	char *path;
	char *socket;
	char *userid;             /* NULL: keep the starting user */
	char *pidfile;            /* NULL: none */
	int umask;
	int syslog;
	int facility;
	int loglevel;
	int mode;
	char *whitelist;          /* NULL: none */
	struct wl *wl;            /* open whitelist or NULL (snapshot.c) */
	struct cidr_list trusted;
	int trust_auth;
	char *dns_servers;        /* "ip:port,[ip6]:port" for c-ares; NULL: resolv.conf */
	unsigned dns_timeout;     /* ms, one decision's lookups */
	int dns_error_action;     /* ACT_ACCEPT or ACT_TEMPFAIL */
	struct dnsbl_conf dnsbl;
	int dnsbl_threshold;
	char *dnsbl_reply;        /* "5xx [5.x.y] text" with %a %z */
	unsigned dnsbl_min_ttl;   /* ms, as written; the cache uses seconds */
	unsigned dnsbl_max_ttl;
	unsigned long dns_cache_size; /* bytes, DNSCacheSize */
	struct str_list exempt;   /* ExemptRecipients: "local@", "user@dom", "@dom" */
	struct dns_resolver *dns; /* started by cfg_start_dns, stopped by cfg_free */
	struct str_list local_names; /* LocalNames; empty: the MTA's {j} and the host name */
	char hostname[MXG_NAME_MAX];
	int loop_max_received;
	int loop_max_passes;
	int loop_action;          /* ACT_QUARANTINE, ACT_TEMPFAIL, ACT_REJECT or ACT_TAG */
	char *loop_key_file;      /* LoopKeyFile */
	struct mark_key loop_key; /* its key; len 0: no such file (no marks made or counted) */
	unsigned loop_mark_max_age; /* ms: older marks do not count */
	int spf;                  /* check SPF at MAIL FROM */
	int spf_fail_action;      /* ACT_REJECT, ACT_TEMPFAIL, ACT_TAG or ACT_ACCEPT (ignore) */
	int spf_header;           /* add Received-SPF: */
	int spf_engine;           /* SPF_ENGINE_MXGUARD (spf_eval) or SPF_ENGINE_LIBSPF2 */
	int relay_action;         /* RelayCheckAction: ACT_TAG or ACT_QUARANTINE */
	unsigned stats_interval;  /* ms between timed stats lines; 0: none */
	char *stats_file;         /* StatsFile: Prometheus text file; NULL: none */
	struct str_list backup_mx; /* BackupMXFor: domains whose MX hosts are peers */
	int backup_mx_trust;      /* BackupMXTrust: WL_RELAY or WL_OK */
	unsigned backup_mx_min_ttl; /* BackupMXMinTTL, ms */
	struct mxp *mxp;          /* their peers, started by cfg_start_mx, stopped by cfg_free */
	unsigned lines[CFG_KEYS_MAX]; /* line each key was set on (0: default) */
};

struct cfg_errs {
	int n;                    /* problems found; only MXG_ERRS_MAX kept */
	char msg[MXG_ERRS_MAX][CFG_PROBLEM_MAX + 1];
};

struct config *cfg_parse(const char *path, struct cfg_errs *errs);
void cfg_clear(struct config *c);
void cfg_problem(struct cfg_errs *errs, const char *path, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
unsigned cfg_line(const struct config *c, const char *key);
int cfg_in_list(const struct cidr_list *l, const struct addr *a);
const char *cfg_account(const char *v, uid_t *uid, gid_t *gid, char *why, size_t wsize);
size_t cfg_local_names(const struct config *c, const char *j, char **buf, char *const **out);

#endif
