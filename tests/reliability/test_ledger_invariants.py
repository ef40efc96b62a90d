"""Ledger invariants under random histories (hypothesis stateful testing on a
real SQLite database): orders, refunds, edits, cancellations, rule changes,
expiry (re-evaluation with a later `now`), admin adjustments, redemptions
(auto-redeem into coupons) and re-runs. After every step: each member's
balance is the sum of their ledger, no idempotency key or coupon code is
used twice, and re-applying what the books already hold changes nothing."""

import dataclasses
import itertools
import shutil
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from sqlalchemy import func

from loyalty_sync.actions.member_actions import adjust_points
from loyalty_sync.app import create_app
from loyalty_sync.books.apply import apply_orders, reevaluate
from loyalty_sync.books.program_versions import program_in_force, save_program
from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon, LedgerEntry, Member
from tests.reliability.conftest import assert_balances_match_ledger
from tests.support import wc
from tests.support.stores import make_store

EMAILS = ["anna@example.com", "ben@example.com", "clara@example.com", "dora@example.com"]
_files = itertools.count()


def ledger_rows() -> list[tuple]:
    return sorted(db.session.execute(db.select(LedgerEntry.key, LedgerEntry.points)).all())


def make_machine(template, folder):
    class LedgerMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.path = folder / f"ledger-{next(_files)}.sqlite3"
            shutil.copy(template, self.path)
            self.app = create_app(
                {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{self.path}", "TESTING": True, "SECRET_KEY": "t"}
            )
            self.ctx = self.app.app_context()
            self.ctx.push()
            self.store = make_store("h")
            self.orders: dict[int, dict] = {}
            self.refunds: dict[int, list[dict]] = {}
            self.next_id = 100
            self.day = 0
            self.now = wc.day(1)

        def teardown(self):
            db.session.remove()
            db.engine.dispose()
            self.ctx.pop()
            self.path.unlink(missing_ok=True)

        # --- helpers -----------------------------------------------------------
        def _apply(self, orders: list[dict]):
            refunds = {o["id"]: self.refunds[o["id"]] for o in orders if o["id"] in self.refunds}
            apply_orders(self.store, orders, refunds_by_order=refunds, now=self.now)
            db.session.commit()

        def _tick(self, days: float = 1):
            self.day += days
            self.now = max(self.now, wc.day(self.day) + timedelta(hours=1))

        def _touch(self, order: dict):
            self._tick(0.5)
            order["date_modified_gmt"] = order["date_modified"] = wc.gmt(wc.day(self.day))

        # --- rules -------------------------------------------------------------
        @rule(
            email=st.sampled_from(EMAILS),
            euros=st.integers(1, 700),
            status=st.sampled_from(["completed", "completed", "processing", "pending", "cancelled"]),
            registered=st.booleans(),
        )
        def place_order(self, email, euros, status, registered):
            self._tick()
            order_id, self.next_id = self.next_id, self.next_id + 2
            order = wc.order(
                order_id,
                lines=[wc.line(order_id * 10, f"{euros}.00")],
                email=email,
                status=status,
                customer_id=(2 + EMAILS.index(email)) if registered else 0,
                created=wc.day(self.day),
            )
            self.orders[order_id] = order
            self._apply([order])

        @precondition(lambda self: self.orders)
        @rule(data=st.data(), share=st.sampled_from([Decimal("0.25"), Decimal("0.5"), Decimal("1")]))
        def refund(self, data, share):
            order = self.orders[data.draw(st.sampled_from(sorted(self.orders)))]
            line = order["line_items"][0]
            already = sum(Decimal(r["amount"]) for r in self.refunds.get(order["id"], []))
            amount = (Decimal(line["total"]) * share).quantize(Decimal("0.01"))
            if order["status"] != "completed" or already + amount > Decimal(order["total"]):
                return
            self._touch(order)
            refund_id = order["id"] * 1000 + len(self.refunds.get(order["id"], [])) + 1
            detail = wc.refund(refund_id, f"{amount:.2f}", at=wc.day(self.day), lines=[(line["id"], 0, amount)])
            self.refunds.setdefault(order["id"], []).append(detail)
            order["refunds"].append({"id": refund_id, "reason": "", "total": f"-{amount:.2f}"})
            self._apply([order])

        @precondition(lambda self: self.orders)
        @rule(data=st.data(), euros=st.integers(1, 700))
        def edit(self, data, euros):
            order = self.orders[data.draw(st.sampled_from(sorted(self.orders)))]
            if self.refunds.get(order["id"]):
                return  # a refunded order's lines are not edited in WooCommerce
            line = wc.line(order["line_items"][0]["id"], f"{euros}.00")
            edited = wc.order(
                order["id"],
                lines=[line],
                email=order["billing"]["email"],
                status=order["status"],
                customer_id=order["customer_id"],
                created=wc.day(0),
            )
            edited["date_created_gmt"] = edited["date_created"] = order["date_created_gmt"]
            edited["date_paid_gmt"], edited["date_completed_gmt"] = order["date_paid_gmt"], order["date_completed_gmt"]
            self.orders[order["id"]] = edited
            self._touch(edited)
            self._apply([edited])

        @precondition(lambda self: self.orders)
        @rule(data=st.data(), status=st.sampled_from(["cancelled", "completed", "refunded", "failed"]))
        def change_status(self, data, status):
            order = self.orders[data.draw(st.sampled_from(sorted(self.orders)))]
            if status == "refunded" or self.refunds.get(order["id"]):
                return
            order["status"] = status
            if status == "completed" and not order["date_completed_gmt"]:
                order["date_completed_gmt"] = order["date_paid_gmt"] = wc.gmt(wc.day(self.day))
            self._touch(order)
            self._apply([order])

        @rule(rate=st.sampled_from([Decimal("0.5"), Decimal("1"), Decimal("2")]), auto_redeem=st.booleans())
        def change_rules(self, rate, auto_redeem):
            _number, program = program_in_force(self.store)
            save_program(
                self.store,
                dataclasses.replace(program, rate=rate, auto_redeem=auto_redeem),
                actor="hypothesis",
                note="rule change",
            )
            db.session.commit()

        @rule(days=st.sampled_from([30, 200, 400, 800]))
        def time_passes(self, days):
            """Expiry, demotion, VIP end, expired coupons: re-evaluate with a later `now`."""
            self._tick(days)
            reevaluate(self.store, now=self.now)
            db.session.commit()

        @precondition(lambda self: self.orders)
        @rule(data=st.data(), amount=st.integers(-800, 800).filter(bool))
        def adjust(self, data, amount):
            members = db.session.execute(db.select(Member).order_by(Member.id)).scalars().all()
            member = data.draw(st.sampled_from(members))
            adjust_points(self.store, member, amount, "goodwill", actor="admin@example.com", now=self.now)
            db.session.commit()

        @precondition(lambda self: self.orders)
        @rule()
        def rerun_is_a_no_op(self):
            before = ledger_rows()
            coupons = db.session.execute(db.select(func.count()).select_from(Coupon)).scalar_one()
            self._apply(list(self.orders.values()))
            assert ledger_rows() == before, "re-applying the same orders booked something"
            assert db.session.execute(db.select(func.count()).select_from(Coupon)).scalar_one() == coupons

        # --- invariants ----------------------------------------------------------
        @invariant()
        def balance_is_the_sum_of_the_ledger(self):
            db.session.expire_all()
            assert_balances_match_ledger()

        @invariant()
        def no_key_or_code_twice(self):
            keys = db.session.execute(
                db.select(LedgerEntry.key, func.count()).group_by(LedgerEntry.key).having(func.count() > 1)
            ).all()
            assert not keys, keys
            codes = db.session.execute(
                db.select(func.lower(Coupon.code), func.count())
                .group_by(func.lower(Coupon.code))
                .having(func.count() > 1)
            ).all()
            assert not codes, codes
            coupon_keys = db.session.execute(
                db.select(Coupon.key, func.count()).group_by(Coupon.key).having(func.count() > 1)
            ).all()
            assert not coupon_keys, coupon_keys

    return LedgerMachine


@pytest.mark.slow
def test_ledger_invariants_hold_over_random_histories(sqlite_template, tmp_path):
    machine = make_machine(sqlite_template, tmp_path)
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=30,
            stateful_step_count=20,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
