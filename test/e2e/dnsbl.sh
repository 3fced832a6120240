#!/bin/bash
# e2e/dnsbl.sh - the DNSBL engine between a real Postfix and a real DNS
# server (rbldnsd on 127.0.0.1:53), in a private network namespace. Client
# addresses come from real 127.x sources or from Postfix's XCLIENT (so
# 192.0.2.x and IPv6 clients can be tested without leaving loopback).
set -u
. "$(dirname "$0")/lib.sh"
e2e_enter_ns "$@"

MX=127.0.0.10
mkdir -p "$E2E_DIR/dns"
cat > "$E2E_DIR/dns/bl.zone" <<'Z'
:127.0.0.2:Listed in bl.test
127.0.0.24
127.0.0.77
192.0.2.96
192.0.2.98
192.0.2.99
2001:db8::99
Z
printf ':127.255.255.254:Public resolver refused\n192.0.2.97\n127.0.0.78\n' > "$E2E_DIR/dns/bad.zone"
printf ':127.0.2.1:Allowlisted\n192.0.2.96\n' > "$E2E_DIR/dns/wl.zone"
e2e_rbldnsd bl.test:ip4set:bl.zone bl.test:ip6trie:bl.zone bad.test:ip4set:bad.zone wl.test:ip4set:wl.zone

DNSCONF=("TrustedNetworks none" "DNSBL bl.test*2, bad.test*2, wl.test=127.0.[0..255].[1..3]*-5"
	"DNSBLThreshold 2" "DNSTimeout 2s" "SPF no")
e2e_mxguard "${DNSCONF[@]}" <<'WL'
127.0.0.24     OK
192.0.2.98     OK
WL
PF_EXTRA="inet_protocols = all" pf_start mx "$MX" "$MXG_MILTER"   # IPv6 XCLIENT needs it
PLOG=$E2E_DIR/mx/maillog

n=0
MSG_KEY='from=<s%n@example\.net>' MSG_WAIT=5     # check, msg_line: test/e2e/lib.sh
# send DESC SRC CLIENT RCPT [swaks args] - message n from s<n>@example.net;
# CLIENT via XCLIENT unless "-"
send() {
	local src=$2 client=$3 rcpt=$4; shift 4
	n=$((n + 1))
	local args=()
	[ "$client" != - ] && args=(--xclient "ADDR=$client")
	e2e_msg "$src" "$MX" "s$n@example.net" "$rcpt" "${args[@]}" "$@"
}

send "listed" 127.0.0.66 192.0.2.99 u1@example.com
tap_check "listed client: refused at RCPT with the reply naming the zone" \
	smtp_has '<\*\* 554 5\.7\.1 Service unavailable; client \[192\.0\.2\.99\] blocked using bl\.test'
check "listed client: logged action=reject reason=dnsbl with score and zone" \
	'action=reject reason=dnsbl client=192\.0\.2\.99 score=2 .*from=<s1@example\.net> rcpt=<u1@example\.com> zones=bl\.test:127\.0\.0\.2$'
tap_check "listed client: Postfix logs the milter reject at RCPT" grep -q 'milter-reject: RCPT from .*554 5.7.1 Service unavailable; client \[192.0.2.99\]' "$PLOG"
tap_is "listed client: each zone queried once" 3 e2e_dns_queries '99\.2\.0\.192\.(bl|bad|wl)\.test'

send "listed again" 127.0.0.66 192.0.2.99 u2@example.com
check "cache: the same client again is refused" 'action=reject reason=dnsbl client=192\.0\.2\.99 '
tap_is "cache: no second query for it" 3 e2e_dns_queries '99\.2\.0\.192\.(bl|bad|wl)\.test'

send "whitelisted listed peer" 127.0.0.24 - u3@example.com
check "whitelisted peer listed in bl.test: accepted, reason=whitelist" \
	'action=accept reason=whitelist client=127\.0\.0\.24 .*entry=127\.0\.0\.24 '
tap_is "whitelisted peer: not a single DNS query for it" 0 e2e_dns_queries '24\.0\.0\.127\.'
send "whitelisted listed peer via XCLIENT" 127.0.0.66 192.0.2.98 u4@example.com
check "whitelisted 192.0.2.98 (listed): accepted" 'action=accept reason=whitelist client=192\.0\.2\.98 '
tap_is "whitelisted 192.0.2.98: no DNS query" 0 e2e_dns_queries '98\.2\.0\.192\.'

send "clean" 127.0.0.66 - u5@example.com
check "clean client: accepted, score 0" 'action=accept reason=clean client=127\.0\.0\.66 score=0 .* passes=[0-9]+$'
tap_is "clean client: looked up in all three zones" 3 e2e_dns_queries '66\.0\.0\.127\.(bl|bad|wl)\.test'

