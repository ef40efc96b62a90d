"""Shared pieces of the reliability suite: the books and the store's state
seen independently of random coupon codes and row ids, a reference
(uninterrupted, fault-free) run computed once per session, and helpers to
run `flask --app wsgi sync run` in a subprocess against the test database.
"""

import contextlib
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func

from loyalty_sync.books.meta_owner import INSTALLATION
from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon, LedgerEntry, Member
from tests.support.stores import store_on
from woosim.testing import WooSimServer

ROOT = Path(__file__).resolve().parents[2]

#: The store every reliability scenario syncs: "a few thousand orders".
SEED = dict(seed="demo", customers=120, orders=2000)
# woosim dates its seeded history back from its own "now"; every store of the
# session is seeded as of this one instant, so the reference run and each
# test's run read the very same orders (a store seeded minutes later would
# move dates across a midnight now and then, e.g. a VIP end date).
ANCHOR = time.time()
#: Our record of the SEED store: `store_on(sim, **SEED_STORE)`; `sync_command` names it.
SEED_STORE = {"name": "S", "webhook_secret": "whsec-reliability"}


@contextlib.contextmanager
def seeded_sim(**options):
    """The SEED store, seeded as of ANCHOR, then on the real clock again."""
    with WooSimServer(**options) as sim:
        sim.control.set_clock_offset(ANCHOR - time.time())
        sim.control.reset(**SEED)
        sim.control.set_clock_offset(0)
        yield sim


def ledger_view() -> list[tuple]:
    """The ledger by member email / kind / points / order, keys without our member ids."""
    rows = db.session.execute(
        db.select(Member.email, LedgerEntry.kind, LedgerEntry.points, LedgerEntry.order_wc_id, LedgerEntry.key).join(
            Member, Member.id == LedgerEntry.member_id
        )
    ).all()
    return sorted((e, k, p, o, re.sub(r":m\d+", ":m*", key)) for e, k, p, o, key in rows)


def balances_view() -> dict[str, int]:
    return dict(db.session.execute(db.select(Member.email, Member.points)).all())


def assert_balances_match_ledger() -> None:
    sums = dict(
        db.session.execute(
            db.select(LedgerEntry.member_id, func.sum(LedgerEntry.points)).group_by(LedgerEntry.member_id)
        ).all()
    )
    wrong = [
        (m.email, m.points, sums.get(m.id, 0))
        for m in db.session.execute(db.select(Member)).scalars()
        if m.points != sums.get(m.id, 0)
    ]
    assert not wrong, f"balance != sum of ledger for {wrong[:5]}"


def store_coupons(sim) -> list[dict]:
    """Every coupon in woosim (straight from its memory: no paging, no faults)."""
    with sim.state.lock:
        return [dict(c) for c in sim.state.coupons.values()]


def coupon_view(sim) -> Counter:
    """Our coupons in the store, as (email, description, amount): codes are random."""
    seen = Counter()
    for c in store_coupons(sim):
        description = str(c.get("description", ""))
        if not description.startswith("loyalty-sync"):
            continue
        emails = c.get("email_restrictions") or c.get("email_restrictions_list") or []
        seen[(tuple(sorted(e.lower() for e in emails)), description, str(c.get("amount")))] += 1
    return seen


def our_coupon_codes_in_store(sim) -> list[str]:
    return [
        str(c.get("code")).lower()
        for c in store_coupons(sim)
        if str(c.get("description", "")).startswith("loyalty-sync")
    ]


def meta_view(sim) -> dict[str, dict]:
    """`loyalty_*` customer meta in the store, by customer email; without the mark of the installation
    that wrote it (books/meta_owner.py): the runs compared are different installations by design."""
    out = {}
    with sim.state.lock:
        for c in sim.state.customers.values():
            meta = {
                str(key): str(value)
                for _id, key, value in c.get("meta") or []
                if str(key).startswith("loyalty_") and key != INSTALLATION
            }
            if meta:
                out[c["email"].lower()] = meta
    return out


def books_view() -> dict:
    return {
        "ledger": ledger_view(),
        "balances": balances_view(),
        "coupons": sorted(
            db.session.execute(
                db.select(Member.email, Coupon.source, Coupon.amount, Coupon.status).join(
                    Member, Member.id == Coupon.member_id
                )
            ).all()
        ),
    }


def flask_env(database_url: str, instance: Path) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "LOYALTY_INSTANCE_PATH": str(instance),
            "SECRET_KEY": "reliability",
            "LOYALTY_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
            "LOYALTY_STORE_BACKOFF_BASE": "0.01",
            "LOYALTY_STORE_BACKOFF_MAX": "0.05",
        }
    )
    return env


def sync_command(store: str = "S") -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "wsgi", "sync", "run", "--store", store, "--wait"]


@pytest.fixture(scope="session")
def reference(sqlite_template, tmp_path_factory):
    """The books and the store after one uninterrupted, fault-free pass (and a
    second, no-op one) of the SEED store, computed once on SQLite."""
    import shutil

    from loyalty_sync.app import create_app
    from loyalty_sync.store_sync.sync_pass import run_pass

    folder = tmp_path_factory.mktemp("reference")
    path = folder / "ref.sqlite3"
    shutil.copy(sqlite_template, path)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "TESTING": True, "SECRET_KEY": "t"})
    with seeded_sim() as sim, app.app_context():
        store = store_on(sim, **SEED_STORE)
        runs = [run_pass(store.id) for _ in range(2)]
        assert [r.status for r in runs] == ["ok", "ok"], [r.error for r in runs]
        result = {
            "books": books_view(),
            "coupons": coupon_view(sim),
            "meta": meta_view(sim),
            "seconds": runs[0].duration_seconds,
        }
        db.session.remove()
        db.engine.dispose()
    assert result["books"]["ledger"] and result["coupons"] and result["meta"]
    return result


def assert_same_as_reference(reference, sim) -> None:
    """The books, the coupons in the store and the customer meta equal the reference run's."""
    db.session.expire_all()
    assert_balances_match_ledger()
    books = books_view()
    assert books["ledger"] == reference["books"]["ledger"], _diff(books["ledger"], reference["books"]["ledger"])
    assert books["balances"] == reference["books"]["balances"]
    assert books["coupons"] == reference["books"]["coupons"], _diff(books["coupons"], reference["books"]["coupons"])
    codes = our_coupon_codes_in_store(sim)
    assert len(codes) == len(set(codes)), "a coupon code is twice in the store"
    coupons = coupon_view(sim)
    assert coupons == reference["coupons"], (
        f"store coupons differ: extra {coupons - reference['coupons']}, missing {reference['coupons'] - coupons}"
    )
    assert meta_view(sim) == reference["meta"]


def _diff(got, want) -> str:
    got_c, want_c = Counter(map(tuple, got)), Counter(map(tuple, want))
    return f"extra {list((got_c - want_c).items())[:8]}; missing {list((want_c - got_c).items())[:8]}"


def run_cli_pass(database_url: str, instance: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        sync_command(), env=flask_env(database_url, instance), capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )
