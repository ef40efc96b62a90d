"""Reconciliation: compare the store with the books and list (and heal) every drift.

`reconcile(store, fix=False)` returns plain data:

    {"drift": [{"kind", "ref", "store_value", "books_value", "fix"}],
     "fixed": n, "checked": {"coupons": n, "members": n, "orders": n}}

Kinds (checked in this order, because healing one can settle the next):

- `orders_missed`: a month (created date, UTC) in which the store holds orders
  the books never saw (a missed webhook, an order whose date_modified
  predates the bookmark). Months are compared by count (`X-WP-Total` of one
  `per_page=1` request per month with `after`/`before`); only months whose
  counts differ are listed, and only order ids the books lack are drift.
  Fix: the missing orders go through the normal apply path (customers
  learnt, refund detail fetched, books re-planned).
  Each month is counted twice, `status=any` and `status=trash` (a trashed
  order leaves `any`), so a trashed order and a missed one cannot cancel
  out; `checkout-draft` orders are in `any`, as on a real store.
- `order_status`: an order the store lists in the other listing than the
  books expect (trashed, or restored from the trash, behind our back). Fix:
  the store's copy is applied (a trashed order loses its points).
- `order_gone`: an order the books hold that neither listing shows any more
  (deleted for good). Reported only (fix `none`).
- `coupon_missing`: a coupon we pushed (status `pushed`, not yet expired)
  that the store no longer has. Fix: pushed again (same code, same email
  restriction and expiry). Used or expired coupons are never re-created: a
  used coupon brought back would be usable again.
- `coupon_changed`: amount, type, email restriction, usage limit or expiry
  in the store differ from what we pushed. Fix: the coupon is updated back
  (batch update by id).
- `coupon_usage`: the store counts a use (`usage_count > 0`) of a coupon the
  books show unused: fix = the books mark it used (no points come back when it
  expires). The reverse (books `used`, store unused): when no order in the
  books uses the code any more, the books set it back to `pushed`; otherwise
  the drift is reported for a person to look at (fix `none`).
- `meta_changed`: a registered member's `loyalty_*` customer meta differ from
  what the push sends (`vip_dates.store_meta`: `books.store_status` plus
  the VIP start and end; members with a push still pending are not drift).
  Fix: the meta are pushed again.

Nothing in the store is ever deleted. Listings use 100 records per page.
Each run is recorded as a `SyncRun` of kind `reconcile` (counts per kind,
fixed), so the admin's sync log shows the history; no table of its own.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

from dateutil.relativedelta import relativedelta

from loyalty_sync.books.meta_owner import INSTALLATION
from loyalty_sync.books.badges import preload_badges
from loyalty_sync.books.order_facts import facts_from_row
from loyalty_sync.books.vip_dates import store_meta
from loyalty_sync.engine.coupons import used_codes
from loyalty_sync.engine.facts import parse_wc_datetime
from loyalty_sync.extensions import db
from loyalty_sync.models import Coupon, Member, Order, Store, SyncRun
from loyalty_sync.store_sync.connection import client_for
from loyalty_sync.store_sync.locks import store_lock
from loyalty_sync.store_sync.push import PushResult, coupon_payload, is_ours, push_coupons, push_member_status
from loyalty_sync.store_sync.run_record import PassCounts, recorded_run
from loyalty_sync.store_sync.sync_pass import StorePass

log = logging.getLogger(__name__)

KINDS = (
    "coupon_missing",
    "coupon_changed",
    "coupon_usage",
    "meta_changed",
    "orders_missed",
    "order_status",
    "order_gone",
)
PER_PAGE = 100
#: The two listings that between them show every order a store keeps:
#: `status=any` (every registered status, `checkout-draft` included: a refused
#: coupon order leaves one, real store 10.0.2) and `status=trash`.
LISTINGS = ("any", "trash")
#: In neither listing (`auto-draft` is WordPress's placeholder, never an order).
UNLISTED = ("auto-draft",)

Progress = Callable[[str, int, int | None], None]


def _drift(kind: str, ref: str, store_value, books_value, fix: str) -> dict:
    return {"kind": kind, "ref": ref, "store_value": store_value, "books_value": books_value, "fix": fix}


def reconcile(
    store: Store,
    *,
    fix: bool = False,
    client=None,
    now: datetime | None = None,
    progress: Progress | None = None,
    record: bool = True,
    lock: bool = True,
) -> dict:
    """Compare (and with `fix`, heal) the store and the books. With `fix`
    the store's lock is held so no sync pass runs meanwhile (`lock=False`:
    the caller holds it, as the daily upkeep does)."""

    now = now or datetime.now(timezone.utc)
    own_client = client is None
    client = client or client_for(store)
    try:
        if not record:
            return _reconcile(store, client, now, fix, None, progress, lock)
        with recorded_run(store, "reconcile", client, reraise=True) as run_record:
            result = _reconcile(store, client, now, fix, db.session.get(SyncRun, run_record.id), progress, lock)
            run_record.status = "ok" if not result["drift"] or fix else "partial"
            run_record.extra = {
                "drift": dict(Counter(d["kind"] for d in result["drift"])),
                "fixed": result["fixed"],
                "checked": result["checked"],
            }
        return result
    finally:
        if own_client:
            client.close()


def _reconcile(
    store: Store, client, now: datetime, fix: bool, run: SyncRun | None, progress: Progress | None, lock: bool
) -> dict:
    reconciler = Reconciler(store, client, now, fix=fix, run=run, progress=progress)
    if fix and lock:
        with store_lock(store.id, wait=True):
            return reconciler.execute()
    return reconciler.execute()


class Reconciler:
    def __init__(
        self, store: Store, client, now: datetime, *, fix: bool, run: SyncRun | None, progress: Progress | None = None
    ):
        self.store, self.client, self.now, self.fix, self.sync_run = store, client, now, fix, run
        self.progress = progress
        self.drift: list[dict] = []
        self.fixed = 0
        self.checked = {"coupons": 0, "members": 0, "orders": 0}

    def execute(self) -> dict:
        self.check_orders()
        self.check_coupons()
        self.check_meta()
        return {"drift": self.drift, "fixed": self.fixed, "checked": dict(self.checked)}

    def _say(self, what: str, done: int, total: int | None = None) -> None:
        if self.progress:
            self.progress(what, done, total)

    # --- orders -------------------------------------------------------------------------------------
    def check_orders(self) -> None:
        first = self._first_store_order()
        books_months = self._books_months()
        if first is None and not books_months:
            return
        starts = list(books_months) + ([_month_start(first)] if first is not None else [])
        month = min(starts)
        to_apply: list[dict] = []
        months = []
        while month <= self.now:
            months.append(month)
            month = month + relativedelta(months=1)
        for i, month in enumerate(months):
            end = month + relativedelta(months=1)
            # Two counts per month, `status=any` and `status=trash`: with one
            # count a trashed order the books still count and an order they
            # never saw cancel out (issue 16), with two they cannot.
            in_store = {s: self.client.count("orders", self._month_params(month, end, s)) for s in LISTINGS}
            self.checked["orders"] += sum(in_store.values())
            in_books = books_months.get(month, dict.fromkeys(LISTINGS, 0))
            self._say("months", i + 1, len(months))
            if in_store == in_books:
                continue
            to_apply.extend(self._compare_month(month, end, in_store, in_books))
        if self.fix and to_apply:
            self._apply_orders(to_apply)

    def _compare_month(self, month: datetime, end: datetime, in_store: dict, in_books: dict) -> list[dict]:
        """Name every order of a month whose counts differ: missing from the
        books, in another status (trashed or restored behind our back), or
        gone from the store. Returns the store copies a fix applies."""
        records = [
            r
            for s in LISTINGS
            for r in self.client.iter_records("orders", {**self._month_params(month, end, s), "per_page": PER_PAGE})
            if isinstance(r.get("id"), int)
        ]
        by_id = {r["id"]: r for r in records}
        books = dict(
            db.session.execute(
                db.select(Order.wc_id, Order.status).where(
                    Order.store_id == self.store.id, Order.created >= month, Order.created < end
                )
            ).all()
        )
        missed = sorted(i for i in by_id if i not in books)
        if missed:
            self.drift.append(
                _drift(
                    "orders_missed",
                    f"{month:%Y-%m}",
                    {"count": in_store["any"], "missing": missed},
                    {"count": in_books["any"]},
                    "pull the missing orders and apply them",
                )
            )
        changed = sorted(i for i in by_id if i in books and _listing(by_id[i].get("status")) != _listing(books[i]))
        for order_id in changed:
            self.drift.append(
                _drift(
                    "order_status",
                    f"order {order_id}",
                    {"status": by_id[order_id].get("status")},
                    {"status": books[order_id]},
                    "apply the store's copy of the order",
                )
            )
        gone = sorted(i for i, status in books.items() if i not in by_id and status not in UNLISTED)
        for order_id in gone:
            self.drift.append(
                _drift(
                    "order_gone",
                    f"order {order_id}",
                    None,
                    {"status": books[order_id]},
                    "none: the store no longer lists it (deleted for good?); check it in the store",
                )
            )
        return [by_id[i] for i in missed + changed]

    def _month_params(self, start: datetime, end: datetime, status: str = "any") -> dict:
        # `after`/`before` are exclusive: one second before the month's first instant.
        return {
            "after": _utc_text(start - timedelta(seconds=1)),
            "before": _utc_text(end),
            "dates_are_gmt": "true",
            "status": status,
        }

    def _first_store_order(self) -> datetime | None:
        """The oldest listed order (a trashed order older than every other that
        the books never saw earned nothing: the trash is not asked here)."""
        page = self.client.get("orders", {"per_page": 1, "page": 1, "orderby": "date", "order": "asc", "status": "any"})
        if not page:
            return None
        raw = page[0].get("date_created_gmt")
        try:
            return parse_wc_datetime(raw, "order", "date_created_gmt") if raw else None
        except Exception:
            return None

    def _books_months(self) -> dict[datetime, dict[str, int]]:
        """Per month, the books' orders as the store's two listings count them."""
        counts: dict[datetime, dict[str, int]] = defaultdict(lambda: dict.fromkeys(LISTINGS, 0))
        rows = db.session.execute(db.select(Order.created, Order.status).where(Order.store_id == self.store.id))
        for created, status in rows:
            listing = _listing(status)
            if listing is not None:
                counts[_month_start(created)][listing] += 1
        return dict(counts)

    def _apply_orders(self, records: list[dict]) -> None:

        run = self.sync_run or SyncRun(store_id=self.store.id, kind="reconcile", status="running", counts={})
        if run.id is None:
            db.session.add(run)
            db.session.flush()
        counts = PassCounts()
        worker = StorePass(self.store, run, self.client, counts, full=False, progress=None, batch_size=500)
        # Stored batch by batch, planned once at the end, as a pass does: the missing
        # orders of a member (a pass that died) can span batches, and a member planned
        # on part of them keeps what the rest changes (apply.reevaluate says what).
        worker.defer_planning = True
        records.sort(key=lambda r: r["id"])
        for start in range(0, len(records), 500):
            worker.apply_orders(records[start : start + 500])
        worker.plan_pending()
        self.fixed += sum(1 for d in self.drift if d["kind"] in ("orders_missed", "order_status"))
        # What the new orders changed (coupons, meta) goes to the store with the fixes below.

    # --- coupons ------------------------------------------------------------------------------------
    def check_coupons(self) -> None:

        remote_by_id, remote_by_code = {}, {}
        for c in self.client.iter_records("coupons", {"per_page": PER_PAGE}):
            remote_by_id[c.get("id")] = c
            remote_by_code[str(c.get("code", "")).lower()] = c
        ours = (
            db.session.execute(
                db.select(Coupon)
                .where(Coupon.store_id == self.store.id, Coupon.status.in_(("pushed", "used", "expired")))
                .order_by(Coupon.id)
            )
            .scalars()
            .all()
        )
        self.checked["coupons"] = len(ours)
        used_in_books = self._codes_used_by_orders()
        repush, updates = [], []
        for coupon in ours:
            remote = remote_by_id.get(coupon.wc_id) if coupon.wc_id else None
            if remote is None:  # by code only when it is not another installation's coupon
                remote = remote_by_code.get(coupon.code.lower())
                remote = remote if remote is not None and is_ours(remote, coupon, self.store.installation_id) else None
            if remote is None:
                if coupon.status == "pushed" and (coupon.expires_at is None or coupon.expires_at > self.now):
                    self.drift.append(
                        _drift(
                            "coupon_missing",
                            coupon.code,
                            None,
                            {"amount": f"{coupon.amount:.2f}", "email": coupon.email, "status": coupon.status},
                            "push the coupon again",
                        )
                    )
                    repush.append(coupon)
                continue
            wanted = coupon_payload(coupon, self.store.installation_id)
            differences = _coupon_differences(remote, wanted)
            if differences:
                self.drift.append(
                    _drift(
                        "coupon_changed",
                        coupon.code,
                        {k: v[0] for k, v in differences.items()},
                        {k: v[1] for k, v in differences.items()},
                        "update the coupon in the store",
                    )
                )
                updates.append({"id": remote.get("id"), **{k: wanted.get(k) for k in differences}})
            usage = _int(remote.get("usage_count"))
            if usage > 0 and coupon.status == "pushed":
                self.drift.append(
                    _drift(
                        "coupon_usage",
                        coupon.code,
                        {"usage_count": usage},
                        {"status": coupon.status},
                        "mark the coupon used in the books",
                    )
                )
                if self.fix:
                    coupon.status, coupon.used_at = "used", self.now
                    self.fixed += 1
            elif usage == 0 and coupon.status == "used":
                if coupon.code.lower() in used_in_books:
                    self.drift.append(
                        _drift(
                            "coupon_usage",
                            coupon.code,
                            {"usage_count": 0},
                            {"status": coupon.status},
                            "none: an order in the books uses it; check that order in the store",
                        )
                    )
                else:
                    self.drift.append(
                        _drift(
                            "coupon_usage",
                            coupon.code,
                            {"usage_count": 0},
                            {"status": coupon.status},
                            "mark the coupon unused in the books",
                        )
                    )
                    if self.fix:
                        coupon.status, coupon.used_at, coupon.used_order_wc_id = "pushed", None, None
                        self.fixed += 1
        if not self.fix:
            return
        for coupon in repush:
            coupon.status, coupon.wc_id, coupon.push_attempts = "pending", None, 0
            coupon.last_error = "re-pushed by reconciliation: missing in the store"
        db.session.commit()
        if updates:
            for start in range(0, len(updates), PER_PAGE):
                answer = self.client.batch("coupons", update=updates[start : start + PER_PAGE])
                self.fixed += len(updates[start : start + PER_PAGE]) - len(answer.errors)
                for error in answer.errors:
                    log.warning("reconcile: store refused a coupon update: %s %s", error.code, error.message)
        if repush:
            result = PushResult()
            push_coupons(self.store, self.client, result)
            self.fixed += sum(1 for c in repush if db.session.get(Coupon, c.id).status == "pushed")
        db.session.commit()

    def _codes_used_by_orders(self) -> set[str]:
        rows = db.session.execute(
            db.select(Order).where(Order.store_id == self.store.id, Order.coupon_codes.is_not(None))
        ).scalars()
        facts = [facts_from_row(r) for r in rows if r.coupon_codes]
        return used_codes(facts)

    # --- member meta ---------------------------------------------------------------------------------
    def check_meta(self) -> None:
        if self.fix:  # what the fixes above changed reaches the store first
            self._push_pending_meta()
        members = {
            m.customer_id: m
            for m in db.session.execute(
                db.select(Member).where(
                    Member.store_id == self.store.id,
                    Member.customer_id.is_not(None),
                    Member.merged_into_id.is_(None),
                    Member.anonymised_at.is_(None),
                )
            ).scalars()
        }

        preload_badges(list(members.values()))
        wanted_meta = store_meta(self.store, list(members.values()), self.now)
        stale = []
        for customer in self.client.iter_records("customers", {"per_page": PER_PAGE, "role": "all"}):
            member = members.get(customer.get("id"))
            if member is None:
                continue
            self.checked["members"] += 1
            if member.status_changed:  # a push is pending: not drift
                continue
            wanted = wanted_meta[member.id]
            meta = {m.get("key"): m.get("value") for m in customer.get("meta_data") or [] if isinstance(m, dict)}
            if self.store.installation_id and meta.get(INSTALLATION) not in (None, "", self.store.installation_id):
                continue  # another installation's meta (books/meta_owner.py): not ours to compare or fix
            have = {k: (None if meta.get(k) is None else str(meta.get(k))) for k in wanted}
            if have.get("loyalty_vip_since") is None and wanted["loyalty_vip_since"] == "":
                have["loyalty_vip_since"] = ""  # pushed before the key existed: nothing to say for a non-VIP
            if have != {k: str(v) for k, v in wanted.items()}:
                differ = {k: have[k] for k in wanted if have[k] != str(wanted[k])}
                self.drift.append(
                    _drift(
                        "meta_changed",
                        member.email or f"customer {member.customer_id}",
                        differ,
                        {k: wanted[k] for k in differ},
                        "push the member's loyalty meta again",
                    )
                )
                stale.append(member)
        if self.fix and stale:
            for member in stale:
                member.status_changed = True
                member.pushed_status = {}  # the store does not hold what we sent: the push must not skip it
            db.session.commit()
            self._push_pending_meta()
            self.fixed += sum(1 for m in stale if not db.session.get(Member, m.id).status_changed)

    def _push_pending_meta(self) -> None:

        result = PushResult()
        push_coupons(self.store, self.client, result)
        push_member_status(self.store, self.client, result)
        db.session.commit()


def _coupon_differences(remote: dict, wanted: dict) -> dict[str, tuple]:
    """field -> (store value, books value) for the fields that differ."""
    out = {}
    if _dec(remote.get("amount")) != _dec(wanted.get("amount")):
        out["amount"] = (remote.get("amount"), wanted.get("amount"))
    if remote.get("discount_type") != wanted.get("discount_type"):
        out["discount_type"] = (remote.get("discount_type"), wanted.get("discount_type"))
    have = sorted(str(e).lower() for e in remote.get("email_restrictions") or [])
    want = sorted(str(e).lower() for e in wanted.get("email_restrictions") or [])
    if have != want:
        out["email_restrictions"] = (remote.get("email_restrictions") or [], wanted.get("email_restrictions") or [])
    if (remote.get("usage_limit") or None) != (wanted.get("usage_limit") or None):
        out["usage_limit"] = (remote.get("usage_limit"), wanted.get("usage_limit"))
    # What the store holds is its `date_expires_gmt` (UTC, read back); we
    # write `date_expires` with a `+00:00` offset (loyalty_sync/store_sync/push.py).
    have_exp, want_exp = _date(remote.get("date_expires_gmt")), _date(wanted.get("date_expires"))
    if have_exp != want_exp:
        out["date_expires"] = (remote.get("date_expires_gmt"), wanted.get("date_expires"))
    return out


def _dec(value) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def _int(value) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _date(value) -> str | None:
    """Expiry compared to the second (WooCommerce keeps dates to the second)."""
    if not value:
        return None
    return str(value)[:19]


def _listing(status) -> str | None:
    """Which of the store's listings shows an order in this status."""
    if status in UNLISTED:
        return None
    return "trash" if status == "trash" else "any"


def _month_start(at: datetime) -> datetime:
    at = at.astimezone(timezone.utc) if at.tzinfo else at.replace(tzinfo=timezone.utc)
    return at.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _utc_text(value: datetime) -> str:
    return value.astimezone(timezone.utc).replace(tzinfo=None, microsecond=0).isoformat(timespec="seconds")
