"""Fault injection and the request log, as WSGI middleware.

Real stores sit behind hosts, proxies and WAFs that throw 429s, 5xx pages,
PHP notices in front of JSON, cut bodies and hangs; the sync must survive
them. A SPEC is `key=value` pairs separated by `;`, several rules by `|`:

    rate=0.1;kinds=429,500,502,503,timeout,garbled;seed=1
    nth=3,7;kinds=500
    path=/wp-json/wc/v3/orders;rate=0.5;kinds=slow;delay=2
    kinds=down

Keys: kinds (429, 500, 502, 503, slow, timeout, garbled, truncated, down),
rate (0..1, drawn from a random.Random(seed)), nth (1-based numbers of the
requests matching the rule, counted from when the rule was set), path (path
prefix, default /wp-json/), methods (e.g. GET,POST), retry_after (seconds,
429/503, default 1), delay (slow, default 1.0 s), hang (timeout, default 30 s),
seed (default 1). A rule without rate and nth hits every matching request.
Test-control requests (/__woosim/...) are never faulted nor counted.
"""

from __future__ import annotations

import random
import socket
import threading
import time
from collections import Counter
from urllib.parse import parse_qsl, urlencode

KINDS = {"429", "500", "502", "503", "slow", "timeout", "garbled", "truncated", "down"}
SECRET_PARAMS = {"oauth_signature", "oauth_nonce", "consumer_secret", "consumer_key", "oauth_consumer_key"}


class FaultRule:
    def __init__(
        self, kinds, rate=None, nth=None, path="/wp-json/", methods=None, retry_after=1, delay=1.0, hang=30.0, seed=1
    ):
        bad = set(kinds) - KINDS
        if bad or not kinds:
            raise ValueError(f"unknown fault kind(s): {sorted(bad) or 'none given'}")
        self.kinds = list(kinds)
        self.rate = rate
        self.nth = set(nth or [])
        self.path = path
        self.methods = {m.upper() for m in methods} if methods else None
        self.retry_after = retry_after
        self.delay = delay
        self.hang = hang
        self.seed = seed
        self.rng = random.Random(seed)
        self.count = 0

    @classmethod
    def parse(cls, text: str) -> FaultRule:
        kw: dict = {}
        for part in text.split(";"):
            part = part.strip()
            if not part:
                continue
            if "=" not in part:
                kw.setdefault("kinds", []).append(part)
                continue
            k, v = (x.strip() for x in part.split("=", 1))
            if k == "kinds":
                kw["kinds"] = [x.strip() for x in v.split(",") if x.strip()]
            elif k == "rate":
                kw["rate"] = float(v)
            elif k == "nth":
                kw["nth"] = [int(x) for x in v.split(",") if x.strip()]
            elif k == "path":
                kw["path"] = v
            elif k == "methods":
                kw["methods"] = [x for x in v.split(",") if x]
            elif k in ("retry_after", "seed"):
                kw[k] = int(v)
            elif k in ("delay", "hang"):
                kw[k] = float(v)
            else:
                raise ValueError(f"unknown fault option {k!r}")
        return cls(**kw)

    def to_dict(self) -> dict:
        return {
            "kinds": self.kinds,
            "rate": self.rate,
            "nth": sorted(self.nth),
            "path": self.path,
            "methods": sorted(self.methods) if self.methods else None,
            "retry_after": self.retry_after,
            "delay": self.delay,
            "hang": self.hang,
            "seed": self.seed,
            "count": self.count,
        }

    def pick(self, method: str, path: str) -> str | None:
        if not path.startswith(self.path) or (self.methods and method not in self.methods):
            return None
        self.count += 1
        if self.nth:
            hit = self.count in self.nth
        elif self.rate is not None:
            hit = self.rng.random() < self.rate
        else:
            hit = True
        if not hit:
            return None
        return self.rng.choice(self.kinds) if len(self.kinds) > 1 else self.kinds[0]


def parse_spec(spec: str | None) -> list[FaultRule]:
    if not spec:
        return []
    return [FaultRule.parse(p) for p in spec.split("|") if p.strip()]


def safe_query(qs: str) -> str:
    pairs = [(k, "REDACTED" if k in SECRET_PARAMS else v) for k, v in parse_qsl(qs, keep_blank_values=True)]
    return urlencode(pairs)


