#!/usr/bin/env python3
"""What the server (sshd) does while a forwarder is measured: the evidence
behind the "what limits it" sections of bench/results. Uses pfbench.py's own
sshd, iperf3 and echo servers; everything on loopback, every run bounded.

  python3 bench/diag_server.py download [--perf DIR] pf ssh
      iperf3 -R through each forwarder, --reps times in turn: the forwarder's
      and sshd's CPU seconds per GB (sshd split into user and kernel time),
      and their context switches per GB. Prints the machine's TCP congestion
      control, which decides much of sshd's kernel time on loopback. --perf
      DIR records sshd's session with `perf record -g` (DIR/sshd.<fw>.data).

  python3 bench/diag_server.py burst [--strace-at S] pf ssh
      --conc connections echoing --kb KB each at once, --reps times per
      forwarder: when the connections finished (quantiles), the queues of the
      SSH connection and the state of sshd and the forwarder every 100 ms
      (--out DIR/queues.<fw>.<try>.txt), then the next three connections
      after the burst, timed. --strace-at S straces sshd's session and the
      forwarder for 0.3 s, S seconds into each burst (DIR/strace.*).
"""
import argparse
import asyncio
import os
import random
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pfbench as P  # noqa: E402


def ctx_switches(pid):
    """(voluntary, involuntary) context switches of all threads of pid."""
    vol = invol = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/status") as f:
            for line in f:
                if line.startswith("voluntary_ctxt_switches"):
                    vol += int(line.split()[1])
                elif line.startswith("nonvoluntary_ctxt_switches"):
                    invol += int(line.split()[1])
    return vol, invol


