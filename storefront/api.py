"""The storefront REST API, /api/v1 (flask-smorest + marshmallow).

Auth: `Authorization: Bearer <token>`, a per-store token made with
`flask --app wsgi api-tokens create --store NAME --scope read|redeem`. A token
only sees its own store: a member of another store answers exactly like an
unknown one (404). Each token is rate limited (STOREFRONT_API_RATE_LIMIT,
default "120 per minute", Flask-Limiter, in-memory); over it: 429 with
Retry-After. Every error is {"error": {"code", "message", "field"}}.

The OpenAPI document (/api/v1/openapi.json) and the docs page
(/api/v1/docs, rendered here: no script from a CDN) are generated from the schemas in
storefront/schemas.py, the same ones that validate the requests.
"""

from __future__ import annotations

import math
import time
from datetime import datetime, timezone

from flask import Blueprint as FlaskBlueprint
from flask import Flask, current_app, jsonify, make_response, render_template, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_smorest import Api, Blueprint
from werkzeug.exceptions import HTTPException

from loyalty_sync.actions import nps
from loyalty_sync.analysis.nps_score import classify
from loyalty_sync.actions.api_tokens import allows, authenticate
from loyalty_sync.extensions import db
from loyalty_sync.models import Store
from loyalty_sync.analysis.points_preview import CartLine, preview_points
from loyalty_sync.books.program_versions import program_in_force
from loyalty_sync.actions.redemption import RedeemRefused, redeem_reward
from loyalty_sync.books.statements import find_member
from loyalty_sync.engine.money import money_text
from storefront import schemas
from storefront.api_docs import docs_context
from storefront.members import ledger_page, member_status

BLUEPRINT = "storefront_api"


