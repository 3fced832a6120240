/*
 * snapshot.h - the running configuration (snapshot.c): a parsed config
 * with its whitelist, loop key, resolver and BackupMXFor refresher, and the
 * one current snapshot sessions hold a reference to.
 */
#ifndef SNAPSHOT_H
#define SNAPSHOT_H

#include "config.h"

struct config *cfg_load(const char *path, struct cfg_errs *errs);
void cfg_free(struct config *c);
int cfg_start_dns(struct config *c, char *err, size_t errlen);
int cfg_start_mx(struct config *c, const struct config *prev, int thread);

void cfg_publish(struct config *c);
struct config *cfg_acquire(void);
void cfg_release(struct config *c);

#endif
