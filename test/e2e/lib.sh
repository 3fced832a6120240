# shellcheck shell=bash
# test/e2e/lib.sh - helpers for mxguard end-to-end tests (source, don't run).
#
# Provides (see each function for details):
#   e2e_enter_ns "$@"        re-exec the calling script in a private net+mount
#                            namespace (lo only, private /etc/hosts, resolv.conf,
#                            nsswitch.conf); sets E2E_DIR; EXIT trap cleans up
#   e2e_host IP NAME         add an /etc/hosts entry (forward + reverse)
#   e2e_bg PID               kill PID on exit
#   pf_start NAME ADDR [MILTER] / pf_stop NAME / pf_cmd NAME CMD [ARGS...]
#                            private Postfix instance under $E2E_DIR/NAME
#   e2e_send SRC DST FROM RCPT [SWAKS_ARGS...]
#                            one SMTP transaction; transcript in
#                            $E2E_DIR/last-send.log; returns swaks's status
#   e2e_mxguard [CONF LINES...] < WHITELIST, e2e_loop_key CONF
#                            mxguard with a whitelist and a loop key
#   e2e_msg SRC DST FROM RCPT [SWAKS_ARGS...]
#                            e2e_send for numbered message n: SEND_RC, SEND_MS,
#                            SEND_TRANSCRIPT
#   msg_line, check DESC REGEX, smtp_has REGEX
#                            mxguard's decision line for message n (keyed by
#                            MSG_KEY), checked; the last transcript, checked
#   e2e_wait_file_match FILE REGEX SECS, e2e_delivered NAME,
#   pf_queue_count NAME, pf_hold_count NAME
#   e2e_wait_for SECS CMD..., e2e_eq EXPECTED CMD..., e2e_listening ADDR PORT
#   tap_ok, tap_fail, tap_check, tap_is, tap_done   TAP output
#
# Failure model: setup problems that make the test meaningless (not root,
# namespace or Postfix cannot start) print "Bail out! ..." and exit 1, which
# also fires the cleanup trap. Everything else returns non-zero and leaves the
# verdict to the caller. Everything only ever binds/talks to 127.0.0.0/8.
# Set KEEP=1 to keep $E2E_DIR for inspection.

E2E_PF_NAMES=""       # started Postfix instances (space separated)
E2E_BG_PIDS=""        # background pids to kill on exit

e2e_die() {
	echo "Bail out! $*"
	exit 1
}

# ---------------------------------------------------------------- TAP
# tap_ok, tap_fail, tap_check, tap_is, tap_done and the mxguard process
# helpers (mxg_start, mxg_stop, wait_match) are shared with the other tests.
# shellcheck source=test/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/../tap.sh"

# ---------------------------------------------------------------- namespace
e2e_enter_ns() {
	if [ -z "${MXG_IN_NS:-}" ]; then
		[ "$(id -u)" -eq 0 ] || e2e_die "e2e tests must run as root"
		command -v unshare >/dev/null || e2e_die "unshare not found"
		exec unshare -n -m --propagation private \
			env MXG_IN_NS=1 bash "$0" "$@"
	fi
	ip link set lo up || e2e_die "cannot bring up lo"
	# glibc's AI_ADDRCONFIG ignores 127.0.0.1, so with lo alone an AF_INET
	# getaddrinfo() of any name fails; one more address on lo fixes that.
	e2e_addr 127.0.0.2
	E2E_DIR=$(mktemp -d /tmp/mxg-e2e.XXXXXX) || e2e_die "mktemp failed"
	chmod 755 "$E2E_DIR"
	trap e2e_cleanup EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
	printf '127.0.0.1\tlocalhost\n' >"$E2E_DIR/hosts"
	printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' \
		>"$E2E_DIR/resolv.conf"
	# hosts: files only, so lookups never wait on (absent) DNS and a
	# missing name is a definite "not found", not a temporary failure.
	sed '/^hosts:/d' /etc/nsswitch.conf >"$E2E_DIR/nsswitch.conf"
	echo 'hosts: files' >>"$E2E_DIR/nsswitch.conf"
	chmod 644 "$E2E_DIR/hosts" "$E2E_DIR/resolv.conf" "$E2E_DIR/nsswitch.conf"
	local f
	for f in hosts resolv.conf nsswitch.conf; do
		mount --bind "$E2E_DIR/$f" "/etc/$f" ||
			e2e_die "cannot bind-mount /etc/$f"
	done
}

