/*
 * whitelist.c - open, validate, look up and follow the CDB whitelist.
 *
 * A handle (struct wl) names a path and holds the current database, a
 * refcounted copy of one validated file. The file is never mapped itself:
 * its bytes are copied into a sealed memfd (at most WL_FILE_MAX, a bigger
 * file is refused by name) that is validated and then mapped, so a file
 * rewritten or truncated in place later (cp over it, same inode) cannot
 * change or shrink the data a lookup reads (a mapping of the file would
 * die with SIGBUS). Lookups copy the tinycdb cursor so any number of
 * threads search one mapping at once. At most once a second a lookup stats
 * the path; a replaced file (new inode, size or mtime) is copied and
 * validated in full before it is swapped in. A file that fails validation
 * is logged once and the previous data kept; lookups that are in flight
 * finish on the copy they started with.
 *
 * An IP lookup probes only the prefix lengths the file holds (longest
 * first); a name lookup probes the name, then each parent ".domain".
 *
 * Staleness (as postmap's "database X is older than source file Y"): the
 * source of FILE.cdb is FILE; wl_stale compares the loaded file's mtime with
 * it. A missing source, or a CDB not named *.cdb, is never stale. A loaded
 * replacement that is already older than its source is logged as a warning.
 */
#include "autoconf.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cdb.h>

#include "log.h"
#include "names.h"
#include "stats.h"
#include "whitelist.h"

struct wldb {
	int refs;
	int fd;                     /* the sealed in-memory copy */
	struct cdb cdb;
	struct wl_meta meta;
	struct stat sig;
};

struct wl {
	char *path;
	pthread_mutex_t lock;
	struct wldb *db;
	struct timespec checked;
	struct stat bad;            /* signature of the last file rejected */
	int have_bad;
};

/* ---- layout helpers ---- */

/* the file format of mxguard-wl 0.1: these sizes are what files already hold */
_Static_assert(WL_META_LEN == WL_MAGICLEN + 5 + 17 + 4 + 8, "header record layout");
_Static_assert(WL_V4_MAP_LEN * 8 > 32 && WL_V6_MAP_LEN * 8 > 128, "a bit for every prefix length");

size_t
wl_key_net(const struct addr *net, int len, unsigned char *key)
{
	size_t n = net->family == AF_INET ? 4 : 16;

	key[0] = net->family == AF_INET ? '4' : '6';
	memcpy(key + 1, net->b, n);
	key[n + 1] = (unsigned char)len;
	return n + 2;
}

/* wl_key_name - type byte + the first n bytes of name (n as name_canon returned) */
size_t
wl_key_name(int type, const char *name, size_t n, unsigned char *key)
{
	size_t i;

	if (n > WL_KEY_MAX - 2)
		n = WL_KEY_MAX - 2;
	key[0] = (unsigned char)type;
	for (i = 0; i < n; i++)         /* a length-counted binary key: no terminator */
		key[1 + i] = (unsigned char)name[i];
	return n + 1;
}

void
wl_meta_pack(const struct wl_meta *m, unsigned char *buf)
{
	static const unsigned char magic[WL_MAGICLEN] = WL_MAGIC_BYTES;

	memcpy(buf, magic, WL_MAGICLEN);
	memcpy(buf + WL_META_V4, m->v4, WL_V4_MAP_LEN);
	memcpy(buf + WL_META_V6, m->v6, WL_V6_MAP_LEN);
	cdb_pack(m->count, buf + WL_META_COUNT);
	cdb_pack((unsigned)(m->sum >> 32), buf + WL_META_SUM_HI);
	cdb_pack((unsigned)m->sum, buf + WL_META_SUM_LO);
}

/* wl_sum - FNV-1a 64 over n more bytes */
unsigned long long
wl_sum(unsigned long long sum, const unsigned char *p, size_t n)
{
	if (sum == 0)
		sum = 0xcbf29ce484222325ULL;
	while (n--)
		sum = (sum ^ *p++) * 0x100000001b3ULL;
	return sum;
}

const char *
wl_kind_name(int kind)
{
	return kind == WL_RELAY ? "RELAY" : "OK";
}

/* wl_kind_parse - "OK"/"RELAY" in any case to a kind, -1 otherwise */
int
wl_kind_parse(const char *word)
{
	if (strcasecmp(word, "OK") == 0)
		return WL_OK;
	if (strcasecmp(word, "RELAY") == 0)
		return WL_RELAY;
	return -1;
}

