/* fuzz_file.c - libFuzzer: a whole mxguard.conf (FUZZ_CONFIG) or whitelist
 * source (FUZZ_WHITELIST) written to a file and parsed */
#include "autoconf.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "config.h"
#include "log.h"
#include "snapshot.h"
#include "wlcompile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[512];
	FILE *fp;

	if (path[0] == 0) {   /* in the run's own directory (fuzz/run sets TMPDIR) */
		const char *dir = getenv("TMPDIR");

		snprintf(path, sizeof(path), "%s/input.%ld", dir ? dir : "/tmp", (long)getpid());
		log_open("fuzz", 0, 0, 0);
	}
	if ((fp = fopen(path, "w")) == NULL)
		return 0;
	fwrite(data, 1, size, fp);
	fclose(fp);
#ifdef FUZZ_CONFIG
	{
		static struct cfg_errs errs;

		cfg_free(cfg_load(path, &errs));
	}
#else
	{
		FILE *devnull = fopen("/dev/null", "w");

		wlc_compile(path, "/nonexistent/out.cdb", 1, devnull);
		fclose(devnull);
	}
#endif
	return 0;
}
