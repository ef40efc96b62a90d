"""The real transport over real sockets, without a store: dead ports and web pages."""
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from woo_fakes import KEY, SECRET

from loyalty_sync.woocommerce import NotWooCommerce, StoreClient, StoreUnreachable


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _WebPage(BaseHTTPRequestHandler):
    """A plain website (or WordPress with 'Plain' permalinks): HTML for every path."""

    def do_GET(self):
        body = b"<!DOCTYPE html><html><head><title>Just a blog</title></head><body>Hello</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def web_page_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _WebPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_dead_port_is_unreachable_quickly_and_says_nothing_secret(caplog):
    client = StoreClient(f"http://127.0.0.1:{_free_port()}", KEY, SECRET, max_attempts=2, backoff_base=0.01)
    started = time.monotonic()
    with caplog.at_level(logging.DEBUG), pytest.raises(StoreUnreachable) as raised:
        client.store_info()
    assert time.monotonic() - started < 5
    assert "refused" in str(raised.value)
    assert client.requests_made == 2
    for text in (str(raised.value), caplog.text):
        assert SECRET not in text and "oauth_signature" not in text


def test_an_unresolvable_host_is_unreachable():
    client = StoreClient("http://no-such-shop.invalid", KEY, SECRET, max_attempts=1)
    with pytest.raises(StoreUnreachable):
        client.store_info()


def test_a_website_that_is_not_a_store_is_not_woocommerce(web_page_url):
    client = StoreClient(web_page_url, KEY, SECRET, max_attempts=2)
    with pytest.raises(NotWooCommerce, match="web page"):
        client.store_info()
    assert client.requests_made == 1
