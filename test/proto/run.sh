#!/bin/bash
# proto/run.sh - drive the real daemon through the libmilter protocol with
# miltertest (session.lua) and check every reply and every decision line.
set -u
. "$(dirname "$0")/lib.sh"

cat > "$D/wl" <<'WL'
192.0.2.0/24          OK
203.0.113.7           RELAY
2001:db8:1::/48       OK
backup.example.net    OK
.example.org          OK
WL
"$MXGUARD_WL" "$D/wl" || { echo "not ok 1 - compile whitelist"; exit 1; }
# write_conf TRUSTED [more lines]
write_conf() {
	local trusted=$1; shift
	cat > "$D/mxguard.conf" <<CONF
Socket unix:$D/mxguard.sock
Syslog no
LogLevel info
PidFile $D/mxguard.pid
Whitelist $D/wl.cdb
TrustedNetworks $trusted
SPF no
$*
CONF
}
write_conf 10.0.0.0/8
mxg_start "$D/mxguard.conf" "$LOG" || exit 1


session "whitelisted IPv4 peer: reason=whitelist with the CIDR entry and queue id" \
	'ABC123DEF: action=accept reason=whitelist client=192\.0\.2\.25 name=unknown entry=192\.0\.2\.0/24 list=OK helo=client\.test from=<sender@example\.net> rcpt=<user@example\.com> received=0 passes=1$' \
	IP=192.0.2.25 QID=ABC123DEF
session "plain client: reason=clean" \
	'action=accept reason=clean client=198\.51\.100\.9 name=mail\.example\.com helo=' \
	IP=198.51.100.9 HOST=mail.example.com
session "TrustedNetworks client: reason=trusted" \
	'action=accept reason=trusted client=10\.1\.2\.3 ' IP=10.1.2.3
session "SASL-authenticated client: reason=authenticated" \
	'action=accept reason=authenticated client=198\.51\.100\.10 ' IP=198.51.100.10 AUTH=alice
session "forward-confirmed host name entry matches" \
	'reason=whitelist client=198\.51\.100\.11 name=backup\.example\.net entry=backup\.example\.net list=OK' \
	IP=198.51.100.11 HOST=backup.example.net
session "host name matched in any case" \
	'reason=whitelist client=198\.51\.100\.11 name=BACKUP\.Example\.NET entry=backup\.example\.net' \
	IP=198.51.100.11 HOST=BACKUP.Example.NET
session ".domain entry matches a name below it" \
	'reason=whitelist client=198\.51\.100\.12 name=mx2\.example\.org entry=\.example\.org' \
	IP=198.51.100.12 HOST=mx2.example.org
session "name Sendmail marks FORGED is not matched" \
	'reason=clean client=198\.51\.100\.13 name=backup\.example\.net ' \
	IP=198.51.100.13 HOST=backup.example.net RESOLVE=FORGED
session "Sendmail's bracketed unresolved name is not matched" \
	'reason=clean client=198\.51\.100\.14 name=unknown ' \
	IP=198.51.100.14 'HOST=[198.51.100.14]'
session "IPv6 client in a whitelisted /48" \
	'reason=whitelist client=2001:db8:1::25 name=unknown entry=2001:db8:1::/48' IP=2001:db8:1::25
session "IPv6 client outside it is clean" \
	'reason=clean client=2001:db8:2::25 ' IP=2001:db8:2::25
session "RELAY entry is logged with its kind" \
	'reason=whitelist client=203\.0\.113\.7 name=unknown entry=203\.0\.113\.7 list=RELAY' IP=203.0.113.7
session "hostile HELO is quoted, escaped and cut" \
	'reason=clean client=198\.51\.100\.15 name=unknown helo="evil\\x22\\x0d\\x0a\\x5c \\x01evil.*\.\.\." from=' \
	IP=198.51.100.15 HOSTILE_HELO=1
