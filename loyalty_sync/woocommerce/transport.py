"""The network seam: one HTTP exchange with the store, no retries, no parsing.

``StoreClient`` talks to a ``Transport``; the default one signs and sends
through the ``woocommerce`` package (OAuth 1.0a over http, HTTP Basic over
https, exactly as the package does it: FACTS.md "Authentication"). Tests swap
in a fake transport to inject faults or count calls without a network.

Why a subclass of ``woocommerce.API`` (FACTS.md "The woocommerce python
client"): the package opens a new connection per call (``requests.request``),
which costs a TCP handshake (and a TLS one on https) per page; the subclass
sends the package's own signed URL through one ``requests.Session`` so
connections are kept alive. It also

- passes query parameters once: the package signs them into the URL *and*
  hands them to requests again, so every parameter went twice;
- passes ``verify`` on every request: the machine exports
  ``REQUESTS_CA_BUNDLE``, which overrides ``session.verify`` in requests but
  not a per-request ``verify`` (PEER-airbyte.md, note 9);
- splits the timeout into connect/read so a dead host fails fast;
- signs OAuth with 128-bit random nonces: the package draws 8 random digits,
  and a store refuses a nonce it has seen in the last 15 minutes ("Invalid
  nonce - nonce has already been used", a 401), so a big pull over http hit a
  repeat after some thousands of requests and failed as if the keys were bad.
"""

from __future__ import annotations

import json as jsonlib
import secrets
import time
from collections.abc import Mapping
from typing import Any, Protocol
from urllib.parse import quote, urlencode

import requests
from requests.adapters import HTTPAdapter
from requests.auth import HTTPBasicAuth
from woocommerce import API
from woocommerce.oauth import OAuth

__all__ = ["Transport", "ResponseLike", "WooCommerceTransport", "TRANSIENT_EXCEPTIONS"]


class ResponseLike(Protocol):
    """What the client needs of an answer (``requests.Response`` fits)."""

    @property
    def status_code(self) -> int: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    @property
    def content(self) -> bytes: ...  # read-only: requests.Response computes it


class Transport(Protocol):
    """Send one request to ``{store}/wp-json/wc/v3/{endpoint}``.

    Raise ``requests.exceptions.ConnectionError`` / ``Timeout`` (or the builtin
    ``ConnectionError`` / ``TimeoutError``) when no answer came; return any
    HTTP answer, error statuses included.
    """

    def request(self, method: str, endpoint: str, params: Mapping[str, str] | None, json: Any) -> ResponseLike: ...


#: Transport failures that may be retried (for POST only those before sending).
TRANSIENT_EXCEPTIONS: tuple[type[BaseException], ...] = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
    ConnectionError,
    TimeoutError,
)


class _OAuth(OAuth):
    """The package's OAuth 1.0a signing with a nonce that does not repeat, and
    the parameters encoded as WooCommerce encodes them when it checks.

    WooCommerce (WC_REST_Authentication::check_oauth_signature) rawurlencodes
    each key and value as PHP decoded them, ``/`` included, then the whole
    ``key=value`` once more. The package quotes with ``/`` left as it is and
    decodes each value a second time first, so a value holding ``/`` or a
    literal ``%2F`` (``code=summer/25``, ``email=a/b@example.com``) was signed
    differently and a real 10.0.2 store answered 401 "Invalid signature" over
    http, which the client reports as rejected keys.
    """

    @staticmethod
    def generate_nonce() -> str:
        return secrets.token_hex(16)

    @staticmethod
    def normalize_parameters(params: Mapping[str, Any]) -> dict[str, str]:
        def php_string(value: Any) -> str:  # as the package: what PHP would have received
            if isinstance(value, bool):
                return "1" if value else ""
            if isinstance(value, float) and value % 1 == 0:
                return str(int(value))
            return "" if value is None else str(value)

        def rawurlencode(text: str) -> str:
            return quote(text, safe="-_.~")

        return {
            rawurlencode(str(k)).replace("%", "%25"): rawurlencode(php_string(v)).replace("%", "%25")
            for k, v in params.items()
        }


