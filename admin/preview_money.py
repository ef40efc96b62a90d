"""The rule preview in money, in the panel's words: a sentence, the table
(`whatif_money.money_rows`, the same rows `program whatif` prints), when and
whom it sampled (in the shop's zone) and the chart's figures
(static/whatif_chart.js)."""

from __future__ import annotations

from decimal import Decimal

from admin.formatting import format_money
from admin.store_picker import when_text
from loyalty_sync.analysis.whatif_money import MoneyChange, money_rows, percent_text
from loyalty_sync.engine.money import money_text
from loyalty_sync.wording import count_of


def preview_money(change: MoneyChange) -> dict:
    def show(amount: Decimal) -> str:
        return format_money(amount, change.currency)

    b, a = change.before, change.after
    liability, coupon_value = (b.liability, a.liability), (b.coupon_value, a.coupon_value)
    return {
        "money_rows": money_rows(change, show),
        "money_summary": summary(change, show),
        "sampled": change.sampling.sentence(when_text(change.sampling.at)),
        "chart": {
            "currency": change.currency,
            "labels": ["Liability", "Value of the coupons issued"],
            "before_label": "Now (the books)",
            "after_label": "After saving",
            "before": [money_text(liability[0]), money_text(coupon_value[0])],
            "after": [money_text(liability[1]), money_text(coupon_value[1])],
            "before_shown": [show(liability[0]), show(coupon_value[0])],
            "after_shown": [show(liability[1]), show(coupon_value[1])],
        },
    }


def summary(change: MoneyChange, show) -> str:
    """The card's first sentence: "Saving would issue 1 more coupon (+€5.00 in value); the liability
    goes from €11.60 to €12.20, and the earn cost from 2.11% to 3.31% of revenue." """
    b, a = change.before, change.after
    more = a.coupons - b.coupons
    value = a.coupon_value - b.coupon_value
    if more:
        word = "more" if more > 0 else "fewer"
        coupons = count_of(abs(more), f"{word} coupon", f"{word} coupons")
    else:
        coupons = "the same number of coupons"
    worth = f" ({'+' if value > 0 else ''}{show(value)} in value)" if value else ""
    liability = f"the liability goes from {show(b.liability)} to {show(a.liability)}"
    if b.earn_cost_share is None or a.earn_cost_share is None:
        cost = f"the earn cost from {show(b.earn_cost)} to {show(a.earn_cost)} (no paid revenue yet)"
    else:
        cost = f"the earn cost from {percent_text(b.earn_cost_share)} to {percent_text(a.earn_cost_share)} of revenue"
    return f"Saving would issue {coupons}{worth}; {liability}, and {cost}."
