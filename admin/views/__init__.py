"""One module per screen; `build_views` makes fresh view objects for each app
(Flask-Admin binds a view to one Admin, and tests build many apps)."""

from __future__ import annotations

from admin.views.api_tokens import ApiTokenView
from admin.views.at_risk import AtRiskView
from admin.views.audit import AuditLogView
from admin.views.campaigns import CampaignView
from admin.views.coupons import CouponView
from admin.views.expiring import ExpiringView
from admin.views.first_sync import FirstSyncView
from admin.views.email_settings import EmailSettingsView
from admin.views.exports import ExportView
from admin.views.kpis import KpiView
from admin.views.liability import LiabilityView
from admin.views.members import MembersView
from admin.views.nps import NpsView
from admin.views.mailbox import MailboxView
from admin.views.outbox import OutboxView
from admin.views.reconcile import ReconcileView
from admin.views.rules import RulesView
from admin.views.store_connect import StoreConnectView
from admin.views.stores import StoreView
from admin.views.sync_log import RejectedRecordView, SyncRunView
from admin.views.widget import WidgetView


def build_views() -> list:
    return [
        KpiView(name="KPIs", endpoint="kpis", url="/admin/kpis"),
        MembersView(name="Members", endpoint="members", url="/admin/members"),
        CampaignView(name="Segments & campaigns", endpoint="campaigns", url="/admin/campaigns"),
        ExpiringView(name="Expiring points", endpoint="expiring", url="/admin/expiring"),
        AtRiskView(name="Members at risk", endpoint="at_risk", url="/admin/at-risk"),
        LiabilityView(name="Liability forecast", endpoint="liability", url="/admin/liability"),
        RulesView(name="Program rules", endpoint="rules", url="/admin/rules"),
        CouponView(name="Coupons", endpoint="coupons", url="/admin/coupons"),
        NpsView(name="NPS", endpoint="nps", url="/admin/nps"),
        StoreView(name="Stores", endpoint="stores", url="/admin/stores", category="Settings"),
        StoreConnectView(name="Connect a store", endpoint="store_connect", url="/admin/connect"),
        FirstSyncView(name="First sync", endpoint="first_sync", url="/admin/first-sync", category="Settings"),
        ApiTokenView(name="API tokens", endpoint="api_tokens", url="/admin/api-tokens", category="Settings"),
        EmailSettingsView(
            name="Member emails", endpoint="email_settings", url="/admin/email-settings", category="Settings"
        ),
        WidgetView(name="On-site widget", endpoint="widget", url="/admin/widget", category="Settings"),
        ReconcileView(name="Reconciliation", endpoint="reconcile", url="/admin/reconcile", category="Settings"),
        SyncRunView(name="Sync log", endpoint="sync_log", url="/admin/sync-log", category="Logs"),
        RejectedRecordView(name="Rejected records", endpoint="rejected", url="/admin/rejected", category="Logs"),
        AuditLogView(name="Audit log", endpoint="audit", url="/admin/audit", category="Logs"),
        OutboxView(name="Member emails", endpoint="outbox", url="/admin/emails", category="Logs"),
        MailboxView(name="Demo mailbox", endpoint="mailbox", url="/admin/mailbox", category="Logs"),
        ExportView(name="Export", endpoint="export", url="/admin/export"),
    ]
