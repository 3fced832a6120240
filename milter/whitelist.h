/*
 * whitelist.h - the trusted-peer whitelist: its CDB layout (shared with the
 * compiler) and thread-safe lookups that follow a replaced file.
 */
#ifndef WHITELIST_H
#define WHITELIST_H

#include "addr.h"
#include "mxguard.h"

/* CDB layout. Keys: '4' addr[4] len | '6' addr[16] len | 'H' name | 'D' .domain;
 * values: kind byte ('O' or 'R') + canonical entry text. One header record
 * (WL_META_KEY) holds the magic, the prefix lengths present, the count and a
 * checksum of all entries, so a damaged file is refused, not half believed. */
#define WL_META_KEY     "\0mxguard-wl"
#define WL_META_KEYLEN  11
#define WL_MAGIC        "MXGWL1"
#define WL_MAGICLEN     6
#define WL_MAGIC_BYTES  { 'M', 'X', 'G', 'W', 'L', '1' }
#define WL_V4_MAP_LEN   5               /* bit n: a /n IPv4 entry exists, n = 0..32 */
#define WL_V6_MAP_LEN   17              /* n = 0..128 */
/* the header record's value: magic, the two maps, count, checksum (high, low 32 bits) */
#define WL_META_V4      WL_MAGICLEN
#define WL_META_V6      (WL_META_V4 + WL_V4_MAP_LEN)
#define WL_META_COUNT   (WL_META_V6 + WL_V6_MAP_LEN)
#define WL_META_SUM_HI  (WL_META_COUNT + 4)
#define WL_META_SUM_LO  (WL_META_SUM_HI + 4)
#define WL_META_LEN     (WL_META_SUM_LO + 4)
/* address keys: type byte, the address, the prefix length last */
#define WL_KEY4_LEN     (1 + 4 + 1)
#define WL_KEY6_LEN     (1 + 16 + 1)
#define WL_KEY_MAX      (MXG_NAME_MAX + 2)
#define WL_FILE_MAX     (256UL << 20)   /* bytes: a bigger file is refused by name */

enum wl_kind { WL_OK = 'O', WL_RELAY = 'R' };

struct wl_meta {
	unsigned char v4[WL_V4_MAP_LEN]; /* bit n set: a /n IPv4 entry exists */
	unsigned char v6[WL_V6_MAP_LEN]; /* same for IPv6 */
	unsigned count;             /* entries, header not counted */
	unsigned long long sum;     /* wl_sum over every entry, in file order */
};

struct wl_entry {
	int kind;                   /* WL_OK or WL_RELAY */
	char text[MXG_ENTRY_MAX];   /* canonical entry, e.g. 192.0.2.0/24 */
	unsigned probes;            /* CDB probes the lookup cost */
};

struct wl;
struct stat;

/* layout helpers, shared with wlcompile.c */
size_t wl_key_net(const struct addr *net, int len, unsigned char *key);
size_t wl_key_name(int type, const char *name, size_t n, unsigned char *key);
void wl_meta_pack(const struct wl_meta *m, unsigned char *buf);
unsigned long long wl_sum(unsigned long long sum, const unsigned char *p, size_t n);
const char *wl_kind_name(int kind);
int wl_kind_parse(const char *word);

struct wl *wl_open(const char *path, char *err, size_t errlen);
void wl_close(struct wl *wl);
const char *wl_path(const struct wl *wl);
unsigned wl_count(struct wl *wl);
int wl_match_addr(struct wl *wl, const struct addr *a, struct wl_entry *e);
int wl_match_name(struct wl *wl, const char *name, struct wl_entry *e);
int wl_stale(struct wl *wl, char *msg, size_t len);
int wl_source_of(const char *cdb, char *src, size_t size);
int wl_older_than(const char *cdb, const struct stat *cst, const char *src, char *msg, size_t len);
int wl_walk(struct wl *wl, void (*fn)(const struct wl_entry *, void *), void *arg);

#endif
