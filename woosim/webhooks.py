"""Webhooks: synchronous ping on create, asynchronous signed deliveries.

What the real store does (captures 095-101, FACTS.md): creating a webhook
POSTs `webhook_id=N` (form encoded, no X-WC-Webhook-* headers) to the
delivery URL inside the request; only an HTTP 200 answer activates the
webhook (otherwise woosim keeps it `disabled`). Later events are queued and
sent by a background worker after `delay` seconds (WP-Cron takes seconds to
minutes on a real store); the payload is the resource as GET returns it *at
send time*; one pending delivery per webhook and object (dedup); never
retried; after more than 5 consecutive failures the webhook is disabled.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time

import requests

from . import WC_VERSION, WP_VERSION
from . import shapes as S
from .errors import ApiError
from .store import State
import secrets
from .orders import get_order

USER_AGENT = f"WooCommerce/{WC_VERSION} Hookshot (WordPress/{WP_VERSION})"
MAX_FAILURES = 5
TOPICS = set(S.HOOKS)


def _post(url: str, **kw):
    s = requests.Session()
    s.trust_env = False  # the machine exports proxy / CA variables; deliveries are local
    try:
        return s.post(url, **kw)
    finally:
        s.close()


def ping(url: str, webhook_id: int, timeout: float = 5.0) -> tuple[bool, int | None, str]:
    try:
        r = _post(
            url,
            data=f"webhook_id={webhook_id}",
            headers={"User-Agent": USER_AGENT, "Content-Type": "application/x-www-form-urlencoded"},
            timeout=timeout,
        )
        return r.status_code == 200, r.status_code, ""
    except requests.RequestException as e:
        return False, None, str(e)


def create_webhook(state: State, body: dict) -> dict:
    topic = body.get("topic")
    url = body.get("delivery_url")
    if not topic or topic not in TOPICS and not str(topic).startswith("action."):
        raise ApiError(
            400,
            "rest_invalid_param",
            "Invalid parameter(s): topic",
            extra={"params": {"topic": "Webhook topic unknown. Please select a valid topic."}},
        )
    if not url:
        raise ApiError(
            400, "rest_missing_callback_param", "Missing parameter(s): delivery_url", extra={"params": ["delivery_url"]}
        )
    with state.lock:
        now = state.now()
        wid = state.next_webhook_id
        state.next_webhook_id += 1
        w = {
            "id": wid,
            "name": body.get("name") or f"Webhook created on {time.strftime('%b %d, %Y @ %I:%M %p')}",
            "status": body.get("status") or "active",
            "topic": topic,
            "delivery_url": url,
            "secret": body.get("secret") or state.webhook_secret_default or _random_secret(),
            "created": now,
            "modified": None,
            "failures": 0,
        }
        state.webhooks[wid] = w
    shown = dict(w)
    if w["status"] == "active":
        ok, code, err = ping(url, wid)
        record = {
            "webhook_id": wid,
            "topic": "ping",
            "resource_id": None,
            "status_code": code,
            "ok": ok,
            "error": err,
            "queued_at": now,
            "sent_at": time.time(),
            "duration": 0.0,
            "delivery_id": None,
        }
        with state.lock:
            state.deliveries.append(record)
            if ok:
                w["modified"] = state.now()
            else:
                w["status"] = "disabled"
                shown["status"] = "disabled"
    return shown


def update_webhook(state: State, w: dict, body: dict) -> dict:
    for k in ("name", "delivery_url", "secret"):
        if body.get(k):
            w[k] = body[k]
    if body.get("topic"):
        if body["topic"] not in TOPICS:
            raise ApiError(400, "rest_invalid_param", "Invalid parameter(s): topic")
        w["topic"] = body["topic"]
    if body.get("status"):
        if body["status"] not in ("active", "paused", "disabled"):
            raise ApiError(400, "rest_invalid_param", "Invalid parameter(s): status")
        w["status"] = body["status"]
        if body["status"] == "active":
            w["failures"] = 0
    w["modified"] = state.now()
    return w


def _random_secret() -> str:
    return secrets.token_urlsafe(24)


def php_json(obj) -> bytes:
    """Compact json_encode output: '\\/' for slashes, \\uXXXX for non-ASCII (capture 100)."""
    return json.dumps(obj, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/").encode()


def signature(secret: str, raw: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest()).decode()


class Dispatcher:
    """Background sender. `state.on_event` feeds it; `delay` mimics WP-Cron."""

    def __init__(self, state: State, delay: float = 0.2, timeout: float = 10.0):
        self.state = state
        self.delay = delay
        self.timeout = timeout
        self.queue: list[dict] = []
        self.cond = threading.Condition()
        self.stopped = False
        state.on_event = self.on_event
        state.deliveries = getattr(state, "deliveries", [])
        self.thread = threading.Thread(target=self.run, name="woosim-webhooks", daemon=True)
        self.thread.start()

    def on_event(self, resource: str, event: str, obj_id: int):
        topic = f"{resource}.{event}"
        hooks = [w for w in self.state.webhooks.values() if w["status"] == "active" and w["topic"] == topic]
        if not hooks:
            return
        now = time.time()
        with self.cond:
            for w in hooks:
                if any(q["webhook_id"] == w["id"] and q["resource_id"] == obj_id for q in self.queue):
                    continue  # one pending delivery per object (Action Scheduler dedup)
                self.queue.append(
                    {
                        "webhook_id": w["id"],
                        "topic": topic,
                        "resource": resource,
                        "event": event,
                        "resource_id": obj_id,
                        "queued_at": now,
                        "due": now + self.delay,
                    }
                )
            self.cond.notify()

    def run(self):
        while True:
            with self.cond:
                while not self.stopped:
                    now = time.time()
                    due = [q for q in self.queue if q["due"] <= now]
                    if due:
                        break
                    wait = min((q["due"] for q in self.queue), default=now + 1) - now
                    self.cond.wait(timeout=max(wait, 0.01))
                if self.stopped:
                    return
                for q in due:
                    self.queue.remove(q)
            for q in due:
                try:
                    self.deliver(q)
                except Exception as e:  # never let one delivery kill the worker
                    self.state.deliveries.append({**q, "ok": False, "status_code": None, "error": repr(e)})

    def payload(self, q: dict, base: str):
        st = self.state
        ctx = S.Ctx(base, st.tz)
        rid = q["resource_id"]
        if q["event"] == "deleted":
            return {"id": rid}
        with st.lock:
            try:
                if q["resource"] == "order":
                    return S.order_json(get_order(st, rid), ctx)
                if q["resource"] == "customer":
                    return S.customer_json(st.get_customer(rid), ctx)
                if q["resource"] == "coupon":
                    return S.coupon_json(st.get_coupon(rid), ctx)
                if q["resource"] == "product":
                    return S.product_json(st.get_product(rid, variation_ok=True), ctx, st)
            except ApiError:
                return {"id": rid}
        return {"id": rid}

    def deliver(self, q: dict):
        st = self.state
        w = st.webhooks.get(q["webhook_id"])
        if w is None or w["status"] != "active":
            return
        base = (st.public_base or "http://127.0.0.1").rstrip("/")
        raw = php_json(self.payload(q, base))
        sent = time.time()
        headers = {
            "User-Agent": USER_AGENT,
            "Content-Type": "application/json",
            "X-WC-Webhook-Source": base + "/",
            "X-WC-Webhook-Topic": q["topic"],
            "X-WC-Webhook-Resource": q["resource"],
            "X-WC-Webhook-Event": q["event"],
            "X-WC-Webhook-Signature": signature(w["secret"], raw),
            "X-WC-Webhook-ID": str(w["id"]),
            "X-WC-Webhook-Delivery-ID": hashlib.md5(f"{w['id']}{int(sent)}".encode()).hexdigest(),
        }
        code, err = None, ""
        try:
            r = _post(w["delivery_url"], data=raw, headers=headers, timeout=self.timeout)
            code = r.status_code
        except requests.RequestException as e:
            err = str(e)
        ok = code is not None and 200 <= code < 300
        with st.lock:
            if ok:
                w["failures"] = 0
            else:
                w["failures"] += 1
                if w["failures"] > MAX_FAILURES:
                    w["status"] = "disabled"
            w["modified"] = st.now()
            st.deliveries.append(
                {
                    "webhook_id": w["id"],
                    "topic": q["topic"],
                    "resource_id": q["resource_id"],
                    "status_code": code,
                    "ok": ok,
                    "error": err,
                    "queued_at": q["queued_at"],
                    "sent_at": sent,
                    "duration": time.time() - sent,
                    "delivery_id": headers["X-WC-Webhook-Delivery-ID"],
                }
            )

    def stop(self):
        with self.cond:
            self.stopped = True
            self.cond.notify()
