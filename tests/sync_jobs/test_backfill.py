"""Backfill against woosim over HTTP: no dry run (`stores plan` is), history-only
books no earn line but sets tiers (and later re-evaluations award nothing),
award mode earns, and an interrupted run resumes."""

from datetime import datetime, timedelta, timezone

from loyalty_sync.books.apply import apply_with_retry, reevaluate
from loyalty_sync.books.statements import find_member
from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon, LedgerEntry, Member, Order, SyncRun
from loyalty_sync.store_sync.sync_pass import run_pass
from sync_jobs.backfill import backfill
from tests.loyalty_sync.analysis.test_whatif import dump_books


def _shop(shop, woosim=None):
    """Orders of ten minutes ago (the store's clock moved back while they are placed; OAuth allows 15):
    the history a store connecting now brings."""
    if woosim is not None:
        woosim.control.set_clock_offset(-600)
    beans = shop.product("Beans", "100.00")
    anna = shop.customer("anna@example.com", "Anna")
    bob = shop.customer("bob@example.com", "Bob")
    for _ in range(4):
        shop.order([(beans["id"], 1)], customer_id=anna["id"], email="anna@example.com")  # 400: Silver
    shop.order([(beans["id"], 1)], customer_id=bob["id"], email="bob@example.com")  # 100: Bronze
    if woosim is not None:
        woosim.control.set_clock_offset(0)
    return beans, anna, bob


def test_there_is_no_dry_run_it_points_at_the_first_sync_plan(app, store, shop):
    """`sync backfill --dry-run` is gone (issue 19): what a mode would do is
    `stores plan`, the one answer (the old dry run counted a tier-up coupon
    for Anna's past promotion, which the first sync never sends)."""
    _shop(shop)
    before = dump_books()
    result = app.test_cli_runner().invoke(args=["sync", "backfill", "--store", "sim", "--award-points", "--dry-run"])
    assert result.exit_code != 0
    assert "there is no dry run" in result.output and "stores plan sim" in result.output
    assert dump_books() == before
    assert "--dry-run" not in app.test_cli_runner().invoke(args=["sync", "backfill", "--help"]).output


def test_a_finished_backfill_reads_as_words_with_its_progress_in_the_run_row(app, store, shop, woosim):
    _shop(shop, woosim)
    result = app.test_cli_runner().invoke(args=["sync", "backfill", "--store", "sim", "--history-only"])
    assert result.exit_code == 0, result.output
    assert "brought 5 orders in (history): 2 members, 0 points, tiers Bronze 1 and Silver 1" in result.output
    assert "liability 0.00 EUR" in result.output
    run = db.session.execute(db.select(SyncRun).filter_by(kind="backfill")).scalar_one()
    assert (run.counts["done"], run.counts["total"], run.counts["mode"]) == (5, 5, "history")


def test_history_only_books_no_earn_lines_but_sets_tiers_and_never_awards_later(app, store, shop, woosim):
    beans, anna, bob = _shop(shop, woosim)
    result = backfill(store, mode="history")
    assert result["finished"] and result["orders"] == 5
    db.session.expire_all()
    assert db.session.execute(db.select(db.func.count()).select_from(LedgerEntry)).scalar_one() == 0
    a = find_member(store, "anna@example.com")
    assert (a.tier, a.points, a.orders_count) == ("Silver", 0, 4)
    assert db.session.execute(db.select(Coupon).filter_by(source="tierup")).scalars().all() == []
    # Later re-evaluations, a normal pass and a refund award nothing for the history ...
    apply_with_retry(lambda: reevaluate(store, now=datetime.now(timezone.utc) + timedelta(days=1)))
    first = db.session.execute(db.select(Order).filter_by(member_id=a.id).order_by(Order.wc_id)).scalars().first()
    shop.refund(first.wc_id, "50.00")
    assert run_pass(store.id).status == "ok"
    db.session.expire_all()
    assert db.session.execute(db.select(db.func.count()).select_from(LedgerEntry)).scalar_one() == 0
    assert db.session.get(Order, first.id).refunded_total == 50
    # ... while a new order earns as usual (Silver: x1.25).
    new = shop.order([(beans["id"], 1)], customer_id=anna["id"], email="anna@example.com")
    assert run_pass(store.id).status == "ok"
    db.session.expire_all()
    lines = db.session.execute(db.select(LedgerEntry.order_wc_id, LedgerEntry.points)).all()
    assert lines == [(new["id"], 125)]


def test_award_mode_earns_and_an_interrupted_run_resumes(app, store, shop):
    beans = shop.product("Beans", "10.00")
    cust = shop.customer("many@example.com")
    for _ in range(150):
        shop.order([(beans["id"], 1)], customer_id=cust["id"], email="many@example.com")
    seen = []
    first = backfill(store, mode="award", stop_after_pages=1, progress=lambda s: seen.append((s.done, s.total)))
    assert not first["finished"] and first["orders"] == 100 and seen[-1] == (100, 150)
    assert db.session.execute(db.select(db.func.count()).select_from(Order)).scalar_one() == 100
    second = backfill(store, mode="award")
    assert second["finished"] and second["resumed_from_page"] == 2 and second["orders"] == 150
    db.session.expire_all()
    member = db.session.execute(db.select(Member).filter_by(email="many@example.com")).scalar_one()
    assert member.orders_count == 150
    earned = db.session.execute(
        db.select(db.func.sum(LedgerEntry.points)).where(LedgerEntry.kind == "earn")
    ).scalar_one()
    assert earned > 1500  # 150 x 10, more once Silver's multiplier applies


def test_history_only_tiers_guests_like_registered_members(app, store, shop, woosim):
    """Guest orders (customer_id 0) belong to the member of their billing email;
    every one of them is tiered, not only the last guest of a page."""
    woosim.control.set_clock_offset(-600)
    beans = shop.product("Beans", "100.00")
    for email in ("guest1@example.com", "guest2@example.com", "guest3@example.com"):
        for _ in range(4):
            shop.order([(beans["id"], 1)], email=email)  # 400 spent: Silver
    woosim.control.set_clock_offset(0)
    assert backfill(store, mode="history")["finished"]
    db.session.expire_all()
    guests = db.session.execute(db.select(Member).where(Member.customer_id.is_(None))).scalars().all()
    assert sorted((m.email, m.tier, m.points) for m in guests) == [
        (f"guest{i}@example.com", "Silver", 0) for i in (1, 2, 3)
    ]
