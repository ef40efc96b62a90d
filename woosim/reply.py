"""What a handler answers: status, JSON body, headers (or raw bytes for a
non-JSON answer). Its own module so the handlers and the WSGI app that
renders replies both import it without importing each other."""


class Reply:
    __slots__ = ("status", "body", "headers", "raw")

    def __init__(self, status: int, body, headers: dict | None = None, raw: bytes | None = None):
        self.status, self.body, self.headers, self.raw = status, body, headers or {}, raw
