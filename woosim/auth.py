"""WooCommerce REST authentication (WC_REST_Authentication), reproduced.

- https: HTTP Basic (key:secret) or `consumer_key`/`consumer_secret` in the
  query string.
- http: only OAuth 1.0a one-legged, params in the query string (or an
  `Authorization: OAuth ...` header), HMAC-SHA1 or HMAC-SHA256, key =
  consumer secret + '&'. The signature base string is built the way
  WooCommerce builds it: METHOD & rawurlencode(url without query) & the
  sorted params, each `rawurlencode(rawurlencode(k)=rawurlencode(v))`-ish
  (see `_base_string`). The python `woocommerce` client sends its params
  twice (signed URL + requests' params); like PHP we keep one value per key.
- Basic or query keys over http are ignored (anonymous -> the endpoint's
  permission error, e.g. 401 woocommerce_rest_cannot_view).
- Timestamps outside +-15 minutes and reused nonces -> 401.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote, unquote_plus

from .errors import ApiError
from .store import Key, State

WINDOW = 15 * 60


def _auth_error(message: str) -> ApiError:
    return ApiError(401, "woocommerce_rest_authentication_error", message)


def _rawurlencode(s: str) -> str:
    # PHP rawurlencode: RFC 3986 unreserved kept, everything else %XX
    return quote(s, safe="-_.~")


def _parse_query(query_string: str) -> dict[str, str]:
    """PHP's $_GET: last value per key wins (values equal here anyway)."""
    out: dict[str, str] = {}
    for part in query_string.split("&"):
        if not part:
            continue
        k, _, v = part.partition("=")
        out[unquote_plus(k)] = unquote_plus(v)
    return out


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


def _base_string(method: str, url: str, params: dict[str, str]) -> str:
    pairs = []
    for k in sorted(params):
        if k == "oauth_signature":
            continue
        inner = f"{_rawurlencode(k)}={_rawurlencode(params[k])}"
        pairs.append(_rawurlencode(inner))
    return f"{method.upper()}&{_rawurlencode(url)}&{'%26'.join(pairs)}"


def _base_string_python_client(method: str, url: str, params: dict[str, str]) -> str:
    """The woocommerce 3.0.0 client quotes with safe='/', so values holding a
    '/' are signed differently from PHP; WooCommerce then rejects them. We
    accept either form: the point of the simulator is the client's view."""
    pairs = []
    for k in sorted(params):
        if k == "oauth_signature":
            continue
        kk = quote(k).replace("%", "%25")
        vv = quote(params[k]).replace("%", "%25")
        pairs.append(f"{kk}%3D{vv}")
    return f"{method.upper()}&{quote(url, '')}&{'%26'.join(pairs)}"


def authenticate(state: State, *, method: str, scheme: str, host_url: str, path: str,
                 query_string: str, authorization: str | None, form: dict | None = None) -> Key | None:
    """Return the Key used, None for an anonymous request, or raise ApiError."""
    params = _parse_query(query_string)
    if form:
        params.update(form)
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
    oauth = {k: v for k, v in params.items()}
    if authorization and authorization.lower().startswith("oauth "):
        oauth.update(_parse_oauth_header(authorization))
    names = ["oauth_consumer_key", "oauth_timestamp", "oauth_nonce", "oauth_signature", "oauth_signature_method"]
    present = [n for n in names if oauth.get(n)]
    if not present:
        return None
    missing = [n for n in names if not oauth.get(n)]
    if missing:
        word = "parameter" if len(missing) == 1 else "parameters"
        raise ApiError(401, "woocommerce_rest_authentication_missing_parameter",
                       f"Missing OAuth {word} {', '.join(missing)}")
    key = state.keys.get(oauth["oauth_consumer_key"])
    if key is None:
        raise _auth_error("Consumer key is invalid.")
    sig_method = oauth["oauth_signature_method"]
    if sig_method not in ("HMAC-SHA1", "HMAC-SHA256"):
        raise _auth_error("Invalid signature - signature method is invalid.")
    algo = hashlib.sha1 if sig_method == "HMAC-SHA1" else hashlib.sha256
    url = host_url.rstrip("/") + path
    given = oauth["oauth_signature"].replace(" ", "+")
    ok = False
    for builder in (_base_string, _base_string_python_client):
        base = builder(method, url, oauth)
        calc = base64.b64encode(hmac.new((key.secret + "&").encode(), base.encode(), algo).digest()).decode()
        if hmac.compare_digest(calc, given):
            ok = True
            break
    if not ok:
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