# e2e_addr IP: configure IP on lo (127/8 is routed to lo anyway, so clients
# can bind any of it; but Postfix's inet_interfaces wants a real address).
e2e_addr() {
	ip -4 addr show dev lo | grep -q "inet $1/" ||
		ip addr add "$1/32" dev lo || e2e_die "cannot add $1 to lo"
}

# e2e_host IP NAME: append to the namespace's /etc/hosts (same inode as the
# bind mount, so it is visible immediately).
e2e_host() {
	printf '%s\t%s\n' "$1" "$2" >>"$E2E_DIR/hosts"
}

e2e_bg() {
	E2E_BG_PIDS="$E2E_BG_PIDS $1"
}

e2e_cleanup() {
	local rc=$? n p
	trap - EXIT
	for n in $E2E_PF_NAMES; do
		pf_stop "$n" >/dev/null 2>&1
	done
	for p in $E2E_BG_PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $E2E_BG_PIDS; do
		wait "$p" 2>/dev/null
	done
	if [ "${KEEP:-0}" = 1 ]; then
		echo "# KEEP=1: work dir left in $E2E_DIR"
	elif [ -n "${E2E_DIR:-}" ]; then
		rm -rf "$E2E_DIR"
	fi
	exit "$rc"
}

# ---------------------------------------------------------------- polling
# e2e_wait_file_match FILE REGEX TIMEOUT_SECONDS
e2e_wait_file_match() {
	local i=0 max=$(($3 * 10))
	while [ "$i" -le "$max" ]; do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# e2e_wait_for TIMEOUT_SECONDS COMMAND [ARGS...]: poll until COMMAND succeeds.
e2e_wait_for() {
	local i=0 max=$(($1 * 10))
	shift
	while [ "$i" -le "$max" ]; do
		"$@" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# e2e_eq EXPECTED COMMAND [ARGS...]: predicate, COMMAND's output = EXPECTED
# (e.g. e2e_wait_for 10 e2e_eq 3 e2e_delivered mx).
e2e_eq() {
	local exp=$1
	shift
	[ "$("$@")" = "$exp" ]
}

# ---------------------------------------------------------------- Postfix
# pf_cmd NAME COMMAND [ARGS...]: run a Postfix command (postqueue, postsuper,
# postcat, postconf, ...) against instance NAME.
pf_cmd() {
	local n=$1
	shift
	MAIL_CONFIG="$E2E_DIR/$n/etc" "$@"
}

pf_master_pid() {
	local f="$E2E_DIR/$1/spool/pid/master.pid" pid
	[ -r "$f" ] || return 1
	read -r pid <"$f" || return 1
	# Guard against a stale pid file whose pid now belongs to someone else.
	[ -n "$pid" ] && e2e_alive "$pid" &&
		[ "$(ps -o comm= -p "$pid")" = master ] && echo "$pid"
}

# e2e_alive PID: process exists and is not a zombie. (Reparented zombies
# can linger: some container inits reap only about once a second.)
e2e_alive() {
	local st
	st=$(ps -o stat= -p "$1") && [ "${st#Z}" = "$st" ]
}

# e2e_listening ADDR PORT: is there a TCP listener on ADDR:PORT?
e2e_listening() {
	[ -n "$(ss -Hltn "src $1:$2")" ]
}

pf_write_config() {
	local n=$1 addr=$2 milter=${3:-} d="$E2E_DIR/$1"
	local uid gid
	uid=$(id -u nobody) gid=$(id -g nobody)
	cat >"$d/etc/main.cf" <<EOF
# generated by test/e2e/lib.sh for instance $n
compatibility_level = 3.6
queue_directory = $d/spool
data_directory = $d/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $d/maillog
maillog_file_prefixes = $E2E_DIR
myhostname = ${PF_MYHOSTNAME:-$n.example.test}
mydomain = example.test
myorigin = \$myhostname
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
inet_interfaces = $addr
inet_protocols = ipv4
smtp_bind_address = $addr
mynetworks = 127.0.0.0/8
relay_domains =
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_authorized_xclient_hosts = 127.0.0.0/8
smtpd_banner = \$myhostname ESMTP
virtual_mailbox_domains = example.com
virtual_mailbox_base = $d/mail
virtual_mailbox_maps = static:inbox/
virtual_uid_maps = static:$uid
virtual_gid_maps = static:$gid
smtpd_milters = $milter
non_smtpd_milters =
milter_default_action = tempfail
milter_connect_timeout = 5s
milter_command_timeout = 5s
milter_content_timeout = 10s
smtp_dns_support_level = disabled
smtp_host_lookup = native
lmtp_host_lookup = native
smtp_connect_timeout = 5s
smtpd_timeout = 30s
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 100
smtpd_hard_error_limit = 200
in_flow_delay = 0
delay_warning_time = 0
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 4s
max_idle = 10s
biff = no
append_dot_mydomain = no
readme_directory = no
EOF
	# PF_EXTRA goes last; base lines it overrides are dropped, as Postfix
	# warns ("overriding earlier entry") in every daemon otherwise.
	if [ -n "${PF_EXTRA:-}" ]; then
		printf '%s\n' "$PF_EXTRA" >"$d/etc/extra.cf"
		awk -F' *= *' 'NR == FNR { if (/^[a-z]/) x[$1] = 1; next }
			!($1 in x)' "$d/etc/extra.cf" "$d/etc/main.cf" >"$d/etc/main.tmp"
		printf '# PF_EXTRA\n' >>"$d/etc/main.tmp"
		cat "$d/etc/extra.cf" >>"$d/etc/main.tmp"
		mv "$d/etc/main.tmp" "$d/etc/main.cf"
	fi
	cat >"$d/etc/master.cf" <<'EOF'
# service type  private unpriv  chroot  wakeup  maxproc command
smtp      inet  n       -       n       -       -       smtpd
pickup    unix  n       -       n       1       1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
}

# pf_start NAME LISTEN_ADDR [MILTER]: (re)configure and start instance NAME,
# smtpd on LISTEN_ADDR:25 (IPv4 127/8 only; also its smtp client's source
# address). Env: PF_MYHOSTNAME, PF_EXTRA (main.cf lines, last). Queue and
# mailbox survive a pf_stop/pf_start cycle. Log: $E2E_DIR/NAME/maillog.
pf_start() {
	local n=$1 addr=$2 milter=${3:-} d="$E2E_DIR/$1" out
	[ -n "${E2E_DIR:-}" ] || e2e_die "pf_start: call e2e_enter_ns first"
	case "$addr" in
	127.*) ;;
	*) e2e_die "pf_start $n: LISTEN_ADDR must be in 127.0.0.0/8: $addr" ;;
	esac
	pf_stop "$n" >/dev/null 2>&1
	# postfix-script cd's into the queue dir before create-missing runs;
	# data_directory is created (postfix-owned) by create-missing.
	mkdir -p "$d/etc" "$d/spool" "$d/mail" || e2e_die "pf_start: mkdir $d"
	chown nobody:nogroup "$d/mail"
	e2e_addr "$addr"
	pf_write_config "$n" "$addr" "$milter"
	# postfix start stalls ~1.5 s when main.cf/master.cf have a current
	# mtime; backdate them.
	touch -d "@$(($(date +%s) - 2))" "$d/etc/main.cf" "$d/etc/master.cf"
	case " $E2E_PF_NAMES " in
	*" $n "*) ;;
	*) E2E_PF_NAMES="$E2E_PF_NAMES $n" ;;
	esac
	# A first "postfix start" runs post-install create-missing (queue dirs,
	# postfix-owned data_directory) plus integrity checks. Later starts of
	# the same instance skip those via the quick-start flag.
	[ -d "$d/spool/pid" ] && touch "$d/spool/quick-start"
	# postfix(1) writes errors to stderr only if it is a tty (else to the
	# not yet running postlogd), hence script(1).
	if ! out=$(script -qec "postfix -c '$d/etc' start" /dev/null 2>&1); then
		e2e_die "pf_start $n: postfix start failed: $(echo "$out" | tail -n 5)"
	fi
	# master -w already waited for initialisation; this is belt and braces
	# (and does not connect, so smtpd/milters see no probe connection).
	e2e_wait_for 10 e2e_listening "$addr" 25 ||
		e2e_die "pf_start $n: nothing listening on $addr:25 after 10s" \
			"(see $d/maillog)"
}

