"""A real SMTP server for the tests: aiosmtpd on 127.0.0.1, each message received written to a folder as an .eml file.

Usage: smtp_sink.py PORT FOLDER [USER PASSWORD]. With a user, AUTH is required (without TLS, on loopback only).
Prints "ready" once it listens, and stops when its standard input closes.
"""
import os
import sys
import uuid

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

port, folder = int(sys.argv[1]), sys.argv[2]
user, password = (sys.argv[3], sys.argv[4]) if len(sys.argv) > 4 else (None, None)


class Sink:
    async def handle_DATA(self, server, session, envelope):
        name = uuid.uuid4().hex
        partial = os.path.join(folder, name + ".partial")
        with open(partial, "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(partial, os.path.join(folder, name + ".eml"))
        return "250 Message accepted"


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
    return AuthResult(success=ok, handled=False)


options = {"auth_required": True, "auth_require_tls": False, "authenticator": authenticate} if user else {}
controller = Controller(Sink(), hostname="127.0.0.1", port=port, **options)
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
