#!/usr/bin/python3
# rfc7208-world.py LINES DIR - the openspf RFC 7208 suite, in the line form
# test/unit/rfc7208-lines.py writes, as DNS zones and milter sessions for
# test/e2e/spf-rfc7208.sh. Per scenario N it writes:
#
#   DIR/sN.zone   the scenario's zone data as one root zone for nsd ("."
#                 holds every name, so a name it does not list is a real
#                 NXDOMAIN); bytes outside [A-Za-z0-9_-] in names and
#                 outside printable ASCII in TXT strings as \DDD
#   DIR/sN.drop   dnsdelay -z arguments, one per line: the names (NAME) or
#                 name/type pairs (NAME/TYPE) whose queries are dropped, so
#                 the suite's TIMEOUT entries time out for real
#
# and per test K the mtraw script DIR/tK.mt (connect from the test's client
# address, HELO, MAIL FROM, RCPT TO:<tK@rfc7208.test>, end of message), plus
# DIR/cases: "N K ID SPEC RESULTS" per test, tab-separated.
#
# Exactness: DNS cannot hold two equal records in one RRset, which the suite
# writes for "multiple records" (two "v=spf1 -all" at example7.com): the
# second copy is published split into two character-strings at a different
# byte, which is a different record whose text (§3.3: strings concatenated)
# is the same. MX preferences are not in the line form: the k-th MX of a name
# gets preference k, so repeated targets stay distinct records, as in the
# suite. A TIMEOUT entry times out every type (of TXT, A, AAAA, MX, PTR, the
# ones mxguard asks) that has no record listed before it, as in pyspf's
# test driver.
import os
import re
import sys

TYPES = {'TXT': 16, 'A': 1, 'AAAA': 28, 'MX': 15, 'PTR': 12}


def decode(s):
    """one ':...' field, %XX undone, as bytes"""
    assert s.startswith(':'), s
    return re.sub(rb'%([0-9A-Fa-f]{2})', lambda m: bytes([int(m.group(1), 16)]),
                  s[1:].encode('latin-1'))


def dname(b):
    """a name as zone-file text, absolute"""
    b = b.rstrip(b'.')
    if not b:
        return '.'
    labels = []
    for lab in b.split(b'.'):
        labels.append(''.join(chr(c) if chr(c).isalnum() and c < 0x80 or c in b'-_'
                              else '\\%03d' % c for c in lab))
    return '.'.join(labels) + '.'


def mtname(b):
    """a name as DNS query text for dnsdelay -z: labels as they are, lower case"""
    return b.rstrip(b'.').lower()


def txt(b, split):
    """TXT rdata: strings of at most 255 bytes; split > 0 cuts the first one there"""
    cuts, parts = [], []
    if 0 < split < len(b):
        cuts.append(b[:split])
        b = b[split:]
    while len(b) > 255:
        cuts.append(b[:255])
        b = b[255:]
    cuts.append(b)
    for c in cuts:
        parts.append('"' + ''.join(chr(x) if 0x20 <= x < 0x7f and x not in b'"\\'
                                   else '\\%03d' % x for x in c) + '"')
    return ' '.join(parts)


def mt(b):
    """milter packet data for mtraw: bytes outside 0x21-0x7e and \\ as \\xHH"""
    return ''.join(chr(x) if 0x21 <= x <= 0x7e and x != 0x5c else '\\x%02x' % x for x in b)


def write_scenario(d, n, zone):
    rr, drop, seen, copies, mxpref = [], [], {}, {}, {}
    for name, typ, val in zone:
        key = name.lower().rstrip(b'.')
        s = seen.setdefault(key, set())
        if typ == b'TIMEOUT':
            left = [t for t in TYPES if t not in s]
            if len(left) == len(TYPES):
                drop.append(mtname(name).decode('latin-1'))
            else:
                drop.extend('%s/%d' % (mtname(name).decode('latin-1'), TYPES[t]) for t in left)
            s.update(TYPES)
            continue
        if typ == b'TXT-TIMEOUT':
            if 'TXT' not in s:
                drop.append('%s/16' % mtname(name).decode('latin-1'))
            s.add('TXT')
            continue
        t = typ.decode()
        s.add(t)
        owner = dname(name)
        if t == 'TXT':
            k = copies.get((key, val), 0)
            copies[(key, val)] = k + 1
            rr.append('%s 300 IN TXT %s' % (owner, txt(val, k)))
        elif t in ('A', 'AAAA'):
            rr.append('%s 300 IN %s %s' % (owner, t, val.decode()))
        elif t == 'MX':
            p = mxpref.get(key, 0)
            mxpref[key] = p + 1
            rr.append('%s 300 IN MX %d %s' % (owner, p, dname(val)))
        elif t in ('PTR', 'CNAME'):
            rr.append('%s 300 IN %s %s' % (owner, t, dname(val)))
        else:
            sys.exit('unknown record type %s' % t)
    with open(os.path.join(d, 's%d.zone' % n), 'w') as f:
        f.write('$ORIGIN .\n$TTL 300\n. IN SOA ns.rfc7208.invalid. hostmaster.rfc7208.invalid. 1 3600 600 86400 300\n')
        f.write('. IN NS ns.rfc7208.invalid.\n')
        f.write('\n'.join(rr) + '\n')
    with open(os.path.join(d, 's%d.drop' % n), 'w') as f:
        f.write(''.join(x + '\n' for x in drop))


def main():
    src, d = sys.argv[1], sys.argv[2]
    n, k, zone, cases = 0, 0, [], []
    for line in open(src, 'rb'):
        line = line.rstrip(b'\n').decode('ascii')
        w = line.split(' ')
        if w[0] == 'scenario':
            if n:
                write_scenario(d, n, zone)
            n, zone = n + 1, []
        elif w[0] == 'zone':
            zone.append(tuple(decode(x) for x in w[1:4]))
        elif w[0] == 'test':
            k += 1
            tid, spec, host, helo, mfrom, res = (decode(x) for x in w[1:7])
            host = host.decode()
            fam = b'6' if ':' in host else b'4'
            with open(os.path.join(d, 't%d.mt' % k), 'w') as f:
                f.write('C %s\\0%s\\x00\\x19%s\\0\n' % ('[' + host + ']', fam.decode(), host))
                f.write('D Mi\\0T%d\\0\n' % k)
                f.write('H %s\\0\n' % mt(helo))
                f.write('M <%s>\\0\n' % mt(mfrom))
                f.write('R <t%d@rfc7208.test>\\0\nN\nE\n' % k)
            cases.append('%d\t%d\t%s\t%s\t%s' % (n, k, tid.decode(), spec.decode(), res.decode()))
        else:
            sys.exit('unreadable line: %s' % line[:80])
    if n:
        write_scenario(d, n, zone)
    with open(os.path.join(d, 'cases'), 'w') as f:
        f.write('\n'.join(cases) + '\n')


main()