/* ---- one database ---- */

static void
db_unref(struct wldb *db)
{
	if (db && --db->refs == 0) {
		cdb_free(&db->cdb);
		close(db->fd);
		free(db);
	}
}

/* valid_key - a key of the layout, consistent with the header bitmaps */
static int
valid_key(const unsigned char *k, unsigned klen, const struct wl_meta *m)
{
	char name[WL_KEY_MAX];

	switch (k[0]) {
	case '4':
		return klen == WL_KEY4_LEN && k[WL_KEY4_LEN - 1] <= 32
		    && (m->v4[k[WL_KEY4_LEN - 1] / 8] & (1 << (k[WL_KEY4_LEN - 1] % 8)));
	case '6':
		return klen == WL_KEY6_LEN && k[WL_KEY6_LEN - 1] <= 128
		    && (m->v6[k[WL_KEY6_LEN - 1] / 8] & (1 << (k[WL_KEY6_LEN - 1] % 8)));
	case 'H':
	case 'D':
		if (klen < 2 || klen > WL_KEY_MAX - 1)
			return 0;
		memcpy(name, k + 1, klen - 1);
		name[klen - 1] = 0;
		if (memchr(name, 0, klen - 1))
			return 0;
		return k[0] == 'H' ? name_valid(name)
		    : name[0] == '.' && name_valid(name + 1);
	}
	return 0;
}

