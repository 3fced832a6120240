#!/bin/bash
# e2e/hostile.sh - hostile clients. Part one speaks the milter protocol
# straight to mxguard with test/proto/mtraw, sending what no sane MTA sends:
# 60 KB host names, HELO and addresses with NUL and control bytes, garbage
# connect packets, 10,000 recipients, 10,000 headers (Received: ones and
# forged X-Mxguard-Pass pass marks too),
# a 1 MB header packet, a 1 MB body, and sessions that stop after every
# stage. Part two sends hostile mail through a real Postfix (1 MB header
# line, 10,000 header fields, NUL bytes, 1,000 recipients, 12,000 forged
# X-Mxguard fields). After each round
# mxguard must still answer a plain session correctly; its log must hold no
# control byte and no over-long line; its memory must not grow from round to
# round (plain build only: five rounds, RSS compared after the second and
# the fifth; ASan's quarantine keeps freed memory on purpose, and the
# sanitizer and valgrind passes, one round each, check leaks their own way).
set -u
. "$(dirname "$0")/lib.sh"
e2e_enter_ns "$@"

MTRAW=$MXG_TOP_BUILDDIR/test/proto/mtraw
[ -x "$MTRAW" ] || e2e_die "$MTRAW not built (make check builds it)"
MX=127.0.0.10
mkdir -p "$E2E_DIR/dns"
printf ':127.0.0.2:Listed in bl.test\n192.0.2.99\n127.0.0.99\n' > "$E2E_DIR/dns/bl.zone"
e2e_rbldnsd bl.test:ip4set:bl.zone
e2e_mxguard "TrustedNetworks none" "DNSBL bl.test" "SPF no" "LoopMaxPasses 3" <<'WL'
127.0.0.25   OK
WL
S=$E2E_DIR/mxguard.sock
D=$E2E_DIR
BLREPLY='y 554 5.7.1 Service unavailable; client \[192\.0\.2\.99\] blocked using bl\.test'

# raw NAME - run the script on stdin through mtraw; output in $D/NAME.out
raw() { "$MTRAW" "$S" > "$D/$1.out" 2>&1; }
# has NAME REGEX DESC - the session's output has a line matching REGEX
has() {
	if grep -Eq -- "$2" "$D/$1.out"; then tap_ok "$3"
	else tap_fail "$3" "want: $2" "got: $(cut -c1-200 "$D/$1.out")"; fi
}
rep() { head -c "$1" /dev/zero | tr '\0' "$2"; }
big=$(rep 60000 h)

# connect HOST ADDR - a connect packet (family 4, port 25) as a script line
connect() { printf 'C %s\\0\x34\\x00\\x19%s\\0\n' "$1" "$2"; }

# plain - a well-formed session must still get the right answers
plain() {
	{ connect plain.example 192.0.2.1
	  echo 'H plain.example\0'
	  echo 'D Mi\0PLAIN1\0'
	  echo 'M <a@example.org>\0'
	  echo 'R <b@example.com>\0'
	  echo 'L Subject\0hello\0'
	  echo 'N'
	  echo 'E'; } | raw plain
	if grep -q '^C> c' "$D/plain.out" && grep -q '^R> c' "$D/plain.out" && grep -q '^E> c' "$D/plain.out"
	then tap_ok "$1: a plain session afterwards is accepted"
	else tap_fail "$1: a plain session afterwards is accepted" "$(cat "$D/plain.out")"; fi
}

