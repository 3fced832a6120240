/* test_mark.c - loop pass marks: the HMAC primitive, make/verify, every
 * bound input, age, the per-message bound, garbage, the key file */
#include "autoconf.h"
#include <sys/stat.h>
#include <stdint.h>
#include "mark.h"
#include "unit.h"

#define NOW      INT64_C(1796000000)
#define MAX_AGE  (2 * 86400)

static const unsigned char key_a[32] = "0123456789abcdef0123456789abcdef";
static const unsigned char key_b[32] = "0123456789abcdef0123456789abcdeF";

static void
key(struct mark_key *k, const unsigned char *bytes)
{
	ck_assert_int_eq(mark_key_set(k, bytes, 32), 0);
}

/* bind - the binding of a Message-ID and a NULL-terminated recipient list */
static struct mark_bind
bind_of(const char *msgid, const char *const *rcpts)
{
	struct mark_rcpts r = { 0 };
	struct mark_bind b;

	for (; rcpts && *rcpts; rcpts++)
		mark_rcpts_add(&r, *rcpts);
	ck_assert_int_eq(mark_bind(msgid, &r, &b), 0);
	mark_rcpts_free(&r);
	return b;
}

static const char *const rcpts1[] = { "<a@example.org>", "<b@example.org>", NULL };

static void
make(const struct mark_key *k, const struct mark_bind *b, int64_t when, char *out)
{
	ck_assert_int_eq(mark_make(k, b, "mx1.example.org", when, out), 0);
}

static void
hexbytes(const char *h, unsigned char *out, size_t *n)
{
	for (*n = 0; h[2 * *n]; (*n)++)
		sscanf(h + 2 * *n, "%2hhx", &out[*n]);
}

