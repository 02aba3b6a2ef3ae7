#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""ctl_abuse - what a local user may do to nsrpd's control socket, for
test_ctl_abuse.sh. Each mode prints one JSON object: what became of every
connection it made.

  ctl_abuse.py hold PATH N SECONDS    N connections that ask nothing, held
                                      for SECONDS; then each still open asks
                                      "get nsrp"
  ctl_abuse.py noread PATH N SECONDS  N connections that send requests and
                                      never read; after SECONDS, whether the
                                      server closed them
  ctl_abuse.py big PATH N SIZE        N requests of SIZE bytes each

A connection is "answered" (a response with status 0), "told" (a response
with an error status: the text says why; counted by text), "closed" (the
server ended it, after what it could send), "connect_failed" (by errno), or
"silent": closed or unanswered without a word, which must never happen to
a client that asks.
"""
import errno
import json
import resource
import select
import socket
import struct
import sys
import time

CTL_VERSION = 1
SO_SNDBUFFORCE = 32


def request(cmd, flags=0):
    b = cmd.encode()
    return struct.pack("!BBH", CTL_VERSION, flags, len(b)) + b


def parse(msg):
    """(flags, status, text) of a response message, or None."""
    if len(msg) < 8:
        return None
    ver, flags, n, status = struct.unpack("!BBHI", msg[:8])
    if ver != CTL_VERSION or n != len(msg) - 8:
        return None
    return flags, status, msg[8:].decode(errors="replace")


def connect(path):
    """Waits (5 s at most) while the server's backlog is full."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO,
                 struct.pack("ll", 5, 0))
    try:
        s.connect(path)
    except OSError:
        s.close()
        raise
    s.setblocking(False)
    return s


def pending(s):
    """The messages waiting on s, and whether the server closed it."""
    msgs = []
    while True:
        try:
            m = s.recv(65536)
        except BlockingIOError:
            return msgs, False
        except ConnectionResetError:
            return msgs, True
        if not m:
            return msgs, True
        msgs.append(parse(m))


class Tally:
    def __init__(self):
        self.n = 0
        self.answered = 0
        self.told = {}
        self.closed = 0
        self.connect_failed = {}
        self.silent = 0

    def tell(self, text):
        text = text.strip()
        self.told[text] = self.told.get(text, 0) + 1

    def out(self):
        print(json.dumps(self.__dict__, sort_keys=True))


def open_many(path, n, t):
    conns = []
    for _ in range(n):
        t.n += 1
        try:
            conns.append(connect(path))
        except OSError as e:
            name = errno.errorcode.get(e.errno, str(e))
            t.connect_failed[name] = t.connect_failed.get(name, 0) + 1
    return conns


def ask(s, t):
    """Sends "get nsrp" on s and sorts out what comes back (5 s at most)."""
    try:
        s.send(request("get nsrp"))
    except OSError:
        pass  # let go before it asked: the reason waits unread
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        select.select([s], [], [], 0.1)
        msgs, eof = pending(s)
        for m in msgs:
            if m is None:
                t.silent += 1
                return
            flags, status, text = m
            if status:
                t.tell(text)
                return
            if flags & 1:
                t.answered += 1
                return
        if eof:
            t.silent += 1
            return
    t.silent += 1


def hold(path, n, secs):
    t = Tally()
    conns = open_many(path, n, t)
    live = {s.fileno(): s for s in conns}
    poll = select.poll()
    for fd in live:
        poll.register(fd, select.POLLIN)
    deadline = time.monotonic() + secs
    while live and time.monotonic() < deadline:
        for fd, _ in poll.poll(200):
            s = live.pop(fd)
            poll.unregister(fd)
            msgs, eof = pending(s)
            told = [m for m in msgs if m and m[1]]
            if told:
                t.tell(told[0][2])
            else:
                t.silent += 1  # closed, or spoke, before it asked
            s.close()
    for s in live.values():
        ask(s, t)
        s.close()
    t.out()


def noread(path, n, secs):
    t = Tally()
    conns = open_many(path, n, t)
    for s in conns:
        for _ in range(2000):
            try:
                s.send(request("get nsrp"))
            except (BlockingIOError, OSError):
                break
    time.sleep(secs)
    for s in conns:
        # Read what it was sent; the end of it says the server closed it.
        eof = False
        while True:
            try:
                m = s.recv(65536)
            except BlockingIOError:
                break
            except ConnectionResetError:
                eof = True
                break
            if not m:
                eof = True
                break
        if eof:
            t.closed += 1
        else:
            t.silent += 1
        s.close()
    t.out()


def big(path, n, size):
    t = Tally()
    for s in open_many(path, n, t):
        try:
            s.setsockopt(socket.SOL_SOCKET, SO_SNDBUFFORCE, 4 * size)
        except OSError:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 * size)
        body = b"g" * (size - 4)
        msg = struct.pack("!BBH", CTL_VERSION, 0, 0xffff) + body
        s.setblocking(True)
        s.settimeout(5)
        try:
            s.send(msg)
        except OSError as e:
            t.tell("not sent: " + errno.errorcode.get(e.errno, str(e)))
            s.close()
            continue
        s.setblocking(False)
        deadline = time.monotonic() + 5
        got = None
        while got is None and time.monotonic() < deadline:
            select.select([s], [], [], 0.1)
            msgs, eof = pending(s)
            got = msgs[0] if msgs else ("eof" if eof else None)
        if got and got != "eof":
            t.tell(f"{errno.errorcode.get(got[1], got[1])}: {got[2]}")
        else:
            t.silent += 1
        s.close()
    t.out()


def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    mode, path = sys.argv[1], sys.argv[2]
    n, arg = int(sys.argv[3]), float(sys.argv[4])
    if mode == "hold":
        hold(path, n, arg)
    elif mode == "noread":
        noread(path, n, arg)
    elif mode == "big":
        big(path, n, int(arg))
    else:
        sys.exit(f"ctl_abuse: unknown mode {mode}")


if __name__ == "__main__":
    main()
