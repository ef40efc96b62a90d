"""Push the books' results to the store: the coupon outbox, then the members'
`loyalty_*` customer meta. Both in batches of <= 100 items (WooCommerce's
batch limit, FACTS.md) and both idempotent:

- a coupon code that already exists in the store is looked up and linked when
  it is ours (same email restriction: a pass that died after the store created
  it but before we committed), never created twice; a foreign coupon with the
  same code gets our coupon a new code, pushed on the next pass;
- meta is sent only for members whose store-visible status changed since the
  last successful push.

A store in review (loyalty_sync/books/history.py) gets nothing: nobody has
chosen yet how its history counts.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone

from loyalty_sync.books.meta_owner import INSTALLATION, other_owner
from sqlalchemy import inspect

from loyalty_sync.books.badges import preload_badges
from loyalty_sync.books.coupon_codes import new_coupon_code
from loyalty_sync.books.history import in_review
from loyalty_sync.books.member_books import store_status
from loyalty_sync.books.vip_dates import store_meta
from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon, Member, RejectedRecord, Store
from loyalty_sync.woocommerce import BatchResult, StoreClient

log = logging.getLogger(__name__)

MAX_PUSH_ATTEMPTS = 8
_CHUNK = 100
_DUPLICATE = "woocommerce_rest_coupon_code_already_exists"


@dataclass
class PushResult:
    coupons_pushed: int = 0
    coupons_linked: int = 0
    coupons_failed: int = 0
    coupons_renamed: int = 0
    members_pushed: int = 0
    errors: list[str] = field(default_factory=list)
    #: What happened that is not an error (a coupon renamed after a code collision).
    notes: list[str] = field(default_factory=list)


def coupon_ref(coupon: Coupon, installation_id: str = "") -> str:
    """How we find our coupon in the store again (`loyalty_sync_key` meta):
    the coupon's key, prefixed with the installation (models/store.py) so two
    installations on one store, whose member keys (`m8`) repeat, never take
    each other's coupons. Stores from before installations keep the bare key."""
    return f"{installation_id}:{coupon.key}" if installation_id else coupon.key


def coupon_payload(coupon: Coupon, installation_id: str = "") -> dict:
    meta = [{"key": "loyalty_sync_key", "value": coupon_ref(coupon, installation_id)}]
    if installation_id:
        meta.append({"key": INSTALLATION, "value": installation_id})
    payload = {
        "code": coupon.code,
        "discount_type": coupon.discount_type,
        "amount": f"{coupon.amount:.2f}",
        "individual_use": False,
        "usage_limit": 1,
        "usage_limit_per_user": 1,
        "email_restrictions": [coupon.email] if coupon.email else [],
        "minimum_amount": f"{coupon.minimum_amount:.2f}" if coupon.minimum_amount else "",
        "free_shipping": bool(coupon.free_shipping),
        "description": f"loyalty-sync: {coupon.reason}"[:500],
        "meta_data": meta,
    }
    if coupon.source == "referral":  # one personal code for many friends, once each
        payload["usage_limit"] = None
    if coupon.expires_at:
        payload["date_expires"] = expiry_text(coupon.expires_at)
    return payload


def expiry_text(at: datetime) -> str:
    """`date_expires` in UTC with an explicit offset. WooCommerce ignores
    `date_expires_gmt` on writes (read-only: the coupon would never expire)
    and reads an offset-less `date_expires` in the store's time zone; with
    `+00:00` the store's `date_expires_gmt` reads back this exact second."""
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def push_coupons(store: Store, client: StoreClient, result: PushResult, *, limit: int | None = None) -> None:
    """Push pending (and retry failed) coupons, several batches in flight
    together (the client's one limit), committing after each answer."""
    if in_review(store):
        return
    for batch, answer in client.batches_in_flight(
        "coupons", _coupon_batches(store, limit), creates_are_idempotent=True
    ):
        # A repeated create is harmless here: the store refuses the code as a
        # duplicate and `_link_existing` links it, so transient errors may retry.
        _reload(Coupon, batch)
        _read_coupon_answer(store, client, batch, answer, result)
        db.session.commit()


def _reload(model, rows: list) -> None:
    """Rows queued behind an answer were expired by its commit: one query
    loads them all again instead of one query each on first touch."""
    if rows:  # (the identity, not `row.id`: reading an expired attribute is the query we avoid)
        ids = [inspect(row).identity[0] for row in rows]
        db.session.execute(db.select(model).where(model.id.in_(ids))).scalars().all()