# pf_stop NAME: stop instance NAME and wait until master and all its
# children are gone (SIGKILL to the process group after ~5 s).
# "postfix abort" sends master the same SIGTERM as "postfix stop" but
# skips stop's 1-second polling loop; we poll faster ourselves.
pf_stop() {
	local n=$1 pid
	pid=$(pf_master_pid "$n") || return 0
	postfix -c "$E2E_DIR/$n/etc" abort >/dev/null 2>&1
	# master is a process-group leader; its daemons stay in that group.
	e2e_wait_for 5 pf_pgrp_gone "$pid" && return 0
	kill -9 -- "-$pid" 2>/dev/null
	e2e_wait_for 2 pf_pgrp_gone "$pid"
}

# pf_pgrp_gone PGID: no live (non-zombie) process left in process group.
pf_pgrp_gone() {
	ps -e -o pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { exit 1 }'
}

# ---------------------------------------------------------------- counters
# e2e_delivered NAME: number of messages in NAME's (single) maildir.
e2e_delivered() {
	local m="$E2E_DIR/$1/mail/inbox"
	if [ -d "$m" ]; then
		find "$m/new" "$m/cur" -type f 2>/dev/null | wc -l
	else
		echo 0
	fi
}

# pf_queue_count NAME: messages anywhere in NAME's queue (incl. hold).
pf_queue_count() {
	local s="$E2E_DIR/$1/spool"
	find "$s/maildrop" "$s/incoming" "$s/active" "$s/deferred" "$s/hold" \
		-type f 2>/dev/null | wc -l
}

