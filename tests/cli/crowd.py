#!/usr/bin/env python3
"""Many clients at once through a forward, each waiting a moment before it
speaks, for cli_fdlimit.sh. Usage: crowd.py PORT N HOLD_SECONDS. Every
client connects, waits HOLD_SECONDS, sends its own line, half-closes and
expects the same line back. Prints how many got it; exit 0 when all did."""
import socket
import sys
import threading
import time

port, n, hold = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
ok = []
lock = threading.Lock()


def one(i):
    try:
        c = socket.create_connection(("127.0.0.1", port), timeout=30)
        time.sleep(hold)
        msg = b"client %d\n" % i
        c.sendall(msg)
        c.shutdown(socket.SHUT_WR)
        got = b""
        while True:
            d = c.recv(4096)
            if not d:
                break
            got += d
        c.close()
        if got == msg:
            with lock:
                ok.append(i)
    except OSError as e:
        print("client %d: %s" % (i, e))


threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
for t in threads:
    t.start()
for t in threads:
    t.join(60)
print("%d of %d clients got their line back" % (len(ok), n))
sys.exit(0 if len(ok) == n else 1)
