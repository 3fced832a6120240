/*
 * main.c - mxguard: options, configuration, socket, privileges, signals,
 * then libmilter's main loop.
 *
 * A broken environment at start-up (bad configuration, socket, user, pid
 * file) is fatal with one clear message and exit 1. -n checks the
 * configuration and the whitelist it names, also as UserID would read it;
 * a whitelist older than its source is a warning (start, reload, -n).
 * -k makes the loop key (LoopKeyFile) when there is none; a configuration
 * without one is a warning (start, reload, -n), as marks are then neither
 * made nor counted.
 * After start-up nothing here exits: SIGUSR1 reloads the configuration
 * (a bad one is logged and the running one kept), SIGUSR2 and every
 * StatsInterval (1h) log the stats lines, SIGTERM and SIGINT make
 * libmilter finish and return.
 */
#include "autoconf.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "callbacks.h"
#include "config.h"
#include "log.h"
#include "mark.h"
#include "explain.h"
#include "metrics.h"
#include "mxguard.h"
#include "mxpeers.h"
#include "resolver.h"
#include "snapshot.h"
#include "spf.h"
#include "stats.h"
#include "whitelist.h"

static const char *conf_path = MXG_DEFAULT_CONF;
static void user_ids(const char *spec, uid_t *uid, gid_t *gid);
static const char *socket_override;

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: mxguard [-c FILE] [-f] [-k] [-n] [-p SOCKET] [-V] [-h]\n"
	    "       mxguard [-c FILE] -t ADDRESS [-N NAME] [-H HELO] [-s SENDER] [-r RCPT] [-m FILE]\n"
	    "  -c FILE    configuration file (default %s)\n"
	    "  -f         stay in the foreground, log to standard error too\n"
	    "  -k         make the loop key LoopKeyFile (never replaces one) and exit\n"
	    "  -n         check the configuration and exit\n"
	    "  -p SOCKET  override Socket\n"
	    "  -t ADDRESS explain what mxguard would do with this client, and exit: 0 accept,\n"
	    "             2 reject, 3 tempfail, 4 quarantine, 5 tag (1: usage or configuration)\n"
	    "  -N NAME    -t: the client's verified host name   -H HELO   -s SENDER   -r RCPT\n"
	    "  -m FILE    -t: a saved message whose header fields are read (- : standard input)\n"
	    "  -V         print the version\n", MXG_DEFAULT_CONF);
}

static void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void
fatal(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_msg(LOG_ERR, "fatal: %s", msg);
	fprintf(stderr, "mxguard: %s\n", msg);
	exit(1);
}

/* load - a snapshot with -p applied, or NULL after logging every problem */
static struct config *
load(int to_stderr)
{
	static struct cfg_errs errs;
	struct config *c = cfg_load(conf_path, &errs);
	int i;

	for (i = 0; i < errs.n && i < MXG_ERRS_MAX; i++) {
		if (to_stderr)
			fprintf(stderr, "%s\n", errs.msg[i]);
		else
			log_msg(LOG_ERR, "%s", errs.msg[i]);
	}
	if (c && socket_override) {
		free(c->socket);
		if ((c->socket = strdup(socket_override)) == NULL) {
			cfg_free(c);
			return NULL;
		}
	}
	return c;
}

/* log_stale - warn when the loaded whitelist is older than its source */
static void
log_stale(struct config *c)
{
	char msg[2 * PATH_MAX + 64];

	if (c->wl && wl_stale(c->wl, msg, sizeof(msg)))
		log_msg(LOG_WARNING, "whitelist: %s", msg);
}

/* where - "FILE:LINE" of a key, or "FILE" when it has its default */
static const char *
where(const struct config *c, const char *key, char *buf, size_t size)
{
	unsigned line = cfg_line(c, key);

	if (line)
		snprintf(buf, size, "%s:%u", c->path, line);
	else
		snprintf(buf, size, "%s", c->path);
	return buf;
}

/* no_key - the warning for a snapshot without a loop key, or NULL */
static const char *
no_key(const struct config *c, char *buf, size_t size)
{
	if (c->loop_key.len)
		return NULL;
	snprintf(buf, size, "LoopKeyFile %s: No such file or directory: no loop pass marks are "
	    "made or counted; make the key with mxguard -k", c->loop_key_file);
	return buf;
}

