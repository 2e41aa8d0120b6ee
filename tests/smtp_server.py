"""A small SMTP server the tests control: it can accept, hold its reply, refuse or hang.

It speaks just enough SMTP for smtplib (and so Django's SMTP backend): EHLO/HELO, MAIL, RCPT,
DATA, RSET, NOOP, QUIT. Each connection runs in a thread of its own. The test decides what
happens at the end of a message's DATA, the moment a real server answers "250 accepted":

- `accept` (default): answer 250 at once and keep the message;
- `hold`: wait until `release()` (or `hold_seconds`), then answer 250 and keep it;
- `refuse`: answer 451 (a temporary failure; the message is not kept);
- `hang`: never answer the greeting (a server that accepts connections and then says nothing).

`data_received` is set when a message's DATA has arrived (before the reply); `on_data` is called
then too, so a test can act at exactly that moment (lock a row, kill a worker).
"""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Callable
from email import message_from_bytes
from email.message import Message


class SMTPServer:
    def __init__(self, mode: str = "accept", hold_seconds: float = 30.0) -> None:
        self.mode = mode
        self.hold_seconds = hold_seconds
        self.messages: list[Message] = []
        self.attempts = 0  # messages whose DATA arrived, whatever the answer
        self.connections = 0
        self.data_received = threading.Event()
        self.replied = threading.Event()  # a 250 was sent for a message
        self.on_data: Callable[[], None] | None = None
        self._release = threading.Event()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        server = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                server._converse(self)

        class Threaded(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Threaded(("127.0.0.1", 0), Handler)
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> SMTPServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stopping.set()
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    def release(self) -> None:
        """Answer the held message(s) now."""
        self._release.set()

    def message_ids(self) -> list[str]:
        with self._lock:
            return [str(message["Message-ID"]) for message in self.messages]

    def _converse(self, handler: socketserver.StreamRequestHandler) -> None:
        with self._lock:
            self.connections += 1
        if self.mode == "hang":
            self._stopping.wait(self.hold_seconds)
            return

        def reply(line: str) -> None:
            handler.wfile.write(line.encode() + b"\r\n")
            handler.wfile.flush()

        reply("220 lotsa-test ESMTP")
        while not self._stopping.is_set():
            line = handler.rfile.readline()
            if not line:
                return
            command = line.decode(errors="replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                reply("250 lotsa-test")
            elif command.startswith(("MAIL", "RCPT", "RSET", "NOOP")):
                reply("250 OK")
            elif command.startswith("DATA"):
                reply("354 End data with <CR><LF>.<CR><LF>")
                self._receive(handler, reply)
            elif command.startswith("QUIT"):
                reply("221 Bye")
                return
            else:
                reply("502 Command not implemented")

    def _receive(
        self, handler: socketserver.StreamRequestHandler, reply: Callable[[str], None]
    ) -> None:
        lines = []
        while True:
            line = handler.rfile.readline()
            if not line or line in (b".\r\n", b".\n"):
                break
            lines.append(line[1:] if line.startswith(b"..") else line)
        with self._lock:
            self.attempts += 1
        self.data_received.set()
        if self.on_data is not None:
            self.on_data()
        if self.mode == "refuse":
            reply("451 Try again later")
            return
        if self.mode == "hold":
            self._release.wait(self.hold_seconds)
        with self._lock:
            self.messages.append(message_from_bytes(b"".join(lines)))
        reply("250 Accepted")
        self.replied.set()


def use_smtp(settings, server: SMTPServer, *, timeout: int = 5) -> None:
    """Point Django's e-mail at `server` (pytest-django's `settings` fixture)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = timeout
