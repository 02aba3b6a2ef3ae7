#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
#
# nsrpctl_pty.py CMD... - drives nsrpctl's shell in a pseudo-terminal, as
# an operator at a terminal would (for test_nsrpctl.sh). CMD starts the
# shell (e.g. "tools/lab exec fw1 build/nsrpctl -S SOCK"). Prints one
# "ok: WHAT" or "not ok: WHAT" per expectation and exits 1 when any
# failed. Every wait is bounded.
import os
import pty
import re
import select
import sys
import time

# What the terminal shows, less its control sequences and padding.
ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-Za-z]|\x1b[=>]|[\x00\x07]")

failed = False


def report(ok, what):
    global failed
    print(("ok: " if ok else "not ok: ") + what, flush=True)
    failed |= not ok


class Shell:
    def __init__(self, argv):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.environ["TERM"] = "vt100"
            os.execvp(argv[0], argv)
        self.seen = b""

    def read_until(self, pattern, timeout=5.0):
        """Reads until pattern (a regex on the cleaned text) shows up
        in what came since the last call; returns that text."""
        rx = re.compile(pattern)
        end = time.time() + timeout
        while time.time() < end:
            text = self.text()
            if rx.search(text):
                self.seen = b""
                return text
            r, _, _ = select.select([self.fd], [], [], 0.1)
            if not r:
                continue
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                break
            if not data:
                break
            self.seen += data
        text = self.text()
        self.seen = b""
        return text + "\n[timed out waiting for %r]" % pattern

    def text(self):
        return ANSI.sub(b"", self.seen).replace(b"\r", b"").decode(
            "utf-8", "replace")

    def send(self, keys):
        os.write(self.fd, keys.encode())

    def wait(self, timeout=5.0):
        end = time.time() + timeout
        while time.time() < end:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            try:
                os.read(self.fd, 65536)
            except OSError:
                pass
            time.sleep(0.05)
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)
        return None


def main():
    master = re.escape(os.environ.get("PROMPT_MASTER", "lab:fw1(M)->"))
    backup = re.escape(os.environ.get("PROMPT_BACKUP", "lab:fw1(B)->"))
    sh = Shell(sys.argv[1:])

    out = sh.read_until(master)
    report("timed out" not in out, "the prompt is ScreenOS's, master: "
           + os.environ.get("PROMPT_MASTER", "lab:fw1(M)->"))

    sh.send("get nsrp | include unit id\r")
    out = sh.read_until(master)
    lines = [l for l in out.splitlines() if l and not l.endswith("->")
             and "get nsrp |" not in l]
    report(any(l.startswith("index: 0, unit id:") for l in lines) and
           all("unit id" in l for l in lines),
           "| include keeps only the lines that hold the word: %r" % lines)

    sh.send("get nsrp | exclude i\r")
    out = sh.read_until(master)
    lines = [l for l in out.splitlines() if l and not l.endswith("->")
             and "get nsrp |" not in l]
    report(lines and all("i" not in l for l in lines),
           "| exclude drops them (%d lines left)" % len(lines))

    sh.send("get n\t")
    out = sh.read_until(r"srp $", 3)
    report("timed out" not in out, "Tab completes 'get n' to 'get nsrp '")
    sh.send("?")
    out = sh.read_until(r"->get nsrp $", 3)
    report(re.search(r"^  history +every role change", out, re.M) and
           re.search(r"^  <cr>", out, re.M) and
           re.search(r"^  \| +filter the output", out, re.M),
           "? lists what may follow, with its help")
    sh.send("\x15")                      # Ctrl-U: the line is cleared
    sh.read_until(master + r"$", 2)

    sh.send("set nsrp vsd id 0 pr\t")
    out = sh.read_until(r"preempt", 3)
    report("priority" in out and "preempt" in out,
           "Tab lists the candidates where it cannot choose")
    sh.send("i\t")
    out = sh.read_until(r"ority $", 3)    # "i" echoed, then the rest
    report("timed out" not in out, "and completes once it can")
    sh.send("?")
    out = sh.read_until(r"id 0 priority $", 3)
    report(re.search(r"^  <1-254> +this unit's priority", out, re.M),
           "? names the value expected: <1-254>")
    sh.send("\x15")
    sh.read_until(master + r"$", 2)

    sh.send("set nsrp int\t")
    out = sh.read_until(r"erface $", 3)
    sh.send("\t")
    out = sh.read_until(r"ha0", 3)
    report("ha0" in out and "lan0" in out,
           "Tab offers the unit's interfaces for an interface value")
    sh.send("\x15")
    sh.read_until(master + r"$", 2)

    sh.send("get coun")
    sh.send("\x03")                      # Ctrl-C: the line is dropped
    out = sh.read_until(master + r"$", 3)
    report("^C" in out and "timed out" not in out,
           "Ctrl-C drops the line and gives a fresh prompt")

    sh.send("exec nsrp vsd-group 0 mode in\r")
    out = sh.read_until(master, 5)
    report(out.count("ambiguous 'in': ineligible, init") == 1 and
           "Invalid argument" not in out,
           "an ambiguous word is refused once, naming the candidates")

    sh.send("show nsrp\r")
    out = sh.read_until(master, 5)
    report(out.count("unknown word 'show'") == 1 and
           "Invalid argument" not in out,
           "an unknown command is refused once, in nsrpd's words")

    sh.send("exec nsrp vsd-group 0 mode backup\r")
    out = sh.read_until(backup, 5)
    for _ in range(20):                  # the prompt follows the role
        if "timed out" not in out:
            break
        sh.send("\r")
        out = sh.read_until(backup, 0.5)
    report("timed out" not in out, "after mode backup the prompt says (B)")

    sh.send("exit\r")
    rc = sh.wait()
    report(rc == 0, "exit leaves the shell, status 0 (got %r)" % rc)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
