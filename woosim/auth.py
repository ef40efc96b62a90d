"""WooCommerce REST authentication (WC_REST_Authentication), reproduced.

- https: HTTP Basic (key:secret) or `consumer_key`/`consumer_secret` in the
  query string.
- http: only OAuth 1.0a one-legged, params in the query string, a form body
  (`$_POST`) or an `Authorization: OAuth ...` header, HMAC-SHA1 or
  HMAC-SHA256, key = consumer secret + '&'. The signature base string is the
  one WooCommerce 10.0.2 builds (check_oauth_signature, see `base_string`):
  the parameters as PHP parsed them (`a[]=1&a[]=2` is an array re-keyed
  `a[0]`, `a[1]`), top-level keys sorted with strcmp, keys and values
  rawurlencoded and each `key=value` pair encoded once more. Only that
  signing is accepted: a client that signs `/` unencoded (the `woocommerce`
  3.0.0 package does) or signs the literal key `a[]` gets 401 "Invalid
  signature", as on a real store (differential steps oauth_pyclient_*).
- Basic or query keys over http are ignored (anonymous -> the endpoint's
  permission error, e.g. 401 woocommerce_rest_cannot_view).
- Timestamps outside +-15 minutes and reused nonces -> 401.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from urllib.parse import quote, unquote_plus

from .errors import ApiError
from .store import Key, State

WINDOW = 15 * 60


def _auth_error(message: str) -> ApiError:
    return ApiError(401, "woocommerce_rest_authentication_error", message)


def _rawurlencode(s: str) -> str:
    # PHP rawurlencode: RFC 3986 unreserved kept, everything else %XX
    return quote(s, safe="-_.~")


_SUBKEYS = re.compile(r"\[([^\[\]]*)\]")


def php_parse_pairs(pairs: list[tuple[str, str]], into: dict | None = None) -> dict:
    """PHP's parse_str of already-decoded pairs: `a[x]=1` and `a[]=2` build
    (nested) arrays, a repeated plain key keeps its last value, spaces and
    dots in a top-level name become `_`. Arrays are dicts in insertion order
    (PHP arrays), `[]` appends the next integer key."""
    out = {} if into is None else into
    for key, value in pairs:
        bracket = key.find("[")
        if bracket > 0 and _SUBKEYS.match(key, bracket):
            base, rest = key[:bracket], key[bracket:]
            subs, pos = [], 0
            for m in _SUBKEYS.finditer(rest):
                if m.start() != pos:
                    break
                subs.append(m.group(1))
                pos = m.end()
        else:
            base, subs = key, []
        base = base.replace(" ", "_").replace(".", "_").replace("[", "_")
        if not base:
            continue
        if not subs:
            out[base] = value
            continue
        node = out.get(base)
        if not isinstance(node, dict):
            node = out[base] = {}
        for i, sub in enumerate(subs):
            if sub == "":
                ints = [int(k) for k in node if isinstance(k, str) and re.fullmatch(r"-?\d+", k)]
                sub = str(max(ints) + 1 if ints else 0)
            if i == len(subs) - 1:
                node[sub] = value
            else:
                child = node.get(sub)
                if not isinstance(child, dict):
                    child = node[sub] = {}
                node = child
    return out


def _decoded_pairs(query_string: str) -> list[tuple[str, str]]:
    pairs = []
    for part in query_string.split("&"):
        if not part:
            continue
        k, _, v = part.partition("=")
        pairs.append((unquote_plus(k), unquote_plus(v)))
    return pairs


def _parse_query(query_string: str) -> dict:
    """PHP's $_GET."""
    return php_parse_pairs(_decoded_pairs(query_string))


def _parse_oauth_header(value: str) -> dict[str, str]:
    value = value.strip()
    if not value.lower().startswith("oauth "):
        return {}
    out = {}
    for part in value[6:].split(","):
        k, _, v = part.strip().partition("=")
        if k:
            out[unquote_plus(k.strip())] = unquote_plus(v.strip().strip('"'))
    return out


def _joined(params: dict, prefix: str = "") -> list[str]:
    """WC_REST_Authentication::join_with_equals_sign over normalised params:
    nested keys go in raw between `%5B`/`%5D`, then the whole `k=v` is
    encoded once more."""
    out = []
    for k, v in params.items():
        key = f"{prefix}%5B{k}%5D" if prefix else k
        if isinstance(v, dict):
            out.extend(_joined(v, key))
        else:
            out.append(_rawurlencode(f"{key}={v}"))
    return out


