"""The on-site widget's endpoints, /widget/v1 (see storefront/README.md, "The on-site widget").

    GET  /widget/v1/widget.js, /widget/v1/widget.css      the launcher (static, cacheable)
    GET  /widget/v1/stores/<id>/program?lang=&cart_total=  how the program works (+ "earn N points")
    POST /widget/v1/stores/<id>/member   {identity, lang, cart_total}     the signed member's panel
    POST /widget/v1/stores/<id>/redeem   {identity, lang, reward} + Idempotency-Key

The widget runs in the shop's page and holds no API token: the shop's server
signs the customer (loyalty_sync/signed_identity.py) and the browser carries
the signature. The store id is in the path so a CORS preflight (which has no
body) knows whose origin to allow: the shop's, from `Store.url`, and no
other. Rate limited per visitor address with the storefront API's limiter
(WIDGET_RATE_LIMIT, default "60 per minute"). No answer holds a secret.
"""

from __future__ import annotations

import math
import os
import time
from decimal import Decimal, InvalidOperation

from flask import Blueprint, Flask, current_app, jsonify, make_response, request, send_from_directory
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import HTTPException

from loyalty_sync.actions.redemption import RedeemRefused, redeem_reward
from loyalty_sync.books.history import in_review
from loyalty_sync.extensions import csrf, db
from loyalty_sync.models import Store
from storefront.widget_access import (
    WidgetRefused,
    allowed_origin,
    refuse_foreign_origin,
    signed_member,
    store_or_refuse,
)
from storefront.widget_state import cart_preview, member_state, program_summary, widget_language

BLUEPRINT = "storefront_widget"
STATIC = os.path.join(os.path.dirname(__file__), "static")
ASSETS = {"widget.js", "widget.css"}
ASSET_MAX_AGE = 3600
PREFLIGHT_MAX_AGE = 600
MAX_CART_TOTAL = Decimal("1000000000")
MAX_KEY = 100  # stored as "widget:<key>" next to the API's keys (200 characters at most)


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise WidgetRefused(400, "bad_request", "Send a JSON object.")
    return body


