#!/bin/bash
# e2e/relay.sh - the whole backup-MX story with two real Postfix instances
# in a private network namespace: a backup MX (no filter, itself on the
# DNSBL) relays example.com to the primary, which runs mxguard with the
# backup listed as RELAY. Origins reach the backup through XCLIENT. The
# peer is trusted and never refused, yet the spam it relays is caught by
# its origin, and nothing bounces. A second backup MX runs a content filter
# as amavisd-new setups do (content_filter to a loop-back smtpd of the same
# instance that re-injects): its re-injection stamp from 127.0.0.1 on top
# must not hide the origin (issue 12).
set -u
. "$(dirname "$0")/lib.sh"
e2e_enter_ns "$@"

PRIMARY=127.0.0.10 BACKUP=127.0.0.20 FILTERED=127.0.0.30
# 127.0.0.1 (the filter's re-injection client) is not listed: an origin
# taken from the re-injection stamp would pass unmarked. "why" (split into
# TXT strings of 200 bytes) is the hostile exp= text of issue 12.
# shellcheck disable=SC2046
e2e_nsd relay.test <<Z
5.113.0.203.bl  IN A   127.0.0.2
20.0.0.127.bl   IN A   127.0.0.2
30.0.0.127.bl   IN A   127.0.0.2
open            IN TXT "v=spf1 +all"
strict          IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
expcrash        IN TXT "v=spf1 ?all exp=why.relay.test"
why             IN TXT $(printf '"%s" ' $(printf '%%{d}%.0s' $(seq 1 127) | fold -w 200) $(printf 'x%.0s' $(seq 1 400) | fold -w 200))
Z
e2e_mxguard "TrustedNetworks none" "DNSBL bl.relay.test" "DNSTimeout 2s" <<WL
$BACKUP     RELAY
$FILTERED   RELAY
WL
pf_start primary "$PRIMARY" "$MXG_MILTER"
PF_MYHOSTNAME=backup.example.net PF_EXTRA="virtual_mailbox_domains =
relay_domains = example.com
transport_maps = inline:{ example.com=smtp:[$PRIMARY]:25 }" pf_start backup "$BACKUP"
# the filtered backup: everything goes through "scan" (an smtp client from
# 127.0.0.1, as amavisd-new's) to its own smtpd on 127.0.0.1:10025, which
# re-injects with content_filter= and the usual receive_override_options
PF_MYHOSTNAME=backup2.example.net PF_EXTRA="virtual_mailbox_domains =
relay_domains = example.com
transport_maps = inline:{ example.com=smtp:[$PRIMARY]:25 }
content_filter = scan:[127.0.0.1]:10025" pf_start filtered "$FILTERED"
cat >> "$E2E_DIR/filtered/etc/master.cf" <<'MC'
scan      unix  -       -       n       -       2       smtp
  -o smtp_bind_address=127.0.0.1 -o myhostname=scan.backup2.example.net
  -o smtp_send_xforward_command=no
127.0.0.1:10025 inet n  -       n       -       -       smtpd
  -o content_filter= -o smtpd_milters= -o smtpd_authorized_xclient_hosts=
  -o receive_override_options=no_unknown_recipient_checks,no_header_body_checks,no_milters
  -o mynetworks=127.0.0.0/8 -o smtpd_relay_restrictions=permit_mynetworks,reject
MC
pf_cmd filtered postfix reload >/dev/null 2>&1
e2e_wait_for 10 e2e_listening 127.0.0.1 10025 || e2e_die "the filtered backup's re-injection smtpd is not listening"

