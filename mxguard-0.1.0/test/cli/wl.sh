#!/bin/bash
# cli/wl.sh - mxguard-wl as an administrator uses it: compile, check,
# query, show, and what a bad source does to an existing CDB (nothing).
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
tap_done