line=$(grep 'client=198.51.100.15 ' "$LOG")
if [ -n "$line" ] && [ ${#line} -lt 2300 ] && [ "$(printf '%s' "$line" | tr -d '[:print:]' | wc -c)" -eq 0 ]; then
	tap_ok "hostile HELO line is bounded (${#line} bytes) and printable"
else
	tap_fail "hostile HELO line is bounded and printable" "${#line} bytes"
fi

# hot reload of the whitelist, with a session in flight across the swap
printf '198.51.100.0/24 OK\n' > "$D/wl"
session "session in flight across a whitelist swap keeps its classification" \
	'reason=clean client=198\.51\.100\.20 ' IP=198.51.100.20 \
	"MIDWAY=$MXGUARD_WL $D/wl && sleep 1.5"
session "replaced CDB is picked up without restart" \
	'reason=whitelist client=198\.51\.100\.21 name=unknown entry=198\.51\.100\.0/24' IP=198.51.100.21
tap_check "reload is logged" grep -q "whitelist $D/wl.cdb reloaded: 1 entries" "$LOG"
head -c 1500 "$D/wl.cdb" > "$D/wl.cut" && mv "$D/wl.cut" "$D/wl.cdb"
sleep 1.2
session "truncated CDB is refused and the previous data kept" \
	'reason=whitelist client=198\.51\.100\.22 name=unknown entry=198\.51\.100\.0/24' IP=198.51.100.22
tap_check "refusal of the truncated CDB is logged" \
	grep -Eq "whitelist $D/wl.cdb: not a CDB file \(truncated or corrupt\); keeping the 1 entries" "$LOG"
"$MXGUARD_WL" "$D/wl"

# the CDB rewritten in place (cp over it: same inode, truncated, half
# written, garbage): the loaded entries are a copy and stay, the daemon lives
sleep 1.2
session "recompiled CDB is picked up" \
	'reason=whitelist client=198\.51\.100\.23 name=unknown entry=198\.51\.100\.0/24' IP=198.51.100.23
ino=$(stat -c %i "$D/wl.cdb")
cp "$D/wl.cdb" "$D/wl.full"
: > "$D/wl.cdb"
sleep 1.2
session "CDB truncated in place: the entries loaded before still classify" \
	'reason=whitelist client=198\.51\.100\.24 name=unknown entry=198\.51\.100\.0/24' IP=198.51.100.24
head -c 1500 "$D/wl.full" > "$D/wl.cdb"
sleep 1.2
session "CDB half copied in place: the entries loaded before still classify" \
	'reason=whitelist client=198\.51\.100\.25 name=unknown entry=198\.51\.100\.0/24' IP=198.51.100.25
head -c 3000 /dev/urandom > "$D/wl.cdb"
sleep 1.2
session "CDB overwritten in place with garbage: the entries loaded before still classify" \
	'reason=whitelist client=198\.51\.100\.26 name=unknown entry=198\.51\.100\.0/24' IP=198.51.100.26
tap_check "the daemon survived the in-place rewrites" kill -0 "$MXG_PID"
tap_check "the rewrites kept the inode (in place, not a rename)" test "$(stat -c %i "$D/wl.cdb")" = "$ino"
printf '198.51.100.0/24 OK\n192.0.2.0/24 OK\n' > "$D/wl.new"
"$MXGUARD_WL" "$D/wl.new"
cat "$D/wl.new.cdb" > "$D/wl.cdb"
sleep 1.2
session "complete CDB copied in place is loaded" \
	'reason=whitelist client=192\.0\.2\.9 name=unknown entry=192\.0\.2\.0/24' IP=192.0.2.9
"$MXGUARD_WL" "$D/wl"

# SIGUSR1: a good configuration is taken, a bad one refused
write_conf 10.0.0.0/8 "Mode monitor
TrustedNetworks 172.16.5.5/32"
kill -USR1 "$MXG_PID"
if wait_match "$LOG" "Mode monitor|TrustedNetworks already set" 3 && grep -q "TrustedNetworks already set" "$LOG"; then
	tap_ok "duplicate key in a reloaded configuration is reported with its line"
else
	tap_fail "duplicate key in a reloaded configuration is reported" "$(tail -5 "$LOG")"
fi
tap_check "bad configuration on SIGUSR1 keeps the running one" \
	wait_match "$LOG" "reload of $D/mxguard.conf failed; keeping the running configuration" 3
session "after a refused reload the old TrustedNetworks still apply" \
	'reason=trusted client=10\.9\.9\.9 ' IP=10.9.9.9
write_conf 172.16.5.5/32 "Mode monitor"
kill -USR1 "$MXG_PID"
tap_check "good configuration on SIGUSR1 is taken" \
	wait_match "$LOG" "configuration $D/mxguard.conf reloaded: .*mode monitor" 3
session "new TrustedNetworks apply after reload" \
	'reason=trusted client=172\.16\.5\.5 ' IP=172.16.5.5
session "old TrustedNetworks no longer apply after reload" \
	'reason=clean client=10\.9\.9\.9 ' IP=10.9.9.9

kill -USR2 "$MXG_PID"
tap_check "SIGUSR2 logs the stats line with counters" \
	wait_match "$LOG" "stats connections=[0-9]+ action\.accept=[0-9]+ .*reason\.whitelist=[0-9]+" 3
tap_check "pid file holds the daemon's pid" grep -qx "$MXG_PID" "$D/mxguard.pid"
mxg_stop
if [ "$MXG_EXIT" = 0 ] && grep -q "mxguard stopping" "$LOG"; then
	tap_ok "SIGTERM: clean shutdown, exit 0"
else
	tap_fail "SIGTERM: clean shutdown, exit 0" "exit $MXG_EXIT" "$(tail -3 "$LOG")"
fi

# StatsInterval from the start: the timer logs the stats lines, no signal needed
write_conf 10.0.0.0/8 "StatsInterval 1s"
: > "$D/timer.log"
mxg_start "$D/mxguard.conf" "$D/timer.log" || exit 1
timed() { grep -c 'stats connections=0 .* uptime=[0-9]' "$D/timer.log"; }
i=0; while [ "$(timed)" -lt 2 ] && [ $i -lt 60 ]; do sleep 0.1; i=$((i + 1)); done
if [ "$(timed)" -ge 2 ]; then tap_ok "StatsInterval 1s at start-up: timed stats lines, no signal"
else tap_fail "StatsInterval 1s at start-up: two timed stats lines within 6 s" "$(cat "$D/timer.log")"; fi
mxg_stop
tap_done
