#!/bin/bash
# e2e/postfix-whitelist.sh - mxguard in front of a real Postfix, in a
# private network namespace on loopback. Clients connect from several
# 127.x addresses (names from the namespace's /etc/hosts, so Postfix
# forward-confirms them): a peer whitelisted by IP, one by host name, one by
# .domain, a TrustedNetworks client, a SASL-authenticated one (XCLIENT
# LOGIN) and plain clients. Each message must be delivered and logged by
# mxguard as mxguard(8) says, under the queue id Postfix gave it.
set -u
. "$(dirname "$0")/lib.sh"
e2e_enter_ns "$@"

MX=127.0.0.10
e2e_host 127.0.0.25 backup.example.net
e2e_host 127.0.0.26 mx2.example.org
e2e_host 127.0.0.66 plain.example.com
e2e_host 127.0.0.67 backup.example.net.attacker.test
# 127.0.0.24 (IP entry), 127.0.0.77 (no name), 127.0.0.88 (trusted) have no names

e2e_mxguard 'TrustedNetworks 127.0.0.88/32' 'SPF no' <<'WL'
127.0.0.24            OK
backup.example.net    OK
.example.org          OK
WL
pf_start mx "$MX" "$MXG_MILTER"
PLOG=$E2E_DIR/mx/maillog

n=0
# case DESC SRC EXPECT [swaks args] - send from SRC; mxguard's line for this
# message must start with "QID: action=accept reason=EXPECT..."
case_() {
	local desc=$1 src=$2 expect=$3 rcpt qid line; shift 3
	n=$((n + 1))
	rcpt="u$n@example.com"
	if ! e2e_send "$src" "$MX" "sender$n@example.net" "$rcpt" "$@"; then
		tap_fail "$desc: accepted by Postfix" "$(cat "$E2E_DIR/last-send.log")"
		return
	fi
	if ! wait_match "$MLOG" "rcpt=<$rcpt>" 10; then
		tap_fail "$desc: logged by mxguard" "$(tail -5 "$MLOG")"
		return
	fi
	line=$(grep "rcpt=<$rcpt>" "$MLOG" | sed 's/^[^ ]* mxguard\[[0-9]*\]: //')
	qid=$(grep -E "postfix/cleanup\[[0-9]+\]: [0-9A-F]+: .*<sender$n@example.net>|postfix/qmgr\[[0-9]+\]: [0-9A-F]+: from=<sender$n@example.net>" "$PLOG" \
		| head -1 | sed -E 's/.*: ([0-9A-F]+): .*/\1/')
	if [ -n "$qid" ] && printf '%s\n' "$line" | grep -Eq "^$qid: action=accept reason=$expect"; then
		tap_ok "$desc"
	else
		tap_fail "$desc" "queue id: ${qid:-none found}" "want: ^QID: action=accept reason=$expect" "got:  $line"
	fi
}

case_ "peer whitelisted by IP" 127.0.0.24 \
	'whitelist client=127\.0\.0\.24 name=unknown entry=127\.0\.0\.24 list=OK helo=\[127\.0\.0\.24\] from=<sender1@example\.net> rcpt=<u1@example\.com> received=0 passes=1$'
case_ "peer whitelisted by its forward-confirmed name" 127.0.0.25 \
	'whitelist client=127\.0\.0\.25 name=backup\.example\.net entry=backup\.example\.net list=OK helo=backup\.example\.net '
case_ "peer whitelisted by .domain" 127.0.0.26 \
	'whitelist client=127\.0\.0\.26 name=mx2\.example\.org entry=\.example\.org list=OK '
case_ "plain client with a name is clean" 127.0.0.66 \
	'clean client=127\.0\.0\.66 name=plain\.example\.com helo=plain\.example\.com '
case_ "plain client without a name is clean" 127.0.0.77 \
	'clean client=127\.0\.0\.77 name=unknown '
case_ "a name that only starts like an entry is clean" 127.0.0.67 \
	'clean client=127\.0\.0\.67 name=backup\.example\.net\.attacker\.test '
case_ "HELO claiming a whitelisted name does not whitelist" 127.0.0.77 \
	'clean client=127\.0\.0\.77 name=unknown helo=backup\.example\.net ' --helo backup.example.net
case_ "TrustedNetworks client" 127.0.0.88 'trusted client=127\.0\.0\.88 '
case_ "SASL-authenticated client (XCLIENT LOGIN)" 127.0.0.77 \
	'authenticated client=127\.0\.0\.77 ' --xclient "LOGIN=alice"

tap_is "every message delivered" "$n" e2e_delivered mx
tap_is "nothing left in the queue" 0 pf_queue_count mx
uid=$(awk '/^Uid:/ {print $3}' "/proc/$MXG_PID/status")
tap_is "mxguard runs as nobody while serving Postfix" "$(id -u nobody)" echo "$uid"
tap_check "no milter errors in Postfix's log" sh -c "! grep -Eq 'milter.*(error|reject|timeout)|warning: .*milter' '$PLOG'"
mxg_stop
tap_done