def _coupon_batches(store: Store, limit: int | None):
    """(coupons, batch body) for every pending or failed coupon, 100 at a time,
    read lazily: each coupon is tried at most once per pass (keyset on id)."""
    last_id = 0
    while limit is None or limit > 0:
        query = (
            db.select(Coupon)
            .where(
                Coupon.store_id == store.id,
                Coupon.status.in_(("pending", "failed")),
                Coupon.push_attempts < MAX_PUSH_ATTEMPTS,
                Coupon.id > last_id,
            )
            .order_by(Coupon.id)
            .limit(_CHUNK if limit is None else min(_CHUNK, limit))
        )
        batch = db.session.execute(query).scalars().all()
        if not batch:
            return
        last_id = batch[-1].id
        if limit is not None:
            limit -= len(batch)
        yield batch, {"create": [coupon_payload(c, store.installation_id) for c in batch]}


def push_coupons_now(store: Store, client: StoreClient, coupons: list[Coupon], result: PushResult) -> None:
    """Push these coupons at once (the storefront's redeem answers with a
    usable code); same linking of duplicates as a pass. The caller commits."""
    for start in range(0, len(coupons), _CHUNK):
        _push_coupon_batch(store, client, coupons[start : start + _CHUNK], result)


def _push_coupon_batch(
    store: Store, client: StoreClient, batch: list[Coupon], result: PushResult, *, renaming: bool = False
) -> None:
    """`renaming`: this batch holds coupons just renamed after a collision;
    a second collision leaves them pending for the next pass."""
    # A repeated create is harmless here: the store refuses the code as a
    # duplicate and `_link_existing` links it, so transient errors may retry.
    answer = client.batch(
        "coupons", create=[coupon_payload(c, store.installation_id) for c in batch], creates_are_idempotent=True
    )
    _read_coupon_answer(store, client, batch, answer, result, renaming=renaming)


def _read_coupon_answer(
    store: Store,
    client: StoreClient,
    batch: list[Coupon],
    answer: BatchResult,
    result: PushResult,
    *,
    renaming: bool = False,
) -> None:
    now = datetime.now(timezone.utc)
    created = {str(item.get("code", "")).lower(): item for item in answer.created}
    for coupon in batch:
        coupon.push_attempts = (coupon.push_attempts or 0) + 1
        item = created.get(coupon.code.lower())
        if item is not None:
            coupon.status, coupon.wc_id, coupon.pushed_at, coupon.last_error = "pushed", item.get("id"), now, ""
            result.coupons_pushed += 1
    renamed = []
    for error in answer.errors:
        coupon = batch[error.index]
        if error.code == _DUPLICATE:
            if _link_existing(client, coupon, now, store.installation_id):
                result.coupons_linked += 1
            else:
                renamed.append(coupon)
            continue
        coupon.status = "failed"
        coupon.last_error = f"{error.code or 'error'}: {error.message or ''}"[:1000]
        result.coupons_failed += 1
        result.errors.append(f"coupon {coupon.code}: {coupon.last_error}")
        log.warning("store %s refused coupon %s: %s", store.name, coupon.code, coupon.last_error)
    if renamed and not renaming:
        _push_renamed(store, client, renamed, result)


def _push_renamed(store: Store, client: StoreClient, renamed: list[Coupon], result: PushResult) -> None:
    """A foreign coupon held the code: ours got a new one (`_link_existing`)
    and goes out under it now. Reported as what happened, not as a failure."""
    old_codes = {c.id: c.last_error for c in renamed}
    _push_coupon_batch(store, client, renamed, result, renaming=True)
    for coupon in renamed:
        if coupon.status != "pushed":
            continue  # another collision or a refusal: pending or failed, reported as such
        coupon.last_error = old_codes[coupon.id].replace("; renamed", f"; renamed to {coupon.code}")
        result.coupons_renamed += 1
        result.notes.append(f"coupon {coupon.code}: {coupon.last_error} and pushed")
        log.info("store %s: coupon %s %s", store.name, coupon.code, coupon.last_error)


