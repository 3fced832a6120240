#!/bin/bash
# e2e/metrics.sh - StatsFile, the Prometheus text file: the daemon with a
# real DNSBL (rbldnsd on 127.0.0.1:53, private namespace) and sessions over
# the milter protocol (miltertest). The file passes promtool check metrics,
# says what the stats lines of the same SIGUSR2 say, counts monitor-mode
# decisions and reloads apart, and is replaced atomically: a reader that
# reads it again and again while SIGUSR2 comes every few milliseconds and
# sessions run never sees a partial file.
set -u
. "$(dirname "$0")/lib.sh"
e2e_enter_ns "$@"
CHECK=$MXG_TOP_SRCDIR/test/e2e/metrics-check.py

mkdir -p "$E2E_DIR/dns" "$E2E_DIR/prom"
chown nobody "$E2E_DIR/prom"       # the daemon writes there after dropping to nobody
printf ':127.0.0.2:Listed\n192.0.2.99\n192.0.2.98\n' > "$E2E_DIR/dns/bl.zone"
e2e_rbldnsd bl.test:ip4set:bl.zone
PROM=$E2E_DIR/prom/mxguard.prom
CONF=("TrustedNetworks 10.0.0.0/8" "DNSBL bl.test" "DNSTimeout 2s" "SPF no" "StatsFile $PROM")
e2e_mxguard "${CONF[@]}" <<'WL'
192.0.2.25     OK
WL

# session IP [VAR=value...] - one SMTP session through the filter
session() {
	local ip=$1; shift
	env MXG_SOCK="$MXG_MILTER" IP="$ip" "$@" miltertest -s "$MXG_TOP_SRCDIR/test/proto/session.lua" >>"$E2E_DIR/mt.log" 2>&1
}
# usr2 - SIGUSR2, and wait until the file is replaced (a new inode)
usr2() {
	local before
	before=$(stat -c %i "$PROM" 2>/dev/null)
	kill -USR2 "$MXG_PID"
	e2e_wait_for 10 sh -c "[ -f '$PROM' ] && [ \"\$(stat -c %i '$PROM')\" != '$before' ]"
}
val() { python3 "$CHECK" value "$PROM" "$1"; }

tap_check "no file before the first stats (StatsInterval 1h)" test ! -e "$PROM"
for ip in 198.51.100.1 198.51.100.2 198.51.100.3; do session "$ip"; done
session 192.0.2.99 EXPECT_RCPT=reject
session 192.0.2.98 EXPECT_RCPT=reject
session 192.0.2.25
session 10.1.1.1
wait_match "$MLOG" "reason=trusted client=10\.1\.1\.1" 5
tap_check "SIGUSR2 writes the file" usr2
tap_is "the file is mode 0644 and no temporary file is left" "644 1" \
	sh -c "echo \$(stat -c %a '$PROM') \$(ls '$E2E_DIR/prom' | wc -l)"
if out=$(promtool check metrics < "$PROM" 2>&1); then
	tap_ok "promtool check metrics: no problem${out:+ ($out)}"
else
	tap_fail "promtool check metrics" "$out"
fi
tap_is "the file says what the stats lines of the same moment say" "ok" \
	python3 "$CHECK" compare "$PROM" "$MLOG"
same_vals() {
	local want=$1 got=""; shift
	for s in "$@"; do got="$got $(val "$s")"; done
	[ "$want" = "${got# }" ] || { echo "# want $want got ${got# }"; return 1; }
}
tap_check "decisions by action, reason and mode: 3 clean, 2 dnsbl rejects, 1 whitelist, 1 trusted" same_vals "3 2 1 1 0 7 2" \
	'mxguard_decisions_total{action="accept",reason="clean",mode="enforce"}' \
	'mxguard_decisions_total{action="reject",reason="dnsbl",mode="enforce"}' \
	'mxguard_decisions_total{action="accept",reason="whitelist",mode="enforce"}' \
	'mxguard_decisions_total{action="accept",reason="trusted",mode="enforce"}' \
	'mxguard_decisions_total{action="reject",reason="dnsbl",mode="monitor"}' \
	mxguard_connections_total 'mxguard_dnsbl_hits_total{zone="bl.test"}'
