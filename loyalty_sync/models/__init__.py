"""All tables, one concept per module; imported here so Alembic sees them."""

from loyalty_sync.models.api_token import API_SCOPES, ApiToken  # storefront API
from loyalty_sync.models.audit import AuditEntry, record_audit
from loyalty_sync.models.campaign import CAMPAIGN_STATUSES, Campaign
from loyalty_sync.models.catalogue import Category, Product, Review
from loyalty_sync.models.coupon import COUPON_STATUSES, Coupon
from loyalty_sync.models.email import (
    EMAIL_KINDS,
    OUTBOX_STATUSES,
    EmailOptOut,
    EmailSettings,
    EmailTemplateOverride,
    OutboxMessage,
)
from loyalty_sync.models.idempotency import IdempotencyKey  # storefront API
from loyalty_sync.models.ledger import LEDGER_KINDS, LedgerEntry, LedgerIsAppendOnly
from loyalty_sync.models.member import Badge, Member, VipPeriod
from loyalty_sync.models.nps import NPS_SOURCES, NpsAnswer  # storefront NPS
from loyalty_sync.models.order import Order
from loyalty_sync.models.program import ProgramVersion
from loyalty_sync.models.store import Store, SyncBookmark
from loyalty_sync.models.sync_run import RejectedRecord, SyncRun
from loyalty_sync.models.user import ROLES, User
from loyalty_sync.models.webhook_event import WebhookEvent

__all__ = [
    "API_SCOPES",
    "ApiToken",
    "IdempotencyKey",
    "NPS_SOURCES",
    "NpsAnswer",  # storefront
    "AuditEntry",
    "Badge",
    "Campaign",
    "CAMPAIGN_STATUSES",
    "Category",
    "Coupon",
    "COUPON_STATUSES",
    "LedgerEntry",
    "LEDGER_KINDS",
    "LedgerIsAppendOnly",
    "Member",
    "Order",
    "Product",
    "ProgramVersion",
    "RejectedRecord",
    "Review",
    "EMAIL_KINDS",
    "EmailOptOut",
    "EmailSettings",
    "EmailTemplateOverride",
    "OUTBOX_STATUSES",
    "OutboxMessage",  # member emails
    "ROLES",
    "Store",
    "SyncBookmark",
    "SyncRun",
    "User",
    "VipPeriod",
    "WebhookEvent",
    "record_audit",
]