_PHP_NOTICE = (
    b"<br />\n<b>Deprecated</b>:  Creation of dynamic property WC_Legacy_Thing::$x is deprecated in "
    b"<b>/var/www/html/wp-content/plugins/some-plugin/some-plugin.php</b> on line <b>42</b><br />\n"
)


def _html(code: int, text: str) -> bytes:
    return (
        f"<html>\r\n<head><title>{code} {text}</title></head>\r\n<body>\r\n<center><h1>{code} {text}"
        f"</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    ).encode()


def _drop(environ):
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class FaultsAndLog:
    """Wraps the API app: counts and logs requests, injects faults."""

    def __init__(self, app, control_app, rules: list[FaultRule] | None = None, log_limit: int = 200000):
        self.app = app
        self.control_app = control_app
        self.rules = rules or []
        self.lock = threading.Lock()
        self.log: list[dict] = []
        self.counts: Counter = Counter()
        self.total = 0
        self.log_limit = log_limit

    def set_rules(self, rules: list[FaultRule]):
        with self.lock:
            self.rules = rules

    def clear_log(self):
        with self.lock:
            self.log.clear()
            self.counts.clear()
            self.total = 0

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/__woosim"):
            return self.control_app(environ, start_response)
        method = environ.get("REQUEST_METHOD", "GET").upper()
        t0 = time.perf_counter()
        kind = None
        rule = None
        with self.lock:
            self.total += 1
            n = self.total
            self.counts[f"{method} {path}"] += 1
            for r in self.rules:
                kind = r.pick(method, path)
                if kind:
                    rule = r
                    break
        entry = {
            "n": n,
            "method": method,
            "path": path,
            "query": safe_query(environ.get("QUERY_STRING", "")),
            "status": None,
            "fault": kind,
            "t": time.time(),
        }
        with self.lock:
            self.log.append(entry)
            if len(self.log) > self.log_limit:
                del self.log[: len(self.log) - self.log_limit]
        try:
            return self._serve(environ, start_response, kind, rule, entry)
        finally:
            entry["duration_ms"] = round((time.perf_counter() - t0) * 1000, 3)

    def _serve(self, environ, start_response, kind, rule, entry):
        def reply(status: int, reason: str, body: bytes, ctype: str, extra=()):
            entry["status"] = status
            start_response(f"{status} {reason}", [("Content-Type", ctype), ("Content-Length", str(len(body))), *extra])
            return [body]

        json_ct = "application/json; charset=UTF-8"
        if kind == "down":
            _drop(environ)
            entry["status"] = 0
            start_response("503 Service Unavailable", [("Content-Length", "0")])
            return []
        if kind == "timeout":
            time.sleep(rule.hang)
            _drop(environ)
            entry["status"] = 0
            start_response("504 Gateway Timeout", [("Content-Length", "0")])
            return []
        if kind == "429":
            return reply(
                429,
                "Too Many Requests",
                b'{"code":"too_many_requests","message":"Too Many Requests","data":{"status":429}}',
                json_ct,
                [("Retry-After", str(rule.retry_after))],
            )
        if kind == "500":
            return reply(
                500,
                "Internal Server Error",
                b'{"code":"internal_server_error","message":"<p>There has been a critical error on this website.</p>",'
                b'"data":{"status":500},"additional_errors":[]}',
                json_ct,
            )
        if kind == "502":
            return reply(502, "Bad Gateway", _html(502, "Bad Gateway"), "text/html")
        if kind == "503":
            return reply(
                503,
                "Service Unavailable",
                _html(503, "Service Temporarily Unavailable"),
                "text/html",
                [("Retry-After", str(rule.retry_after))],
            )
        if kind == "slow":
            time.sleep(rule.delay)
        captured = {}

        def sr(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        body = b"".join(self.app(environ, sr))
        status, headers = captured["status"], captured["headers"]
        entry["status"] = int(status.split()[0])
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        if kind == "garbled":
            body = _PHP_NOTICE + body[: max(len(body) * 2 // 3, 1)]
            start_response(status, headers + [("Content-Length", str(len(body)))])
            return [body]
        if kind == "truncated":
            start_response(status, headers + [("Content-Length", str(len(body)))])
            cut = body[: len(body) // 2]

            def gen():
                yield cut
                _drop(environ)

            return gen()
        start_response(status, headers + [("Content-Length", str(len(body)))])
        return [body]