round() {
	# oversized and binary values everywhere, a listed client, recipients
	# refused 10,000 times, headers anyway, and an end of message the MTA
	# should never have sent: refused with the DNSBL reply, not a crash
	{ echo "D C{daemon_name}\\0${big:0:30000}\\0j\\0${big:0:30000}\\0_\\0\\x01\\x02\\xff\\0"
	  connect "$big\\x01\\x7f\\xff\\x1b[2J" 192.0.2.99
	  echo "H $big\\0\\r\\n\\x00"
	  echo "D Mi\\0$big\\0{auth_authen}\\0\\0"
	  echo "M <$(rep 30000 a)@$(rep 29000 b)>\\0SIZE=1\\0BODY=8BITMIME\\0$(rep 200 'x\\0')"
	  echo "!repeat 10000 R <x@example.com>\\0"
	  echo "!repeat 10000 L X-Many\\0v\\0"
	  echo "L Subject\\0a\\0b\\0c\\0"
	  echo "N"
	  echo "E"; } | raw big
	has big '^C> c' "$1: 60 KB host name with control bytes: connect goes on"
	has big '^H> c' "$1: 60 KB HELO with NUL bytes: goes on"
	has big '^M> c' "$1: 60 KB sender with 200 ESMTP arguments: goes on"
	has big "^10000 x R> $BLREPLY" "$1: 10,000 recipients of a listed client: each refused with the DNSBL reply"
	has big '^10000 x L> c' "$1: 10,000 headers: each answered"
	has big "^E> $BLREPLY" "$1: end of message after every recipient was refused: the DNSBL reply"

	# a clean client: 10,000 Received: fields, 200 of them passes through
	# this host, a 60 KB header value with NUL bytes, 1 MB of body
	{ connect clean.example 192.0.2.1
	  echo 'D Mj\0mx.example.com\0i\0LOOP1\0'
	  echo 'H clean.example\0'
	  echo 'M <a@example.org>\0'
	  echo 'R <b@example.com>\0'
	  echo "!repeat 9800 L Received\\0from a (a [192.0.2.1]) by relay.example.net with SMTP id X; Thu, 26 Nov 2026 01:00:00 +0000\\0"
	  echo "!repeat 200 L Received\\0from b (b [192.0.2.2]) by mx.example.com (Postfix) with ESMTP id Y; Thu, 26 Nov 2026 01:00:00 +0000\\0"
	  echo "L X-Long\\0$big\\0\\0\\0\\0"
	  echo 'N'
	  echo "!repeat 17 B $big"
	  echo 'E'; } | raw loop
	has loop '^10000 x L> c|^9800 x L> c' "$1: 10,000 Received: fields: each answered"
	has loop '^E> y 554 5\.4\.6 Routing loop detected \(loop: 10000 Received headers\)' \
		"$1: 10,000 Received: fields from an outside client, no pass mark: refused with 5.4.6"
	tap_check "$1: ... never held" sh -c "! grep -q '^E> mod q' '$D/loop.out'"

	# 10,000 forged pass marks (one of them 60 KB): 32 examined, the rest
	# counted as dropped; delivered with a mark of ours on top
	{ connect clean.example 192.0.2.1
	  echo 'D Mj\0mx.example.com\0i\0MARKS1\0'
	  echo 'H clean.example\0'
	  echo 'M <a@example.org>\0'
	  echo 'R <b@example.com>\0'
	  echo "L X-Mxguard-Pass\\0$big\\0"
	  echo "!repeat 9999 L X-Mxguard-Pass\\0v=1; k=00000000; t=1796000000; h=mx.example.com; m=00000000000000000000000000000000\\0"
	  echo 'L Message-ID\0<m@example.org>\0'
	  echo 'N'
	  echo 'E'; } | raw marks
	has marks '^9999 x L> c|^10000 x L> c' "$1: 10,000 X-Mxguard-Pass fields: each answered"
	has marks '^E> mod i +X-Mxguard-Pass v=1; k=[0-9a-f]{8}; t=[0-9]+; h=[^;]+; m=[0-9a-f]{32} *$' "$1: ... none counts: passed on with our mark inserted"
	has marks '^E> c' "$1: ... and accepted"
	tap_check "$1: ... logged: 32 examined, none valid, 9968 dropped" \
		grep -q 'action=accept reason=clean client=192\.0\.2\.1 .* marks=0 marksignored=32 marksdropped=9968 received=0 passes=1$' "$MLOG"

	# a header packet of 1 MB: libmilter's 64 KB packet limit ends the
	# session (the MTA then applies milter_default_action); mxguard lives
	{ connect clean.example 192.0.2.1
	  echo 'M <a@example.org>\0'
	  echo 'R <b@example.com>\0'
	  echo "!rep L 1048576 h"
	  echo '!eof'; } | raw huge
	has huge '^(L> closed|L> send failed|closed)$' "$1: a 1 MB header packet: the session is closed"

	# garbage connect packets and unknown commands
	printf 'C h\\0\nC\n' | raw g1; has g1 '^C> closed' "$1: connect without family or address: closed"
	connect h 999.1.1.1 | raw g2; has g2 '^C> closed' "$1: connect with an invalid address: closed"
	printf 'C h\\0\x36\\x00\\x19zz::zz::1\\0\n' | raw g3; has g3 '^C> (closed|t|c)' "$1: connect with an invalid IPv6 address: no crash"
	printf 'C h\\0U\\x00\\x00/tmp/sock\\0\nH x\\0\nM <a@b>\\0\nR <c@d>\\0\nN\nE\n' | raw g4
	has g4 '^E> ' "$1: a unix-socket client: the session completes"
	{ connect h 192.0.2.1; echo 'Z junk'; echo '!eof'; } | raw g5
	has g5 '^closed' "$1: an unknown command: closed"
	{ connect h 192.0.2.1; echo 'M <a@b>\0'; echo 'R <c@d>\0'; echo 'L \0\0'; echo '!eof'; } | raw g6
	has g6 '^(L> closed|closed)' "$1: a header without a name: closed"

	# sessions that stop after each stage, and an aborted message followed
	# by another in the same session
	local stages=("" "H x\\0" "M <a@b>\\0" "R <c@d>\\0" "L Subject\\0x\\0" "N" "B part" "A")
	local i j
	for i in 0 1 2 3 4 5 6 7; do
		{ connect stop.example 192.0.2.1
		  for ((j = 1; j <= i; j++)); do echo "${stages[$j]}"; done
		  echo '!close'; } | raw "stop$i"
	done
	tap_check "$1: 8 sessions stopping after each stage: mxguard alive" kill -0 "$MXG_PID"
	{ connect h 192.0.2.1; echo 'H x\0'; echo 'M <a@b>\0'; echo 'R <c@d>\0'; echo 'L Subject\0x\0'; echo 'N'
	  echo 'A'; echo 'M <e@f>\0'; echo 'R <g@h>\0'; echo 'N'; echo 'E'; } | raw abort
	has abort '^E> c' "$1: abort, then a second message in the session: accepted"

	plain "$1"
}

