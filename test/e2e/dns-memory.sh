#!/bin/bash
# e2e/dns-memory.sh - the resolver's cache stays within DNSCacheSize under a
# hostile sender (issue 12). nsd serves hostile.test with a wildcard TXT: an
# SPF record of three include:%{l}.N.%{d1r}.inc.hostile.test terms (so
# every MAIL FROM asks four new names) and, beside it, kilobytes of other TXT
# text (so each answer comes over TCP, as large as the attacker likes). Through the milter
# protocol (test/proto/mtraw, four connections at once) 20,000 MAIL FROMs
# with unique local parts and domains arrive from an untrusted client.
# mxguard's RSS, measured after a warm-up, must grow by less than the cache
# bound (2m) plus a fixed margin, checked as it goes (a run that blows past
# it stops early); the stats line must show the cache at or under its bound
# and evictions; once the records' TTL (3 s) has passed, the cache must
# empty without a single name being asked again. Before the fix each answer
# was kept whole for at least 60 s and RSS grew by hundreds of MB.
set -u
. "$(dirname "$0")/lib.sh"
e2e_enter_ns "$@"

MTRAW=$MXG_TOP_BUILDDIR/test/proto/mtraw
[ -x "$MTRAW" ] || e2e_die "$MTRAW not built (make check builds it)"
N=${DNSMEM_MAILS:-20000}
CONNS=4
BOUND_KB=2048
MARGIN_KB=${DNSMEM_MARGIN_KB:-6144}
D=$E2E_DIR

spf="v=spf1"
for i in 1 2 3; do spf="$spf include:%{l}.$i.%{d1r}.inc.hostile.test"; done
spf="$spf ?all"
junk=$(printf '"%s" ' $(head -c 3000 /dev/zero | tr '\0' 'j' | fold -w 250))
e2e_nsd hostile.test <<Z
* 3 IN TXT "$spf"
* 3 IN TXT $junk
*.inc 3 IN TXT "v=spf1 ?all"
*.inc 3 IN TXT $junk
Z
e2e_mxguard "TrustedNetworks none" "SPF yes" "DNSTimeout 5s" "DNSCacheSize 2m" \
	"DNSBLMinTTL 1s" "DNSBLMaxTTL 1h" "StatsInterval 0s" </dev/null
S=$E2E_DIR/mxguard.sock

rss() { awk '/^VmRSS/ { print $2 }' "/proc/$MXG_PID/status"; }
# mails FIRST COUNT NAME - COUNT MAIL FROMs (each aborted) of unique senders
# in one milter connection from 192.0.2.1, through mtraw; output in $D/NAME.out
mails() {
	awk -v f="$1" -v n="$2" 'BEGIN {
		printf "C client.example\\0\x34\\x00\\x19192.0.2.1\\0\nH client.example\\0\n"
		for (i = f; i < f + n; i++) printf "M <u%d@d%d.hostile.test>\\0\nA\n", i, i
		print "!close" }' | "$MTRAW" "$S" > "$D/$3.out" 2>&1
}
stats_line() {
	local before
	before=$(grep -c 'stats dns ' "$MLOG")
	kill -USR2 "$MXG_PID"
	e2e_wait_for 5 sh -c "[ \$(grep -c 'stats dns ' '$MLOG') -gt $before ]" || return 1
	grep 'stats dns ' "$MLOG" | tail -1
}
key() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# warm-up: libmilter's threads, their malloc arenas, c-ares' TCP connection
mails 0 400 warm
tap_is "warm-up: every MAIL FROM answered" 400 grep -c '^M> c$' "$D/warm.out"
sleep 4                          # the warm-up's entries expire: the cache starts empty
base=$(rss)
echo "# RSS after warm-up: $base kB; cache bound $BOUND_KB kB, margin $MARGIN_KB kB"

start=$(date +%s)
per=$((N / CONNS / 10))
max=$base over=0
for round in $(seq 0 9); do
	pids=""
	for c in $(seq 0 $((CONNS - 1))); do
		mails $((1000 + (round * CONNS + c) * per)) "$per" "r$round-$c" &
		pids="$pids $!"
	done
	for p in $pids; do wait "$p"; done
	r=$(rss)
	[ "$r" -gt "$max" ] && max=$r
	if [ $((r - base)) -ge $((BOUND_KB + MARGIN_KB)) ]; then over=1; break; fi
done
secs=$(( $(date +%s) - start ))
sent=$(cat "$D"/r*.out | grep -c '^M> c$')
echo "# $sent MAIL FROMs in ${secs}s; RSS $base kB -> max $max kB (growth $((max - base)) kB)"
tap_is "every MAIL FROM answered (continue)" "$N" echo "$sent"
tap_check "RSS grew by less than the cache bound + margin ($((max - base)) < $BOUND_KB + $MARGIN_KB kB)" \
	test "$over" = 0 -a $((max - base)) -lt $((BOUND_KB + MARGIN_KB))

line=$(stats_line)
echo "# $line"
bytes=$(key "$line" cache_bytes) cmax=$(key "$line" cache_max) entries=$(key "$line" entries)
queries=$(key "$line" queries)
tap_is "the stats line gives the bound (2m)" "$((BOUND_KB * 1024))" echo "$cmax"
tap_check "the cache is at or under its bound (cache_bytes=$bytes)" test "${bytes:-99999999}" -le "${cmax:-0}"
tap_check "the bound made room by evicting (evicted=$(key "$line" evicted))" test "$(key "$line" evicted)" -gt 0
tap_check "the cache held entries (entries=$entries)" test "${entries:-0}" -gt 0
tap_check "each MAIL FROM asked DNS for its names (queries=$queries)" test "${queries:-0}" -ge "$((N * 4))"

sleep 4                          # past the records' TTL of 3 s, nothing asked
line=$(stats_line)
echo "# $line"
tap_is "after the TTL the cache is empty, swept without new lookups" "0 0" \
	echo "$(key "$line" entries) $(key "$line" cache_bytes)"
tap_is "... and no query was sent meanwhile" "$queries" key "$line" queries
tap_check "expired entries are counted (expired=$(key "$line" expired))" test "$(key "$line" expired)" -gt 0
tap_check "mxguard still running" kill -0 "$MXG_PID"
tap_done
