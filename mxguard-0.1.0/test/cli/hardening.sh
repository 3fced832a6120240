#!/bin/bash
# cli/hardening.sh - both programs are built as hardened binaries: PIE, full
# RELRO (GNU_RELRO and BIND_NOW), stack protector, _FORTIFY_SOURCE.
set -u
. "$(dirname "$0")/../tap.sh"
for b in "$MXGUARD" "$MXGUARD_WL"; do
	n=$(basename "$b")
	tap_check "$n: position independent (PIE)" sh -c "readelf -h '$b' | grep -q 'Type: *DYN'"
	tap_check "$n: full RELRO (GNU_RELRO + BIND_NOW)" sh -c \
		"readelf -l '$b' | grep -q GNU_RELRO && readelf -d '$b' | grep -Eq 'BIND_NOW|FLAGS_1.*NOW'"
	tap_check "$n: stack protector" sh -c "readelf -s --wide '$b' | grep -q __stack_chk_fail"
	tap_check "$n: _FORTIFY_SOURCE checked calls" sh -c "readelf -s --wide '$b' | grep -Eq '__[a-z]+_chk'"
	tap_check "$n: no executable stack" sh -c "readelf -lW '$b' | grep GNU_STACK | grep -v RWE | grep -q RW"
done
tap_done
