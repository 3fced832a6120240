#!/bin/bash
# cli/report-html.sh - mxguard-report --html over test/data/mxguard-sample.log
# and over a synthetic day with hostile lines made here: the page parses
# (Python's html.parser, every element closed where it opened), every chart
# is there with the figures the text report and the generator say, nothing
# a log line holds comes out as markup, and headless Chromium renders the
# charts: its screenshot is decoded (test/cli/png-facts.py, zlib only) and
# each chart's colours must cover real bars, in page order.
# REPORT_SHOTS=DIR keeps the screenshots there.
set -u
. "$(dirname "$0")/../tap.sh"
REPORT=$MXG_TOP_SRCDIR/contrib/mxguard-report
SAMPLE=$MXG_TOP_SRCDIR/test/data/mxguard-sample.log
FACTS=$MXG_TOP_SRCDIR/test/cli/html-facts.py
PNG=$MXG_TOP_SRCDIR/test/cli/png-facts.py
D=$(mktemp -d /tmp/mxg-rhtml.XXXXXX)
trap 'rm -rf "$D"' EXIT

same() {
	if [ "$2" = "$3" ]; then tap_ok "$1"
	else tap_fail "$1" "expected:" "$2" "got:" "$3"; fi
}
# fact FILE KEY... - the value printed by html-facts.py for that key
fact() { local f=$1; shift; awk -v k="$*" 'index($0, k " ") == 1 { print substr($0, length(k) + 2); exit }' "$f"; }
ALLOWED=body,br,code,dd,div,dl,dt,h1,h2,head,html,line,meta,p,rect,section,span,style,svg,table,tbody,td,text,th,thead,title,tr

# shot HTML PNG - headless Chromium's screenshot of a page, 1000 px wide
shot() {
	local u
	u=$(mktemp -d "$D/chrome.XXXXXX")
	timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$u" --screenshot="$2" --window-size=1000,2600 "file://$1" \
		>"$D/chrome.out" 2>&1
	[ -s "$2" ]
}

# charts_drawn NAME PNGFACTS - the four chart colours cover bars (a legend
# square alone is ~225 px), top to bottom: enforced, monitor, reasons
charts_drawn() {
	local f=$2 ink w h acc rej mon bar
	read -r w h < <(fact "$f" size)
	ink=$(fact "$f" ink)
	acc=$(fact "$f" color 3a7d44); rej=$(fact "$f" color c0392b)
	mon=$(fact "$f" color eba39b); bar=$(fact "$f" color 16a085)
	if [ "$ink" -gt $((w * h / 50)) ] && [ "${acc%% *}" -gt 1000 ] && [ "${rej%% *}" -gt 1000 ] &&
		[ "${mon%% *}" -gt 1000 ] && [ "${bar%% *}" -gt 1000 ] &&
		[ "$(echo "$rej" | cut -d' ' -f3)" -lt "$(echo "$mon" | cut -d' ' -f2)" ] &&
		[ "$(echo "$mon" | cut -d' ' -f3)" -lt "$(echo "$bar" | cut -d' ' -f2)" ]; then
		tap_ok "$1: screenshot ${w}x$h, $ink pixels inked; bars of the enforced, monitor and reasons charts drawn, in that order"
	else
		tap_fail "$1: screenshot shows the charts" "$(cat "$f")" "$(tail -3 "$D/chrome.out")"
	fi
}

# ---- the sample: the charts say what the text report says
perl "$REPORT" --html -d 2026-11-25 "$SAMPLE" > "$D/s.html" 2>"$D/err"; rc=$?
same "sample: exit 0, nothing on standard error" "0" "$rc$(cat "$D/err")"
python3 "$FACTS" "$D/s.html" > "$D/s.facts" 2>&1
same "sample: the page parses, every element closed in order, doctype, viewport, print CSS" \
	"ok" "$(fact "$D/s.facts" structure)"
same "sample: no script, no event handler, nothing loaded from outside" "ok" "$(fact "$D/s.facts" outside)"
same "sample: only the elements the report writes" "$ALLOWED" "$(fact "$D/s.facts" tags)"
text=$(perl "$REPORT" -d 2026-11-25 "$SAMPLE")
tx() { printf '%s\n' "$text" | awk -v a="$1" -v c="$2" '/^Decisions by action/ { on = 1 } on && $1 == a { print $c; exit }'; }
want="" got=""
for a in accept tag quarantine tempfail reject; do
	want="$want $a $(tx "$a" 2)/$(tx "$a" 4)"
	got="$got $a $(fact "$D/s.facts" svg chart-hourly "$a")/$(fact "$D/s.facts" svg chart-monitor "$a")"
done
same "sample: hourly charts, enforced/monitor by action = the text report's" "$want" "$got"
same "sample: chart totals (enforced 69, monitor 1, per hour 9-11)" \
	"69 69 1 1 24 25 20" \
	"$(for k in "chart-hourly total" "chart-hourly sum" "chart-monitor total" "chart-monitor sum" \
		"chart-hourly hour 9" "chart-hourly hour 10" "chart-hourly hour 11"; do
		fact "$D/s.facts" svg $k; done | tr '\n' ' ' | sed 's/ $//')"