# state of one message must not leak into the next of the same connection:
# a listed client that authenticates for its first message (accepted) and
# then sends another one without {auth_authen} (after RSET, or after a
# finished message) is refused for the second
{ connect listed.example 192.0.2.99
  echo 'H listed.example\0'
  echo 'D Mi\0AUTH1\0{auth_authen}\0alice\0'
  echo 'M <alice@example.org>\0'
  echo 'R <b@example.com>\0'
  echo 'A'
  echo 'D Mi\0NOAUTH1\0'
  echo 'M <mallory@example.org>\0'
  echo 'R <b@example.com>\0'
  echo '!close'; } | raw leak1
has leak1 '^R> c' "authenticated MAIL of a listed client: recipient accepted"
has leak1 "^R> $BLREPLY" "RSET, then MAIL without auth in the same connection: refused for the DNSBL"
{ connect listed.example 192.0.2.99
  echo 'H listed.example\0'
  echo 'D Mi\0AUTH2\0{auth_authen}\0alice\0'
  echo 'M <alice@example.org>\0'
  echo 'R <b@example.com>\0'
  echo 'L Subject\0x\0'
  echo 'N'
  echo 'E'
  echo 'D Mi\0NOAUTH2\0'
  echo 'M <mallory@example.org>\0'
  echo 'R <b@example.com>\0'
  echo '!close'; } | raw leak2
