#!/usr/bin/python3
# png-facts.py FILE.png COLOR... - decode a PNG (8-bit RGB or RGBA, not
# interlaced: what Chromium's --screenshot writes) with zlib alone and print:
#   size W H
#   ink N              pixels that are not the white background
#   color RRGGBB N Y0 Y1 X0 X1   pixels within 4 of each channel of COLOR,
#                                and their bounding box (0 0 0 0 when none)
import struct
import sys
import zlib


def decode(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit("not a PNG")
    pos, idat, w, h, ctype, depth, interlace = 8, b"", 0, 0, 0, 0, 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    if depth != 8 or ctype not in (2, 6) or interlace:
        sys.exit("unsupported PNG: depth %d type %d interlace %d" % (depth, ctype, interlace))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(h):
        f = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def main():
    w, h, bpp, rows = decode(sys.argv[1])
    colors = [tuple(int(c[i:i + 2], 16) for i in (0, 2, 4)) for c in sys.argv[2:]]
    found = [[0, h, -1, w, -1] for _ in colors]
    ink = 0
    for y, row in enumerate(rows):
        for x in range(0, w * bpp, bpp):
            r, g, b = row[x], row[x + 1], row[x + 2]
            if r < 250 or g < 250 or b < 250:
                ink += 1
            for k, (cr, cg, cb) in enumerate(colors):
                if abs(r - cr) <= 4 and abs(g - cg) <= 4 and abs(b - cb) <= 4:
                    fk = found[k]
                    fk[0] += 1
                    fk[1], fk[2] = min(fk[1], y), max(fk[2], y)
                    fk[3], fk[4] = min(fk[3], x // bpp), max(fk[4], x // bpp)
    print("size", w, h)
    print("ink", ink)
    for c, f in zip(sys.argv[2:], found):
        print("color", c, *(f if f[0] else [0, 0, 0, 0, 0]))


main()
