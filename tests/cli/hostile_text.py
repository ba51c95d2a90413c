#!/usr/bin/env python3
"""A hostile SSH server for pf's terminal-injection test: it offers only
keyboard-interactive login, and its name, instruction and prompt carry
escape sequences, carriage returns and a fake "Passphrase for key" prompt.
It takes any answer, then hangs up with a DISCONNECT whose text holds
escape sequences too. Usage: hostile_text.py PORT. Serves one connection."""
import socket
import sys
import threading
import time

import paramiko
from paramiko.common import cMSG_DISCONNECT
from paramiko.message import Message

ESC = "\x1b"
NAME = "evil-name" + ESC + "]0;owned" + "\x07"
INSTRUCTION = "line one\r" + ESC + "[2K" + "line two" + ESC + "[31m\nline three"
PROMPT = "\r" + ESC + "[2KPassphrase for key '/home/you/.ssh/id_ed25519':"
GOODBYE = "bye" + ESC + "[2J" + ESC + "[H" + "\rforged pf: Connected"


class Server(paramiko.ServerInterface):
    def __init__(self):
        self.asked = threading.Event()
        self.answered = threading.Event()

    def get_allowed_auths(self, username):
        return "keyboard-interactive"

    def check_auth_interactive(self, username, submethods):
        self.asked.set()
        return paramiko.InteractiveQuery(NAME, INSTRUCTION, (PROMPT, False))

    def check_auth_interactive_response(self, responses):
        self.answered.set()
        return paramiko.AUTH_SUCCESSFUL


def serve(conn, key):
    """One connection; True once the prompt was sent and the goodbye too."""
    t = paramiko.Transport(conn)
    t.add_server_key(key)
    server = Server()
    try:
        t.start_server(server=server)
    except (paramiko.SSHException, EOFError):
        return False  # a port probe, not an SSH client
    if not server.answered.wait(60):
        t.close()
        return False
    time.sleep(1)  # logged in; then the hostile goodbye
    m = Message()
    m.add_byte(cMSG_DISCONNECT)
    m.add_int(11)  # SSH_DISCONNECT_BY_APPLICATION
    m.add_string(GOODBYE)
    m.add_string("")
    try:
        t._send_user_message(m)
    except Exception:  # pf may have gone already
        pass
    time.sleep(0.5)
    t.close()
    return True


def main():
    port = int(sys.argv[1])
    key = paramiko.RSAKey.generate(2048)
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", port))
    lsock.listen(4)
    for _ in range(10):
        conn, _ = lsock.accept()
        if serve(conn, key):
            break


if __name__ == "__main__":
    main()
