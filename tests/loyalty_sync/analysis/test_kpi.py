"""KPIs exactly as PRODUCT.md defines them: pure functions over plain rows,
hand-computed, plus the loader and the CLI on a real database."""

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from loyalty_sync.analysis.kpi import LedgerRow, OrderRow, compute, retention
from tests.loyalty_sync.program.histories import END, START, worked_example
from tests.support.wc import line, order

UTC = timezone.utc


def d(*a):
    return datetime(*a, tzinfo=UTC)


def test_the_shops_worked_retention_example_from_order_histories():
    rows = [OrderRow(who, at, status, total, refunded) for who, at, status, total, refunded in worked_example()]
    ret = retention(rows, START, END)
    assert (ret.s, ret.e, ret.n) == (262, 371, 153)
    assert round(ret.crr, 2) == 0.83 and abs(ret.crr - 218 / 262) < 1e-12
    assert round(ret.churn, 2) == 0.17


def small_shop():
    orders = [
        OrderRow("A", d(2025, 6, 1), "completed", Decimal("100")),
        OrderRow("A", d(2026, 1, 5), "completed", Decimal("50")),
        OrderRow("A", d(2026, 1, 20), "completed", Decimal("70"), Decimal("20")),
        OrderRow("B", d(2026, 1, 10), "completed", Decimal("200")),
        OrderRow("C", d(2026, 1, 15), "completed", Decimal("30")),
        OrderRow("C", d(2026, 1, 16), "cancelled", Decimal("999")),
        OrderRow("D", d(2024, 1, 1), "completed", Decimal("10")),
        OrderRow("D", d(2026, 1, 25), "processing", Decimal("40")),
        OrderRow("E", d(2026, 1, 26), "pending", Decimal("80")),
    ]
    ledger = [
        LedgerRow("A", "earn", 600, d(2025, 6, 1)),
        LedgerRow("A", "earn", 50, d(2026, 1, 5)),
        LedgerRow("A", "redeem", -115, d(2026, 1, 6)),
        LedgerRow("A", "expire", -20, d(2026, 1, 30)),
        LedgerRow("B", "earn", 200, d(2026, 1, 10)),
        LedgerRow("B", "reverse", -20, d(2026, 1, 21)),
    ]
    return orders, ledger


def test_every_kpi_hand_computed():
    from loyalty_sync.engine.program import DEFAULT_REWARDS

    orders, ledger = small_shop()
    k = compute(orders, ledger, [], [], d(2026, 1, 1), d(2026, 2, 1), rewards=DEFAULT_REWARDS, lifespan_periods=3)
    # S: A (D's 2024 order is older than 365 days); E: A B C D; N: B C; D came back
    assert (k["s"], k["e"], k["n"]) == (1, 4, 2) and k["crr"] == 2.0
    assert k["orders"] == 5 and k["revenue"] == "370.00"  # A 50 + A (70 - 20) + B 200 + C 30 + D 40
    assert k["rpr"] == 0.25  # only A of A B C D ordered twice
    assert k["frequency"] == 1.25  # 5 orders / 4 customers
    assert k["aov"] == "74.00"
    assert k["aov_first"] == "115.00"  # B 200, C 30
    assert k["aov_repeat"] == "46.67"  # A 50, A 50, D 40
    assert k["cltv"] == "120.00"  # (200 + 200 + 30 + 50) / 4
    assert k["cltv_predictive"] == "277.50"  # 74 x 1.25 x 3 periods
    assert (k["members_aov"], k["non_members_aov"]) == ("100.00", "35.00")
    assert (k["members_frequency"], k["non_members_frequency"]) == (1.5, 1.0)
    assert (k["points_earned"], k["points_redeemed"], k["points_expired"]) == (230, 115, 20)
    assert k["redemption_rate"] == 0.5
    assert k["points_outstanding"] == 695  # A 515 + B 180
    assert k["liability"] == "8.34"  # 695 x 0.012 (1000 points -> 12.00)
    assert k["active_share"] == 0.5  # A B of A B C D


def test_predictive_cltv_from_churn_and_empty_periods():
    orders, ledger = small_shop()
    k = compute(orders, ledger, [], [], d(2030, 1, 1), d(2030, 2, 1))
    assert k["s"] == k["e"] == k["n"] == 0 and k["crr"] is None and k["aov"] is None and k["rpr"] is None
    rows = [OrderRow(who, at, status, total, refunded) for who, at, status, total, refunded in worked_example()]
    k = compute(rows, [], [], [], START, END)
    # every order is 50.00: AOV 50, lifespan = 1 / churn periods
    assert k["aov"] == "50.00"
    # 422 orders in the period (215 kept + 153 new + 51 second orders of new ones + 3 back) by 371 customers;
    # churn = 44 / 262 -> lifespan 262 / 44 periods
    assert k["frequency"] == round(422 / 371, 4)
    expected = Decimal(50) * Decimal(422) / Decimal(371) * Decimal(262) / Decimal(44)
    assert abs(Decimal(k["cltv_predictive"]) - expected) < Decimal("0.01")


def test_kpi_cli_on_the_books_built_by_the_apply_service(runner, store):
    from loyalty_sync.books.apply import apply_orders, apply_with_retry

    records, ids = [], {}
    for n, (who, at, status, total, refunded) in enumerate(worked_example(), start=1):
        cid = ids.setdefault(who, len(ids) + 2)
        o = order(
            n,
            customer_id=cid,
            email=f"{who}@example.com",
            status=status,
            created=at,
            lines=[line(n * 10, f"{total:.2f}")],
            refunds=[{"id": 100000 + n, "amount": f"{refunded:.2f}"}] if refunded else (),
        )
        records.append(o)
    apply_with_retry(lambda: apply_orders(store, records, now=END + timedelta(days=10)))
    result = runner.invoke(args=["kpi", "--store", "shop", "--start", "2025-01-01", "--end", "2026-01-01", "--json"])
    assert result.exit_code == 0, result.output
    k = json.loads(result.output)
    assert (k["s"], k["e"], k["n"]) == (262, 371, 153)
    assert round(k["crr"], 2) == 0.83 and round(k["churn"], 2) == 0.17
    assert {
        "crr",
        "churn",
        "rpr",
        "frequency",
        "aov",
        "aov_first",
        "aov_repeat",
        "cltv",
        "members_aov",
        "non_members_aov",
        "redemption_rate",
        "liability",
        "s",
        "e",
        "n",
    } <= set(k)
    assert k["aov"] == "50.00" and k["liability"].count(".") == 1 and len(k["liability"].split(".")[1]) == 2
    assert 0 <= k["rpr"] <= 1
    bad = runner.invoke(args=["kpi", "--store", "shop", "--start", "2026-01-01", "--end", "2025-01-01"])
    assert bad.exit_code != 0
