"""Shared helpers for the woosim tests: a server fixture, a woocommerce
client, and a tiny webhook receiver."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from woocommerce import API

from woosim.testing import WooSimServer

CAPTURES = Path(__file__).resolve().parents[2].parent / "shared" / "woocommerce" / "captures"


def client(sim, key=None, secret=None, **kw) -> API:
    return API(
        url=sim.url,
        consumer_key=key or sim.key,
        consumer_secret=secret or sim.secret,
        version="wc/v3",
        timeout=kw.pop("timeout", 15),
        **kw,
    )


def plain_session() -> requests.Session:
    s = requests.Session()
    s.trust_env = False  # the machine exports REQUESTS_CA_BUNDLE etc.
    return s


@pytest.fixture
def sim():
    with WooSimServer(webhook_delay=0.05) as s:
        yield s


@pytest.fixture
def api(sim):
    return client(sim)


class Receiver:
    """Records POSTs; answers `status` (200 by default)."""

    def __init__(self, status: int = 200):
        self.status = status
        self.requests: list[dict] = []
        self.event = threading.Event()
        outer = self

        class H(BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n)
                outer.requests.append({"path": self.path, "headers": list(self.headers.items()), "raw": raw})
                outer.event.set()
                body = b"ok"
                self.send_response(outer.status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/hooks/woocommerce"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def wait(self, n: int, timeout: float = 5.0) -> list[dict]:
        import time

        end = time.time() + timeout
        while len(self.requests) < n and time.time() < end:
            time.sleep(0.02)
        return self.requests

    def json_bodies(self):
        return [json.loads(r["raw"]) for r in self.requests if r["raw"].startswith(b"{")]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()