/* log_key - start-up and reload: which key marks passes, or the warning */
static void
log_key(const struct config *c)
{
	char msg[PATH_MAX + 200];

	if (no_key(c, msg, sizeof(msg)))
		log_msg(LOG_WARNING, "%s", msg);
	else
		log_msg(LOG_INFO, "loop pass marks: key id %s from %s", c->loop_key.id,
		    c->loop_key_file);
}

/* make_key - -k: a new LoopKeyFile, owned by UserID when run as root;
 * exit status 0, 2 when there is one already, 1 */
static int
make_key(const struct config *c)
{
	char why[PATH_MAX + 200];
	struct mark_key k;
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;
	int r;

	if (c->userid && geteuid() == 0)
		user_ids(c->userid, &uid, &gid);
	if ((r = mark_key_create(c->loop_key_file, uid, gid, &k, why, sizeof(why))) != 0) {
		fprintf(stderr, "mxguard: LoopKeyFile %s\n", why);
		return r > 0 ? 2 : 1;
	}
	printf("mxguard: LoopKeyFile %s: new key, id %s, mode 0600, owner %s; copy it to every "
	    "host of the MX set\n", c->loop_key_file, k.id,
	    uid != (uid_t)-1 ? c->userid : "the user who ran mxguard -k");
	mark_key_clear(&k);
	return 0;
}

/* same - two optional strings equal */
static int
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* warn_restart_only - name the keys a reload changed that only a restart applies */
static void
warn_restart_only(const struct config *old, const struct config *c)
{
	const struct {
		const char *key;
		int changed;
	} keys[] = {
		{ "Socket", !same(c->socket, old->socket) },
		{ "UserID", !same(c->userid, old->userid) },
		{ "PidFile", !same(c->pidfile, old->pidfile) },
		{ "UMask", c->umask != old->umask },
		{ "Syslog", c->syslog != old->syslog },
		{ "SyslogFacility", c->facility != old->facility },
	};
	char list[128] = "";
	size_t i, n = 0;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].changed && n < sizeof(list))
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "",
			    keys[i].key);
	if (n > 0)
		log_msg(LOG_WARNING, "%s: changes take effect at the next restart", list);
}

/* reload - SIGUSR1: publish a new snapshot or keep the running one */
static void
reload(void)
{
	struct config *old = cfg_acquire(), *c;
	char err[512];

	if (old == NULL) {          /* cannot happen: the signal thread starts after publish */
		log_msg(LOG_WARNING, "SIGUSR1 before start-up finished: no reload");
		return;
	}
	c = load(0);
	if (c != NULL && cfg_start_dns(c, err, sizeof(err)) < 0) {
		log_msg(LOG_ERR, "resolver: %s", err);
		cfg_free(c);
		c = NULL;
	}
	if (c != NULL && cfg_start_mx(c, old, 1) < 0) {   /* logged */
		cfg_free(c);
		c = NULL;
	}
	if (c == NULL) {
		log_msg(LOG_ERR, "reload of %s failed; keeping the running configuration",
		    conf_path);
	} else {
		warn_restart_only(old, c);
		log_setlevel(c->loglevel);
		log_stale(c);
		log_key(c);
		log_msg(LOG_NOTICE, "configuration %s reloaded: whitelist %s (%u entries), mode %s",
		    conf_path, c->whitelist ? c->whitelist : "none",
		    c->wl ? wl_count(c->wl) : 0, c->mode == MODE_MONITOR ? "monitor" : "enforce");
		stats_set_monitor(c->mode == MODE_MONITOR);
		stats_count_config_reload();
		if (c->wl)
			stats_count_wl_reload();
		cfg_publish(c);
	}
	cfg_release(old);
}

/* stats - the counters line, the resolver's and one per DNSBL zone, and
 * StatsFile: all of one copy of the counters, so the file and the lines
 * say the same */
