#!/bin/bash
# cli/build.sh - the build as an administrator meets it: configure names
# the Debian package of each missing library, and make install puts both
# programs, their man pages and the sample configuration in place.
set -u
. "$(dirname "$0")/../tap.sh"
D=$(mktemp -d /tmp/mxg-build.XXXXXX)
trap 'rm -rf "$D"' EXIT

# a pristine copy of what configure needs, so the real tree is untouched
mkdir -p "$D/src"
(cd "$MXG_TOP_SRCDIR" && cp -r configure Makefile.in autoconf.h.in build-aux milter include "$D/src/") ||
	{ tap_fail "copy the configure inputs"; tap_done; exit; }

# missing DESC PACKAGE VAR=value... - configure must fail and name PACKAGE
missing() {
	local desc=$1 pkg=$2 out; shift 2
	out=$(cd "$D/src" && env "$@" ./configure -q 2>&1)
	if [ $? -ne 0 ] && printf '%s' "$out" | grep -q "apt-get install $pkg"; then
		tap_ok "configure without $desc names $pkg"
	else
		tap_fail "configure without $desc names $pkg" "$out"
	fi
}
missing libmilter libmilter-dev ac_cv_header_libmilter_mfapi_h=no
missing tinycdb libcdb-dev ac_cv_lib_cdb_cdb_make_start=no
missing libspf2 libspf2-dev ac_cv_header_spf2_spf_h=no
missing c-ares libc-ares-dev PKG_CONFIG_LIBDIR=/nonexistent

# warnings are errors only when asked (CI): a release tarball must still
# build with a newer compiler that warns about more
# warn_flags ARGS... - WARN_CFLAGS of the copy configured with ARGS
warn_flags() { (cd "$D/src" && ./configure -q "$@" >/dev/null 2>&1 && sed -n 's/^WARN_CFLAGS = //p' Makefile); }
f=$(warn_flags)
if [[ $f == *-Wall* && $f != *-Werror* ]]; then tap_ok "configure: warnings on, not errors, by default"
else tap_fail "configure: warnings on, not errors, by default" "WARN_CFLAGS = $f"; fi
f=$(warn_flags --enable-werror)
if [[ $f == *-Wall*-Werror* ]]; then tap_ok "configure --enable-werror: warnings are errors"
else tap_fail "configure --enable-werror: warnings are errors" "WARN_CFLAGS = $f"; fi

if make -s -C "$MXG_TOP_BUILDDIR" install DESTDIR="$D/root" >"$D/install.log" 2>&1; then
	tap_ok "make install succeeds into DESTDIR"
else
	tap_fail "make install succeeds into DESTDIR" "$(tail -20 "$D/install.log")"
fi
prefix=$(sed -n 's/^prefix = //p' "$MXG_TOP_BUILDDIR/Makefile")
sysconfdir=$(sed -n 's/^sysconfdir = //p' "$MXG_TOP_BUILDDIR/Makefile" | sed "s|\${prefix}|$prefix|")
for f in "$prefix/sbin/mxguard" "$prefix/sbin/mxguard-wl" "$prefix/sbin/mxguard-report" \
	"$prefix/share/man/man8/mxguard.8" "$prefix/share/man/man8/mxguard-wl.8" \
	"$prefix/share/man/man8/mxguard-report.8" \
	"$prefix/share/man/man5/mxguard.conf.5" "$sysconfdir/mxguard/mxguard.conf"; do
	tap_check "installed: $f" test -s "$D/root$f"
done
tap_check "installed mxguard runs" "$D/root$prefix/sbin/mxguard" -V
tap_check "installed mxguard-report runs" sh -c "'$D/root$prefix/sbin/mxguard-report' </dev/null | grep -q '^mxguard report'"
# every commented key of the sample, switched on (the user and the whitelist
# it names do not exist here)
sed -nE 's/^#([A-Z][A-Za-z]+[[:space:]].*)$/\1/p' "$D/root$sysconfdir/mxguard/mxguard.conf" |
	sed 's/^UserID .*/UserID nobody/; /^Whitelist /d' > "$D/all.conf"
tap_check "sample configuration keys are all valid" "$MXGUARD" -n -c "$D/all.conf"
tap_check "sample configuration shows every key" test "$(wc -l < "$D/all.conf")" -ge 10
# mxguard-wl links only what it uses: the whitelist compiler and tinycdb,
# none of the daemon's libraries (not even through the linker's --as-needed)
needed=$(readelf -d "$MXGUARD_WL" 2>&1 | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
case $needed in
*libcdb*) if printf '%s' "$needed" | grep -Eq 'libspf2|libcrypto|libcares|libmilter'; then
	tap_fail "mxguard-wl needs no libspf2, libcrypto, libcares, libmilter" "NEEDED: $needed"
else tap_ok "mxguard-wl needs no libspf2, libcrypto, libcares, libmilter"; fi ;;
*) tap_fail "mxguard-wl needs no libspf2, libcrypto, libcares, libmilter" "NEEDED: $needed" ;;
esac
link=$(make -s -n -B -C "$MXG_TOP_BUILDDIR" V=1 mxguard-wl 2>&1 | grep -e '-o mxguard-wl ')
if [ -n "$link" ] && ! printf '%s' "$link" | grep -Eq -- '-l(spf2|crypto|cares|milter)( |$)'; then
	tap_ok "mxguard-wl is linked without the daemon's libraries"
else tap_fail "mxguard-wl is linked without the daemon's libraries" "link: $link"; fi
tap_check "man pages render without warnings" sh -c \
	"for m in '$MXG_TOP_SRCDIR'/milter/*.[58]; do MANWIDTH=80 man --warnings -l \"\$m\" 2>&1 >/dev/null | grep . && exit 1; done; exit 0"
tap_done