want=$(printf '%s\n' "$text" | awk '/^Top reasons/ { on = 1; next } on && NF == 0 { exit } on && $1 != "reason" && $1 != "clean" { print $1, $2 }' | sort)
got=$(grep '^reason ' "$D/s.facts" | awk '$3 != 0 { print $2, $3 }' | sort)
same "sample: the reasons chart has each reason's count of the text report" "$want" "$got"
same "sample: tables (3 listed clients, 3 zones, 2 loop holds, 4 relay-origin findings)" \
	"3 3 2 4" "$(for t in t-listed t-zones t-holds t-relay; do fact "$D/s.facts" table "$t" rows; done | tr '\n' ' ' | sed 's/ $//')"
same "sample: header with host, period, lines read and garbled" \
	"hostmx1 periodNov 25 09:00:01 .. Nov 25 23:00:00 lines read124 (70 decisions, 5 stats, 22 other mxguard messages, 8 other programs, 9 other days) garbled10 lines skipped" \
	"$(fact "$D/s.facts" text header)"
tap_check "sample: each loop hold with both release commands" \
	grep -q 'postsuper -H 6AQ1TcD3025127</code><br><code>sendmail -qQ -Q -qI6AQ1TcD3025127</code>' "$D/s.html"
if shot "$D/s.html" "$D/s.png"; then
	python3 "$PNG" "$D/s.png" 3a7d44 c0392b eba39b 16a085 > "$D/s.png.facts"
	charts_drawn "sample" "$D/s.png.facts"
else
	tap_fail "sample: headless Chromium made a screenshot" "$(tail -5 "$D/chrome.out")"
fi

# ---- a synthetic day, Nov 26, every hour busy, hostile values everywhere
H='<b>mx</b>"'\''&'
gen() {
	local h t i c
	for h in $(seq 0 23); do
		t=$(printf 'Nov 26 %02d' "$h")
		for i in $(seq 0 "$h"); do
			printf '%s:00:%02d %s mxguard[1]: action=accept reason=clean client=192.0.2.%d helo=<script>alert(1)</script> from="<\\x22><img src=x onerror=alert(1)>"\n' "$t" "$i" "$H" "$i"
		done
		for i in $(seq 1 $((h % 4))); do
			c=198.51.100.$((h * 4 + i))
			printf '%s:10:%02d %s mxguard[1]: action=reject reason=dnsbl client=%s score=2 zones="<i>z</i>.test:127.0.0.2,\\x22><svg/onload=alert(1)>.test:127.0.0.3"\n' "$t" "$i" "$H" "$c"
		done
		[ $((h % 6)) = 0 ] && printf '%s:20:00 %s mxguard[1]: Q%d: action=tag reason=relay-origin client=127.0.0.20 origin='\''onmouseover='\''alert(1) helo=x\n' "$t" "$H" "$h"
		[ "$h" = 3 ] || [ "$h" = 15 ] &&
			printf '%s:30:00 %s mxguard[1]: </script><script>alert(1)</script>: action=quarantine reason=loop client=127.0.0.30 received=99999999999999999999999999 passes=99999999999999999999999999 detail="loop: %s"\n' "$t" "$H" "$(head -c 3000 /dev/zero | tr '\0' A)"
		if [ $((h % 2)) = 0 ]; then
			printf '%s:40:0%d %s mxguard[1]: action=tempfail reason=dns-error client=203.0.113.%d dnserrors=bl.test:timeout\n' "$t" 1 "$H" "$h"
			printf '%s:40:0%d %s mxguard[1]: action=tempfail reason=dns-error client=203.0.113.%d dnserrors=bl.test:timeout\n' "$t" 2 "$H" "$h"
		else
			printf '%s:50:00 %s mxguard[1]: action=reject reason=spf mode=monitor client=203.0.113.%d spf=fail\n' "$t" "$H" "$h"
		fi
	done
	printf 'Nov 26 23:59:00 %s mxguard[1]: stats connections=400 action.accept=300 uptime=86400\n' "$H"
	printf 'Nov 26 23:59:00 %s mxguard[1]: stats dnsbl zone=<script>alert(1)</script> lookups=100 queries=50 hits=25 errors=0 timeouts=0 servfail=0 bad=0 p50_ms=99999999999999999999999999999999 p99_ms=1.5\n' "$H"
	printf 'Nov 26 05:00:00 mx mxguard[1]: action=accept reason=clean client=\001\033[2J\n'
	printf 'Nov 26 05:00:01 mx mxguard[1]: action=accept reason=clean helo=\342\200\256evil\n'
	printf 'Nov 26 05:00:02 mx mxguard[1]: action=accept reason=clean client=<x\n'"'"'\n' | tr '\n' '\r'
	printf '\n<script>alert(1)</script>\n'
}
gen > "$D/hostile.log"
lines=$(wc -l < "$D/hostile.log")
perl "$REPORT" --html "$D/hostile.log" > "$D/h.html" 2>"$D/err"; rc=$?
same "hostile day: exit 0, nothing on standard error" "0" "$rc$(cat "$D/err")"
python3 "$FACTS" "$D/h.html" > "$D/h.facts" 2>&1
same "hostile day: the page parses, every element closed in order" "ok" "$(fact "$D/h.facts" structure)"
same "hostile day: no script, no event handler, nothing loaded from outside" "ok" "$(fact "$D/h.facts" outside)"
# (no <br>: the hostile day's holds have no real queue id, so no release commands)
same "hostile day: only the elements the report writes" "${ALLOWED/br,/}" "$(fact "$D/h.facts" tags)"
same "hostile day: printable ASCII only (control bytes and UTF-8 never copied)" "ok" "$(fact "$D/h.facts" bytes)"
tap_is "hostile day: no '<script' and no attacker tag anywhere in the page" "0" \
	sh -c "grep -ciE '<(script|img|svg/|i>|b>)|onmouseover=.alert' '$D/h.html'"
