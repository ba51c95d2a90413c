#!/usr/bin/env python3
"""A lossy, slow network link between two network namespaces, made in user
space for kernels without tc netem: one TUN device in each namespace (made
beforehand with `ip tuntap add`), and this process moving IP packets between
them, dropping a share of them and delaying the rest.

    lossylink.py <client netns> <tun> <server netns> <tun> <loss 0..1> <delay ms> <seconds>

It runs at most <seconds> and then exits (bounded, like every load here).
"""
import ctypes
import fcntl
import heapq
import os
import random
import select
import signal
import struct
import sys
import time

CLONE_NEWNET = 0x40000000
TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000

libc = ctypes.CDLL("libc.so.6", use_errno=True)


def open_tun_in(netns, name):
    """Enter `netns`, attach to its TUN device `name`; the fd keeps working
    whichever namespace this process is in afterwards."""
    with open(f"/var/run/netns/{netns}") as ns:
        if libc.setns(ns.fileno(), CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {netns}")
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    os.set_blocking(fd, False)
    return fd


def main():
    cns, ctun, sns, stun = sys.argv[1:5]
    loss, delay, seconds = float(sys.argv[5]), float(sys.argv[6]) / 1000, float(sys.argv[7])
    with open("/proc/self/ns/net") as home:
        a = open_tun_in(cns, ctun)
        b = open_tun_in(sns, stun)
        libc.setns(home.fileno(), CLONE_NEWNET)
    rng = random.Random(42)  # the same losses every run
    peer = {a: b, b: a}
    queue = []  # (due, seq, fd, packet)
    seq = 0
    end = time.monotonic() + seconds
    dropped = passed = 0
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    print("lossylink: ready", flush=True)
    while time.monotonic() < end and not stop:
        timeout = max(0.0, queue[0][0] - time.monotonic()) if queue else 0.2
        try:
            readable, _, _ = select.select([a, b], [], [], min(timeout, 0.2))
        except InterruptedError:
            continue
        for fd in readable:
            while True:
                try:
                    pkt = os.read(fd, 65536)
                except BlockingIOError:
                    break
                if rng.random() < loss:
                    dropped += 1
                    continue
                seq += 1
                heapq.heappush(queue, (time.monotonic() + delay, seq, peer[fd], pkt))
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, fd, pkt = heapq.heappop(queue)
            try:
                os.write(fd, pkt)
                passed += 1
            except OSError:
                pass
    print(f"lossylink: {passed} packets passed, {dropped} dropped", flush=True)


if __name__ == "__main__":
    main()
