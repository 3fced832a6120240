#!/bin/bash
# e2e/mxpeers.sh - peers from our own MX records (BackupMXFor) with a real
# DNS server (nsd) and a real Postfix in a private network namespace: the
# MX set of mxpeers.test has three hosts, one of them this host
# (LocalNames), one with IPv4 and IPv6; the backup MX is on the DNSBL and
# in no whitelist file, yet accepted through Postfix as entry=mx:...; a
# whitelist entry beats a derived one; a changed MX set is picked up after
# its TTL without a reload, and logged once; a DNS outage keeps the last set.
set -u
. "$(dirname "$0")/lib.sh"
e2e_enter_ns "$@"

PRIMARY=127.0.0.10
e2e_addr 127.0.0.20
e2e_addr 127.0.0.21
# zone ZONE-VARIANT - the records of mxpeers.test (TTL 1 s where it changes)
zone() {
	cat <<Z
@               1 IN MX 10 mx1
@               1 IN MX 20 mx2
@               1 IN MX 30 mx3
mx1             1 IN A    $PRIMARY
mx2             1 IN A    $1
mx3             1 IN A    127.0.0.30
mx3             1 IN AAAA 2001:db8::30
20.0.0.127.bl   IN A 127.0.0.2
21.0.0.127.bl   IN A 127.0.0.2
99.0.0.127.bl   IN A 127.0.0.2
dup             1 IN MX 10 mx3
dup             1 IN MX 20 MX3.mxpeers.test.
Z
}
e2e_nsd mxpeers.test < <(zone 127.0.0.20)
e2e_mxguard "TrustedNetworks none" "DNSBL bl.mxpeers.test" "DNSTimeout 1s" "DNSServers 127.0.0.1" \
	"LocalNames mx1.mxpeers.test" "BackupMXFor mxpeers.test" "BackupMXMinTTL 1s" "SPF no" <<WL
127.0.0.30   OK     # the whitelist file wins over the derived RELAY
WL

out=$("$MXGUARD" -n -c "$E2E_DIR/mxguard.conf" 2>/dev/null)
want="mx peers for mxpeers.test: 2 MX hosts besides this host (1 this host, 0 past the limits); next lookup in 1s
  127.0.0.20 (mx2.mxpeers.test)
  127.0.0.30 (mx3.mxpeers.test)
  2001:db8::30 (mx3.mxpeers.test)"
tap_is "mxguard -n shows the set: IPv4 and IPv6, this host (mx1) left out" "$want" printf '%s\n' "$out"
# review: a host named twice in one MX set (two preferences, another case)
# was kept twice, and a failed refresh then copied its addresses k x k times
# past the end of the list (a heap overflow); it is one host
sed 's/^BackupMXFor .*/BackupMXFor dup.mxpeers.test/' "$E2E_DIR/mxguard.conf" > "$E2E_DIR/dup.conf"
want="mx peers for dup.mxpeers.test: 1 MX host besides this host (0 this host, 0 past the limits); next lookup in 1s
  127.0.0.30 (mx3.mxpeers.test)
  2001:db8::30 (mx3.mxpeers.test)"
tap_is "an MX host named twice is one host" "$want" sh -c "'$MXGUARD' -n -c '$E2E_DIR/dup.conf' 2>/dev/null"
tap_check "start-up logs the set once" wait_match "$MLOG" \
	'mx peers for mxpeers\.test: added 127\.0\.0\.20 \(mx2\.mxpeers\.test\), 127\.0\.0\.30 \(mx3\.mxpeers\.test\), 2001:db8::30 \(mx3\.mxpeers\.test\)$' 5

pf_start primary "$PRIMARY" "$MXG_MILTER"
n=0
# send SRC - message n from SRC to the primary, for u<n>@example.com; its
# line is checked with check DESC REGEX (test/e2e/lib.sh)
send() {
	n=$((n + 1))
	e2e_msg "$1" "$PRIMARY" "a@example.org" "u$n@example.com"
}
send 127.0.0.20
check "the backup MX, DNSBL-listed and in no whitelist file, is accepted through Postfix" \
	'action=accept reason=whitelist client=127\.0\.0\.20 .*entry=mx:mxpeers\.test list=RELAY'
tap_check "... delivered" e2e_wait_for 10 e2e_eq 1 e2e_delivered primary
send 127.0.0.99
check "a listed client that is no MX host is refused" 'action=reject reason=dnsbl client=127\.0\.0\.99'
send 127.0.0.30
check "the whitelist file's entry beats the derived one" \
	'action=accept reason=whitelist client=127\.0\.0\.30 .*entry=127\.0\.0\.30 list=OK'

# the backup MX moves to 127.0.0.21: seen after the 1 s TTL, no reload
e2e_nsd_stop
e2e_nsd mxpeers.test < <(zone 127.0.0.21)
tap_check "a changed MX host address is picked up after its TTL, without a reload" wait_match "$MLOG" \
	'mx peers for mxpeers\.test: added 127\.0\.0\.21 \(mx2\.mxpeers\.test\), removed 127\.0\.0\.20 \(mx2\.mxpeers\.test\)$' 10
send 127.0.0.21
check "the new address is a peer" 'action=accept reason=whitelist client=127\.0\.0\.21 .*entry=mx:mxpeers\.test'
send 127.0.0.20
check "the old one is not any more" 'action=reject reason=dnsbl client=127\.0\.0\.20'
sleep 2
tap_is "the change is logged once (several refreshes since)" 1 grep -c 'added 127\.0\.0\.21' "$MLOG"
tap_is "no reload happened" 0 grep -c 'reloaded' "$MLOG"

# DNS outage: the last known set stays
e2e_nsd_stop
tap_check "a failed MX lookup is a warning" wait_match "$MLOG" \
	'mx peers for mxpeers\.test: MX lookup failed \([a-z]+\); keeping the last known set \(3 addresses\)' 10
send 127.0.0.21
check "during the outage the backup MX is still a peer" \
	'action=accept reason=whitelist client=127\.0\.0\.21 .*entry=mx:mxpeers\.test'
tap_is "nothing was removed by the outage" 0 grep -c 'removed 127\.0\.0\.21' "$MLOG"

# back, and an authoritative answer without the backup MX is a real change
e2e_nsd mxpeers.test < <(zone 127.0.0.21 | sed "/mx2/d")
tap_check "an MX host gone from the answer is removed" wait_match "$MLOG" \
	'mx peers for mxpeers\.test: removed 127\.0\.0\.21 \(mx2\.mxpeers\.test\)$' 10
before=$(grep -c 'mx peers for' "$MLOG")
kill -USR1 "$MXG_PID"
wait_match "$MLOG" "configuration .* reloaded" 10
sleep 1.5
tap_is "a reload starts from the last set: no change logged" "$before" grep -c 'mx peers for' "$MLOG"
mxg_stop
tap_is "mxguard stopped cleanly (the refresher joined)" 0 echo "$MXG_EXIT"
tap_done
