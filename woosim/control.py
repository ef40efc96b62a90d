"""Test-control endpoints under /__woosim/ (no auth; tests and benchmarks only).

They change the simulator behind the API's back on purpose: reset/seed,
faults, request counts, extra keys, the clock, tampering with an order's
date_modified, silent coupon deletes and customer meta edits (no webhooks,
no date_modified change), and the webhook delivery log.
"""

from __future__ import annotations

import json
import re
import secrets

from werkzeug.wrappers import Request, Response

from .faults import parse_spec
from .timeutil import parse_rest_date
from .seeding import seed_demo
from .orders import materialize, untrash_order
from .shapes import Ctx, order_json
from .timeutil import fmt_gmt


def _json(data, status=200):
    return Response(json.dumps(data), status=status, mimetype="application/json")


class Control:
    def __init__(self, server):
        self.server = server  # woosim.server.WooSim

    def __call__(self, environ, start_response):
        req = Request(environ)
        try:
            resp = self.route(req)
        except (ValueError, KeyError, TypeError) as e:
            resp = _json({"error": str(e)}, 400)
        return resp(environ, start_response)

    def route(self, req: Request) -> Response:
        sim = self.server
        st = sim.state
        path = req.path[len("/__woosim") :].rstrip("/") or "/"
        m = req.method
        body = req.get_json(silent=True) or {}
        if path in ("/", "/health"):
            return _json({"ok": True, "url": st.public_base})
        if path == "/reset" and m == "POST":
            sim.reset(seed=body.get("seed"), customers=int(body.get("customers", 0)), orders=int(body.get("orders", 0)))
            return _json(self.summary())
        if path == "/seed" and m == "POST":
            seed_demo(st, int(body.get("customers", 50)), int(body.get("orders", 500)), body.get("seed", "demo"))
            return _json(self.summary())
        if path == "/state":
            return _json(self.summary())
        if path == "/faults":
            if m == "DELETE":
                sim.middleware.set_rules([])
            elif m == "POST":
                sim.middleware.set_rules(parse_spec(body.get("spec", "")))
            return _json({"rules": [r.to_dict() for r in sim.middleware.rules]})
        if path == "/requests":
            mw = sim.middleware
            if m == "DELETE":
                mw.clear_log()
                return _json({"ok": True})
            limit = int(req.args.get("limit", 1000))
            with mw.lock:
                return _json({"total": mw.total, "counts": dict(mw.counts), "log": mw.log[-limit:] if limit else []})
        if path == "/keys" and m == "POST":
            key = body.get("key") or "ck_" + secrets.token_hex(20)
            secret = body.get("secret") or "cs_" + secrets.token_hex(20)
            perm = body.get("permissions", "read_write")
            if perm not in ("read", "write", "read_write"):
                raise ValueError("permissions must be read, write or read_write")
            st.add_key(key, secret, perm)
            return _json({"key": key, "secret": secret, "permissions": perm})
        if path == "/clock":
            if m == "POST":
                if "offset" in body:
                    st.clock.offset = float(body["offset"])
                if "advance" in body:
                    st.clock.offset += float(body["advance"])
            return _json({"offset": st.clock.offset, "now": st.clock.now()})
        mo = re.fullmatch(r"/orders/(\d+)/backdate", path)
        if mo and m == "POST":
            with st.lock:
                o = materialize(st, int(mo.group(1)))
                if "date_modified_gmt" in body:
                    o["modified"] = parse_rest_date(body["date_modified_gmt"], st.tz, True)
                else:
                    o["modified"] -= int(body.get("seconds", 3600))
                return _json({"id": o["id"], "date_modified_gmt": _gmt(o["modified"])})
        mu = re.fullmatch(r"/orders/(\d+)/untrash", path)
        if mu and m == "POST":  # wp-admin's "Restore" (no REST route for it)
            o = untrash_order(st, int(mu.group(1)))
            return _json(order_json(o, Ctx(st.public_base or "", st.tz)))
        mc = re.fullmatch(r"/coupons/(\d+)", path)
        if mc and m == "DELETE":
            with st.lock:
                st.delete_coupon(int(mc.group(1)), force=True, emit=False)
            return _json({"deleted": int(mc.group(1))})
        mm = re.fullmatch(r"/customers/(\d+)/meta", path)
        if mm and m == "POST":
            with st.lock:
                c = st.get_customer(int(mm.group(1)))
                st.apply_meta(c["meta"], body.get("meta_data", []))
                return _json(
                    {"id": c["id"], "meta_data": [{"id": x[0], "key": x[1], "value": x[2]} for x in c["meta"]]}
                )
        if path == "/webhooks/deliveries":
            if m == "DELETE":
                st.deliveries.clear()
                return _json({"ok": True})
            return _json({"deliveries": list(st.deliveries)})
        if path == "/webhooks/config" and m == "POST":
            if "delay" in body:
                sim.dispatcher.delay = float(body["delay"])
            if "timeout" in body:
                sim.dispatcher.timeout = float(body["timeout"])
            return _json({"delay": sim.dispatcher.delay, "timeout": sim.dispatcher.timeout})
        return _json({"error": f"no control route {m} {path}"}, 404)

    def summary(self) -> dict:
        st = self.server.state
        lazy = st.lazy
        return {
            "customers": len(st.customers) - 1,
            "products": sum(1 for p in st.products.values() if p["type"] != "variation"),
            "coupons": len(st.coupons),
            "orders_stored": len(st.orders),
            "orders_seeded": lazy.n if lazy else 0,
            "next_post_id": st.next_post_id,
            "webhooks": len(st.webhooks),
            "reviews": len(st.reviews),
        }


def _gmt(ts):
    return fmt_gmt(ts)