tap_check "hostile day: the hostile values are shown, escaped" \
	sh -c "grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' '$D/h.html' && grep -q '&#39;onmouseover=&#39;alert(1)' '$D/h.html' && grep -q '&lt;b&gt;mx&lt;/b&gt;&quot;&#39;&amp;' '$D/h.html'"
tap_check "hostile day: huge values bounded (no 300 A in a row, no 40-digit number, page under 100 kB)" \
	sh -c "! grep -qE 'A{300}|[0-9]{40}' '$D/h.html' && [ \$(wc -c < '$D/h.html') -lt 100000 ]"
# what gen wrote, counted apart
exp_hour="" exp_acc=0
for h in $(seq 0 23); do
	n=$((h + 1 + h % 4 + (h % 6 == 0) + (h == 3 || h == 15) + 2 * (h % 2 == 0)))
	exp_hour="$exp_hour $h:$n"
	exp_acc=$((exp_acc + h + 1))
done
got_hour=""
for h in $(seq 0 23); do got_hour="$got_hour $h:$(fact "$D/h.facts" svg chart-hourly hour "$h")"; done
same "hostile day: every hour's stack as generated" "$exp_hour" "$got_hour"
same "hostile day: enforced by action (accept tag quarantine tempfail reject), monitor reject" \
	"$exp_acc 4 2 24 36 / 12 366 12" \
	"$(for a in accept tag quarantine tempfail reject; do fact "$D/h.facts" svg chart-hourly "$a"; done | tr '\n' ' ')/ $(fact "$D/h.facts" svg chart-monitor reject) $(fact "$D/h.facts" svg chart-hourly total) $(fact "$D/h.facts" svg chart-monitor total)"
same "hostile day: reasons chart" "authenticated 0 dns-error 24 dnsbl 36 loop 2 relay-origin 4 spf 12 tag-flood 0 trusted 0 whitelist 0" \
	"$(grep '^reason ' "$D/h.facts" | sort | cut -d' ' -f2- | tr '\n' ' ' | sed 's/ $//')"
same "hostile day: 10 of 36 listed clients shown, 2 holds, 4 relay-origin findings, 1 zone" \
	"10 2 4 1" "$(for t in t-listed t-holds t-relay t-zones; do fact "$D/h.facts" table "$t" rows; done | tr '\n' ' ' | sed 's/ $//')"
tap_check "hostile day: the rest of the listed clients counted" grep -q 'and 26 more' "$D/h.html"
same "hostile day: header counts every line, the control-byte, UTF-8, CR and markup lines as garbled" \
	"lines read$lines (378 decisions, 2 stats, 0 other mxguard messages, 0 other programs, 0 other days) garbled4 lines skipped" \
	"$(fact "$D/h.facts" text header | sed 's/.*\(lines read\)/\1/')"
if shot "$D/h.html" "$D/h.png"; then
	python3 "$PNG" "$D/h.png" 3a7d44 c0392b eba39b 16a085 > "$D/h.png.facts"
	charts_drawn "hostile day" "$D/h.png.facts"
else
	tap_fail "hostile day: headless Chromium made a screenshot" "$(tail -5 "$D/chrome.out")"
fi
if [ -n "${REPORT_SHOTS:-}" ]; then
	cp "$D/s.png" "$REPORT_SHOTS/report-sample.png" 2>/dev/null
	cp "$D/h.png" "$REPORT_SHOTS/report-hostile.png" 2>/dev/null
	cp "$D/h.html" "$REPORT_SHOTS/report-hostile.html" 2>/dev/null
fi

# the text report is the default and stays as it was
tap_check "no --html: the text table" sh -c "perl '$REPORT' '$SAMPLE' | head -1 | grep -qx 'mxguard report'"
tap_done
