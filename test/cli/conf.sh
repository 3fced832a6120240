#!/bin/bash
# cli/conf.sh - mxguard -n, -V, -h, and what start-up does with privileges,
# the socket mode and the pid file; -n and the daemon on a whitelist that
# is corrupt, unreadable for UserID, or older than its source; -k and the
# loop key (LoopKeyFile): made once, private, missing is a warning.
set -u
. "$(dirname "$0")/../tap.sh"
D=$(mktemp -d /tmp/mxg-conf.XXXXXX)
chmod 755 "$D"
trap 'mxg_stop; rm -rf "$D"' EXIT

# the loop key: -k makes it (mode 0600, 32 bytes) and never replaces it
printf 'Syslog no\nLoopKeyFile %s/loop.key\n' "$D" > "$D/key.conf"
out=$("$MXGUARD" -k -c "$D/key.conf" 2>&1); rc=$?
if [ $rc = 0 ] && [ "$(stat -c %a:%s "$D/loop.key" 2>&1)" = 600:32 ] &&
	printf '%s' "$out" | grep -Eqx "mxguard: LoopKeyFile $D/loop.key: new key, id [0-9a-f]{8}, mode 0600, owner the user who ran mxguard -k; copy it to every host of the MX set"; then
	tap_ok "-k makes a 32-byte key, mode 0600, and names its id"
else tap_fail "-k makes a 32-byte key, mode 0600, and names its id" "rc=$rc" "$out" "$(ls -l "$D")"; fi
cp "$D/loop.key" "$D/loop.key.before"
out=$("$MXGUARD" -k -c "$D/key.conf" 2>&1); rc=$?
if [ $rc = 2 ] && cmp -s "$D/loop.key" "$D/loop.key.before" && [ "$out" = "mxguard: LoopKeyFile $D/loop.key exists; not overwritten (to change the key, remove it first, then copy the new one to every host of the MX set)" ]; then
	tap_ok "-k never replaces a key: exit 2, the key unchanged"
else tap_fail "-k never replaces a key: exit 2, the key unchanged" "rc=$rc" "$out"; fi
printf 'Syslog no\nLoopKeyFile %s/none.key\nSocket unix:%s/n.sock\n' "$D" "$D" > "$D/nokey.conf"
out=$("$MXGUARD" -n -c "$D/nokey.conf" 2>&1); rc=$?
if [ $rc = 0 ] && [ "$out" = "$D/nokey.conf:2: warning: LoopKeyFile $D/none.key: No such file or directory: no loop pass marks are made or counted; make the key with mxguard -k" ]; then
	tap_ok "-n without the loop key: one warning at its line, exit 0"
else tap_fail "-n without the loop key: one warning at its line, exit 0" "rc=$rc" "$out"; fi
cp "$D/loop.key" "$D/open.key" && chmod 644 "$D/open.key"
printf 'LoopKeyFile %s/open.key\nSocket unix:%s/o.sock\nSyslog no\n' "$D" "$D" > "$D/open.conf"
out=$("$MXGUARD" -n -c "$D/open.conf" 2>&1); rc=$?
if [ $rc = 1 ] && [ "$out" = "$D/open.conf:1: LoopKeyFile $D/open.key: group or others have access (mode 0644): chmod 600 $D/open.key" ]; then
	tap_ok "-n on a key others can read: the error says chmod 600, exit 1"
else tap_fail "-n on a key others can read: the error says chmod 600, exit 1" "rc=$rc" "$out"; fi
out=$(timeout 5 "$MXGUARD" -f -c "$D/open.conf" 2>&1); rc=$?
if [ $rc = 1 ] && [ "$out" = "$D/open.conf:1: LoopKeyFile $D/open.key: group or others have access (mode 0644): chmod 600 $D/open.key" ] && [ ! -e "$D/o.sock" ]; then
	tap_ok "the daemon refuses to start with a key others can read"
else tap_fail "the daemon refuses to start with a key others can read" "rc=$rc" "$out"; fi

