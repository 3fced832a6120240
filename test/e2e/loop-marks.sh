#!/bin/bash
# e2e/loop-marks.sh - loops counted by pass marks only (issue 13), through
# real Postfix in a private network namespace.
# Proves: what an outside sender can forge never puts mail on hold - 20
# forged Received: fields or a Delivered-To: naming the recipient are
# refused at end of message with 554 5.4.6, stamps "by localhost.evil.example"
# and "by LOCALHOST." are delivered, and so is a message with the
# "by localhost" runs of two sites' amavisd-new; the same count from our
# own (whitelisted) backup MX is held, never refused; 1,000 forged marks
# cost bounded time and are delivered, all kept; removing forged X-Mxguard
# fields leaves X-Mxguard-Pass fields alone. Two Postfix instances, each with its
# own mxguard, that relay a domain to each other: with one shared key
# (mxguard -k once, copied) the message is held at the 3rd pass overall,
# each host counting the other's marks; with two keys each host counts
# only its own marks and the hold comes at the 3rd pass through one host.
set -u
. "$(dirname "$0")/lib.sh"
e2e_enter_ns "$@"

A=127.0.0.20
B=127.0.0.21
PEER=127.0.0.40

# ---- mxguard A (whitelist: our backup MX), mxguard B with its own socket and log
e2e_mxguard "TrustedNetworks none" "SPF no" <<WL
$PEER OK
WL
MLOG_A=$MLOG
MILTER_A=$MXG_MILTER
PID_A=$MXG_PID
KEYID_A=$(sed -n 's/.*loop pass marks: key id \([0-9a-f]*\) .*/\1/p' "$MLOG_A" | head -1)
[ -n "$KEYID_A" ] || e2e_die "mxguard A logged no key id: $(cat "$MLOG_A")"
# mxguard_b KEYFILE - (re)start mxguard B with this key
mxguard_b() {
	[ -n "${PID_B:-}" ] && { MXG_PID=$PID_B; mxg_stop; }
	sed -e "s|^Socket .*|Socket unix:$E2E_DIR/b.sock|" -e "s|^LoopKeyFile .*|LoopKeyFile $1|" \
		"$E2E_DIR/mxguard.conf" > "$E2E_DIR/b.conf"
	e2e_loop_key "$E2E_DIR/b.conf"
	MLOG_B=$E2E_DIR/b.log
	: > "$MLOG_B"
	mxg_start "$E2E_DIR/b.conf" "$MLOG_B" >/dev/null || e2e_die "mxguard B did not start: $(cat "$MLOG_B")"
	PID_B=$MXG_PID
	e2e_bg "$PID_B"
}
cp -p "$E2E_DIR/loop.key" "$E2E_DIR/shared.key"      # the MX set's key, copied to B
mxguard_b "$E2E_DIR/shared.key"
# A delivers example.com and relays loop.example to B; B relays it back to A
PF_MYHOSTNAME=mxa.example.net PF_EXTRA="relay_domains = loop.example
transport_maps = inline:{ loop.example=smtp:[$B]:25 }" pf_start mxa "$A" "$MILTER_A"
PF_MYHOSTNAME=mxb.example.net PF_EXTRA="relay_domains = loop.example
transport_maps = inline:{ loop.example=smtp:[$A]:25 }" pf_start mxb "$B" "unix:$E2E_DIR/b.sock"

