#!/bin/bash
# cli/static.sh - cppcheck and clang-tidy over the daemon's sources: any
# finding fails. clang-analyzer-valist.Uninitialized is off: clang 14 flags
# every vsnprintf after va_start once glibc fortifies it (a known false
# positive); every such call here follows its va_start.
set -u
. "$(dirname "$0")/../tap.sh"
S=$MXG_TOP_SRCDIR
inc=(-I "$MXG_TOP_BUILDDIR" -I "$S/include" -I "$S/milter")
if out=$(cppcheck -q --error-exitcode=1 --enable=warning,performance,portability --std=c11 \
	"${inc[@]}" --suppress=missingIncludeSystem "$S"/milter/*.c 2>&1); then
	tap_ok "cppcheck: no findings"
else
	tap_fail "cppcheck: no findings" "$out"
fi
checks='-*,bugprone-*,-bugprone-easily-swappable-parameters,-bugprone-reserved-identifier,'
checks+='-bugprone-narrowing-conversions,-bugprone-assignment-in-if-condition,cert-err34-c,'
checks+='clang-analyzer-*,-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling,'
checks+='-clang-analyzer-valist.Uninitialized'
out=$(clang-tidy --quiet -checks="$checks" "$S"/milter/*.c -- "${inc[@]}" -DSYSCONFDIR='"/etc"' 2>&1 |
	grep -E 'warning:|error:')
if [ -z "$out" ]; then tap_ok "clang-tidy (bugprone, clang-analyzer, cert-err34): no findings"
else tap_fail "clang-tidy (bugprone, clang-analyzer, cert-err34): no findings" "$out"; fi
tap_done