printf 'Socket unix:%s/s.sock\nSyslog no\nLogLevel debug\nLoopKeyFile %s/loop.key\n' "$D" "$D" > "$D/good.conf"
out=$("$MXGUARD" -n -c "$D/good.conf" 2>&1); rc=$?
if [ $rc = 0 ] && [ -z "$out" ]; then tap_ok "-n on a valid file: exit 0, no output"
else tap_fail "-n on a valid file: exit 0, no output" "rc=$rc" "$out"; fi

# eight shortest IPv6 servers: the c-ares list is longer than the text (heap overflow once)
printf 'Socket unix:%s/s.sock\nSyslog no\nLoopKeyFile %s/loop.key\nDNSServers ::,::,::,::,::,::,::,::\n' "$D" "$D" > "$D/v6.conf"
out=$("$MXGUARD" -n -c "$D/v6.conf" 2>&1); rc=$?
if [ $rc = 0 ] && [ -z "$out" ]; then tap_ok "-n with eight DNSServers ::: exit 0, no output"
else tap_fail "-n with eight DNSServers ::: exit 0, no output" "rc=$rc" "$out"; fi

printf 'Socket unix:/x\nFrobnicate yes\nMode strict\nWhitelist %s/nope.cdb\n' "$D" > "$D/bad.conf"
out=$("$MXGUARD" -n -c "$D/bad.conf" 2>&1); rc=$?
if [ $rc = 1 ] && [ "$out" = "$D/bad.conf:2: unknown key \"Frobnicate\"
$D/bad.conf:3: Mode: bad value \"strict\" (expected enforce or monitor)" ]; then
	tap_ok "-n on a bad file: one FILE:LINE line per problem, exit 1"
else
	tap_fail "-n on a bad file: one FILE:LINE line per problem, exit 1" "rc=$rc" "$out"
fi
printf 'Whitelist %s/nope.cdb\n' "$D" > "$D/nowl.conf"
out=$("$MXGUARD" -n -c "$D/nowl.conf" 2>&1); rc=$?
if [ $rc = 1 ] && [ "$out" = "$D/nowl.conf:1: Whitelist $D/nope.cdb: No such file or directory" ]; then
	tap_ok "-n names a missing whitelist at its line"
else tap_fail "-n names a missing whitelist at its line" "rc=$rc" "$out"; fi
out=$("$MXGUARD" -n -c "$D/absent.conf" 2>&1); rc=$?
if [ $rc = 1 ] && [ "$out" = "$D/absent.conf: cannot open: No such file or directory" ]; then
	tap_ok "-n names a missing configuration file"
else tap_fail "-n names a missing configuration file" "rc=$rc" "$out"; fi

# the whitelist as -n sees it: the daemon's own open and validation
printf '192.0.2.25 OK\n' > "$D/peers"
"$MXGUARD_WL" "$D/peers"
touch -d '2024-01-01 12:00:00' "$D/peers" "$D/peers.cdb"
printf 'Socket unix:%s/w.sock\nSyslog no\nWhitelist %s/peers.cdb\nLoopKeyFile %s/loop.key\n' "$D" "$D" "$D" > "$D/wl.conf"
out=$("$MXGUARD" -n -c "$D/wl.conf" 2>&1); rc=$?
if [ $rc = 0 ] && [ -z "$out" ]; then tap_ok "-n with a whitelist as new as its source: exit 0, no output"
else tap_fail "-n with a whitelist as new as its source: exit 0, no output" "rc=$rc" "$out"; fi
touch -d '2024-01-01 12:00:01' "$D/peers"
out=$("$MXGUARD" -n -c "$D/wl.conf" 2>&1); rc=$?
if [ $rc = 0 ] && [ "$out" = "$D/wl.conf:3: warning: Whitelist: database $D/peers.cdb is older than source file $D/peers" ]; then
	tap_ok "-n with a whitelist older than its source: one warning naming both, exit 0"
else tap_fail "-n with a whitelist older than its source: one warning naming both, exit 0" "rc=$rc" "$out"; fi
mv "$D/peers" "$D/peers.away"
out=$("$MXGUARD" -n -c "$D/wl.conf" 2>&1); rc=$?
if [ $rc = 0 ] && [ -z "$out" ]; then tap_ok "-n with no source beside the whitelist: no warning"
else tap_fail "-n with no source beside the whitelist: no warning" "rc=$rc" "$out"; fi
mv "$D/peers.away" "$D/peers"
head -c 1000 "$D/peers.cdb" > "$D/short.cdb"
printf 'Whitelist %s/short.cdb\n' "$D" > "$D/short.conf"
out=$("$MXGUARD" -n -c "$D/short.conf" 2>&1); rc=$?
if [ $rc = 1 ] && [ "$out" = "$D/short.conf:1: Whitelist $D/short.cdb: not a CDB file (truncated or corrupt)" ]; then
	tap_ok "-n names a truncated whitelist, exit 1"
