"""A real SMTP server for the tests (aiosmtpd), on a free local port, that
keeps what it received as parsed `email.message.EmailMessage`s.

`refuse[address] = "550 5.1.1 no such user"` answers RCPT for that address
with the reply (a bounce at the door); `stop()` takes the server down and
`start()` brings it back on the same port (SMTP down, then up again).
"""

from __future__ import annotations

import asyncio
import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Handler:
    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.server.refuse.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.server.data_count += 1
        if self.server.hold_at == self.server.data_count:  # a crash test: the sender dies while we receive
            self.server.held.set()
            await asyncio.to_thread(self.server.release.wait)
            return "451 4.3.0 connection lost before the end of the message"
        with self.server.lock:
            self.server.messages.append(message)
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self):
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.refuse: dict[str, str] = {}
        # `hold_at = n`: the n-th message is held before it is accepted (`held` is set) until
        # `release` is set, then refused with a 4xx, as if its sender had gone meanwhile.
        self.hold_at: int | None = None
        self.data_count = 0
        self.held = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> SmtpServer:
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def received(self, to: str | None = None, subject_has: str = "") -> list[EmailMessage]:
        with self.lock:
            found = list(self.messages)
        return [m for m in found if (to is None or m["To"] == to) and subject_has in str(m["Subject"])]


@pytest.fixture
def smtp_server():
    """A running server; import this fixture into the conftest of tests that need it."""
    server = SmtpServer().start()
    yield server
    server.stop()


def configure_emails(app, server: SmtpServer, **config) -> None:
    """The app sends to `server`, with member links on a test address, and retries fast."""
    app.config.update(
        SMTP_URL=server.url,
        PUBLIC_BASE_URL="http://loyalty.test",
        EMAIL_RETRY_BASE_SECONDS=1,
        SMTP_TIMEOUT_SECONDS=5,
        **config,
    )