# msg FILE ID [HEADER...] - a message with Message-ID <ID@origin.example> and these fields on top
msg() {
	local f=$1 id=$2
	shift 2
	{
		[ $# -gt 0 ] && printf '%s\r\n' "$@"
		printf 'Message-ID: <%s@origin.example>\r\nFrom: a@origin.example\r\nTo: u@example.com\r\nSubject: %s\r\n\r\nbody\r\n' "$id" "$id"
	} > "$E2E_DIR/$f"
}
# line ID - mxguard A's decision line for the message sent as from=<ID@origin.example>
line() { wait_match "$MLOG_A" "from=<$1@origin\.example>" 10; grep "from=<$1@origin\.example>" "$MLOG_A" | tail -1; }
# line_has ID REGEX - that line matches (the line is shown when it does not)
line_has() { line "$1" | grep -Eq -- "$2" || { line "$1"; return 1; }; }
# send_a SRC ID FILE - send FILE to A from SRC, envelope sender ID@origin.example
send_a() { e2e_send "$1" "$A" "$2@origin.example" u@example.com --data "$E2E_DIR/$3"; }
delivered_id() { grep -l "^Subject: $1\$" "$E2E_DIR"/mxa/mail/inbox/new/* 2>/dev/null | wc -l; }
refused() {   # refused DESC ID REASON - 554 5.4.6 at end of message, logged, nothing held
	if grep -Eq "^<\*\* +554 5\.4\.6 Routing loop detected \(loop: $3\)" "$E2E_DIR/last-send.log"; then tap_ok "$1: refused with 554 5.4.6"
	else tap_fail "$1: refused with 554 5.4.6" "$(grep -E '^ *<' "$E2E_DIR/last-send.log" | tail -3)"; fi
	tap_check "$1: logged action=reject reason=loop" line_has "$2" "action=reject reason=loop client=127\.0\.0\.66 .*detail=\"loop: $3\""
}
accepted() {   # accepted DESC ID - delivered, logged accept passes=1
	if e2e_wait_for 10 e2e_eq 1 delivered_id "$2"; then tap_ok "$1: delivered"
	else tap_fail "$1: delivered" "$(line "$2")" "$(tail -3 "$E2E_DIR/mxa/maillog")"; fi
	tap_check "$1: logged accept reason=clean passes=1" line_has "$2" 'action=accept reason=clean .* passes=1$'
}

# ---- forgeries from an outside client: never held
hdrs=()
for i in $(seq 1 20); do hdrs+=("Received: from h$i.example (h$i.example [192.0.2.$i]) by h$((i - 1)).example with SMTP id F$i; Mon, 30 Nov 2026 10:00:00 +0000"); done
msg forged20 forged20 "${hdrs[@]}"
send_a 127.0.0.66 forged20 forged20
refused "20 forged Received: fields" forged20 "20 Received headers"
msg dto dto "Delivered-To: u@example.com"
send_a 127.0.0.66 dto dto
refused "a forged Delivered-To: <recipient>" dto "Delivered-To <u@example\.com>"
msg lh lh "Received: from z.example (z.example [192.0.2.9]) by relay.example with SMTP id L0; date" \
	"Received: from a.example (a.example [192.0.2.1]) by localhost.evil.example with SMTP id L1; date" \
	"Received: from b.example (b.example [192.0.2.2]) by relay.example with SMTP id L2; date" \
	"Received: from c.example (c.example [192.0.2.3]) by LOCALHOST. with SMTP id L3; date"
send_a 127.0.0.66 lh lh
accepted "stamps by localhost.evil.example and LOCALHOST." lh
msg amavis amavis \
	"Received: from localhost (localhost [127.0.0.1]) by mx.site-b.example (Postfix) with ESMTP id B2; date" \
	"Received: from mx.site-b.example ([127.0.0.1]) by localhost (mx.site-b.example [127.0.0.1]) (amavisd-new, port 10024) with ESMTP id B1; date" \
	"Received: from mx.site-a.example (mx.site-a.example [192.0.2.10]) by mx.site-b.example (Postfix) with ESMTP id B0; date" \
	"Received: from localhost (localhost [127.0.0.1]) by mx.site-a.example (Postfix) with ESMTP id A2; date" \
	"Received: from mx.site-a.example ([127.0.0.1]) by localhost (mx.site-a.example [127.0.0.1]) (amavisd-new, port 10024) with ESMTP id A1; date" \
	"Received: from client.example (client.example [192.0.2.20]) by mx.site-a.example (Postfix) with ESMTP id A0; date"
send_a 127.0.0.66 amavis amavis
accepted "two sites' amavisd-new 'by localhost' runs" amavis

# 1,000 forged marks, 968 of them past the 32 examined; one under our key id
marks=()
for i in $(seq 1 1000); do marks+=("X-Mxguard-Pass: v=1; k=$KEYID_A; t=$(date +%s); h=mxa.example.net; m=$(printf '%032x' "$i")"); done
msg marks1000 marks1000 "${marks[@]}"
t0=$(date +%s%N)
send_a 127.0.0.66 marks1000 marks1000
ms=$((($(date +%s%N) - t0) / 1000000))
echo "# 1,000 forged marks: the SMTP transaction took $ms ms"
accepted "1,000 forged marks" marks1000
tap_check "1,000 forged marks: none counts, 32 examined, 968 dropped" \
	line_has marks1000 ' marks=0 marksignored=32 marksdropped=968 received=0 passes=1$'
tap_check "1,000 forged marks: the whole transaction within 1 s ($ms ms)" test "$ms" -lt 1000
# delivered_marks ID - X-Mxguard-Pass fields in the delivered copy
delivered_marks() { grep -l "^Subject: $1\$" "$E2E_DIR"/mxa/mail/inbox/new/* | xargs grep -hc "^X-Mxguard-Pass:"; }
tap_is "1,000 forged marks: all kept, never removed, and ours added" 1001 delivered_marks marks1000
tap_is "a message without marks gets ours" 1 delivered_marks lh

# foreign X-Mxguard fields are removed, pass marks next to them are not
msg xm xm "X-Mxguard-Pass: v=1; k=$KEYID_A; t=1; h=a; m=00000000000000000000000000000001" \
	"X-Mxguard: reason=clean (forged)" \
	"X-Mxguard-Pass: v=1; k=00000000; t=2; h=b; m=00000000000000000000000000000002" \
	"X-Mxguard: reason=clean (forged again)"
send_a 127.0.0.66 xm xm
accepted "X-Mxguard and X-Mxguard-Pass fields mixed" xm
xmxguard() { grep -l "^Subject: xm\$" "$E2E_DIR"/mxa/mail/inbox/new/* | xargs grep -hc "^X-Mxguard:"; }
tap_is "... the X-Mxguard fields are removed" 0 xmxguard
tap_is "... every X-Mxguard-Pass field is kept, ours added" 3 delivered_marks xm

# ---- the same evidence from our own backup MX (whitelisted): held, never refused
send_a "$PEER" forged20 forged20
tap_check "20 Received: from the whitelisted backup MX: accepted by Postfix" grep -Eq '^<- +250 ' "$E2E_DIR/last-send.log"
tap_check "... logged as a quarantine, the peer named" \
	line_has forged20 'action=quarantine reason=loop client=127\.0\.0\.40 .*list=OK .*detail="loop: 20 Received headers"'
held_a() { [ "$(pf_hold_count mxa)" -ge "$1" ]; }
tap_check "... and held in A's hold queue (the only hold so far)" e2e_wait_for 10 e2e_eq 1 pf_hold_count mxa

# ---- a real loop between A and B sharing one key
e2e_send 127.0.0.66 "$A" shared@origin.example x@loop.example || e2e_die "shared-key loop: first send refused"
if e2e_wait_for 20 held_a 2; then tap_ok "shared key: the looping message is held in A"
else tap_fail "shared key: the looping message is held in A" "$(grep shared@ "$MLOG_A" "$MLOG_B")"; fi
tap_check "shared key: A's first pass accepted" grep -Eq 'action=accept reason=clean client=127\.0\.0\.66 .*from=<shared@origin\.example> .*received=0 passes=1$' "$MLOG_A"
tap_check "shared key: B counts A's mark (2nd pass)" grep -Eq 'action=accept reason=clean client=127\.0\.0\.20 .*from=<shared@origin\.example> .*marks=1 received=1 passes=2$' "$MLOG_B"
tap_check "shared key: A holds it at the 3rd pass overall, naming B's pass" \
	grep -Eq 'action=quarantine reason=loop client=127\.0\.0\.21 .*from=<shared@origin\.example> .*marks=2 received=2 passes=3 detail="loop: 3rd pass through mxb\.example\.net"' "$MLOG_A"
tap_is "shared key: B saw it once" 1 grep -c 'from=<shared@origin\.example>' "$MLOG_B"

# ---- the same loop with a key of B's own
mxguard_b "$E2E_DIR/b-own.key"
tap_check "B's own key has another id" sh -c "! grep -q 'key id $KEYID_A ' '$MLOG_B'"
e2e_send 127.0.0.66 "$A" split@origin.example x@loop.example || e2e_die "two-key loop: first send refused"
if e2e_wait_for 30 held_a 3; then tap_ok "two keys: the looping message is held in A"
else tap_fail "two keys: the looping message is held in A" "$(grep split@ "$MLOG_A" "$MLOG_B")"; fi
tap_check "two keys: B does not count A's mark" grep -Eq 'action=accept reason=clean client=127\.0\.0\.20 .*from=<split@origin\.example> .*marks=0 marksignored=1 received=1 passes=1$' "$MLOG_B"
tap_check "two keys: B counts its own mark on the next arrival" grep -Eq 'action=accept reason=clean client=127\.0\.0\.20 .*from=<split@origin\.example> .*marks=1 marksignored=2 received=3 passes=2$' "$MLOG_B"
tap_check "two keys: A holds it at its own 3rd pass (5th overall)" \
	grep -Eq 'action=quarantine reason=loop client=127\.0\.0\.21 .*from=<split@origin\.example> .*marks=2 marksignored=2 received=4 passes=3 detail="loop: 3rd pass through mxa\.example\.net"' "$MLOG_A"

sleep 1
bounced() { grep -hE 'status=bounced|sender non-delivery notification' "$E2E_DIR/mxa/maillog" "$E2E_DIR/mxb/maillog"; }
tap_is "nothing bounced anywhere" "" bounced
tap_is "holds: the backup's message and the two loops, all in A" "3 0" echo "$(pf_hold_count mxa) $(pf_hold_count mxb)"
pf_stop mxa
pf_stop mxb
MXG_PID=$PID_A
mxg_stop
MXG_PID=$PID_B
mxg_stop
tap_done
