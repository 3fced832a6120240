#!/bin/bash
# e2e/demo.sh - the Quick start demo: a private Postfix with mxguard
# attached, in its own network namespace on loopback; sample mail from
# several clients goes through every decision mxguard makes so far, and a
# table of what happened is printed with mxguard's log lines; the run's log
# goes through mxguard-report --html into MXG_DEMO_REPORT (by default
# mxguard-demo-report.html in the build directory), and the demo says where.
# Exits 0 when every message got the decision it should, 1 otherwise.
set -u
. "$(dirname "$0")/lib.sh"
e2e_enter_ns "$@"

MX=127.0.0.10
e2e_host 127.0.0.25 backup-mx.example.net
e2e_host 127.0.0.66 mail.example.org
e2e_host 127.0.0.99 spam.example.test

# one DNS server for the demo: a blocklist that lists our own backup MX (the
# classic false reject) and a spammer, and SPF records for the senders
e2e_nsd demo.test <<'Z'
24.0.0.127.bl IN A 127.0.0.2
25.0.0.127.bl IN A 127.0.0.2
99.0.0.127.bl IN A 127.0.0.2
5.113.0.203.bl IN A 127.0.0.2
good          IN TXT "v=spf1 ip4:127.0.0.0/8 -all"
@             IN MX 10 mx
@             IN MX 20 backup3
mx            IN A 127.0.0.10
backup3       IN A 127.0.0.26
26.0.0.127.bl IN A 127.0.0.2
bank          IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
Z

# BackupMXFor: the MX hosts of demo.test other than this one (LocalNames) are
# peers too, with no whitelist entry: backup3.demo.test (127.0.0.26)
e2e_mxguard 'TrustedNetworks 127.0.0.88/32' 'DNSBL bl.demo.test' 'BackupMXFor demo.test' \
	'LocalNames mx.demo.test mx.example.test' <<'WL'
# trusted peers: our backup MX hosts
127.0.0.24              OK      # backup MX by address
backup-mx.example.net   OK      # backup MX by forward-confirmed name
127.0.0.20              RELAY   # backup MX whose relayed mail is checked by origin
WL
pf_start mx "$MX" "$MXG_MILTER"

echo "mxguard demo: Postfix on $MX:25 with mxguard attached (private network namespace)"
echo
printf '%-34s %-21s %-10s %-21s %s\n' "client" "expected" "SMTP" "mxguard" "delivered"
printf '%-34s %-21s %-10s %-21s %s\n' "------" "--------" "----" "-------" "---------"
bad=0 n=0
# demo_send LABEL SRC "EXPECTED-ACTION EXPECTED-REASON" [swaks args]
demo_send() {
	local label=$1 src=$2 want=$3 rcpt smtp got line before; shift 3
	n=$((n + 1)); rcpt="user$n@example.com"
	local from=${DEMO_FROM:-sender$n@good.demo.test}
	before=$(e2e_delivered mx)
	e2e_send "$src" "$MX" "$from" "$rcpt" "$@"
	smtp=$(grep -Eo '^<\*\* [0-9]{3}' "$E2E_DIR/last-send.log" | head -1 | cut -c5-)
	smtp=${smtp:+$smtp refused}
	smtp=${smtp:-250 queued}
	wait_match "$MLOG" "from=<$from>" 10
	line=$(grep -F "from=<$from>" "$MLOG" | tail -1 | sed 's/^[^ ]* //')
	got=$(printf '%s' "$line" | sed -nE 's/.* action=([a-z]+) reason=([a-z-]+).*/\1 \2/p')
	delivered_more() { [ "$(e2e_delivered mx)" -gt "$before" ]; }
	case $want in accept*) e2e_wait_for 5 delivered_more ;; esac
	printf '%-34s %-21s %-10s %-21s %s\n' "$label" "$want" "$smtp" "${got:-none}" \
		"$([ "$(e2e_delivered mx)" -gt "$before" ] && echo yes || echo no)"
	LINES+=("$line")
	[ "$got" = "$want" ] || bad=$((bad + 1))
}
LINES=()
demo_send "backup MX by IP, DNSBL-listed" 127.0.0.24 "accept whitelist"
demo_send "backup MX by name, DNSBL-listed" 127.0.0.25 "accept whitelist"
demo_send "backup MX from MX records, listed" 127.0.0.26 "accept whitelist"
demo_send "spammer 127.0.0.99, DNSBL-listed" 127.0.0.99 "reject dnsbl"
demo_send "spammer writing to postmaster@" 127.0.0.99 "accept dnsbl" --to postmaster@example.com
demo_send "trusted network (127.0.0.88)" 127.0.0.88 "accept trusted"
demo_send "SASL user alice (127.0.0.77)" 127.0.0.77 "accept authenticated" --xclient "LOGIN=alice"
demo_send "plain client (127.0.0.66)" 127.0.0.66 "accept clean"
demo_send "plain client, no rDNS (.77)" 127.0.0.77 "accept clean"
# a sender forging a loop (20 Received: fields, no pass mark of ours):
# refused 5.4.6 at SMTP time, its own MTA returns it; never held here
for i in $(seq 1 20); do
	printf 'Received: from h%d.forged.example ([192.0.2.%d])\r\n\tby mx.demo.test (Postfix) with ESMTP id F%d; Mon, 30 Nov 2026 10:00:00 +0000\r\n' "$i" "$i" "$i"
