#!/bin/bash
# e2e/sendmail.sh - mxguard in front of a real Sendmail (Debian's
# sendmail-bin, unpacked by test/e2e/sendmail-fetch, never installed: it
# conflicts with Postfix), in a private network namespace on loopback.
# The sendmail.cf is built with m4 from the packaged cf macros and
# contrib/sendmail.mc (so the snippet users paste is what is tested), the
# daemon listens on 127.0.0.40:25 with its own queue under $E2E_DIR, and
# mail for example.com goes to a mailer that writes a maildir.
# Proves: a whitelisted peer that the DNSBL lists is accepted and delivered;
# a listed client is refused at RCPT with mxguard's reply, logged under the
# queue id Sendmail assigned at MAIL; a whitelisted name that Sendmail cannot
# forward-confirm ({client_resolve} FORGED) is not trusted; a looping message
# (Sendmail's own stamp format, the pass marks of its earlier passes) is
# quarantined - listed by "mailq -qQ" with
# mxguard's reason, not delivered, not bounced, released with -qQ -Q - while
# its second pass is delivered; Sendmail hides the stamp it writes for the
# current arrival from milters (as Postfix does): counts say so; the queue
# id leads every log line.
# The test downloads nothing; without the unpacked root it bails out.
set -u
. "$(dirname "$0")/lib.sh"
SM_ROOT=${MXG_SENDMAIL_ROOT:-/var/lib/mxguard-test/sendmail}
SM_CF=$SM_ROOT/usr/share/sendmail/cf
SM_BIN=$SM_ROOT/usr/libexec/sendmail/sendmail
if [ ! -x "$SM_BIN" ] || [ ! -f "$SM_CF/m4/cf.m4" ]; then
	echo "Bail out! Sendmail is not unpacked in $SM_ROOT; run test/e2e/sendmail-fetch (as root) first"
	exit 1
fi
command -v m4 >/dev/null || e2e_die "m4 not installed (contrib/debian-packages)"
e2e_enter_ns "$@"

MX=127.0.0.40
ME=smx.example.test
D=$E2E_DIR/sm
e2e_host 127.0.0.25 backup.example.net
e2e_host 127.0.0.66 plain.example.com
e2e_host 127.0.0.68 forged.example.org   # forward lookup: 127.0.0.68 only (multi off) ...
e2e_host 127.0.0.69 forged.example.org   # ... so 127.0.0.69 is FORGED for Sendmail
echo 'multi off' >"$E2E_DIR/host.conf"
chmod 644 "$E2E_DIR/host.conf"
mount --bind "$E2E_DIR/host.conf" /etc/host.conf || e2e_die "cannot bind-mount /etc/host.conf"
e2e_host 127.0.0.30 relay.isp.example
e2e_host "$MX" "$ME"

mkdir -p "$E2E_DIR/dns"
printf ':127.0.0.2:Listed in bl.test\n127.0.0.24\n127.0.0.25\n127.0.0.99\n' >"$E2E_DIR/dns/bl.zone"
e2e_rbldnsd bl.test:ip4set:bl.zone
e2e_mxguard "TrustedNetworks none" "SPF no" "DNSBL bl.test" "DNSTimeout 3s" <<'WL'
127.0.0.24            OK
backup.example.net    OK
.example.org          OK
WL

# ---------------------------------------------------------------- Sendmail
mkdir -p "$D/queue" "$D/mail/tmp" "$D/mail/new"
chown nobody:nogroup "$D/mail" "$D/mail/tmp" "$D/mail/new"
chmod 700 "$D/queue"
cat >"$D/deliver" <<EOF
#!/bin/sh
# the mbox mailer: one file per message in a maildir
f=\$(mktemp "$D/mail/tmp/m.XXXXXX") && cat >"\$f" && mv "\$f" "$D/mail/new/"
EOF
chmod 755 "$D/deliver"
: >"$D/aliases"
printf 'hosts\tfiles\naliases\tfiles\n' >"$D/service.switch"
# contrib/sendmail.mc, with the socket this test's mxguard listens on
milter=$(sed "s|unix:/run/mxguard/mxguard.sock|$MXG_MILTER|" "$MXG_TOP_SRCDIR/contrib/sendmail.mc")
case "$milter" in
*"S=$MXG_MILTER,"*) ;;
*) e2e_die "contrib/sendmail.mc has no S=unix:/run/mxguard/mxguard.sock: $milter" ;;
esac
sm_cf "$D" "$ME" "$MX" "$milter" "$SM_CF"
grep -q "^Xmxguard, S=$MXG_MILTER, F=T, T=S:30s;R:60s" "$D/sendmail.cf" ||
	e2e_die "sendmail.cf has no mxguard filter line: $(grep '^X' "$D/sendmail.cf")"
CF=$D/sendmail.cf
smq() { "$SM_BIN" -C "$CF" "$@"; }
e2e_addr "$MX"
"$SM_BIN" -C "$CF" -bd -X "$D/traffic.log" >"$D/daemon.out" 2>&1 ||
	e2e_die "sendmail -bd failed: $(cat "$D/daemon.out")"
