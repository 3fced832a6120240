#!/usr/bin/python3
# html-facts.py FILE - parse mxguard-report --html output with Python's own
# HTML parser and print what report-html.sh asserts on, one "key value" a
# line:
#   structure ok|<why>       every end tag closes the element open at that
#                            point (void elements aside), nothing left open,
#                            one <html>, <head>, <body>, a doctype and the
#                            viewport meta, an inline <style> with @media print
#   tags a,b,...             the element names used (sorted)
#   outside ok|<why>         no script, no on* attribute, no href/src/url()/@import
#   bytes ok|<why>           printable ASCII and newlines only
#   svg ID total N           an <svg class="chart">'s data-total
#   svg ID sum N             the sum of its rects' data-count
#   svg ID ACTION N          (hourly charts) the sum of its rects' data-count per action
#   svg ID hour H N          (hourly charts) one hour's stack
#   reason R N               (chart-reasons) the bar of each reason
#   table ID rows N          rows of each table's tbody
#   text ID ...              the text of an element with an id (header cells)
import html.parser
import re
import sys

VOID = {"meta", "br", "hr", "img", "input", "link", "rect", "line", "col", "wbr"}
# SVG elements written self-closed (<rect .../>) are void for this parser


class Facts(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.tags = [], [], set()
        self.doctype = False
        self.viewport = False
        self.style = ""
        self.outside = []
        self.svg = None
        self.svgs = {}
        self.tables = {}
        self.table = None
        self.in_tbody = False
        self.ids = {}
        self.idtext = None
        self.in_style = False
        self.counts = {}

    def handle_decl(self, decl):
        if decl.lower() == "doctype html":
            self.doctype = True

    def start(self, tag, attrs, closed):
        a = dict(attrs)
        self.tags.add(tag)
        if not (tag == "title" and "svg" in self.stack):
            self.counts[tag] = self.counts.get(tag, 0) + 1
        for k, v in attrs:
            if k.startswith("on"):
                self.outside.append("attribute " + k)
            if k in ("href", "src", "xlink:href", "action", "formaction"):
                self.outside.append("attribute " + k)
            if v and re.search(r"url\(|javascript:", v, re.I):
                self.outside.append("value " + v[:40])
        if tag == "script":
            self.outside.append("script element")
        if tag == "meta" and a.get("name") == "viewport" and "width=device-width" in (a.get("content") or ""):
            self.viewport = True
        if tag == "svg" and "chart" in (a.get("class") or ""):
            self.svg = a.get("id")
            self.svgs[self.svg] = {"total": int(a.get("data-total", -1)), "rects": []}
        if tag == "rect" and self.svg and "data-count" in a:
            self.svgs[self.svg]["rects"].append(a)
        if tag == "table":
            self.table = a.get("id")
            self.tables[self.table] = 0
        if tag == "tbody":
            self.in_tbody = True
        if tag == "tr" and self.in_tbody and self.table:
            self.tables[self.table] += 1
        if "id" in a and tag in ("dl", "p"):
            self.idtext = a["id"]
            self.ids[self.idtext] = ""
        if tag == "style":
            self.in_style = True
        if not closed and tag not in VOID:
            self.stack.append(tag)

    def handle_starttag(self, tag, attrs):
        self.start(tag, attrs, False)

    def handle_startendtag(self, tag, attrs):
        self.start(tag, attrs, True)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("</%s> closes <%s>" % (tag, self.stack[-1] if self.stack else "nothing"))
            return
        self.stack.pop()
        if tag == "svg":
            self.svg = None
        if tag == "tbody":
            self.in_tbody = False
        if tag == "style":
            self.in_style = False
        if tag in ("dl", "p"):
            self.idtext = None

    def handle_data(self, data):
        if self.in_style:
            self.style += data
        if self.idtext:
            self.ids[self.idtext] += data


def main():
    raw = open(sys.argv[1], "rb").read()
    bad = re.search(rb"[^\x20-\x7e\n]", raw)
    print("bytes", "ok" if not bad else "byte %r at %d" % (bad.group(0), bad.start()))
    p = Facts()
    p.feed(raw.decode("ascii", "replace"))
    p.close()
    why = p.errors[:3]
    if p.stack:
        why.append("left open: " + ",".join(p.stack))
    if not p.doctype:
        why.append("no doctype")
    if not p.viewport:
        why.append("no viewport meta")
    if "@media print" not in p.style:
        why.append("no print CSS")
    for t in ("html", "head", "body", "title"):
        if p.counts.get(t) != 1:
            why.append("%d <%s>" % (p.counts.get(t, 0), t))
    if re.search(r"url\(|@import", p.style):
        p.outside.append("style loads something")
    print("structure", "ok" if not why else "; ".join(why))
    print("tags", ",".join(sorted(p.tags)))
    print("outside", "ok" if not p.outside else "; ".join(p.outside[:3]))
    for sid, s in sorted(p.svgs.items()):
        print("svg", sid, "total", s["total"])
        print("svg", sid, "sum", sum(int(r["data-count"]) for r in s["rects"]))
        if sid == "chart-reasons":
            for r in s["rects"]:
                print("reason", r["data-reason"], r["data-count"])
            continue
        acts, hours = {}, {}
        for r in s["rects"]:
            acts[r["data-action"]] = acts.get(r["data-action"], 0) + int(r["data-count"])
            hours[int(r["data-hour"])] = hours.get(int(r["data-hour"]), 0) + int(r["data-count"])
        for a in ("accept", "tag", "quarantine", "tempfail", "reject"):
            print("svg", sid, a, acts.get(a, 0))
        for h in sorted(hours):
            print("svg", sid, "hour", h, hours[h])
    for tid, n in sorted(p.tables.items()):
        print("table", tid, "rows", n)
    for i, t in sorted(p.ids.items()):
        print("text", i, " ".join(t.split()))


main()
