#!/usr/bin/env python3
"""The pf command line around -G: argument forms, exit codes, and the
messages for a bad config (file:line:col, the line quoted, one per problem)."""
import argparse
import os
import subprocess
import sys
import tempfile

failures = 0


def check(name, cond, detail=""):
    global failures
    if not cond:
        failures += 1
        print(f"FAIL {name}\n{detail}")


def run(pf, *args):
    return subprocess.run([pf, *args], capture_output=True, text=True, stdin=subprocess.DEVNULL)


def dump(out):
    d = {}
    for line in out.splitlines():
        k, _, v = line.partition(" ")
        d.setdefault(k, []).append(v)
    return d


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pf", required=True)
    pf = ap.parse_args().pf
    work = tempfile.mkdtemp(prefix="pf-cli-")
    good = os.path.join(work, "config.txt")
    with open(good, "w", newline="") as f:
        f.write("Host IMR\r\n  HostName ssh.example.ac.jp\r\n  User ohba\r\n  Cipher 3des\r\n"
                "  LocalForward 10110 pop.example.ac.jp:110\r\n")
    bad = os.path.join(work, "bad.txt")
    with open(bad, "w") as f:
        f.write("Host a\n  LocalFoward 10025 smtp:25\n  Port 0\n\tControlMaster auto\n")

    r = run(pf, "--version")
    check("--version", r.returncode == 0 and r.stdout.startswith("pf ") and "libssh" in r.stdout,
          r.stdout + r.stderr)
    r = run(pf, "-V")
    check("-V", r.returncode == 0 and "libssh" in r.stdout)
    r = run(pf, "--help")
    check("--help", r.returncode == 0 and "-G" in r.stdout and "-L" in r.stdout)
    r = run(pf)
    check("no host: usage, exit 2", r.returncode == 2 and "usage" in r.stderr)
    r = run(pf, "-X", "h")
    check("unknown option", r.returncode == 2 and "unknown option -X" in r.stderr)
    r = run(pf, "-G", "-F")
    check("missing value", r.returncode == 2 and "needs a value" in r.stderr)
    r = run(pf, "-G", "-F", good, "IMR", "ls")
    check("remote command refused", r.returncode == 2 and "does not run" in r.stderr)

    r = run(pf, "-G", "-F", good, "IMR")
    d = dump(r.stdout)
    check("-G product", r.returncode == 0 and d.get("user") == ["ohba"] and
          d.get("localforward") == ["10110 [pop.example.ac.jp]:110"], r.stdout + r.stderr)
    check("-G note once on stderr", r.stderr.count("Cipher is obsolete") == 1, r.stderr)
    r = run(pf, "-GF" + good, "-v", "IMR")
    check("-v names the encoding", r.returncode == 0 and "as UTF-8" in r.stderr, r.stderr)
    r = run(pf, "-G", "-F", good, "bob@IMR", "-p", "2222", "-o", "Compression=yes",
            "-L", "8080:web:80", "-D", "1080", "-R", "9000")
    d = dump(r.stdout)
    check("user@, -p, -o, -L/-D/-R after the host",
          r.returncode == 0 and d.get("user") == ["bob"] and d.get("port") == ["2222"] and
          d.get("compression") == ["yes"] and d.get("dynamicforward") == ["1080"] and
          d.get("localforward") == ["8080 [web]:80", "10110 [pop.example.ac.jp]:110"] and
          d.get("remoteforward") == ["9000 [socks]:0"], r.stdout + r.stderr)
    r = run(pf, "-G", "-F", good, "-l", "carol", "dave@IMR")
    check("-l wins over user@", dump(r.stdout).get("user") == ["carol"], r.stdout)
    r = run(pf, "-G", "-F", good, "-L", "8080", "IMR")
    check("bad -L", r.returncode == 2 and "bad -L" in r.stderr, r.stderr)
    r = run(pf, "-G", "-F", good, "-o", "Port=70000", "IMR")
    check("bad -o", r.returncode != 0 and "command line:1:" in r.stderr, r.stderr)
    r = run(pf, "-G", "-F", "none", "x")
    check("-F none", r.returncode == 0 and dump(r.stdout).get("hostname") == ["x"], r.stderr)
    r = run(pf, "-G", "-F", os.path.join(work, "missing.txt"), "x")
    check("missing file", r.returncode == 1 and "does not exist" in r.stderr, r.stderr)

    r = run(pf, "-G", "-F", bad, "a")
    lines = r.stderr.splitlines()
    check("bad config: exit 1, nothing on stdout", r.returncode == 1 and r.stdout == "",
          r.stdout + r.stderr)
    check("bad config: typo with suggestion, file:line:col and quoted line",
          f"{bad}:2:3: error: Unknown keyword \"LocalFoward\". Did you mean \"LocalForward\"?"
          in lines and "    2 |   LocalFoward 10025 smtp:25" in lines, r.stderr)
    check("bad config: every problem reported",
          any(l.startswith(f"{bad}:3:8: error: Port \"0\"") for l in lines) and
          any(l.startswith(f"{bad}:4:2: warning:") and "ControlMaster" in l for l in lines) and
          "has 2 error(s)" in r.stderr, r.stderr)

    print(f"config.cli: {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
