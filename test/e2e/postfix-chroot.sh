#!/bin/bash
# e2e/postfix-chroot.sh - the README's Postfix layout: the socket inside the
# queue directory, smtpd_milters naming it relative to the queue directory,
# reached by smtpd both unchrooted and chrooted (Debian's default). Fails if
# mail from the whitelisted backup MX is not checked by mxguard in either.
set -u
. "$(dirname "$0")/lib.sh"
e2e_enter_ns "$@"

MX=127.0.0.10
SP=$E2E_DIR/mx/spool
mkdir -p "$SP/mxguard"
chown nobody:postfix "$SP/mxguard"
chmod 0750 "$SP/mxguard"
printf '127.0.0.25 OK\n' > "$E2E_DIR/whitelist"
"$MXGUARD_WL" "$E2E_DIR/whitelist" || e2e_die "mxguard-wl failed"
printf '%s\n' "Socket unix:$SP/mxguard/mxguard.sock" "Syslog no" "UserID nobody:postfix" \
	"Whitelist $E2E_DIR/whitelist.cdb" "SPF no" > "$E2E_DIR/mxguard.conf"
MLOG=$E2E_DIR/mxguard.log
mxg_start "$E2E_DIR/mxguard.conf" "$MLOG" >/dev/null || e2e_die "mxguard did not start: $(cat "$MLOG")"
e2e_bg "$MXG_PID"
pf_start mx "$MX" "unix:mxguard/mxguard.sock"
PLOG=$E2E_DIR/mx/maillog

# through RCPT - a message from the backup MX is accepted and logged as whitelisted
through() {
	local rcpt=$1
	e2e_send 127.0.0.25 "$MX" backup@example.net "$rcpt" &&
		wait_match "$MLOG" "action=accept reason=whitelist client=127.0.0.25 .*rcpt=<$rcpt>" 10
}
# root_of RCPT - the root directory of the smtpd that received RCPT's message
# (it idles on after the session, so /proc still has it)
root_of() {
	local qid pid
	qid=$(grep -o "^[^ ]* [^ ]* [0-9A-F]*: action=accept.*rcpt=<$1>" "$MLOG" | awk '{print $3}' | tr -d :)
	pid=$(grep -o "smtpd\[[0-9]*\]: $qid: client=" "$PLOG" | head -1 | tr -dc '0-9:' | cut -d: -f1)
	[ -n "$qid" ] && [ -n "$pid" ] && readlink "/proc/$pid/root"
}
if through u1@example.com; then tap_ok "smtpd not chrooted: relative socket path reaches mxguard"
else tap_fail "smtpd not chrooted: relative socket path reaches mxguard" "$(tail -5 "$PLOG")" "$(tail -3 "$MLOG")"; fi

tap_is "that smtpd was not chrooted" "/" root_of u1@example.com

sed -i 's/^smtp \( *\)inet  n       -       n /smtp \1inet  n       -       y /' "$E2E_DIR/mx/etc/master.cf"
grep -q '^smtp *inet *n *- *y ' "$E2E_DIR/mx/etc/master.cf" || e2e_die "could not chroot smtpd in master.cf"
pf_cmd mx postfix reload >/dev/null 2>&1
if through u2@example.com; then tap_ok "smtpd chrooted in the queue directory: the same path reaches mxguard"
else tap_fail "smtpd chrooted in the queue directory: the same path reaches mxguard" "$(tail -5 "$PLOG")" "$(tail -3 "$MLOG")"; fi
tap_is "that smtpd was chrooted in the queue directory" "$SP" root_of u2@example.com
mxg_stop
tap_done
