"""The KPIs of `loyalty_sync.analysis.kpi.store_kpis`, in the shop owner's words, and
the little arithmetic the KPI page adds for its charts (orders per month,
first vs repeat), built from the same rows and the same pure functions."""

from __future__ import annotations

from datetime import datetime

from admin.periods import month_starts
from loyalty_sync.analysis import kpi

# key -> (label, format, what it means). Formats: rate (0..1 shown as %),
# money, number, points, ratio (a plain number with 2 decimals).
KPIS: dict[str, tuple[str, str, str]] = {
    "crr": (
        "Customer retention rate (CRR)",
        "rate",
        "Of the customers who were active when the period started, the share still active at its end, "
        "not counting the newcomers: (E − N) / S. S = customers with a paid order in the 365 days before "
        "the start, E = the same at the end, N = customers whose very first order falls in the period.",
    ),
    "churn": ("Churn rate", "rate", "The customers you lost: 1 − CRR."),
    "rpr": (
        "Repeat purchase rate",
        "rate",
        "Of the customers who ordered in the period, the share who ordered at least twice "
        "(20% = one in five came back).",
    ),
    "frequency": ("Purchase frequency", "ratio", "Orders per ordering customer in the period."),
    "orders": (
        "Paid orders",
        "number",
        "Completed or processing orders created in the period; an order refunded in full does not count.",
    ),
    "revenue": ("Revenue", "money", "What customers paid for those orders (with tax and shipping), minus refunds."),
    "aov": ("Average order value", "money", "Revenue divided by the number of paid orders."),
    "aov_first": ("AOV of first orders", "money", "The same, only for orders that were the customer's very first."),
    "aov_repeat": ("AOV of repeat orders", "money", "The same, for every order of a customer who had bought before."),
    "cltv": (
        "Customer lifetime value (historical)",
        "money",
        "Everything paid so far (all orders before the end of the period) per customer who ever ordered.",
    ),
    "cltv_predictive": (
        "Customer lifetime value (predictive)",
        "money",
        "Average order value × purchase frequency × expected lifespan, the lifespan being "
        "1 / churn periods. Empty when no customer churned.",
    ),
    "members_aov": (
        "Members: average order value",
        "money",
        "Members are customers with at least one line in the points ledger before the end.",
    ),
    "non_members_aov": ("Non-members: average order value", "money", "Customers who ordered but never earned points."),
    "members_frequency": ("Members: purchase frequency", "ratio", "Orders per ordering member."),
    "non_members_frequency": ("Non-members: purchase frequency", "ratio", "Orders per ordering non-member."),
    "members_crr": ("Members: retention", "rate", "CRR computed on members only."),
    "non_members_crr": ("Non-members: retention", "rate", "CRR computed on non-members only."),
    "members_churn": ("Members: churn", "rate", "1 − the members' retention."),
    "non_members_churn": ("Non-members: churn", "rate", "1 − the non-members' retention."),
    "active_share": (
        "Active customers in the program",
        "rate",
        "Of the customers active at the end of the period, the share who are members.",
    ),
    "points_earned": (
        "Points earned",
        "points",
        "Points given for orders and bonuses in the period, net of reversals.",
    ),
    "points_redeemed": ("Points redeemed", "points", "Points turned into reward coupons in the period."),
    "points_expired": ("Points expired", "points", "Points that expired in the period."),
    "points_restored": ("Points given back", "points", "Points returned because a reward coupon expired unused."),
    "points_outstanding": ("Outstanding points", "points", "All positive balances at the end of the period."),
    "redemption_rate": ("Redemption rate", "rate", "Points redeemed / points earned in the period."),
    "liability": (
        "Outstanding points liability",
        "money",
        "Outstanding points × the money value of one point (the best fixed-amount reward of your "
        "catalogue): the most the shop could owe if everyone redeemed.",
    ),
    "coupons_issued": (
        "Coupons issued",
        "number",
        "Every loyalty coupon issued in the period (rewards, tier-up, VIP, birthday, referral, campaigns).",
    ),
    "coupons_used": ("Coupons used", "number", "How many of the coupons issued in the period were used."),
    "vip_members": ("VIP members", "number", "Members in the VIP club now."),
    "referrals": (
        "Successful referrals",
        "number",
        "Friends' orders in the period that earned the referring member a bonus that still stands.",
    ),
    "referred_share": (
        "New customers through a referral",
        "rate",
        "Share of the period's new customers whose first order used a member's referral code.",
    ),
}

# What the dashboard shows of them, with the period picker.
HEADLINE = ("crr", "rpr", "aov", "members_aov", "non_members_aov", "redemption_rate", "liability")

SECTIONS = (
    ("Retention", ("crr", "churn", "rpr", "frequency")),
    ("Order value", ("orders", "revenue", "aov", "aov_first", "aov_repeat")),
    ("Lifetime value", ("cltv", "cltv_predictive")),
    (
        "Program health",
        (
            "active_share",
            "points_earned",
            "points_redeemed",
            "points_expired",
            "points_restored",
            "redemption_rate",
            "points_outstanding",
            "liability",
            "coupons_issued",
            "coupons_used",
            "vip_members",
        ),
    ),
    ("Referrals", ("referrals", "referred_share")),
)

SIDE_BY_SIDE = (
    ("Average order value", "members_aov", "non_members_aov", "money"),
    ("Purchase frequency", "members_frequency", "non_members_frequency", "ratio"),
    ("Retention (CRR)", "members_crr", "non_members_crr", "rate"),
    ("Churn", "members_churn", "non_members_churn", "rate"),
)


def monthly_orders(orders: list[kpi.OrderRow], start: datetime, end: datetime) -> dict:
    """Paid orders per calendar month of the period, first orders apart from
    repeat ones (same definitions as `kpi.order_values`)."""
    firsts = {id(r) for r in kpi.first_orders(orders).values()}
    months = month_starts(start, end)
    labels = [m.strftime("%Y-%m") for m in months]
    first, repeat = [0] * len(months), [0] * len(months)
    index = {label: i for i, label in enumerate(labels)}
    for r in kpi.in_period(kpi.paid_orders(orders), start, end):
        i = index.get(r.created.strftime("%Y-%m"))
        if i is None:
            continue
        if id(r) in firsts:
            first[i] += 1
        else:
            repeat[i] += 1
    return {"months": labels, "first": first, "repeat": repeat}


def chart_data(result: dict, months: dict | None = None) -> dict:
    """What the page's Chart.js code draws (numbers only; money as floats)."""

    def num(value):
        return None if value is None else float(value)

    data = {
        "side_by_side": [
            {"title": title, "format": fmt, "members": num(result.get(m)), "non_members": num(result.get(o))}
            for title, m, o, fmt in SIDE_BY_SIDE
        ],
        "points": [
            result["points_earned"],
            result["points_redeemed"],
            result["points_expired"],
            result["points_restored"],
        ],
        "coupons": [result["coupons_issued"], result["coupons_used"]],
        "currency": result.get("currency", ""),
    }
    if months is not None:
        data["monthly"] = months
    return data
