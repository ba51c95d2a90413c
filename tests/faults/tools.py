#!/usr/bin/env python3
"""Small network actors for the fault tests, each bounded in time.

  reset-server PORT NBYTES   serve forever: each connection gets NBYTES,
                             then the socket is closed with SO_LINGER 0 (RST)
  read PORT TIMEOUT          connect, read until the stream ends; prints
                             "<bytes> <eof|reset|timeout> <ms>"
  abort PORT NBYTES          connect, send an HTTP GET for /big.bin, read
                             NBYTES, then close with SO_LINGER 0 (RST)
  echo PORT TEXT             one dialogue: send TEXT, half-close, expect it
                             back; exit 0 when intact
  churn PORT N PARALLEL      N short echo dialogues, PARALLEL at a time;
                             prints "<ok> <failed> <seconds>", exit 0 when
                             all were intact
  relay PORT HOST TPORT MS   serve forever: a TCP relay to HOST:TPORT that
                             delays every chunk by MS ms, stalls 5% of them
                             a further 200 ms (order kept) and writes them on
                             in random fragments of 1..1400 bytes (a bad
                             path, where tc netem is not available)
"""
import collections
import random
import socket
import struct
import sys
import threading
import time


def rst_close(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def reset_server(port, nbytes):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(64)
    chunk = b"x" * nbytes
    while True:
        conn, _ = srv.accept()
        try:
            conn.sendall(chunk)
            time.sleep(0.2)
        except OSError:
            pass
        rst_close(conn)


def read_all(port, timeout):
    t0 = time.monotonic()
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.settimeout(timeout)
    total, how = 0, "eof"
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            total += len(d)
    except socket.timeout:
        how = "timeout"
    except ConnectionResetError:
        how = "reset"
    s.close()
    print(total, how, int((time.monotonic() - t0) * 1000))
    return 0


def abort(port, nbytes):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.settimeout(10)
    s.sendall(b"GET /big.bin HTTP/1.0\r\nHost: x\r\n\r\n")
    got = 0
    while got < nbytes:
        d = s.recv(65536)
        if not d:
            break
        got += len(d)
    rst_close(s)
    print(got)
    return 0 if got >= nbytes else 1


def dialogue(port, text):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.settimeout(30)
    s.sendall(text)
    s.shutdown(socket.SHUT_WR)
    got = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        got += d
    s.close()
    return got == text


def churn(port, n, parallel):
    t0 = time.monotonic()
    lock = threading.Lock()
    counts = {"next": 0, "ok": 0, "bad": 0}

    def worker():
        while True:
            with lock:
                i = counts["next"]
                if i >= n:
                    return
                counts["next"] += 1
            try:
                good = dialogue(port, b"churn %d\n" % i)
            except OSError:
                good = False
            with lock:
                counts["ok" if good else "bad"] += 1

    threads = [threading.Thread(target=worker) for _ in range(parallel)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(counts["ok"], counts["bad"], int(time.monotonic() - t0))
    return 0 if counts["bad"] == 0 else 1


def relay_pipe(src, dst, delay):
    q = collections.deque()
    cv = threading.Condition()
    state = {"eof": False, "last": 0.0}

    def reader():
        while True:
            try:
                d = src.recv(65536)
            except OSError:
                d = b""
            with cv:
                if not d:
                    state["eof"] = True
                else:
                    t = time.monotonic() + delay
                    if random.random() < 0.05:
                        t += 0.2
                    t = max(t, state["last"])
                    state["last"] = t
                    q.append((t, d))
                cv.notify()
            if not d:
                return

    threading.Thread(target=reader, daemon=True).start()
    try:
        while True:
            with cv:
                while not q and not state["eof"]:
                    cv.wait()
                if not q:
                    break
                t, d = q.popleft()
            wait = t - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            i = 0
            while i < len(d):
                n = random.randint(1, 1400)
                dst.sendall(d[i:i + n])
                i += n
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def relay(port, host, tport, ms):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(16)
    while True:
        conn, _ = srv.accept()
        try:
            up = socket.create_connection((host, tport), timeout=10)
        except OSError:
            rst_close(conn)
            continue
        up.settimeout(None)
        for s in (conn, up):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for a, b in ((conn, up), (up, conn)):
            threading.Thread(target=relay_pipe, args=(a, b, ms / 1000.0), daemon=True).start()


def main():
    cmd, port = sys.argv[1], int(sys.argv[2])
    if cmd == "reset-server":
        reset_server(port, int(sys.argv[3]))
    elif cmd == "read":
        return read_all(port, float(sys.argv[3]))
    elif cmd == "abort":
        return abort(port, int(sys.argv[3]))
    elif cmd == "echo":
        return 0 if dialogue(port, sys.argv[3].encode()) else 1
    elif cmd == "relay":
        relay(port, sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    elif cmd == "churn":
        return churn(port, int(sys.argv[3]), int(sys.argv[4]))
    return 2


sys.exit(main())
