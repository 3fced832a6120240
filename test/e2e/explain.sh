#!/bin/bash
# e2e/explain.sh - mxguard -t against a real DNS server (nsd) in a private
# namespace: one explanation for each kind of decision (whitelisted,
# trusted, MX-derived, DNSBL-listed, SPF fail, a loop read from a message
# file, a RELAY peer's origin), the exit status of each action, and hostile
# input (long and binary arguments, a huge and a binary message file).
set -u
. "$(dirname "$0")/lib.sh"
e2e_enter_ns "$@"

e2e_nsd xp.test <<'Z'
@               IN MX 10 mx1
@               IN MX 20 mx2
mx1             IN A 127.0.0.10
mx2             IN A 127.0.0.20
20.0.0.127.bl   IN A 127.0.0.2
99.0.0.127.bl   IN A 127.0.0.2
5.113.0.203.bl  IN A 127.0.0.2
strict          IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
Z
C=$E2E_DIR/mxguard.conf
e2e_mxguard "TrustedNetworks 127.0.0.88/32" "DNSBL bl.xp.test" "DNSTimeout 1s" "DNSServers 127.0.0.1" \
	"LocalNames mx1.xp.test" "BackupMXFor xp.test" <<'WL'
127.0.0.30   OK
WL
mxg_stop                                # only its configuration is used

# xp DESC STATUS REGEX ARGS... - mxguard -t ARGS exits STATUS and prints REGEX
xp() {
	local d=$1 st=$2 re=$3 out rc; shift 3
	out=$(timeout 20 "$MXGUARD" -c "$C" "$@" 2>"$E2E_DIR/xp.err"); rc=$?
	if [ "$rc" -eq "$st" ] && printf '%s\n' "$out" | grep -Eq -- "$re"; then tap_ok "$d"
	else tap_fail "$d" "want exit $st and: $re" "got exit $rc:" "$out" "$(cat "$E2E_DIR/xp.err")"; fi
	XP_OUT=$out
}
xp "whitelist file entry: accepted, exit 0" 0 'the whitelist file .* has the entry 127\.0\.0\.30 \(OK\)' -t 127.0.0.30
xp "trusted network: accepted, exit 0" 0 '127\.0\.0\.88 lies in 127\.0\.0\.88(/32)? of TrustedNetworks' -t 127.0.0.88
xp "MX-derived peer, DNSBL-listed: accepted, exit 0" 0 \
	'127\.0\.0\.20 is mx2\.xp\.test, an MX host of xp\.test \(BackupMXFor\).*trusted as RELAY \(logged entry=mx:xp\.test\)' -t 127.0.0.20
tap_check "... the DNSBL is not asked for it" grep -q '^2. DNSBL: not looked up (trusted client)' <<<"$XP_OUT"
xp "this host (mx1, LocalNames) is no peer of itself" 0 '^1. Classification: not trusted' -t 127.0.0.10
xp "DNSBL-listed: rejected at RCPT with the exact reply, exit 2" 2 \
	'reply: 554 5\.7\.1 Service unavailable; client \[127\.0\.0\.99\] blocked using bl\.xp\.test' -t 127.0.0.99
tap_check "... the zone's answer, the site's weight and the score against the threshold" sh -c '
	printf "%s\n" "$1" | grep -q "^   zone bl.xp.test: 127.0.0.2\$" &&
	printf "%s\n" "$1" | grep -q "^   site bl.xp.test, weight 1: matches\$" &&
	printf "%s\n" "$1" | grep -q "^2. DNSBL: score 1 against DNSBLThreshold 1: listed\$"' _ "$XP_OUT"
xp "clean client: accepted, exit 0" 0 '^6. Decision: accept \(reason clean\)' -t 127.0.0.66
xp "SPF fail: the deciding term and the 550 reply, exit 2" 2 \
	'3. SPF: fail for the domain strict\.xp\.test, decided by the term -all' -t 198.51.100.7 -s a@strict.xp.test -H h.example
tap_check "... reply 550 5.7.23" grep -q 'reply: 550 5.7.23 SPF fail: strict.xp.test does not designate 198.51.100.7' <<<"$XP_OUT"
xp "SPF pass names its term" 0 'pass for the domain strict\.xp\.test, decided by the term ip4:192\.0\.2\.0/24' \
	-t 192.0.2.7 -s a@strict.xp.test