def _cart_total(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        total = Decimal(str(value))
    except InvalidOperation:
        raise WidgetRefused(422, "invalid_request", "cart_total: a decimal number, e.g. 49.90.", "cart_total") from None
    if not total.is_finite() or total < 0 or total > MAX_CART_TOTAL:
        raise WidgetRefused(422, "invalid_request", "cart_total: a decimal number, e.g. 49.90.", "cart_total")
    return total


def _idempotency_key() -> str:
    key = request.headers.get("Idempotency-Key", "")
    if not (1 <= len(key) <= MAX_KEY) or any(not 0x21 <= ord(ch) <= 0x7E for ch in key):
        raise WidgetRefused(
            400,
            "idempotency_key_required",
            f"Send an Idempotency-Key header (1-{MAX_KEY} visible ASCII characters).",
            "Idempotency-Key",
        )
    return key


def _refused(error: WidgetRefused):
    return make_response(jsonify(error.body()), error.status)


def _http_error(error: HTTPException):
    if getattr(error, "response", None) is not None:  # Flask-Limiter's 429, made by _breach
        return error.response
    names = {404: "not_found", 405: "method_not_allowed", 400: "bad_request"}
    return _refused(WidgetRefused(error.code or 500, names.get(error.code, "error"), error.description or error.name))


def _crash(error: Exception):
    current_app.logger.exception("widget request failed")
    db.session.rollback()
    return _refused(WidgetRefused(500, "internal_error", "Something went wrong on our side; nothing was applied."))


def _add_cors(response):
    """Allow the shop's own origin (and only it) to read the answer."""
    response.vary.add("Origin")
    store_id = (request.view_args or {}).get("store_id")
    origin = request.headers.get("Origin")
    if store_id is None or not origin:
        return response
    store = db.session.get(Store, store_id)
    if store is not None and origin.lower() == allowed_origin(store):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "GET, POST"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type, Idempotency-Key"
        response.headers["Access-Control-Expose-Headers"] = "Idempotent-Replayed, Retry-After"
        response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
    return response


def _rate_key() -> str:
    return f"widget:{get_remote_address()}"


def _rate_limit_value() -> str:
    return current_app.config.get("WIDGET_RATE_LIMIT", "60 per minute")


def _breach(limit):
    retry = max(1, math.ceil(limit.window[0] - time.time()))  # window: (reset time, remaining)
    response = _refused(
        WidgetRefused(429, "rate_limited", f"Too many requests: {limit.limit}. Try again in {retry} seconds.")
    )
    response.headers["Retry-After"] = str(retry)
    return _add_cors(response)


def _asset(name: str):
    if name not in ASSETS:
        return _refused(WidgetRefused(404, "not_found", "There is no such file."))
    response = send_from_directory(STATIC, name, max_age=ASSET_MAX_AGE)
    # any shop may load the script and its styles; they hold no data
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def make_blueprint() -> Blueprint:
    bp = Blueprint(BLUEPRINT, __name__, url_prefix="/widget/v1")
    bp.register_error_handler(WidgetRefused, _refused)
    bp.register_error_handler(HTTPException, _http_error)
    bp.register_error_handler(Exception, _crash)
    bp.after_request(_add_cors)

    @bp.before_request
    def _known_store_and_origin():
        store_id = (request.view_args or {}).get("store_id")
        if store_id is not None and request.method != "OPTIONS":
            refuse_foreign_origin(store_or_refuse(store_id))

    bp.add_url_rule("/<string:name>", "asset", _asset, methods=["GET"])

    @bp.route("/stores/<int:store_id>/program", methods=["GET"])
    def program(store_id):
        store = store_or_refuse(store_id)
        lang = widget_language(request.args.get("lang"))
        answer = program_summary(store, lang)
        answer["cart"] = cart_preview(store, None, _cart_total(request.args.get("cart_total")))
        db.session.rollback()  # read only
        return jsonify(answer)

    @bp.route("/stores/<int:store_id>/member", methods=["POST"])
    def member(store_id):
        store = store_or_refuse(store_id)
        body = _json_body()
        lang = widget_language(body.get("lang"))
        cart_total = _cart_total(body.get("cart_total"))
        found = signed_member(store, body)
        answer = member_state(store, found, lang)
        answer["cart"] = cart_preview(store, found, cart_total)
        db.session.rollback()  # read only (member_status committed a referral coupon it issued)
        return jsonify(answer)

    @bp.route("/stores/<int:store_id>/redeem", methods=["POST"])
    def redeem(store_id):
        store = store_or_refuse(store_id)
        body = _json_body()
        key = _idempotency_key()
        found = signed_member(store, body)
        if in_review(store):
            raise WidgetRefused(409, "store_in_review", "The shop has not opened its loyalty program yet.")
        reward = body.get("reward")
        if not isinstance(reward, str) or not reward:
            raise WidgetRefused(422, "invalid_request", "reward: the id of a reward of the catalogue.", "reward")
        try:
            outcome = redeem_reward(
                store,
                found,
                reward,
                idempotency_key=f"widget:{key}",
                endpoint="widget-redeem",
                requested_by=f"on-site widget (customer {found.customer_id})",
            )
        except RedeemRefused as exc:
            raise WidgetRefused(exc.status, exc.code, exc.message, exc.field) from None
        response = make_response(jsonify(outcome.body), outcome.status)
        if outcome.replayed:
            response.headers["Idempotent-Replayed"] = "true"
        return response

    return bp


def init_widget(app: Flask) -> Blueprint:
    """Register the blueprint, outside the CSRF check (no cookie is involved:
    the shop's signature is the key) and under the storefront's rate limiter."""
    app.config.setdefault("WIDGET_RATE_LIMIT", "60 per minute")
    bp = make_blueprint()
    limiter = app.extensions.get("storefront_limiter")
    if limiter is not None:
        limiter.limit(_rate_limit_value, key_func=_rate_key, on_breach=_breach)(bp)
    app.register_blueprint(bp)
    csrf.exempt(bp)
    return bp
