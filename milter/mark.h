/*
 * mark.h - loop pass marks: the X-Mxguard-Pass: header field mxguard adds
 * to every message it accepts, authenticated with HMAC-SHA-256 under the
 * key of its MX set, so a later arrival counts only the passes mxguard
 * itself made (the design: mxguard(8), LOOP PASS MARKS).
 *
 *   X-Mxguard-Pass: v=1; k=KEYID; t=UNIXTIME; h=HOST; m=TAG
 *
 * KEYID: 8 hex digits derived from the key (hosts that share a key share
 * it); TAG: the first 16 bytes of the HMAC, 32 lower-case hex digits, over
 * the version, KEYID, TIME, HOST and the message binding (Message-ID and
 * the set of envelope recipients).
 */
#ifndef MARK_H
#define MARK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define MARK_HEADER        "X-Mxguard-Pass"
#define MARK_KEY_MIN       32     /* bytes: a key shorter than this is refused */
#define MARK_KEY_MAX       256    /* bytes: a longer file is not a key */
#define MARK_KEY_NEW       32     /* bytes of a key made by mxguard -k */
#define MARK_ID_LEN        8      /* hex digits of the key id */
#define MARK_TAG_LEN       16     /* bytes of the HMAC kept (32 hex digits) */
#define MARK_DIGEST_LEN    32     /* SHA-256, HMAC-SHA-256 */
#define MARK_HOST_MAX      253    /* bytes of h= */
#define MARK_VALUE_MAX     512    /* bytes of a header value parsed; longer is bad */
#define MARK_MAX_EXAMINED  32     /* marks verified per message; the rest are dropped */
#define MARK_RCPTS_MAX     1000   /* recipients bound; more: no binding, no marks */
#define MARK_SKEW          300    /* seconds a mark may lie in the future (clocks) */

struct mark_key {
	unsigned char k[MARK_KEY_MAX];
	size_t len;                      /* 0: no key */
	char id[MARK_ID_LEN + 1];        /* hex, "" without a key */
};

/* the recipients of one message, as SHA-256 digests of their canonical form */
struct mark_rcpts {
	unsigned char (*d)[MARK_DIGEST_LEN];
	size_t n, cap;
	int failed;                      /* out of memory or more than MARK_RCPTS_MAX */
};

/* what a mark binds a message by: SHA-256 over its Message-ID and recipients */
struct mark_bind {
	unsigned char d[MARK_DIGEST_LEN];
};

enum mark_status {
	MARK_VALID,      /* ours, intact, recent: one earlier pass */
	MARK_EXPIRED,    /* ours and intact, older than the maximum age */
	MARK_FUTURE,     /* ours and intact, more than MARK_SKEW ahead of our clock */
	MARK_MISMATCH,   /* our key id, wrong tag: forged, or another message's mark */
	MARK_FOREIGN,    /* well formed, another key (another site's mxguard) */
	MARK_VERSION,    /* v= other than 1 (a later mxguard) */
	MARK_BAD,        /* not a mark: syntax, length, bytes */
	MARK_ERROR,      /* the crypto library failed: not counted */
	MARK_NSTATUS
};

struct mark_tally {
	unsigned n[MARK_NSTATUS];        /* marks examined, by status */
	unsigned duplicates;             /* valid marks that repeat an earlier one */
	unsigned dropped;                /* marks past MARK_MAX_EXAMINED, not examined */
	unsigned valid;                  /* distinct valid marks: earlier passes */
	char host[MARK_HOST_MAX + 1];    /* h= of the first valid mark (the newest), or "" */
	int64_t latest;                  /* the largest t= of a valid mark, or 0 */
};

/* keys */
int mark_key_set(struct mark_key *key, const unsigned char *bytes, size_t len);
void mark_key_clear(struct mark_key *key);
int mark_key_read(const char *path, struct mark_key *key, char *why, size_t wsize);
int mark_key_create(const char *path, uid_t uid, gid_t gid, struct mark_key *key,
    char *why, size_t wsize);

/* binding */
void mark_rcpts_add(struct mark_rcpts *r, const char *addr);
void mark_rcpts_free(struct mark_rcpts *r);
int mark_bind(const char *msgid, struct mark_rcpts *r, struct mark_bind *out);

/* marks */
int mark_make(const struct mark_key *key, const struct mark_bind *b, const char *host,
    int64_t now, char out[MARK_VALUE_MAX]);
enum mark_status mark_verify(const struct mark_key *key, const char *value,
    const struct mark_bind *b, int64_t now, int64_t max_age);
unsigned mark_count(const struct mark_key *key, const char *const *values, size_t n,
    const struct mark_bind *b, int64_t now, int64_t max_age, struct mark_tally *t);
const char *mark_status_name(enum mark_status s);

/* the primitive, exported for its test vectors */
int mark_hmac(const unsigned char *key, size_t keylen, const unsigned char *data,
    size_t len, unsigned char out[MARK_DIGEST_LEN]);

#endif
