"""Sending one conformance request to one store, the way the step says.

Most steps go through the product's own transport
(`loyalty_sync.woocommerce.transport.WooCommerceTransport`), so they are sent
byte for byte as the product sends them. The other modes exist for request
shapes the product never makes but a store must answer like WooCommerce:
hand-signed queries (PHP-style array keys, values with `/`, form bodies),
no or bad credentials, a stale timestamp, a replayed nonce, a read-only key.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

import requests

from loyalty_sync.woocommerce.transport import WooCommerceTransport

from .oauth import php_signed_query, pyclient_signed_query

API = "/wp-json/wc/v3/"


@dataclass
class Answer:
    status: int
    headers: dict
    body: object
    text: str = ""


@dataclass
class Target:
    """One store: a fresh woosim or the real one."""

    name: str
    url: str
    key: str
    secret: str
    read_key: tuple[str, str] | None = None
    session: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self):
        self.session.trust_env = False
        self.url = self.url.rstrip("/")
        self.transport = WooCommerceTransport(
            self.url, self.key, self.secret, timeout=60, user_agent="loyalty-sync-conformance/1.0"
        )

    def close(self):
        self.transport.close()
        self.session.close()

    # --- sending ------------------------------------------------------------------------
    def send(self, mode: str, method: str, endpoint: str, params: list[tuple[str, str]], body) -> Answer | None:
        url = self.url + API + endpoint
        if mode == "client":
            r = self.transport.request(method, endpoint, dict(params) or None, body)
        elif mode in ("badkey", "badsecret", "readkey"):
            if mode == "readkey" and not self.read_key:
                return None
            key, secret = {
                "badkey": ("ck_" + "0" * 40, self.secret),
                "badsecret": (self.key, "cs_" + "0" * 40),
                "readkey": self.read_key or ("", ""),
            }[mode]
            t = WooCommerceTransport(self.url, key, secret, timeout=60)
            try:
                r = t.request(method, endpoint, dict(params) or None, body)
            finally:
                t.close()
        elif mode in ("php", "php-form", "oldts"):
            form = list(body.items()) if mode == "php-form" and isinstance(body, dict) else []
            ts = int(time.time()) - 3600 if mode == "oldts" else None
            qs = php_signed_query(method, url, params, self.key, self.secret, form=form, timestamp=ts)
            r = self._raw(method, f"{url}?{qs}", body, form=bool(form))
        elif mode == "pyclient":
            r = self._raw(method, f"{url}?{pyclient_signed_query(method, url, params, self.key, self.secret)}", body)
        elif mode == "pyclient-form":
            # the python client signs the query only; WooCommerce also signs $_POST
            r = self._raw(
                method, f"{url}?{pyclient_signed_query(method, url, params, self.key, self.secret)}", body, form=True
            )
        elif mode == "replay":
            qs = php_signed_query(method, url, params, self.key, self.secret)
            self._raw(method, f"{url}?{qs}", body)
            r = self._raw(method, f"{url}?{qs}", body)
        elif mode == "anon":
            r = self._raw(method, url + (f"?{urlencode(params)}" if params else ""), body)
        elif mode == "querykeys":
            q = urlencode(list(params) + [("consumer_key", self.key), ("consumer_secret", self.secret)])
            r = self._raw(method, f"{url}?{q}", body)
        elif mode == "basic":
            auth = base64.b64encode(f"{self.key}:{self.secret}".encode()).decode()
            r = self._raw(
                method,
                url + (f"?{urlencode(params)}" if params else ""),
                body,
                headers={"Authorization": f"Basic {auth}"},
            )
        else:
            raise ValueError(f"unknown mode {mode}")
        return _answer(r)

    def _raw(self, method, url, body, form=False, headers=None):
        h = {"Accept": "application/json", **(headers or {})}
        data = None
        if body is not None and form:
            data = urlencode(list(body.items()))
            h["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        return self.session.request(method, url, data=data, headers=h, timeout=60, allow_redirects=False)


def _answer(r: requests.Response) -> Answer:
    try:
        body = r.json()
    except ValueError:
        body = None
    return Answer(r.status_code, dict(r.headers), body, r.text[:2000])