has leak2 '^E> c' "authenticated message of a listed client: accepted"
has leak2 "^R> $BLREPLY" "a second message without auth in the same connection: refused for the DNSBL"

rss() { awk '/^VmRSS/ { print $2 }' "/proc/$MXG_PID/status"; }
plain_build=1
[ -n "${MXG_WRAP:-}" ] || [ "${MXGUARD##*/test/san/}" != "$MXGUARD" ] && plain_build=0
round "round 1"
if [ $plain_build = 1 ]; then
	round "round 2"            # warm-up: libmilter's threads get their malloc arenas
	rss1=$(rss)
	for k in 3 4 5; do round "round $k"; done
	rss3=$(rss)
fi

# through a real Postfix: what a hostile SMTP client can make Postfix pass on
PF_EXTRA=$'smtpd_recipient_limit = 1000\nsmtpd_hard_error_limit = 2000\nsmtpd_soft_error_limit = 2000' pf_start mx "$MX" "$MXG_MILTER"
{ printf 'Subject: long line\r\nX-Big: '; rep 1000000 a; printf '\r\n\r\nbody\r\n'; } > "$D/m-line"
{ for i in $(seq 10000); do printf 'X-H%d: v\r\n' "$i"; done; printf '\r\nbody\r\n'; } > "$D/m-many"
printf 'Subject: nul\r\nX-Nul: a\0b\0c\r\n\r\nbo\0dy\r\n' > "$D/m-nul"
for m in line many nul; do
	if e2e_send 127.0.0.66 "$MX" "$m@example.net" u@example.com --data "@$D/m-$m" &&
		grep -q 'queued as' "$D/last-send.log"
	then tap_ok "Postfix: message with $m accepted"
	else tap_fail "Postfix: message with $m accepted" "$(tail -5 "$D/last-send.log")"; fi
done
rcpts=$(seq -f 'r%g@example.com' 1000 | paste -sd,)
e2e_send 127.0.0.66 "$MX" many@example.org "$rcpts" >/dev/null
tap_check "Postfix: 1,000 recipients in one message: accepted" grep -q 'queued as' "$D/last-send.log"
e2e_send 127.0.0.99 "$MX" listed@example.org "$rcpts" >/dev/null
tap_check "Postfix: 1,000 recipients from a listed client: each refused" \
	test "$(grep -c '<\*\* 554 5\.7\.1 Service unavailable' "$D/last-send.log")" -eq 1000
tap_check "Postfix: all four messages delivered (1,003 mailbox copies)" e2e_wait_for 30 e2e_eq 1003 e2e_delivered mx
tap_check "Postfix: no milter error in its log" sh -c "! grep -Ei 'milter.*(error|fail|timeout)' '$D/mx/maillog'"
tap_check "Postfix: mxguard logged each message" \
	test "$(grep -cE 'from=<(line|many|nul)@example\.net>|from=<many@example\.org>' "$MLOG")" -eq 4


# forged X-Mxguard fields: a few are removed one by one; a flood of them is
# refused at end of message (asking for 12,000 deletions made Postfix's
# cleanup panic: "too many reverse jump records")
printf 'Subject: two forged tags\r\nX-Mxguard: reason=clean (forged 1)\r\nX-Test: tags2\r\nX-Mxguard: reason=clean (forged 2)\r\n\r\nbody\r\n' > "$D/m-tags2"
{ printf 'Subject: tag flood\r\n'; for i in $(seq 12000); do printf 'X-Mxguard: reason=clean (forged %d)\r\n' "$i"; done
  printf '\r\nbody\r\n'; } > "$D/m-flood"
