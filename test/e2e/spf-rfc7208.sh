#!/bin/bash
# e2e/spf-rfc7208.sh - the whole openspf RFC 7208 test suite (Debian's
# python3-spf ships it) through the real mxguard daemon and the milter
# protocol, with every DNS answer from a real nsd, in a private namespace.
#
# test/unit/rfc7208-lines.py reads the YAML; rfc7208-world.py turns each
# scenario's zone data into one root zone (so unknown names are real
# NXDOMAIN answers) and each test into an mtraw session: connect from the
# test's client address (IPv4 or IPv6), HELO, MAIL FROM, RCPT, end of
# message. Per scenario: nsd serves its zone on 127.0.0.1:5300; dnsdelay
# (test/bench) forwards to it from 127.0.0.1:5354 (mxguard's DNSServers)
# and drops the queries the suite marks TIMEOUT, so those time out for
# real after DNSTimeout; mxguard is reloaded (a new resolver, an empty
# cache); the scenario's sessions run concurrently. mxguard runs with
# SPFEngine mxguard and SPFFailAction tag, so every case is decided and
# logged; each logged spf= must be one of the test's results.
#
# What nsd serves differently from the suite's zone data (none changes a
# result): two equal TXT records (example7.com's "multiple records") are one
# record in DNS, so the second is published split into two strings (the
# same text once joined, RFC 7208 §3.3); MX preferences are numbered per
# name. MXG_RFC7208_YML names another copy of the suite; MXG_SPF_ENGINE=libspf2
# runs it against the libspf2 engine instead (libspf2 1.2.10 fails 38 of 203
# cases: its deviations, see mxguard.conf(5) SPFEngine).
set -u
. "$(dirname "$0")/lib.sh"
e2e_enter_ns "$@"

: "${MXG_TOP_BUILDDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
MTRAW=$MXG_TOP_BUILDDIR/test/proto/mtraw
DELAY=$MXG_TOP_BUILDDIR/test/bench/dnsdelay
yml=${MXG_RFC7208_YML:-/usr/share/doc/python3-spf/rfc7208-tests.yml.gz}
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3      # Debian's, with python3-yaml from contrib/debian-packages
[ -x "$py" ] || py=python3
for t in "$MTRAW" "$DELAY"; do
	[ -x "$t" ] || e2e_die "$t not built (make check builds it)"
done
[ -r "$yml" ] || e2e_die "$yml missing: install python3-spf (contrib/debian-packages)"
W=$E2E_DIR/world
mkdir -p "$W"
if ! { "$py" "$here/../unit/rfc7208-lines.py" "$yml" > "$E2E_DIR/lines" &&
	"$py" "$here/rfc7208-world.py" "$E2E_DIR/lines" "$W"; }; then
	e2e_die "converting $yml failed"
fi
for z in "$W"/s*.zone; do
	nsd-checkzone . "$z" > "$E2E_DIR/checkzone" 2>&1 || e2e_die "nsd rejects $z: $(cat "$E2E_DIR/checkzone")"
done

# DNSTimeout is the deadline of one whole evaluation: long enough for the
# deepest include chain under valgrind, short enough for the TIMEOUT cases
tmo=1s
[ -n "${MXG_WRAP:-}" ] && tmo=4s
conf=("TrustedNetworks none" "DNSServers 127.0.0.1:5354" "DNSTimeout $tmo"
	"SPF yes" "SPFEngine ${MXG_SPF_ENGINE:-mxguard}" "SPFFailAction tag")
e2e_mxguard "${conf[@]}" < /dev/null
S=$E2E_DIR/mxguard.sock
reload() {
	local c; c=$(grep -c 'configuration .* reloaded' "$MLOG")
	kill -USR1 "$MXG_PID"
	e2e_wait_for 20 sh -c "[ \$(grep -c 'configuration .* reloaded' '$MLOG') -gt $c ]" ||
		e2e_die "reload failed: $(tail -3 "$MLOG")"
}

scenarios=$(cut -f1 "$W/cases" | sort -un)
for n in $scenarios; do
	e2e_nsd_file . "$W/s$n.zone" 127.0.0.1@5300
	drops=()
	while read -r x; do drops+=(-z "$x"); done < "$W/s$n.drop"
	"$DELAY" -l 127.0.0.1:5354 -u 127.0.0.1:5300 -d 0 "${drops[@]}" 2> "$E2E_DIR/delay$n.log" &
	dpid=$!
	e2e_bg "$dpid"
	[ "$n" = "${scenarios%%[!0-9]*}" ] || reload
	pids=()
	while IFS=$'\t' read -r s k _; do
		[ "$s" = "$n" ] || continue
		"$MTRAW" "$S" < "$W/t$k.mt" > "$W/t$k.out" 2>&1 &
		pids+=($!)
	done < "$W/cases"
	[ "${#pids[@]}" -eq 0 ] || wait "${pids[@]}"
	kill "$dpid"
	wait "$dpid" 2>/dev/null
	e2e_nsd_stop
done

# result K - the spf= logged for test K's session, or a note why there is none
result() {
	local l
	l=$(grep -a " rcpt=<t$1@rfc7208\.test>" "$MLOG" | tail -1)
	case "$l" in
	"") echo "no log line; mtraw: $(tr '\n' ' ' < "$W/t$1.out" | cut -c1-200)" ;;
	*" spf="*) l=${l#* spf=}; echo "${l%% *}" ;;
	*) echo "not checked: $l" ;;
	esac
}
e2e_wait_for 10 sh -c "grep -q ' rcpt=<t$(wc -l < "$W/cases")@rfc7208\.test>' '$MLOG'"
pass=0 total=0
while IFS=$'\t' read -r n k id spec want; do
	total=$((total + 1))
	got=$(result "$k")
	case ",$want," in
	*",$got,"*) pass=$((pass + 1)); tap_ok "$id (RFC 7208 $spec): $got" ;;
	*) tap_fail "$id (RFC 7208 $spec, scenario $n)" "want: $want" "got:  $got" ;;
	esac
done < "$W/cases"
tap_check "mxguard is still alive after $total sessions" kill -0 "$MXG_PID"
tap_check "the TIMEOUT names were asked and dropped" \
	sh -c "cat '$E2E_DIR'/delay*.log | grep -q 'dropped=[1-9]'"
echo "# $pass of $total RFC 7208 suite cases pass through the milter protocol"
tap_done
