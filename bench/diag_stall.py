#!/usr/bin/env python3
"""How long does the first new connection take right after 200 connections
closed? For each forwarder named on the command line (pf, ssh, plink, pf.exe):
4 tries each of 200 x 1 MB echoed concurrently, a pause of 0 / 0.2 / 1 s, then
one connect / 1-byte echo / close, timed. Uses pfbench.py's own sshd and echo
server. Example: python3 bench/diag_stall.py pf ssh
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pfbench as P  # noqa: E402

CIPHER = "aes128-gcm@openssh.com"


def main():
    fws = sys.argv[1:] or ["pf", "ssh"]
    a = argparse.Namespace(pf=os.path.join(P.REPO, "build/native/app/cli/pf"),
                           pf_exe=os.path.join(P.REPO, "build/win64/app/cli/pf.exe"),
                           keep=False, verify_mb=1, link=None, forwarders=fws)
    b = P.Bench(a)
    try:
        b.setup()
        for fw in fws:
            for gap in (0, 0.2, 1.0):
                firsts = []
                for _ in range(4):
                    p, _li, le, _ = b.start_fw(fw, CIPHER)
                    try:
                        P.concurrent_echo(le, 200, 1 << 20)
                        time.sleep(gap)
                        times, _fails = P.seq_latency(le, 5)
                        firsts.append(times[0] if times else float("nan"))
                    finally:
                        P.stop(p)
                print(f"{fw:6} gap {gap:3.1f} s: first connection after 200 x 1 MB, ms: "
                      + " ".join(f"{x:.1f}" for x in firsts), flush=True)
    finally:
        b.cleanup()


if __name__ == "__main__":
    main()