e2e_send 127.0.0.66 "$MX" flood@example.net u@example.com --data "@$D/m-flood"
tap_check "Postfix: 12,000 forged X-Mxguard fields: refused at end of message" \
	grep -q '<\*\* 550 5\.7\.1 Too many X-Mxguard header fields' "$D/last-send.log"
tap_check "... logged as action=reject reason=tag-flood" \
	e2e_wait_file_match "$MLOG" 'action=reject reason=tag-flood .*from=<flood@example\.net>' 5
e2e_send 127.0.0.66 "$MX" tags2@example.net u@example.com --data "@$D/m-tags2"
tap_check "Postfix: 2 forged X-Mxguard fields: accepted" grep -q 'queued as' "$D/last-send.log"
tap_check "... delivered (and the flood was not)" e2e_wait_for 30 e2e_eq 1004 e2e_delivered mx
tags2=$(grep -l '^X-Test: tags2' "$D"/mx/mail/inbox/new/* 2>/dev/null | head -1)
tap_check "... delivered without the forged X-Mxguard fields" \
	sh -c "[ -n '$tags2' ] && ! grep -q '^X-Mxguard:' '$tags2'"
# review: from a whitelisted peer (our backup MX) a 5xx would make the peer
# bounce to a possibly forged sender: passed on, the fields left in place
{ printf 'Subject: tag flood via peer\r\nX-Test: peerflood\r\n'; for i in $(seq 40); do printf 'X-Mxguard: reason=clean (forged %d)\r\n' "$i"; done
  printf '\r\nbody\r\n'; } > "$D/m-peerflood"
e2e_addr 127.0.0.25
e2e_send 127.0.0.25 "$MX" peerflood@example.net u@example.com --data "@$D/m-peerflood"
tap_check "Postfix: 40 forged X-Mxguard fields from a whitelisted peer: accepted" grep -q 'queued as' "$D/last-send.log"
tap_check "... logged as accepted from the whitelist, with a warning" \
	sh -c "grep -q 'action=accept reason=whitelist .*from=<peerflood@example\.net>' '$MLOG' && grep -q 'trusted client 127\.0\.0\.25 sent more than 16 foreign X-Mxguard fields' '$MLOG'"
tap_check "... delivered with the fields left in place" e2e_wait_for 30 sh -c \
	"f=\$(grep -l '^X-Test: peerflood' '$D'/mx/mail/inbox/new/* 2>/dev/null | head -1); [ -n \"\$f\" ] && [ \$(grep -c '^X-Mxguard:' \"\$f\") -eq 40 ]"
tap_check "Postfix: no panic, no crashed cleanup in its log" \
	sh -c "! grep -Eiq 'panic|killed by signal|too many reverse jump' '$D/mx/maillog'"

tap_check "mxguard is alive after all of it" kill -0 "$MXG_PID"
# log hygiene: no control bytes, no line over the 2048-byte log line limit
# (plus the timestamp and program prefix of stderr logging)
tap_check "log: no control bytes" sh -c "! LC_ALL=C grep -q '[[:cntrl:]]' '$MLOG'"
tap_check "log: no line longer than 2048 bytes + prefix" \
	awk 'length > 2048 + 40 { print NR ": " length; f = 1 } END { exit f }' "$MLOG"
tap_check "log: the hostile host name is logged quoted and cut" \
	grep -qE 'name=hhhhhhhh[^ ]*\.\.\.' "$MLOG"
if [ $plain_build = 1 ]; then
	echo "# RSS after round 2: ${rss1} kB, after round 5: ${rss3} kB"
	tap_check "memory: RSS after round 5 (${rss3} kB) within 10% of round 2 (${rss1} kB)" \
		test "$rss3" -le $((rss1 + rss1 / 10))
fi
mxg_stop
tap_check "mxguard stops cleanly (exit 0)" test "$MXG_EXIT" -eq 0
tap_done