# a loop, from a saved message: earlier passes through mx1.xp.test, two of
# them with the pass marks mxguard made (the test's loop key)
mk() { python3 "$MXG_TOP_SRCDIR/test/proto/mkmark.py" "$E2E_DIR/loop.key" '<loop@origin.example>' mx1.xp.test $(($(date +%s) - $1)) test@mx1.xp.test; }
{
	printf 'X-Mxguard-Pass: %s\n' "$(mk 60)" "$(mk 120)"
	printf 'Message-ID: <loop@origin.example>\n'
	for i in 1 2 3; do
		printf 'Received: from relay.isp.example (relay.isp.example [192.0.2.%d])\n\tby mx1.xp.test (Postfix) with ESMTP id L%d; date\n' "$i" "$i"
		printf 'Received: from mx1.xp.test (mx1.xp.test [127.0.0.10])\n\tby relay.isp.example with ESMTP id R%d; date\n' "$i"
	done
	printf 'Delivered-To: lost@example.net\nSubject: loop\n\nbody\n'
} > "$E2E_DIR/loop.eml"
xp "a loop in the message file: quarantined, exit 4" 4 \
	'loop: 6 Received: fields \(LoopMaxReceived 20\), 3 passes proven by pass marks \(LoopMaxPasses 3\), 1 Delivered-To fields?: .loop: 3rd pass through mx1\.xp\.test' \
	-t 127.0.0.66 -m "$E2E_DIR/loop.eml"
tap_check "... the marks named" grep -q '^   pass marks: 2 valid ([0-9a-f]\{8\}), 0 not counted, 0 not examined$' <<<"$XP_OUT"
tap_check "... held, with the reason" grep -q '^   reply: the MTA.s own 250; the message is held: ' <<<"$XP_OUT"

# the RELAY peer's origin: listed on the DNSBL, so tagged
printf 'Received: from spam.example (spam.example [203.0.113.5])\n\tby mx2.xp.test (Postfix) with ESMTP id O1; date\nSubject: x\n\n' > "$E2E_DIR/relayed.eml"
xp "relay origin of a RELAY peer: tagged, exit 5" 5 '5. Relay origin: 203\.0\.113\.5, from the peer.s own Received: stamp' \
	-t 127.0.0.20 -s a@example.org -m "$E2E_DIR/relayed.eml"
tap_check "... the X-Mxguard value" grep -q 'X-Mxguard: reason=relay-origin origin=203.0.113.5 score=1' <<<"$XP_OUT"

# tempfail: SPFFailAction tempfail gives 451 and exit 3
sed 's/^DNSBL .*/&\nSPFFailAction tempfail/' "$C" > "$E2E_DIR/tf.conf"
C=$E2E_DIR/tf.conf xp "SPFFailAction tempfail: 451, exit 3" 3 'reply: 451 4\.7\.23 SPF fail' \
	-t 198.51.100.7 -s a@strict.xp.test
C=$E2E_DIR/mxguard.conf

# usage and hostile input
tap_is "-N without -t is a usage error (exit 1)" 1 sh -c '"$1" -c "$2" -N x >/dev/null 2>&1; echo $?' _ "$MXGUARD" "$C"
long=$(head -c 100000 /dev/zero | tr '\0' 'a')
xp "a 100 kB address: exit 1" 1 '^$' -t "$long"
tap_check "... the error is bounded" test "$(wc -c < "$E2E_DIR/xp.err")" -lt 1200
bin=$(printf 'x\001\033[31m\177\377y')
xp "binary and long HELO, sender, recipient: decided, exit 0" 0 '^6. Decision: accept' \
	-t 127.0.0.66 -H "$bin$long" -s "$bin@$long" -r "$bin@x"
tap_check "... no control byte reaches the output" sh -c '! printf "%s" "$1" | LC_ALL=C grep -q "[[:cntrl:]]" <<EOF2
$(printf "%s" "$1" | tr -d "\n")
EOF2' _ "$XP_OUT"
tap_check "... output bounded" test "${#XP_OUT}" -lt 8000
# 20 MB of Received: fields: read up to the 4 MB limit, the rest not
yes 'Received: from a (a [192.0.2.1]) by b.example; date' | head -c 20000000 > "$E2E_DIR/huge.eml"
start=$(date +%s)
xp "a 20 MB header section: stopped at the limit, decided (a loop by count: refused from an outside client), exit 2" 2 'stopped at the limit, the rest not read' \
	-t 127.0.0.66 -m "$E2E_DIR/huge.eml"
tap_check "... quickly" test $(( $(date +%s) - start )) -lt 10
tap_check "... the 5.4.6 reply, and why it is no hold" sh -c 'printf "%s\n" "$1" | grep -q "reply: 554 5\.4\.6 Routing loop detected (loop: [0-9]* Received headers)" &&
	printf "%s\n" "$1" | grep -q "the loop is not proven: an outside client.s message is refused"' _ "$XP_OUT"
head -c 3000000 /dev/urandom > "$E2E_DIR/binary.eml"
xp "a binary message file: read, decided, exit 0 or 4" 0 '^6. Decision: accept' -t 127.0.0.66 -m "$E2E_DIR/binary.eml"
xp "/dev/zero as the message: bounded, exit 0" 0 'stopped at the limit' -t 127.0.0.66 -m /dev/zero
xp "an unreadable message file: exit 1" 1 '^$' -t 127.0.0.66 -m "$E2E_DIR/none.eml"
xp "a directory as message file: exit 1" 1 '^$' -t 127.0.0.66 -m "$E2E_DIR"
tap_done
