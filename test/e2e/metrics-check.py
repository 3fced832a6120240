#!/usr/bin/python3
# metrics-check.py - what e2e/metrics.sh asserts about StatsFile:
#   compare FILE LOG   the file against the last stats set of mxguard's log
#                      (the same copy of the counters): prints "ok" or each
#                      difference, one a line
#   read FILE SECONDS  read the file again and again for that long; every read
#                      must parse as the text format and end with the last
#                      family's line. Prints "reads N bad B versions V" and
#                      the first bad read, if any.
#   value FILE SERIES  one series' value ("mxguard_x_total{a=\"b\"}")
import re
import sys
import time

LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*\})? (-?[0-9.e+]+|\+Inf|NaN)$')
LAST = re.compile(r'^mxguard_config_reloads_total [0-9]+$')


def parse(text):
    """{(name, ((label, value), ...)): float}, or raise ValueError"""
    if not text.endswith("\n"):
        raise ValueError("no final newline")
    lines = text[:-1].split("\n")
    if not LAST.match(lines[-1]):
        raise ValueError("last line: %r" % lines[-1][:80])
    out = {}
    for l in lines:
        if l.startswith("# HELP ") or l.startswith("# TYPE "):
            continue
        m = LINE.match(l)
        if not m:
            raise ValueError("line: %r" % l[:80])
        labels = tuple(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        out[(m.group(1), labels)] = float(m.group(3))
    return out


def get(m, name, **labels):
    return m.get((name, tuple(labels.items())))


def total(m, name, **want):
    return sum(v for (n, ls), v in m.items() if n == name and all(dict(ls).get(k) == w for k, w in want.items()))


def compare(path, log):
    m = parse(open(path).read())
    lines = open(log, errors="replace").read().split("\n")
    start = max(i for i, l in enumerate(lines) if " stats connections=" in l)
    kv = lambda l: dict(re.findall(r"([a-z0-9_.-]+)=(\S+)", l.split(": stats", 1)[1]))
    main = kv(lines[start])
    dns, zones = None, {}
    for l in lines[start + 1:]:
        if ": stats dns " in l:
            dns = kv(l)
        elif ": stats dnsbl " in l:
            z = kv(l)
            zones[z["zone"]] = z
    bad = []

    def eq(what, a, b):
        if a is None or b is None or float(a) != float(b):
            bad.append("%s: log %s, file %s" % (what, a, b))

    eq("connections", main["connections"], get(m, "mxguard_connections_total"))
    eq("uptime", main["uptime"], get(m, "mxguard_uptime_seconds"))
    for k, v in main.items():
        if k.startswith("action."):
            eq(k, v, total(m, "mxguard_decisions_total", action=k[7:]))
        elif k.startswith("reason."):
            eq(k, v, total(m, "mxguard_decisions_total", reason=k[7:]))
    if dns is None:
        bad.append("no stats dns line")
    else:
        for k, n in (("lookups", "lookups_total"), ("cache_hits", "cache_hits_total"),
                     ("shared", "shared_total"), ("queries", "queries_total"),
                     ("overload", "overloads_total"), ("entries", "cache_entries"),
                     ("pending", "pending_queries")):
            eq("dns " + k, dns[k], get(m, "mxguard_dns_" + n))
    if not zones:
        bad.append("no stats dnsbl line")
    for z, v in zones.items():
        for k in ("lookups", "queries", "hits"):
            eq(z + " " + k, v[k], get(m, "mxguard_dnsbl_%s_total" % k, zone=z))
        eq(z + " errors", v["errors"], total(m, "mxguard_dnsbl_errors_total", zone=z))
        eq(z + " timeouts", v["timeouts"], get(m, "mxguard_dnsbl_errors_total", zone=z, error="timeout"))
        eq(z + " servfail", v["servfail"], get(m, "mxguard_dnsbl_errors_total", zone=z, error="servfail"))
        eq(z + " bad", v["bad"], get(m, "mxguard_dnsbl_errors_total", zone=z, error="bad"))
        h = "mxguard_dnsbl_query_duration_seconds"
        buckets = sorted((float(dict(ls)["le"]), c) for (n, ls), c in m.items()
                         if n == h + "_bucket" and dict(ls)["zone"] == z)
        count = get(m, h + "_count", zone=z)
        eq(z + " +Inf bucket = _count", buckets[-1][1] if buckets else None, count)
        if any(b[1] < a[1] for a, b in zip(buckets, buckets[1:])):
            bad.append(z + " buckets not cumulative")
        for pct, key in ((50, "p50_ms"), (99, "p99_ms")):
            if v[key] == "-":
                eq(z + " no samples", 0, count)
                continue
            rank = max(1, -(-int(count) * pct // 100))
            le = next(b for b, c in buckets if c >= rank)
            prev = max([b for b, c in buckets if b < le] or [0])
            s = float(v[key]) / 1000
            if not (s <= le + 1e-9 and (prev == 0 or s > prev)):
                bad.append("%s %s %s s outside the histogram's bucket (%s, %s]" % (z, key, s, prev, le))
        if count and not get(m, h + "_sum", zone=z) > 0:
            bad.append(z + " _sum")
    print("ok" if not bad else "\n".join(bad))


def read(path, seconds):
    n = bad = 0
    first = None
    seen = set()
    end = time.time() + seconds
    while time.time() < end:
        with open(path) as f:
            text = f.read()
        n += 1
        seen.add(hash(text))
        try:
            parse(text)
        except ValueError as e:
            bad += 1
            if first is None:
                first = "%s (%d bytes)" % (e, len(text))
    print("reads %d bad %d versions %d" % (n, bad, len(seen)))
    if first:
        print("first bad:", first)


if sys.argv[1] == "compare":
    compare(sys.argv[2], sys.argv[3])
elif sys.argv[1] == "read":
    read(sys.argv[2], float(sys.argv[3]))
elif sys.argv[1] == "value":
    m = parse(open(sys.argv[2]).read())
    want = sys.argv[3]
    name, _, rest = want.partition("{")
    labels = tuple(re.findall(r'([a-z_]+)="([^"]*)"', rest))
    print(int(m[(name, labels)]) if (name, labels) in m else "absent")
