"""Rule-conflict warnings: things in a program that can be saved and run but
are probably not what the shop meant. Shown when rules are saved (the admin
calls `warnings_for`; `program save` prints them). Warnings never block
saving; `validate_program` is what refuses a program that cannot run.

Each warning is addressed like the form field it is about (the same paths as
`validate_program`'s errors: `multipliers.1`, `tiers.2.threshold`, ...).

Checks:
- two multipliers for the same product or category (or two store-wide ones)
  whose windows overlap: which one wins (or that they stack);
- a multiplier whose window is already over;
- a tier threshold that no member reaches now in the tier window, with how
  many are near it (at least `NEAR` of the threshold);
- a reward that gives less money per point than a cheaper reward;
- points that expire before they become spendable (expiry shorter than the
  pending period);
- VIP qualification easier than reaching the top tier;
- a VIP membership SKU that is not in the store's catalogue (saving refuses
  it unless overridden: `membership_sku.py`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from loyalty_sync.analysis.membership_sku import unknown_membership_sku
from loyalty_sync.books.order_facts import facts_from_row
from loyalty_sync.engine.money import money_display
from loyalty_sync.engine.program import MultiplierRule, Program
from loyalty_sync.engine.tiers import tier_metric
from loyalty_sync.extensions import db
from loyalty_sync.models import Member, Order
from loyalty_sync.wording import count_of

NEAR = Decimal("0.8")


@dataclass(frozen=True)
class Warning:  # noqa: A001 - the name the admin and the brief use
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def warnings_for(program: Program, store=None, *, now: datetime | None = None) -> list[Warning]:
    """Every warning for `program` (store-dependent checks need `store`)."""
    now = now or datetime.now(timezone.utc)
    found: list[Warning] = []
    found += multiplier_warnings(program, now)
    currency = store.currency if store is not None else None
    found += reward_warnings(program, currency)
    found += expiry_warnings(program)
    found += vip_warnings(program, currency)
    if store is not None:
        found += tier_reach_warnings(program, store, now)
        found += membership_sku_warnings(program, store)
    return found


# --- pure checks ---------------------------------------------------------------------------------


def _target(rule: MultiplierRule) -> str:
    if rule.product_id is not None:
        return f"product {rule.product_id}"
    if rule.category_id is not None:
        return f"category {rule.category_id}"
    return "every product"


def _window(rule: MultiplierRule) -> str:
    start = rule.starts.date().isoformat() if rule.starts else "always"
    end = rule.ends.date().isoformat() if rule.ends else "open-ended"
    return f"{start} to {end}" if rule.starts or rule.ends else "always"


def _overlap(a: MultiplierRule, b: MultiplierRule) -> bool:
    far_past = datetime.min.replace(tzinfo=timezone.utc)
    far_future = datetime.max.replace(tzinfo=timezone.utc)
    a_start, a_end = a.starts or far_past, a.ends or far_future
    b_start, b_end = b.starts or far_past, b.ends or far_future
    return a_start < b_end and b_start < a_end


def _label(i: int, rule: MultiplierRule) -> str:
    return f"multipliers.{i}" + (f" ({rule.label})" if rule.label else "")


def multiplier_warnings(program: Program, now: datetime) -> list[Warning]:
    found = []
    rules = list(program.multipliers)
    for i, a in enumerate(rules):
        if a.ends is not None and a.ends <= now:
            found.append(
                Warning(
                    f"multipliers.{i}",
                    f"x{a.factor} on {_target(a)} ended on "
                    f"{a.ends.date().isoformat()}: it no longer applies to new orders",
                )
            )
        for j in range(i + 1, len(rules)):
            b = rules[j]
            if (a.product_id, a.category_id) != (b.product_id, b.category_id) or not _overlap(a, b):
                continue
            if program.stack_multipliers:
                outcome = f"stacking is on, so orders in both windows get x{a.factor * b.factor}"
            elif a.factor == b.factor:
                outcome = f"both are x{a.factor}, so one of them is redundant"
            else:
                winner = a if a.factor > b.factor else b
                outcome = f"the higher one wins: x{winner.factor} ({_label(rules.index(winner), winner)})"
            found.append(
                Warning(
                    f"multipliers.{j}",
                    f"x{b.factor} on {_target(b)} ({_window(b)}) overlaps "
                    f"{_label(i, a)} x{a.factor} ({_window(a)}); {outcome}",
                )
            )
    return found


def _per_point(reward) -> Decimal | None:
    if reward.coupon.discount_type != "fixed_cart" or reward.points <= 0 or reward.coupon.free_shipping:
        return None
    return Decimal(reward.coupon.amount) / reward.points


def reward_warnings(program: Program, currency: str | None = None) -> list[Warning]:
    found = []
    rewards = [(i, r, _per_point(r)) for i, r in enumerate(program.rewards)]
    priced = [(i, r, v) for i, r, v in rewards if v is not None]
    for i, r, value in priced:
        cheaper = [(j, c, v) for j, c, v in priced if c.points < r.points and v > value]
        if cheaper:
            j, c, v = max(cheaper, key=lambda x: x[2])
            found.append(
                Warning(
                    f"rewards.{i}",
                    (
                        f"{r.name!r} gives {money_display(value * 100, currency)} per 100 points, less than the cheaper "
                        f"{c.name!r} ({money_display(v * 100, currency)} per 100 points): members do better redeeming "
                        "the cheaper one"
                    ),
                )
            )
    return found


def expiry_warnings(program: Program) -> list[Warning]:
    if program.expiry_mode == "none" or not program.pending_days:
        return []
    shortest = program.expiry_months * 28  # the shortest months
    if shortest <= program.pending_days:
        return [
            Warning(
                "expiry_months",
                (
                    f"points expire after {count_of(program.expiry_months, 'month')} but become spendable only after "
                    f"{program.pending_days} days: some points would expire before they can be spent"
                ),
            )
        ]
    return []


def vip_warnings(program: Program, currency: str | None = None) -> list[Warning]:
    if not program.tiers or program.vip_top_percent is not None:
        return []
    top = max(program.tiers, key=lambda t: t.threshold)
    if top.threshold <= 0:
        return []
    lifetime = program.tier_window == "lifetime"
    if program.tier_metric == "spend" and (
        program.vip_min_spend < top.threshold or lifetime and program.vip_min_spend == top.threshold
    ):
        return [
            Warning(
                "vip_min_spend",
                (
                    f"VIP needs {money_display(program.vip_min_spend, currency)} spent in 12 months (and "
                    f"{program.vip_min_orders} orders), less than the top tier {top.name} "
                    f"({money_display(top.threshold, currency)}): the exclusive club is easier to join "
                    "than the top tier"
                ),
            )
        ]
    if program.tier_metric == "orders" and program.vip_min_orders < top.threshold:
        return [
            Warning(
                "vip_min_orders",
                (
                    f"VIP needs {program.vip_min_orders} orders in 12 months, fewer than the top tier {top.name} "
                    f"({top.threshold.normalize():f} orders): the exclusive club is easier to join than the top tier"
                ),
            )
        ]
    return []


# --- store-dependent checks ----------------------------------------------------------------------


def tier_reach_warnings(program: Program, store, now: datetime) -> list[Warning]:
    """Tiers above the entry tier that no member reaches now (and how many are near)."""

    entry = program.entry_tier
    ladder = [(i, t) for i, t in enumerate(program.tiers) if t.name != entry.name and t.threshold > 0]
    if not ladder:
        return []
    live = set(
        db.session.execute(
            db.select(Member.id).where(Member.store_id == store.id, Member.merged_into_id.is_(None))
        ).scalars()
    )
    if not live:
        return []
    by_member = defaultdict(list)
    since = now - timedelta(days=367) if program.tier_window != "lifetime" else None
    query = db.select(Order).where(Order.store_id == store.id, Order.member_id.is_not(None))
    if since is not None:
        query = query.where(Order.created > since)
    for row in db.session.execute(query).scalars():
        by_member[row.member_id].append(facts_from_row(row))
    points_by_order = None
    if program.tier_metric == "points":
        points_by_order = dict(
            db.session.execute(db.select(Order.wc_id, Order.earned).where(Order.store_id == store.id)).all()
        )
    metrics = [tier_metric(by_member.get(m, ()), program, now, points_by_order) for m in live]
    found = []
    window = "in the last 12 months" if program.tier_window != "lifetime" else "over their lifetime"
    for i, tier in ladder:
        reached = sum(1 for v in metrics if v >= tier.threshold)
        if reached:
            continue
        near = sum(1 for v in metrics if tier.threshold * NEAR <= v < tier.threshold)
        found.append(
            Warning(
                f"tiers.{i}.threshold",
                (
                    f"no member reaches {tier.name} ({_threshold_words(tier.threshold, program.tier_metric, store.currency)}) "
                    f"{window}; "
                    f"{count_of(near, 'member')} {'is' if near == 1 else 'are'} within {int((1 - NEAR) * 100)}% of it"
                ),
            )
        )
    return found


def _threshold_words(threshold: Decimal, metric: str, currency: str) -> str:
    if metric == "spend":
        return f"{money_display(threshold, currency)} spent"
    return f"{threshold.normalize():f} {metric}"


def membership_sku_warnings(program: Program, store) -> list[Warning]:
    """Still said after an owner saved an unknown SKU on purpose (see membership_sku.py)."""
    problem = unknown_membership_sku(program, store)
    return [Warning("vip_membership_sku", problem)] if problem else []
