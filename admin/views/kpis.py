"""KPIs of one store for a period: every figure of `loyalty_sync.analysis.kpi.store_kpis`
with its definition in plain words, and charts where a picture reads faster
(members vs non-members, orders per month first vs repeat)."""

from __future__ import annotations

from flask import request
from flask_admin import expose

from admin import kpi_text
from admin.periods import PRESETS, period_from_args
from admin.security import SecureBaseView
from admin.store_picker import all_stores, selected_store
from loyalty_sync.analysis import kpi


def kpis_for(store, period, *, with_months: bool = False) -> tuple[dict, dict | None]:
    """`kpi.store_kpis` for the period (rows loaded once), and the monthly orders chart."""
    rows = kpi.load_rows(store)
    result = kpi.store_kpis(store, period.start, period.end, rows=rows)
    months = kpi_text.monthly_orders(rows[0], period.start, period.end) if with_months else None
    return result, months


class KpiView(SecureBaseView):
    @expose("/")
    def index(self):
        stores = all_stores()
        store = selected_store(stores)
        period = period_from_args(request.args)
        result = months = None
        if store is not None:
            result, months = kpis_for(store, period, with_months=True)
        return self.render(
            "loyalty/kpis.html",
            stores=stores,
            store=store,
            period=period,
            presets=PRESETS,
            result=result,
            kt=kpi_text,
            chart=kpi_text.chart_data(result, months) if result else None,
        )