else tap_fail "-n names a truncated whitelist, exit 1" "rc=$rc" "$out"; fi
cp "$D/peers.cdb" "$D/flip.cdb"
off=$(grep -obUa '192.0.2.25' "$D/flip.cdb" | head -1 | cut -d: -f1)
printf '3' | dd of="$D/flip.cdb" bs=1 seek=$((off + 9)) conv=notrunc 2>/dev/null
printf 'Whitelist %s/flip.cdb\n' "$D" > "$D/flip.conf"
out=$("$MXGUARD" -n -c "$D/flip.conf" 2>&1); rc=$?
if [ $rc = 1 ] && [ "$out" = "$D/flip.conf:1: Whitelist $D/flip.cdb: corrupt whitelist: checksum, count or prefix map does not match the header" ]; then
	tap_ok "-n names a whitelist with a changed byte, exit 1"
else tap_fail "-n names a whitelist with a changed byte, exit 1" "rc=$rc" "$out"; fi

tap_check "-p overrides Socket (bad -p value fails at start)" sh -c "! '$MXGUARD' -f -c '$D/good.conf' -p unix:/nonexistent-dir/x.sock 2>/dev/null"
tap_check "-V prints the version" sh -c "'$MXGUARD' -V | grep -q '^mxguard [0-9]'"
tap_check "-h prints usage" sh -c "'$MXGUARD' -h | grep -q '^usage: mxguard'"
out=$("$MXGUARD" -x 2>&1); rc=$?
if [ $rc = 1 ] && printf '%s' "$out" | grep -q "usage:"; then tap_ok "unknown option: usage, exit 1"
else tap_fail "unknown option: usage, exit 1" "rc=$rc" "$out"; fi

