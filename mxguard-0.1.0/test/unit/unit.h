/*
 * unit.h - shared bits of the unit test programs: a temporary directory,
 * file writing, and a main that runs one Check suite with TAP on stdout.
 */
#ifndef UNIT_H
#define UNIT_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char unit_dir[64];

/* unit_path - a file name inside this test's private directory */
static inline const char *
unit_path(const char *name)
{
	static char buf[8][256];
	static int i;

	if (unit_dir[0] == 0) {
		snprintf(unit_dir, sizeof(unit_dir), "/tmp/mxg-unit.XXXXXX");
		if (mkdtemp(unit_dir) == NULL)
			abort();
	}
	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", unit_dir, name);
	return buf[i];
}

/* unit_write - write text (len bytes, so NULs can be written) to a file */
static inline const char *
unit_write(const char *name, const char *text, size_t len)
{
	const char *p = unit_path(name);
	FILE *fp = fopen(p, "w");

	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(text, 1, len, fp), len);
	fclose(fp);
	return p;
}
#define UNIT_WRITE(name, lit) unit_write((name), (lit), sizeof(lit) - 1)

#define UNIT_MAIN(suite_fn)                                              \
int main(void)                                                          \
{                                                                        \
	SRunner *sr = srunner_create(suite_fn());                        \
	int failed;                                                      \
	char cmd[128];                                                   \
	(void)unit_path("");      /* the directory, made before the forks */ \
	srunner_set_tap(sr, "-");                                        \
	srunner_set_fork_status(sr, CK_FORK);                            \
	srunner_run_all(sr, CK_SILENT);                                  \
	failed = srunner_ntests_failed(sr);                              \
	srunner_free(sr);                                                \
	if (unit_dir[0]) {                                               \
		snprintf(cmd, sizeof(cmd), "rm -rf %s", unit_dir);       \
		if (system(cmd) != 0)                                    \
			return 1;                                        \
	}                                                                \
	return failed ? 1 : 0;                                           \
}

#endif
