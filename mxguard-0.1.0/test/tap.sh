# shellcheck shell=bash
# tap.sh - TAP output and mxguard process helpers for the shell tests.
# Sourced; needs MXG_TOP_BUILDDIR/MXG_TOP_SRCDIR (defaults: the tree this
# file is in). A failed check prints "not ok" and the evidence; tap_done
# prints the plan and returns non-zero when anything failed.
: "${MXG_TOP_SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${MXG_TOP_BUILDDIR:=$MXG_TOP_SRCDIR}"
: "${MXGUARD:=$MXG_TOP_BUILDDIR/mxguard}"
: "${MXGUARD_WL:=$MXG_TOP_BUILDDIR/mxguard-wl}"
tap_n=0
tap_failed=0

tap_ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1"; }

tap_fail() {
	tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $1"; shift
	local l
	for l in "$@"; do printf '%s\n' "$l" | sed 's/^/#   /' | head -40; done
}

# tap_check DESC CMD... - ok when CMD succeeds
tap_check() {
	local d=$1 out; shift
	if out=$("$@" 2>&1); then tap_ok "$d"; else tap_fail "$d" "command: $*" "$out"; fi
}

# tap_is DESC EXPECTED CMD... - ok when CMD prints exactly EXPECTED
tap_is() {
	local d=$1 exp=$2 got; shift 2
	got=$("$@" 2>&1)
	if [ "$got" = "$exp" ]; then tap_ok "$d"; else tap_fail "$d" "expected: $exp" "got: $got" "from: $*"; fi
}

tap_done() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}

# wait_match FILE REGEX [SECONDS] - poll until grep -E finds REGEX
wait_match() {
	local i=0 max=$(( ${3:-10} * 10 ))
	while [ $i -lt $max ]; do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

# mxg_start CONF LOG [args] - run mxguard -f in the background, wait for "starting";
# MXG_WRAP (e.g. valgrind and its options) runs in front of it
mxg_start() {
	local conf=$1 log=$2; shift 2
	# shellcheck disable=SC2086
	${MXG_WRAP:-} "$MXGUARD" -f -c "$conf" "$@" 2>>"$log" &
	MXG_PID=$!
	if ! wait_match "$log" "mxguard .* starting" 30; then
		echo "# mxguard did not start:"; sed 's/^/#   /' "$log"
		return 1
	fi
}

# mxg_stop - SIGTERM and wait (libmilter polls for the stop every few seconds)
mxg_stop() {
	[ -n "${MXG_PID:-}" ] || return 0
	kill -TERM "$MXG_PID" 2>/dev/null
	local i=0
	while kill -0 "$MXG_PID" 2>/dev/null && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
	if kill -0 "$MXG_PID" 2>/dev/null; then kill -KILL "$MXG_PID"; fi
	wait "$MXG_PID" 2>/dev/null
	MXG_EXIT=$?
	MXG_PID=
}