done > "$E2E_DIR/forged-loop"
printf 'Subject: forged loop\r\n\r\nbody\r\n' >> "$E2E_DIR/forged-loop"
demo_send "forged loop (20 Received:), .66" 127.0.0.66 "reject loop" --data "@$E2E_DIR/forged-loop"
# libspf2 passes every loopback client, so this one comes in as 198.51.100.66 (XCLIENT)
DEMO_FROM=ceo@bank.demo.test demo_send "forged bank sender, 198.51.100.66" 127.0.0.66 "reject spf" \
	--xclient ADDR=198.51.100.66

# a RELAY backup MX hands over spam it accepted from a listed origin
PF_MYHOSTNAME=backup2.example.net PF_EXTRA="virtual_mailbox_domains =
relay_domains = example.com
transport_maps = inline:{ example.com=smtp:[$MX]:25 }" pf_start backup 127.0.0.20
n=$((n + 1))
e2e_send 127.0.0.66 127.0.0.20 "sender$n@good.demo.test" "user$n@example.com" --xclient ADDR=203.0.113.5
wait_match "$MLOG" "from=<sender$n@good.demo.test>" 15
line=$(grep -F "from=<sender$n@good.demo.test>" "$MLOG" | tail -1 | sed 's/^[^ ]* //')
got=$(printf '%s' "$line" | sed -nE 's/.* action=([a-z]+) reason=([a-z-]+).*/\1 \2/p')
tagged() { grep -l '^X-Mxguard: reason=relay-origin origin=203\.0\.113\.5' "$E2E_DIR"/mx/mail/inbox/new/* >/dev/null 2>&1; }
e2e_wait_for 10 tagged && delivered="yes, with X-Mxguard" || delivered="NO"
printf '%-34s %-21s %-10s %-21s %s\n' "spam relayed by the RELAY backup" "tag relay-origin" \
	"250 queued" "${got:-none}" "$delivered"
LINES+=("$line")
[ "$got" = "tag relay-origin" ] && [ "$delivered" != NO ] || bad=$((bad + 1))

# the relay loop: our MX relays example.net to an ISP relay that sends it straight back
PF_MYHOSTNAME=relay.isp.example PF_EXTRA="virtual_mailbox_domains =
relay_domains = example.net
transport_maps = inline:{ example.net=smtp:[$MX]:25 }" pf_start relay 127.0.0.30
pf_stop mx
PF_EXTRA="relay_domains = example.net
transport_maps = inline:{ example.net=smtp:[127.0.0.30]:25 }" pf_start mx "$MX" "$MXG_MILTER"
n=$((n + 1))
e2e_send 127.0.0.66 "$MX" "sender$n@good.demo.test" "lost@example.net"
held() { [ "$(pf_hold_count mx)" -ge 1 ]; }
e2e_wait_for 20 held
line=$(grep "action=quarantine reason=loop" "$MLOG" | tail -1 | sed 's/^[^ ]* //')
got=$(printf '%s' "$line" | sed -nE 's/.* action=([a-z]+) reason=([a-z-]+).*/\1 \2/p')
printf '%-34s %-21s %-10s %-21s %s\n' "real loop, 3rd pass (2 pass marks)" "quarantine loop" \
	"250 queued" "${got:-none}" "$(held && echo "held (postsuper -H)" || echo NO)"
LINES+=("$line")
[ "$got" = "quarantine loop" ] || bad=$((bad + 1))
echo
echo "mxguard's log lines:"
for l in "${LINES[@]}"; do echo "  $l"; done
echo
echo "Why was the listed backup3.demo.test (127.0.0.26) accepted? mxguard -t explains, without sending mail:"
echo "  \$ mxguard -t 127.0.0.26 -H backup3.demo.test -s sender@good.demo.test"
"$MXGUARD" -c "$E2E_DIR/mxguard.conf" -t 127.0.0.26 -H backup3.demo.test -s sender@good.demo.test 2>&1 | sed 's/^/  /'
[ "${PIPESTATUS[0]}" -eq 0 ] || bad=$((bad + 1))
echo
if [ "$bad" -eq 0 ]; then
	echo "demo: all $n messages decided as expected: the listed backup MX got through (by whitelist, and by our own MX records), the listed spammer and the forged sender did not, spam relayed by the backup was tagged by its origin, the looping message is on hold (its 3rd pass proven by 2 signed pass marks) instead of bounced, and a forged loop was refused, not held"
	echo "DNSBL and SPF checks made for the whitelisted backup MX: $(grep -E 'reason=whitelist' "$MLOG" | grep -cE ' (score|spf)=')"
else
	echo "demo: $bad of $n messages were not decided as expected"
fi
kill -USR2 "$MXG_PID"                   # the stats lines, for the report's zone table
wait_match "$MLOG" "stats dnsbl zone=bl\.demo\.test" 5
mxg_stop
report=${MXG_DEMO_REPORT:-$MXG_TOP_BUILDDIR/mxguard-demo-report.html}
if perl "$MXG_TOP_SRCDIR/contrib/mxguard-report" --html "$MLOG" > "$report"; then
	echo "demo: the HTML report of this run (mxguard-report --html): $report"
else
	echo "demo: mxguard-report --html failed"
	bad=$((bad + 1))
fi
[ "$bad" -eq 0 ]
