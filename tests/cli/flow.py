#!/usr/bin/env python3
"""Backpressure check for cli_backpressure.sh: 200 MB through a forward of a
running pf, each way, with the receiving side stalled at first; meanwhile
pf's resident memory is sampled. Usage: flow.py PF_PID FWD_PORT SRV_PORT
MODE, MODE "down" (server sends, client stalls) or "up" (client sends,
server stalls). Prints the peak growth of pf's RSS and exits non-zero when
the bytes are not all there or intact."""
import hashlib
import socket
import sys
import threading
import time

from rsswatch import PeakRss

TOTAL = 200 * 1024 * 1024
STALL = 2.0
CHUNK = 256 * 1024




def block(i):
    # Different bytes in every chunk, so a lost or repeated chunk shows.
    return hashlib.sha256(b"%d" % i).digest() * (CHUNK // 32)


def send_all(sock, sent):
    for i in range(TOTAL // CHUNK):
        sock.sendall(block(i))
        sent[0] += CHUNK
    sock.shutdown(socket.SHUT_WR)


def recv_all(sock, result, sent):
    time.sleep(STALL)
    # What the sender got rid of while nobody read: socket buffers and
    # SSH windows, not the stream.
    result["early"] = sent[0]
    h, n = hashlib.sha256(), 0
    while True:
        d = sock.recv(1 << 20)
        if not d:
            break
        h.update(d)
        n += len(d)
    result["n"], result["sha"] = n, h.hexdigest()


def main():
    pid, fport, sport, mode = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    want = hashlib.sha256()
    for i in range(TOTAL // CHUNK):
        want.update(block(i))
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", sport))
    srv.listen(1)
    rss = PeakRss(pid)
    rss.start()
    cli = socket.create_connection(("127.0.0.1", fport))
    conn, _ = srv.accept()
    sender, receiver = (conn, cli) if mode == "down" else (cli, conn)
    result, sent = {}, [0]
    t = threading.Thread(target=recv_all, args=(receiver, result, sent))
    t.start()
    start = time.time()
    send_all(sender, sent)
    t.join(120)
    rss.stop()
    secs = time.time() - start
    growth = (rss.peak - rss.base) // 1024
    print("%s: %d MB in %.1f s; while the receiver stalled %.0f s the sender got %d MB "
          "out; pf RSS %d MB, peak +%d MB"
          % (mode, result.get("n", 0) >> 20, secs, STALL, result.get("early", 0) >> 20,
             rss.base >> 10, growth))
    ok = result.get("n") == TOTAL and result.get("sha") == want.hexdigest()
    if not ok:
        print("%s: bytes missing or changed: got %s of %d" % (mode, result.get("n"), TOTAL))
    print("GROWTH_MB=%d" % growth)
    print("EARLY_MB=%d" % (result.get("early", TOTAL) >> 20))
    sys.exit(0 if ok else 1)


main()
