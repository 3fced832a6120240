/*
 * mark.c - loop pass marks: make and verify the X-Mxguard-Pass: value, read
 * and create the key file.
 *
 * Exports the key (mark_key_*), the message binding (mark_rcpts_*,
 * mark_bind), the mark itself (mark_make, mark_verify, mark_count) and the
 * HMAC-SHA-256 primitive (mark_hmac, OpenSSL's EVP_MAC). No libmilter, no
 * globals, no clock: the caller passes "now".
 *
 * How it fails: a value from outside is never an error, only a status (bad,
 * foreign, mismatch, ...) that counts for nothing; at most MARK_VALUE_MAX
 * bytes of one value and MARK_MAX_EXAMINED values per message are looked
 * at. A crypto library failure is MARK_ERROR (not counted) or -1 from
 * mark_make (no mark added). The key functions return -1 with a reason
 * ("PATH: what is wrong: what to do") for the FILE:LINE reporter.
 *
 * Signed, NUL-separated (no field can hold a NUL):
 *   "mxguard-pass" 0 "1" 0 KEYID 0 TIME(decimal) 0 HOST 0 BINDING(32 bytes)
 * BINDING = SHA-256("mxguard-bind" 0 MESSAGE-ID 0 sorted distinct SHA-256
 * digests of the recipients), MESSAGE-ID the <...> part of the field (or
 * the trimmed value, or "" without one), a recipient its bare address in
 * lower case (angle brackets, source route and parameters dropped).
 */
#include "autoconf.h"

#include <sys/random.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "mark.h"

#define NFIELDS 5                /* v k t h m, in this order */

struct part {
	const void *p;
	size_t n;
};

/* hmac_parts - HMAC-SHA-256 over the concatenated parts; 0 or -1 */
static int
hmac_parts(const unsigned char *key, size_t keylen, const struct part *parts, size_t nparts,
    unsigned char out[MARK_DIGEST_LEN])
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	char digest[] = "SHA256";
	OSSL_PARAM params[2];
	size_t outlen = 0, i;
	int ok;

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	ok = ctx != NULL && EVP_MAC_init(ctx, key, keylen, params) == 1;
	for (i = 0; ok && i < nparts; i++)
		ok = EVP_MAC_update(ctx, parts[i].p, parts[i].n) == 1;
	ok = ok && EVP_MAC_final(ctx, out, &outlen, MARK_DIGEST_LEN) == 1
	    && outlen == MARK_DIGEST_LEN;
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return ok ? 0 : -1;
}

/* mark_hmac - HMAC-SHA-256 of one buffer; 0 or -1 */
int
mark_hmac(const unsigned char *key, size_t keylen, const unsigned char *data, size_t len,
    unsigned char out[MARK_DIGEST_LEN])
{
	struct part p = { data, len };

	return hmac_parts(key, keylen, &p, 1, out);
}

static void
hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = 0;
}

/* ---- keys ---- */

/* mark_key_set - take len bytes as the key and derive its id; 0 or -1 */
int
mark_key_set(struct mark_key *key, const unsigned char *bytes, size_t len)
{
	static const unsigned char label[] = "mxguard-key-id";
	unsigned char d[MARK_DIGEST_LEN];

	mark_key_clear(key);
	if (len < MARK_KEY_MIN || len > sizeof(key->k)
	    || mark_hmac(bytes, len, label, sizeof(label) - 1, d) < 0)
		return -1;
	memcpy(key->k, bytes, len);
	key->len = len;
	hex(d, MARK_ID_LEN / 2, key->id);
	return 0;
}

/* mark_key_clear - no key; the old bytes overwritten */
void
mark_key_clear(struct mark_key *key)
{
	OPENSSL_cleanse(key->k, sizeof(key->k));
	key->len = 0;
	key->id[0] = 0;
}

/* mark_key_read - the key file: a regular file no one but its owner may
 * read or write, MARK_KEY_MIN to MARK_KEY_MAX bytes, its bytes the key.
 * 0, 1 when there is no such file (key cleared), -1 with why */
