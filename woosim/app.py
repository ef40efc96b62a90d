"""The WSGI application: wc/v3 routes, auth, errors, headers.

Plain Werkzeug (no Flask request context) keeps a page of 100 orders cheap.
Order of checks follows WordPress: authentication errors and the read-only
key check first (they run before dispatch), then the route (404
rest_no_route, also for a known path with an unsupported method), then
parameter validation (400 rest_invalid_param), then the permission check of
the endpoint (401 for anonymous), then the handler.
"""

from __future__ import annotations

import json

from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Request

from . import handlers
from .auth import authenticate, check_permission
from .errors import ApiError, no_route
from .extras import site_index_body
from .listing import dedup_query_pairs, php_array_params
from .reply import Reply
from .shapes import Ctx, json_value
from .store import State
from urllib.parse import unquote_plus

COLL = ["GET", "POST"]
ITEM = ["GET", "POST", "PUT", "PATCH", "DELETE"]
BATCH = ["POST", "PUT", "PATCH"]


def _rules():
    r = []

    def add(path, endpoint, methods, kind):
        r.append(Rule("/wp-json/wc/v3/" + path, endpoint=(endpoint, kind, tuple(methods)), methods=methods))

    for res in ("orders", "customers", "coupons", "products", "webhooks"):
        add(res, res + "_collection", COLL, "coll")
        add(f"{res}/batch", res + "_batch", BATCH, "batch")
    add("orders/<int:id>", "order_item", ITEM, "item")
    add("orders/<int:id>/refunds", "refunds_collection", COLL, "coll")
    add("orders/<int:id>/refunds/<int:rid>", "refund_item", ["GET", "DELETE"], "item")
    add("orders/<int:id>/notes", "notes_collection", COLL, "coll")
    add("orders/<int:id>/notes/<int:nid>", "note_item", ["GET", "DELETE"], "item")
    add("refunds", "refunds_all", ["GET"], "coll")
    add("customers/<int:id>", "customer_item", ITEM, "item")
    add("coupons/<int:id>", "coupon_item", ITEM, "item")
    add("products/categories", "categories_collection", COLL, "coll")
    add("products/categories/<int:id>", "category_item", ITEM, "item")
    add("products/reviews", "reviews_collection", COLL, "coll")
    add("products/reviews/<int:id>", "review_item", ITEM, "item")
    add("products/<int:id>", "product_item", ITEM, "item")
    add("products/<int:id>/variations", "variations_collection", COLL, "coll")
    add("products/<int:id>/variations/<int:vid>", "variation_item", ITEM, "item")
    add("webhooks/<int:id>", "webhook_item", ITEM, "item")
    add("system_status", "system_status", ["GET"], "single")
    add("system_status/tools", "system_status_tools", ["GET"], "single")
    add("system_status/tools/<tool_id>", "system_status_tool", ["GET", "POST", "PUT", "PATCH"], "single")
    add("payment_gateways", "payment_gateways", ["GET"], "single")
    add("taxes/classes", "tax_classes", ["GET", "POST"], "single")
    add("data/currencies/current", "currency_current", ["GET"], "single")
    add("settings/general/woocommerce_currency", "setting_currency", ["GET", "POST", "PUT", "PATCH"], "single")
    add("taxes", "taxes_collection", COLL, "coll")
    return Map(r, strict_slashes=False, merge_slashes=False)


URLS = _rules()