static void
stats(void)
{
	static struct stats_zone_view zv[STATS_ZONES_MAX];   /* the signal thread's only */
	struct config *c = cfg_acquire();
	struct metrics_input in = {0};
	struct stats_view sv;
	struct dns_stats d;
	char err[600];
	unsigned i;

	if (c == NULL)
		return;
	stats_get(&sv);
	in.filter = &sv;
	stats_log_view(&sv);
	if (c->dns) {
		dns_get_stats(c->dns, &d);
		in.dns = &d;
		dns_stats_log_view(&d);
	}
	for (i = 0; i < c->dnsbl.nzones && i < STATS_ZONES_MAX; i++) {
		stats_zone_get(c->dnsbl.zones[i], &zv[i]);
		stats_zone_log_view(&zv[i]);
	}
	in.zones = zv;
	in.nzones = i;
	in.have_wl = c->wl != NULL;
	in.wl_entries = c->wl ? wl_count(c->wl) : 0;
	if (c->stats_file && metrics_write(c->stats_file, &in, err, sizeof(err)) < 0)
		log_msg(LOG_ERR, "%s", err);
	cfg_release(c);
}

/* stats_every - StatsInterval in seconds (0: no timer) from the current
 * snapshot; -1 while none is published yet (start-up) */
static time_t
stats_every(void)
{
	struct config *c = cfg_acquire();
	time_t every;

	if (c == NULL)
		return -1;
	every = (time_t)(c->stats_interval / 1000);
	if (c->stats_interval > 0 && every < 1)
		every = 1;
	cfg_release(c);
	return every;
}

/*
 * signals - the one thread that takes SIGUSR1 and SIGUSR2, and the stats
 * timer: due at fixed steps of StatsInterval from start-up, whatever
 * signals come in between (a reload that changes the interval counts the
 * new one from the last timed line).
 */
static void *
signals(void *arg)
{
	sigset_t *set = arg;
	struct timespec now, wait;
	time_t last, every;
	int sig;

	clock_gettime(CLOCK_MONOTONIC, &now);
	last = now.tv_sec;
	for (;;) {
		every = stats_every();
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (every > 0 && now.tv_sec >= last + every) {
			stats();
			last += (now.tv_sec - last) / every * every;   /* skip missed steps */
			continue;
		}
		wait.tv_sec = every > 0 ? last + every - now.tv_sec : every < 0 ? 1 : 3600;
		wait.tv_nsec = 0;
		sig = sigtimedwait(set, NULL, &wait);
		if (sig == SIGUSR1)
			reload();
		else if (sig == SIGUSR2)
			stats();
	}
	return NULL;
}

/* user_ids - resolve "user[:group]" (config.c cfg_account), fatal if it cannot */
static void
user_ids(const char *spec, uid_t *uid, gid_t *gid)
{
	char why[300];
	const char *bad = cfg_account(spec, uid, gid, why, sizeof(why));

	if (bad)
		fatal("UserID: %s", bad);
}

/* become - the account's ids, supplementary groups dropped; -1 with errno */
static int
become(uid_t uid, gid_t gid)
{
	return setgroups(1, &gid) < 0 || setgid(gid) < 0 || setuid(uid) < 0 ? -1 : 0;
}

/* stderr_is_journal - is standard error systemd's journal stream
 * ($JOURNAL_STREAM names its device and inode)? */
static int
stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char *end;

	if (e == NULL || *e < '0' || *e > '9')
		return 0;
	errno = 0;
	dev = strtoull(e, &end, 10);
	if (errno || *end != ':' || end[1] < '0' || end[1] > '9')
		return 0;
	ino = strtoull(end + 1, &end, 10);
	if (errno || *end != 0 || fstat(2, &st) < 0)
		return 0;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

/*
 * chown_socket - hand the UNIX socket libmilter just bound to uid:gid without
 * following a name anyone else can change. The socket directory may belong
 * to UserID (the chrooted-Postfix layout), so between bind() and here a
 * process of that user can rename a symbolic link (or a hard link) over the
 * name, and chown(path) as root would give the file it points to away.
 * fchown() on the listening descriptor is no way out: a UNIX socket's
 * descriptor is a sockfs inode, not the file its name is (and libmilter
 * keeps the descriptor). So the name is opened with O_PATH | O_NOFOLLOW,
 * which pins one inode and never follows a final symbolic link; that inode
 * must be what bind() made: a socket, owned by us, with one link (a hard
 * link to a file elsewhere has two; a socket made by UserID is not ours,
 * and UserID cannot move a socket of ours into its directory from a
 * directory it may not write). fchownat(fd, "", AT_EMPTY_PATH) then changes
 * exactly that inode: a swap after the open changes nothing. Anything else
 * is fatal: the name is not the socket we bound (the MTA could not reach
 * the daemon anyway).
 */
