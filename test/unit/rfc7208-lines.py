#!/usr/bin/python3
# rfc7208-lines.py - turn the openspf RFC 7208 test suite (YAML, as shipped
# by Debian's python3-spf) into the line format test_spf_rfc7208 reads:
#
#   scenario :DESCRIPTION
#   zone :NAME :TYPE :VALUE       TYPE A, AAAA, MX, PTR, CNAME, TXT; or
#   zone :NAME :TIMEOUT :         a lookup of NAME that met no record of its type yet times out
#   zone :NAME :TXT-TIMEOUT :     a TXT lookup of NAME times out
#   test :ID :SPEC :HOST :HELO :MAILFROM :RESULTS :EXPLANATION
#
# Every field starts with ":"; bytes outside 0x21-0x7e and "%" are written
# %XX. RESULTS is comma-separated (the YAML allows several); EXPLANATION is
# empty when the test does not check one. The zone follows pyspf's test
# driver (testspf.py): SPF (type 99) records stand in for TXT records when
# a name has no TXT entry, "NONE" means no record, TXT strings are joined.
import gzip
import sys
import yaml


def f(v):
    if isinstance(v, str):
        v = v.encode('utf-8')
    out = ':'
    for b in v:
        out += chr(b) if 0x21 <= b <= 0x7e and b != 0x25 else '%%%02X' % b
    return out


def zone(name, rrs, out):
    gen, txt = True, []
    for r in rrs:
        if isinstance(r, str):                  # TIMEOUT
            out.append('zone %s %s :' % (f(name), f(r)))
            continue
        for t, v in r.items():
            if t in ('TXT', 'SPF'):
                if isinstance(v, str):
                    v = [v]
                if t == 'TXT':
                    gen = False
                if v == ['NONE']:
                    continue
                if v == ['TIMEOUT']:
                    if t == 'TXT':
                        out.append('zone %s :TXT-TIMEOUT :' % f(name))
                    continue
                v = ''.join(v)
                if t == 'SPF':
                    txt.append(v)
                    continue
            elif t == 'MX':
                v = v[1]
            out.append('zone %s %s %s' % (f(name), f(t), f(v)))
    if gen:
        for v in txt:
            out.append('zone %s :TXT %s' % (f(name), f(v)))


def main():
    src = sys.argv[1]
    fp = gzip.open(src, 'rb') if src.endswith('.gz') else open(src, 'rb')
    out = []
    for s in yaml.safe_load_all(fp):
        out.append('scenario %s' % f(s.get('description', '')))
        for name, rrs in s['zonedata'].items():
            zone(name, rrs, out)
        for tid, t in s['tests'].items():
            res = t['result'] if isinstance(t['result'], list) else [t['result']]
            out.append('test %s %s %s %s %s %s %s' % (
                f(tid), f(str(t.get('spec', ''))), f(t['host']), f(t['helo']),
                f(t['mailfrom']), f(','.join(res)), f(t.get('explanation', ''))))
    sys.stdout.write('\n'.join(out) + '\n')


main()