/* pos_cmp - for bsearch over record positions */
static int
pos_cmp(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

/* check_tables - every hash slot is empty or names a record whose key hashes to it */
static const char *
check_tables(const struct wldb *db, const unsigned *starts, unsigned n)
{
	const unsigned char *hdr = cdb_get(&db->cdb, 2048, 0), *slot, *k;
	size_t off;
	unsigned t, i, used = 0;

	if (hdr == NULL)
		return "no header";
	for (t = 0; t < 256; t++) {
		unsigned tpos, tlen;

		off = (size_t)t * 8;
		tpos = cdb_unpack(hdr + off);
		tlen = cdb_unpack(hdr + off + 4);

		if (tlen == 0)
			continue;
		if (tlen > (db->cdb.cdb_fsize >> 3) || (slot = cdb_get(&db->cdb, tlen * 8U, tpos)) == NULL)
			return "hash table out of bounds";
		for (i = 0; i < tlen; i++, slot += 8) {
			unsigned h = cdb_unpack(slot), rpos = cdb_unpack(slot + 4), klen;
			const unsigned char *rec;

			if (rpos == 0) {
				if (h != 0)
					return "hash table slot damaged";
				continue;
			}
			used++;
			if (bsearch(&rpos, starts, n, sizeof(*starts), pos_cmp) == NULL
			    || (rec = cdb_get(&db->cdb, 8, rpos)) == NULL
			    || (klen = cdb_unpack(rec), (k = cdb_get(&db->cdb, klen, rpos + 8)) == NULL)
			    || cdb_hash(k, klen) != h || (h & 255) != t)
				return "hash table slot does not match its record";
		}
	}
	return used == n ? NULL : "hash tables and records disagree";
}

/* db_check - walk every record: layout, values, checksum, hash tables */
static const char *
db_check(struct wldb *db)
{
	struct cdb walk = db->cdb, probe;
	const unsigned char *k, *v;
	unsigned pos, count = 0, n = 0, *starts;
	unsigned long long sum = 0;
	struct wl_meta seen;
	const char *why = NULL;
	int r;

	memset(&seen, 0, sizeof(seen));
	if ((starts = malloc((db->meta.count + 1) * sizeof(*starts))) == NULL)
		return "out of memory";
	cdb_seqinit(&pos, &walk);
	while (why == NULL && (r = cdb_seqnext(&pos, &walk)) > 0) {
		unsigned klen = cdb_keylen(&walk), vlen = cdb_datalen(&walk);

		if (n > db->meta.count) {
			why = "more records than the header counts";
			break;
		}
		starts[n++] = cdb_keypos(&walk) - 8;
		if ((k = cdb_getkey(&walk)) == NULL || (v = cdb_getdata(&walk)) == NULL)
			why = "record out of bounds";
		else if (klen == WL_META_KEYLEN && memcmp(k, WL_META_KEY, klen) == 0)
			continue;
		else if (!valid_key(k, klen, &db->meta))
			why = "bad key";
		else if (vlen < 2 || vlen >= MXG_ENTRY_MAX || (v[0] != WL_OK && v[0] != WL_RELAY)
		    || memchr(v, 0, vlen))
			why = "bad value";
		else {
			probe = db->cdb;
			if (cdb_find(&probe, k, klen) != 1
			    || cdb_datapos(&probe) != cdb_datapos(&walk))
				why = "a record is not found by its key (duplicate?)";
			sum = wl_sum(wl_sum(sum, k, klen), v, vlen);
			count++;
			if (k[0] == '4')
				seen.v4[k[WL_KEY4_LEN - 1] / 8] |= (unsigned char)(1 << (k[WL_KEY4_LEN - 1] % 8));
			else if (k[0] == '6')
				seen.v6[k[WL_KEY6_LEN - 1] / 8] |= (unsigned char)(1 << (k[WL_KEY6_LEN - 1] % 8));
		}
	}
	if (why == NULL && r < 0)
		why = "corrupt record list";
	if (why == NULL && (count != db->meta.count || sum != db->meta.sum
	    || memcmp(seen.v4, db->meta.v4, WL_V4_MAP_LEN) != 0
	    || memcmp(seen.v6, db->meta.v6, WL_V6_MAP_LEN) != 0))
		why = "checksum, count or prefix map does not match the header";
	if (why == NULL)
		why = check_tables(db, starts, n);
	free(starts);
	return why;
}

/* copy_sealed - the bytes fd holds now, in a sealed memfd nothing can
 * write, grow or shrink; its descriptor, or -1 with a reason in err */
static int
copy_sealed(int fd, const char *path, char *err, size_t errlen)
{
	char buf[65536];
	unsigned long total = 0;
	ssize_t n, w, off;
	int mem = memfd_create("mxguard-whitelist", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (mem < 0) {
		snprintf(err, errlen, "%s: memfd_create: %s", path, strerror(errno));
		return -1;
	}
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto failed;
		if ((unsigned long)n > WL_FILE_MAX - total) {
			snprintf(err, errlen, "%s: larger than %lu MiB, the most a whitelist may be",
			    path, WL_FILE_MAX >> 20);
			close(mem);
			return -1;
		}
		for (off = 0; off < n; off += w)
			if ((w = write(mem, buf + off, (size_t)(n - off))) < 0) {
				if (errno != EINTR)
					goto failed;
				w = 0;
			}
		total += (unsigned long)n;
	}
	if (fcntl(mem, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
		goto failed;
	return mem;
failed:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	close(mem);
	return -1;
}

/* db_open - copy, open and validate one file; NULL with a reason in err */
static struct wldb *
db_open(const char *path, char *err, size_t errlen)
{
	struct wldb *db = calloc(1, sizeof(*db));
	const unsigned char *m;
	const char *why;
	int fd;

	if (db == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	db->refs = 1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &db->sig) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(db);
		return NULL;
	}
	if (S_ISREG(db->sig.st_mode) && (unsigned long long)db->sig.st_size > WL_FILE_MAX) {
		snprintf(err, errlen, "%s: larger than %lu MiB, the most a whitelist may be",
		    path, WL_FILE_MAX >> 20);
		db->fd = -1;
	} else
		db->fd = S_ISREG(db->sig.st_mode) ? copy_sealed(fd, path, err, errlen) : -2;
	close(fd);
	if (db->fd == -1) {
		free(db);
		return NULL;
	}
	if (db->fd < 0 || cdb_init(&db->cdb, db->fd) < 0) {
		snprintf(err, errlen, "%s: not a CDB file (truncated or corrupt)", path);
		if (db->fd >= 0)
			close(db->fd);
		free(db);
		return NULL;
	}
	if (cdb_find(&db->cdb, WL_META_KEY, WL_META_KEYLEN) != 1
	    || cdb_datalen(&db->cdb) != WL_META_LEN
	    || (m = cdb_getdata(&db->cdb)) == NULL
	    || memcmp(m, WL_MAGIC, WL_MAGICLEN) != 0) {
		snprintf(err, errlen, "%s: not a whitelist made by this version of mxguard-wl", path);
		db_unref(db);
		return NULL;
	}
	memcpy(db->meta.v4, m + WL_META_V4, WL_V4_MAP_LEN);
	memcpy(db->meta.v6, m + WL_META_V6, WL_V6_MAP_LEN);
	db->meta.count = cdb_unpack(m + WL_META_COUNT);
	db->meta.sum = (unsigned long long)cdb_unpack(m + WL_META_SUM_HI) << 32
	    | cdb_unpack(m + WL_META_SUM_LO);
	if ((why = db_check(db)) != NULL) {
		snprintf(err, errlen, "%s: corrupt whitelist: %s", path, why);
		db_unref(db);
		return NULL;
	}
	return db;
}

/* ---- staleness ---- */

/* wl_source_of - the source a CDB is compiled from: "FILE.cdb" -> "FILE"; -1: none */
int
wl_source_of(const char *cdb, char *src, size_t size)
{
	size_t n = strlen(cdb);

	if (n < 5 || strcmp(cdb + n - 4, ".cdb") != 0 || cdb[n - 5] == '/' || n - 4 >= size)
		return -1;
	memcpy(src, cdb, n - 4);
	src[n - 4] = 0;
	return 0;
}

/* wl_older_than - 1 and a message when the file src is newer than cst (the CDB's stat) */
int
wl_older_than(const char *cdb, const struct stat *cst, const char *src, char *msg, size_t len)
{
	struct stat st;

	if (stat(src, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	if (st.st_mtim.tv_sec < cst->st_mtim.tv_sec || (st.st_mtim.tv_sec == cst->st_mtim.tv_sec
	    && st.st_mtim.tv_nsec <= cst->st_mtim.tv_nsec))
		return 0;
	snprintf(msg, len, "database %s is older than source file %s", cdb, src);
	return 1;
}

/* db_stale - the database loaded from path is older than its source */
static int
db_stale(const char *path, const struct wldb *db, char *msg, size_t len)
{
	char src[PATH_MAX];

	if (wl_source_of(path, src, sizeof(src)) < 0)
		return 0;
	return wl_older_than(path, &db->sig, src, msg, len);
}

/* ---- the handle ---- */

struct wl *
wl_open(const char *path, char *err, size_t errlen)
{
	struct wl *wl = calloc(1, sizeof(*wl));

	if (wl == NULL || (wl->path = strdup(path)) == NULL) {
		free(wl);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	if ((wl->db = db_open(path, err, errlen)) == NULL) {
		free(wl->path);
		free(wl);
		return NULL;
	}
	pthread_mutex_init(&wl->lock, NULL);
	clock_gettime(CLOCK_MONOTONIC, &wl->checked);
	return wl;
}

void
wl_close(struct wl *wl)
{
	if (wl == NULL)
		return;
	db_unref(wl->db);
	pthread_mutex_destroy(&wl->lock);
	free(wl->path);
	free(wl);
}

const char *
wl_path(const struct wl *wl)
{
	return wl->path;
}

/* wl_stale - 1 and a message when the loaded database is older than its source */
int
wl_stale(struct wl *wl, char *msg, size_t len)
{
	int r;

	pthread_mutex_lock(&wl->lock);
	r = db_stale(wl->path, wl->db, msg, len);
	pthread_mutex_unlock(&wl->lock);
	return r;
}

static int
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino
	    && a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec
	    && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* refresh - with the lock held: follow a replaced file, at most once a second */
static void
refresh(struct wl *wl)
{
	struct timespec now;
	struct stat st;
	struct wldb *fresh;
	char err[512];

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec == wl->checked.tv_sec)
		return;
	wl->checked = now;
	if (stat(wl->path, &st) < 0) {
		if (!wl->have_bad || wl->bad.st_ino != 0) {
			log_msg(LOG_WARNING, "whitelist %s: %s; keeping the %u entries loaded",
			    wl->path, strerror(errno), wl->db->meta.count);
			memset(&wl->bad, 0, sizeof(wl->bad));
			wl->have_bad = 1;
		}
		return;
	}
	if (same_file(&st, &wl->db->sig)) {
		wl->have_bad = 0;
		return;
	}
	if (wl->have_bad && same_file(&st, &wl->bad))
		return;
	if ((fresh = db_open(wl->path, err, sizeof(err))) == NULL) {
		log_msg(LOG_ERR, "whitelist %s; keeping the %u entries loaded before",
		    err, wl->db->meta.count);
		wl->bad = st;
		wl->have_bad = 1;
		return;
	}
	log_msg(LOG_NOTICE, "whitelist %s reloaded: %u entries", wl->path, fresh->meta.count);
	stats_count_wl_reload();
	if (db_stale(wl->path, fresh, err, sizeof(err)))
		log_msg(LOG_WARNING, "whitelist: %s", err);
	db_unref(wl->db);
	wl->db = fresh;
	wl->have_bad = 0;
}

static struct wldb *
acquire(struct wl *wl)
{
	struct wldb *db;

	pthread_mutex_lock(&wl->lock);
	refresh(wl);
	db = wl->db;
	db->refs++;
	pthread_mutex_unlock(&wl->lock);
	return db;
}

static void
release(struct wl *wl, struct wldb *db)
{
	pthread_mutex_lock(&wl->lock);
	db_unref(db);
	pthread_mutex_unlock(&wl->lock);
}

unsigned
wl_count(struct wl *wl)
{
	struct wldb *db = acquire(wl);
	unsigned n = db->meta.count;

	release(wl, db);
	return n;
}

/* probe - one CDB lookup on a private cursor; 1 and *e filled on a hit */
static int
probe(const struct wldb *db, const unsigned char *key, size_t klen, struct wl_entry *e)
{
	struct cdb c = db->cdb;
	const unsigned char *v;
	unsigned vlen;

	e->probes++;
	if (cdb_find(&c, key, (unsigned)klen) != 1 || (v = cdb_getdata(&c)) == NULL)
		return 0;
	vlen = cdb_datalen(&c);
	e->kind = v[0];
	memcpy(e->text, v + 1, vlen - 1);
	e->text[vlen - 1] = 0;
	return 1;
}

/* wl_match_addr - longest prefix present in the file that holds a */
int
wl_match_addr(struct wl *wl, const struct addr *a, struct wl_entry *e)
{
	struct wldb *db = acquire(wl);
	const unsigned char *map = a->family == AF_INET ? db->meta.v4 : db->meta.v6;
	unsigned char key[WL_KEY_MAX];
	int len, hit = 0;

	e->probes = 0;
	for (len = addr_bits(a); len >= 0 && !hit; len--) {
		struct addr m = *a;

		if (!(map[len / 8] & (1 << (len % 8))))
			continue;
		addr_mask(&m, len);
		hit = probe(db, key, wl_key_net(&m, len, key), e);
	}
	release(wl, db);
	return hit;
}

/* wl_match_name - the name itself, then ".parent" entries, nearest first */
int
wl_match_name(struct wl *wl, const char *name, struct wl_entry *e)
{
	char canon[MXG_NAME_MAX];
	unsigned char key[WL_KEY_MAX];
	struct wldb *db;
	const char *p;
	int hit, len;

	e->probes = 0;
	if ((len = name_canon(name, canon, sizeof(canon))) < 0)
		return 0;
	db = acquire(wl);
	hit = probe(db, key, wl_key_name('H', canon, (size_t)len, key), e);
	for (p = strchr(canon, '.'); p && !hit; p = strchr(p + 1, '.'))
		hit = probe(db, key, wl_key_name('D', p, (size_t)(len - (p - canon)), key), e);
	release(wl, db);
	return hit;
}

/* wl_walk - every entry in file order */
int
wl_walk(struct wl *wl, void (*fn)(const struct wl_entry *, void *), void *arg)
{
	struct wldb *db = acquire(wl);
	struct cdb c = db->cdb;
	struct wl_entry e;
	unsigned pos;
	int r;

	cdb_seqinit(&pos, &c);
	while ((r = cdb_seqnext(&pos, &c)) > 0) {
		const unsigned char *k = cdb_getkey(&c), *v = cdb_getdata(&c);
		unsigned vlen = cdb_datalen(&c);

		if (k == NULL || v == NULL || k[0] == 0 || vlen < 2)
			continue;
		e.kind = v[0];
		memcpy(e.text, v + 1, vlen - 1);
		e.text[vlen - 1] = 0;
		e.probes = 0;
		fn(&e, arg);
	}
	release(wl, db);
	return r;
}
