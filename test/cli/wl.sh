#!/bin/bash
# cli/wl.sh - mxguard-wl as an administrator uses it: compile, check,
# query, show, what a bad source does to an existing CDB (nothing), and
# the postmap-style warning when a CDB is older than its source.
set -u
. "$(dirname "$0")/../tap.sh"
D=$(mktemp -d /tmp/mxg-wl.XXXXXX)
trap 'rm -rf "$D"' EXIT
cd "$D" || exit 1

cat > peers <<'WL'
# trusted backup MX peers
192.0.2.25            OK
198.51.100.0/24       OK
2001:db8:1::/48       OK
backup.example.net    OK      # forward-confirmed name
.example.org          OK
203.0.113.7           RELAY
WL
out=$("$MXGUARD_WL" peers 2>&1); rc=$?
if [ $rc = 0 ] && [ -z "$out" ] && [ -f peers.cdb ]; then tap_ok "compile writes SOURCE.cdb silently"
else tap_fail "compile writes SOURCE.cdb silently" "rc=$rc" "$out"; fi
tap_check "no temporary file is left beside it" test "$(ls -A | tr '\n' ' ')" = "peers peers.cdb "
tap_check "-o writes where told" "$MXGUARD_WL" -o other.cdb peers
tap_check "-o output answers queries" "$MXGUARD_WL" -q 192.0.2.25 other.cdb

q() { "$MXGUARD_WL" -q "$1" peers.cdb; }
tap_check "-q exact IPv4" test "$(q 192.0.2.25)" = "$(printf '192.0.2.25\tOK')"
tap_check "-q CIDR" test "$(q 198.51.100.77)" = "$(printf '198.51.100.0/24\tOK')"
tap_check "-q IPv6" test "$(q 2001:db8:1::99)" = "$(printf '2001:db8:1::/48\tOK')"
tap_check "-q host name, any case" test "$(q Backup.Example.Net)" = "$(printf 'backup.example.net\tOK')"
tap_check "-q parent domain" test "$(q mx.example.org)" = "$(printf '.example.org\tOK')"
tap_check "-q RELAY value" test "$(q 203.0.113.7)" = "$(printf '203.0.113.7\tRELAY')"
out=$(q 192.0.2.26); rc=$?
if [ $rc = 1 ] && [ -z "$out" ]; then tap_ok "-q miss: exit 1, no output"; else tap_fail "-q miss: exit 1, no output" "rc=$rc out=$out"; fi
tap_check "-s lists every entry in source order" test "$("$MXGUARD_WL" -s peers.cdb | cut -f1 | tr '\n' ' ')" = \
	"192.0.2.25 198.51.100.0/24 2001:db8:1::/48 backup.example.net .example.org 203.0.113.7 "

