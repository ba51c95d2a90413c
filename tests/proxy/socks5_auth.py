#!/usr/bin/env python3
"""A small SOCKS5 server for the proxy tests: CONNECT only, and only with
RFC 1929 username/password (dante's username method checks system
accounts). Usage: socks5_auth.py ADDR PORT USER PASSWORD LOGFILE.
Each login attempt is logged ("login ok user" / "login refused user")."""
import socket
import sys
import threading

addr, port, user, password, logname = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]


def log(line):
    with open(logname, "a") as f:
        f.write(line + "\n")


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError
        b += c
    return b


def pump(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    try:
        b.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def serve(c):
    try:
        ver, n = recv_exact(c, 2)
        methods = recv_exact(c, n)
        if ver != 5 or 2 not in methods:
            c.sendall(b"\x05\xff")
            return
        c.sendall(b"\x05\x02")
        v, ul = recv_exact(c, 2)
        u = recv_exact(c, ul).decode()
        pl = recv_exact(c, 1)[0]
        p = recv_exact(c, pl).decode()
        if u != user or p != password:
            log("login refused " + u)
            c.sendall(b"\x01\x01")
            return
        log("login ok " + u)
        c.sendall(b"\x01\x00")
        v, cmd, _, atyp = recv_exact(c, 4)
        if atyp == 1:
            host = socket.inet_ntoa(recv_exact(c, 4))
        elif atyp == 3:
            host = recv_exact(c, recv_exact(c, 1)[0]).decode()
        else:
            host = socket.inet_ntop(socket.AF_INET6, recv_exact(c, 16))
        dport = int.from_bytes(recv_exact(c, 2), "big")
        try:
            t = socket.create_connection((host, dport), timeout=10)
        except OSError:
            c.sendall(b"\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00")
            return
        t.settimeout(None)
        c.sendall(b"\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00")
        threading.Thread(target=pump, args=(t, c), daemon=True).start()
        pump(c, t)
    except (EOFError, OSError):
        pass


srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((addr, port))
srv.listen(16)
while True:
    conn, _ = srv.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
