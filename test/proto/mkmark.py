#!/usr/bin/env python3
"""mkmark.py - print an X-Mxguard-Pass value, computed apart from mark.c
from mxguard(8), LOOP PASS MARKS (the tests' source of valid marks).

usage: mkmark.py KEYFILE MESSAGE-ID HOST TIME RCPT...
MESSAGE-ID is the field's value (its <...> part is bound), RCPT an
envelope recipient ("<User@Example.com>" or bare)."""
import hashlib
import hmac
import sys


def bare(rcpt):
    """the bare address of a recipient, lower case (ASCII only)"""
    r = rcpt.lstrip(" \t\r\n<")
    if r.startswith("@") and ":" in r:      # source route
        r = r[r.index(":") + 1:]
    end = len(r)
    for i, c in enumerate(r):
        if c in "> \t\r\n":
            end = i
            break
    return r[:end].encode("latin-1").translate(
        bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"abcdefghijklmnopqrstuvwxyz"))


def msgid_part(v):
    v = v.strip(" \t\r\n")
    lt = v.find("<")
    if lt >= 0:
        gt = v.find(">", lt)
        if gt >= 0:
            return v[lt:gt + 1]
    return v


def mark(key, msgid, host, t, rcpts):
    kid = hmac.new(key, b"mxguard-key-id", hashlib.sha256).hexdigest()[:8]
    digests = sorted({hashlib.sha256(bare(r)).digest() for r in rcpts if bare(r)})
    bind = hashlib.sha256(b"mxguard-bind\0" + msgid_part(msgid).encode("latin-1") + b"\0"
                          + b"".join(digests)).digest()
    data = (b"mxguard-pass\0" b"1\0" + kid.encode() + b"\0" + str(t).encode() + b"\0"
            + host.encode() + b"\0" + bind)
    tag = hmac.new(key, data, hashlib.sha256).hexdigest()[:32]
    return "v=1; k=%s; t=%d; h=%s; m=%s" % (kid, t, host, tag)


if __name__ == "__main__":
    if len(sys.argv) < 6:
        sys.exit(__doc__)
    with open(sys.argv[1], "rb") as f:
        k = f.read()
    print(mark(k, sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5:]))