before=$(stat -c %i:%Y:%s peers.cdb)
printf '192.0.2.1 OK\n192.0.2.0/33 OK\nhost.example MAYBE\n' >> peers
out=$("$MXGUARD_WL" peers 2>&1); rc=$?
if [ $rc = 1 ] && [ "$out" = 'peers:9: "192.0.2.0/33": prefix length over 32
peers:10: unknown value "MAYBE" (expected OK or RELAY)' ]; then
	tap_ok "bad source: one FILE:LINE message per problem, exit 1"
else
	tap_fail "bad source: one FILE:LINE message per problem, exit 1" "rc=$rc" "$out"
fi
tap_check "bad source leaves the old CDB untouched" test "$(stat -c %i:%Y:%s peers.cdb)" = "$before"
tap_check "bad source leaves no temporary file" test "$(ls -A | grep -c mxguard-wl)" = 0
out=$("$MXGUARD_WL" -n peers 2>&1); rc=$?
if [ $rc = 1 ] && printf '%s' "$out" | grep -q "^peers:9: "; then tap_ok "-n reports the same problems"
else tap_fail "-n reports the same problems" "rc=$rc" "$out"; fi
head -n 7 peers > good
tap_check "-n on a good source: exit 0" "$MXGUARD_WL" -n good
tap_check "-n writes nothing" test ! -e good.cdb

out=$("$MXGUARD_WL" -q 1.2.3.4 peers 2>&1); rc=$?   # the text, not a CDB
if [ $rc = 2 ] && printf '%s' "$out" | grep -q "peers: not a CDB file"; then tap_ok "-q on a non-CDB file: exit 2, named"
else tap_fail "-q on a non-CDB file: exit 2, named" "rc=$rc" "$out"; fi
out=$("$MXGUARD_WL" -s missing.cdb 2>&1); rc=$?
if [ $rc = 2 ] && printf '%s' "$out" | grep -q "missing.cdb: No such file"; then tap_ok "-s on a missing file: exit 2, named"
else tap_fail "-s on a missing file: exit 2, named" "rc=$rc" "$out"; fi
out=$("$MXGUARD_WL" 2>&1); rc=$?
if [ $rc = 2 ] && printf '%s' "$out" | grep -q "^usage:"; then tap_ok "no argument: usage, exit 2"
else tap_fail "no argument: usage, exit 2" "rc=$rc" "$out"; fi
tap_check "-V prints the version" sh -c "'$MXGUARD_WL' -V | grep -q '^mxguard-wl [0-9]'"

# stale: the source (FILE) is newer than its CDB (FILE.cdb)
printf '192.0.2.25 OK\n' > st
touch -d '2024-01-01 12:00:00' st
"$MXGUARD_WL" st
touch -d '2024-01-01 12:00:00' st.cdb
warn='mxguard-wl: warning: database st.cdb is older than source file st'
# run3 EXPECTED-RC EXPECTED-STDOUT EXPECTED-STDERR DESC CMD... - exact on both streams
run3() {
	local rc=$1 o=$2 e=$3 d=$4 got_o got_e got_rc; shift 4
	got_o=$("$@" 2>"$D/.err"); got_rc=$?; got_e=$(cat "$D/.err"); rm -f "$D/.err"
	if [ "$got_rc" = "$rc" ] && [ "$got_o" = "$o" ] && [ "$got_e" = "$e" ]; then tap_ok "$d"
	else tap_fail "$d" "expected rc=$rc out=[$o] err=[$e]" "got rc=$got_rc out=[$got_o] err=[$got_e]"; fi
}
hit=$(printf '192.0.2.25\tOK')
run3 0 "$hit" "" "same mtime: -q gives no warning" "$MXGUARD_WL" -q 192.0.2.25 st.cdb
touch -d '2024-01-01 12:00:01' st
run3 0 "$hit" "$warn" "source newer: -q warns naming both files, exit 0 kept" "$MXGUARD_WL" -q 192.0.2.25 st.cdb
run3 1 "" "$warn" "source newer: -q miss warns, exit 1 kept" "$MXGUARD_WL" -q 192.0.2.26 st.cdb
run3 0 "$hit" "$warn" "source newer: -s warns, listing unchanged" "$MXGUARD_WL" -s st.cdb
run3 0 "" "$warn" "source newer: -n warns that the CDB is out of date, exit 0 kept" "$MXGUARD_WL" -n st
printf '192.0.2.1 MAYBE\n' >> st
run3 1 "" 'st:2: unknown value "MAYBE" (expected OK or RELAY)
'"$warn" "source newer and broken: -n reports both, exit 1 kept" "$MXGUARD_WL" -n st
head -n 1 st > st.new && mv st.new st && touch -d '2024-01-01 12:00:01' st
cp st.cdb st.out && touch -d '2024-01-01 12:00:00' st.out
run3 0 "" "mxguard-wl: warning: database st.out is older than source file st" \
	"-n -o OUT: warns about OUT" "$MXGUARD_WL" -n -o st.out st
run3 0 "" "" "-n -o OUT with no OUT yet: no warning" "$MXGUARD_WL" -n -o st.none st
cp st.cdb st.db && touch -d '2024-01-01 12:00:00' st.db
run3 0 "$hit" "" "a CDB not named FILE.cdb has no source: no warning" "$MXGUARD_WL" -q 192.0.2.25 st.db
"$MXGUARD_WL" st
run3 0 "$hit" "" "recompiled: no warning" "$MXGUARD_WL" -q 192.0.2.25 st.cdb
touch -d '2024-01-01 12:00:00' st.cdb && rm st
run3 0 "$hit" "" "source gone: no warning" "$MXGUARD_WL" -q 192.0.2.25 st.cdb
tap_done