int
mark_key_read(const char *path, struct mark_key *key, char *why, size_t wsize)
{
	unsigned char buf[MARK_KEY_MAX];
	struct stat st;
	size_t got = 0;
	ssize_t r;
	int fd, rc = -1;

	mark_key_clear(key);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0) {
		if (errno == ENOENT)
			return 1;
		snprintf(why, wsize, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0)
		snprintf(why, wsize, "%s: %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		snprintf(why, wsize, "%s: not a regular file", path);
	else if (st.st_mode & 077)
		snprintf(why, wsize, "%s: group or others have access (mode %04o): chmod 600 %s",
		    path, (unsigned)(st.st_mode & 07777), path);
	else if (st.st_size < MARK_KEY_MIN || st.st_size > MARK_KEY_MAX)
		snprintf(why, wsize, "%s: %lld bytes, a key has %d to %d: remove it and make one "
		    "with mxguard -k", path, (long long)st.st_size, MARK_KEY_MIN, MARK_KEY_MAX);
	else {
		errno = 0;
		while (got < (size_t)st.st_size
		    && ((r = read(fd, buf + got, (size_t)st.st_size - got)) > 0
		    || (r < 0 && errno == EINTR)))
			if (r > 0)
				got += (size_t)r;
		if (got != (size_t)st.st_size)
			snprintf(why, wsize, "%s: short read: %s", path,
			    errno ? strerror(errno) : "file changed");
		else if (mark_key_set(key, buf, got) < 0)
			snprintf(why, wsize, "%s: the crypto library failed", path);
		else
			rc = 0;
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	close(fd);
	return rc;
}

/* mark_key_create - a new key file of MARK_KEY_NEW random bytes, mode 0600,
 * owned by uid:gid (uid (uid_t)-1: as created); never replaces a file.
 * 0, 1 when path exists (why says so), -1 with why */
int
mark_key_create(const char *path, uid_t uid, gid_t gid, struct mark_key *key,
    char *why, size_t wsize)
{
	unsigned char buf[MARK_KEY_NEW];
	size_t got = 0;
	ssize_t r;
	int fd, ok;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
		if (errno == EEXIST) {
			snprintf(why, wsize, "%s exists; not overwritten (to change the key, remove "
			    "it first, then copy the new one to every host of the MX set)", path);
			return 1;
		}
		snprintf(why, wsize, "%s: %s", path, strerror(errno));
		return -1;
	}
	errno = EIO;              /* the reason when a write is short */
	while (got < sizeof(buf) && ((r = getrandom(buf + got, sizeof(buf) - got, 0)) > 0
	    || (r < 0 && errno == EINTR)))
		if (r > 0)
			got += (size_t)r;
	ok = got == sizeof(buf) && fchmod(fd, 0600) == 0
	    && (uid == (uid_t)-1 || fchown(fd, uid, gid) == 0)
	    && write(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf) && fsync(fd) == 0;
	if (!ok)
		snprintf(why, wsize, "%s: %s", path, strerror(errno));
	if (close(fd) < 0 && ok) {
		snprintf(why, wsize, "%s: %s", path, strerror(errno));
		ok = 0;
	}
	if (ok && mark_key_set(key, buf, sizeof(buf)) < 0) {
		snprintf(why, wsize, "%s: the crypto library failed", path);
		ok = 0;
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	if (!ok) {
		(void)unlink(path);
		return -1;
	}
	return 0;
}

/* ---- the binding ---- */

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* mark_rcpts_add - one envelope recipient ("<User@Example.ORG>" with or
 * without brackets, source route or parameters); an empty one is skipped,
 * a repeated one kept once */
void
mark_rcpts_add(struct mark_rcpts *r, const char *addr)
{
	unsigned char (*grown)[MARK_DIGEST_LEN], d[MARK_DIGEST_LEN];
	EVP_MD_CTX *ctx;
	char chunk[64];
	const char *end;
	size_t i, n;
	unsigned len = 0;
	int ok;

	if (r->failed)
		return;
	while (is_space(*addr) || *addr == '<')
		addr++;
	if (*addr == '@' && strchr(addr, ':'))          /* <@a,@b:user@host> */
		addr = strchr(addr, ':') + 1;
	for (end = addr; *end && *end != '>' && !is_space(*end); end++)
		;
	if (end == addr)
		return;
	ok = (ctx = EVP_MD_CTX_new()) != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;
	while (ok && addr < end) {
		for (n = 0; n < sizeof(chunk) && addr < end; n++, addr++)
			chunk[n] = *addr >= 'A' && *addr <= 'Z' ? (char)(*addr + 32) : *addr;
		ok = EVP_DigestUpdate(ctx, chunk, n) == 1;
	}
	ok = ok && EVP_DigestFinal_ex(ctx, d, &len) == 1 && len == MARK_DIGEST_LEN;
	EVP_MD_CTX_free(ctx);
	if (!ok) {
		r->failed = 1;
		return;
	}
	for (i = 0; i < r->n; i++)                  /* a repeated RCPT TO */
		if (memcmp(r->d[i], d, MARK_DIGEST_LEN) == 0)
			return;
	if (r->n == MARK_RCPTS_MAX) {
		r->failed = 1;
		return;
	}
	if (r->n == r->cap) {
		n = r->cap ? 2 * r->cap : 8;
		if (n > MARK_RCPTS_MAX)
			n = MARK_RCPTS_MAX;
		if ((grown = realloc(r->d, n * sizeof(*r->d))) == NULL) {
			r->failed = 1;
			return;
		}
		r->d = grown;
		r->cap = n;
	}
	memcpy(r->d[r->n++], d, MARK_DIGEST_LEN);
}

void
mark_rcpts_free(struct mark_rcpts *r)
{
	free(r->d);
	memset(r, 0, sizeof(*r));
}

static int
digest_cmp(const void *a, const void *b)
{
	return memcmp(a, b, MARK_DIGEST_LEN);
}

/* mark_bind - the binding of a message with this Message-ID value (NULL:
 * none) and these recipients (sorted here); 0, or -1 when there is none */
int
mark_bind(const char *msgid, struct mark_rcpts *r, struct mark_bind *out)
{
	static const char label[] = "mxguard-bind";
	const char *start = msgid ? msgid : "", *end, *lt, *gt;
	EVP_MD_CTX *ctx;
	unsigned len = 0;
	size_t i;
	int ok;

	if (r->failed)
		return -1;
	while (is_space(*start))
		start++;
	end = start + strlen(start);
	while (end > start && is_space(end[-1]))
		end--;
	if ((lt = memchr(start, '<', (size_t)(end - start))) != NULL
	    && (gt = memchr(lt, '>', (size_t)(end - lt))) != NULL) {
		start = lt;
		end = gt + 1;
	}
	if (r->n > 1)
		qsort(r->d, r->n, sizeof(*r->d), digest_cmp);
	ok = (ctx = EVP_MD_CTX_new()) != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1
	    && EVP_DigestUpdate(ctx, label, sizeof(label)) == 1
	    && EVP_DigestUpdate(ctx, start, (size_t)(end - start)) == 1
	    && EVP_DigestUpdate(ctx, "", 1) == 1;
	for (i = 0; ok && i < r->n; i++)
		ok = EVP_DigestUpdate(ctx, r->d[i], MARK_DIGEST_LEN) == 1;
	ok = ok && EVP_DigestFinal_ex(ctx, out->d, &len) == 1 && len == MARK_DIGEST_LEN;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* ---- the mark ---- */

static int
host_ok(const char *h, size_t n)
{
	size_t i;

	if (n == 0 || n > MARK_HOST_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((h[i] >= 'a' && h[i] <= 'z') || (h[i] >= 'A' && h[i] <= 'Z')
		    || (h[i] >= '0' && h[i] <= '9') || h[i] == '.' || h[i] == '-' || h[i] == '_'))
			return 0;
	return 1;
}

/* tag - the HMAC over one mark's fields and the binding */
static int
tag(const struct mark_key *key, const char *time, size_t tlen, const char *host, size_t hlen,
    const struct mark_bind *b, unsigned char out[MARK_DIGEST_LEN])
{
	static const char head[] = "mxguard-pass\0" "1";    /* label, version, NULs */
	const struct part parts[] = {
		{ head, sizeof(head) }, { key->id, MARK_ID_LEN + 1 }, { time, tlen }, { "", 1 },
		{ host, hlen }, { "", 1 }, { b->d, sizeof(b->d) }
	};

	return hmac_parts(key->k, key->len, parts, sizeof(parts) / sizeof(parts[0]), out);
}

/* mark_make - the value of this pass's mark; 0 or -1 (no key, a host name
 * not of [A-Za-z0-9._-], a time before 1970, the crypto library failed) */
int
mark_make(const struct mark_key *key, const struct mark_bind *b, const char *host,
    int64_t now, char out[MARK_VALUE_MAX])
{
	unsigned char d[MARK_DIGEST_LEN];
	char time[24], t[2 * MARK_TAG_LEN + 1];
	size_t hlen = strlen(host);
	int n;

	out[0] = 0;
	if (key->len < MARK_KEY_MIN || !host_ok(host, hlen) || now < 0)
		return -1;
	n = snprintf(time, sizeof(time), "%" PRId64, now);
	if (tag(key, time, (size_t)n, host, hlen, b, d) < 0)
		return -1;
	hex(d, MARK_TAG_LEN, t);
	n = snprintf(out, MARK_VALUE_MAX, "v=1; k=%s; t=%s; h=%s; m=%s", key->id, time, host, t);
	if (n < 0 || n >= MARK_VALUE_MAX) {
		out[0] = 0;
		return -1;
	}
	return 0;
}

struct field {
	const char *p;
	size_t n;
};

/* lex - split "v=..; k=..; t=..; h=..; m=.." (whitespace, folding included,
 * around every token) into the five values; 0 (or -1: not this shape) */
static int
lex(const char *s, struct field f[NFIELDS])
{
	static const char names[NFIELDS] = { 'v', 'k', 't', 'h', 'm' };
	int i;

	for (i = 0; i < NFIELDS; i++) {
		while (is_space(*s))
			s++;
		if (*s++ != names[i])
			return -1;
		while (is_space(*s))
			s++;
		if (*s++ != '=')
			return -1;
		while (is_space(*s))
			s++;
		f[i].p = s;
		while (*s && *s != ';' && !is_space(*s))
			s++;
		f[i].n = (size_t)(s - f[i].p);
		while (is_space(*s))
			s++;
		if (f[i].n == 0 || *s != (i < NFIELDS - 1 ? ';' : 0))
			return -1;
		if (i == 0 && (f[0].n != 1 || f[0].p[0] != '1'))
			return 1;               /* another version: the rest is its own */
		s++;
	}
	return 0;
}

/* unhex - exactly 2n lower-case hex digits to n bytes; 0 or -1 */
static int
unhex(const char *s, size_t len, unsigned char *out, size_t n)
{
	size_t i;
	int v;

	if (len != 2 * n)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			v = s[i] - '0';
		else if (s[i] >= 'a' && s[i] <= 'f')
			v = s[i] - 'a' + 10;
		else
			return -1;
		if (i % 2 == 0)
			out[i / 2] = (unsigned char)(v << 4);
		else
			out[i / 2] |= (unsigned char)v;
	}
	return 0;
}

/* digits_ok - a version or time: 1 to max digits, no leading zero */
static int
digits_ok(const struct field *f, size_t max)
{
	size_t i;

	if (f->n == 0 || f->n > max || (f->n > 1 && f->p[0] == '0'))
		return 0;
	for (i = 0; i < f->n; i++)
		if (f->p[i] < '0' || f->p[i] > '9')
			return 0;
	return 1;
}

/* verify - mark_verify, and the tag and host of a valid mark for mark_count */
static enum mark_status
verify(const struct mark_key *key, const char *value, const struct mark_bind *b, int64_t now,
    int64_t max_age, unsigned char got[MARK_TAG_LEN], char host[MARK_HOST_MAX + 1],
    int64_t *when)
{
	unsigned char want[MARK_DIGEST_LEN], kid[MARK_ID_LEN / 2], mine[MARK_ID_LEN / 2];
	struct field f[NFIELDS];
	int64_t t = 0;
	size_t i;
	int r;

	if (value == NULL || strnlen(value, MARK_VALUE_MAX + 1) > MARK_VALUE_MAX)
		return MARK_BAD;
	if ((r = lex(value, f)) != 0)
		return r > 0 && digits_ok(&f[0], 4) ? MARK_VERSION : MARK_BAD;
	if (unhex(f[1].p, f[1].n, kid, sizeof(kid)) < 0 || !digits_ok(&f[2], 19)
	    || !host_ok(f[3].p, f[3].n) || unhex(f[4].p, f[4].n, got, MARK_TAG_LEN) < 0)
		return MARK_BAD;
	for (i = 0; i < f[2].n; i++) {
		if (t > (INT64_MAX - (f[2].p[i] - '0')) / 10)
			return MARK_BAD;
		t = t * 10 + (f[2].p[i] - '0');
	}
	if (key->len == 0 || unhex(key->id, MARK_ID_LEN, mine, sizeof(mine)) < 0)
		return MARK_ERROR;
	if (memcmp(kid, mine, sizeof(kid)) != 0)
		return MARK_FOREIGN;
	if (tag(key, f[2].p, f[2].n, f[3].p, f[3].n, b, want) < 0)
		return MARK_ERROR;
	if (CRYPTO_memcmp(want, got, MARK_TAG_LEN) != 0)
		return MARK_MISMATCH;
	if (now < INT64_MAX - MARK_SKEW && t > now + MARK_SKEW)
		return MARK_FUTURE;
	if (now - t > max_age)
		return MARK_EXPIRED;
	memcpy(host, f[3].p, f[3].n);         /* host_ok: at most MARK_HOST_MAX */
	host[f[3].n] = 0;
	*when = t;
	return MARK_VALID;
}

/* mark_verify - what one X-Mxguard-Pass: value is for this message now */
enum mark_status
mark_verify(const struct mark_key *key, const char *value, const struct mark_bind *b,
    int64_t now, int64_t max_age)
{
	unsigned char got[MARK_TAG_LEN];
	char host[MARK_HOST_MAX + 1];
	int64_t when;

	return verify(key, value, b, now, max_age, got, host, &when);
}

/* mark_count - the earlier passes the marks prove: distinct valid ones
 * among the first MARK_MAX_EXAMINED (a mark repeated counts once); the
 * host of the first valid one (marks are inserted at the top: the newest)
 * and the latest time of a valid one */
unsigned
mark_count(const struct mark_key *key, const char *const *values, size_t n,
    const struct mark_bind *b, int64_t now, int64_t max_age, struct mark_tally *t)
{
	unsigned char seen[MARK_MAX_EXAMINED][MARK_TAG_LEN];
	char host[MARK_HOST_MAX + 1];
	enum mark_status s;
	int64_t when = 0;
	size_t i, j;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < n && i < MARK_MAX_EXAMINED; i++) {
		s = verify(key, values[i], b, now, max_age, seen[t->valid], host, &when);
		t->n[s]++;
		if (s != MARK_VALID)
			continue;
		if (when > t->latest)
			t->latest = when;
		for (j = 0; j < t->valid; j++)
			if (memcmp(seen[j], seen[t->valid], MARK_TAG_LEN) == 0)
				break;
		if (j < t->valid)
			t->duplicates++;
		else if (t->valid++ == 0)
			memcpy(t->host, host, sizeof(t->host));
	}
	t->dropped = n > MARK_MAX_EXAMINED ? (unsigned)(n - MARK_MAX_EXAMINED) : 0;
	return t->valid;
}

const char *
mark_status_name(enum mark_status s)
{
	static const char *const names[MARK_NSTATUS] = {
		"valid", "expired", "future", "mismatch", "foreign", "version", "bad", "error"
	};

	return (unsigned)s < MARK_NSTATUS ? names[s] : "?";
}