class _SessionAPI(API):
    """``woocommerce.API`` sending through a shared ``requests.Session``.

    The URL and the OAuth signature come from the package's own (name-mangled)
    helpers, so signing stays the package's; only the sending differs.
    """

    def __init__(self, *args: Any, session: requests.Session, connect_timeout: float, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.session = session
        self.connect_timeout = connect_timeout

    def _API__get_oauth_url(self, url: str, method: str, **kwargs: Any) -> str:
        # the package's own get/post (reuse_connections=False) signs as ``send`` does
        return _OAuth(
            url=url,
            consumer_key=self.consumer_key,
            consumer_secret=self.consumer_secret,
            version=self.version,
            method=method,
            oauth_timestamp=kwargs.get("oauth_timestamp", int(time.time())),
        ).get_oauth_url()

    def send(self, method: str, endpoint: str, params: Mapping[str, str] | None, json: Any) -> requests.Response:
        params = dict(params or {})
        url = self._API__get_url(endpoint)  # the package's own URL builder (name-mangled)
        auth = None
        if self.is_ssl and not self.query_string_auth:
            auth = HTTPBasicAuth(self.consumer_key, self.consumer_secret)
        elif self.is_ssl:
            params.update(consumer_key=self.consumer_key, consumer_secret=self.consumer_secret)
        else:
            # OAuth1: the params are part of the signed URL; do not append them again.
            url = _OAuth(
                url=f"{url}?{urlencode(params)}",
                consumer_key=self.consumer_key,
                consumer_secret=self.consumer_secret,
                version=self.version,
                method=method,
                oauth_timestamp=int(time.time()),
            ).get_oauth_url()
            params = {}
        headers = {"user-agent": self.user_agent, "accept": "application/json"}
        data = None
        if json is not None:
            data = jsonlib.dumps(json, ensure_ascii=False).encode("utf-8")
            headers["content-type"] = "application/json;charset=utf-8"
        return self.session.request(
            method,
            url,
            params=params or None,
            data=data,
            headers=headers,
            auth=auth,
            verify=self.verify_ssl,
            timeout=(self.connect_timeout, self.timeout),
            allow_redirects=False,
        )


class WooCommerceTransport:
    """The real transport: the ``woocommerce`` package over a kept-alive session.

    ``reuse_connections=False`` sends through the package's own ``API.get``
    & co. (a fresh connection per call), for comparison and as a fallback.
    """

    def __init__(
        self,
        url: str,
        consumer_key: str,
        consumer_secret: str,
        *,
        timeout: float = 30.0,
        verify: bool | str = True,
        user_agent: str = "loyalty-sync/1.0",
        pool_size: int = 4,
        query_string_auth: bool = False,
        reuse_connections: bool = True,
    ) -> None:
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=max(1, pool_size))
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.reuse_connections = reuse_connections
        self.api = _SessionAPI(
            url,
            consumer_key,
            consumer_secret,
            wp_api=True,
            version="wc/v3",
            timeout=timeout,
            verify_ssl=verify,
            query_string_auth=query_string_auth,
            user_agent=user_agent,
            session=self.session,
            connect_timeout=min(timeout, 10.0),
        )

    def request(self, method: str, endpoint: str, params: Mapping[str, str] | None, json: Any) -> requests.Response:
        if self.reuse_connections:
            return self.api.send(method, endpoint, params, json)
        kwargs: dict[str, Any] = {"params": dict(params or {})}
        if method in ("POST", "PUT"):
            return getattr(self.api, method.lower())(endpoint, json, **kwargs)
        return getattr(self.api, method.lower())(endpoint, **kwargs)

    def get_site_index(self, fields: str) -> requests.Response:
        """WordPress' public REST index (`/wp-json/`), outside wc/v3: sent without the keys."""
        return self.session.get(
            f"{self.api.url.rstrip('/')}/wp-json/",
            params={"_fields": fields},
            timeout=self.api.timeout,
            verify=self.api.verify_ssl,
        )

    def close(self) -> None:
        self.session.close()
