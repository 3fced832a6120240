#!/bin/bash
# smoke-postfix.sh - sanity check of the e2e harness (no mxguard involved):
# private Postfix instance in a network namespace, forward-confirmed client
# names from /etc/hosts, virtual delivery, and milter_default_action=tempfail.
# shellcheck disable=SC2317 # small predicates below are called via tap_check
set -u
srcdir=${srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=test/e2e/lib.sh
. "$srcdir/test/e2e/lib.sh"
e2e_enter_ns "$@"

MX=127.0.0.10
e2e_host 127.0.0.25 backup.example.net
e2e_host 127.0.0.66 plain-client
# 127.0.0.77 deliberately has no hosts entry.

fwd() { getent ahostsv4 backup.example.net | grep -q '^127\.0\.0\.25 '; }
rev() { getent hosts 127.0.0.25 | grep -qw 'backup\.example\.net'; }
norev() { ! getent hosts 127.0.0.77 >/dev/null; }
tap_check "hosts: forward lookup (AF_INET, AI_ADDRCONFIG)" fwd
tap_check "hosts: reverse lookup" rev
tap_check "hosts: no name for 127.0.0.77" norev

pf_start mx "$MX"
LOG=$E2E_DIR/mx/maillog

for src in 127.0.0.25 127.0.0.66 127.0.0.77; do
	if e2e_send "$src" "$MX" sender@example.org "user-$src@example.com"; then
		tap_ok "message from $src accepted"
	else
		tap_fail "message from $src accepted (swaks status $?)" \
			"$(tail -n 15 "$E2E_DIR/last-send.log")"
	fi
done

e2e_wait_for 10 e2e_eq 3 e2e_delivered mx
tap_is "3 messages delivered" 3 e2e_delivered mx
tap_is "queue is empty" 0 pf_queue_count mx

tap_check "maillog: client=backup.example.net[127.0.0.25]" \
	e2e_wait_file_match "$LOG" 'client=backup\.example\.net\[127\.0\.0\.25\]' 5
tap_check "maillog: client=plain-client[127.0.0.66]" \
	e2e_wait_file_match "$LOG" 'client=plain-client\[127\.0\.0\.66\]' 5
tap_check "maillog: client=unknown[127.0.0.77]" \
	e2e_wait_file_match "$LOG" 'client=unknown\[127\.0\.0\.77\]' 5

# Unreachable milter: with milter_default_action=tempfail nothing may be
# accepted.
pf_stop mx
closed() { ! e2e_listening "$MX" 25; }
tap_check "instance stopped (port closed)" closed
pf_start mx "$MX" "unix:$E2E_DIR/nonexistent.sock"
if e2e_send 127.0.0.25 "$MX" sender@example.org user@example.com; then
	tap_fail "send without milter is refused" \
		"$(tail -n 15 "$E2E_DIR/last-send.log")"
else
	tap_ok "send without milter is refused"
fi
tap_check "refusal is a 4xx" \
	grep -Eq '^<\*\* +4[0-9][0-9][ -]' "$E2E_DIR/last-send.log"
tap_check "maillog: milter-reject 451" \
	e2e_wait_file_match "$LOG" 'milter-reject: MAIL from backup\.example\.net\[127\.0\.0\.25\]: 451 ' 5
tap_is "nothing more delivered" 3 e2e_delivered mx
tap_is "nothing queued" 0 pf_queue_count mx

tap_done
