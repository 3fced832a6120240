#!/usr/bin/env python3
"""miltertap.py - a milter protocol tap between an MTA and a filter, for the
e2e tests: listens on a unix socket, relays each connection to the filter's
socket byte for byte, and writes one line per packet to a log, so a test can
see what the MTA offered, what the filter asked for, and which commands the
filter answered:

    N mta O version=6 actions=0x1ff protocol=0x1fffff
    N filter O version=6 actions=0x... protocol=0x47390 macros=0:j {client_resolve};2:...
    N mta C            (any other packet: its command letter)
    N filter c

N numbers the connections. Usage: miltertap.py LISTEN_PATH FILTER_PATH LOG.
It stops on SIGTERM. Packets are parsed only to be logged; a malformed one
ends that connection's logging, never the relay.
"""
import os
import signal
import socket
import struct
import sys
import threading

listen_path, filter_path, log_path = sys.argv[1:4]
log = open(log_path, "a", buffering=1)
lock = threading.Lock()


def describe(cmd, data):
    if cmd != "O" or len(data) < 12:
        return cmd
    ver, act, proto = struct.unpack(">III", data[:12])
    line = "O version=%d actions=%#x protocol=%#x" % (ver, act, proto)
    rest, macros = data[12:], []
    while len(rest) > 4 and b"\0" in rest[4:]:
        stage = struct.unpack(">I", rest[:4])[0]
        text, rest = rest[4:].split(b"\0", 1)
        macros.append("%d:%s" % (stage, text.decode("ascii", "replace")))
    if macros:
        line += " macros=" + ";".join(macros)
    return line


def pump(n, who, src, dst):
    buf = b""
    try:
        while True:
            chunk = src.recv(65536)
            if not chunk:
                break
            buf += chunk
            # logged before it is passed on, so a reply is never logged
            # before the command it answers
            while len(buf) >= 5:
                size = struct.unpack(">I", buf[:4])[0]
                if len(buf) < 4 + size:
                    break
                cmd = chr(buf[4])
                with lock:
                    log.write("%d %s %s\n" % (n, who, describe(cmd, buf[5:4 + size])))
                buf = buf[4 + size:]
            dst.sendall(chunk)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def main():
    if os.path.exists(listen_path):
        os.unlink(listen_path)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(listen_path)
    os.chmod(listen_path, 0o666)
    srv.listen(128)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    n = 0
    while True:
        mta, _ = srv.accept()
        flt = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            flt.connect(filter_path)
        except OSError:
            mta.close()
            continue
        n += 1
        for who, a, b in (("mta", mta, flt), ("filter", flt, mta)):
            threading.Thread(target=pump, args=(n, who, a, b), daemon=True).start()


main()
