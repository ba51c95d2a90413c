#!/usr/bin/env python3
"""Many stalled readers at once, for cli_backpressure.sh. Usage:
stalled_crowd.py PF_PID FWD_PORT SRV_PORT N MB. N clients connect through
the forward; the server behind it sends each MB megabytes (different bytes
per client) while no client reads for STALL seconds (small receive
buffers, so the data piles up in front of them: in pf's channel windows);
pf's resident memory is sampled. Then every client reads its stream and
checks it. Prints GROWTH_MB (the peak over the idle pf) and exits non-zero
when any stream is short or changed."""
import hashlib
import socket
import sys
import threading
import time

from rsswatch import PeakRss

STALL = 4.0
CHUNK = 64 * 1024




def block(conn_id, i):
    return hashlib.sha256(b"%d/%d" % (conn_id, i)).digest() * (CHUNK // 32)


def main():
    pid, fport, sport = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    n, mb = int(sys.argv[4]), int(sys.argv[5])
    chunks = mb * 1024 * 1024 // CHUNK
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", sport))
    srv.listen(n)
    srv.settimeout(60)

    def serve():
        # Each accepted connection first says which client it is.
        for _ in range(n):
            try:
                c, _ = srv.accept()
            except OSError:
                return
            threading.Thread(target=feed, args=(c,), daemon=True).start()

    def feed(c):
        try:
            c.settimeout(120)
            conn_id = int(c.recv(16).split(b"\n")[0])
            for i in range(chunks):
                c.sendall(block(conn_id, i))
            c.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    rss = PeakRss(pid)
    threading.Thread(target=serve, daemon=True).start()
    rss.start()
    clients = []
    for i in range(n):
        c = socket.socket()
        c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024)
        c.settimeout(120)
        c.connect(("127.0.0.1", fport))
        c.sendall(b"%d\n" % i)
        clients.append(c)
    time.sleep(STALL)
    stalled_peak = rss.peak
    bad = []

    def drain(i, c):
        want, h, got = hashlib.sha256(), hashlib.sha256(), 0
        for k in range(chunks):
            want.update(block(i, k))
        try:
            while True:
                d = c.recv(1 << 20)
                if not d:
                    break
                h.update(d)
                got += len(d)
        except OSError as e:
            bad.append("client %d: %s after %d bytes" % (i, e, got))
            return
        if got != chunks * CHUNK or h.digest() != want.digest():
            bad.append("client %d: %d of %d bytes, intact: %s"
                       % (i, got, chunks * CHUNK, h.digest() == want.digest()))

    start = time.time()
    readers = [threading.Thread(target=drain, args=(i, c)) for i, c in enumerate(clients)]
    for t in readers:
        t.start()
    for t in readers:
        t.join(150)
    rss.stop()
    growth = (rss.peak - rss.base) // 1024
    print("%d clients x %d MB: pf RSS %d MB idle, +%d MB while they stalled, peak +%d MB; "
          "read in %.1f s; %d bad"
          % (n, mb, rss.base >> 10, (stalled_peak - rss.base) >> 10, growth, time.time() - start,
             len(bad)))
    for b in bad[:10]:
        print(b)
    print("GROWTH_MB=%d" % growth)
    sys.exit(0 if not bad else 1)


main()
