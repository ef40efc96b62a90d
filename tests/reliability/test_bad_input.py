"""Bad input: malformed and hostile records fed to the apply service and
through a whole pass. Nothing crashes; each bad record is refused with a
logged reason naming it (a RejectedRecord row); the rest of the batch is
applied."""

import json
import logging

import pytest
from sqlalchemy import func

from loyalty_sync.books.apply import apply_customers, apply_orders, apply_products
from loyalty_sync.extensions import db
from loyalty_sync.models import LedgerEntry, Member, Order, Product, RejectedRecord
from tests.reliability import corpus
from tests.reliability.conftest import assert_balances_match_ledger
from tests.support.stores import make_store

# Bugs this suite finds are kept here, failing on purpose (xfail strict), until fixed:
# (case, backend) -> reason. The ones it found so far are fixed.
KNOWN: dict = {}


@pytest.fixture
def store(app):
    return make_store("corpus")


def _ref_id(record):
    return record.get("id") if isinstance(record, dict) else None


def _named(ref_id, resource: str) -> bool:
    """A RejectedRecord names the record: `order 123` when it had a usable id."""
    rows = db.session.execute(db.select(RejectedRecord).where(RejectedRecord.resource == resource)).scalars().all()
    if isinstance(ref_id, int) and not isinstance(ref_id, bool) and ref_id > 0:
        return any(f"{resource} {ref_id}" in r.ref and r.reason.strip() for r in rows)
    return any(r.reason.strip() for r in rows)


DATABASE_SENSITIVE = ("bits", "NUL", "enormous", "unicode", "html", "sql")


def _cases(kind: str, cases) -> list:
    """Each case on each backend, the known bugs marked xfail(strict) with their exact reason."""
    from tests.conftest import BACKENDS

    out = []
    for name, _record, _expected in cases:
        # The parsing is the same on both databases; what the database itself may
        # refuse (number ranges, NUL bytes, sizes, unicode) is tried on both.
        backends = BACKENDS if any(w in name for w in DATABASE_SENSITIVE) else [b for b in BACKENDS if b == "sqlite"]
        for backend in backends or BACKENDS[:1]:
            reason = KNOWN.get((kind, name, None)) or KNOWN.get((kind, name, backend))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            out.append(pytest.param(backend, name, marks=marks, id=f"{backend}-{name}"))
    return out


def _check_one(kind, expected, rejected, stored, ref_id, caplog):
    if expected == "reject":
        assert not stored, f"a bad {kind} was applied"
    assert stored or rejected, f"the {kind} was neither applied nor rejected: lost silently"
    if rejected:
        assert _named(ref_id, kind), "the rejection does not name the record or give a reason"
        assert any("rejected" in r.getMessage() for r in caplog.records), "no log line for the rejection"


@pytest.mark.parametrize(("database_url", "name"), _cases("order", corpus.NASTY_ORDERS), indirect=["database_url"])
def test_a_nasty_order_is_refused_by_name_and_the_rest_of_the_batch_applies(app, store, name, caplog):
    _name, record, expected = next(c for c in corpus.NASTY_ORDERS if c[0] == name)
    caplog.set_level(logging.WARNING)
    batch = [corpus.good_order(1, "before@example.com"), record, corpus.good_order(3, "after@example.com")]
    result = apply_orders(store, batch)
    db.session.commit()
    stored_ids = set(db.session.execute(db.select(Order.wc_id)).scalars())
    assert {1, 3} <= stored_ids, "the good orders around the bad one must be applied"
    points = dict(db.session.execute(db.select(Member.email, Member.points)).all())
    assert points["before@example.com"] == 100 and points["after@example.com"] == 100
    ref_id = _ref_id(record)
    stored = bool(stored_ids - {1, 3})
    _check_one("order", expected, bool(result.rejected), stored, ref_id, caplog)
    assert_balances_match_ledger()


@pytest.mark.parametrize(
    ("database_url", "name"), _cases("customer", corpus.NASTY_CUSTOMERS), indirect=["database_url"]
)
def test_a_nasty_customer_is_refused_by_name_and_the_rest_applies(app, store, name, caplog):
    _name, record, expected = next(c for c in corpus.NASTY_CUSTOMERS if c[0] == name)
    caplog.set_level(logging.WARNING)
    from tests.support import wc

    batch = [wc.customer(100, "first@example.com"), record, wc.customer(101, "last@example.com")]
    result = apply_customers(store, batch)
    db.session.commit()
    emails = set(db.session.execute(db.select(Member.email)).scalars())
    assert {"first@example.com", "last@example.com"} <= emails
    stored = bool(emails - {"first@example.com", "last@example.com"})
    _check_one("customer", expected, bool(result.rejected), stored, _ref_id(record), caplog)


