#!/bin/bash
# proto/loop.sh - loop rules through the real daemon over the milter
# protocol: header sets in, quarantine / tag / tempfail / reject out, for
# trusted and untrusted clients, and Mode monitor changing nothing. Passes
# are proven by pass marks made with the test's key (mkmark.py computes
# them apart from mark.c); the Received: count and Delivered-To alone hold
# a trusted client's message and refuse an outside client's.
set -u
. "$(dirname "$0")/lib.sh"
conf() {
	printf '%s\n' "Socket unix:$D/mxguard.sock" "Syslog no" "TrustedNetworks 10.0.0.0/8" \
		"LocalNames mx1.example.com, mx1" "SPF no" "LoopKeyFile $D/loop.key" "$@" > "$D/mxguard.conf"   # loop limits: mxguard.conf(5) defaults 20, 3
}
conf
"$MXGUARD" -c "$D/mxguard.conf" -k > /dev/null || exit 1
# mk MESSAGE-ID HOST AGE RCPT - a pass mark under the test's key, AGE seconds old
mk() { python3 "$MXG_TOP_SRCDIR/test/proto/mkmark.py" "$D/loop.key" "$1" "$2" $(($(date +%s) - $3)) "$4"; }
mxg_start "$D/mxguard.conf" "$LOG" || exit 1
nreload=0
reload() {
	conf "$@"
	nreload=$((nreload + 1))
	kill -USR1 "$MXG_PID"
	wait_match "$LOG" "configuration .* reloaded" 3
	e=0; while [ "$(grep -c 'configuration .* reloaded' "$LOG")" -lt $nreload ] && [ $e -lt 30 ]; do sleep 0.1; e=$((e + 1)); done
}

# headers FILE - stamps (newest first) of a backup MX <-> ISP relay ping-pong, 3rd arrival,
# with the pass marks of the two passes before
pingpong() {   # pingpong RCPT
	printf 'X-Mxguard-Pass: %s\n' "$(mk '<pp@origin.example>' mx1.example.com 60 "$1")" "$(mk '<pp@origin.example>' mx1.example.com 120 "$1")"
	printf 'Message-ID: <pp@origin.example>\n'
	cat "$D/pingpong-stamps"
}
cat > "$D/pingpong-stamps" <<'H'
Received: from mx1 (mx1.example.com [192.0.2.10])
	by relay.isp.example (Postfix) with ESMTP id A3; Wed, 25 Nov 2026 10:00:03 +0000
Received: from relay.isp.example (relay.isp.example [198.51.100.20])
	by mx1.example.com (Postfix) with ESMTP id B2; Wed, 25 Nov 2026 10:00:02 +0000
Received: from mx1 (mx1.example.com [192.0.2.10])
	by relay.isp.example (Postfix) with ESMTP id A1; Wed, 25 Nov 2026 10:00:01 +0000
Received: from origin.example (origin.example [203.0.113.5])
	by mx1.example.com (Postfix) with ESMTP id B1; Wed, 25 Nov 2026 10:00:00 +0000
X-Mxguard: reason=clean (forged by the sender)
H
pingpong "<user@example.com>" > "$D/pingpong"
{ sed -n 2,3p "$D/pingpong"; head -4 "$D/pingpong-stamps"; } > "$D/second"
: > "$D/none"
for i in $(seq 1 25); do printf 'Received: from h%d.example by h%d.example; date\n' $((i + 1)) "$i"; done > "$D/hops25"
head -19 "$D/hops25" > "$D/hops19"
for i in $(seq 1 1000); do printf 'Received: from h%d.example (h%d.example [192.0.2.%d]) by x%d.example; date\n' "$i" "$i" $((i % 250)) "$i"; done > "$D/hops1000"
printf 'Delivered-To: user@example.com\nReceived: from a by b; date\n' > "$D/delivered"


session "3rd pass: quarantined with the evidence, foreign X-Mxguard removed" \
	'action=quarantine reason=loop client=192\.0\.2\.10 .* received=4 passes=3 detail="loop: 3rd pass through mx1\.example\.com"' \
	IP=192.0.2.10 HEADERS_FILE="$D/pingpong" EXPECT_QUARANTINE="loop: 3rd pass through mx1.example.com" EXPECT_HDRDEL=X-Mxguard
session "2nd pass: accepted, passes=2" \
	'action=accept reason=clean client=192\.0\.2\.10 .* received=2 passes=2$' \
	IP=192.0.2.10 HEADERS_FILE="$D/second" EXPECT_NO_QUARANTINE=1
session "loops are caught for trusted clients too" \
	'action=quarantine reason=loop client=10\.0\.0\.5 .* passes=3 ' \
	IP=10.0.0.5 HEADERS_FILE="$D/pingpong" EXPECT_QUARANTINE="loop: 3rd pass through mx1.example.com"
session "19 Received headers: accepted" 'action=accept reason=clean .* received=19 passes=1$' \
	IP=192.0.2.11 HEADERS_FILE="$D/hops19" EXPECT_NO_QUARANTINE=1
session "25 Received headers from an outside client: refused at end of message, no mark" \
	'action=reject reason=loop client=192\.0\.2\.11 .* received=25 passes=1 detail="loop: 25 Received headers"' \
	IP=192.0.2.11 HEADERS_FILE="$D/hops25" EXPECT_EOM=replycode EXPECT_NO_HDRINS=X-Mxguard-Pass
