"""Turning points into coupons: the reward catalogue and auto-redeem."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

from loyalty_sync.engine.ledger import CouponLine, CouponSource, CouponStatus, LedgerKind, LedgerLine, MemberBooks
from loyalty_sync.engine.program import CouponTemplate, Program, Reward


class NotEnoughPoints(Exception):
    """A requested reward costs more than the member can spend now."""

    def __init__(self, reward: Reward, spendable: int):
        super().__init__(f"{reward.name} costs {reward.points} points; {spendable} can be spent now")
        self.reward = reward
        self.spendable = spendable


def new_coupon(
    key: str,
    source: str,
    template: CouponTemplate,
    points_cost: int,
    now: datetime,
    program: Program,
    reason: str,
    expires: datetime | None = None,
) -> CouponLine:
    """A coupon to push: the shop-wide minimum spend applies to every coupon,
    and the expiry is the template's or the program's (PRODUCT.md: "every
    issued coupon: ... expiry (default 90 days), optional minimum spend")."""
    if template.minimum_amount < program.coupon_minimum_amount:
        template = replace(template, minimum_amount=program.coupon_minimum_amount)
    if expires is None:
        days = template.expiry_days if template.expiry_days is not None else program.coupon_expiry_days
        expires = now + timedelta(days=days)
    return CouponLine(
        key=key,
        source=source,
        template=template,
        points_cost=points_cost,
        issued=now,
        expires=expires,
        status=CouponStatus.PENDING,
        reason=reason,
    )


def best_reward_for(points: int, program: Program) -> Reward | None:
    """The most valuable reward the points cover (by points cost; the larger
    coupon amount breaks a tie), or None."""
    covered = [r for r in program.rewards if 0 < r.points <= points]
    if not covered:
        return None
    return max(covered, key=lambda r: (r.points, r.coupon.amount, r.id))


def auto_redeem_choices(spendable: int, program: Program) -> list[Reward]:
    """Rewards auto-redeem takes for this spendable balance, in order.

    The most valuable reward the balance covers, again while the rest still
    covers the lowest one: 1200 -> [1000]; 2600 -> [1000, 1000, 500].
    """
    chosen: list[Reward] = []
    left = spendable
    while True:
        reward = best_reward_for(left, program)
        if reward is None:
            return chosen
        chosen.append(reward)
        left -= reward.points


def redeem_count(ledger: Sequence[LedgerLine]) -> int:
    return sum(1 for line in ledger if line.kind == LedgerKind.REDEEM)


def redeem_lines(
    reward: Reward,
    member_key: str,
    number: int,
    now: datetime,
    program: Program,
    program_version: int | None = None,
    requested_by: str = "auto-redeem",
) -> tuple[LedgerLine, CouponLine]:
    """The ledger line and the coupon of one redemption; both keyed
    `redeem:<member_key>:<number>` so a retry cannot redeem twice."""
    key = f"redeem:{member_key}:{number}"
    reason = f"{requested_by}: {reward.points} points -> {reward.name}"
    line = LedgerLine(
        key=key,
        kind=LedgerKind.REDEEM,
        points=-reward.points,
        at=now,
        reason=reason,
        rule_version=program_version,
        coupon_key=key,
    )
    coupon = new_coupon(key, CouponSource.REWARD, reward.coupon, reward.points, now, program, reason)
    return line, coupon


def redeem(
    reward: Reward,
    books: MemberBooks,
    program: Program,
    now: datetime,
    program_version: int | None = None,
    requested_by: str = "requested by the member",
) -> tuple[LedgerLine, CouponLine]:
    """An explicit request for one reward; raises NotEnoughPoints when the
    spendable balance (pending points excluded) does not cover it."""
    spendable = books.spendable(now, program)
    if reward.points <= 0 or spendable < reward.points:
        raise NotEnoughPoints(reward, spendable)
    return redeem_lines(
        reward, books.member_key, redeem_count(books.ledger) + 1, now, program, program_version, requested_by
    )


def point_value(rewards: Sequence[Reward]) -> Decimal:
    """The money one point is worth: the best ratio in the reward catalogue.

    Only fixed-amount rewards have a money value independent of the cart; the
    best one (highest amount per point) is used because auto-redeem always
    takes the most valuable reward the balance covers, so this is what the
    shop may have to give for a point: an upper bound of the liability, the
    prudent figure for the books. 0 when the catalogue has no fixed reward.
    """
    rates = [
        Decimal(r.coupon.amount) / Decimal(r.points)
        for r in rewards
        if r.coupon.discount_type == "fixed_cart" and r.points > 0
    ]
    return max(rates, default=Decimal(0))