tap_check "whitelist entries, no reloads yet, a start time of this run" same_vals "1 0 0" \
	mxguard_whitelist_entries mxguard_whitelist_reloads_total mxguard_config_reloads_total
start=$(val mxguard_start_time_seconds)
now=$(date +%s)
if [ "$start" -le "$now" ] && [ "$start" -gt $((now - 120)) ]; then tap_ok "mxguard_start_time_seconds is this run's start ($start)"
else tap_fail "mxguard_start_time_seconds" "$start, now $now"; fi

# Mode monitor by reload: a listed client's reject is counted under mode="monitor"
printf 'Mode monitor\n' >> "$E2E_DIR/mxguard.conf"
kill -USR1 "$MXG_PID"
wait_match "$MLOG" "reloaded: .*mode monitor" 10
session 192.0.2.99
wait_match "$MLOG" "action=reject reason=dnsbl mode=monitor client=192\.0\.2\.99" 5
usr2
tap_check "after a reload to Mode monitor: the reject counted as mode=\"monitor\", one config and one whitelist reload" \
	same_vals "1 2 1 1" \
	'mxguard_decisions_total{action="reject",reason="dnsbl",mode="monitor"}' \
	'mxguard_decisions_total{action="reject",reason="dnsbl",mode="enforce"}' \
	mxguard_config_reloads_total mxguard_whitelist_reloads_total
tap_is "and the file still says what the stats lines say" "ok" python3 "$CHECK" compare "$PROM" "$MLOG"

# under load: sessions and SIGUSR2 every few ms while a reader reads the file
(
	i=0
	while [ ! -e "$E2E_DIR/stop" ]; do
		i=$((i + 1))
		session "198.51.100.$((i % 200 + 1))"
		session 192.0.2.98
	done
) &
mail_pid=$!
(
	while [ ! -e "$E2E_DIR/stop" ]; do kill -USR2 "$MXG_PID" 2>/dev/null; sleep 0.003; done
) &
sig_pid=$!
e2e_bg "$mail_pid"
e2e_bg "$sig_pid"
out=$(python3 "$CHECK" read "$PROM" 4)
touch "$E2E_DIR/stop"
wait "$mail_pid" "$sig_pid"
reads=$(echo "$out" | sed -n 's/^reads \([0-9]*\) .*/\1/p')
bad=$(echo "$out" | sed -n 's/.* bad \([0-9]*\) .*/\1/p')
versions=$(echo "$out" | sed -n 's/.* versions \([0-9]*\)$/\1/p')
if [ "${reads:-0}" -ge 1000 ] && [ "$bad" = 0 ] && [ "${versions:-0}" -ge 20 ]; then
	tap_ok "replaced atomically under load: $reads reads of $versions versions, every one whole"
else
	tap_fail "replaced atomically under load (>= 1000 reads, >= 20 versions, none partial)" "$out"
fi
tap_is "no temporary file left behind" "1" sh -c "ls '$E2E_DIR/prom' | wc -l"
decided=$(grep -c 'action=' "$MLOG")
usr2
tap_is "after the load: file and stats lines agree, all $decided decisions counted" "ok $decided" \
	sh -c "python3 '$CHECK' compare '$PROM' '$MLOG' | tr '\n' ' '; python3 - '$PROM' <<'PY'
import re, sys
print(sum(int(v) for v in re.findall(r'^mxguard_decisions_total\{.*\} ([0-9]+)$', open(sys.argv[1]).read(), re.M)))
PY"
tap_is "the sessions' log has no miltertest failure" "0" sh -c "grep -ci 'error' '$E2E_DIR/mt.log'"

# a StatsFile that cannot be written: logged, the daemon goes on, the old file stays
chmod 0555 "$E2E_DIR/prom"
kill -USR2 "$MXG_PID"
if wait_match "$MLOG" "StatsFile $PROM: temporary file: Permission denied" 5 && kill -0 "$MXG_PID"; then
	tap_ok "an unwritable directory: logged, the daemon runs on"
else
	tap_fail "an unwritable directory" "$(tail -3 "$MLOG")"
fi
chmod 0755 "$E2E_DIR/prom"
mxg_stop
tap_is "clean shutdown" "0" echo "$MXG_EXIT"
tap_done
