#!/bin/bash
# cli/tsan.sh - shared state between the signal thread and the workers under
# ThreadSanitizer: tsan_log.c (log_level written on reload, read by every
# worker) built with -fsanitize=thread against the sources; any data race
# reported is a failure.
set -u
. "$(dirname "$0")/../tap.sh"
S=$MXG_TOP_SRCDIR
B=$MXG_TOP_BUILDDIR
D=$(mktemp -d /tmp/mxg-tsan.XXXXXX)
trap 'rm -rf "$D"' EXIT
if ! out=$(${CC:-cc} -fsanitize=thread -g -O1 -pthread -I "$B" -I "$S/include" -I "$S/milter" \
	-o "$D/tsan_log" "$S/test/cli/tsan_log.c" "$S/milter/log.c" "$B/libmxg.a" \
	-lcdb -lcares -lspf2 2>&1); then
	tap_fail "tsan_log builds with -fsanitize=thread" "$out"
	tap_done; exit
fi
out=$(TSAN_OPTIONS="halt_on_error=1 exitcode=66" "$D/tsan_log" 2>&1); rc=$?
if [ $rc = 0 ] && [ "$out" = done ]; then
	tap_ok "log_level: reload's log_setlevel against workers' log_enabled, no data race"
else
	tap_fail "log_level: reload's log_setlevel against workers' log_enabled, no data race" "rc=$rc" "$out"
fi
tap_done