e2e_wait_for 10 e2e_listening "$MX" 25 || e2e_die "sendmail is not listening on $MX:25: $(cat "$D/daemon.out")"
read -r SM_PID <"$D/sendmail.pid" || e2e_die "no sendmail pid file"
e2e_bg "$SM_PID"

delivered() { find "$D/mail/new" -type f | wc -l; }
# has_mail N - how many delivered messages are for u<N>@example.com
has_mail() { grep -l "^To: u$1@example\.com" "$D"/mail/new/* 2>/dev/null | wc -l; }
qfiles() { find "$D/queue" -type f -name "$1*" | wc -l; }

n=0
# check DESC REGEX: test/e2e/lib.sh, on the line without its syslog prefix
MSG_KEY='from=<s%n@example\.net>' MSG_STRIP=1
# send SRC [swaks args] - message n from SRC; SEND_RC, SEND_TRANSCRIPT
send() {
	local src=$1; shift
	n=$((n + 1))
	e2e_msg "$src" "$MX" "s$n@example.net" "${SEND_RCPT:-u$n@example.com}" "$@"
}
# qid - the queue id Sendmail gave message n ("250 2.0.0 QID Message accepted")
qid() { printf '%s\n' "$SEND_TRANSCRIPT" | sed -nE 's/^<- +250 2\.0\.0 ([0-9A-Za-z]+) Message accepted.*/\1/p' | tail -1; }

# ---- a backup MX peer, whitelisted by address and listed by the DNSBL
send 127.0.0.24
tap_is "whitelisted peer: Sendmail accepted the message" 0 echo "$SEND_RC"
q=$(qid)
check "whitelisted peer: logged under Sendmail's queue id as accept reason=whitelist" \
	"^${q:-NO-QID}: action=accept reason=whitelist client=127\.0\.0\.24 name=unknown entry=127\.0\.0\.24 list=OK helo=\[127\.0\.0\.24\] from=<s1@example\.net> rcpt=<u1@example\.com> received=0 passes=1$"
if e2e_wait_for 15 e2e_eq 1 has_mail 1; then tap_ok "whitelisted peer: delivered"
else tap_fail "whitelisted peer: delivered" "$(smq -bp 2>&1 | tail -5)"; fi
tap_is "no DNSBL query for the whitelisted peer" 0 e2e_dns_queries '24\.0\.0\.127\.bl\.test'
tap_check "Sendmail did stamp it (the stamp mxguard is not shown, hence received=0)" \
	sh -c "grep -l '^To: u1@example\.com' '$D'/mail/new/* | xargs grep -q 'by $ME (8\.17'"

send 127.0.0.25
check "peer whitelisted by its forward-confirmed name" \
	"action=accept reason=whitelist client=127\.0\.0\.25 name=backup\.example\.net entry=backup\.example\.net list=OK "

# ---- a name Sendmail marks FORGED ({client_resolve}) is never matched
send 127.0.0.69
check "a name that is not forward-confirmed does not whitelist (Sendmail hands [addr])" \
	"action=accept reason=clean client=127\.0\.0\.69 score=0 name=unknown helo=forged\.example\.org "
send 127.0.0.68
check "... the same name, forward-confirmed, does" \
	"action=accept reason=whitelist client=127\.0\.0\.68 name=forged\.example\.org entry=\.example\.org "

# ---- a listed client is refused at RCPT with mxguard's reply
send 127.0.0.99
tap_check "listed client: refused at RCPT with mxguard's DNSBLReply (mxguard.conf(5))" \
	grep -Eq '^<\*\* +554 5\.7\.1 Service unavailable; client \[127\.0\.0\.99\] blocked using bl\.test' "$E2E_DIR/last-send.log"
check "listed client: logged action=reject reason=dnsbl with score and zone, under a queue id" \
	'^[0-9A-Za-z]{8,}: action=reject reason=dnsbl client=127\.0\.0\.99 score=1 name=unknown helo=\[127\.0\.0\.99\] from=<s5@example\.net> rcpt=<u5@example\.com> zones=bl\.test:127\.0\.0\.2$'

send 127.0.0.66
check "plain client: accept reason=clean; Sendmail's own stamp is not shown (received=0)" \
	"action=accept reason=clean client=127\.0\.0\.66 score=0 name=plain\.example\.com .* received=0 passes=1$"

# ---- loops: the chain a backup MX <-> ISP relay loop leaves, in Sendmail's format;
# the passes count by the X-Mxguard-Pass marks mxguard added to the copies
# delivered before (what the relay would have sent back), one envelope
# recipient and Message-ID throughout, as in a loop
stamp() {   # stamp FROM-NAME FROM-IP BY ID
	printf 'Received: from %s (%s [%s])\r\n\tby %s (8.17.1.9/8.17.1.9/Debian-2+deb12u2) with ESMTP id %s\r\n\tfor <%s>; Wed, 26 Nov 2025 01:%02d:00 +0100\r\n' \
		"$1" "$1" "$2" "$3" "$4" "$SEND_RCPT" "$5"
}
SEND_RCPT=loop@example.com
# loopmsg PASSES - a message that went through $ME PASSES-1 times before,
# with the marks of those passes (taken from the delivered copy of the last)
loopmsg() {
	local i
	RCPT=u$((n + 1))@example.com
	[ "$1" -gt 1 ] && grep -h '^X-Mxguard-Pass:' "$(grep -l "^Subject: loop test $(($1 - 1))\$" "$D"/mail/new/*)" | sed 's/$/\r/'
	for ((i = $1 - 1; i >= 1; i--)); do
		stamp relay.isp.example 127.0.0.30 relay.isp.example "5AQ0${i}0aR00123$i" $((i * 2 + 1))
		stamp relay.isp.example 127.0.0.30 "$ME" "5AQ0${i}0aS00123$i" $((i * 2))
	done
	stamp origin.example 192.0.2.7 relay.isp.example 5AQ000aR001230 0
	printf 'Message-ID: <loop.1@origin.example>\r\nFrom: alice@origin.example\r\nTo: %s\r\nSubject: loop test %s\r\n\r\nbody\r\n' "$RCPT" "$1"
}
loopmsg 1 >"$D/loop1.eml"
send 127.0.0.30 --data "$D/loop1.eml"
check "first pass: accept with received=1 passes=1" \
	"action=accept reason=clean client=127\.0\.0\.30 score=0 .*rcpt=<loop@example\.com> received=1 passes=1$"
if e2e_wait_for 15 e2e_eq 1 has_mail $n; then tap_ok "first pass: delivered, with mxguard's pass mark"
else tap_fail "first pass: delivered, with mxguard's pass mark" "$(smq -bp 2>&1 | tail -5)"; fi
tap_is "... one mark, made by $ME" 1 sh -c "grep -l '^Subject: loop test 1\$' '$D'/mail/new/* | xargs grep -h '^X-Mxguard-Pass: v=1; k=[0-9a-f]*; t=[0-9]*; h=$ME; m=[0-9a-f]*' | wc -l"
loopmsg 2 >"$D/loop2.eml"
send 127.0.0.30 --data "$D/loop2.eml"
tap_is "second pass: accepted by Sendmail" 0 echo "$SEND_RC"
check "second pass: accept with received=3 passes=2" \
	"action=accept reason=clean client=127\.0\.0\.30 score=0 .* received=3 passes=2$"
check "... counted by the mark of the first" " marks=1 received=3 "
if e2e_wait_for 15 e2e_eq 1 has_mail $n; then tap_ok "second pass: delivered"
else tap_fail "second pass: delivered" "$(smq -bp 2>&1 | tail -5)"; fi

loopmsg 3 >"$D/loop3.eml"
send 127.0.0.30 --data "$D/loop3.eml"
tap_is "third pass: Sendmail accepted it (into quarantine)" 0 echo "$SEND_RC"
LQ=$(qid)
check "third pass: logged action=quarantine reason=loop under the queue id, evidence named" \
	"^${LQ:-NO-QID}: action=quarantine reason=loop client=127\.0\.0\.30 score=0 name=relay\.isp\.example .* received=5 passes=3 detail=\"loop: 3rd pass through $ME\"$"
check "... proven by the marks of the two passes before" " marks=2 received=5 passes=3 "
quarantined() { smq -bp -qQ 2>&1; }
if e2e_wait_for 10 sh -c "'$SM_BIN' -C '$CF' -bp -qQ 2>&1 | grep -q '${LQ:-NO-QID}'"; then
	tap_ok "mailq -qQ lists the looping message"
else
	tap_fail "mailq -qQ lists the looping message" "$(quarantined)"
fi
tap_check "... with mxguard's reason" sh -c "'$SM_BIN' -C '$CF' -bp -qQ 2>&1 | grep -A3 '${LQ:-NO-QID}' | grep -q 'QUARANTINE: loop: 3rd pass through $ME'"
tap_check "... and it is held as a quarantined queue file (hf)" test -f "$D/queue/hf${LQ:-NO-QID}"
tap_is "the quarantined message is not delivered" 0 has_mail $n
tap_check "nothing else is queued (no bounce)" sh -c "'$SM_BIN' -C '$CF' -bp 2>&1 | grep -q 'queue is empty'"
tap_is "no queue file besides the held one (hf qf Qf xf)" "1 0 0 0" echo "$(qfiles hf) $(qfiles qf) $(qfiles Qf) $(qfiles xf)"

# ---- released by the admin, it is delivered
smq -qQ -Q "-qI${LQ:-NO-QID}" >/dev/null 2>&1
smq -qI"${LQ:-NO-QID}" >/dev/null 2>&1
if e2e_wait_for 15 e2e_eq 1 has_mail $n; then tap_ok "released (sendmail -qQ -Q), then delivered"
else tap_fail "released (sendmail -qQ -Q), then delivered" "$(quarantined)" "$(smq -bp 2>&1)"; fi
tap_check "the delivered copy is the looping message" \
	sh -c "grep -l 'Subject: loop test 3' '$D'/mail/new/* | grep -q ."
tap_is "the queue is empty afterwards" 0 qfiles ""
kill "$SM_PID"
mxg_stop
tap_done
