#!/usr/bin/python3
"""A hostile SSH server for issue 18 item 13 (sshd cannot be made to do this).

Accepts any public key, then floods the client with what it never asked for:
channel opens of every kind (x11, auth-agent@openssh.com, session,
direct-tcpip, forwarded-tcpip for a port nobody forwarded) and global
requests (tcpip-forward, cancel-tcpip-forward). Counts the answers to the
opens (confirmation or failure) and writes one JSON line to the result file:
{"opens": N, "answered": M, "globals": G}, after each of two floods
(RESULT_FILE.1, RESULT_FILE.2). A client that answers nothing
queues every one of them for ever.

With a last argument `jump`, it is a ProxyJump hop first: it opens the
direct-tcpip channel the client asks for to the destination, carries its
bytes, and floods once the client had 3 s to log in to the destination
through it (the flood then reaches the client's bridge thread for the hop).

usage: hostile_server.py PORT HOST_KEY RESULT_FILE OPENS_PER_KIND GLOBALS [jump]
"""
import json
import os
import select
import socket
import sys
import threading
import time

import paramiko
from paramiko.common import (
    MSG_CHANNEL_OPEN_FAILURE,
    MSG_CHANNEL_OPEN_SUCCESS,
    cMSG_CHANNEL_CLOSE,
    cMSG_CHANNEL_OPEN,
    cMSG_GLOBAL_REQUEST,
)
from paramiko.message import Message

answered = 0
answered_lock = threading.Lock()


def on_success(transport, m):
    m.get_int()  # our id
    client_chan = m.get_int()
    global answered
    with answered_lock:
        answered += 1
    c = Message()
    c.add_byte(cMSG_CHANNEL_CLOSE)
    c.add_int(client_chan)
    transport._send_user_message(c)


def on_failure(transport, m):
    global answered
    with answered_lock:
        answered += 1


class HostileTransport(paramiko.Transport):
    _handler_table = dict(paramiko.Transport._handler_table)
    _handler_table[MSG_CHANNEL_OPEN_SUCCESS] = on_success
    _handler_table[MSG_CHANNEL_OPEN_FAILURE] = on_failure


class AnyKey(paramiko.ServerInterface):
    def __init__(self):
        self.authed = threading.Event()

    def get_allowed_auths(self, username):
        return "publickey"

    def check_auth_publickey(self, username, key):
        self.authed.set()
        return paramiko.AUTH_SUCCESSFUL

    def check_channel_request(self, kind, chanid):
        return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED


class JumpHost(AnyKey):
    """Also a jump host: direct-tcpip to 127.0.0.1 is opened."""

    def __init__(self):
        super().__init__()
        self.dest = None

    def check_channel_direct_tcpip_request(self, chanid, origin, destination):
        if destination[0] != "127.0.0.1":
            return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED
        self.dest = destination
        return paramiko.OPEN_SUCCEEDED


def carry(chan, sock):
    """Bytes both ways between the hop's channel and the destination."""
    try:
        while True:
            r, _, _ = select.select([chan, sock], [], [], 1)
            if chan in r:
                data = chan.recv(32768)
                if not data:
                    break
                sock.sendall(data)
            if sock in r:
                data = sock.recv(32768)
                if not data:
                    break
                chan.sendall(data)
    except (OSError, EOFError, paramiko.SSHException):
        pass
    finally:
        chan.close()
        sock.close()


def channel_open(kind, chanid):
    m = Message()
    m.add_byte(cMSG_CHANNEL_OPEN)
    m.add_string(kind)
    m.add_int(chanid)
    m.add_int(65536)
    m.add_int(32768)
    if kind == "x11":
        m.add_string("10.6.6.6")
        m.add_int(6000)
    elif kind in ("direct-tcpip", "forwarded-tcpip"):
        m.add_string("127.0.0.1")
        m.add_int(1)
        m.add_string("10.6.6.6")
        m.add_int(4444)
    return m


def global_request(kind, i):
    m = Message()
    m.add_byte(cMSG_GLOBAL_REQUEST)
    m.add_string(kind)
    m.add_boolean(False)
    m.add_string("0.0.0.0")
    m.add_int(10000 + i % 50000)
    return m


def main():
    port, key_path, result_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    per_kind, nglobals = int(sys.argv[4]), int(sys.argv[5])
    jump = len(sys.argv) > 6 and sys.argv[6] == "jump"
    host_key = paramiko.Ed25519Key.from_private_key_file(key_path)
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(1)
    open(result_path + ".ready", "w").close()
    sock, _ = ls.accept()
    t = HostileTransport(sock)
    t.add_server_key(host_key)
    server = JumpHost() if jump else AnyKey()
    t.start_server(server=server)
    if not server.authed.wait(30):
        sys.exit("the client did not log in")
    if jump:
        chan = t.accept(30)
        if chan is None or server.dest is None:
            sys.exit("the client opened no direct-tcpip channel")
        dest = socket.create_connection(server.dest, timeout=10)
        dest.settimeout(None)
        threading.Thread(target=carry, args=(chan, dest), daemon=True).start()
        time.sleep(3)
    else:
        time.sleep(1)
    kinds = ["x11", "auth-agent@openssh.com", "session", "direct-tcpip", "forwarded-tcpip"]
    chanid = 1000
    opens = 0
    # Two equal floods: a client that refuses at once ends both at the same
    # memory; one that queues grows by the second flood's worth.
    for phase in (1, 2):
        for i in range(per_kind):
            for kind in kinds:
                # The client's close of it must not end paramiko's loop.
                t.channels_seen[chanid] = True
                t._send_user_message(channel_open(kind, chanid))
                chanid += 1
                opens += 1
        for i in range(nglobals):
            t._send_user_message(
                global_request("tcpip-forward" if i % 2 else "cancel-tcpip-forward", i))
        deadline = time.time() + 60
        while time.time() < deadline:
            with answered_lock:
                if answered >= opens:
                    break
            time.sleep(0.2)
        # Let the client settle (its memory is read now), then report.
        time.sleep(1)
        with answered_lock:
            got = answered
        with open(result_path + ".tmp", "w") as f:
            f.write(json.dumps({"opens": opens, "answered": got, "globals": nglobals * phase}) + "\n")
        os.rename(result_path + ".tmp", "%s.%d" % (result_path, phase))
        time.sleep(2)
    # Stay up until the client goes: the test reads its memory meanwhile.
    deadline = time.time() + 60
    while t.is_active() and time.time() < deadline:
        time.sleep(0.2)


if __name__ == "__main__":
    main()