/* the primitive: RFC 4231 test cases 1, 2, 4, 6 (HMAC-SHA-256) */
START_TEST(hmac_sha256_matches_rfc4231)
{
	static const struct { const char *key, *data, *mac; } v[] = {
		{ "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
		  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
		{ "4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
		  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
		{ "0102030405060708090a0b0c0d0e0f10111213141516171819",
		  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
		  "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		  "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368204b6579204669727374",
		  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
	};
	unsigned char k[200], d[200], want[32], got[32];
	size_t i, kn, dn, wn;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		hexbytes(v[i].key, k, &kn);
		hexbytes(v[i].data, d, &dn);
		hexbytes(v[i].mac, want, &wn);
		ck_assert_uint_eq(wn, 32);
		ck_assert_int_eq(mark_hmac(k, kn, d, dn, got), 0);
		ck_assert_mem_eq(got, want, 32);
	}
}
END_TEST

START_TEST(made_mark_verifies_and_has_the_documented_shape)
{
	struct mark_key k;
	struct mark_bind b = bind_of("<id1@example.org>", rcpts1);
	char m[MARK_VALUE_MAX], want[64];

	key(&k, key_a);
	ck_assert_uint_eq(strlen(k.id), MARK_ID_LEN);
	make(&k, &b, NOW, m);
	snprintf(want, sizeof(want), "v=1; k=%s; t=1796000000; h=mx1.example.org; m=", k.id);
	ck_assert_int_eq(strncmp(m, want, strlen(want)), 0);
	ck_assert_uint_eq(strlen(m), strlen(want) + 2 * MARK_TAG_LEN);
	ck_assert_int_eq(mark_verify(&k, m, &b, NOW, MAX_AGE), MARK_VALID);
	ck_assert_int_eq(mark_verify(&k, m, &b, NOW + 3600, MAX_AGE), MARK_VALID);
}
END_TEST

/* the signed encoding is a contract between the hosts of an MX set (and
 * versions of mxguard): this value was computed apart from mark.c, in
 * Python from mxguard(8)'s description (hmac, hashlib) */
START_TEST(mark_matches_an_independent_computation)
{
	struct mark_key k;
	struct mark_bind b = bind_of("<id1@example.org>", rcpts1);
	char m[MARK_VALUE_MAX];

	key(&k, key_a);
	make(&k, &b, NOW, m);
	ck_assert_str_eq(m, "v=1; k=13ef872c; t=1796000000; h=mx1.example.org; "
	    "m=b499dea89f1df152be2a7bf897948bb3");
}
END_TEST

START_TEST(key_id_follows_the_key_and_other_key_is_foreign)
{
	struct mark_key a, a2, bk;
	struct mark_bind b = bind_of("<id1@example.org>", rcpts1);
	char m[MARK_VALUE_MAX];

	key(&a, key_a);
	key(&a2, key_a);
	key(&bk, key_b);
	ck_assert_str_eq(a.id, a2.id);          /* hosts sharing a key share the id */
	ck_assert_str_ne(a.id, bk.id);
	make(&a, &b, NOW, m);
	ck_assert_int_eq(mark_verify(&a2, m, &b, NOW, MAX_AGE), MARK_VALID);
	ck_assert_int_eq(mark_verify(&bk, m, &b, NOW, MAX_AGE), MARK_FOREIGN);
}
END_TEST

/* a key with our id but other bytes: the tag does not match */
START_TEST(wrong_key_with_our_id_is_a_mismatch)
{
	struct mark_key a, forger;
	struct mark_bind b = bind_of("<id1@example.org>", rcpts1);
	char m[MARK_VALUE_MAX];

	key(&a, key_a);
	key(&forger, key_b);
	memcpy(forger.id, a.id, sizeof(a.id));
	make(&forger, &b, NOW, m);
	ck_assert_int_eq(mark_verify(&a, m, &b, NOW, MAX_AGE), MARK_MISMATCH);
}
END_TEST

START_TEST(each_bound_input_altered_is_a_mismatch)
{
	static const char *const other_rcpt[] = { "<a@example.org>", "<c@example.org>", NULL };
	static const char *const fewer[] = { "<a@example.org>", NULL };
	static const char *const more[] = { "<a@example.org>", "<b@example.org>", "<c@example.org>", NULL };
	struct mark_key k;
	struct mark_bind b = bind_of("<id1@example.org>", rcpts1), x;
	char m[MARK_VALUE_MAX], alt[MARK_VALUE_MAX], *p;

	key(&k, key_a);
	make(&k, &b, NOW, m);
	x = bind_of("<id2@example.org>", rcpts1);
	ck_assert_int_eq(mark_verify(&k, m, &x, NOW, MAX_AGE), MARK_MISMATCH);
	x = bind_of(NULL, rcpts1);
	ck_assert_int_eq(mark_verify(&k, m, &x, NOW, MAX_AGE), MARK_MISMATCH);
	x = bind_of("<id1@example.org>", other_rcpt);
	ck_assert_int_eq(mark_verify(&k, m, &x, NOW, MAX_AGE), MARK_MISMATCH);
	x = bind_of("<id1@example.org>", fewer);
	ck_assert_int_eq(mark_verify(&k, m, &x, NOW, MAX_AGE), MARK_MISMATCH);
	x = bind_of("<id1@example.org>", more);
	ck_assert_int_eq(mark_verify(&k, m, &x, NOW, MAX_AGE), MARK_MISMATCH);

	/* the signed fields of the value itself */
	snprintf(alt, sizeof(alt), "%s", m);
	p = strstr(alt, "t=1796000000");
	p[11] = '1';                             /* t=1796000001 */
	ck_assert_int_eq(mark_verify(&k, alt, &b, NOW, MAX_AGE), MARK_MISMATCH);
	snprintf(alt, sizeof(alt), "%s", m);
	strstr(alt, "h=mx1")[4] = '2';           /* h=mx2.example.org */
	ck_assert_int_eq(mark_verify(&k, alt, &b, NOW, MAX_AGE), MARK_MISMATCH);
	snprintf(alt, sizeof(alt), "%s", m);
	p = strstr(alt, "m=") + 2;
	p[31] = p[31] == '0' ? '1' : '0';        /* last tag digit */
	ck_assert_int_eq(mark_verify(&k, alt, &b, NOW, MAX_AGE), MARK_MISMATCH);
}
END_TEST

/* what stays the same for the same message: recipient order, case,
 * brackets, repeats, parameters; Message-ID folding and comments */
START_TEST(binding_is_canonical)
{
	static const char *const same[] = { "B@Example.ORG", " <a@example.org> NOTIFY=NEVER",
	    "<a@example.org>", "<@relay.example:b@example.org>", NULL };
	struct mark_key k;
	struct mark_bind b = bind_of("<id1@example.org>", rcpts1), x;
	char m[MARK_VALUE_MAX];

	key(&k, key_a);
	make(&k, &b, NOW, m);
	x = bind_of("<id1@example.org>", same);
	ck_assert_int_eq(mark_verify(&k, m, &x, NOW, MAX_AGE), MARK_VALID);
	x = bind_of("\r\n\t<id1@example.org> (added by mx)\r\n", rcpts1);
	ck_assert_int_eq(mark_verify(&k, m, &x, NOW, MAX_AGE), MARK_VALID);
	x = bind_of("<ID1@example.org>", rcpts1);   /* the id part is case-sensitive */
	ck_assert_int_eq(mark_verify(&k, m, &x, NOW, MAX_AGE), MARK_MISMATCH);
}
END_TEST

START_TEST(expired_and_future_marks_are_not_valid)
{
	struct mark_key k;
	struct mark_bind b = bind_of("<id1@example.org>", rcpts1);
	char m[MARK_VALUE_MAX];

	key(&k, key_a);
	make(&k, &b, NOW, m);
	ck_assert_int_eq(mark_verify(&k, m, &b, NOW + MAX_AGE, MAX_AGE), MARK_VALID);
	ck_assert_int_eq(mark_verify(&k, m, &b, NOW + MAX_AGE + 1, MAX_AGE), MARK_EXPIRED);
	ck_assert_int_eq(mark_verify(&k, m, &b, NOW - MARK_SKEW, MAX_AGE), MARK_VALID);
	ck_assert_int_eq(mark_verify(&k, m, &b, NOW - MARK_SKEW - 1, MAX_AGE), MARK_FUTURE);
	ck_assert_int_eq(mark_verify(&k, m, &b, 0, MAX_AGE), MARK_FUTURE);
	make(&k, &b, INT64_C(9223372036854775807), m);   /* the largest time parses */
	ck_assert_int_eq(mark_verify(&k, m, &b, NOW, MAX_AGE), MARK_FUTURE);
}
END_TEST

/* folding whitespace an MTA may add between the fields does not matter */
START_TEST(folded_mark_still_verifies)
{
	struct mark_key k;
	struct mark_bind b = bind_of("<id1@example.org>", rcpts1);
	char m[MARK_VALUE_MAX], f[MARK_VALUE_MAX + 64], *p, *q;

	key(&k, key_a);
	make(&k, &b, NOW, m);
	for (p = m, q = f; *p; p++) {
		*q++ = *p;
		if (*p == ';') {
			memcpy(q, "\r\n\t", 3);
			q += 3;
		}
	}
	*q = 0;
	ck_assert_int_eq(mark_verify(&k, f, &b, NOW, MAX_AGE), MARK_VALID);
}
END_TEST

/* a mark repeated counts once; work stops after MARK_MAX_EXAMINED */
START_TEST(many_marks_are_bounded_and_repeats_count_once)
{
	static char v[1000][MARK_VALUE_MAX];
	const char *p[1000];
	struct mark_key k;
	struct mark_bind b = bind_of("<id1@example.org>", rcpts1);
	struct mark_tally t;
	size_t i;

	key(&k, key_a);
	ck_assert_int_eq(mark_make(&k, &b, "mx2.example.org", NOW - 30, v[0]), 0);
	make(&k, &b, NOW - 60, v[1]);
	for (i = 0; i < 1000; i++)
		p[i] = v[i < 2 ? i : i % 2];
	ck_assert_uint_eq(mark_count(&k, p, 0, &b, NOW, MAX_AGE, &t), 0);
	ck_assert_str_eq(t.host, "");
	ck_assert_uint_eq(mark_count(&k, p, 2, &b, NOW, MAX_AGE, &t), 2);
	ck_assert_str_eq(t.host, "mx2.example.org");       /* the first: the newest */
	ck_assert_uint_eq(mark_count(&k, p, 1000, &b, NOW, MAX_AGE, &t), 2);
	ck_assert_uint_eq(t.n[MARK_VALID], MARK_MAX_EXAMINED);
	ck_assert_uint_eq(t.duplicates, MARK_MAX_EXAMINED - 2);
	ck_assert_uint_eq(t.dropped, 1000 - MARK_MAX_EXAMINED);

	/* valid marks after MARK_MAX_EXAMINED forged ones are not examined */
	for (i = 0; i < 1000; i++) {
		snprintf(v[i], sizeof(v[i]), "v=1; k=%s; t=%lld; h=x; m=%032zx", k.id,
		    (long long)NOW, i);
		p[i] = v[i];
	}
	make(&k, &b, NOW - 60, v[MARK_MAX_EXAMINED]);
	ck_assert_uint_eq(mark_count(&k, p, 1000, &b, NOW, MAX_AGE, &t), 0);
	ck_assert_uint_eq(t.n[MARK_MISMATCH], MARK_MAX_EXAMINED);
	ck_assert_uint_eq(t.dropped, 1000 - MARK_MAX_EXAMINED);
	make(&k, &b, NOW - 60, v[MARK_MAX_EXAMINED - 1]);
	ck_assert_uint_eq(mark_count(&k, p, 1000, &b, NOW, MAX_AGE, &t), 1);
}
END_TEST

START_TEST(garbage_is_bad_never_valid)
{
	struct mark_key k;
	struct mark_bind b = bind_of("<id1@example.org>", rcpts1);
	char m[MARK_VALUE_MAX], g[MARK_VALUE_MAX * 2], id[MARK_ID_LEN + 1];
	static const char *const bad[] = {
		"", " ", ";", "v=1", "v=1;", "v=", "v=1; k=", "x=1; k=00000000; t=1; h=a; m=00",
		"v=1 k=00000000 t=1 h=a m=00000000000000000000000000000000",
		"v=01; k=00000000; t=1; h=a; m=00000000000000000000000000000000",
		"v=1x; k=00000000; t=1; h=a; m=00000000000000000000000000000000",
	};
	size_t i;

	key(&k, key_a);
	make(&k, &b, NOW, m);
	snprintf(id, sizeof(id), "%s", k.id);
	ck_assert_int_eq(mark_verify(&k, NULL, &b, NOW, MAX_AGE), MARK_BAD);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(mark_verify(&k, bad[i], &b, NOW, MAX_AGE) == MARK_BAD, "%s", bad[i]);
	ck_assert_int_eq(mark_verify(&k, "v=2; whatever comes next", &b, NOW, MAX_AGE), MARK_VERSION);
	ck_assert_int_eq(mark_verify(&k, "v=99999; x", &b, NOW, MAX_AGE), MARK_BAD);

	/* each field broken in turn, the rest intact */
#define BROKEN(fmt, ...) do { \
		snprintf(g, sizeof(g), fmt, __VA_ARGS__); \
		ck_assert_msg(mark_verify(&k, g, &b, NOW, MAX_AGE) == MARK_BAD, "%s", g); \
	} while (0)
	BROKEN("%s; extra=1", m);                           /* a sixth field */
	BROKEN("%s;", m);                                   /* trailing ; */
	BROKEN("v=1; k=%.7s; t=1796000000; h=a; m=%s", id, strstr(m, "m=") + 2);
	BROKEN("v=1; k=%.7sG; t=1796000000; h=a; m=%s", id, strstr(m, "m=") + 2);
	BROKEN("v=1; k=%s; t=01796000000; h=a; m=%s", id, strstr(m, "m=") + 2);
	BROKEN("v=1; k=%s; t=-1; h=a; m=%s", id, strstr(m, "m=") + 2);
	BROKEN("v=1; k=%s; t=99999999999999999999; h=a; m=%s", id, strstr(m, "m=") + 2);
	BROKEN("v=1; k=%s; t=9223372036854775808; h=a; m=%s", id, strstr(m, "m=") + 2);
	BROKEN("v=1; k=%s; t=1796000000; h=a/b; m=%s", id, strstr(m, "m=") + 2);
	BROKEN("v=1; k=%s; t=1796000000; h=\xc3\xa9; m=%s", id, strstr(m, "m=") + 2);
	BROKEN("v=1; k=%s; t=1796000000; h=a; m=%.31s", id, strstr(m, "m=") + 2);
	BROKEN("v=1; k=%s; t=1796000000; h=a; m=%sa", id, strstr(m, "m=") + 2);
	BROKEN("v=1; k=%s; t=1796000000; h=a; m=%.31sZ", id, strstr(m, "m=") + 2);
	BROKEN("v=1; k=%s; t=1796000000; h=a; m=%.31s\x01", id, strstr(m, "m=") + 2);
	/* upper-case hex is not how we write it */
	snprintf(g, sizeof(g), "%s", m);
	for (i = strlen(g) - 32; g[i]; i++)
		if (g[i] >= 'a' && g[i] <= 'f')
			g[i] = (char)(g[i] - 32);
	if (strcmp(g, m) != 0)
		ck_assert_int_eq(mark_verify(&k, g, &b, NOW, MAX_AGE), MARK_BAD);

	/* huge: a valid mark padded past MARK_VALUE_MAX with spaces */
	memset(g, ' ', sizeof(g) - 1);
	g[sizeof(g) - 1] = 0;
	memcpy(g + sizeof(g) - 1 - strlen(m), m, strlen(m));
	ck_assert_int_eq(mark_verify(&k, g, &b, NOW, MAX_AGE), MARK_BAD);
	/* the same padded to exactly MARK_VALUE_MAX still counts */
	memmove(g, g + sizeof(g) - 1 - MARK_VALUE_MAX, MARK_VALUE_MAX + 1);
	ck_assert_uint_eq(strlen(g), MARK_VALUE_MAX);
	ck_assert_int_eq(mark_verify(&k, g, &b, NOW, MAX_AGE), MARK_VALID);
	/* binary: every byte value in place of the first tag digit */
	for (i = 1; i < 256; i++) {
		snprintf(g, sizeof(g), "%s", m);
		strstr(g, "m=")[2] = (char)i;
		if (strcmp(g, m) != 0)
			ck_assert_int_ne(mark_verify(&k, g, &b, NOW, MAX_AGE), MARK_VALID);
	}
}
END_TEST

START_TEST(no_mark_without_a_key_or_with_a_bad_host)
{
	struct mark_key k, none;
	struct mark_bind b = bind_of("<id1@example.org>", rcpts1);
	char m[MARK_VALUE_MAX], host[MARK_HOST_MAX + 2];

	memset(&none, 0, sizeof(none));
	ck_assert_int_eq(mark_make(&none, &b, "mx1.example.org", NOW, m), -1);
	ck_assert_int_eq(mark_key_set(&k, key_a, MARK_KEY_MIN - 1), -1);
	ck_assert_uint_eq(k.len, 0);
	key(&k, key_a);
	ck_assert_int_eq(mark_make(&k, &b, "", NOW, m), -1);
	ck_assert_int_eq(mark_make(&k, &b, "mx1 example", NOW, m), -1);
	ck_assert_int_eq(mark_make(&k, &b, "mx1.example.org", -1, m), -1);
	memset(host, 'a', sizeof(host) - 1);
	host[sizeof(host) - 1] = 0;
	ck_assert_int_eq(mark_make(&k, &b, host, NOW, m), -1);
	host[MARK_HOST_MAX] = 0;
	ck_assert_int_eq(mark_make(&k, &b, host, NOW, m), 0);
	ck_assert_int_eq(mark_verify(&k, m, &b, NOW, MAX_AGE), MARK_VALID);
	make(&k, &b, NOW, m);
	ck_assert_int_eq(mark_verify(&none, m, &b, NOW, MAX_AGE), MARK_ERROR);
}
END_TEST

START_TEST(too_many_recipients_give_no_binding)
{
	struct mark_rcpts r = { 0 };
	struct mark_bind b;
	char a[64];
	int i;

	for (i = 0; i < MARK_RCPTS_MAX; i++) {
		snprintf(a, sizeof(a), "<u%d@example.org>", i);
		mark_rcpts_add(&r, a);
		mark_rcpts_add(&r, a);        /* repeats are not counted twice */
	}
	ck_assert_uint_eq(r.n, MARK_RCPTS_MAX);
	ck_assert_int_eq(mark_bind("<x@y>", &r, &b), 0);
	mark_rcpts_add(&r, "<one-more@example.org>");
	ck_assert_int_eq(mark_bind("<x@y>", &r, &b), -1);
	mark_rcpts_free(&r);
}
END_TEST

START_TEST(key_file_is_read_only_when_private)
{
	struct mark_key k, made;
	char why[600], want[600];
	const char *p = unit_write("key", (const char *)key_a, 32);
	const char *shortk = unit_write("short", (const char *)key_a, 31);

	chmod(p, 0600);
	ck_assert_int_eq(mark_key_read(p, &k, why, sizeof(why)), 0);
	key(&made, key_a);
	ck_assert_str_eq(k.id, made.id);
	ck_assert_mem_eq(k.k, key_a, 32);

	chmod(p, 0640);
	ck_assert_int_eq(mark_key_read(p, &k, why, sizeof(why)), -1);
	ck_assert_uint_eq(k.len, 0);
	snprintf(want, sizeof(want), "%s: group or others have access (mode 0640): chmod 600 %s", p, p);
	ck_assert_str_eq(why, want);
	chmod(p, 0604);
	ck_assert_int_eq(mark_key_read(p, &k, why, sizeof(why)), -1);

	chmod(shortk, 0600);
	ck_assert_int_eq(mark_key_read(shortk, &k, why, sizeof(why)), -1);
	snprintf(want, sizeof(want), "%s: 31 bytes, a key has 32 to 256: remove it and make one "
	    "with mxguard -k", shortk);
	ck_assert_str_eq(why, want);

	ck_assert_int_eq(mark_key_read(unit_path("absent"), &k, why, sizeof(why)), 1);
	mkdir(unit_path("dir"), 0700);
	ck_assert_int_eq(mark_key_read(unit_path("dir"), &k, why, sizeof(why)), -1);
	snprintf(want, sizeof(want), "%s: not a regular file", unit_path("dir"));
	ck_assert_str_eq(why, want);
}
END_TEST

START_TEST(key_create_makes_a_private_key_and_never_overwrites)
{
	struct mark_key made, read;
	struct stat st;
	char why[600];
	const char *p = unit_path("new.key");

	ck_assert_int_eq(mark_key_create(p, (uid_t)-1, (gid_t)-1, &made, why, sizeof(why)), 0);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(st.st_size, MARK_KEY_NEW);
	ck_assert_int_eq(mark_key_read(p, &read, why, sizeof(why)), 0);
	ck_assert_str_eq(read.id, made.id);
	ck_assert_mem_eq(read.k, made.k, MARK_KEY_NEW);

	ck_assert_int_eq(mark_key_create(p, (uid_t)-1, (gid_t)-1, &made, why, sizeof(why)), 1);
	ck_assert_int_eq(mark_key_read(p, &made, why, sizeof(why)), 0);
	ck_assert_str_eq(read.id, made.id);        /* unchanged */
	ck_assert_int_eq(symlink(unit_path("elsewhere"), unit_path("link.key")), 0);
	ck_assert_int_ne(mark_key_create(unit_path("link.key"), (uid_t)-1, (gid_t)-1, &made,
	    why, sizeof(why)), 0);
	ck_assert_int_ne(access(unit_path("elsewhere"), F_OK), 0);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("mark");
	TCase *t = tcase_create("mark");

	tcase_add_test(t, hmac_sha256_matches_rfc4231);
	tcase_add_test(t, made_mark_verifies_and_has_the_documented_shape);
	tcase_add_test(t, mark_matches_an_independent_computation);
	tcase_add_test(t, key_id_follows_the_key_and_other_key_is_foreign);
	tcase_add_test(t, wrong_key_with_our_id_is_a_mismatch);
	tcase_add_test(t, each_bound_input_altered_is_a_mismatch);
	tcase_add_test(t, binding_is_canonical);
	tcase_add_test(t, expired_and_future_marks_are_not_valid);
	tcase_add_test(t, folded_mark_still_verifies);
	tcase_add_test(t, many_marks_are_bounded_and_repeats_count_once);
	tcase_add_test(t, garbage_is_bad_never_valid);
	tcase_add_test(t, no_mark_without_a_key_or_with_a_bad_host);
	tcase_add_test(t, too_many_recipients_give_no_binding);
	tcase_add_test(t, key_file_is_read_only_when_private);
	tcase_add_test(t, key_create_makes_a_private_key_and_never_overwrites);
	suite_add_tcase(s, t);
	return s;
}

UNIT_MAIN(suite)
