"""Signing requests by hand, for the request shapes the product's transport
cannot send (form bodies, PHP-style array keys, deliberately bad signatures).

`php_signature` is WooCommerce's own algorithm (WC_REST_Authentication::
check_oauth_signature): the parameters are PHP's `$_GET + $_POST` after
parsing, so `a[]=1&a[]=2` is an array re-keyed `a[0]`, `a[1]`, keys are sorted
with strcmp at the top level only, every key and value is rawurlencoded
(RFC 3986, `~` kept) and each `key=value` pair encoded once more.
`pyclient_signature` is what the `woocommerce` 3.0.0 python client computes
(it quotes with `/` kept, and signs the literal key `a[]`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from urllib.parse import parse_qsl, quote, unquote

from woocommerce.oauth import OAuth


def rawurlencode(s: str) -> str:
    return quote(s, safe="-_.~")


def php_parse(pairs: list[tuple[str, str]]) -> dict:
    """PHP's parse_str for one level of `[]` / `[k]` keys (what WooCommerce sees)."""
    out: dict = {}
    for k, v in pairs:
        m = re.fullmatch(r"([^\[\]]+)\[([^\[\]]*)\]", k)
        if not m:
            out[k] = v
            continue
        base, sub = m.groups()
        arr = out.get(base)
        if not isinstance(arr, dict):
            arr = out[base] = {}
        arr[sub if sub != "" else str(len(arr))] = v
    return out


def _joined(params: dict) -> list[str]:
    parts = []
    for k in sorted(params, key=lambda s: s.encode()):
        v = params[k]
        key = rawurlencode(k)
        if isinstance(v, dict):
            for sub, sv in v.items():
                parts.append(rawurlencode(f"{key}%5B{sub}%5D={rawurlencode(sv)}"))
        else:
            parts.append(rawurlencode(f"{key}={rawurlencode(v)}"))
    return parts


def php_signature(method: str, url: str, pairs: list[tuple[str, str]], secret: str, algo=hashlib.sha256) -> str:
    params = php_parse([(k, v) for k, v in pairs if k != "oauth_signature"])
    base = f"{method.upper()}&{rawurlencode(url)}&{'%26'.join(_joined(params))}"
    return base64.b64encode(hmac.new((secret + "&").encode(), base.encode(), algo).digest()).decode()


def oauth_pairs(key: str, timestamp: int | None = None, nonce: str | None = None) -> list[tuple[str, str]]:
    return [
        ("oauth_consumer_key", key),
        ("oauth_timestamp", str(timestamp or int(time.time()))),
        ("oauth_nonce", nonce or secrets.token_hex(16)),
        ("oauth_signature_method", "HMAC-SHA256"),
    ]


def php_signed_query(
    method: str,
    url: str,
    query: list[tuple[str, str]],
    key: str,
    secret: str,
    form: list[tuple[str, str]] = (),
    timestamp: int | None = None,
) -> str:
    """The query string (already encoded) of a request signed as WooCommerce verifies it."""
    pairs = list(query) + oauth_pairs(key, timestamp)
    sig = php_signature(method, url, pairs + list(form), secret)
    return "&".join(f"{rawurlencode(k)}={rawurlencode(v)}" for k, v in pairs + [("oauth_signature", sig)])


def pyclient_signed_query(
    method: str, url: str, query: list[tuple[str, str]], key: str, secret: str, timestamp: int | None = None
) -> str:
    """The query string the `woocommerce` python client would send (its own signing)."""
    from urllib.parse import urlencode

    signed = OAuth(
        url=f"{url}?{urlencode(query)}" if query else url,
        consumer_key=key,
        consumer_secret=secret,
        version="wc/v3",
        method=method.upper(),
        oauth_timestamp=timestamp or int(time.time()),
    ).get_oauth_url()
    return signed.split("?", 1)[1]


def strip_oauth(query: str) -> str:
    """A query string without its oauth_* pairs (for reports and Link headers)."""
    kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not k.startswith("oauth_")]
    return "&".join(f"{k}={unquote(v)}" for k, v in kept)