if [ "$(id -u)" = 0 ]; then
	printf 'Socket unix:%s/p.sock\nSyslog no\nUserID nobody:nogroup\nUMask 007\nPidFile %s/p.pid\n' "$D" "$D" > "$D/priv.conf"
	if mxg_start "$D/priv.conf" "$D/priv.log"; then
		uid=$(awk '/^Uid:/ {print $2 ":" $3 ":" $4 ":" $5}' "/proc/$MXG_PID/status")
		gid=$(awk '/^Gid:/ {print $2 ":" $3 ":" $4 ":" $5}' "/proc/$MXG_PID/status")
		groups=$(awk '/^Groups:/ {print $2}' "/proc/$MXG_PID/status")
		nobody=$(id -u nobody); nogroup=$(getent group nogroup | cut -d: -f3)
		tap_check "UserID: every uid is nobody after start" test "$uid" = "$nobody:$nobody:$nobody:$nobody"
		tap_check "UserID: every gid is nogroup, no supplementary root group" \
			test "$gid:$groups" = "$nogroup:$nogroup:$nogroup:$nogroup:$nogroup"
		tap_check "socket is owned by UserID" test "$(stat -c %U:%G "$D/p.sock")" = "nobody:nogroup"
		tap_check "socket mode follows UMask 007" test "$(stat -c %a "$D/p.sock")" = 770
		tap_check "pid file written with the pid, mode 644" test "$(cat "$D/p.pid"):$(stat -c %a "$D/p.pid")" = "$MXG_PID:644"
		tap_check "no root warning when UserID is set" sh -c "! grep -q 'running as root' '$D/priv.log'"
		mxg_stop
	else
		tap_fail "daemon starts with UserID nobody:nogroup" "$(cat "$D/priv.log")"
	fi
	# the pid file goes at a clean stop: SIGTERM and SIGINT, as root and as UserID
	# in a directory UserID may write; where it may not, the file stays and a line says so
	mkdir "$D/run" && chown nobody:nogroup "$D/run"
	for sig in TERM INT; do
		printf 'Socket unix:%s/q.sock\nSyslog no\nSPF no\nUserID nobody:nogroup\nPidFile %s/run/q.pid\n' "$D" "$D" > "$D/q.conf"
		: > "$D/q.log"
		if mxg_start "$D/q.conf" "$D/q.log" && [ -f "$D/run/q.pid" ]; then
			kill -"$sig" "$MXG_PID"
			mxg_stop
			tap_check "SIG$sig as UserID: the pid file is removed" test ! -e "$D/run/q.pid"
		else tap_fail "daemon starts with its pid file in a UserID directory" "$(cat "$D/q.log")"; fi
	done
	printf 'Socket unix:%s/q.sock\nSyslog no\nSPF no\nPidFile %s/q.pid\n' "$D" "$D" > "$D/q.conf"
	: > "$D/q.log"
	if mxg_start "$D/q.conf" "$D/q.log" && [ -f "$D/q.pid" ]; then
		mxg_stop
		tap_check "SIGTERM as root: the pid file is removed" test ! -e "$D/q.pid"
	else tap_fail "daemon starts with a pid file as root" "$(cat "$D/q.log")"; fi
	printf 'Socket unix:%s/q.sock\nSyslog no\nSPF no\nUserID nobody:nogroup\nPidFile %s/q.pid\n' "$D" "$D" > "$D/q.conf"
	: > "$D/q.log"
	if mxg_start "$D/q.conf" "$D/q.log"; then
		tap_check "a pid file UserID cannot remove is named at start" grep -q \
			"PidFile $D/q.pid: UserID nobody:nogroup may not write $D: the file will stay after stop" "$D/q.log"
		mxg_stop
		tap_check "... and at stop, and it stays" sh -c "grep -q 'PidFile $D/q.pid not removed: Permission denied' '$D/q.log' && test -f '$D/q.pid'"
	else tap_fail "daemon starts with a pid file only root may remove" "$(cat "$D/q.log")"; fi
	rm -f "$D/q.pid"
	ln -s /etc/passwd-not-here "$D/link.pid"
	printf 'Socket unix:%s/l.sock\nSyslog no\nPidFile %s/link.pid\n' "$D" "$D" > "$D/link.conf"
	out=$(timeout 5 "$MXGUARD" -f -c "$D/link.conf" 2>&1); rc=$?
	if [ $rc = 1 ] && printf '%s' "$out" | grep -q "PidFile $D/link.pid: Too many levels of symbolic links"; then
		tap_ok "pid file path that is a symlink is refused"
	else tap_fail "pid file path that is a symlink is refused" "rc=$rc" "$out"; fi
	printf 'Socket unix:%s/r.sock\nSyslog no\n' "$D" > "$D/root.conf"
	if mxg_start "$D/root.conf" "$D/root.log"; then
		tap_check "running as root without UserID logs a warning" grep -q "running as root: set UserID" "$D/root.log"
		mxg_stop
	else tap_fail "daemon starts as root" "$(cat "$D/root.log")"; fi
	cp "$D/peers.cdb" "$D/private.cdb" && chmod 600 "$D/private.cdb"
	printf 'Socket unix:%s/u.sock\nSyslog no\nUserID nobody:nogroup\nWhitelist %s/private.cdb\n' "$D" "$D" > "$D/private.conf"
	out=$("$MXGUARD" -n -c "$D/private.conf" 2>&1); rc=$?
	if [ $rc = 1 ] && [ "$out" = "$D/private.conf:4: Whitelist $D/private.cdb: Permission denied (as UserID nobody:nogroup)" ]; then
		tap_ok "-n as root: a whitelist UserID cannot read is an error naming it, exit 1"
	else tap_fail "-n as root: a whitelist UserID cannot read is an error naming it, exit 1" "rc=$rc" "$out"; fi
	chmod 644 "$D/private.cdb"
	tap_check "-n as root: the same whitelist readable by UserID passes" "$MXGUARD" -n -c "$D/private.conf"
	# the key as UserID sees it: -k as root gives it to UserID; -n checks UserID can read it
	printf 'Syslog no\nUserID nobody:nogroup\nLoopKeyFile %s/nobody.key\n' "$D" > "$D/nobody.conf"
	out=$("$MXGUARD" -k -c "$D/nobody.conf" 2>&1); rc=$?
	if [ $rc = 0 ] && [ "$(stat -c %U:%G:%a "$D/nobody.key" 2>&1)" = nobody:nogroup:600 ] &&
		printf '%s' "$out" | grep -q "owner nobody:nogroup;"; then
		tap_ok "-k as root: the key belongs to UserID, mode 0600"
	else tap_fail "-k as root: the key belongs to UserID, mode 0600" "rc=$rc" "$out" "$(ls -l "$D/nobody.key")"; fi
	tap_check "-n as root: a key UserID owns passes, no output" test -z "$("$MXGUARD" -n -c "$D/nobody.conf" 2>&1)"
	chown root:root "$D/nobody.key"
	out=$("$MXGUARD" -n -c "$D/nobody.conf" 2>&1); rc=$?
	if [ $rc = 1 ] && [ "$out" = "$D/nobody.conf:3: LoopKeyFile $D/nobody.key: Permission denied (as UserID nobody:nogroup)" ]; then
		tap_ok "-n as root: a key UserID cannot read is an error naming it, exit 1"
	else tap_fail "-n as root: a key UserID cannot read is an error naming it, exit 1" "rc=$rc" "$out"; fi
	printf 'Socket unix:%s/k.sock\n' "$D" >> "$D/nobody.conf"
	if mxg_start "$D/nobody.conf" "$D/nobody.log"; then
		tap_check "daemon warns at start when UserID cannot read the key" \
			grep -q "LoopKeyFile $D/nobody.key: Permission denied as UserID nobody:nogroup: a reload (SIGUSR1) will fail" "$D/nobody.log"
		tap_check "daemon names the key id at start" \
			grep -Eq "loop pass marks: key id [0-9a-f]{8} from $D/nobody.key" "$D/nobody.log"
		mxg_stop
	else tap_fail "daemon starts with a key only root can read" "$(cat "$D/nobody.log")"; fi
	chmod 600 "$D/private.cdb"
	if mxg_start "$D/private.conf" "$D/private.log"; then
		tap_check "daemon warns at start when UserID cannot read the whitelist" \
			grep -q "whitelist $D/private.cdb: Permission denied as UserID nobody:nogroup" "$D/private.log"
		mxg_stop
	else tap_fail "daemon starts with a whitelist only root can read" "$(cat "$D/private.log")"; fi