static void
chown_socket(const char *path, uid_t uid, gid_t gid)
{
	struct stat st;
	int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		fatal("socket %s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0)
		fatal("socket %s: %s", path, strerror(errno));
	if (!S_ISSOCK(st.st_mode) || st.st_uid != geteuid() || st.st_nlink != 1)
		fatal("socket %s was replaced before its owner was set (a %s owned by uid %ld, "
		    "%ld links): is its directory writable by someone else?", path,
		    S_ISLNK(st.st_mode) ? "symbolic link" : S_ISSOCK(st.st_mode) ? "socket" : "file",
		    (long)st.st_uid, (long)st.st_nlink);
	if (fchownat(fd, "", uid, gid, AT_EMPTY_PATH) < 0)
		fatal("chown %s: %s", path, strerror(errno));
	close(fd);
}

/* drop_privileges - become UserID for good, after the socket is bound */
static void
drop_privileges(const struct config *c)
{
	const char *path = NULL;
	uid_t uid;
	gid_t gid;

	if (c->userid == NULL) {
		if (geteuid() == 0)
			log_msg(LOG_WARNING, "running as root: set UserID to drop privileges");
		return;
	}
	user_ids(c->userid, &uid, &gid);
	if (strncmp(c->socket, "unix:", 5) == 0 || strncmp(c->socket, "local:", 6) == 0)
		path = strchr(c->socket, ':') + 1;
	if (path)
		chown_socket(path, uid, gid);
	if (become(uid, gid) < 0)
		fatal("cannot become %s: %s", c->userid, strerror(errno));
	if (uid != 0 && setuid(0) == 0) {
		fatal("could regain root after becoming %s", c->userid);
	}
}

/* write_pidfile - no symlink followed, mode 0644 */
static void
write_pidfile(const char *path)
{
	char buf[32];
	int fd, n;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		fatal("PidFile %s: %s", path, strerror(errno));
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (fchmod(fd, 0644) < 0 || write(fd, buf, (size_t)n) != n || close(fd) < 0)
		fatal("PidFile %s: %s", path, strerror(errno));
}

/* pidfile_dir - the directory part of an absolute path, in a fresh string */
static char *
pidfile_dir(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash == NULL ? strdup(".") : slash == path ? strdup("/")
	    : strndup(path, (size_t)(slash - path));
}

/* warn_pidfile_stays - after the privilege drop: can UserID remove PidFile at stop? */
static void
warn_pidfile_stays(const struct config *c)
{
	char *dir;

	if (c->pidfile == NULL || c->userid == NULL || (dir = pidfile_dir(c->pidfile)) == NULL)
		return;
	if (access(dir, W_OK | X_OK) < 0)
		log_msg(LOG_WARNING, "PidFile %s: UserID %s may not write %s: the file will stay "
		    "after stop", c->pidfile, c->userid, dir);
	free(dir);
}

/* remove_pidfile - at a clean stop: unlink PidFile if it still names this
 * process (a later instance may have written its own); say why not if not */
static void
remove_pidfile(const char *path)
{
	char buf[32];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	if (strtol(buf, NULL, 10) != (long)getpid()) {
		log_msg(LOG_NOTICE, "PidFile %s names another process; left in place", path);
		return;
	}
	if (unlink(path) < 0)
		log_msg(LOG_WARNING, "PidFile %s not removed: %s", path, strerror(errno));
}

/* readable_as_user - -n as root: can UserID open the whitelist and the
 * loop key? (a replaced file and a SIGUSR1 reload are read after the
 * privilege drop) 0 or 1 */
static int
readable_as_user(const struct config *c)
{
	char err[2 * PATH_MAX + 64], at[PATH_MAX + 16];
	struct mark_key key;
	struct wl *wl = NULL;
	uid_t uid;
	gid_t gid;
	pid_t pid;
	int st;

	if ((c->whitelist == NULL && c->loop_key.len == 0) || c->userid == NULL || geteuid() != 0)
		return 0;
	user_ids(c->userid, &uid, &gid);
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0)
		fatal("fork: %s", strerror(errno));
	if (pid == 0) {
		if (become(uid, gid) < 0) {
			fprintf(stderr, "mxguard: cannot become %s: %s\n", c->userid, strerror(errno));
			_exit(1);
		}
		if (c->whitelist && (wl = wl_open(c->whitelist, err, sizeof(err))) == NULL) {
			fprintf(stderr, "%s:%u: Whitelist %s (as UserID %s)\n", c->path,
			    cfg_line(c, "Whitelist"), err, c->userid);
			_exit(1);
		}
		wl_close(wl);
		if (c->loop_key.len && mark_key_read(c->loop_key_file, &key, err, sizeof(err)) != 0) {
			fprintf(stderr, "%s: LoopKeyFile %s (as UserID %s)\n",
			    where(c, "LoopKeyFile", at, sizeof(at)), err, c->userid);
			_exit(1);
		}
		mark_key_clear(&key);
		_exit(0);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			fatal("waitpid: %s", strerror(errno));
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

/* check_only - -n after a clean load: UserID's view, then the stale warning */
static int
check_only(struct config *c)
{
	char msg[2 * PATH_MAX + 64], at[PATH_MAX + 16];
	int r = readable_as_user(c);

	if (r == 0 && c->wl && wl_stale(c->wl, msg, sizeof(msg)))
		fprintf(stderr, "%s:%u: warning: Whitelist: %s\n", c->path,
		    cfg_line(c, "Whitelist"), msg);
	if (r == 0 && no_key(c, msg, sizeof(msg)))
		fprintf(stderr, "%s: warning: %s\n", where(c, "LoopKeyFile", at, sizeof(at)), msg);
	if (r == 0 && c->backup_mx.n) {      /* the peers it would use now */
		if (cfg_start_dns(c, msg, sizeof(msg)) < 0 || cfg_start_mx(c, NULL, 0) < 0) {
			fprintf(stderr, "mxguard: BackupMXFor: %s\n", c->dns ? "out of memory" : msg);
			return 1;
		}
		mxp_print(c->mxp, stdout);
	}
	return r;
}

/* warn_unreadable - after the privilege drop: will a replaced whitelist be readable? */
static void
warn_unreadable(const struct config *c)
{
	int fd;

	if (c->userid == NULL)
		return;
	if (c->loop_key.len) {
		if ((fd = open(c->loop_key_file, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) >= 0)
			close(fd);
		else
			log_msg(LOG_WARNING, "LoopKeyFile %s: %s as UserID %s: a reload (SIGUSR1) "
			    "will fail", c->loop_key_file, strerror(errno), c->userid);
	}
	if (c->whitelist == NULL)
		return;
	if ((fd = open(c->whitelist, O_RDONLY | O_CLOEXEC)) >= 0) {
		close(fd);
		return;
	}
	log_msg(LOG_WARNING, "whitelist %s: %s as UserID %s: a replaced file will not be "
	    "picked up and a reload (SIGUSR1) will fail", c->whitelist, strerror(errno), c->userid);
}

static void
daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		fatal("fork: %s", strerror(errno));
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		fatal("setsid: %s", strerror(errno));
	if (chdir("/") < 0)
		fatal("chdir /: %s", strerror(errno));
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}

int
main(int argc, char **argv)
{
	static sigset_t set;
	struct config *c;
	char *pidfile;
	pthread_t tid;
	struct exp_args ea = {0};
	int ch, foreground = 0, check = 0, newkey = 0, r;

	/* SIGUSR1/SIGUSR2 wait, blocked, for the signal thread from the first
	 * instruction on: before, their default action would end the daemon,
	 * and the thread only starts once a configuration is published */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	while ((ch = getopt(argc, argv, "c:fhknp:Vt:N:H:s:r:m:")) != -1) {
		switch (ch) {
		case 'c':
			conf_path = optarg;
			break;
		case 'f':
			foreground = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'k':
			newkey = 1;
			break;
		case 'n':
			check = 1;
			break;
		case 'p':
			socket_override = optarg;
			break;
		case 'V':
			printf("mxguard %s\n", PACKAGE_VERSION);
			return 0;
		case 't':
			ea.client = optarg;
			break;
		case 'N':
			ea.name = optarg;
			break;
		case 'H':
			ea.helo = optarg;
			break;
		case 's':
			ea.from = optarg;
			break;
		case 'r':
			ea.rcpt = optarg;
			break;
		case 'm':
			ea.file = optarg;
			break;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc || ((ea.name || ea.helo || ea.from || ea.rcpt || ea.file)
	    && ea.client == NULL)) {
		usage(stderr);
		return 1;
	}
	log_open("mxguard", 0, 0, 1);
	stats_start();
	spf_init();
	if ((c = load(1)) == NULL)
		return 1;
	if (newkey) {
		r = make_key(c);
		cfg_free(c);
		return r;
	}
	if (check) {
		r = check_only(c);
		cfg_free(c);
		return r;
	}
	if (ea.client) {
		char err[512];

		log_setlevel(LOG_WARNING);    /* stderr: warnings only; the explanation on stdout */
		if (cfg_start_dns(c, err, sizeof(err)) < 0 || cfg_start_mx(c, NULL, 0) < 0) {
			fprintf(stderr, "mxguard: resolver: %s\n", c->dns ? "out of memory" : err);
			cfg_free(c);
			return 1;
		}
		r = exp_run(c, &ea, stdout);
		cfg_free(c);
		return fflush(stdout) == 0 ? r : 1;
	}
	if (!c->syslog && !foreground)
		fprintf(stderr, "mxguard: warning: Syslog no without -f: nothing will be logged\n");
	/* under systemd, stderr and syslog both end in the journal: one copy */
	log_open("mxguard", c->syslog, c->facility, foreground && !(c->syslog && stderr_is_journal()));
	log_setlevel(c->loglevel);
	log_stale(c);
	log_key(c);
	if (!foreground)
		daemonize();

	umask((mode_t)c->umask);
	if (smfi_setconn(c->socket) == MI_FAILURE || smfi_register(cb_desc) == MI_FAILURE)
		fatal("cannot set up libmilter for %s", c->socket);
	if (smfi_opensocket(1) == MI_FAILURE)
		fatal("cannot open milter socket %s: %s", c->socket, strerror(errno));
	if (c->pidfile)
		write_pidfile(c->pidfile);
	drop_privileges(c);
	warn_unreadable(c);
	warn_pidfile_stays(c);

	/* every thread inherits this mask: libmilter's own thread sigwaits for
	 * HUP/TERM/INT, ours for USR1/USR2; no other thread may take them */
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGPIPE);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	sigemptyset(&set);         /* what the signal thread waits for */
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	{
		char err[512];

		if (cfg_start_dns(c, err, sizeof(err)) < 0)
			fatal("resolver: %s", err);
		if (cfg_start_mx(c, NULL, 1) < 0)
			fatal("BackupMXFor: cannot start the refresher");
	}
	log_msg(LOG_NOTICE, "mxguard %s starting: socket %s, whitelist %s (%u entries), mode %s",
	    PACKAGE_VERSION, c->socket, c->whitelist ? c->whitelist : "none",
	    c->wl ? wl_count(c->wl) : 0, c->mode == MODE_MONITOR ? "monitor" : "enforce");
	pidfile = c->pidfile ? strdup(c->pidfile) : NULL;
	stats_set_monitor(c->mode == MODE_MONITOR);
	cfg_publish(c);            /* c belongs to the snapshot machinery now */
	/* only now: a SIGUSR1 that came early reloads against a published snapshot */
	if ((errno = pthread_create(&tid, NULL, signals, &set)) != 0)
		fatal("cannot start the signal thread: %s", strerror(errno));
	pthread_detach(tid);
	r = smfi_main();
	log_msg(LOG_NOTICE, "mxguard stopping");
	if (pidfile)
		remove_pidfile(pidfile);
	free(pidfile);
	return r == MI_SUCCESS ? 0 : 1;
}
