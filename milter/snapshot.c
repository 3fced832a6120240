/*
 * snapshot.c - the running configuration: a parsed mxguard.conf (config.c)
 * with what it needs opened, refcounted and swapped whole.
 *
 * cfg_load parses and then opens the files the keys name (Whitelist,
 * LoopKeyFile), so a snapshot that loads is one that works: any problem is
 * a FILE:LINE message (config.c cfg_problem) and no snapshot; a LoopKeyFile
 * that does not exist is no problem but a snapshot without a key (the
 * caller warns). cfg_start_dns and cfg_start_mx start the resolver and the
 * BackupMXFor refresher a snapshot owns; cfg_free stops and closes all of
 * it. The current snapshot is refcounted: cfg_acquire at connect,
 * cfg_release at close; cfg_publish (start-up, SIGUSR1) swaps it and the
 * old one is freed by its last user.
 *
 * The names keep config.c's cfg_ prefix: every session, callback and the
 * daemon's main call them, and a rename would touch them all for nothing.
 */
#include "autoconf.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "mxpeers.h"
#include "resolver.h"
#include "snapshot.h"
#include "whitelist.h"

/* cfg_load - a new snapshot that works, or NULL with errs->n > 0 */
struct config *
cfg_load(const char *path, struct cfg_errs *errs)
{
	struct config *c = cfg_parse(path, errs);
	char err[600];

	if (c == NULL)
		return NULL;
	c->refs = 1;
	if (c->whitelist && (c->wl = wl_open(c->whitelist, err, sizeof(err))) == NULL)
		cfg_problem(errs, path, cfg_line(c, "Whitelist"), "Whitelist %s", err);
	/* no such file: no key, a warning from the caller; anything else is wrong */
	if (mark_key_read(c->loop_key_file, &c->loop_key, err, sizeof(err)) < 0)
		cfg_problem(errs, path, cfg_line(c, "LoopKeyFile"), "LoopKeyFile %s", err);
	if (errs->n) {
		cfg_free(c);
		return NULL;
	}
	return c;
}

/* cfg_free - stop and close what the snapshot started and opened, then the values */
void
cfg_free(struct config *c)
{
	if (c == NULL)
		return;
	wl_close(c->wl);
	mark_key_clear(&c->loop_key);
	mxp_stop(c->mxp);         /* joins its refresher, which uses c->dns */
	dns_stop(c->dns);
	cfg_clear(c);
}

/* cfg_start_dns - the resolver this snapshot's lookups use, when any are configured */
int
cfg_start_dns(struct config *c, char *err, size_t errlen)
{
	struct dns_limits lim;

	if ((c->dnsbl.nzones == 0 && !c->spf && c->backup_mx.n == 0) || c->dns != NULL)
		return 0;
	dnsbl_meters(&c->dnsbl);
	dns_limits_default(&lim);
	lim.cache_bytes = c->dns_cache_size;
	lim.min_ttl = c->dnsbl_min_ttl / 1000;
	lim.max_ttl = c->dnsbl_max_ttl / 1000;
	c->dns = dns_start(c->dns_servers, c->dns_timeout, &lim, err, errlen);
	return c->dns ? 0 : -1;
}

/*
 * cfg_start_mx - the peers of BackupMXFor, resolved now (after
 * cfg_start_dns); a reload passes the snapshot it replaces, whose set is
 * kept for what cannot be resolved now; thread 0: no refresher (-n, -t).
 * -1 only when out of memory or a thread cannot start.
 */
int
cfg_start_mx(struct config *c, const struct config *prev, int thread)
{
	struct mxp_conf mc;
	char *buf[2];

	if (c->backup_mx.n == 0 || c->mxp != NULL || c->dns == NULL)
		return 0;
	memset(&mc, 0, sizeof(mc));
	mc.dns = c->dns;
	mc.domains = c->backup_mx.v;
	mc.ndomains = c->backup_mx.n;
	mc.nlocal = cfg_local_names(c, NULL, buf, &mc.local);
	mc.timeout_ms = c->dns_timeout;
	mc.min_ttl = c->backup_mx_min_ttl / 1000;
	c->mxp = mxp_start(&mc, prev ? prev->mxp : NULL, thread);
	return c->mxp ? 0 : -1;
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
