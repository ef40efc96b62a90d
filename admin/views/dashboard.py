"""The landing page: how the program performs (numbers from loyalty_sync.analysis.dashboard)."""

from __future__ import annotations

from flask import request
from flask_admin import expose

from admin import kpi_text
from admin.periods import PRESETS, period_from_args
from admin.security import SecureIndexView
from admin.store_picker import all_stores, selected_store
from loyalty_sync.analysis import dashboard, kpi


class DashboardView(SecureIndexView):
    @expose("/")
    def index(self):
        stores = all_stores()
        store = selected_store(stores, allow_all=True)
        data = dashboard.dashboard(store.id if store else None)
        chart = {
            "months": [m["month"] for m in data["months"]],
            "earned": [m["earned"] for m in data["months"]],
            "redeemed": [m["redeemed"] for m in data["months"]],
            "expired": [m["expired"] for m in data["months"]],
            "tiers": [t for t, _ in data["tiers"]],
            "tier_counts": [c for _, c in data["tiers"]],
            "vip": [data["counts"]["vip"], data["counts"]["members"] - data["counts"]["vip"]],
        }
        # Headline KPIs of one store for the picked period (kpi.store_kpis is
        # per store: the selected one, or the only one).
        period = period_from_args(request.args)
        kpi_store = store if store is not None else (stores[0] if len(stores) == 1 else None)
        headline = kpi.store_kpis(kpi_store, period.start, period.end) if kpi_store is not None else None
        return self.render(
            "loyalty/dashboard.html",
            stores=stores,
            store=store,
            data=data,
            chart=chart,
            period=period,
            presets=PRESETS,
            headline=headline,
            kpi_store=kpi_store,
            kt=kpi_text,
        )
