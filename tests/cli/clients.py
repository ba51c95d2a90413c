#!/usr/bin/env python3
"""Client crowds for the CLI tests (127.0.0.1 only).

  clients.py cap PORT N        N clients echo through PORT and stay; the
                               N+1st must be closed at once without an echo;
                               once one of the N left, a new one is served.
  clients.py idle PORT N SECS  N clients connect and send nothing; "ready"
                               on stdout once all are connected; SECS later
                               they close.
  clients.py blackhole PORT    a listener whose accept queue is full (never
                               accepts): a connection to it hangs in SYN;
                               "ready" on stdout, then runs until killed.
  clients.py silentdns PORT    a DNS server on 127.0.0.1:PORT/udp that reads
                               queries and never answers.
  clients.py echo PORT TEXT SECS         one line through PORT, its echo
                               awaited up to SECS; prints "connected" once
                               connected, then the seconds taken.
  clients.py socks PORT DPORT TEXT SECS  the same through a SOCKS5 proxy at
                               PORT to 127.0.0.1:DPORT.
  clients.py held PORT N HOLD  N clients connect and wait (held by pf while
                               it reconnects); the N+1st must be closed at once;
                               the N must be closed after HOLD s (HOLD-1 to
                               HOLD+5).
Exit status 0 when what was checked held; messages on stderr."""
import socket
import sys
import time


def echo_once(s, text):
    s.settimeout(10)
    s.sendall(text)
    got = b""
    while len(got) < len(text):
        d = s.recv(100)
        if not d:
            break
        got += d
    return got == text


def closed_at_once(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.settimeout(3)
    try:
        s.sendall(b"over\n")
        d = s.recv(100)
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False
    finally:
        s.close()
    return d == b""


def cap(port, n):
    held = []
    for i in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        if not echo_once(s, b"client %d\n" % i):
            print("client %d got no echo" % i, file=sys.stderr)
            return 1
        held.append(s)
    t0 = time.time()
    if not closed_at_once(port):
        print("client %d beyond the limit was not closed" % (n + 1), file=sys.stderr)
        return 1
    print("client %d closed after %.2f s" % (n + 1, time.time() - t0), file=sys.stderr)
    held.pop().close()
    for _ in range(50):
        time.sleep(0.2)
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        try:
            if echo_once(s, b"again\n"):
                return 0
        except OSError:
            pass
        finally:
            s.close()
    print("no client served after one of the %d left" % n, file=sys.stderr)
    return 1


def idle(port, n, secs):
    held = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(n)]
    print("ready", flush=True)
    time.sleep(secs)
    for s in held:
        s.close()
    return 0


def blackhole(port):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(0)
    fill = []
    for _ in range(3):  # the queue takes one or two; the rest wait in SYN
        c = socket.socket()
        c.setblocking(False)
        c.connect_ex(("127.0.0.1", port))
        fill.append(c)
        time.sleep(0.2)
    print("ready", flush=True)
    while True:
        time.sleep(3600)


def silentdns(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    while True:
        s.recvfrom(4096)


def echo_timed(port, text, secs, socks_to=None):
    t0 = time.time()
    s = socket.create_connection(("127.0.0.1", port), timeout=secs)
    s.settimeout(secs)
    print("connected", flush=True)
    try:
        if socks_to is not None:
            s.sendall(b"\x05\x01\x00")
            if s.recv(2) != b"\x05\x00":
                return 1
            s.sendall(b"\x05\x01\x00\x01\x7f\x00\x00\x01" + socks_to.to_bytes(2, "big"))
            rep = b""
            while len(rep) < 10:
                d = s.recv(10 - len(rep))
                if not d:
                    return 1
                rep += d
            if rep[1] != 0:
                return 1
        if not echo_once(s, text.encode() + b"\n"):
            return 1
    except OSError as e:
        print("echo: %s" % e, file=sys.stderr)
        return 1
    finally:
        s.close()
    print("%.1f" % (time.time() - t0))
    return 0


def held(port, n, hold):
    clients = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(n)]
    t0 = time.time()
    time.sleep(0.5)
    if not closed_at_once(port):
        print("client %d beyond the held limit was not closed at once" % (n + 1), file=sys.stderr)
        return 1
    for c in clients:
        c.settimeout(max(0.1, hold + 5 - (time.time() - t0)))
        try:
            d = c.recv(10)
        except socket.timeout:
            print("a held client was still open after %.1f s" % (time.time() - t0), file=sys.stderr)
            return 1
        except ConnectionResetError:
            d = b""
        if d != b"":
            print("a held client got data", file=sys.stderr)
            return 1
    took = time.time() - t0
    print("%d held clients closed after %.1f s" % (n, took), file=sys.stderr)
    return 0 if took >= hold - 1 else 1


def main():
    cmd = sys.argv[1]
    if cmd == "cap":
        return cap(int(sys.argv[2]), int(sys.argv[3]))
    if cmd == "idle":
        return idle(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]))
    if cmd == "blackhole":
        return blackhole(int(sys.argv[2]))
    if cmd == "echo":
        return echo_timed(int(sys.argv[2]), sys.argv[3], float(sys.argv[4]))
    if cmd == "socks":
        return echo_timed(int(sys.argv[2]), sys.argv[4], float(sys.argv[5]), int(sys.argv[3]))
    if cmd == "held":
        return held(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]))
    if cmd == "silentdns":
        return silentdns(int(sys.argv[2]))
    print(__doc__, file=sys.stderr)
    return 2


sys.exit(main())
