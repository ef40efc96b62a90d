"""A member redeems a reward of the catalogue (POST /api/v1/members/{ref}/redeem).

One transaction: lock the member's row (`books.lock_members`, so concurrent
redemptions take turns and each sees the points the previous one spent),
load the books, let the engine decide (`engine.rewards.redeem`: checks the
spendable balance, makes the `redeem` ledger line and the coupon, both keyed
`redeem:<member>:<n>`), book it with `books.write_plan`, and, when the request
carries an idempotency key, store the answer under that key in the same
transaction. Then the coupon is pushed to the store at once so the answer
holds a usable code; if the store is down the coupon stays in the outbox
(status pending) and the next sync pass pushes it.

Idempotency: (store, key) is unique. A second request with the same key
blocks on the unique index (PostgreSQL) or the write lock (SQLite) until the
first commits, fails on it, and answers the stored answer: never a second
redemption. A key reused with a different request is refused. Answered keys
are kept `KEY_DAYS` days (the daily upkeep purges older ones; a client
retries within minutes, not weeks); a key whose answer never became final
(`booked`: the write committed, the push did not finish) is kept.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask import current_app
from sqlalchemy.exc import IntegrityError, OperationalError

from loyalty_sync.actions.in_review import STORE_IN_REVIEW_CODE, refusal_in_review
from loyalty_sync.books.apply import worth_retrying
from loyalty_sync.books.member_books import load_books, lock_members, write_plan
from loyalty_sync.engine.money import money_text
from loyalty_sync.books.program_versions import ensure_program, program_in_force
from loyalty_sync.engine.plan import Plan
from loyalty_sync.engine.program import Program, Reward
from loyalty_sync.engine.rewards import NotEnoughPoints, redeem
from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon, IdempotencyKey, Member, Store
from loyalty_sync.store_sync.connection import client_for
from loyalty_sync.store_sync.push import PushResult, push_coupons_now

log = logging.getLogger(__name__)

ATTEMPTS = 5
KEY_DAYS = 7


class RedeemRefused(Exception):
    """The request cannot be served; `status`, `code`, `field` say why (API error shape)."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


@dataclass
class RedeemOutcome:
    status: int
    body: dict
    replayed: bool = False
    coupon_id: int | None = None


def fingerprint(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def find_reward(program: Program, reward_id: str) -> Reward | None:
    return next((r for r in program.rewards if r.id == reward_id), None)


def error_body(code: str, message: str, field: str | None = None) -> dict:
    return {"error": {"code": code, "message": message, "field": field}}


def coupon_fields(coupon: Coupon) -> dict:
    """A coupon as the storefront API shows it to its member (one shape for
    the redeem answer and the member's list of coupons)."""
    return {
        "code": coupon.code,
        "discount_type": coupon.discount_type,
        "amount": money_text(coupon.amount),
        "minimum_spend": money_text(coupon.minimum_amount) if coupon.minimum_amount else None,
        "free_shipping": bool(coupon.free_shipping),
        "expires": coupon.expires_at.isoformat() if coupon.expires_at else None,
    }


def coupon_json(coupon: Coupon) -> dict:
    return {**coupon_fields(coupon), "status": coupon.status}


def redeem_reward(
    store: Store,
    member: Member,
    reward_id: str,
    *,
    now: datetime | None = None,
    idempotency_key: str | None = None,
    endpoint: str = "redeem",
    requested_by: str = "storefront API",
    push: Callable[[Store, Coupon], None] | None = None,
) -> RedeemOutcome:
    """Redeem `reward_id` for `member`; commits. Raises RedeemRefused for an
    unknown reward, a key reused with another request or a store in review
    (409 `store_in_review`: nothing is booked there); not enough points is
    an answer (409), stored under the key like a success."""
    refusal = refusal_in_review(store, "redeem a reward")
    if refusal:
        raise RedeemRefused(409, STORE_IN_REVIEW_CODE, refusal, "reward")
    now = now or datetime.now(timezone.utc)
    member_id, store_id = member.id, store.id
    print_ = fingerprint(endpoint, member_id, reward_id)
    for attempt in range(1, ATTEMPTS + 1):
        if idempotency_key:
            replay = _stored_answer(store_id, idempotency_key, print_)
            if replay is not None:
                return replay
        try:
            outcome = _book(store_id, member_id, reward_id, now, idempotency_key, endpoint, print_, requested_by)
            db.session.commit()
            break
        except (IntegrityError, OperationalError) as exc:
            db.session.rollback()
            if idempotency_key:
                replay = _stored_answer(store_id, idempotency_key, print_)
                if replay is not None:
                    return replay
            if attempt == ATTEMPTS or not worth_retrying(exc):
                raise
            log.info("redeem collided with a concurrent writer; again (attempt %d)", attempt + 1)
            time.sleep(0.02 * attempt)
    else:  # pragma: no cover
        raise AssertionError("unreachable")

    if outcome.coupon_id is not None:
        coupon = db.session.get(Coupon, outcome.coupon_id)
        (push or push_coupon_now)(store, coupon)
        db.session.commit()
        outcome.body["coupon"] = coupon_json(coupon)
        outcome.body["pushed"] = coupon.status == "pushed"
        if idempotency_key:
            row = _key_row(store_id, idempotency_key)
            row.body, row.state = outcome.body, "done"
            db.session.commit()
    return outcome


def purge_answered_keys(store_id: int, now: datetime | None = None) -> int:
    """Forget the store's answered idempotency keys older than KEY_DAYS; the caller commits."""
    cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=KEY_DAYS)
    return db.session.execute(
        db.delete(IdempotencyKey).where(
            IdempotencyKey.store_id == store_id, IdempotencyKey.state == "done", IdempotencyKey.created_at < cutoff
        )
    ).rowcount