DENY = {
    ("coll", "GET"): ("woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
    ("single", "GET"): ("woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
    ("item", "GET"): ("woocommerce_rest_cannot_view", "Sorry, you cannot view this resource."),
    ("coll", "POST"): ("woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources."),
    ("item", "DELETE"): ("woocommerce_rest_cannot_delete", "Sorry, you are not allowed to delete this resource."),
    ("batch", "POST"): (
        "woocommerce_rest_cannot_batch",
        "Sorry, you are not allowed to batch manipulate this resource.",
    ),
}


def deny_error(kind: str, method: str) -> ApiError:
    m = "POST" if kind == "batch" else method
    code, msg = DENY.get(
        (kind, m), ("woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource.")
    )
    return ApiError(401, code, msg)


class Req:
    """What a handler needs about one request."""

    __slots__ = (
        "state",
        "method",
        "args",
        "body",
        "ctx",
        "key",
        "view",
        "path",
        "query_string",
        "url_base",
        "raw_form",
    )

    def __init__(self, state, method, args, body, ctx, key, view, path, query_string):
        self.state, self.method, self.args, self.body = state, method, args, body
        self.ctx, self.key, self.view, self.path, self.query_string = ctx, key, view, path, query_string


def dumps(obj) -> bytes:
    """json.dumps(obj, ensure_ascii=False, separators=(",", ":")) in UTF-8, through
    the encoder shapes.json_value keeps (json.dumps builds one per call)."""
    return json_value(obj).encode("utf-8")


class WooSimApp:
    def __init__(self, state: State, public_base: str | None = None):
        self.state = state
        self.public_base = public_base  # used by webhooks when no request is around

    def __call__(self, environ, start_response):
        return self.wsgi(environ, start_response)

    def wsgi(self, environ, start_response):
        req = Request(environ)
        scheme = environ.get("wsgi.url_scheme", "http")
        host_url = f"{scheme}://{req.host}"
        ctx = Ctx(host_url, self.state.tz)
        link_default = f'<{host_url}/wp-json/>; rel="https://api.w.org/"'
        headers = {"Content-Type": "application/json; charset=UTF-8", "Link": link_default}
        try:
            reply = self.dispatch(req, scheme, host_url, ctx)
        except ApiError as e:
            reply = Reply(e.status, e.body(), getattr(e, "headers", None))
        headers.update(reply.headers)
        data = reply.raw if reply.raw is not None else dumps(reply.body)
        headers["Content-Length"] = str(len(data))
        # raw WSGI: Werkzeug's Response would percent-encode the Location
        # header, and WooCommerce sends some with a regex left in (capture 020)
        start_response(f"{reply.status} {HTTP_STATUS_CODES.get(reply.status, 'Unknown')}", list(headers.items()))
        return [data]

    def dispatch(self, req: Request, scheme: str, host_url: str, ctx: Ctx) -> Reply:
        path = req.path
        method = req.method.upper()
        qs = req.query_string.decode("latin-1")
        if not path.startswith("/wp-json/wc/v3/") and path.rstrip("/") not in ("/wp-json/wc/v3",):
            if path.rstrip("/") == "/wp-json":
                fields = req.args.get("_fields")
                index = Reply(200, site_index_body(self.state, host_url))
                return _only_fields(index, fields) if fields else index
            raise no_route()
        form_pairs = list(req.form.items(multi=True)) if req.mimetype == "application/x-www-form-urlencoded" else None
        form = dict(form_pairs) if form_pairs else None
        key = authenticate(
            self.state,
            method=method,
            scheme=scheme,
            host_url=host_url,
            path=path,
            query_string=qs,
            authorization=req.headers.get("Authorization"),
            form=form_pairs,
        )
        check_permission(key, method)
        adapter = URLS.bind("localhost")
        try:
            (view, kind, allowed), params = adapter.match(path, method=method)
        except (NotFound, MethodNotAllowed):
            raise no_route()
        # WordPress' Allow lists the methods whose permission callback passes
        # (rest_send_allow_header): for a request without a valid key (none,
        # Basic or query keys over http) none passes, so a 401 carries no Allow
        allow = {"Allow": ", ".join(allowed)} if key is not None else {}
        # dedupe query args: the python client sends each param twice over http
        args = MultiDict(php_array_params(_unquote_pairs(dedup_query_pairs(qs))))
        body = {}
        if method in ("POST", "PUT", "PATCH", "DELETE") and req.content_length:
            raw = req.get_data()
            if req.mimetype == "application/json" or raw[:1] in (b"{", b"["):
                try:
                    body = json.loads(raw) if raw.strip() else {}
                except ValueError:
                    e = ApiError(400, "rest_invalid_json", "Invalid JSON body passed.")
                    e.headers = allow
                    raise e
            elif form:
                body = form
        fn = getattr(handlers, view)
        r = Req(self.state, method, args, body if isinstance(body, dict) else {}, ctx, key, view, path, qs)
        try:
            handlers.validate(r, kind)
            if key is None:
                raise deny_error(kind, method)
            if view in ("webhooks_collection", "webhooks_batch") and method == "POST":
                reply = fn(r, **params)  # the ping does network I/O: never under the lock
            else:
                with self.state.lock:  # one lock: handlers see a consistent store
                    reply = fn(r, **params)
        except ApiError as e:
            e.headers = allow if handlers.allow_header_sent(r, params) else {}
            raise
        if not handlers.allow_header_sent(r, params):
            allow = {}
        reply.headers = {**allow, **reply.headers}
        if args.get("_fields") and reply.status < 300:
            reply = _only_fields(reply, args["_fields"])
        return reply


def _only_fields(reply: Reply, fields: str) -> Reply:
    """WordPress' `_fields` (rest_filter_response_fields): each object keeps
    only the listed keys, `a.b` keeps a nested one; `_links` goes unless listed."""
    wanted = [f.strip() for f in fields.split(",") if f.strip()]
    body = json.loads(reply.raw) if reply.raw is not None else reply.body

    def keep(obj):
        if not isinstance(obj, dict):
            return obj
        out: dict = {}
        for f in wanted:
            src, dst, parts = obj, out, f.split(".")
            for i, part in enumerate(parts):
                if not isinstance(src, dict) or part not in src:
                    break
                if i == len(parts) - 1:
                    dst[part] = src[part]
                else:
                    dst = dst.setdefault(part, {})
                    src = src[part]
        return {k: out[k] for k in obj if k in out}

    body = [keep(x) for x in body] if isinstance(body, list) else keep(body)
    return Reply(reply.status, body, reply.headers)


def _unquote_pairs(pairs):
    return [(unquote_plus(k), unquote_plus(v)) for k, v in pairs]