# pf_hold_count NAME: messages in NAME's hold queue.
pf_hold_count() {
	find "$E2E_DIR/$1/spool/hold" -type f 2>/dev/null | wc -l
}

# ---------------------------------------------------------------- SMTP client
# e2e_send SRC_ADDR SERVER_ADDR FROM RCPT [SWAKS_ARGS...]
# HELO: $SEND_HELO, else SRC_ADDR's name from our hosts file, else [SRC_ADDR].
e2e_send() {
	local src=$1 dst=$2 from=$3 rcpt=$4 helo
	shift 4
	helo=${SEND_HELO:-$(awk -v a="$src" '$1 == a { print $2; exit }' "$E2E_DIR/hosts")}
	[ -n "$helo" ] || helo="[$src]"
	swaks --server "$dst" --port 25 --local-interface "$src" \
		--helo "$helo" --from "$from" --to "$rcpt" \
		--timeout 15 "$@" >"$E2E_DIR/last-send.log" 2>&1
}

# ---------------------------------------------------------------- numbered messages
# A script sends numbered messages (its n: 1, 2, ...; its own send() counts
# and calls e2e_msg) and checks mxguard's decision line for each. Where the
# scripts differ, they set:
#   MSG_KEY    a regex naming message n in its line, %n standing for n
#              [rcpt=<u%n@example\.com>]
#   MSG_WAIT   seconds to wait for that line [10]
#   MSG_STRIP  1: the line without its syslog prefix "... mxguard[PID]: " [0]

# e2e_msg SRC DST FROM RCPT [SWAKS_ARGS...] - e2e_send, recording SEND_RC, the
# session's duration in SEND_MS and the transcript in SEND_TRANSCRIPT;
# returns SEND_RC
e2e_msg() {
	local t0
	t0=$(date +%s%N)
	e2e_send "$@"
	SEND_RC=$?
	SEND_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
	SEND_TRANSCRIPT=$(cat "$E2E_DIR/last-send.log")
	return "$SEND_RC"
}