def _key_row(store_id: int, key: str) -> IdempotencyKey | None:
    return db.session.execute(
        db.select(IdempotencyKey).where(IdempotencyKey.store_id == store_id, IdempotencyKey.key == key)
    ).scalar_one_or_none()


def _stored_answer(store_id: int, key: str, print_: str) -> RedeemOutcome | None:
    """The answer stored under the key, or None when the key is free. While
    the first request is still pushing its coupon (state `booked`), wait a
    little for its final answer."""
    deadline = time.monotonic() + float(current_app.config.get("IDEMPOTENCY_WAIT_SECONDS", 10))
    while True:
        row = _key_row(store_id, key)
        if row is None:
            return None
        if row.fingerprint != print_:
            db.session.rollback()
            raise RedeemRefused(
                422,
                "idempotency_key_reused",
                "This Idempotency-Key was used for a different request.",
                "Idempotency-Key",
            )
        if row.state == "done" or time.monotonic() > deadline:
            outcome = RedeemOutcome(row.status_code, dict(row.body), replayed=True)
            db.session.rollback()
            return outcome
        db.session.rollback()  # a fresh snapshot on the next read
        time.sleep(0.05)


def _book(
    store_id: int,
    member_id: int,
    reward_id: str,
    now: datetime,
    key: str | None,
    endpoint: str,
    print_: str,
    requested_by: str,
) -> RedeemOutcome:
    key_row = None
    if key:
        # First write of the transaction: a concurrent request with the same key waits here.
        key_row = IdempotencyKey(
            store_id=store_id, key=key, endpoint=endpoint, fingerprint=print_, state="booked", status_code=0, body={}
        )
        db.session.add(key_row)
        db.session.flush()
    store = db.session.get(Store, store_id)
    member = db.session.get(Member, member_id)
    lock_members([member])
    ensure_program(store)  # the coupon's ledger line points at a saved version
    version, program = program_in_force(store)
    reward = find_reward(program, reward_id)
    if reward is None:
        db.session.rollback()
        raise RedeemRefused(422, "unknown_reward", f"There is no reward {reward_id!r} in the catalogue.", "reward")
    loaded = load_books([member])
    books = loaded.books[member.id]
    try:
        line, coupon = redeem(reward, books, program, now, version, requested_by=requested_by)
    except NotEnoughPoints as exc:
        outcome = RedeemOutcome(409, error_body("not_enough_points", str(exc), "reward"))
        if key_row is not None:
            key_row.status_code, key_row.body, key_row.state = outcome.status, outcome.body, "done"
        return outcome
    plan = Plan(
        ledger=[line],
        coupons=[coupon],
        order_marks={},
        tier=books.tier,
        tier_below_since=books.tier_below_since,
        tiers_rewarded=books.tiers_rewarded,
        vip_periods=tuple(books.vip_periods),
        notes=[],
    )
    write_plan(member, books, plan, loaded.order_rows[member.id], program_version=version, now=now, program=program)
    db.session.flush()
    row = db.session.execute(
        db.select(Coupon).where(Coupon.store_id == store_id, Coupon.key == coupon.key)
    ).scalar_one()
    spendable = books.spendable(now, program) - reward.points
    body = {
        "reward": {"id": reward.id, "name": reward.name, "points": reward.points},
        "coupon": coupon_json(row),
        "pushed": False,
        "points": {"balance": member.points, "spendable": spendable, "pending": books.pending(now, program)},
        "ledger_key": line.key,
    }
    if key_row is not None:
        key_row.status_code, key_row.body, key_row.state = 201, body, "booked"
    return RedeemOutcome(201, body, coupon_id=row.id)


def push_coupon_now(store: Store, coupon: Coupon) -> None:
    """Push one coupon to the store now; on any store trouble it stays in the
    outbox (pending) for the next sync pass. Short timeouts: a person waits."""
    if not store.has_keys or coupon.status not in ("pending", "failed"):
        return
    config = current_app.config
    client = client_for(
        store,
        timeout=float(config.get("STOREFRONT_PUSH_TIMEOUT_SECONDS", 5)),
        max_attempts=int(config.get("STOREFRONT_PUSH_ATTEMPTS", 2)),
    )
    try:
        push_coupons_now(store, client, [coupon], PushResult())
    except Exception as exc:  # noqa: BLE001 - the outbox is the fallback for any failure
        log.warning("coupon %s stays in the outbox, the store did not take it now: %s", coupon.code, type(exc).__name__)
        db.session.rollback()
    finally:
        client.close()