class ApiError(HTTPException):
    """An API error in the one shape: {"error": {"code", "message", "field"}}."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None, headers=None):
        super().__init__(message)
        self.code = status
        self.error_code, self.message, self.field = code, message, field
        self.extra_headers = headers or {}


class StorefrontApi(Api):
    """flask-smorest's Api, but its errors stay in our blueprint: the default
    registers a JSON handler for every HTTPException of the whole app (the
    admin panel's HTML error pages included)."""

    ERROR_SCHEMA = schemas.Error

    def _register_error_handlers(self):
        return None


def scope(name: str):
    """The token scope a view needs (default read)."""

    def mark(view):
        view._storefront_scope = name
        return view

    return mark


# --- auth and rate limit -------------------------------------------------------------------


def current_token():
    """The request's active token (looked up once per request), or None.
    Kept on the request, not on `g`: an app context may outlive a request."""
    if "storefront.token" not in request.environ:
        token = None
        kind, _, text = request.headers.get("Authorization", "").partition(" ")
        if kind.lower() == "bearer" and text.strip():
            token = authenticate(text.strip())
        request.environ["storefront.token"] = token
    return request.environ["storefront.token"]


def _rate_key() -> str:
    token = current_token()
    return f"token:{token.id}" if token is not None else f"anonymous:{get_remote_address()}"


def _rate_limit_value() -> str:
    return current_app.config.get("STOREFRONT_API_RATE_LIMIT", "120 per minute")


def _breach(limit) -> object:
    retry = max(1, math.ceil(limit.window[0] - time.time()))  # window: (reset time, remaining)
    return _error_response(
        429,
        "rate_limited",
        f"Too many requests for this token: {limit.limit}. Try again in {retry} seconds.",
        None,
        {"Retry-After": str(retry)},
    )


def _error_response(status: int, code: str, message: str, field: str | None = None, headers=None):
    response = make_response(jsonify({"error": {"code": code, "message": message, "field": field}}), status)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="loyalty-sync"'
    return response


def _first_field(messages, path=()) -> tuple[str | None, str]:
    """webargs' nested messages -> ("lines.0.total", "Not a valid number.")."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key in ("json", "query", "headers", "view_args", "path") and not path:
                return _first_field(value, path)
            return _first_field(value, (*path, str(key)))
    if isinstance(messages, list) and messages:
        first = messages[0]
        if isinstance(first, (dict, list)):
            return _first_field(first, path)
        return (".".join(path) or None), str(first)
    return (".".join(path) or None), str(messages)


def _handle_http_error(error: HTTPException):
    if isinstance(error, ApiError):
        return _error_response(error.code, error.error_code, error.message, error.field, error.extra_headers)
    if getattr(error, "response", None) is not None:  # Flask-Limiter's 429 with our body
        return error.response
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    code = error.code or 500
    if code == 422 and messages:
        field, message = _first_field(messages)
        if field and field.startswith("_schema"):
            field = None
        return _error_response(422, "invalid_request", f"{field}: {message}" if field else message, field)
    if code == 400 and messages:
        field, message = _first_field(messages)
        return _error_response(400, "bad_request", message if "JSON" in message else f"{field}: {message}", field)
    names = {
        400: "bad_request",
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        415: "unsupported_media_type",
        429: "rate_limited",
    }
    return _error_response(code, names.get(code, "error"), error.description or error.name)


def _handle_crash(error: Exception):
    current_app.logger.exception("storefront API request failed")
    return _error_response(500, "internal_error", "Something went wrong on our side; the request was not applied.")


# --- the blueprint ---------------------------------------------------------------------------


def _store() -> Store:
    return db.session.get(Store, current_token().store_id)


def _member_or_404(ref: str):
    store = _store()
    member = find_member(store, ref)
    if member is None:
        # the same answer for "no such member" and "a member of another store"
        raise ApiError(404, "unknown_member", "No member with this customer id or email.", "ref")
    return store, member


def make_blueprint() -> Blueprint:
    blp = Blueprint(
        BLUEPRINT,
        __name__,
        url_prefix="/api/v1",
        description="Members, rewards, redemptions, points preview and NPS for the store's own storefront.",
    )

    @blp.before_request
    def _authenticate():
        if request.endpoint == f"{BLUEPRINT}.not_found" or request.method == "OPTIONS":
            return None
        token = current_token()
        if token is None:
            raise ApiError(401, "unauthorized", "A valid API token is needed: Authorization: Bearer <token>.")
        view = current_app.view_functions.get(request.endpoint)
        needed = getattr(view, "_storefront_scope", "read")
        if not allows(token, needed):
            raise ApiError(403, "insufficient_scope", f"This token's scope is {token.scope}; this needs {needed}.")
        return None

    blp.register_error_handler(HTTPException, _handle_http_error)
    blp.register_error_handler(Exception, _handle_crash)

    @blp.route("/members/<string:ref>", methods=["GET"])
    @blp.response(200, schemas.MemberStatus)
    @blp.alt_response(404, schema=schemas.Error, description="No such member in this token's store")
    @blp.doc(
        summary="A member's status",
        description=(
            "ref: the WooCommerce customer id or the email. Points spendable and pending, tier and what is missing "
            "to reach the next one, VIP, available coupons, badges, referral code, points expiring in 30 days."
        ),
    )
    def get_member(ref):
        store, member = _member_or_404(ref)
        return member_status(store, member)

    @blp.route("/members/<string:ref>/ledger", methods=["GET"])
    @blp.arguments(schemas.LedgerArgs, location="query", as_kwargs=True)
    @blp.response(200, schemas.LedgerPage)
    @blp.alt_response(404, schema=schemas.Error, description="No such member in this token's store")
    @blp.doc(summary="A member's ledger, newest first, with the reason of every line")
    def get_ledger(ref, page, per_page):
        _store_, member = _member_or_404(ref)
        return ledger_page(member, page, per_page)

    @blp.route("/rewards", methods=["GET"])
    @blp.response(200, schemas.Rewards)
    @blp.doc(summary="The reward catalogue with the points each costs")
    def get_rewards():
        store = _store()
        version, program = program_in_force(store)
        rewards = []
        for r in program.rewards:
            minimum = max(r.coupon.minimum_amount, program.coupon_minimum_amount)
            rewards.append(
                {
                    "id": r.id,
                    "name": r.name,
                    "points": r.points,
                    "coupon": {
                        "discount_type": r.coupon.discount_type,
                        "amount": money_text(r.coupon.amount),
                        "minimum_spend": money_text(minimum) if minimum else None,
                        "free_shipping": bool(r.coupon.free_shipping),
                        "expires_after_days": r.coupon.expiry_days or program.coupon_expiry_days,
                    },
                }
            )
        return {"program_version": version, "currency": store.currency, "rewards": rewards}

    @blp.route("/members/<string:ref>/redeem", methods=["POST"])
    @blp.arguments(schemas.IdempotencyHeaders, location="headers", as_kwargs=True)
    @blp.arguments(schemas.RedeemRequest)
    @blp.response(201, schemas.Redeemed)
    @blp.alt_response(404, schema=schemas.Error, description="No such member in this token's store")
    @blp.alt_response(409, schema=schemas.Error, description="Not enough spendable points")
    @blp.doc(
        summary="Redeem a reward: the coupon is issued, the points deducted and the coupon pushed to the store",
        description="Scope redeem. With an Idempotency-Key header a retried request gets the first answer "
        "(header Idempotent-Replayed: true) and never redeems twice.",
    )
    @scope("redeem")
    def redeem(body, ref, idempotency_key=None):
        store, member = _member_or_404(ref)
        token = current_token()
        try:
            outcome = redeem_reward(
                store,
                member,
                body["reward"],
                idempotency_key=idempotency_key,
                requested_by=f"storefront API (token {token.id})",
            )
        except RedeemRefused as exc:
            raise ApiError(exc.status, exc.code, exc.message, exc.field) from None
        response = make_response(jsonify(outcome.body), outcome.status)
        if outcome.replayed:
            response.headers["Idempotent-Replayed"] = "true"
        return response

    @blp.route("/points-preview", methods=["POST"])
    @blp.arguments(schemas.PreviewRequest)
    @blp.response(200, schemas.Preview)
    @blp.doc(
        summary="The points a cart would earn (never writes)",
        description="Same engine functions as the books: the rules in force, the product/category multipliers "
        "on the order's date, the member's tier and VIP multipliers. An unknown customer (or null) "
        "is previewed as a new member in the entry tier.",
    )
    def points_preview(body):
        store = _store()
        member = find_member(store, body["customer"]) if body.get("customer") else None
        at = body.get("date")
        if at is not None and at.tzinfo is None:
            at = at.replace(tzinfo=timezone.utc)
        lines = [
            CartLine(
                product_id=ln["product_id"],
                quantity=ln["quantity"],
                total=ln["total"],
                variation_id=ln.get("variation_id", 0),
                total_tax=ln.get("total_tax", 0),
            )
            for ln in body["lines"]
        ]
        try:
            answer = preview_points(
                store,
                member,
                lines,
                at=at,
                shipping_total=body.get("shipping_total", 0),
                shipping_tax=body.get("shipping_tax", 0),
            )
        finally:
            db.session.rollback()  # a preview never writes
        answer["member_known"] = member is not None
        return answer

    @blp.route("/members/<string:ref>/nps", methods=["POST"])
    @blp.arguments(schemas.NpsRequest)
    @blp.response(201, schemas.NpsAnswered)
    @blp.alt_response(404, schema=schemas.Error, description="No such member in this token's store")
    @blp.alt_response(409, schema=schemas.Error, description="Answered in this survey period already")
    @blp.doc(
        summary="The member's answer to 'How likely are you to recommend us to a friend?' (0-10)",
        description="Scope redeem (it can book bonus points). At most one answer per survey period.",
    )
    @scope("redeem")
    def answer_nps(body, ref):
        store, member = _member_or_404(ref)
        try:
            answer = nps.record_answer(store, member, body["score"], body.get("comment", ""), source="api")
        except nps.NpsRefused as exc:
            status = 409 if exc.code == "already_answered" else 422
            raise ApiError(status, exc.code, exc.message, exc.field) from None
        start = answer.period_start
        return {
            "score": answer.score,
            "category": classify(answer.score),
            "bonus_points": answer.bonus_points,
            "period_start": start.isoformat(),
            "next_survey": nps.survey_state(member, datetime.now(timezone.utc)).next_period.isoformat(),
        }

    def not_found(anything=""):
        adapter = current_app.url_map.bind("localhost")
        allowed = []
        for method in ("GET", "POST"):
            try:
                endpoint, _args = adapter.match(request.path, method=method)
            except HTTPException:
                continue
            if endpoint != f"{BLUEPRINT}.not_found":
                allowed.append(method)
        if allowed:
            raise ApiError(
                405, "method_not_allowed", f"Use {' or '.join(allowed)} here.", headers={"Allow": ", ".join(allowed)}
            )
        raise ApiError(404, "not_found", "There is no such API endpoint.")

    # Undocumented catch-all (flask.Blueprint's add_url_rule, not flask-smorest's): JSON 404s in /api/v1.
    FlaskBlueprint.add_url_rule(
        blp, "/<path:anything>", "not_found", not_found, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]
    )
    return blp


def _docs_page(api: Api):
    def docs():
        return render_template("storefront/api_docs.html", **docs_context(api.spec.to_dict()))

    return docs


def rate_limit_storage_uri(config) -> str:
    """Where the API's rate-limit counters live: the app's one
    `LOYALTY_RATELIMIT_STORAGE_URI` (README), unless the storefront is given
    its own. `memory://` counts per process: the Procfile runs one web
    process for that reason; several processes need a shared storage."""
    return config.get("STOREFRONT_RATELIMIT_STORAGE_URI") or config.get("RATELIMIT_STORAGE_URI") or "memory://"


def init_api(app: Flask) -> Api:
    config = app.config
    config.setdefault("STOREFRONT_API_TITLE", "loyalty-sync storefront API")
    config.setdefault("STOREFRONT_API_VERSION", "v1")
    config.setdefault("STOREFRONT_OPENAPI_VERSION", "3.0.3")
    config.setdefault("STOREFRONT_OPENAPI_URL_PREFIX", "/api/v1")
    config.setdefault("STOREFRONT_OPENAPI_JSON_PATH", "openapi.json")
    config.setdefault(
        "STOREFRONT_API_SPEC_OPTIONS",
        {
            "security": [{"bearerAuth": []}],
            "info": {
                "description": "The member-facing API of loyalty-sync. Every request needs "
                "`Authorization: Bearer <token>` (flask --app wsgi api-tokens create). "
                'Errors: {"error": {"code", "message", "field"}}.'
            },
        },
    )
    config.setdefault("STOREFRONT_API_RATE_LIMIT", "120 per minute")
    api = StorefrontApi(app, config_prefix="STOREFRONT")
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    blp = make_blueprint()

    limiter = Limiter(
        key_func=_rate_key, storage_uri=rate_limit_storage_uri(config), headers_enabled=False, strategy="fixed-window"
    )
    limiter.limit(_rate_limit_value, key_func=_rate_key, on_breach=_breach)(blp)
    limiter.init_app(app)
    api.register_blueprint(blp)
    app.add_url_rule("/api/v1/docs", "storefront_api_docs", _docs_page(api))
    app.extensions["storefront_api"] = api
    app.extensions["storefront_limiter"] = limiter
    return api
