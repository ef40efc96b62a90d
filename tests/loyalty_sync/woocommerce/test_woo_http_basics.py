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


def test_oauth_nonces_do_not_repeat_over_a_big_pull():
    """A store refuses a nonce seen in the last 15 minutes. The woocommerce package draws 8 random
    digits (1e8 values: ~200 repeats among 200k requests); ours are 128-bit."""
    from urllib.parse import parse_qs, urlparse

    from loyalty_sync.woocommerce.transport import _OAuth

    nonces = {_OAuth.generate_nonce() for _ in range(200_000)}
    assert len(nonces) == 200_000
    signed = [
        _OAuth(
            url="http://shop.example/wp-json/wc/v3/orders?page=2",
            consumer_key="ck_x",
            consumer_secret="cs_y",
            method="GET",
            oauth_timestamp=1_700_000_000,
        ).get_oauth_url()
        for _ in range(2)
    ]
    params = [parse_qs(urlparse(url).query) for url in signed]
    assert params[0]["oauth_nonce"] != params[1]["oauth_nonce"] and params[0]["page"] == ["2"]
    assert params[0]["oauth_signature"] != params[1]["oauth_signature"]  # the nonce is signed
