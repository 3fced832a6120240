#!/bin/bash
# e2e/negotiate.sh - what a real Postfix and a real Sendmail agree with
# mxguard at option negotiation, seen on the wire: test/e2e/miltertap.py
# sits between the MTA and mxguard and logs every packet. Proves, for each
# MTA: what it offered (protocol 6, the no-reply flags among them); that
# mxguard asked for no reply at connect, HELO, MAIL, the headers and end
# of headers, and for no body, unknown commands or DATA; its macro lists;
# that of a message with 23 header fields and two recipients it answered
# exactly the two RCPTs and the end of message; that a DNSBL-listed client
# is still refused at RCPT with mxguard's reply and a loop at end of
# message; and the decision lines. A client offering no flags at all is
# test/proto/negotiate.sh's. Without the unpacked Sendmail its part is
# skipped (said so).
set -u
. "$(dirname "$0")/lib.sh"
SM_ROOT=${MXG_SENDMAIL_ROOT:-/var/lib/mxguard-test/sendmail}
SM_CF=$SM_ROOT/usr/share/sendmail/cf
SM_BIN=$SM_ROOT/usr/libexec/sendmail/sendmail
e2e_enter_ns "$@"

mkdir -p "$E2E_DIR/dns"
printf ':127.0.0.2:Listed in bl.test\n127.0.0.99\n' >"$E2E_DIR/dns/bl.zone"
e2e_rbldnsd bl.test:ip4set:bl.zone
e2e_mxguard "TrustedNetworks none" "SPF no" "DNSBL bl.test" "DNSTimeout 3s" \
	"LoopMaxReceived 20" <<'WL'
127.0.0.67   OK
WL
TAP=$E2E_DIR/tap.sock
TAPLOG=$E2E_DIR/tap.log
python3 "$MXG_TOP_SRCDIR/test/e2e/miltertap.py" "$TAP" "$E2E_DIR/mxguard.sock" "$TAPLOG" &
e2e_bg $!
e2e_wait_for 5 test -S "$TAP" || e2e_die "miltertap did not start"
e2e_host 127.0.0.66 plain.example.com
e2e_host 127.0.0.99 listed.example.com
e2e_host 127.0.0.67 peer.example.com     # our backup MX: its loops are held, not refused

# msg FILE NRECEIVED - a message with 23 header fields, NRECEIVED of them Received
msg() {
	local i
	for ((i = 1; i <= $2; i++)); do
		printf 'Received: from h%d.example (h%d.example [192.0.2.%d])\r\n\tby h%d.example (Postfix) with ESMTP id A%d; Wed, 26 Nov 2025 01:00:%02d +0100\r\n' \
			"$i" "$i" "$i" $((i + 1)) "$i" "$i"
	done
	for ((i = $2 + 1; i <= 18; i++)); do printf 'X-Filler-%d: value %d\r\n' "$i" "$i"; done
	printf 'From: alice@example.net\r\nTo: u@example.com\r\nSubject: negotiation\r\n'
	printf 'Message-ID: <%s@example.net>\r\nDate: Wed, 26 Nov 2025 01:00:00 +0100\r\n\r\nbody\r\n' "$1"
}
msg clean 2 >"$E2E_DIR/clean.eml"
msg loop 21 >"$E2E_DIR/loop.eml"
# conn N - the tap's last connection number
lastconn() { tail -1 "$TAPLOG" | cut -d' ' -f1; }
# packets N WHO - the packet lines of connection N from WHO, without the number
packets() { awk -v n="$1" -v w="$2" '$1 == n && $2 == w { $1 = ""; $2 = ""; sub(/^  /, ""); print }' "$TAPLOG"; }
# first N WHO - the first packet line (the negotiation) of connection N from WHO
first() { packets "$1" "$2" | head -1; }
# answered N - the filter's replies to the MTA's commands, in order, as "cmd:reply"
# (header changes - h, i, m - are actions, not replies)
answered() {
	awk -v n="$1" '$1 != n { next }
		$2 == "mta" && $3 !~ /^[DA]$/ { last = $3 }
		$2 == "filter" && $3 !~ /^[hmi+-O]$/ { out = out sep last ":" $3; sep = " " }
		END { print out }' "$TAPLOG"
}
NR='0x47390'   # NR_CONN NR_HELO NR_MAIL NR_HDR NR_EOH | NOBODY NOUNKNOWN NODATA
MACROS='macros=0:j {client_resolve};2:i {auth_authen};5:i'

