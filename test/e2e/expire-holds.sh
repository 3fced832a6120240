#!/bin/bash
# e2e/expire-holds.sh - contrib/mxguard-expire-holds against a real Postfix:
# a loop hold that mxguard made (and logged) is deleted once due, a message
# held by anyone else is never touched, -n and an age not yet reached
# delete nothing. The loop comes from a whitelisted peer (its loops are
# held, never refused) carrying more Received: fields than LoopMaxReceived.
set -u
. "$(dirname "$0")/lib.sh"
e2e_enter_ns "$@"

EXPIRE=$MXG_TOP_SRCDIR/contrib/mxguard-expire-holds
MX=127.0.0.10
e2e_mxguard "TrustedNetworks none" "SPF no" "LoopMaxReceived 5" <<'WL'
127.0.0.25   OK
WL
pf_start mx "$MX" "$MXG_MILTER"
ETC=$E2E_DIR/mx/etc

# a looping message: 6 Received: fields through our backup MX
{
	for i in 1 2 3 4 5 6; do
		printf 'Received: from relay%d.isp.example (relay%d.isp.example [192.0.2.%d])\r\n\tby hop%d.example.net (Postfix) with ESMTP id X%d; Mon, 30 Nov 2026 10:00:0%d +0000\r\n' \
			"$i" "$i" "$i" "$i" "$i" "$i"
	done
	printf 'Subject: loop\r\nX-Test: loop\r\n\r\nbody\r\n'
} > "$E2E_DIR/m-loop"
e2e_addr 127.0.0.25
e2e_send 127.0.0.25 "$MX" loop@example.net u@example.com --data "@$E2E_DIR/m-loop"
tap_check "the looping message from the peer is accepted" grep -q 'queued as' "$E2E_DIR/last-send.log"
LOOPQ=$(sed -n 's/.*queued as \([0-9A-F]*\).*/\1/p' "$E2E_DIR/last-send.log" | tail -1)
tap_check "... and mxguard logged it as a loop quarantine" \
	wait_match "$MLOG" "$LOOPQ: action=quarantine reason=loop " 10

# an ordinary message, held by the administrator: relayed through a
# deferred transport, so it waits in the queue until held
pf_cmd mx postconf -e 'defer_transports = smtp' && pf_cmd mx postfix reload >/dev/null 2>&1
e2e_send 127.0.0.66 "$MX" plain@example.net u@elsewhere.example --header "X-Test: plain" \
	--header "Subject: plain"
OTHERQ=$(sed -n 's/.*queued as \([0-9A-F]*\).*/\1/p' "$E2E_DIR/last-send.log" | tail -1)
held() { pf_cmd mx postsuper -h "$OTHERQ" >/dev/null 2>&1; [ "$(pf_hold_count mx)" = 2 ]; }
tap_check "two messages on hold" e2e_wait_for 20 held

out=$("$EXPIRE" -n -d 0 -c "$ETC" "$MLOG" 2>&1); rc=$?
tap_check "-n names the loop hold only, exit 0" \
	sh -c "[ $rc = 0 ] && [ \"\$(printf '%s\n' '$out' | wc -l)\" = 1 ] && printf '%s' '$out' | grep -q '^would delete $LOOPQ: loop hold'"
tap_is "-n deletes nothing" 2 pf_hold_count mx
out=$("$EXPIRE" -d 1 -c "$ETC" "$MLOG" 2>&1); rc=$?
tap_check "-d 1: a fresh hold is not due, exit 0, nothing said" sh -c "[ $rc = 0 ] && [ -z '$out' ]"
tap_is "-d 1 deletes nothing" 2 pf_hold_count mx
"$EXPIRE" -d 0 -c "$ETC" "$MLOG" >"$E2E_DIR/expire.out" 2>&1; rc=$?
tap_is "-d 0: exit 0" 0 echo "$rc"
tap_is "-d 0: one message left on hold" 1 pf_hold_count mx
tap_check "... the administrator's hold, untouched" \
	sh -c "MAIL_CONFIG='$ETC' postqueue -j | grep -q '\"queue_id\": *\"$OTHERQ\".*\"queue_name\": *\"hold\"\\|\"queue_name\": *\"hold\".*\"queue_id\": *\"$OTHERQ\"'"
tap_check "... the loop hold is gone" sh -c "! MAIL_CONFIG='$ETC' postqueue -j | grep -q '$LOOPQ'"
tap_check "a log line in Mode monitor never makes a hold deletable" sh -c \
	"printf 'x mxguard[1]: %s: action=quarantine reason=loop mode=monitor client=1.2.3.4\n' '$OTHERQ' > '$E2E_DIR/monitor.log'; [ -z \"\$('$EXPIRE' -n -d 0 -c '$ETC' '$E2E_DIR/monitor.log')\" ]"
# review: a line that only contains the words (a sender's address in
# Postfix's own log), or an old line naming a reused queue id, never counts
now=$(date +%Y-%m-%dT%H:%M:%S)
{
	printf '%s mx postfix/qmgr[812]: AAAAA11111: from=<"mxguard[1]: %s: action=quarantine reason=loop "@evil.example>\n' "$now" "$OTHERQ"
	printf '2020-01-01T00:00:00 mxguard[1]: %s: action=quarantine reason=loop client=1.2.3.4\n' "$OTHERQ"
} > "$E2E_DIR/forged.log"
tap_check "a forged or stale loop line never makes another hold deletable" sh -c \
	"[ -z \"\$('$EXPIRE' -n -d 0 -c '$ETC' '$E2E_DIR/forged.log')\" ]"
printf '%s mxguard[1]: %s: action=quarantine reason=loop client=1.2.3.4\n' "$now" "$OTHERQ" > "$E2E_DIR/genuine.log"
tap_check "... while the same line from mxguard at the arrival time does (the check can fail)" sh -c \
	"'$EXPIRE' -n -d 0 -c '$ETC' '$E2E_DIR/genuine.log' | grep -q '^would delete $OTHERQ: loop hold'"
out=$("$EXPIRE" -d x 2>&1); rc=$?
tap_check "a bad -d is a usage error, exit 1" sh -c "[ $rc = 1 ] && printf '%s' '$out' | grep -q '^usage:'"
mxg_stop
tap_done
