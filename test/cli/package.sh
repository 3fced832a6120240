#!/bin/bash
# cli/package.sh - the Debian package, as an administrator meets it.
#
# Builds the .deb with dpkg-buildpackage from a clean copy of the source
# (make distdir: what the tarball holds, not this configured tree), checks
# its contents, installs it, and checks the system user, the conffile and
# the unit (systemd-analyze verify). With no systemd PID 1 here, it then
# plays systemd: starts ExecStartPre and ExecStart exactly as the installed
# unit says, as root, in the unit's RuntimeDirectory, Group,
# CapabilityBoundingSet, NoNewPrivileges and LimitNOFILE, under strace, and
# checks the daemon runs as mxguard, its socket in /run/mxguard admits
# the group mxguard and nobody else, it answers a milter session, ExecReload
# reloads (and refuses a broken configuration), every system call it made
# and every socket family it opened is one the unit's filters allow, and
# SIGTERM stops it cleanly; then once more with README.Debian's socket for
# a chrooted Postfix (/var/spool/postfix/mxguard). Last, dpkg --purge:
# nothing running, nothing left; and a purge keeps the account while a file
# in /etc/mxguard is still its own. Runs in a private network and mount
# namespace (a private /run); a lock keeps two runs on one machine apart.
# Needs root and the packages in contrib/debian-packages, and refuses to
# touch an mxguard package, account or /etc/mxguard it did not make; a
# missing tool is a failure, not a skip.
set -u
. "$(dirname "$0")/../e2e/lib.sh"
if [ -z "${MXG_IN_NS:-}" ]; then
	exec 9>/tmp/mxguard-package-test.lock
	flock -w 1200 9 || e2e_die "another package test holds /tmp/mxguard-package-test.lock"
fi
e2e_enter_ns "$@"
mount -t tmpfs -o mode=0755 tmpfs /run || e2e_die "cannot mount a private /run"
UNIT=/lib/systemd/system/mxguard.service
CONF=/etc/mxguard/mxguard.conf
INSTALLED=
DPID=
MADE_SPOOL=

for t in dpkg-buildpackage dh strace setpriv prlimit miltertest systemd-analyze; do
	command -v "$t" >/dev/null || e2e_die "$t not installed (apt-get install \$(cat contrib/debian-packages))"
done
if dpkg-query -W -f='${Status}' mxguard 2>/dev/null | grep -q installed ||
	getent passwd mxguard >/dev/null || getent group mxguard >/dev/null || [ -e /etc/mxguard ]; then
	e2e_die "the mxguard package, user, group or /etc/mxguard exists already; this test installs and purges its own (dpkg --purge mxguard; deluser --system mxguard; delgroup --system mxguard)"
fi
# our own work directory, apart from the e2e ones others' runs share a name with
D=$(mktemp -d /tmp/mxguard-pkgtest.XXXXXX) || e2e_die "mktemp failed"
chmod 755 "$D"
LOG=$D/daemon.log

# dpkg_run ARGS... - dpkg, waiting (bounded) while another dpkg holds the lock
dpkg_run() {
	local i out rc
	for i in $(seq 300); do
		out=$(dpkg "$@" 2>&1); rc=$?
		printf '%s\n' "$out" >>"$D/dpkg.log"
		[ "$rc" -ne 0 ] && printf '%s' "$out" | grep -Eq 'lock was locked|is locked by another' ||
			return "$rc"
		sleep 1
	done
	return 1
}

cleanup() {
	local rc=$?
	[ -n "$DPID" ] && kill -KILL "$DPID" 2>/dev/null
	[ -n "$MADE_SPOOL" ] && rm -rf /var/spool/postfix/mxguard
	[ -n "$INSTALLED" ] && dpkg_run --purge mxguard >/dev/null 2>&1
	# none of these existed when the test began (checked above): all ours
	rm -rf /etc/mxguard
	getent passwd mxguard >/dev/null && deluser --system --quiet mxguard >/dev/null 2>&1
	getent group mxguard >/dev/null && delgroup --system --quiet mxguard >/dev/null 2>&1
	if [ "${KEEP:-0}" = 1 ]; then echo "# KEEP=1: package test files left in $D"; else rm -rf "$D"; fi
	(exit "$rc"); e2e_cleanup
}
trap cleanup EXIT

