#!/bin/bash
# cli/sockrace.sh - the socket directory belongs to UserID (the chrooted
# Postfix layout): a process of that user swaps the freshly bound socket for
# a symbolic link (and a hard link) to a root-owned file, over and over,
# while root starts the daemon again and again. The root-owned file must
# never change owner; a start whose socket was swapped must fail, naming it.
# Needs root. Up to 400 starts; it stops once the swap has won the race 3 times.
set -u
. "$(dirname "$0")/../tap.sh"
if [ "$(id -u)" != 0 ]; then
	tap_fail "socket race test needs root (run the suite as root, as CI does)"
	tap_done; exit
fi
D=$(mktemp -d /tmp/mxg-race.XXXXXX)
chmod 755 "$D"
swapper=
trap 'mxg_stop; [ -n "$swapper" ] && kill "$swapper" 2>/dev/null; rm -rf "$D"' EXIT
mkdir "$D/sd" && chown nobody:nogroup "$D/sd"
echo secret > "$D/target" && chmod 600 "$D/target"
printf 'Socket unix:%s/sd/m.sock\nSyslog no\nSPF no\nUserID nobody:nogroup\nPidFile %s/race.pid\n' "$D" "$D" > "$D/race.conf"

# the attacker, as nobody: the moment a socket is at the name, swap a link in
# (rename over it: atomic); alternately a symbolic link and a hard link
setpriv --reuid=nobody --regid=nogroup --clear-groups perl -e '
	my ($sock, $target, $secs) = @ARGV;
	my ($n, $end) = (0, time + $secs);
	while (time < $end) {
		next unless lstat($sock) && -S _;
		my $tmp = "$sock.swap";
		unlink $tmp;
		if ($n++ % 2 == 0) { symlink($target, $tmp) or next; }
		else { link($target, $tmp) or symlink($target, $tmp) or next; }
		rename($tmp, $sock);
	}' "$D/sd/m.sock" "$D/target" 300 &
swapper=$!
renice -n -15 -p "$swapper" >/dev/null     # on a busy machine, keep the attacker on a CPU

owner() { stat -c %U:%G "$D/target"; }
starts=0 won=0 bound=0 changed=
while [ $starts -lt 400 ] && [ $won -lt 3 ]; do
	starts=$((starts + 1))
	rm -f "$D/sd/m.sock"; : > "$D/race.log"
	"$MXGUARD" -f -c "$D/race.conf" 2>>"$D/race.log" & pid=$!
	i=0
	while kill -0 "$pid" 2>/dev/null && ! grep -q "starting" "$D/race.log" && [ $i -lt 100 ]; do
		sleep 0.05; i=$((i + 1))
	done
	if grep -q "starting" "$D/race.log"; then bound=$((bound + 1)); fi   # served: not swapped in time
	kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
	if [ "$(owner)" != root:root ]; then changed="start $starts: $(owner)"; break; fi
	if grep -q "was replaced before its owner was set" "$D/race.log"; then won=$((won + 1)); fi
done
kill "$swapper" 2>/dev/null; wait "$swapper" 2>/dev/null; swapper=
if [ -z "$changed" ]; then
	tap_ok "root-owned file kept its owner through $starts starts (swap won $won times, $bound starts served)"
else
	tap_fail "root-owned file kept its owner" "$changed" "$(cat "$D/race.log")"
fi
if [ $won -gt 0 ] || [ -n "$changed" ]; then
	tap_ok "the swap won the race at least once (the test exercised it)"
else
	tap_fail "the swap won the race at least once in $starts starts (the test exercised nothing)"
fi
tap_done
