#!/bin/bash
# spf-rfc7208.sh DRIVER - the openspf RFC 7208 test suite (Debian's
# python3-spf ships it; contrib/debian-packages installs it) through
# mxguard's SPF evaluator: rfc7208-lines.py turns the YAML into lines,
# DRIVER (test_spf_rfc7208, plain or sanitizer build) runs every case and
# prints TAP. MXG_RFC7208_YML names another copy of the suite.
set -u
yml=${MXG_RFC7208_YML:-/usr/share/doc/python3-spf/rfc7208-tests.yml.gz}
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -r "$yml" ]; then
	echo "not ok 1 - $yml missing: install python3-spf (contrib/debian-packages)"
	exit 1
fi
tmp=$(mktemp -d /tmp/mxg-rfc7208.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
py=/usr/bin/python3      # Debian's, with python3-yaml from contrib/debian-packages
[ -x "$py" ] || py=python3
if ! "$py" "$here/rfc7208-lines.py" "$yml" >"$tmp/lines" 2>"$tmp/err"; then
	echo "not ok 1 - converting $yml failed"
	sed 's/^/# /' "$tmp/err"
	exit 1
fi
"$1" "$tmp/lines"
