#!/bin/bash
# e2e/demo.sh - the Quick start demo: a private Postfix with mxguard
# attached, in its own network namespace on loopback; sample mail from
# several clients goes through every decision mxguard makes so far, and a
# table of what happened is printed with mxguard's log lines. Exits 0 when
# every message got the decision it should, 1 otherwise.
set -u
. "$(dirname "$0")/lib.sh"
e2e_enter_ns "$@"

MX=127.0.0.10
e2e_host 127.0.0.25 backup-mx.example.net
e2e_host 127.0.0.66 mail.example.org

e2e_mxguard 'TrustedNetworks 127.0.0.88/32' <<'WL'
# trusted peers: our backup MX hosts
127.0.0.24              OK      # backup MX by address
backup-mx.example.net   OK      # backup MX by forward-confirmed name
WL
pf_start mx "$MX" "$MXG_MILTER"

echo "mxguard demo: Postfix on $MX:25 with mxguard attached (private network namespace)"
echo
printf '%-32s %-14s %-10s %-15s %s\n' "client" "expected" "SMTP" "mxguard" "delivered"
printf '%-32s %-14s %-10s %-15s %s\n' "------" "--------" "----" "-------" "---------"
bad=0 n=0
# demo_send LABEL SRC EXPECTED-REASON [swaks args]
demo_send() {
	local label=$1 src=$2 want=$3 rcpt smtp got line before; shift 3
	n=$((n + 1)); rcpt="user$n@example.com"
	before=$(e2e_delivered mx)
	if e2e_send "$src" "$MX" "sender$n@example.net" "$rcpt" "$@"; then smtp="250 queued"; else smtp="refused"; fi
	wait_match "$MLOG" "rcpt=<$rcpt>" 10
	line=$(grep "rcpt=<$rcpt>" "$MLOG" | sed 's/^[^ ]* //')
	got=$(printf '%s' "$line" | sed -nE 's/.* action=([a-z]+) reason=([a-z-]+).*/\1 \2/p')
	delivered_more() { [ "$(e2e_delivered mx)" -gt "$before" ]; }
	e2e_wait_for 5 delivered_more
	printf '%-32s %-14s %-10s %-15s %s\n' "$label" "$want" "$smtp" "${got:-none}" \
		"$([ "$(e2e_delivered mx)" -gt "$before" ] && echo yes || echo NO)"
	LINES+=("$line")
	[ "$got" = "accept $want" ] || bad=$((bad + 1))
}
LINES=()
demo_send "backup MX by IP (127.0.0.24)" 127.0.0.24 whitelist
demo_send "backup MX by name (127.0.0.25)" 127.0.0.25 whitelist
demo_send "trusted network (127.0.0.88)" 127.0.0.88 trusted
demo_send "SASL user alice (127.0.0.77)" 127.0.0.77 authenticated --xclient "LOGIN=alice"
demo_send "plain client (127.0.0.66)" 127.0.0.66 clean
demo_send "plain client, no rDNS (.77)" 127.0.0.77 clean
echo
echo "mxguard's log lines:"
for l in "${LINES[@]}"; do echo "  $l"; done
echo
if [ "$bad" -eq 0 ]; then
	echo "demo: all $n messages decided as expected and delivered (DNSBL, SPF and loop checks arrive in later releases)"
else
	echo "demo: $bad of $n messages were not decided as expected"
fi
mxg_stop
[ "$bad" -eq 0 ]