# unit_values KEY - every value of KEY= in the installed unit, one a line
unit_values() { sed -n "s/^$1=//p" "$UNIT"; }
unit_value() { unit_values "$1" | tail -n 1; }

# unit_run LINE - run one Exec line as systemd would: $MAINPID replaced,
# with the unit's credentials and limits (as_unit) unless the line has the
# "+" prefix (full privileges); our unit quotes nothing
unit_run() {
	local -a argv
	local prefix
	read -ra argv <<<"${1//\$MAINPID/$DPID}"
	prefix=${argv[0]%%/*}
	argv[0]=${argv[0]#"$prefix"}
	case $prefix in
	*+*) "${argv[@]}" ;;
	*) as_unit "${argv[@]}" ;;
	esac
}

# ---------------------------------------------------------------- build
ver=$(sed -n 's/^PACKAGE_VERSION = //p' "$MXG_TOP_BUILDDIR/Makefile")
SRC=$D/mxguard-$ver
if ! make -s -C "$MXG_TOP_BUILDDIR" distdir distdir="$SRC" >"$D/distdir.log" 2>&1; then
	tap_fail "make distdir: a clean copy of the source" "$(tail -20 "$D/distdir.log")"
	tap_done; exit
fi
ln -s contrib/debian "$SRC/debian"
# not make check's jobserver and flags: the package build is a build of its own
if (cd "$SRC" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL DEB_BUILD_OPTIONS=parallel=2 \
	dpkg-buildpackage -b -us -uc) >"$D/build.log" 2>&1; then
	tap_ok "dpkg-buildpackage -b -us -uc builds from a clean copy"
else
	tap_fail "dpkg-buildpackage -b -us -uc builds from a clean copy" "$(tail -30 "$D/build.log")"
	tap_done; exit
fi
DEB=$(ls "$D"/mxguard_*_*.deb 2>/dev/null | head -n 1)
tap_is "package version follows the source (mxguard -V)" "$ver" \
	sh -c "dpkg-deb -f '$DEB' Version | sed 's/-[^-]*\$//'"
dpkg-deb -c "$DEB" | awk '{print $6}' | sed 's|^\./|/|' >"$D/contents"
for f in /usr/sbin/mxguard /usr/sbin/mxguard-wl /usr/share/man/man8/mxguard.8.gz \
	/usr/share/man/man8/mxguard-wl.8.gz /usr/share/man/man5/mxguard.conf.5.gz \
	"$CONF" "$UNIT" /usr/share/doc/mxguard/README.Debian \
	/usr/share/doc/mxguard/examples/postfix-main.cf /usr/share/doc/mxguard/examples/sendmail.mc; do
	tap_check "package ships $f" grep -qx "$f" "$D/contents"
done
tap_is "$CONF is the one conffile" "$CONF" sh -c "dpkg-deb --ctrl-tarfile '$DEB' | tar -xOf - ./conffiles"
# no systemd here to see it start: the maintainer scripts must ask for it
tap_check "postinst enables and starts mxguard.service, prerm stops it" sh -c \
	"dpkg-deb --ctrl-tarfile '$DEB' | tar -xOf - ./postinst | grep -q \"deb-systemd-helper enable 'mxguard.service'\" &&
	dpkg-deb --ctrl-tarfile '$DEB' | tar -xOf - ./postinst | grep -q \"deb-systemd-invoke .* 'mxguard.service'\" &&
	dpkg-deb --ctrl-tarfile '$DEB' | tar -xOf - ./prerm | grep -q \"deb-systemd-invoke stop 'mxguard.service'\""
tap_check "depends on adduser and the libraries" sh -c \
	"dpkg-deb -f '$DEB' Depends | grep -q 'adduser' && dpkg-deb -f '$DEB' Depends | grep -q libmilter"
if command -v lintian >/dev/null; then
	# the Debian maintainer address is postmaster@localhost (control,
	# changelog) until the project has a mail domain: README.md "Reporting bugs"
	out=$(lintian --suppress-tags bogus-mail-host,bogus-mail-host-in-debian-changelog "$DEB" 2>&1 | grep '^E:')
	tap_is "lintian finds no errors" "" printf '%s' "$out"
fi

# ---------------------------------------------------------------- install
if dpkg_run -i "$DEB"; then
	INSTALLED=1
	tap_ok "dpkg -i installs the package"
else
	tap_fail "dpkg -i installs the package" "$(tail -20 "$D/dpkg.log")"
	tap_done; exit
fi
pw=$(getent passwd mxguard)
uid=$(printf '%s' "$pw" | cut -d: -f3); gid=$(getent group mxguard | cut -d: -f3)
tap_check "postinst created the system user mxguard (uid < 1000, no login)" sh -c \
	"[ -n '$uid' ] && [ '$uid' -lt 1000 ] && [ '$(printf '%s' "$pw" | cut -d: -f7)' = /usr/sbin/nologin ]"
KEY=/etc/mxguard/loop.key
tap_is "postinst made the loop key: mxguard:mxguard, mode 600, 32 bytes" "mxguard:mxguard:600:32" \
	stat -c %U:%G:%a:%s "$KEY"
cp -p "$KEY" "$D/key.first" 2>/dev/null
if dpkg_run -i "$DEB" && [ "$(id -u mxguard)" = "$uid" ]; then
	tap_ok "installing it again keeps the user"
else tap_fail "installing it again keeps the user" "$(tail -20 "$D/dpkg.log")"; fi
tap_check "installing it again keeps the loop key" cmp -s "$KEY" "$D/key.first"
tap_check "its primary group is mxguard" test -n "$gid" -a "$(printf '%s' "$pw" | cut -d: -f4)" = "$gid"
tap_check "dpkg knows $CONF as a conffile" sh -c "dpkg-query -W -f='\${Conffiles}' mxguard | grep -q ' $CONF '"
tap_check "the packaged configuration drops root for mxguard:mxguard" grep -Eq '^UserID +mxguard:mxguard$' "$CONF"
out=$(/usr/sbin/mxguard -n 2>&1); rc=$?
tap_is "the packaged configuration is valid out of the box (mxguard -n)" "0:" echo "$rc:$out"
tap_check "the unit is enabled for boot" test -L /etc/systemd/system/multi-user.target.wants/mxguard.service
out=$(systemd-analyze verify "$UNIT" 2>&1); rc=$?
tap_is "systemd-analyze verify: no complaint" "0:" echo "$rc:$out"
tap_is "unit: Type=simple, -f" "simple:/usr/sbin/mxguard -f" echo "$(unit_value Type):$(unit_value ExecStart)"
tap_check "unit: the hardening the issue asks for" sh -c "grep -qx 'ProtectSystem=strict' '$UNIT' &&
	grep -qx 'NoNewPrivileges=yes' '$UNIT' && grep -qx 'PrivateTmp=yes' '$UNIT' &&
	grep -qx 'SystemCallFilter=@system-service' '$UNIT' && grep -qx 'RuntimeDirectory=mxguard' '$UNIT'"
tap_check "unit: a generous LimitNOFILE" test "$(unit_value LimitNOFILE)" -ge 16384

# ---------------------------------------------------------------- start
# what systemd does before ExecStart: the runtime directory, owned by the
# unit's user (root) and Group, with RuntimeDirectoryMode
group=$(unit_value Group)
rdir=/run/$(unit_value RuntimeDirectory)
install -d -o root -g "$group" -m "$(unit_value RuntimeDirectoryMode)" "$rdir"
caps=$(unit_value CapabilityBoundingSet | tr '[:upper:]' '[:lower:]' | sed 's/cap_/+/g; s/ /,/g')
nofile=$(unit_value LimitNOFILE)
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt "$nofile" ]; then
	# systemd raises it; a container without CAP_SYS_RESOURCE cannot
	echo "# hard limit $hard here is below LimitNOFILE=$nofile and cannot be raised: using $hard"
	nofile=$hard
fi
nnp=; [ "$(unit_value NoNewPrivileges)" = yes ] && nnp=--no-new-privs
# as_unit CMD... - CMD with the unit's credentials and limits, as root
as_unit() {
	# shellcheck disable=SC2086
	prlimit --nofile="$nofile:$nofile" setpriv --regid="$group" --clear-groups \
		--bounding-set=-all,"$caps" --inh-caps=-all $nnp "$@"
}
ok=1
while IFS= read -r line; do
	out=$(unit_run "$line" 2>&1) ||
		{ ok=; tap_fail "ExecStartPre succeeds: $line" "$out"; }
done < <(unit_values ExecStartPre)
[ -n "$ok" ] && tap_ok "ExecStartPre succeeds"
read -ra start <<<"$(unit_value ExecStart)"
as_unit strace -f -qq -o "$D/strace" "${start[@]}" 2>"$LOG" &
SPID=$!
if wait_match "$LOG" 'mxguard .* starting' 30; then
	tap_ok "ExecStart starts the daemon"
else
	tap_fail "ExecStart starts the daemon" "$(cat "$LOG")"
	tap_done; exit
fi
DPID=$(sed -n 's/.* mxguard\[\([0-9]*\)\]: mxguard .* starting.*/\1/p' "$LOG" | head -n 1)
st=/proc/$DPID/status
tap_is "it runs as mxguard: every uid" "$uid $uid $uid $uid" awk '/^Uid:/ {print $2, $3, $4, $5}' "$st"
tap_is "every gid is mxguard, no other group" "$gid $gid $gid $gid:$gid" \
	sh -c "echo \"\$(awk '/^Gid:/ {print \$2, \$3, \$4, \$5}' $st):\$(awk '/^Groups:/ {print \$2}' $st)\""
tap_is "no capability left after the drop" "0000000000000000" awk '/^CapEff:/ {print $2}' "$st"
tap_is "LimitNOFILE applies" "$nofile" awk '/^Max open files/ {print $4}' "/proc/$DPID/limits"
tap_is "$rdir is root:mxguard 750" "root:mxguard:750" stat -c %U:%G:%a "$rdir"
tap_is "the socket is in $rdir, mxguard:mxguard 770" "mxguard:mxguard:770:socket" \
	stat -c %U:%G:%a:%F "$rdir/mxguard.sock"
tap_check "no root warning (UserID is set)" sh -c "! grep -q 'running as root' '$LOG'"
tap_check "it reads the packaged loop key" grep -Eq "loop pass marks: key id [0-9a-f]{8} from $KEY" "$LOG"

# ---------------------------------------------------------------- milter
cp "$MXG_TOP_SRCDIR/test/proto/session.lua" "$D/"
printf 'if mt.connect(os.getenv("S"), 1, 0) == nil then error("refused") end\n' >"$D/connect.lua"
chmod 644 "$D"/*.lua
# session - one milter session from a trusted client, as nobody in group mxguard
session() {
	env MXG_SOCK="unix:${MXG_SOCK_PATH:-$rdir/mxguard.sock}" IP="${IP:-127.0.0.1}" FROM="<a@b.test>" RCPT="<u@example.com>" \
		setpriv --reuid=nobody --regid="$group" --clear-groups miltertest -s "$D/session.lua"
}
n0=$(wc -l <"$LOG")
out=$(session 2>&1); rc=$?
if [ $rc = 0 ] && wait_match "$LOG" 'action=accept reason=trusted client=127.0.0.1' 10; then
	tap_ok "it answers a milter session from a member of the group mxguard"
else tap_fail "it answers a milter session from a member of the group mxguard" "$out" "$(tail -n +"$n0" "$LOG")"; fi
out=$(S="unix:$rdir/mxguard.sock" setpriv --reuid=nobody --regid=nogroup --clear-groups \
	miltertest -s "$D/connect.lua" 2>&1); rc=$?
tap_check "a user outside the group cannot reach the socket" test "$rc" != 0
# an untrusted client: SPF runs, its DNS fails at once in this namespace
n0=$(wc -l <"$LOG")
out=$(IP=192.0.2.200 session 2>&1); rc=$?
if [ $rc = 0 ] && wait_match "$LOG" 'action=accept .*client=192\.0\.2\.200' 10; then
	tap_ok "it checks an untrusted client (DNS failing: accept)"
else tap_fail "it checks an untrusted client (DNS failing: accept)" "$out" "$(tail -n +"$n0" "$LOG")"; fi

# ---------------------------------------------------------------- reload
# reload - every ExecReload line in order, as systemd: the first failure ends it
reload() {
	local line
	while IFS= read -r line; do
		unit_run "$line" || return 1
	done < <(unit_values ExecReload)
}
n0=$(wc -l <"$LOG")
if out=$(reload 2>&1) && wait_match "$LOG" "configuration $CONF reloaded" 10; then
	tap_ok "ExecReload reloads the configuration"
else tap_fail "ExecReload reloads the configuration" "$out" "$(tail -n +"$n0" "$LOG")"; fi
cp -p "$CONF" "$D/conf.orig"
echo 'Frobnicate yes' >>"$CONF"
out=$(reload 2>&1); rc=$?
if [ $rc != 0 ] && printf '%s' "$out" | grep -q "$CONF:[0-9]*: unknown key"; then
	tap_ok "ExecReload refuses a broken configuration with FILE:LINE"
else tap_fail "ExecReload refuses a broken configuration with FILE:LINE" "rc=$rc" "$out"; fi
n0=$(wc -l <"$LOG")
kill -USR1 "$DPID"
if wait_match "$LOG" 'keeping the running configuration' 10 && kill -0 "$DPID"; then
	tap_ok "SIGUSR1 with a broken configuration keeps the running one"
else tap_fail "SIGUSR1 with a broken configuration keeps the running one" "$(tail -n +"$n0" "$LOG")"; fi
cp -p "$D/conf.orig" "$CONF"
out=$(session 2>&1)
tap_check "still answering after the failed reload" test $? = 0

# ---------------------------------------------------------------- stop
n0=$(wc -l <"$LOG")
kill -TERM "$DPID"
i=0
while kill -0 "$SPID" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 "$SPID" 2>/dev/null; then
	tap_fail "SIGTERM stops it within 30 s" "$(tail -n +"$n0" "$LOG")"
else
	wait "$SPID"; rc=$?
	tap_is "SIGTERM stops it cleanly: exit 0, 'stopping' logged" "0:1" \
		echo "$rc:$(grep -c 'mxguard stopping' "$LOG")"
	DPID=
fi

# ---------------------------------------------------------------- chroot
# README.Debian's socket for a chrooted Postfix: in the queue directory, in a
# directory owned by mxguard (root needs the unit's CAP_DAC_OVERRIDE there)
SPOOL=/var/spool/postfix
if [ ! -d "$SPOOL" ] || [ -e "$SPOOL/mxguard" ]; then
	tap_fail "a $SPOOL without mxguard/ for the chroot socket (postfix installed, nothing left from before)"
else
	install -d -o mxguard -g mxguard -m 0750 "$SPOOL/mxguard"
	MADE_SPOOL=1
	sed -i "s|^#Socket .*|Socket unix:$SPOOL/mxguard/mxguard.sock|" "$CONF"
	as_unit "${start[@]}" 2>"$LOG.2" &
	SPID=$!
	if wait_match "$LOG.2" 'mxguard .* starting' 30; then
		DPID=$(sed -n 's/.* mxguard\[\([0-9]*\)\]: mxguard .* starting.*/\1/p' "$LOG.2" | head -n 1)
		out=$(MXG_SOCK_PATH=$SPOOL/mxguard/mxguard.sock session 2>&1); rc=$?
		tap_is "the socket in $SPOOL/mxguard is mxguard:mxguard 770 and answers" "0:mxguard:mxguard:770" \
			echo "$rc:$(stat -c %U:%G:%a "$SPOOL/mxguard/mxguard.sock" 2>&1)"
		kill -TERM "$DPID"
		i=0
		while kill -0 "$SPID" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
		kill -0 "$SPID" 2>/dev/null || DPID=
	else
		tap_fail "it starts with the socket in $SPOOL/mxguard" "$(cat "$LOG.2")"
	fi
	cp -p "$D/conf.orig" "$CONF"
	rm -rf "$SPOOL/mxguard"; MADE_SPOOL=
fi

# ---------------------------------------------------------------- sandbox
# expand NAME... - system calls of the @groups and names given, one a line
expand() {
	systemd-analyze syscall-filter | awk -v want="$*" '
		/^@/ { g = $1; next }
		/^ *[@a-z_0-9]/ && g != "" { m[g] = m[g] " " $1 }
		function out(n,   k, a, i) {
			if (n !~ /^@/) { print n; return }
			if (seen[n]++) return
			k = split(m[n], a, " ")
			for (i = 1; i <= k; i++) out(a[i])
		}
		END { k = split(want, w, " "); for (i = 1; i <= k; i++) out(w[i]) }' | sort -u
}
allow=$(unit_values SystemCallFilter | grep -v '^~' | tr '\n' ' ')
deny=$(unit_values SystemCallFilter | sed -n 's/^~//p' | tr '\n' ' ')
[ "$(unit_value ProtectClock)" = yes ] && deny="$deny @clock"
[ "$(unit_value ProtectKernelModules)" = yes ] && deny="$deny @module"
[ "$(unit_value PrivateDevices)" = yes ] && deny="$deny @raw-io"
# shellcheck disable=SC2086
expand $allow >"$D/allow"
# shellcheck disable=SC2086
expand $deny >"$D/deny"
# the daemon's calls: everything after strace's child became mxguard
awk '/execve\("\/usr\/sbin\/mxguard"/ { on = 1 } on' "$D/strace" |
	sed -nE 's/^[0-9]+ +([a-z_0-9]+)\(.*/\1/p' | sort -u >"$D/used"
tap_check "strace saw the daemon's system calls" test "$(wc -l <"$D/used")" -gt 20
bad=$(comm -23 "$D/used" "$D/allow"; comm -12 "$D/used" "$D/deny")
tap_is "every system call it made passes the unit's SystemCallFilter" "" echo "$bad"
fams=$(sed -nE 's/.*socket\((AF_[A-Z0-9]+),.*/\1/p' "$D/strace" | sort -u | tr '\n' ' ')
bad=
for f in $fams; do
	unit_value RestrictAddressFamilies | tr ' ' '\n' | grep -qx "$f" || bad="$bad $f"
done
tap_is "every socket family it opened ($fams) is in RestrictAddressFamilies" "" echo "$bad"

# ---------------------------------------------------------------- purge
if dpkg_run --purge mxguard; then
	INSTALLED=
	tap_ok "dpkg --purge succeeds"
else tap_fail "dpkg --purge succeeds" "$(tail -20 "$D/dpkg.log")"; fi
# running - processes whose program is (or was) /usr/sbin/mxguard, or of uid $uid
running() {
	local p
	for p in /proc/[0-9]*; do
		case $(readlink "$p/exe" 2>/dev/null) in
		/usr/sbin/mxguard*) echo "$p: $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)" ;;
		esac
		awk -v u="$uid" -v p="$p" '/^Uid:/ && $2 == u {print p ": uid " u}' "$p/status" 2>/dev/null
	done
}
tap_is "nothing of mxguard is left running" "" running
tap_check "the user and group mxguard are gone" sh -c "! getent passwd mxguard && ! getent group mxguard"
for f in "$CONF" "$KEY" /etc/mxguard "$UNIT" /etc/systemd/system/multi-user.target.wants/mxguard.service \
	/usr/sbin/mxguard "$rdir"; do
	tap_check "purged: $f" test ! -e "$f"
done

# a purge leaves the account alone while files in /etc/mxguard belong to it
if dpkg_run -i "$DEB"; then
	INSTALLED=1
	printf '192.0.2.25 OK\n' >/etc/mxguard/whitelist
	chown mxguard:mxguard /etc/mxguard/whitelist
	if dpkg_run --purge mxguard; then INSTALLED=; fi
	tap_check "purge keeps the user and group while /etc/mxguard/whitelist is theirs" sh -c \
		"[ -z '$INSTALLED' ] && getent passwd mxguard && getent group mxguard &&
		grep -q 'keeping the mxguard user and group: /etc/mxguard/whitelist' '$D/dpkg.log'"
else tap_fail "dpkg -i installs the package again" "$(tail -20 "$D/dpkg.log")"; fi
tap_done
