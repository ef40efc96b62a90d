"""Liability forecast of one store (`loyalty_sync.analysis.liability.liability_forecast`):
outstanding points in money split spendable / pending, the expiry schedule
of the next 12 months (chart + table) and the expected breakage from the
store's own history. Linked from the dashboard's liability card."""

from __future__ import annotations

from flask_admin import expose

from admin.security import SecureBaseView
from admin.store_picker import all_stores, selected_store
from loyalty_sync.analysis.liability import liability_forecast


class LiabilityView(SecureBaseView):
    @expose("/")
    def index(self):
        stores = all_stores()
        store = selected_store(stores)
        forecast = liability_forecast(store) if store is not None else None
        chart = None
        if forecast:
            chart = {
                "months": [m["month"] for m in forecast["expiry_schedule"]],
                "points": [m["points"] for m in forecast["expiry_schedule"]],
                "money": [float(m["money"]) for m in forecast["expiry_schedule"]],
                "currency": forecast["currency"],
            }
        return self.render("loyalty/liability.html", stores=stores, store=store, f=forecast, chart=chart)
