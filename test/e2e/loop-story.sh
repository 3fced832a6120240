#!/bin/bash
# e2e/loop-story.sh - the story mxguard was born from, with two real
# Postfix instances in a private network namespace: a backup MX relays the
# domain to an "ISP relay", and the relay, the primary being down, sends it
# straight back. With mxguard on the backup the message ends in the hold
# queue after LoopMaxPasses passes (counted by its X-Mxguard-Pass marks,
# under the loop key lib.sh makes), nothing bounces, nothing is lost, and
# postsuper -H delivers it once the route is fixed. Without mxguard the
# same setup bounces it (so this test proves something).
set -u
. "$(dirname "$0")/lib.sh"
e2e_enter_ns "$@"

SENDER=alice@origin.example
# pair NAME-SUFFIX BACKUP-ADDR RELAY-ADDR MILTER - the two MTAs pointing at each other
pair() {
	PF_MYHOSTNAME=backup.example.net PF_EXTRA="virtual_mailbox_domains =
relay_domains = example.com
transport_maps = inline:{ example.com=smtp:[$3]:25 }" pf_start "backup$1" "$2" "$4"
	PF_MYHOSTNAME=relay.isp.example PF_EXTRA="virtual_mailbox_domains =
relay_domains = example.com
transport_maps = inline:{ example.com=smtp:[$2]:25 }" pf_start "relay$1" "$3"
}
bounced() { grep -hE 'status=bounced|sender non-delivery notification' "$E2E_DIR/backup$1/maillog" "$E2E_DIR/relay$1/maillog"; }

# ---- with mxguard on the backup MX (LocalNames left to default: the MTA's {j})
e2e_mxguard "TrustedNetworks none" "SPF no" < /dev/null
pair "" 127.0.0.20 127.0.0.30 "$MXG_MILTER"
e2e_send 127.0.0.66 127.0.0.20 "$SENDER" u@example.com || e2e_die "first send refused: $(cat "$E2E_DIR/last-send.log")"
if e2e_wait_for 20 sh -c "[ \$(find '$E2E_DIR/backup/spool/hold' -type f | wc -l) -ge 1 ]"; then
	tap_ok "the looping message is on hold in the backup MX"
else
	tap_fail "the looping message is on hold in the backup MX" "$(tail -5 "$MLOG")" "$(tail -8 "$E2E_DIR/backup/maillog")"
fi
tap_check "mxguard quarantined it at the 3rd pass, naming the evidence" \
	grep -Eq 'action=quarantine reason=loop client=127\.0\.0\.30 .* received=4 passes=3 detail="loop: 3rd pass through backup\.example\.net"' "$MLOG"
tap_check "... proven by the two marks of its earlier passes" \
	grep -Eq 'action=quarantine reason=loop client=127\.0\.0\.30 .* marks=2 received=4 passes=3 ' "$MLOG"
tap_check "the first pass was accepted" grep -Eq 'action=accept reason=clean client=127\.0\.0\.66 .* received=0 passes=1$' "$MLOG"
tap_check "the second pass was accepted" grep -Eq 'action=accept reason=clean client=127\.0\.0\.30 .* received=2 passes=2$' "$MLOG"
tap_check "Postfix put it on hold at end of message" grep -q 'milter-hold: END-OF-MESSAGE from unknown\[127.0.0.30\]: milter triggers HOLD action; from=<alice@origin.example> to=<u@example.com>' "$E2E_DIR/backup/maillog"
sleep 2
tap_is "nothing bounced anywhere" "" bounced ""
tap_is "exactly one copy exists: on hold in the backup" "1 1 0" \
	echo "$(pf_queue_count backup) $(pf_hold_count backup) $(pf_queue_count relay)"

# the admin fixes the route (the backup now delivers locally) and releases the mail
PF_MYHOSTNAME=backup.example.net pf_start backup 127.0.0.20 "$MXG_MILTER"
pf_cmd backup postsuper -H ALL >/dev/null 2>&1
if e2e_wait_for 15 sh -c "[ \$(find '$E2E_DIR/backup/mail/inbox/new' -type f 2>/dev/null | wc -l) -ge 1 ]"; then
	tap_ok "postsuper -H releases it and it is delivered"
else
	tap_fail "postsuper -H releases it and it is delivered" "$(tail -6 "$E2E_DIR/backup/maillog")"
fi
tap_is "the queue is empty afterwards" 0 pf_queue_count backup
tap_check "the delivered message is the original, with its loop trail" \
	sh -c "grep -l 'Received: from relay.isp.example' '$E2E_DIR'/backup/mail/inbox/new/* | head -1 | grep -q ."
# delivered_marks - pass marks of the backup in the delivered copy: how many, how many distinct
delivered_marks() {
	grep -h '^X-Mxguard-Pass: v=1; k=[0-9a-f]\{8\}; t=[0-9]*; h=backup\.example\.net; m=[0-9a-f]\{32\}$' \
		"$E2E_DIR"/backup/mail/inbox/new/* > "$E2E_DIR/marks"
	echo "$(wc -l < "$E2E_DIR/marks") $(sort -u "$E2E_DIR/marks" | wc -l)"
}
tap_is "... and the three distinct pass marks of the backup" "3 3" delivered_marks
pf_stop backup
pf_stop relay
mxg_stop

# ---- the same without mxguard: the loop runs until a hop limit bounces the mail
pair 2 127.0.0.21 127.0.0.31 ""
e2e_send 127.0.0.66 127.0.0.21 "$SENDER" u@example.com || e2e_die "send refused"
if e2e_wait_for 60 sh -c "grep -hqE 'too many hops|status=bounced' '$E2E_DIR/backup2/maillog' '$E2E_DIR/relay2/maillog'"; then
	tap_ok "without mxguard the loop ends in a bounce"
else
	tap_fail "without mxguard the loop ends in a bounce" "$(tail -5 "$E2E_DIR/backup2/maillog")"
fi
tap_check "... and the bounce is the hop limit" grep -hqE 'too many hops|mail forwarding loop' "$E2E_DIR/backup2/maillog" "$E2E_DIR/relay2/maillog"
tap_done