def _link_existing(client: StoreClient, coupon: Coupon, now: datetime, installation_id: str = "") -> bool:
    found = client.get("coupons", {"code": coupon.code})
    ours = next((c for c in found or [] if is_ours(c, coupon, installation_id)), None)
    if ours is not None:
        coupon.status, coupon.wc_id, coupon.pushed_at, coupon.last_error = "pushed", ours.get("id"), now, ""
        return True
    old = coupon.code
    coupon.code = new_coupon_code(coupon.source)
    coupon.status, coupon.last_error = "pending", f"code {old} belongs to another coupon in the store; renamed"
    return False


def is_ours(remote: dict, coupon: Coupon, installation_id: str = "") -> bool:
    """Our ref in its meta; a coupon carrying another ref (another
    installation's, or another coupon's) never is. Without any ref (made by
    hand, or pushed before refs existed) the email restriction decides."""
    meta = {m.get("key"): m.get("value") for m in remote.get("meta_data") or [] if isinstance(m, dict)}
    if "loyalty_sync_key" in meta:
        return meta["loyalty_sync_key"] == coupon_ref(coupon, installation_id)
    emails = [e.lower() for e in remote.get("email_restrictions") or []]
    return bool(coupon.email) and emails == [coupon.email.lower()]


def push_member_status(store: Store, client: StoreClient, result: PushResult) -> None:
    """Customer meta for members whose store-visible status changed, several
    batches in flight together, committing after each answer."""
    if in_review(store):
        return
    for (batch, sent), answer in client.batches_in_flight("customers", _meta_batches(store, result)):
        _reload(Member, batch)
        _read_meta_answer(store, batch, sent, answer, result)
        db.session.commit()


def _meta_batches(store: Store, result: PushResult):
    """((members, meta sent), batch body) for the flagged members, 100 at a
    time (keyset on id: each member once per pass). Guests have no customer
    record to carry meta, and a member whose status is what the store was
    last sent has nothing to write: both only lose their flag."""
    last_id = 0
    while True:
        query = (
            db.select(Member)
            .where(Member.store_id == store.id, Member.status_changed.is_(True), Member.id > last_id)
            .order_by(Member.id)
            .limit(_CHUNK)
        )
        batch = db.session.execute(query).scalars().all()
        if not batch:
            return
        last_id = batch[-1].id
        registered = []
        for member in batch:
            if member.customer_id is None or member.anonymised_at is not None:
                member.status_changed = False
            elif member.pushed_status and store_status(member) == member.pushed_status:
                member.status_changed = False  # changed and changed back (two webhooks before a pass)
            elif not _owned_by_another(store, member, result):
                registered.append(member)
        if not registered:
            db.session.commit()
            continue
        preload_badges(registered)  # one query for the batch's loyalty_badges
        # `pushed_status` keeps the books' own dict (their change detection compares it).
        sent = {m.id: store_status(m) for m in registered}
        meta = store_meta(store, registered)
        updates = [
            {"id": m.customer_id, "meta_data": [{"key": k, "value": v} for k, v in meta[m.id].items()]}
            for m in registered
        ]
        yield (registered, sent), {"update": updates}


def _owned_by_another(store: Store, member: Member, result: PushResult) -> bool:
    """A customer whose meta another installation wrote is left alone (books/meta_owner.py)."""
    owner = other_owner(store, member)
    if owner is None:
        return False
    member.status_changed = False  # reported once; its next status change checks again
    message = (
        f"customer {member.customer_id}: the loyalty meta belongs to another installation of loyalty-sync "
        f"on this store ({owner}); not overwritten"
    )
    result.errors.append(message)
    db.session.add(
        RejectedRecord(store_id=store.id, resource="customer_meta", ref=f"member {member.id}", reason=message)
    )
    return True


def _read_meta_answer(
    store: Store, batch: list[Member], sent: dict[int, dict], answer: BatchResult, result: PushResult
) -> None:
    failed = {error.index: error for error in answer.errors}
    for index, member in enumerate(batch):
        error = failed.get(index)
        if error is not None:
            message = f"customer {member.customer_id}: {error.code}: {error.message}"
            result.errors.append(message)
            db.session.add(
                RejectedRecord(
                    store_id=store.id,
                    resource="customer_meta",
                    ref=f"member {member.id}",
                    reason=f"the store refused the loyalty meta update ({message})",
                )
            )
        else:
            member.pushed_status = sent[member.id]
            result.members_pushed += 1
        # Cleared either way: a refused customer is reported, not retried forever;
        # its next status change tries again.
        member.status_changed = store_status(member) != sent[member.id] if error is None else False