def _encoded_values(v):
    if isinstance(v, dict):
        return {k: _encoded_values(x) for k, x in v.items()}
    return _rawurlencode(str(v))


def base_string(method: str, url: str, params: dict) -> str:
    """The string WooCommerce signs: METHOD & rawurlencode(url) & the params,
    sorted by top-level key (strcmp: bytes), keys and values rawurlencoded."""
    top = sorted((k for k in params if k != "oauth_signature"), key=lambda k: k.encode())
    normalised = {_rawurlencode(k): _encoded_values(params[k]) for k in top}
    return f"{method.upper()}&{_rawurlencode(url)}&{'%26'.join(_joined(normalised))}"


def authenticate(
    state: State,
    *,
    method: str,
    scheme: str,
    host_url: str,
    path: str,
    query_string: str,
    authorization: str | None,
    form: list[tuple[str, str]] | None = None,
) -> Key | None:
    """Return the Key used, None for an anonymous request, or raise ApiError.
    `form`: the pairs of a form-encoded body, in order."""
    params = _parse_query(query_string)
    if form:
        params.update(php_parse_pairs(form))  # array_merge($_GET, $_POST)
    if scheme == "https":
        user = secret = None
        if authorization and authorization.lower().startswith("basic "):
            try:
                user, _, secret = base64.b64decode(authorization[6:].strip()).decode().partition(":")
            except Exception:
                user = secret = None
        if not user and params.get("consumer_key"):
            user, secret = params.get("consumer_key"), params.get("consumer_secret", "")
        if user:
            key = state.keys.get(user)
            if key is None:
                raise _auth_error("Consumer key is invalid.")
            if not hmac.compare_digest(key.secret, secret or ""):
                raise _auth_error("Consumer secret is invalid.")
            return key
    oauth = dict(params)
    if authorization and authorization.lower().startswith("oauth "):
        oauth.update(_parse_oauth_header(authorization))
    names = ["oauth_consumer_key", "oauth_timestamp", "oauth_nonce", "oauth_signature", "oauth_signature_method"]
    present = [n for n in names if oauth.get(n)]
    if not present:
        return None
    missing = [n for n in names if not oauth.get(n)]
    if missing:
        word = "parameter" if len(missing) == 1 else "parameters"
        raise ApiError(
            401, "woocommerce_rest_authentication_missing_parameter", f"Missing OAuth {word} {', '.join(missing)}"
        )
    key = state.keys.get(oauth["oauth_consumer_key"])
    if key is None:
        raise _auth_error("Consumer key is invalid.")
    sig_method = oauth["oauth_signature_method"]
    if sig_method not in ("HMAC-SHA1", "HMAC-SHA256"):
        raise _auth_error("Invalid signature - signature method is invalid.")
    algo = hashlib.sha1 if sig_method == "HMAC-SHA1" else hashlib.sha256
    url = host_url.rstrip("/") + path
    given = oauth["oauth_signature"].replace(" ", "+")
    base = base_string(method, url, oauth)
    calc = base64.b64encode(hmac.new((key.secret + "&").encode(), base.encode(), algo).digest()).decode()
    if not hmac.compare_digest(calc, given):
        raise _auth_error("Invalid signature - provided signature does not match.")
    now = state.clock.now()
    try:
        ts = int(oauth["oauth_timestamp"])
    except ValueError:
        raise _auth_error("Invalid timestamp.")
    if ts < now - WINDOW or ts > now + WINDOW:
        raise _auth_error("Invalid timestamp.")
    with state.lock:
        used = state.nonces.setdefault(key.key, {})
        nonce = oauth["oauth_nonce"]
        if nonce in used:
            raise _auth_error("Invalid nonce - nonce has already been used.")
        used[nonce] = ts
        if len(used) > 5000:
            for n, t in list(used.items()):
                if t < now - WINDOW:
                    del used[n]
    return key


WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def check_permission(key: Key | None, method: str):
    if key is None:
        return
    if key.permissions == "read" and method not in ("GET", "HEAD", "OPTIONS"):
        raise _auth_error("The API key provided does not have write permissions.")
    if key.permissions == "write" and method not in WRITE_METHODS:
        raise _auth_error("The API key provided does not have read permissions.")
