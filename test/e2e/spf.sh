#!/bin/bash
# e2e/spf.sh - SPF at MAIL FROM between a real Postfix and a real
# authoritative DNS server (nsd on 127.0.0.1:53 serving spf.test), in a
# private network namespace. Clients come in through Postfix's XCLIENT so
# 192.0.2.x, 198.51.100.x and IPv6 addresses can be tested on loopback.
set -u
. "$(dirname "$0")/lib.sh"
e2e_enter_ns "$@"

MX=127.0.0.10
OK=192.0.2.10        # designated by the spf.test records
BAD=198.51.100.10    # not designated
long=""
for i in $(seq 1 45); do long="$long ip4:203.0.113.$i"; done
e2e_nsd spf.test <<Z
pass     IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
soft     IN TXT "v=spf1 ip4:192.0.2.0/24 ~all"
neutral  IN TXT "v=spf1 ?all"
notspf   IN TXT "v=spf10 ip4:192.0.2.0/24 -all"
nocompile IN TXT "v=spf1 a::%{iR}.Tx.a ip4:192.0.2.0/24 -all"
syntax   IN TXT "v=spf1 ip4:192.0.2.0/24 frobnicate:x -all"
ctrl     IN TXT "v=spf1 ip4:192.0.2.0/24 frobnic\001ate\127:x\027[2J -all"
inject   IN TXT "v=spf1 )identity=helo;client-ip=192.0.2.1;x=( -all"
v6many   IN TXT "v=spf1 a:pool6.spf.test -all"
v4many   IN TXT "v=spf1 a:pool4.spf.test -all"
$(for i in $(seq 1 20); do printf 'pool4 IN A 203.0.113.%d\n' "$((100 + i))"; done)
$(for i in $(seq 1 70); do printf 'pool6 IN AAAA 2001:db8:6::%x\n' "$i"; done)
inc      IN TXT "v=spf1 include:pass.spf.test -all"
red      IN TXT "v=spf1 redirect=pass.spf.test"
many     IN TXT "v=spf1 a:a1.spf.test a:a2.spf.test a:a3.spf.test a:a4.spf.test a:a5.spf.test a:a6.spf.test a:a7.spf.test a:a8.spf.test a:a9.spf.test a:a10.spf.test a:a11.spf.test ip4:192.0.2.0/24 -all"
voids    IN TXT "v=spf1 a:v1.spf.test a:v2.spf.test a:v3.spf.test ip4:192.0.2.0/24 -all"
macro    IN TXT "v=spf1 exists:%{ir}.%{l1r-}.%{d2}.%{h}.%{o}.%{v}._m.spf.test ip4:192.0.2.0/24 ~all"
hostile  IN TXT "v=spf1 exists:%{i0}%{l99999999999}%{d}.spf.test -all"
macros9  IN TXT "v=spf1 exists:%{i}%{i}%{i}%{i}%{i}%{i}%{i}%{i}%{i}.spf.test -all"
oversize IN TXT "v=spf1${long:0:200}" "${long:200:200}" "${long:400:200}" "${long:600} -all"
helo     IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
six      IN TXT "v=spf1 ip6:2001:db8::/32 -all"
expcrash IN TXT "v=spf1 ?all exp=why.spf.test"
expfail  IN TXT "v=spf1 ip4:192.0.2.0/24 -all exp=why.spf.test"
why      IN TXT $(printf '"%s" ' $(printf '%%{d}%.0s' $(seq 1 127) | fold -w 200) $(printf 'x%.0s' $(seq 1 400) | fold -w 200))
expspf   IN TXT "v=spf1 ?all exp=whyspf.spf.test"
whyspf   IN TXT "v=spf1 $(printf '%%{d}%.0s' $(seq 1 60))"
$(for i in $(seq 1 11); do printf 'a%d IN A 10.0.0.%d\n' "$i" "$i"; done)
Z
e2e_mxguard "TrustedNetworks none" "DNSTimeout 2s" <<'WL'
198.51.100.20    OK
WL
nsd-checkzone spf.test "$E2E_DIR/nsd/spf.test.zone" >/dev/null || e2e_die "bad test zone"
PF_EXTRA="inet_protocols = all" pf_start mx "$MX" "$MXG_MILTER"