# msg_line - mxguard's (last) line for message n, waited for up to MSG_WAIT s
msg_line() {
	local key=${MSG_KEY:-'rcpt=<u%n@example\.com>'}
	key=${key//%n/$n}
	wait_match "$MLOG" "$key" "${MSG_WAIT:-10}"
	if [ "${MSG_STRIP:-0}" = 1 ]; then
		grep -- "$key" "$MLOG" | tail -1 | sed 's/^[^ ]* mxguard\[[0-9]*\]: //'
	else
		grep -- "$key" "$MLOG" | tail -1
	fi
}

# check DESC REGEX - mxguard's line for message n matches REGEX (grep -E);
# a failure shows the line, the server's last replies and the log's end
check() {
	local l; l=$(msg_line)
	if printf '%s\n' "$l" | grep -Eq -- "$2"; then tap_ok "$1"
	else tap_fail "$1" "want: $2" "got:  $l" "smtp: $(printf '%s\n' "${SEND_TRANSCRIPT:-}" | grep -E '^ *<' | tail -4)" \
		"log: $(tail -5 "$MLOG")"; fi
}

# smtp_has REGEX - the last transcript (e2e_msg) matches REGEX (grep -E)
smtp_has() { printf '%s\n' "${SEND_TRANSCRIPT:-}" | grep -Eq -- "$1"; }

# ---------------------------------------------------------------- mxguard
# e2e_mxguard [CONF LINES...] - compile the whitelist read from stdin into
# $E2E_DIR/whitelist.cdb, write $E2E_DIR/mxguard.conf (the socket Postfix
# reaches as MXG_MILTER, UserID nobody:postfix, the whitelist, the loop key
# $E2E_DIR/loop.key made with mxguard -k when missing, then the given
# lines), start mxguard with its log in MLOG; bail out on failure.
e2e_mxguard() {
	cat > "$E2E_DIR/whitelist"
	"$MXGUARD_WL" "$E2E_DIR/whitelist" || e2e_die "mxguard-wl failed"
	{
		echo "Socket unix:$E2E_DIR/mxguard.sock"
		echo "Syslog no"
		echo "UserID nobody:postfix"
		echo "Whitelist $E2E_DIR/whitelist.cdb"
		echo "LoopKeyFile $E2E_DIR/loop.key"
		printf '%s\n' "$@"
	} > "$E2E_DIR/mxguard.conf"
	e2e_loop_key "$E2E_DIR/mxguard.conf"
	MLOG=$E2E_DIR/mxguard.log
	MXG_MILTER=unix:$E2E_DIR/mxguard.sock
	mxg_start "$E2E_DIR/mxguard.conf" "$MLOG" >/dev/null ||
		e2e_die "mxguard did not start: $(tr '\n' ' ' < "$MLOG")"
	e2e_bg "$MXG_PID"
}

# e2e_loop_key CONF - make CONF's LoopKeyFile with mxguard -k unless it exists
e2e_loop_key() {
	local out
	out=$("$MXGUARD" -c "$1" -k 2>&1)
	case $? in
	0 | 2) ;;
	*) e2e_die "mxguard -k failed: $out" ;;
	esac
}