send "exempt" 127.0.0.66 192.0.2.99 postmaster@example.com
tap_check "postmaster@ exempt: accepted by Postfix" smtp_has '<- *250 2\.0\.0 Ok: queued'
check "postmaster@ exempt: logged reason=dnsbl exempt=yes" \
	'action=accept reason=dnsbl client=192\.0\.2\.99 score=2 .*rcpt=<postmaster@example\.com> received=0 passes=1 zones=bl\.test:127\.0\.0\.2 exempt=yes$'
send "exempt + other" 127.0.0.66 192.0.2.99 'abuse@example.com,victim@example.com'
check "mixed recipients: the message goes on for the exempt one" \
	'action=accept reason=dnsbl client=192\.0\.2\.99 .*rcpt=<abuse@example\.com> .*exempt=yes$'
tap_check "mixed recipients: the other is refused and logged with its own line" \
	grep -Eq 'action=reject reason=dnsbl client=192\.0\.2\.99 .*from=<s7@example\.net> rcpt=<victim@example\.com>' "$MLOG"

send "dnswl" 127.0.0.66 192.0.2.96 u8@example.com
check "DNSWL weight offsets the listing" 'action=accept reason=clean client=192\.0\.2\.96 score=-3 .* zones=bl\.test:127\.0\.0\.2,wl\.test:127\.0\.2\.1$'

send "spamhaus error code" 127.0.0.66 192.0.2.97 u9@example.com
check "127.255.255.254 never rejects: accepted as dns-error" \
	'action=accept reason=dns-error client=192\.0\.2\.97 score=0 .* passes=[0-9]+ dnserrors=bad\.test:bad-answer$'
tap_is "127.255.255.254 is warned about" 1 grep -c 'dnsbl bad.test answered 127.255.255.254' "$MLOG"
send "spamhaus error code again" 127.0.0.66 192.0.2.97 u10@example.com
tap_is "... at most once a minute" 1 grep -c 'dnsbl bad.test answered 127.255.255.254' "$MLOG"

send "ipv6" 127.0.0.66 IPV6:2001:db8::99 u11@example.com
tap_check "IPv6 client: refused" smtp_has '<\*\* 554 5\.7\.1 Service unavailable; client \[2001:db8::99\] blocked using bl\.test'
tap_is "IPv6 client: queried in nibble format" 1 e2e_dns_queries '^[0-9]+ 127\.0\.0\.1 9\.9\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.0\.8\.b\.d\.0\.1\.0\.0\.2\.bl\.test A'

# stats_snap - SIGUSR2, wait for the whole set of stats lines (the last zone's
# comes last), keep them in SNAP
stats_snap() {
	local c; c=$(grep -c 'stats dnsbl zone=wl\.test ' "$MLOG")
	kill -USR2 "$MXG_PID"
	e2e_wait_for 5 sh -c "[ \$(grep -c 'stats dnsbl zone=wl\.test ' '$MLOG') -gt $c ]" ||
		e2e_die "no stats lines after SIGUSR2: $(tail -3 "$MLOG")"
	SNAP=$(awk '/\]: stats connections=/ { set = "" } /\]: stats / { set = set $0 "\n" }
		END { printf "%s", set }' "$MLOG")
}
# zstat ZONE KEY - a figure of ZONE's line in SNAP
zstat() { printf '%s\n' "$SNAP" | grep "stats dnsbl zone=$1 " | sed -E "s/.* $2=([^ ]+)( .*|$)/\\1/"; }
# zdelta ZONE - "lookups queries hits errors bad" of ZONE between snapshots S0 and SNAP
zdelta() {
	local k out=() now; local snap=$SNAP
	for k in lookups queries hits errors bad; do
		now=$(zstat "$1" "$k"); SNAP=$S0
		out+=($((now - $(zstat "$1" "$k")))); SNAP=$snap
	done
	echo "${out[*]}"
}
# known traffic between two snapshots, from real 127.x sources (no XCLIENT, so
# no extra connect for the relaying address): 127.0.0.77 (listed in bl.test)
# twice, 127.0.0.79 (in no zone) once, 127.0.0.78 (bad.test answers
# 127.255.255.254) once; every zone: 4 lookups, 3 of them sent as queries
stats_snap; S0=$SNAP
send "stats: listed" 127.0.0.77 - u16@example.com
check "stats traffic: 127.0.0.77 refused" 'action=reject reason=dnsbl client=127\.0\.0\.77 '
send "stats: listed again" 127.0.0.77 - u17@example.com
check "stats traffic: 127.0.0.77 refused again" 'action=reject reason=dnsbl client=127\.0\.0\.77 '
send "stats: clean" 127.0.0.79 - u18@example.com
check "stats traffic: 127.0.0.79 clean" 'action=accept reason=clean client=127\.0\.0\.79 '
send "stats: bad answer" 127.0.0.78 - u19@example.com
check "stats traffic: 127.0.0.78 dns-error" 'action=accept reason=dns-error client=127\.0\.0\.78 .*dnserrors=bad\.test:bad-answer$'
stats_snap
tap_is "stats on SIGUSR2: bl.test lookups queries hits errors bad" "4 3 2 0 0" zdelta bl.test
tap_is "stats on SIGUSR2: bad.test counts the bad answer as an error" "4 3 0 1 1" zdelta bad.test
tap_is "stats on SIGUSR2: wl.test" "4 3 0 0 0" zdelta wl.test
# latency of the answered queries so far: all came over loopback within DNSTimeout (2s)
lat_ok() {
	local z p50 p99
	for z in bl.test bad.test wl.test; do
		p50=$(zstat "$z" p50_ms) p99=$(zstat "$z" p99_ms)
		awk -v a="$p50" -v b="$p99" 'BEGIN { exit !(a ~ /^[0-9]+\.[0-9][0-9][0-9]$/ &&
			b ~ /^[0-9]+\.[0-9][0-9][0-9]$/ && a > 0 && a <= b && b <= 2250) }' ||
			{ echo "$z: p50_ms=$p50 p99_ms=$p99"; return 1; }
	done
}
tap_check "stats: per-zone p50/p99 latency present, 0 < p50 <= p99 <= DNSTimeout" lat_ok
# the resolver line: the cache hit rate is cache_hits / lookups of that line
hit_rate_ok() {
	printf '%s\n' "$SNAP" | grep 'stats dns ' | awk '{
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		want = v["lookups"] ? sprintf("%.1f%%", 100 * v["cache_hits"] / v["lookups"]) : "-"
		if (v["cache_hit_rate"] != want || v["lookups"] < 1) { print "got " v["cache_hit_rate"] " want " want; exit 1 } }'
}
tap_check "stats: cache_hit_rate = cache_hits / lookups" hit_rate_ok
tap_check "stats: the counters line carries uptime" sh -c "printf '%s\n' \"\$1\" | grep -Eq 'stats connections=[0-9]+ .* uptime=[0-9]+\$'" - "$SNAP"

