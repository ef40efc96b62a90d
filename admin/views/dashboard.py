"""The landing page: how the program performs (numbers from loyalty_sync.dashboard)."""
from __future__ import annotations

from flask_admin import expose

from admin.security import SecureIndexView
from admin.views import all_stores, selected_store
from loyalty_sync import dashboard


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
        return self.render("loyalty/dashboard.html", stores=stores, store=store, data=data, chart=chart)
