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

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from loyalty_sync.engine.money import money_display, money_text
from loyalty_sync.engine.replay import Figures
from loyalty_sync.wording import count_of

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

    def sentence(self, when: str) -> str:
        """Said with the figures (panel and CLI); `when` is `at` in the shop's zone."""
        if self.everyone:
            return f"Sampled {when}: every member replayed ({count_of(self.members, 'member')})."
        return (
            f"Sampled {when}: a sample of {self.replayed:,} of {count_of(self.members, 'member')} "
            f"(every {_ordinal(self.every)}) replayed, the change scaled up to all; the books' side is exact."
        )


def _ordinal(n: int) -> str:
    """2nd, 3rd, 4th, 11th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


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
            "sampled": {
                "at": self.sampling.at.isoformat(),
                "members": self.sampling.members,
                "replayed": self.sampling.replayed,
                "every": self.sampling.every,
                "all": self.sampling.everyone,
            },
        }


def money_change(
    books: Figures,
    replay_before: Figures,
    replay_after: Figures,
    *,
    revenue: Decimal,
    point_value_before: Decimal,
    point_value_after: Decimal,
    currency: str,
    sampling: Sampling,
) -> MoneyChange:
    """'before' = the books; 'after' = the books + (replay_after - replay_before)."""
    after = books + (replay_after - replay_before)
    return MoneyChange(
        currency, side_of(books, point_value_before, revenue), side_of(after, point_value_after, revenue), sampling
    )


# --- in words (the panel's table and `program whatif`'s lines say the same) -------------------------


def _signed(amount: Decimal, show: Callable[[Decimal], str]) -> str:
    return ("+" if amount > 0 else "") + show(amount) if amount else "no change"


def percent_text(share: Decimal | None) -> str:
    """0.01781... -> "1.78%"; "–" without revenue."""
    return "–" if share is None else f"{(share * 100).quantize(Decimal('0.01'))}%"


def money_rows(change: MoneyChange, show: Callable[[Decimal], str]) -> list[tuple[str, str, str, str]]:
    """(what, now in the books, after saving, change) rows; `show` writes money in the store's currency."""
    b, a = change.before, change.after
    count = a.coupons - b.coupons
    share_b, share_a = b.earn_cost_share, a.earn_cost_share
    share_change = (
        "–"
        if share_b is None or share_a is None
        else (
            "no change" if share_a == share_b else ("+" if share_a > share_b else "") + percent_text(share_a - share_b)
        )
    )
    return [
        (
            "Coupons issued",
            count_of(b.coupons, "coupon"),
            count_of(a.coupons, "coupon"),
            f"{count:+,}" if count else "no change",
        ),
        (
            "Value of the coupons issued",
            show(b.coupon_value),
            show(a.coupon_value),
            _signed(a.coupon_value - b.coupon_value, show),
        ),
        (
            "Liability (points + unused coupons)",
            show(b.liability),
            show(a.liability),
            _signed(a.liability - b.liability, show),
        ),
        (
            "· outstanding points",
            f"{count_of(b.points, 'point')} = {show(b.points_money)}",
            f"{count_of(a.points, 'point')} = {show(a.points_money)}",
            _signed(a.points_money - b.points_money, show),
        ),
        (
            "· unused coupons",
            show(b.open_coupon_value),
            show(a.open_coupon_value),
            _signed(a.open_coupon_value - b.open_coupon_value, show),
        ),
        (
            "Earn cost (points given + free coupons)",
            show(b.earn_cost),
            show(a.earn_cost),
            _signed(a.earn_cost - b.earn_cost, show),
        ),
        (
            f"Earn cost as a share of revenue ({show(b.revenue)})",
            percent_text(share_b),
            percent_text(share_a),
            share_change,
        ),
    ]


def money_lines(change: MoneyChange) -> list[str]:
    """`money_rows` as aligned lines for the command line."""

    def show(amount: Decimal) -> str:
        return money_display(amount, change.currency)

    rows = [("", "now (books)", "after saving", "change"), *money_rows(change, show)]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return [
        "  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)).rstrip()
        for row in rows
    ]