n=0
# send CLIENT FROM [swaks args] - one message through XCLIENT ADDR=CLIENT
send() {
	local client=$1 from=$2; shift 2
	n=$((n + 1))
	SEND_HELO=${SEND_HELO:-client.example} e2e_msg 127.0.0.66 "$MX" "$from" "u$n@example.com" \
		--xclient "ADDR=$client" --header "X-Test: m$n" "$@"
}
MSG_WAIT=5      # check, smtp_has: test/e2e/lib.sh (message n: rcpt=<u<n>@example.com>)
# reconf KEY... - a new configuration (these keys on top of the base), reloaded
reconf() {
	printf '%s\n' "Socket unix:$E2E_DIR/mxguard.sock" "Syslog no" "UserID nobody:postfix" \
		"Whitelist $E2E_DIR/whitelist.cdb" "TrustedNetworks none" "DNSTimeout 2s" "$@" > "$E2E_DIR/mxguard.conf"
	local c; c=$(grep -c 'configuration .* reloaded' "$MLOG")
	kill -USR1 "$MXG_PID"
	e2e_wait_for 5 sh -c "[ \$(grep -c 'configuration .* reloaded' '$MLOG') -gt $c ]" || e2e_die "reload failed"
}
# spf_header_to FILE - the Received-SPF field of message $n, once delivered
spf_header_to() {
	grep -l "X-Test: m$n\$" "$E2E_DIR"/mx/mail/inbox/new/* 2>/dev/null | head -1 |
		xargs -r grep -a '^Received-SPF:' > "$1" && [ -s "$1" ]
}
delivered_has() { grep -l "X-Test: m$n" "$E2E_DIR"/mx/mail/inbox/new/* 2>/dev/null | head -1 | xargs -r grep -Eq -- "$1"; }

send "$OK" a@pass.spf.test
check "pass" 'action=accept reason=clean client=192\.0\.2\.10 .* spf=pass spfdomain=pass\.spf\.test$'
e2e_wait_for 5 delivered_has "X-Test"
tap_check "Received-SPF: pass is added, naming the client" delivered_has '^Received-SPF: pass \(.*client-ip=192\.0\.2\.10;'
send "$BAD" a@pass.spf.test
tap_check "fail: refused at RCPT with 550 5.7.23 naming the domain" \
	smtp_has '<\*\* 550 5\.7\.23 SPF fail: pass\.spf\.test does not designate 198\.51\.100\.10 as permitted sender'
check "fail: logged action=reject reason=spf" 'action=reject reason=spf client=198\.51\.100\.10 .* spf=fail spfdomain=pass\.spf\.test$'
send "$BAD" a@soft.spf.test
check "softfail: accepted, logged" 'action=accept reason=clean .* spf=softfail '
send "$BAD" a@neutral.spf.test
check "neutral: accepted, logged" 'action=accept reason=clean .* spf=neutral '
send "$BAD" a@none.spf.test
check "none: accepted, logged" 'action=accept reason=clean .* spf=none '
send "$OK" a@syntax.spf.test
check "permerror (syntax): accepted, logged with the reason" 'action=accept reason=clean .* spf=permerror spfdomain=syntax\.spf\.test spfwhy="syntax\.spf\.test: unknown mechanism'
# issue 12: the reason quotes the record from DNS; its control bytes must
# reach neither the log nor the Received-SPF value raw
send "$OK" a@ctrl.spf.test
check "control bytes in a record: permerror, logged escaped" 'spf=permerror spfdomain=ctrl\.spf\.test spfwhy=".*frobnic\\x01ate\\x7f'
e2e_wait_for 10 spf_header_to "$E2E_DIR/ctrl-spf"
tap_check "... Received-SPF: permerror quotes the record escaped as the log does" \
	grep -qF 'frobnic\x01ate\x7f:x\x1b[2J' "$E2E_DIR/ctrl-spf"
tap_check "... and holds no raw control byte" \
	sh -c "[ -s '$E2E_DIR/ctrl-spf' ] && ! LC_ALL=C grep -q '[[:cntrl:]]' '$E2E_DIR/ctrl-spf'"
# review: "(", ")" and ";" from DNS would close the comment and add
# Received-SPF fields of the sender's choosing
send "$OK" a@inject.spf.test
check "a record written to forge Received-SPF fields: permerror" 'spf=permerror spfdomain=inject\.spf\.test'
e2e_wait_for 10 spf_header_to "$E2E_DIR/inject-spf"
tap_check "... Received-SPF holds its own fields only: the record's ( ) ; are escaped" \
	grep -Eq '^Received-SPF: permerror \([^();]*\\x29identity=helo\\x3bclient-ip=192\.0\.2\.1\\x3bx=\\x28[^();]*\) client-ip=192\.0\.2\.10; helo=client\.example;$' "$E2E_DIR/inject-spf"
send "$OK" a@inc.spf.test
check "include: chain passes" 'spf=pass spfdomain=inc\.spf\.test$'
send "$BAD" a@inc.spf.test
check "include: chain fails" 'action=reject reason=spf .* spf=fail spfdomain=inc\.spf\.test$'
send "$OK" a@red.spf.test
check "redirect= passes" 'spf=pass spfdomain=red\.spf\.test$'
send "$OK" a@many.spf.test
check "more than 10 DNS-querying terms: permerror" 'spf=permerror spfdomain=many\.spf\.test'
send "$OK" a@voids.spf.test
check "more than 2 void lookups: permerror" 'spf=permerror spfdomain=voids\.spf\.test spfwhy="more than 2 void lookups"$'
send "$BAD" a@macro.spf.test
check "macro-heavy valid record: evaluated (softfail)" 'spf=softfail spfdomain=macro\.spf\.test$'
# the guard in front of libspf2 (SPFEngine libspf2)
reconf "SPFEngine libspf2"
# found by test/fuzz/fuzz_spfdiff.c: libspf2 answers "no SPF record" with
# an invalid result, which must be none (RFC 7208 4.5), not permerror
send "$OK" a@notspf.spf.test
check "libspf2 engine: only a TXT that is no SPF record: none" 'action=accept reason=clean .* spf=none spfdomain=notspf\.spf\.test$'
# ... while a record libspf2 cannot compile (it says "no SPF record" too) stays permerror
send "$OK" a@nocompile.spf.test
check "libspf2 engine: a record libspf2 cannot compile: permerror" 'spf=permerror spfdomain=nocompile\.spf\.test$'
send "$OK" a@hostile.spf.test
check "hostile macros (CVE-2023-42118 shapes): permerror by the guard, no crash" 'spf=permerror spfdomain=hostile\.spf\.test spfwhy="hostile\.spf\.test: macro transformer out of range'
send "$OK" a@macros9.spf.test
check "too many macros in a term: permerror by the guard" 'spf=permerror .*spfwhy="macros9\.spf\.test: too many macros'
send "$OK" a@oversize.spf.test
check "oversized record (46 terms, 3 strings): permerror by the guard" 'spf=permerror .*spfwhy="oversize\.spf\.test: more than 40 terms"'
# issue 12: exp= explanation text is DNS data libspf2 compiles as a macro
# string (CVE-2023-42118 underflow); it must never reach libspf2.
send "$BAD" a@expcrash.spf.test
check "exp= pointing at a hostile TXT (127 x %{d} + 400 bytes): evaluated, no crash" 'action=accept reason=clean .* spf=neutral spfdomain=expcrash\.spf\.test$'
tap_check "... mxguard is still alive after the hostile exp=" kill -0 "$MXG_PID"
send "$BAD" a@expfail.spf.test
check "exp= with a hostile TXT on a fail: still the fail reply of mxguard.conf(5)" 'action=reject reason=spf .* spf=fail spfdomain=expfail\.spf\.test$'
tap_check "... refused with mxguard.conf(5)'s reply, no explanation text from DNS" \
	smtp_has '<\*\* 550 5\.7\.23 SPF fail: expfail\.spf\.test does not designate 198\.51\.100\.10 as permitted sender'
send "$BAD" a@expspf.spf.test
check "exp= pointing at a v=spf1-looking TXT full of macros: evaluated, no crash" 'spf=neutral spfdomain=expspf\.spf\.test$'
tap_check "... mxguard is still alive" kill -0 "$MXG_PID"
# the same records through mxguard's own evaluator (the default engine):
# RFC 7208 results, nothing cut, no guard limits on valid records
reconf
send "$OK" a@hostile.spf.test
check "mxguard engine: hostile macros (transformer 0) are permerror by the ABNF" 'spf=permerror spfdomain=hostile\.spf\.test spfwhy="hostile\.spf\.test: macro transformer out of range'
send "$OK" a@macros9.spf.test
check "mxguard engine: nine macros in a term are valid (the name does not exist: fail)" 'action=reject reason=spf .* spf=fail spfdomain=macros9\.spf\.test$'
send 203.0.113.45 a@oversize.spf.test
check "mxguard engine: 46-term record in 3 strings evaluated whole (last ip4 term: pass)" 'spf=pass spfdomain=oversize\.spf\.test$'
send "$OK" a@oversize.spf.test
check "mxguard engine: ... and its -all: fail" 'action=reject reason=spf .* spf=fail spfdomain=oversize\.spf\.test$'
send "$BAD" a@expcrash.spf.test
check "mxguard engine: exp= to a hostile TXT on neutral: not fetched" 'action=accept reason=clean .* spf=neutral spfdomain=expcrash\.spf\.test$'
send "$BAD" a@expfail.spf.test
tap_check "mxguard engine: exp= on a fail: mxguard.conf(5)'s reply, no DNS text" \
	smtp_has '<\*\* 550 5\.7\.23 SPF fail: expfail\.spf\.test does not designate 198\.51\.100\.10 as permitted sender'
send "$BAD" a@expspf.spf.test
check "mxguard engine: exp= to a v=spf1-looking TXT: neutral" 'spf=neutral spfdomain=expspf\.spf\.test$'
tap_check "... mxguard is still alive" kill -0 "$MXG_PID"
SEND_HELO=helo.spf.test send "$BAD" '<>'
check "null sender: the HELO identity is checked" 'action=reject reason=spf client=198\.51\.100\.10 .* from=<> .* spf=fail spfdomain=helo\.spf\.test$'
SEND_HELO=helo.spf.test send "$OK" '<>'
check "null sender from a designated address: pass" 'from=<> .* spf=pass spfdomain=helo\.spf\.test$'
# review: the sender is what lies between '<' and the LAST '>', its domain
# what follows the last '@' - a quoted local part holding '>' or '@' must not
# make mxguard check the attacker's domain (or the HELO) instead
send "$BAD" '"x@neutral.spf.test>"@pass.spf.test'
check "quoted local part with '>' and '@': the real domain is checked (fail)" 'action=reject reason=spf client=198\.51\.100\.10 .* spf=fail spfdomain=pass\.spf\.test$'
SEND_HELO=neutral.spf.test send "$BAD" '"x>"@pass.spf.test'
check "quoted local part with '>': not the HELO's result" 'action=reject reason=spf .* spf=fail spfdomain=pass\.spf\.test$'
SEND_HELO=helo.spf.test send "$OK" 'ceo'
check "a sender without a domain: none, never the HELO's pass" 'action=accept reason=clean .* spf=none '
# review: an AAAA answer of more than 64 addresses lost the rest silently,
# so a client among them got a false fail
# review: the resolver kept 16 addresses of an A answer, so a name with
# more turned every forgery into temperror (accepted by default)
send 203.0.113.120 a@v4many.spf.test
check "client is the 20th of 20 A records: pass" 'client=203\.0\.113\.120 .* spf=pass spfdomain=v4many\.spf\.test$'
send "$BAD" a@v4many.spf.test
check "a client among none of 20 A records: fail, not temperror" 'action=reject reason=spf client=198\.51\.100\.10 .* spf=fail spfdomain=v4many\.spf\.test$'
send IPV6:2001:db8:6::46 a@v6many.spf.test
check "client is the 70th of 70 AAAA records: never a false fail" 'client=2001:db8:6::46 .* spf=(pass|temperror) spfdomain=v6many\.spf\.test'
send IPV6:2001:db8::10 a@six.spf.test
check "IPv6 client: pass" 'client=2001:db8::10 .* spf=pass spfdomain=six\.spf\.test$'
send IPV6:2001:db8:1::10 a@pass.spf.test
check "IPv6 client against an IPv4-only record: fail" 'action=reject reason=spf client=2001:db8:1::10 '

kill -USR2 "$MXG_PID"; wait_match "$MLOG" "stats dns " 3
before=$(grep 'stats dns ' "$MLOG" | tail -1 | sed -E 's/.* lookups=([0-9]+) .*/\1/')
send 198.51.100.20 a@pass.spf.test
check "whitelisted peer that would fail: accepted, not checked" 'action=accept reason=whitelist client=198\.51\.100\.20 .*rcpt=<u[0-9]+@example\.com> received=0 passes=1$'
kill -USR2 "$MXG_PID"; sleep 0.3
after=$(grep 'stats dns ' "$MLOG" | tail -1 | sed -E 's/.* lookups=([0-9]+) .*/\1/')
tap_is "whitelisted peer: no DNS lookup at all" "$before" echo "$after"

reconf "SPFFailAction tempfail"
send "$BAD" a@pass.spf.test
tap_check "SPFFailAction tempfail: 451 at RCPT" smtp_has '<\*\* 451 4\.7\.23 SPF fail'
reconf "SPFFailAction tag"
send "$BAD" a@pass.spf.test
check "SPFFailAction tag: accepted, logged action=tag" 'action=tag reason=spf .* spf=fail '
e2e_wait_for 5 delivered_has "X-Test"
tap_check "SPFFailAction tag: X-Mxguard names the result" delivered_has '^X-Mxguard: reason=spf spf=fail domain=pass\.spf\.test client=198\.51\.100\.10'
tap_check "... and Received-SPF: fail is there too" delivered_has '^Received-SPF: fail'
reconf "SPFFailAction ignore" "SPFHeader no"
send "$BAD" a@pass.spf.test
check "SPFFailAction ignore: accepted, the fail still logged" 'action=accept reason=clean .* spf=fail '
e2e_wait_for 5 delivered_has "X-Test"
tap_check "SPFHeader no: no Received-SPF" sh -c "! grep -q '^Received-SPF' \$(grep -l 'X-Test: m$n' '$E2E_DIR'/mx/mail/inbox/new/*)"
reconf
e2e_nsd_stop
send "$BAD" a@pass.spf.test
tap_check "DNS server down: temperror, accepted (DNSErrorAction accept)" smtp_has '<- *250 2\.0\.0 Ok: queued'
check "DNS server down: logged spf=temperror as dns-error" 'action=accept reason=dns-error .* spf=temperror '
reconf "DNSErrorAction tempfail"
send "$BAD" a@pass.spf.test
tap_check "DNS down + DNSErrorAction tempfail: 451, never 5xx" smtp_has '<\*\* 451 4\.7\.1 '
tap_check "mxguard is still alive" kill -0 "$MXG_PID"
mxg_stop
tap_done