# check MTA SEND... - one clean message (2 recipients), a listed client, a loop
check() {
	local mta=$1 c; shift
	: >"$TAPLOG.before"
	"$@" 127.0.0.66 u1@example.com --to u1@example.com,u2@example.com --data "$E2E_DIR/clean.eml"
	e2e_wait_file_match "$MLOG" 'from=<s@example\.net> rcpt=<u1@example\.com> nrcpt=2' 10
	c=$(lastconn)
	tap_is "$mta: mxguard asked no reply at connect/HELO/MAIL/headers/EOH, no body/unknown/DATA; its macros" \
		"O version=6 actions=$ACT protocol=$NR $MACROS" first "$c" filter
	tap_is "$mta: of 23 header fields and 2 recipients, only the RCPTs and the end of message answered" \
		"R:c R:c E:c" answered "$c"
	tap_check "$mta: the message's decision line" \
		grep -Eq "action=accept reason=clean client=127\.0\.0\.66 score=0 name=plain\.example\.com .* rcpt=<u1@example\.com> nrcpt=2 received=2 passes=1$" "$MLOG"

	"$@" 127.0.0.99 u3@example.com
	tap_check "$mta: a listed client is refused at RCPT with mxguard's reply" \
		grep -Eq '^<\*\* +554 5\.7\.1 Service unavailable; client \[127\.0\.0\.99\] blocked using bl\.test' "$E2E_DIR/last-send.log"
	e2e_wait_file_match "$MLOG" "action=reject reason=dnsbl client=127\.0\.0\.99 .*rcpt=<u3@example\.com>" 10 &&
		tap_ok "$mta: ... logged reason=dnsbl" || tap_fail "$mta: ... logged reason=dnsbl" "$(tail -3 "$MLOG")"
	"$@" 127.0.0.67 u4@example.com --data "$E2E_DIR/loop.eml"
	c=$(lastconn)
	e2e_wait_file_match "$MLOG" "action=quarantine reason=loop client=127\.0\.0\.67 .*rcpt=<u4@example\.com> received=2[12] passes=1 detail=" 10 &&
		tap_ok "$mta: a loop (21 Received fields) is quarantined at end of message" ||
		tap_fail "$mta: a loop (21 Received fields) is quarantined at end of message" "$(tail -3 "$MLOG")"
	tap_check "$mta: ... the MTA was told so (quarantine packet)" sh -c "grep -q '^$c filter q$' '$TAPLOG'"
}

# ---------------------------------------------------------------- Postfix
PF_EXTRA='milter_protocol = 6
smtpd_delay_reject = no' pf_start mx 127.0.0.10 "unix:$TAP"
pf_send() { local src=$1 rcpt=$2; shift 2; e2e_send "$src" 127.0.0.10 s@example.net "$rcpt" "$@"; }
ACT=0x131        # ADDHDRS CHGHDRS QUARANTINE SETSYMLIST
check Postfix pf_send
pf_offer=$(first "$(lastconn)" mta)
tap_is "Postfix offered every protocol flag" "O version=6 actions=0x1ff protocol=0x1fffff" echo "$pf_offer"
pf_stop mx

# ---------------------------------------------------------------- Sendmail
if [ ! -x "$SM_BIN" ] || [ ! -f "$SM_CF/m4/cf.m4" ] || ! command -v m4 >/dev/null; then
	echo "# skipped: Sendmail is not unpacked in $SM_ROOT (test/e2e/sendmail-fetch)"
	tap_done
	exit
fi
MX=127.0.0.40
D=$E2E_DIR/sm
mkdir -p "$D/queue" "$D/mail/tmp" "$D/mail/new"
chown nobody:nogroup "$D/mail" "$D/mail/tmp" "$D/mail/new"
chmod 700 "$D/queue"
printf '#!/bin/sh\nf=$(mktemp "%s/mail/tmp/m.XXXXXX") && cat >"$f" && mv "$f" "%s/mail/new/"\n' "$D" "$D" >"$D/deliver"
chmod 755 "$D/deliver"
: >"$D/aliases"
printf 'hosts\tfiles\naliases\tfiles\n' >"$D/service.switch"
e2e_host "$MX" smx.example.test
milter=$(sed "s|unix:/run/mxguard/mxguard.sock|unix:$TAP|" "$MXG_TOP_SRCDIR/contrib/sendmail.mc")
sm_cf "$D" smx.example.test "$MX" "$milter" "$SM_CF"
e2e_addr "$MX"
"$SM_BIN" -C "$D/sendmail.cf" -bd >"$D/daemon.out" 2>&1 || e2e_die "sendmail -bd failed: $(cat "$D/daemon.out")"
e2e_wait_for 10 e2e_listening "$MX" 25 || e2e_die "sendmail is not listening: $(cat "$D/daemon.out")"
read -r SM_PID <"$D/sendmail.pid" || e2e_die "no sendmail pid file"
e2e_bg "$SM_PID"
sm_send() { local src=$1 rcpt=$2; shift 2; e2e_send "$src" "$MX" s@example.net "$rcpt" "$@"; }
check Sendmail sm_send
sm_offer=$(first "$(lastconn)" mta)
echo "# Sendmail offered: $sm_offer"
tap_is "Sendmail offered protocol 6 and every protocol flag" \
	"O version=6 actions=0x1ff protocol=0x1fffff" echo "$sm_offer"
kill "$SM_PID"
tap_done
