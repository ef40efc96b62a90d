"""A store behind a proxy that changes one exchange: for answers woosim never
gives (a store that refuses one coupon of a batch with its own message),
while everything else is the real store over real HTTP.

The proxy forwards each request as it came, Host header included, so the
OAuth signature the client made for the proxy's address checks out at woosim.
A test scripts an exchange with `once(method, path, request=..., answer=...)`:
the first request matching method and path has its JSON body passed through
`request` before it is forwarded and the JSON answer through `answer` before it
is returned; the script is then used up."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from tests.support.local_http import LocalServer, QuietHandler

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}


def _same(body):
    return body


@dataclass
class _Script:
    method: str
    path: str
    request: Callable
    answer: Callable


class StoreProxy(LocalServer):
    def __init__(self, target: str):
        self.target = target.rstrip("/")
        self._scripts: list[_Script] = []
        self._lock = threading.Lock()
        self._session = requests.Session()
        self._session.trust_env = False  # the machine exports proxy and CA settings

    def once(self, method: str, path: str, *, request: Callable = _same, answer: Callable = _same) -> None:
        with self._lock:
            self._scripts.append(_Script(method.upper(), path, request, answer))

    def _script_for(self, method: str, path: str) -> _Script | None:
        with self._lock:
            for script in self._scripts:
                if script.method == method and urlsplit(path).path == script.path:
                    self._scripts.remove(script)
                    return script
        return None

    def _forward(self, method: str, path: str, headers: dict, body: bytes) -> requests.Response:
        script = self._script_for(method, path)
        if script:
            body = json.dumps(script.request(json.loads(body))).encode()
        answer = self._session.request(
            method, self.target + path, headers=headers, data=body or None, allow_redirects=False, timeout=30
        )
        if script and answer.ok:
            answer._content = json.dumps(script.answer(answer.json())).encode()
        return answer

    def __enter__(self) -> StoreProxy:
        proxy = self

        class Handler(QuietHandler):
            def _pass(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                answer = proxy._forward(self.command, self.path, headers, body)
                self.send_response(answer.status_code)
                for key, value in answer.headers.items():
                    if key.lower() not in _HOP_BY_HOP:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_POST = do_PUT = do_DELETE = _pass

        self._serve(Handler)
        return self

    def __exit__(self, *exc) -> None:
        self._stop()
        self._session.close()
