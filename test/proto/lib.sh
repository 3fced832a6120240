# shellcheck shell=bash
# proto/lib.sh - shared by the protocol tests: a private directory, and one
# SMTP session through the daemon with session.lua whose new log lines must
# match a pattern. Needs LOG and SOCK set by the caller after sourcing.
. "$(dirname "${BASH_SOURCE[0]}")/../tap.sh"
D=$(mktemp -d /tmp/mxg-proto.XXXXXX)
chmod 755 "$D"
trap 'mxg_stop; if [ -n "${KEEP:-}" ]; then echo "# kept $D"; else rm -rf "$D"; fi' EXIT
LOG=$D/log
SOCK=unix:$D/mxguard.sock

# session DESC REGEX [VAR=value...] - the session's replies are checked by
# session.lua (see its header); a log line written since must match REGEX
session() {
	local desc=$1 re=$2 before out i; shift 2
	before=$(wc -l < "$LOG")
	if ! out=$(env MXG_SOCK="$SOCK" "$@" miltertest -s "$MXG_TOP_SRCDIR/test/proto/session.lua" 2>&1); then
		tap_fail "$desc" "miltertest: $out" "$(tail -n +"$((before + 1))" "$LOG")"
		return
	fi
	for i in 1 2 3 4 5 6 7 8 9 10; do
		if tail -n +"$((before + 1))" "$LOG" | grep -Eq -- "$re"; then
			tap_ok "$desc"
			return
		fi
		sleep 0.05
	done
	tap_fail "$desc" "no log line matching: $re" "$(tail -n +"$((before + 1))" "$LOG")"
}
