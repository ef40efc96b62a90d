"""The first-sync plan as the page shows it: one column per history mode,
with the rows in the order people read them (tiers lowest first, reward
coupons first, then the other kinds by name), a sentence per mode, and
the charts' data (money as text: the chart draws it, the page prints it
with `format_money`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from admin.formatting import format_money
from loyalty_sync.analysis.first_sync_plan import KIND_NAMES, ModePlan
from loyalty_sync.books.history import AWARD, SINCE, TIERS_ONLY
from loyalty_sync.engine.coupon_kinds import coupon_kind_name
from loyalty_sync.engine.program import Program
from loyalty_sync.engine.tier_order import in_rank_order
from loyalty_sync.wording import and_list, count_of

TITLES = {AWARD: "Award points for the past", TIERS_ONLY: "Tiers only"}
#: What choosing the mode means, for the confirmation question and the column's head.
MEANING = {
    AWARD: "every past order earns its points, as if the shop had been connected when it was placed",
    TIERS_ONLY: "past orders set tiers, VIP status and the KPIs but earn no point; new orders earn as usual",
}


@dataclass
class ModeColumn:
    plan: ModePlan
    title: str
    meaning: str
    sentence: str
    tiers: list[int]  # members per tier, in the page's tier order
    coupons: dict  # kind -> CouponKind of this mode

    @property
    def key(self) -> str:
        return self.plan.mode

    @property
    def coupon_value(self) -> Decimal:
        return sum((k.value for k in self.plan.coupons), Decimal(0))


@dataclass
class PlanTable:
    columns: list[ModeColumn]
    tier_names: list[str]
    kinds: list[tuple[str, str]]  # (kind, name) in the page's order

    def __iter__(self):
        return iter(self.columns)

    def __bool__(self) -> bool:
        return bool(self.columns)


def _title_and_meaning(plan: ModePlan) -> tuple[str, str]:
    if plan.mode.startswith(f"{SINCE}:"):
        day = plan.mode.split(":", 1)[1]
        return (
            f"Points since {day}",
            f"orders from {day} on earn their points; earlier ones set tiers, VIP status and the KPIs only",
        )
    return TITLES.get(plan.mode, plan.mode), MEANING.get(plan.mode, plan.description)


def sentence(plan: ModePlan, currency: str) -> str:
    """What the mode would do, as a shop owner would say it."""
    money = format_money(sum((k.value for k in plan.coupons), Decimal(0)), currency)
    if plan.coupons:
        kinds = and_list(count_of(k.count, coupon_kind_name(k.kind)) for k in plan.coupons)
        coupons = f"{count_of(plan.coupon_count, 'coupon')} worth {money} would go to the shop at once ({kinds})"
    else:
        coupons = "no coupon would go to the shop"
    vip = f"{count_of(plan.vip, 'member')} would be VIP" if plan.vip else "nobody would be VIP"
    return (
        f"{count_of(plan.members, 'member')} would hold {count_of(plan.points, 'point')} and {vip}; "
        f"{coupons}. The points owed would be worth {format_money(plan.liability, currency)}."
    )


def mode_columns(plans: list[ModePlan], program: Program, currency: str) -> PlanTable:
    names = in_rank_order({tier for plan in plans for tier in plan.tiers}, [program])
    seen = {k.kind for plan in plans for k in plan.coupons}
    known = [kind for kind in KIND_NAMES if kind in seen]  # reward coupons first, as the plan lists them
    kinds = known + sorted(seen - set(known))
    columns = []
    for plan in plans:
        title, meaning = _title_and_meaning(plan)
        columns.append(
            ModeColumn(
                plan=plan,
                title=title,
                meaning=meaning,
                sentence=sentence(plan, currency),
                tiers=[plan.tiers.get(name, 0) for name in names],
                coupons={k.kind: k for k in plan.coupons},
            )
        )
    return PlanTable(columns, names, [(kind, coupon_kind_name(kind)) for kind in kinds])


def chart_data(table: PlanTable, currency: str) -> dict:
    """Money per mode (coupon value by kind, stacked, beside the liability) and members per tier per mode."""
    return {
        "currency": currency,
        "modes": [c.title for c in table],
        "coupons": [
            {"label": name, "money": [str(c.coupons[kind].value) if kind in c.coupons else "0" for c in table]}
            for kind, name in table.kinds
        ],
        "liability": [str(c.plan.liability) for c in table],
        "tiers": [
            {"label": name or "no tier", "members": [c.tiers[i] for c in table]}
            for i, name in enumerate(table.tier_names)
        ],
    }
