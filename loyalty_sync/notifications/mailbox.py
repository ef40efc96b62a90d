"""A local mailbox for the demo: an SMTP server (aiosmtpd) that keeps every
message it receives as an .eml file in a folder, and the reader the panel
uses to show them. A newcomer running `make demo` reads the members' emails
without a mail account; a real shop sends through its own SMTP server
(LOYALTY_SMTP_URL) and never runs this.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller


class _SaveToFolder:
    def __init__(self, folder: Path):
        self.folder = folder

    async def handle_DATA(self, server, session, envelope):
        name = f"{time.time_ns()}.eml"
        (self.folder / f".{name}").write_bytes(envelope.content)
        (self.folder / f".{name}").rename(self.folder / name)  # readers never see half a message
        return "250 Message kept in the demo mailbox"


def serve_mailbox(folder: Path, port: int, host: str = "127.0.0.1") -> Controller:
    """Start the mailbox's SMTP server (it runs in its own thread until `.stop()`)."""
    folder.mkdir(parents=True, exist_ok=True)
    controller = Controller(_SaveToFolder(folder), hostname=host, port=port)
    controller.start()
    return controller


@dataclass(frozen=True)
class KeptMail:
    name: str
    received: datetime
    message: EmailMessage

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else ""


def kept_mail(folder: Path, limit: int = 200) -> list[KeptMail]:
    """The newest messages first."""
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.eml"), reverse=True)[:limit]
    return [_read(path) for path in files]


def one_mail(folder: Path, name: str) -> KeptMail | None:
    path = folder / name
    if path.suffix != ".eml" or path.name != name or not path.is_file():  # no path tricks: a bare file name
        return None
    return _read(path)


def _read(path: Path) -> KeptMail:
    received = datetime.fromtimestamp(int(path.stem) / 1e9, timezone.utc)
    return KeptMail(path.name, received, message_from_bytes(path.read_bytes(), policy=policy.default))
