#!/bin/bash
# proto/negotiate.sh - what mxguard asks of the MTA at option negotiation,
# seen by test/proto/mtraw offering every protocol flag (Postfix 3,
# Sendmail 8.14+), the flags of an older MTA (protocol 2: Sendmail 8.13,
# Postfix 2.3: no no-reply flags) and none at all: the no-reply stages (connect, HELO,
# MAIL, headers, end of headers) and skipped steps (body, unknown commands,
# DATA) taken only where offered or where libmilter answers in the filter's
# place; the macros asked for, per stage; and the same decisions, replies
# and log lines whatever was agreed (a loop refused at end of message, a
# clean message, a tag).
set -u
. "$(dirname "$0")/lib.sh"
MTRAW=$MXG_TOP_BUILDDIR/test/proto/mtraw
[ -x "$MTRAW" ] || { echo "not ok 1 - $MTRAW not built (make check builds it)"; exit 1; }
printf '%s\n' "Socket unix:$D/mxguard.sock" "Syslog no" "TrustedNetworks 10.0.0.0/8" \
	"LocalNames mx1.example.com" "SPF no" "LoopMaxReceived 5" "LoopAction reject" > "$D/mxguard.conf"
mxg_start "$D/mxguard.conf" "$LOG" || exit 1
S=$D/mxguard.sock

# script QID ADDR NRECEIVED - one message from ADDR with NRECEIVED Received fields
script() {
	local i
	printf 'C client.example\\0\x34\\x00\\x19%s\\0\n' "$2"
	echo 'H client.example\0'
	echo "D Mi\\0$1\\0{auth_authen}\\0\\0"
	echo 'M <a@example.org>\0'
	echo 'R <b@example.com>\0'
	echo 'R <c@example.com>\0'
	for i in $(seq 1 "$3"); do echo "L Received\\0from h$i.example by h$((i + 1)).example; date\\0"; done
	echo 'L Subject\0hello\0'
	echo 'L X-Mxguard\0reason=clean (forged)\0'
	echo 'N'
	echo 'D Ei\0'"$1"'\0'
	echo 'E'
}
# run NAME FLAGS QID ADDR NRECEIVED - mtraw output in $D/NAME.out, the
# decision line (queue id QID) in $D/NAME.log
run() {
	local before
	before=$(wc -l < "$LOG")
	script "$3" "$4" "$5" | "$MTRAW" -p "$2" "$S" > "$D/$1.out" 2>&1
	wait_match "$LOG" "^.*$3: action=" 3
	tail -n +"$((before + 1))" "$LOG" | grep "$3: action=" | sed 's/^[^ ]* [^ ]* //' > "$D/$1.log"
}
# is DESC EXPECTED FILE - FILE holds exactly EXPECTED
is() {
	local got
	got=$(cat "$3")
	if [ "$got" = "$2" ]; then tap_ok "$1"
	else tap_fail "$1" "expected:" "$2" "got:" "$got"; fi
}

# shellcheck disable=SC2034  # read as ${!f}
ALL=0x1fffff           # Postfix 3.x, Sendmail 8.14+: every flag
# shellcheck disable=SC2034  # read as ${!f}
OLD=0x7f               # protocol 2 (Sendmail 8.13, Postfix 2.3): steps, no no-reply flags
# shellcheck disable=SC2034  # read as ${!f}
NONE=0                 # an MTA offering none (libmilter reads it as protocol 1's 0x3f)
MACROS='S 0 j {client_resolve}
S 2 i {auth_authen}
S 5 i'
for f in ALL OLD NONE; do
	run "clean-$f" "${!f}" "CLEAN$f" 192.0.2.1 2
	run "loop-$f" "${!f}" "LOOP$f" 192.0.2.2 6
done

# asked of an MTA offering everything: no reply for connect, HELO, MAIL,
# headers, end of headers (0x1000 0x2000 0x4000 0x80 0x40000), no body,
# unknown commands, DATA (0x10 0x100 0x200); RCPT and end of message reply
is "all flags offered: no reply for connect, HELO, MAIL, headers, EOH; no body, unknown, DATA" \
	"O 0x47390
$MACROS" <(grep -E '^[OS] ' "$D/clean-ALL.out")
is "all flags offered: only RCPT and end of message are answered" \
	"R> c
R> c
E> mod m    ?X-Mxguard  
E> c" <(grep '>' "$D/clean-ALL.out")
n=$(script X 192.0.2.1 2 | grep -c '^[CHMRLN]')
for f in OLD NONE; do
	is "$f: only the body is skipped, every stage answered (libmilter answers in mxguard's place)" \
		"O 0x10
$MACROS" <(grep -E '^[OS] ' "$D/clean-$f.out")
	is "$f: a CONTINUE for each of the $n commands before end of message" \
		"$n" <(grep -Ec '^[CHMRLN]> c$' "$D/clean-$f.out")
done
for f in OLD NONE; do
	is "$f: the same end-of-message answer as with every flag" \
		"$(grep '^E>' "$D/clean-ALL.out")" <(grep '^E>' "$D/clean-$f.out")
	is "$f: a loop refused at end of message with the same reply" \
		"$(grep -E '^[RE]>' "$D/loop-ALL.out")" <(grep -E '^[RE]>' "$D/loop-$f.out")
	is "$f: the same decision line for a clean message" \
		"$(sed "s/CLEANALL/CLEAN$f/; s/192\.0\.2\.1/192.0.2.1/" "$D/clean-ALL.log")" "$D/clean-$f.log"
	is "$f: the same decision line for a loop" \
		"$(sed "s/LOOPALL/LOOP$f/" "$D/loop-ALL.log")" "$D/loop-$f.log"
done
is "the loop: refused with 554 at end of message (headers unanswered)" \
	'E> y 554 5.4.6 Routing loop detected (loop: 6 Received headers) ' <(grep '^E> y' "$D/loop-ALL.out")
is "the loop's decision line" \
	'LOOPALL: action=reject reason=loop client=192.0.2.2 name=client.example helo=client.example from=<a@example.org> rcpt=<b@example.com> nrcpt=2 received=6 passes=1 detail="loop: 6 Received headers"' \
	"$D/loop-ALL.log"
if grep -q 'claimed not to reply' "$LOG"; then
	tap_fail "libmilter never had to withhold a reply" "$(grep 'claimed not to reply' "$LOG")"
else tap_ok "libmilter never had to withhold a reply"; fi
tap_done
