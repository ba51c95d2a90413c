#!/usr/bin/env python3
"""Half-close from the server's side through a forward, for cli_forwards.sh.
"serve PORT": greets every connection with "hello\\n", shuts down its
writing side at once, then reads the client's data to EOF and answers
nothing more (it cannot). It appends what it read to PORT.log.
"talk FWD_PORT SRV_PORT": connects through the forward, reads the greeting
and the EOF, then (its own side still open) sends "after your EOF\\n",
half-closes, and checks the server got exactly that. Exit 0 when so."""
import socket
import sys
import threading
import time


def serve(port):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(16)

    def one(conn):
        data = b""
        try:
            with conn:
                conn.sendall(b"hello\n")
                conn.shutdown(socket.SHUT_WR)
                while True:
                    d = conn.recv(4096)
                    if not d:
                        break
                    data += d
        except OSError:
            return  # a port probe that connected and left at once
        with open("%d.log" % port, "ab") as f:
            f.write(data)

    while True:
        conn, _ = srv.accept()
        threading.Thread(target=one, args=(conn,), daemon=True).start()


def talk(fport, sport):
    c = socket.create_connection(("127.0.0.1", fport), timeout=10)
    got = b""
    while True:
        d = c.recv(4096)
        if not d:
            break
        got += d
    if got != b"hello\n":
        print("greeting: %r" % got)
        return 1
    c.sendall(b"after your EOF\n")
    c.shutdown(socket.SHUT_WR)
    c.close()
    for _ in range(50):
        try:
            with open("%d.log" % sport, "rb") as f:
                if f.read() == b"after your EOF\n":
                    return 0
        except OSError:
            pass
        time.sleep(0.1)
    print("the server did not get the data sent after its EOF")
    return 1


if sys.argv[1] == "serve":
    serve(int(sys.argv[2]))
else:
    sys.exit(talk(int(sys.argv[2]), int(sys.argv[3])))