else
	echo "# not root: privilege tests need root"
	tap_fail "privilege tests need root (run the suite as root, as CI does)"
fi

# the daemon logs the stale warning at start and at every reload (SIGUSR1)
# wait_count FILE REGEX N - poll until REGEX matches N lines
wait_count() {
	local i=0
	while [ "$(grep -Ec -- "$2" "$1")" -lt "$3" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	[ "$(grep -Ec -- "$2" "$1")" -ge "$3" ]
}
stale="whitelist: database $D/peers.cdb is older than source file $D/peers"
touch -d '2024-01-01 12:00:00' "$D/peers.cdb"; touch -d '2024-01-01 12:00:01' "$D/peers"
if mxg_start "$D/wl.conf" "$D/wl.log"; then
	tap_check "daemon logs the stale warning at start" grep -qF "$stale" "$D/wl.log"
	"$MXGUARD_WL" "$D/peers"
	kill -USR1 "$MXG_PID"
	if wait_count "$D/wl.log" "configuration .* reloaded" 1; then
		tap_check "reload of a recompiled whitelist: no new warning" test "$(grep -cF "$stale" "$D/wl.log")" = 1
	else tap_fail "reload of a recompiled whitelist: no new warning" "no reload logged" "$(cat "$D/wl.log")"; fi
	touch -d '2024-01-01 12:00:00' "$D/peers.cdb"
	kill -USR1 "$MXG_PID"
	if wait_count "$D/wl.log" "configuration .* reloaded" 2; then
		tap_check "reload of a stale whitelist logs the warning" test "$(grep -cF "$stale" "$D/wl.log")" = 2
	else tap_fail "reload of a stale whitelist logs the warning" "no reload logged" "$(cat "$D/wl.log")"; fi
	mxg_stop
else tap_fail "daemon starts with a stale whitelist" "$(cat "$D/wl.log")"; fi
if mxg_start "$D/nokey.conf" "$D/nokey.log"; then
	tap_check "daemon warns at start when there is no loop key" \
		grep -q "LoopKeyFile $D/none.key: No such file or directory: no loop pass marks" "$D/nokey.log"
	mxg_stop
else tap_fail "daemon starts without a loop key" "$(cat "$D/nokey.log")"; fi
# SIGUSR1 from the moment the socket exists: never the default action (exit),
# never a reload before the first configuration is published (NULL snapshot)
printf 'Socket unix:%s/e.sock\nSyslog no\nSPF no\n' "$D" > "$D/early.conf"
early_ok=0
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	rm -f "$D/e.sock"; : > "$D/early.log"
	${MXG_WRAP:-} "$MXGUARD" -f -c "$D/early.conf" 2>>"$D/early.log" & pid=$!
	end=$((SECONDS + 60)); while [ ! -S "$D/e.sock" ] && [ $SECONDS -lt $end ]; do :; done   # no sleep: the window is short
	n=0; while [ $n -lt 300 ] && kill -USR1 "$pid" 2>/dev/null; do n=$((n + 1)); done
	if wait_match "$D/early.log" "configuration $D/early.conf reloaded" 20 && kill -0 "$pid" 2>/dev/null; then
		early_ok=$((early_ok + 1))
	else
		kill -KILL "$pid" 2>/dev/null; wait "$pid"; rc=$?
		tap_fail "SIGUSR1 at start-up: the daemon lives and reloads" "start $i: exit $rc" "$(cat "$D/early.log")"
		break
	fi
	kill -KILL "$pid"; wait "$pid" 2>/dev/null
done
[ $early_ok = 12 ] && tap_ok "SIGUSR1 burst from the socket's appearance, 12 starts: alive, reloaded each time"

# Syslog and SyslogFacility are taken at start only: a reload that changes them says so
printf 'Socket unix:%s/g.sock\nSyslog no\nSPF no\n' "$D" > "$D/sl.conf"
if mxg_start "$D/sl.conf" "$D/sl.log"; then
	printf 'Socket unix:%s/g.sock\nSyslog yes\nSyslogFacility local3\nSPF no\n' "$D" > "$D/sl.conf"
	kill -USR1 "$MXG_PID"
	tap_check "reload changing Syslog and SyslogFacility warns that they need a restart" \
		wait_match "$D/sl.log" "Syslog, SyslogFacility: changes take effect at the next restart" 10
	printf 'Socket unix:%s/x.sock\nSyslog yes\nSyslogFacility local3\nSPF no\n' "$D" > "$D/sl.conf"
	kill -USR1 "$MXG_PID"
	tap_check "reload changing Socket only names Socket" \
		wait_match "$D/sl.log" ": Socket: changes take effect at the next restart" 10
	mxg_stop
else tap_fail "daemon starts with Syslog no" "$(cat "$D/sl.log")"; fi

# -f under systemd: stderr that is the journal ($JOURNAL_STREAM) gets no copy when Syslog is on
printf 'Socket unix:%s/j.sock\nSyslog yes\nSPF no\n' "$D" > "$D/j.conf"
journal_run() {    # journal_run ERRFILE [JOURNAL_STREAM value]: start, wait for the socket, stop
	local pid i=0
	rm -f "$D/j.sock"
	env ${2:+JOURNAL_STREAM=$2} "$MXGUARD" -f -c "$D/j.conf" 2>>"$1" & pid=$!
	while [ ! -S "$D/j.sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	kill -TERM "$pid"; wait "$pid"
}
: > "$D/j1.err"; journal_run "$D/j1.err" "$(stat -c %d:%i "$D/j1.err")"
tap_check "-f with stderr as the journal and Syslog yes: no second copy on stderr" \
	sh -c "! grep -q 'starting' '$D/j1.err'"
: > "$D/j2.err"; journal_run "$D/j2.err" "1:2"
tap_check "-f with JOURNAL_STREAM naming another stream: lines on stderr" grep -q 'starting' "$D/j2.err"

tap_done