# reload N [LINES] - SIGUSR1 with DNSCONF plus LINES; wait for the Nth reload
reload() {
	local c=$1 l k base=(); shift
	for l in "${DNSCONF[@]}"; do          # a key given here replaces the base one
		k=${l%% *}
		printf '%s\n' "$@" | grep -qi "^$k " || base+=("$l")
	done
	printf '%s\n' "Socket unix:$E2E_DIR/mxguard.sock" "Syslog no" "UserID nobody:postfix" \
		"Whitelist $E2E_DIR/whitelist.cdb" "${base[@]}" "$@" > "$E2E_DIR/mxguard.conf"
	kill -USR1 "$MXG_PID"
	e2e_wait_for 5 sh -c "[ \$(grep -c 'configuration .* reloaded' '$MLOG') -ge $c ]" ||
		e2e_die "reload $c not taken: $(tail -3 "$MLOG")"
}
# five sessions for one new client while the DNS server is frozen: one query per zone.
# A long DNSTimeout here, so that however slowly the five connect on a busy
# machine, the first lookups are still in flight when the last ones ask.
reload 1 "DNSTimeout 20s"
# dns_stat KEY - a counter of the resolver, fresh from a stats line (SIGUSR2)
dns_stat() {
	local c; c=$(grep -c 'stats dns ' "$MLOG")
	kill -USR2 "$MXG_PID"
	e2e_wait_for 3 sh -c "[ \$(grep -c 'stats dns ' '$MLOG') -gt $c ]"
	grep 'stats dns ' "$MLOG" | tail -1 | sed -E "s/.* $1=([0-9]+) .*/\\1/"
}
looked0=$(dns_stat lookups)
shared0=$(dns_stat shared)
kill -STOP "$RBL_PID"
pids=()
for i in 1 2 3 4 5; do
	(SEND_HELO=par$i e2e_send 127.0.0.66 "$MX" "par$i@example.net" u@example.com --xclient ADDR=192.0.2.60 >/dev/null 2>&1) &
	pids+=($!)
