"""Fixtures for the storefront: an offline store (no keys: nothing is pushed)
with members booked through the real apply service (tests/support/members.py),
API tokens, and a client that speaks Bearer."""

from __future__ import annotations

import pytest

from loyalty_sync.actions.api_tokens import create_token
from loyalty_sync.extensions import db
from tests.support.members import make_registered_member
from tests.support.stores import OFFLINE, make_store


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(autouse=True)
def _fresh_locale_per_request(request):
    """The `app` fixture keeps one app context (and so one `g`) open for the
    whole test; Flask-Babel caches the request's locale on `g`. In production
    every request has its own app context; reproduce that."""
    if "app" not in request.fixturenames:
        return
    from flask import g

    app = request.getfixturevalue("app")

    @app.before_request
    def _forget_locale():
        g.pop("_flask_babel", None)


@pytest.fixture
def store(app):
    # auto-redeem off: points stay spendable for the storefront to redeem
    return make_store("shop", **OFFLINE, auto_redeem=False)


@pytest.fixture
def other_store(app):
    return make_store("other", **OFFLINE, auto_redeem=False)


@pytest.fixture
def read_token(store):
    _token, text = create_token(store, "read", name="test read")
    db.session.commit()
    return text


@pytest.fixture
def redeem_token(store):
    _token, text = create_token(store, "redeem", name="test redeem")
    db.session.commit()
    return text


@pytest.fixture
def anna(store):
    # 3 orders: 400 + 300 + 250 = 950 EUR -> Silver after the second order
    return make_registered_member(store, 7, "anna@example.com", ["400.00", "300.00", "250.00"], first_order_id=1001)
