/* tsan_log.c - built by test/cli/tsan.sh with ThreadSanitizer: the signal
 * thread's log_setlevel (SIGUSR1 reload) against the workers' log_enabled,
 * as in the daemon. Any report from TSan is the failure. */
#include "autoconf.h"

#include <pthread.h>
#include <stdio.h>

#include "log.h"

/* worker - what every milter worker does before building a debug line */
static void *
worker(void *arg)
{
	long i, n = 0;

	(void)arg;
	for (i = 0; i < 200000; i++)
		n += log_enabled(LOG_DEBUG);
	return (void *)n;
}

int
main(void)
{
	pthread_t t[2];
	int i;

	for (i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, worker, NULL) != 0)
			return 1;
	for (i = 0; i < 200000; i++)                 /* the signal thread reloading */
		log_setlevel(i & 1 ? LOG_DEBUG : LOG_INFO);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	puts("done");
	return 0;
}
