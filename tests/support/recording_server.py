"""A local HTTP server that records every request it receives and answers
with a scripted response: the "other host" an attacker points a URL at."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.support.local_http import LocalServer, QuietHandler


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def raw(self) -> str:
        """Everything the request carried, as one text to search for secrets."""
        head = "\n".join(f"{k}: {v}" for k, v in self.headers.items())
        return f"{self.method} {self.path}\n{head}\n\n{self.body.decode('utf-8', 'replace')}"


@dataclass
class RecordingServer(LocalServer):
    status: int = 200
    body: bytes = b"{}"
    content_type: str = "application/json"
    received: list[Received] = field(default_factory=list)

    def __enter__(self) -> RecordingServer:
        owner = self

        class Handler(QuietHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                owner.received.append(
                    Received(
                        self.command, self.path, dict(self.headers.items()), self.rfile.read(length) if length else b""
                    )
                )
                self.send_response(owner.status)
                self.send_header("Content-Type", owner.content_type)
                self.send_header("Content-Length", str(len(owner.body)))
                self.end_headers()
                self.wfile.write(owner.body)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

        self._serve(Handler)
        return self

    def __exit__(self, *exc) -> None:
        self._stop()