n=0
# via_backup ORIGIN FROM [swaks args] - a message from ORIGIN (XCLIENT) to the backup
via_backup() {
	local origin=$1 from=$2; shift 2
	n=$((n + 1))
	e2e_msg 127.0.0.66 "${TO_MX:-$BACKUP}" "$from" "u$n@example.com" --xclient "ADDR=$origin" \
		--header "X-Test: r$n" "$@" || tap_fail "message $n accepted by the backup" "$(cat "$E2E_DIR/last-send.log")"
}
# via_filtered ORIGIN FROM [swaks args] - the same to the backup with the content filter
via_filtered() { TO_MX=$FILTERED via_backup "$@"; }
# check DESC REGEX: test/e2e/lib.sh (message n: rcpt=<u<n>@example.com>)
msg() { e2e_wait_for 10 sh -c "grep -l 'X-Test: r$n\$' '$E2E_DIR'/primary/mail/inbox/new/* >/dev/null 2>&1"; grep -l "X-Test: r$n\$" "$E2E_DIR"/primary/mail/inbox/new/* 2>/dev/null | head -1; }
has() { local f; f=$(msg); [ -n "$f" ] && grep -Eq -- "$1" "$f"; }
hasnt() { local f; f=$(msg); [ -n "$f" ] && ! grep -Eq -- "$1" "$f"; }

via_backup 203.0.113.5 a@open.relay.test
check "origin on the DNSBL: tagged, the peer trusted" \
	'action=tag reason=relay-origin client=127\.0\.0\.20 score=1 .*entry=127\.0\.0\.20 list=RELAY origin=203\.0\.113\.5 .*zones=bl\.relay\.test:127\.0\.0\.2'
tap_check "... delivered with X-Mxguard naming the origin" has '^X-Mxguard: reason=relay-origin origin=203\.0\.113\.5 score=1 zones=bl\.relay\.test:127\.0\.0\.2'

via_backup 192.0.2.50 a@open.relay.test
check "clean origin: accepted as whitelisted" 'action=accept reason=whitelist client=127\.0\.0\.20 score=0 .*origin=192\.0\.2\.50 .*spf=pass '
tap_check "... untouched (no X-Mxguard)" hasnt '^X-Mxguard:'

via_backup 198.51.100.7 a@strict.relay.test
check "origin failing SPF for the envelope sender: tagged" \
	'action=tag reason=relay-origin .*origin=198\.51\.100\.7 .*spf=fail spfdomain=strict\.relay\.test'
tap_check "... X-Mxguard says spf=fail" has '^X-Mxguard: reason=relay-origin origin=198\.51\.100\.7 .*spf=fail'

via_backup 192.0.2.50 a@open.relay.test --add-header "Received: from evil.example (evil.example [203.0.113.5]) by backup.example.net (Postfix) with ESMTP id FORGED; date"
check "a forged listed stamp below the peer's changes nothing" 'action=accept reason=whitelist .*origin=192\.0\.2\.50 '
via_backup 203.0.113.5 a@open.relay.test --add-header "Received: from clean.example (clean.example [192.0.2.1]) by backup.example.net (Postfix) with ESMTP id FORGED; date"
check "a forged clean stamp below the peer's hides nothing" 'action=tag reason=relay-origin .*origin=203\.0\.113\.5 '

printf 'Subject: local\nX-Test: r%d\n\nfrom the backup itself\n' $((n + 1)) > "$E2E_DIR/local.msg"
n=$((n + 1))
pf_cmd backup sendmail -f root@backup.example.net "u$n@example.com" < "$E2E_DIR/local.msg"
check "no address in the peer's stamp: accepted, origin=unknown" 'action=accept reason=whitelist client=127\.0\.0\.20 .*origin=unknown'

# issue 12 (critical), through a RELAY peer: the origin's SPF check meets
# an exp= explanation TXT of 127 x %{d} + 400 bytes (CVE-2023-42118)
via_backup 198.51.100.7 a@expcrash.relay.test
check "origin's SPF with a hostile exp= TXT: evaluated, the decision made" \
	'action=accept reason=whitelist client=127\.0\.0\.20 .*origin=198\.51\.100\.7 .*spf=neutral spfdomain=expcrash\.relay\.test'
tap_check "... mxguard is still alive" kill -0 "$MXG_PID"

# the content-filtering backup: the newest stamp is its re-injection from 127.0.0.1
via_filtered 203.0.113.5 a@open.relay.test
check "filtered backup, origin on the DNSBL: tagged, origin past the filter's re-injection" \
	'action=tag reason=relay-origin client=127\.0\.0\.30 score=1 .*entry=127\.0\.0\.30 list=RELAY origin=203\.0\.113\.5 .*zones=bl\.relay\.test:127\.0\.0\.2'
tap_check "... delivered with X-Mxguard naming the origin" has '^X-Mxguard: reason=relay-origin origin=203\.0\.113\.5 score=1'
# the re-injection really happened: the top stamp is the loop-back smtpd's
tap_check "... its newest stamp is the filter's re-injection from 127.0.0.1" \
	has '^Received: from scan\.backup2\.example\.net \(localhost \[127\.0\.0\.1\]\)'
tap_check "... the filtered backup sent it through 127.0.0.1:10025" \
	grep -Eq 'relay=127\.0\.0\.1\[127\.0\.0\.1\]:10025, .*status=sent' "$E2E_DIR/filtered/maillog"

via_filtered 192.0.2.50 a@open.relay.test
check "filtered backup, clean origin: accepted, origin is the outside client" \
	'action=accept reason=whitelist client=127\.0\.0\.30 score=0 .*origin=192\.0\.2\.50 .*spf=pass '

via_filtered 203.0.113.5 a@open.relay.test \
	--add-header "Received: from localhost (localhost [127.0.0.1]) by backup2.example.net (Postfix) with ESMTP id FORGED1; date" \
	--add-header "Received: from clean.example (clean.example [192.0.2.1]) by backup2.example.net (Postfix) with ESMTP id FORGED2; date"
check "filtered backup: forged loopback and clean stamps below the peer's outside stamp hide nothing" \
	'action=tag reason=relay-origin client=127\.0\.0\.30 .*origin=203\.0\.113\.5 '
n=$((n + 1))
e2e_send 127.0.0.66 "$FILTERED" a@open.relay.test "u$n@example.com" \
	--xclient "ADDR=203.0.113.5 NAME=backup2.example.net HELO=localhost" --header "X-Test: r$n" ||
	tap_fail "message $n accepted by the backup" "$(cat "$E2E_DIR/last-send.log")"
check "filtered backup: an origin calling itself localhost and the peer is still the origin" \
	'action=tag reason=relay-origin client=127\.0\.0\.30 .*origin=203\.0\.113\.5 '

printf 'Subject: local\nX-Test: r%d\n\nfrom the filtered backup itself\n' $((n + 1)) > "$E2E_DIR/local.msg"
n=$((n + 1))
pf_cmd filtered sendmail -f root@backup2.example.net "u$n@example.com" < "$E2E_DIR/local.msg"
check "filtered backup's own mail (only internal hops): accepted, origin=unknown" \
	'action=accept reason=whitelist client=127\.0\.0\.30 .*origin=unknown'

tap_is "the backup, itself DNSBL-listed, was never refused" 0 grep -c 'action=reject' "$MLOG"
tap_is "nothing bounced" "" sh -c "grep -h 'status=bounced' '$E2E_DIR/backup/maillog' '$E2E_DIR/primary/maillog'"

printf '%s\n' "Socket unix:$E2E_DIR/mxguard.sock" "Syslog no" "UserID nobody:postfix" \
	"Whitelist $E2E_DIR/whitelist.cdb" "TrustedNetworks none" "DNSBL bl.relay.test" "DNSTimeout 2s" \
	"RelayCheckAction quarantine" > "$E2E_DIR/mxguard.conf"
kill -USR1 "$MXG_PID"
wait_match "$MLOG" "configuration .* reloaded" 5
via_backup 203.0.113.5 a@open.relay.test
check "RelayCheckAction quarantine: logged" 'action=quarantine reason=relay-origin .*origin=203\.0\.113\.5 '
held() { [ "$(pf_hold_count primary)" -ge 1 ]; }
tap_check "RelayCheckAction quarantine: held in the primary" e2e_wait_for 10 held
tap_check "Postfix put it on hold" grep -Eq 'milter-hold: END-OF-MESSAGE from [^ ]*\[127\.0\.0\.20\]' "$E2E_DIR/primary/maillog"
via_filtered 203.0.113.5 a@open.relay.test
check "RelayCheckAction quarantine, filtered backup: logged with the outside origin" \
	'action=quarantine reason=relay-origin client=127\.0\.0\.30 .*origin=203\.0\.113\.5 '
held2() { [ "$(pf_hold_count primary)" -ge 2 ]; }
tap_check "... held in the primary" e2e_wait_for 10 held2
mxg_stop
tap_done
