"""Fixtures for the storefront: a store with members booked through the real
apply service (tests/support/wc.py JSON), API tokens, and a client that
speaks Bearer."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from loyalty_sync.actions.api_tokens import create_token
from loyalty_sync.books.apply import apply_customers, apply_orders
from loyalty_sync.books.program_versions import ensure_program, save_program
from loyalty_sync.books.statements import find_member
from loyalty_sync.engine.program import DEFAULT_PROGRAM
from loyalty_sync.extensions import db
from loyalty_sync.models import Store
from tests.support import wc

# The API reads the real clock: the books are made "now", orders in the last weeks.
NOW = datetime.now(timezone.utc).replace(microsecond=0)


def order_day(i: int) -> datetime:
    return NOW - timedelta(days=60) + timedelta(days=3 * i)


def make_store(name: str = "shop", *, url: str = "http://127.0.0.1:9", keys: bool = False, **program) -> Store:
    store = Store(name=name, url=url, consumer_key="ck_" + "k" * 20 if keys else "",
                  consumer_secret="cs_" + "s" * 20 if keys else "", currency="EUR")
    db.session.add(store)
    db.session.flush()
    ensure_program(store)
    if program:
        save_program(store, replace(DEFAULT_PROGRAM, **program), actor="test")
    db.session.commit()
    return store


def make_member(store: Store, customer_id: int, email: str, totals: list[str], *, first_order_id: int,
                first_name: str = "Anna", now: datetime = NOW):
    """A registered customer with completed orders of these totals (one line each)."""
    apply_customers(store, [wc.customer(customer_id, email, first_name=first_name)], now=now)
    orders = [wc.order(first_order_id + i, customer_id=customer_id, email=email,
                       lines=[wc.line((first_order_id + i) * 10, total)], created=order_day(i))
              for i, total in enumerate(totals)]
    apply_orders(store, orders, now=now)
    db.session.commit()
    return find_member(store, email)


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
    return make_store("shop", auto_redeem=False)


@pytest.fixture
def other_store(app):
    return make_store("other", auto_redeem=False)


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
    return make_member(store, 7, "anna@example.com", ["400.00", "300.00", "250.00"], first_order_id=1001)