@pytest.mark.parametrize(("database_url", "name"), _cases("product", corpus.NASTY_PRODUCTS), indirect=["database_url"])
def test_a_nasty_product_is_refused_by_name_and_the_rest_applies(app, store, name, caplog):
    _name, record, expected = next(c for c in corpus.NASTY_PRODUCTS if c[0] == name)
    caplog.set_level(logging.WARNING)
    from tests.support import wc

    batch = [wc.product(100, sku="A"), record, wc.product(101, sku="B")]
    result = apply_products(store, batch)
    db.session.commit()
    ids = set(db.session.execute(db.select(Product.wc_id)).scalars())
    assert {100, 101} <= ids
    _check_one("product", expected, bool(result.rejected), bool(ids - {100, 101}), _ref_id(record), caplog)


@pytest.mark.parametrize(
    "kind",
    [
        "product",
        "customer",
    ],
)
def test_a_generated_corpus_of_broken_products_and_customers_is_applied_or_refused_one_by_one(
    app, store, kind, request
):
    """Valid records broken at random (fixed seeds), in one big batch each, as a pass applies them."""
    records = corpus.generated_products(80) if kind == "product" else corpus.generated_customers(150)
    apply = apply_products if kind == "product" else apply_customers
    result = apply(store, records)
    db.session.commit()
    assert result.applied + len(result.rejected) >= len(records), f"{kind}s lost silently"
    assert len(result.rejected) > 10 and result.applied > 10
    refused = db.session.execute(db.select(RejectedRecord.ref, RejectedRecord.reason)).all()
    assert all(reason.strip() for _ref, reason in refused)


def test_a_generated_corpus_of_hundreds_of_broken_orders_is_applied_or_refused_one_by_one(app, store):
    """320 valid orders broken at random (fixed seed) in one batch, then the same batch again."""
    orders = corpus.generated_orders(320)
    result = apply_orders(store, orders)
    db.session.commit()
    assert result.applied + result.unchanged + len(result.rejected) == len(orders)
    assert len(result.rejected) > 50, "the corpus is meant to be mostly broken"
    assert result.applied > 20, "and to leave some records applicable"
    refused = db.session.execute(db.select(RejectedRecord.ref, RejectedRecord.reason)).all()
    assert all(reason.strip() for _ref, reason in refused)
    # Applying the same corpus again books nothing new.
    before = db.session.execute(db.select(func.count()).select_from(LedgerEntry)).scalar_one()
    apply_orders(store, orders)
    db.session.commit()
    assert db.session.execute(db.select(func.count()).select_from(LedgerEntry)).scalar_one() == before
    assert_balances_match_ledger()


# --- through a pass ---------------------------------------------------------------


class _HostileTransport:
    """woosim's real answers, with hostile records slipped into the first page of orders."""

    def __init__(self, inner, hostile: list):
        self.inner, self.hostile = inner, hostile

    def request(self, method, endpoint, params, json_body):
        response = self.inner.request(method, endpoint, params, json_body)
        if method == "GET" and endpoint == "orders" and (params or {}).get("page") == "1" and self.hostile:
            body = json.loads(response.content) + self.hostile
            return _Answer(response.status_code, dict(response.headers), json.dumps(body).encode())
        return response

    def close(self):
        self.inner.close()


class _Answer:
    def __init__(self, status_code, headers, content):
        self.status_code, self.headers, self.content = status_code, headers, content


def test_a_pass_meeting_hostile_orders_rejects_them_and_books_the_rest(app, caplog):
    from loyalty_sync.store_sync.sync_pass import run_pass
    from loyalty_sync.woocommerce import StoreClient, WooCommerceTransport
    from tests.reliability.conftest import SEED_STORE
    from tests.support.stores import quick_retries, store_on
    from woosim.testing import WooSimServer

    quick_retries(app)
    hostile = [r for _n, r, expected in corpus.NASTY_ORDERS if expected == "reject" and _n != "enormous line list"]
    hostile += corpus.generated_orders(150, seed=99, first_id=900_000)
    with WooSimServer(seed="demo", customers=30, orders=300) as sim:
        store = store_on(sim, **SEED_STORE)
        inner = WooCommerceTransport(sim.url, sim.key, sim.secret, timeout=10)
        client = StoreClient(sim.url, sim.key, sim.secret, transport=_HostileTransport(inner, hostile))
        run = run_pass(store.id, client=client)
        assert run.status == "partial", run.error
        assert run.counts["rejected"] >= len([1 for _n, _r, e in corpus.NASTY_ORDERS if e == "reject"]) - 1
        seeded = db.session.execute(
            db.select(func.count()).select_from(Order).where(Order.wc_id < 900_000)
        ).scalar_one()
        assert seeded >= 300, "every seeded order is booked despite the hostile ones"
        refused = (
            db.session.execute(db.select(RejectedRecord).where(RejectedRecord.sync_run_id == run.id)).scalars().all()
        )
        assert len(refused) == run.counts["rejected"]
        assert all(r.reason.strip() for r in refused)
        assert_balances_match_ledger()