session "25 Received headers from a trusted client: quarantined" \
	'action=quarantine reason=loop client=10\.0\.0\.6 .* received=25 passes=1 detail="loop: 25 Received headers"' \
	IP=10.0.0.6 HEADERS_FILE="$D/hops25" EXPECT_QUARANTINE="loop: 25 Received headers" EXPECT_HDRINS=X-Mxguard-Pass
session "1000 Received fields: all counted, 64 parsed, the rest logged as dropped" \
	'action=reject reason=loop .* received=1000 passes=1 detail="loop: 1000 Received headers" dropped=936' \
	IP=192.0.2.11 HEADERS_FILE="$D/hops1000" EXPECT_EOM=replycode
session "Delivered-To equal to a recipient, outside client: refused" \
	'action=reject reason=loop .* detail="loop: Delivered-To <user@example\.com>"' \
	IP=192.0.2.12 HEADERS_FILE="$D/delivered" RCPT="<user@example.com>" EXPECT_EOM=replycode
session "Delivered-To equal to a recipient, trusted client: quarantined" \
	'action=quarantine reason=loop client=10\.0\.0\.7 .* detail="loop: Delivered-To <user@example\.com>"' \
	IP=10.0.0.7 HEADERS_FILE="$D/delivered" RCPT="<user@example.com>" EXPECT_QUARANTINE="loop: Delivered-To <user@example.com>"
session "pass marks for another recipient do not count" \
	'action=accept reason=clean client=192\.0\.2\.10 .* marks=0 marksignored=2 received=4 passes=1$' \
	IP=192.0.2.10 HEADERS_FILE="$D/pingpong" RCPT="<other@example.com>" EXPECT_NO_QUARANTINE=1
session "Delivered-To for another recipient: accepted" 'action=accept reason=clean client=192\.0\.2\.12 ' \
	IP=192.0.2.12 HEADERS_FILE="$D/delivered" RCPT="<other@example.com>" EXPECT_NO_QUARANTINE=1

reload "LoopAction tag"
session "LoopAction tag: X-Mxguard added, nothing held" 'action=tag reason=loop client=192\.0\.2\.10 ' \
	IP=192.0.2.10 HEADERS_FILE="$D/pingpong" EXPECT_HDRADD=X-Mxguard EXPECT_HDRDEL=X-Mxguard EXPECT_NO_QUARANTINE=1
session "a clean message gets no X-Mxguard" 'action=accept reason=clean client=192\.0\.2\.13 ' \
	IP=192.0.2.13 HEADERS_FILE="$D/none" EXPECT_NO_HDRADD=X-Mxguard
session "... but its pass mark" 'action=accept reason=clean client=192\.0\.2\.13 ' \
	IP=192.0.2.13 HEADERS_FILE="$D/none" EXPECT_HDRINS=X-Mxguard-Pass
reload "LoopAction tempfail"
session "LoopAction tempfail: 4xx reply at end of message" 'action=tempfail reason=loop ' \
	IP=192.0.2.10 HEADERS_FILE="$D/pingpong" EXPECT_EOM=replycode
reload "LoopAction reject"
session "LoopAction reject: 5xx reply at end of message" 'action=reject reason=loop ' \
	IP=192.0.2.10 HEADERS_FILE="$D/pingpong" EXPECT_EOM=replycode
reload "Mode monitor"
session "Mode monitor: logged, nothing held, nothing removed" \
	'action=quarantine reason=loop mode=monitor client=192\.0\.2\.10 ' \
	IP=192.0.2.10 HEADERS_FILE="$D/pingpong" EXPECT_NO_QUARANTINE=1
session "Mode monitor: the pass mark is made all the same" \
	'action=quarantine reason=loop mode=monitor client=192\.0\.2\.10 ' \
	IP=192.0.2.10 HEADERS_FILE="$D/pingpong" EXPECT_HDRINS=X-Mxguard-Pass
# a HELO and addresses that escape to 500 and 800 bytes each: the line would
# pass 2048 bytes; it still leads with mode=monitor and keeps every key
long=$(printf '\001%.0s' $(seq 1 190))
pingpong "<$long@example.com>" > "$D/pingpong-long"
session "Mode monitor, hostile long values: mode=monitor leads the line, every key kept, long ones shortened" \
	'action=quarantine reason=loop mode=monitor client=192\.0\.2\.10 name=unknown helo="evil.*\.\.\." from="<\\x01[^ ]*\.\.\." rcpt="<\\x01[^ ]*\.\.\." marks=2 received=[0-9]+ passes=[0-9]+ detail="loop: [^"]*"$' \
	IP=192.0.2.10 HEADERS_FILE="$D/pingpong-long" EXPECT_NO_QUARANTINE=1 HOSTILE_HELO=1 \
	FROM="<$long@example.net>" RCPT="<$long@example.com>"
line=$(grep -a 'client=192\.0\.2\.10 name=unknown helo="evil' "$LOG" | tail -1)
msg=${line#* mxguard\[*\]: }
if [ -n "$line" ] && [ ${#msg} -le 2047 ]; then
	tap_ok "... and the line is within 2047 bytes (${#msg})"
else
	tap_fail "... and the line is within 2047 bytes" "${#msg} bytes: $msg"
fi
reload "LoopMaxPasses 0" "LoopMaxReceived 0"
session "both limits 0: the rules are off" 'action=accept reason=clean client=192\.0\.2\.10 .* passes=3$' \
	IP=192.0.2.10 HEADERS_FILE="$D/pingpong" EXPECT_NO_QUARANTINE=1
tap_done