done
# all five sessions must have asked (5 x 3 lookups) while the server is frozen
for i in $(seq 1 50); do [ "$(dns_stat lookups)" -ge $((looked0 + 15)) ] && break; sleep 0.1; done
shared=$(( $(dns_stat shared) - shared0 ))
kill -CONT "$RBL_PID"
wait "${pids[@]}"
tap_is "concurrent sessions for one client: all five decided" 5 grep -c 'client=192.0.2.60 .*from=<par[1-5]@example.net>' "$MLOG"
q=$(e2e_dns_queries '60\.2\.0\.192\.(bl|bad|wl)\.test')
# one lookup per zone; the freeze outlasts c-ares's per-try timeout (DNSTimeout/3),
# so each lookup may have been retransmitted once: 3..6 packets, never 15+
if [ "$q" -ge 3 ] && [ "$q" -le 6 ]; then tap_ok "concurrent sessions for one client: one lookup per zone ($q packets)"
else tap_fail "concurrent sessions for one client: one lookup per zone" "$q packets"; fi
# at least the other four sessions' 12 lookups found the queries in flight
if [ "$shared" -ge 12 ]; then tap_ok "... the other four joined the queries in flight ($shared shared lookups)"
else tap_fail "... the other four joined the queries in flight" "shared=$shared, want >= 12"; fi

reload 2 "Mode monitor"
send "monitor" 127.0.0.66 192.0.2.99 u12@example.com
tap_check "monitor mode: listed client accepted" smtp_has '<- *250 2\.0\.0 Ok: queued'
check "monitor mode: logged as reject with mode=monitor" 'action=reject reason=dnsbl mode=monitor client=192\.0\.2\.99 '

# DNS server stopped (not answering at all): accepted within DNSTimeout
reload 3
kill -STOP "$RBL_PID"
send "dns down" 127.0.0.66 192.0.2.50 u13@example.com
kill -CONT "$RBL_PID"
tap_check "DNS not answering: accepted" smtp_has '<- *250 2\.0\.0 Ok: queued'
check "DNS not answering: logged reason=dns-error with the timeouts" \
	'action=accept reason=dns-error client=192\.0\.2\.50 .*dnserrors=bl\.test:timeout,bad\.test:timeout,wl\.test:timeout$'
if [ "$SEND_MS" -lt 4500 ]; then tap_ok "DNS not answering: whole SMTP session took ${SEND_MS} ms (DNSTimeout 2s)"
else tap_fail "DNS not answering: session within DNSTimeout" "took $SEND_MS ms"; fi

reload 4 "DNSErrorAction tempfail"
e2e_dns_stop
send "dns down, tempfail" 127.0.0.66 192.0.2.51 u14@example.com
tap_check "DNS down + DNSErrorAction tempfail: 451 at RCPT, never a 5xx" \
	smtp_has '<\*\* 451 4\.7\.1 Service temporarily unavailable; DNS lookups for client \[192\.0\.2\.51\] failed'
check "DNS down + tempfail: logged action=tempfail reason=dns-error" 'action=tempfail reason=dns-error client=192\.0\.2\.51 '
send "dns down, whitelisted" 127.0.0.24 - u15@example.com
check "DNS down: a whitelisted peer still gets through" 'action=accept reason=whitelist client=127\.0\.0\.24 '

# the timer: with StatsInterval 1s the whole set of lines comes by itself
reload 5 "StatsInterval 1s"
timed0=$(grep -c ']: stats connections=' "$MLOG")
zones0=$(grep -c ']: stats dnsbl zone=wl\.test ' "$MLOG")
if e2e_wait_for 10 sh -c "[ \$(grep -c ']: stats connections=' '$MLOG') -ge $((timed0 + 2)) ]"; then
	tap_ok "StatsInterval 1s: stats lines logged by the timer, no signal"
else
	tap_fail "StatsInterval 1s: stats lines logged by the timer" "$(grep ']: stats ' "$MLOG" | tail -3)"
fi
tap_check "... with a line per zone each time" \
	sh -c "[ \$(grep -c ']: stats dnsbl zone=wl\.test ' '$MLOG') -ge $((zones0 + 2)) ]"
# counters run from start-up: five reloads (each a new resolver) later, the
# totals are still at least what the snapshot after the known traffic showed
lookups_then=$(printf '%s\n' "$SNAP" | grep 'stats dns ' | sed -E 's/.* lookups=([0-9]+) .*/\1/')
bl_then=$(zstat bl.test lookups)
stats_snap
lookups_now=$(printf '%s\n' "$SNAP" | grep 'stats dns ' | sed -E 's/.* lookups=([0-9]+) .*/\1/')
if [ "$lookups_now" -ge "$lookups_then" ] && [ "$(zstat bl.test lookups)" -gt "$bl_then" ]; then
	tap_ok "stats: totals since start-up survive reloads (dns lookups $lookups_then -> $lookups_now)"
else
	tap_fail "stats: totals since start-up survive reloads" "dns lookups $lookups_then -> $lookups_now" \
		"bl.test lookups $bl_then -> $(zstat bl.test lookups)"
fi

tap_check "no milter errors in Postfix's log" sh -c "! grep -Eq 'milter.*(error|timeout)|warning: .*milter' '$PLOG'"
mxg_stop
tap_done
