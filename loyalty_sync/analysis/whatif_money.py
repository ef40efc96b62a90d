"""A rule change priced in money (pure): the books today ('before') and the
books as the proposed rules would leave them ('after').

'before' is the books (`books_money.books_figures`), never a replay: what the
shop owes today is what the dashboard and the liability page say. 'after' is
the books plus what the rule change changes: the proposed rules' replay less
the replay of the rules in force, member by member (`whatif.preview_change`;
both replays treat a history the same way, so their difference is the rule
change alone, whatever the books hold that no replay makes: bonuses, an
admin's adjustments, coupons of a campaign).

- coupons issued: count and money value (fixed-amount coupons; percentage
  and free-shipping coupons have no value before a cart);
- liability: outstanding points x the program's point value
  (`engine.rewards.point_value`; the proposed catalogue's for 'after') plus
  the open coupons' value;
- earn cost: points given x point value plus the coupons given without
  points (a reward coupon was paid with points already counted), as a share
  of the paid revenue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from loyalty_sync.engine.money import money_text
from loyalty_sync.engine.replay import Figures

SHARE = Decimal("0.0001")


@dataclass(frozen=True)
class MoneySide:
    """One side of a rule change (before or after), exact Decimals."""

    coupons: int
    coupon_value: Decimal
    points: int  # outstanding
    point_value: Decimal
    open_coupon_value: Decimal
    points_given: int
    free_coupon_value: Decimal
    revenue: Decimal

    @property
    def points_money(self) -> Decimal:
        return Decimal(self.points) * self.point_value

    @property
    def liability(self) -> Decimal:
        return self.points_money + self.open_coupon_value

    @property
    def earn_cost(self) -> Decimal:
        return Decimal(self.points_given) * self.point_value + self.free_coupon_value

    @property
    def earn_cost_share(self) -> Decimal | None:
        """Earn cost / revenue, None without revenue."""
        return self.earn_cost / self.revenue if self.revenue else None


def side_of(figures: Figures, point_value: Decimal, revenue: Decimal) -> MoneySide:
    return MoneySide(
        coupons=figures.coupons,
        coupon_value=figures.coupon_money,
        points=max(figures.outstanding, 0),
        point_value=point_value,
        open_coupon_value=max(figures.open_coupon_money, Decimal(0)),
        points_given=figures.points_issued,
        free_coupon_value=figures.free_coupon_money,
        revenue=revenue,
    )


@dataclass(frozen=True)
class Sampling:
    """When the what-if sampled the books and which members it replayed."""

    at: datetime
    members: int  # of the store (merged ones left out)
    replayed: int
    every: int  # 1: every member; k: every k-th member, the change scaled by k

    @property
    def everyone(self) -> bool:
        return self.every <= 1


@dataclass(frozen=True)
class MoneyChange:
    currency: str
    before: MoneySide
    after: MoneySide
    sampling: Sampling

    def as_json(self) -> dict:
        """Money as "2.13" strings, shares as "0.0211" (4 places)."""
        b, a = self.before, self.after

        def money(name: str) -> dict:
            old, new = getattr(b, name), getattr(a, name)
            return {"before": money_text(old), "after": money_text(new), "change": money_text(new - old)}

        def share(side: MoneySide) -> str | None:
            value = side.earn_cost_share
            return None if value is None else str(value.quantize(SHARE))

        return {
            "currency": self.currency,
            "coupons": {"before": b.coupons, "after": a.coupons, "change": a.coupons - b.coupons},
            "coupon_value": money("coupon_value"),
            "points_outstanding": {"before": b.points, "after": a.points, "change": a.points - b.points},
            "point_value": {"before": str(b.point_value.normalize()), "after": str(a.point_value.normalize())},
            "points_money": money("points_money"),
            "open_coupon_value": money("open_coupon_value"),
            "liability": money("liability"),
            "earn_cost": money("earn_cost"),
            "revenue": money_text(b.revenue),
            "earn_cost_share": {"before": share(b), "after": share(a)},
            "sampled": {"at": self.sampling.at.isoformat(), "members": self.sampling.members,
                        "replayed": self.sampling.replayed, "every": self.sampling.every,
                        "all": self.sampling.everyone},
        }


def money_change(books: Figures, replay_before: Figures, replay_after: Figures, *, revenue: Decimal,
                 point_value_before: Decimal, point_value_after: Decimal, currency: str,
                 sampling: Sampling) -> MoneyChange:
    """'before' = the books; 'after' = the books + (replay_after - replay_before)."""
    after = books + (replay_after - replay_before)
    return MoneyChange(currency, side_of(books, point_value_before, revenue),
                       side_of(after, point_value_after, revenue), sampling)
