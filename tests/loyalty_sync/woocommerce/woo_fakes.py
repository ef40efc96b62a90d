"""Fakes for the WooCommerce client tests (imported by conftest and tests).

``FakeStore`` is a transport (the client's network seam) that answers like
WooCommerce from memory, so retry, pagination and error tests can inject
exact faults and count calls. The real-HTTP tests use woosim instead.
``captures/`` holds copies of real store exchanges from
../shared/woocommerce/captures (see its INDEX.md).
"""

from __future__ import annotations

import json
import math
import pathlib
import threading
import time
from collections import deque
from typing import Any

from requests.structures import CaseInsensitiveDict

CAPTURES = pathlib.Path(__file__).parent / "captures"
KEY = "ck_" + "a1" * 20
SECRET = "cs_" + "f9" * 20


def capture(prefix: str) -> dict[str, Any]:
    (path,) = CAPTURES.glob(f"{prefix}-*.json")
    return json.loads(path.read_text())


class FakeResponse:
    def __init__(self, status: int, body: Any = None, headers: dict[str, str] | None = None, raw: bytes | None = None):
        self.status_code = status
        self.headers = CaseInsensitiveDict({"Content-Type": "application/json; charset=UTF-8", **(headers or {})})
        self.content = raw if raw is not None else json.dumps(body).encode()


def from_capture(prefix: str) -> FakeResponse:
    response = capture(prefix)["response"]
    return FakeResponse(response["status"], response["body"], response["headers"])


class FakeStore:
    """An in-memory WooCommerce answering the transport protocol.

    ``faults`` is consumed one per request before the store answers: a
    ``FakeResponse`` is returned, an exception raised. ``page_delay(page)``
    lets tests scramble the completion order of concurrent pages.
    """

    def __init__(self, *, version: str = "10.0.2", currency: str = "EUR", **collections: int) -> None:
        self.version = version
        self.currency = currency
        self.records: dict[str, list[dict[str, Any]]] = {
            name: [{"id": i + 1, "name": f"{name}-{i + 1}"} for i in range(n)] for name, n in collections.items()
        }
        self.calls: list[tuple[str, str, dict[str, str], Any]] = []
        self.faults: deque[Any] = deque()
        self.page_delay = None
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()

    def request(self, method: str, endpoint: str, params: Any, json: Any) -> FakeResponse:
        params = dict(params or {})
        with self._lock:
            self.calls.append((method, endpoint, params, json))
            fault = self.faults.popleft() if self.faults else None
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if isinstance(fault, BaseException):
                raise fault
            if fault is not None:
                return fault
            return self._answer(method, endpoint, params, json)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _answer(self, method: str, endpoint: str, params: dict[str, str], json: Any) -> FakeResponse:
        if endpoint == "system_status":
            return FakeResponse(
                200, {"environment": {"version": self.version}, "settings": {"currency": self.currency}}
            )
        if method == "POST" and endpoint.endswith("/batch"):
            return self._batch(endpoint.rsplit("/", 1)[0], json)
        if method == "GET" and endpoint in self.records:
            return self._list(endpoint, params)
        return from_capture("103")

    def _list(self, name: str, params: dict[str, str]) -> FakeResponse:
        per_page = int(params.get("per_page", 10))
        page = int(params.get("page", 1))
        if self.page_delay:
            time.sleep(self.page_delay(page))
        rows = self.records[name]
        body = rows[(page - 1) * per_page : page * per_page]
        return FakeResponse(
            200, body, {"X-WP-Total": str(len(rows)), "X-WP-TotalPages": str(math.ceil(len(rows) / per_page))}
        )

    def _batch(self, name: str, body: dict[str, list[Any]]) -> FakeResponse:
        if sum(len(v) for v in body.values()) > 100:
            return from_capture("060")
        rows = self.records.setdefault(name, [])
        created = []
        for item in body.get("create", []):
            code = str(item.get("code", "")).lower()
            if code and any(r.get("code") == code for r in rows):
                created.append(
                    {
                        "id": 0,
                        "error": {
                            "code": "woocommerce_rest_coupon_code_already_exists",
                            "message": "The coupon code already exists",
                            "data": {"status": 400},
                        },
                    }
                )
                continue
            row = {**item, "id": len(rows) + 1, "code": code}
            rows.append(row)
            created.append(row)
        return FakeResponse(200, {"create": created, "update": [], "delete": []})

    def requests_to(self, endpoint: str) -> int:
        return sum(1 for call in self.calls if call[1] == endpoint)


class FakeSleep:
    """Records the waits the client asks for instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