def proc_state(pid):
    """'R'/'S'/... and utime+stime ticks, or None when gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return fields[0], int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return None


def congestion_control():
    try:
        with open("/proc/sys/net/ipv4/tcp_congestion_control") as f:
            return f.read().strip()
    except OSError:
        return "?"


def download(b, a):
    print(f"TCP congestion control: {congestion_control()}; cipher {a.cipher}; "
          f"{a.secs} s iperf3 -R per run")
    print("| run | forwarder | Mbit/s | fw CPU s/GB | sshd CPU s/GB | sshd user | sshd kernel "
          "| fw switches/GB vol / invol | sshd switches/GB |")
    print("|---|---|---|---|---|---|---|---|---|")
    for rep in range(a.reps):
        for fw in a.forwarders:
            p, li, _le, _ = b.start_fw(fw, a.cipher)
            try:
                time.sleep(0.3)
                kids = b.descendants(b.sshd.pid)
                if not kids:
                    raise RuntimeError(f"no sshd session process for {fw}")
                perf = None
                if a.perf:
                    os.makedirs(a.perf, exist_ok=True)
                    perf = subprocess.Popen(
                        ["perf", "record", "-q", "-g", "-o", f"{a.perf}/sshd.{fw}.data", "-p",
                         ",".join(str(k) for k in kids)],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    time.sleep(0.5)
                s0, su0 = P.tree_cpu(b.sshd.pid), sum(P.proc_cpu(k, "user") for k in kids)
                c0, x0 = P.proc_cpu(p.pid), ctx_switches(p.pid)
                k0 = [sum(v) for v in zip(*(ctx_switches(k) for k in kids))]
                r = P.iperf(li, a.secs, True)
                s1, su1 = P.tree_cpu(b.sshd.pid), sum(P.proc_cpu(k, "user") for k in kids)
                c1, x1 = P.proc_cpu(p.pid), ctx_switches(p.pid)
                k1 = [sum(v) for v in zip(*(ctx_switches(k) for k in kids))]
                if perf is not None:
                    perf.send_signal(2)
                    perf.wait(timeout=30)
                if isinstance(r, str):
                    print(f"| {rep + 1} | {fw} | failed: {r} | | | | | | |")
                    b.restart_iperf()
                    continue
                mbps, nbytes = r
                gb = nbytes / 1e9
                print(f"| {rep + 1} | {fw} | {mbps:.0f} | {(c1 - c0) / gb:.3f} | {(s1 - s0) / gb:.3f} "
                      f"| {(su1 - su0) / gb:.3f} | {(s1 - s0 - su1 + su0) / gb:.3f} "
                      f"| {(x1[0] - x0[0]) / gb:.0f} / {(x1[1] - x0[1]) / gb:.0f} "
                      f"| {(k1[0] + k1[1] - k0[0] - k0[1]) / gb:.0f} |", flush=True)
            finally:
                P.stop(p)


async def _one(port, payload, t0, done):
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 30)
    try:
        writer.write(payload)
        got = await asyncio.wait_for(reader.readexactly(len(payload)), 60)
        done.append((time.perf_counter() - t0, got == payload))
    finally:
        writer.close()


async def _burst(port, n, size):
    base = random.Random(n).randbytes(size)
    done = []
    t0 = time.perf_counter()
    res = await asyncio.gather(*(_one(port, base[i % size:] + base[:i % size], t0, done)
                                 for i in range(n)), return_exceptions=True)
    return time.perf_counter() - t0, done, sum(1 for r in res if isinstance(r, BaseException))


def _sampler(b, fw_pid, stop, lines, strace_at, out, tag):
    """Every 100 ms: the SSH connection's queues both ends, sshd's and the
    forwarder's state and CPU ticks. Bounded by the burst (stop)."""
    t0 = time.perf_counter()
    straced = False
    while not stop.is_set():
        now = time.perf_counter() - t0
        ss = subprocess.run(["ss", "-tnH", "state", "established",
                             f"( sport = :{b.sshd_port} or dport = :{b.sshd_port} )"],
                            capture_output=True, text=True).stdout.split("\n")
        q = {}
        for line in ss:
            f = line.split()
            if len(f) >= 4:
                side = "sshd" if f[2].endswith(f":{b.sshd_port}") else "fw"
                q[side] = (int(f[0]), int(f[1]))
        kids = b.descendants(b.sshd.pid)
        st = {"fw": proc_state(fw_pid), "sshd": proc_state(kids[-1]) if kids else None}
        lines.append(
            f"{now:6.2f} s  sshd socket recv-q {q.get('sshd', ('-', '-'))[0]} send-q "
            f"{q.get('sshd', ('-', '-'))[1]}; forwarder socket recv-q {q.get('fw', ('-', '-'))[0]} "
            f"send-q {q.get('fw', ('-', '-'))[1]}; sshd {st['sshd']}; forwarder {st['fw']}")
        if strace_at and not straced and now >= strace_at and kids:
            straced = True
            for who, pid in (("sshd", kids[-1]), ("fw", fw_pid)):
                subprocess.Popen(["timeout", "0.3", "strace", "-f", "-tt", "-p", str(pid), "-o",
                                  f"{out}/strace.{tag}.{who}"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.1)


def burst(b, a):
    os.makedirs(a.out, exist_ok=True)
    print(f"{a.conc} x {a.kb} KB echoed at once, cipher {a.cipher}; samples and straces in {a.out}")
    for rep in range(a.reps):
        for fw in a.forwarders:
            p, _li, le, _ = b.start_fw(fw, a.cipher)
            try:
                time.sleep(0.3)
                tag = f"{fw}.{rep + 1}"
                stop, lines = threading.Event(), []
                th = threading.Thread(target=_sampler,
                                      args=(b, p.pid, stop, lines, a.strace_at, a.out, tag))
                th.start()
                try:
                    total, done, failed = asyncio.run(_burst(le, a.conc, a.kb << 10))
                finally:
                    stop.set()
                    th.join()
                with open(f"{a.out}/queues.{tag}.txt", "w") as f:
                    f.write("\n".join(lines) + "\n")
                ends = sorted(t for t, _ok in done)
                wrong = sum(1 for _t, ok in done if not ok)

                def q(frac):
                    return ends[min(len(ends) - 1, int(len(ends) * frac))] if ends else float("nan")

                times, _ = P.seq_latency(le, 3)
                print(f"{fw:6} try {rep + 1}: {total:.2f} s, {len(done) - wrong} ok, {failed} failed, "
                      f"{wrong} wrong; finished at p10 {q(0.1):.2f} p50 {q(0.5):.2f} p90 {q(0.9):.2f} "
                      f"max {q(1):.2f} s; next 3 connections "
                      + " ".join(f"{t:.1f}" for t in times) + " ms", flush=True)
            finally:
                P.stop(p)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["download", "burst"])
    ap.add_argument("forwarders", nargs="*", default=["pf", "ssh"])
    ap.add_argument("--pf", default=os.path.join(P.REPO, "build/native/app/cli/pf"))
    ap.add_argument("--cipher", default=None,
                    help="default: aes128-gcm@openssh.com (download), chacha20-poly1305@openssh.com (burst)")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--secs", type=int, default=4)
    ap.add_argument("--perf", default=None)
    ap.add_argument("--conc", type=int, default=1000)
    ap.add_argument("--kb", type=int, default=64)
    ap.add_argument("--strace-at", type=float, default=0)
    ap.add_argument("--out", default="/tmp/pf-diag-server")
    a = ap.parse_intermixed_args()
    a.cipher = a.cipher or ("aes128-gcm@openssh.com" if a.mode == "download"
                            else "chacha20-poly1305@openssh.com")
    a.pf_exe = os.path.join(P.REPO, "build/win64/app/cli/pf.exe")
    a.pf_b = None
    a.keep = False
    a.verify_mb = 1
    a.link = None
    b = P.Bench(a)
    try:
        b.setup()
        (download if a.mode == "download" else burst)(b, a)
    finally:
        b.cleanup()


if __name__ == "__main__":
    main()