# ---------------------------------------------------------------- DNS
# e2e_rbldnsd ZONESPEC... - rbldnsd on 127.0.0.1:53 (what the namespace's
# resolv.conf names) serving zone files written under $E2E_DIR/dns, each
# query logged to DNS_LOG; RBL_PID is its pid. Restartable after e2e_dns_stop.
e2e_rbldnsd() {
	mkdir -p "$E2E_DIR/dns"
	chmod 755 "$E2E_DIR/dns"
	DNS_LOG=$E2E_DIR/dns/query.log
	touch "$DNS_LOG"
	chmod 666 "$DNS_LOG"
	chmod 644 "$E2E_DIR"/dns/*.zone 2>/dev/null
	[ $# -gt 0 ] && RBL_ZONES=("$@")
	rbldnsd -n -b 127.0.0.1/53 -l "+$DNS_LOG" -w "$E2E_DIR/dns" -t 300 \
		"${RBL_ZONES[@]}" >"$E2E_DIR/dns/rbldnsd.out" 2>&1 &
	RBL_PID=$!
	e2e_bg "$RBL_PID"
	e2e_wait_for 5 grep -q "started" "$E2E_DIR/dns/rbldnsd.out" ||
		e2e_die "rbldnsd did not start: $(cat "$E2E_DIR/dns/rbldnsd.out")"
}

# e2e_dns_stop - the DNS server goes away (queries are then refused by the kernel)
e2e_dns_stop() {
	kill "$RBL_PID" 2>/dev/null
	wait "$RBL_PID" 2>/dev/null
}

# e2e_dns_queries REGEX - how many logged queries match
e2e_dns_queries() { grep -cE -- "$1" "$DNS_LOG"; }

# e2e_nsd ZONE - nsd on 127.0.0.1:53 (the namespace's resolver) serving one
# zone whose records are read from stdin ($ORIGIN, SOA and NS are added),
# without nsd's response rate limit (200 answers a second by default).
# NSD_PID is its pid; e2e_nsd_stop stops it.
e2e_nsd() {
	local z=$E2E_DIR/nsd
	mkdir -p "$z"
	chmod 755 "$z"
	{
		printf '$ORIGIN %s.\n$TTL 300\n' "$1"
		printf '@ IN SOA ns.%s. hostmaster.%s. 1 3600 600 86400 300\n@ IN NS ns.%s.\nns IN A 127.0.0.1\n' "$1" "$1" "$1"
		cat
	} > "$z/$1.zone"
	nsd_serve "$z" 127.0.0.1@53 "$1" "$1.zone"
}

# nsd_serve DIR ADDR@PORT ZONE FILE - nsd from DIR serving ZONE from DIR/FILE
# on ADDR@PORT, without its response rate limit; NSD_PID is its pid
nsd_serve() {
	local z=$1
	cat > "$z/nsd.conf" <<CONF
server:
  ip-address: $2
  username: ""
  zonesdir: "$z"
  database: ""
  zonelistfile: "$z/zone.list"
  xfrdfile: "$z/xfrd.state"
  xfrdir: "$z"
  pidfile: "$z/nsd.pid"
  logfile: "$z/nsd.log"
  server-count: 1
  rrl-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: "$3"
  zonefile: "$4"
CONF
	nsd -d -c "$z/nsd.conf" > "$z/out" 2>&1 &
	NSD_PID=$!
	e2e_bg "$NSD_PID"
	e2e_wait_for 5 sh -c "cat '$z/out' '$z/nsd.log' 2>/dev/null | grep -q 'nsd started'" ||
		e2e_die "nsd did not start: $(cat "$z/out" "$z/nsd.log" 2>/dev/null)"
}

e2e_nsd_stop() {
	kill "$NSD_PID" 2>/dev/null
	wait "$NSD_PID" 2>/dev/null
}

# e2e_nsd_file ZONE FILE ADDR@PORT - nsd serving one zone (may be ".") from
# the zone file FILE (copied), listening on ADDR@PORT; NSD_PID is its pid.
# Restartable after e2e_nsd_stop, with another file.
e2e_nsd_file() {
	local z=$E2E_DIR/nsd-$3
	mkdir -p "$z"
	chmod 755 "$z"
	rm -f "$z/out" "$z/nsd.log"
	cp "$2" "$z/zone" && chmod 644 "$z/zone"
	nsd_serve "$z" "$3" "$1" zone
}

# sm_cf DIR DOMAIN ADDR MILTER CFDIR - the test Sendmail's DIR/sendmail.cf:
# listening on ADDR:25 as DOMAIN, queue and files in DIR, example.com
# delivered by DIR/deliver, MILTER (an INPUT_MAIL_FILTER line) attached;
# compiled with the m4 files of CFDIR
sm_cf() {
	local D=$1 dom=$2 mx=$3 milter=$4 cf=$5
	cat >"$D/sendmail.mc" <<MC
divert(0)dnl
VERSIONID(\`mxguard e2e')dnl
OSTYPE(\`linux')dnl
define(\`confDOMAIN_NAME', \`$dom')dnl
define(\`QUEUE_DIR', \`$D/queue')dnl
define(\`STATUS_FILE', \`$D/statistics')dnl
define(\`confPID_FILE', \`$D/sendmail.pid')dnl
define(\`ALIAS_FILE', \`$D/aliases')dnl
define(\`confSERVICE_SWITCH_FILE', \`$D/service.switch')dnl
define(\`confHOST_STATUS_DIRECTORY', \`')dnl
define(\`confTO_IDENT', \`0')dnl
define(\`confDONT_PROBE_INTERFACES', \`true')dnl
define(\`confQUEUE_LA', \`999')dnl
define(\`confREFUSE_LA', \`999')dnl
define(\`confDELAY_LA', \`0')dnl
define(\`confMIN_FREE_BLOCKS', \`0')dnl
define(\`confDONT_BLAME_SENDMAIL', \`TrustStickyBit')dnl
define(\`confDEF_USER_ID', \`nobody:nogroup')dnl
FEATURE(\`accept_unresolvable_domains')dnl
FEATURE(\`accept_unqualified_senders')dnl
RELAY_DOMAIN(\`example.com')dnl
DAEMON_OPTIONS(\`Port=smtp, Addr=$mx, Name=MTA')dnl
$milter
MAILER(\`local')dnl
MAILER(\`smtp')dnl
MAILER_DEFINITIONS
Mmbox,	P=$D/deliver, F=lsDFMn, T=DNS/RFC822/X-Unix, U=nobody:nogroup, A=deliver \$u
LOCAL_RULE_0
R\$* < @ example.com \$* > \$*	\$#mbox \$: \$1
MC
	m4 -D_CF_DIR_="$cf/" "$cf/m4/cf.m4" "$D/sendmail.mc" >"$D/sendmail.cf" 2>"$D/m4.err" ||
		e2e_die "m4 failed: $(cat "$D/m4.err")"
}
