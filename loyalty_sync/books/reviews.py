"""Review bonuses (PRODUCT.md): an approved product review by a verified buyer
(WooCommerce's own `verified` flag: the reviewer bought the product) earns
`program.review_bonus` points, once per product, at most
`program.reviews_per_month` bonuses per calendar month (of the review's
date; oldest reviews first).

Keys: the first bonus for a product is `review:<member key>:<product id>`;
a review that is later unapproved (hold, spam, trash) takes its bonus back
with `review:<member key>:<product id>:<n>` (kind `reverse`), and a review
approved again books the bonus again with the next `<n>`. So the bonus for
one product is held at most once, whatever happens to its reviews.

The sync pulls reviews of every status (`status=all`) so an unapproval is
seen; reviews have no modification date, so each pass re-reads the reviews
created in the last `RECHECK_DAYS` days besides the new ones (see
loyalty_sync/store_sync/sync_pass.py). A review that changes status after that window is
not re-read by incremental passes (a full pass re-reads everything).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone

from loyalty_sync.engine.facts import BadRecord, ReviewFacts, review_from_wc
from loyalty_sync.engine.ledger import LedgerKind, LedgerLine
from loyalty_sync.engine.program import Program
from loyalty_sync.extensions import db
from loyalty_sync.models import Member, Review, Store

RECHECK_DAYS = 90


def _base(member_key: str, product_id: int) -> str:
    return f"review:{member_key}:{product_id}"


def review_lines(
    member_key: str, reviews: Iterable[ReviewFacts], ledger: Sequence[LedgerLine], program: Program, now: datetime
) -> list[LedgerLine]:
    """New review bonus / take-back lines for one member (pure)."""
    prefix = f"review:{member_key}:"
    booked: dict[int, list[LedgerLine]] = defaultdict(list)
    for line in ledger:
        if line.key.startswith(prefix):
            try:
                booked[int(line.key[len(prefix) :].split(":")[0])].append(line)
            except ValueError:
                continue
    by_product: dict[int, list[ReviewFacts]] = defaultdict(list)
    for review in reviews:
        if review.created <= now:
            by_product[review.product_id].append(review)

    # bonuses held now, per month of the review that earned them
    per_month: dict[tuple[int, int], int] = defaultdict(int)
    for lines in booked.values():
        if sum(line.points for line in lines) > 0:
            granted = [line for line in lines if line.points > 0][-1]
            per_month[(granted.at.year, granted.at.month)] += 1

    new: list[LedgerLine] = []
    # take-backs first: they free a month's slot
    for product_id, lines in sorted(booked.items()):
        held = sum(line.points for line in lines)
        good = [r for r in by_product.get(product_id, []) if r.status == "approved" and r.verified]
        if held > 0 and not good:
            statuses = sorted({r.status for r in by_product.get(product_id, [])}) or ["deleted"]
            granted = [line for line in lines if line.points > 0][-1]
            per_month[(granted.at.year, granted.at.month)] -= 1
            new.append(
                LedgerLine(
                    key=f"{_base(member_key, product_id)}:{len(lines) + 1}",
                    kind=LedgerKind.REVERSE,
                    points=-held,
                    at=now,
                    reason=f"review of product {product_id} no longer approved ({', '.join(statuses)}): {-held} points",
                )
            )
    if program.review_bonus <= 0:
        return new
    candidates = []
    for product_id, product_reviews in by_product.items():
        lines = booked.get(product_id, [])
        if sum(line.points for line in lines) > 0:
            continue
        good = sorted(
            (r for r in product_reviews if r.status == "approved" and r.verified),
            key=lambda r: (r.created, r.review_id),
        )
        if good:
            candidates.append((good[0], lines))
    for review, lines in sorted(candidates, key=lambda c: (c[0].created, c[0].review_id)):
        month = (review.created.year, review.created.month)
        if per_month[month] >= program.reviews_per_month:
            continue
        per_month[month] += 1
        base = _base(member_key, review.product_id)
        key = base if not lines else f"{base}:{len(lines) + 1}"
        again = " (approved again)" if lines else ""
        new.append(
            LedgerLine(
                key=key,
                kind=LedgerKind.BONUS,
                points=program.review_bonus,
                at=review.created,
                reason=f"review #{review.review_id} of product {review.product_id}{again}: {program.review_bonus} points",
            )
        )
    return new


# --- service side ----------------------------------------------------------------------------------


def store_reviews(store: Store, records: Iterable[dict], reject) -> set[str]:
    """Upsert the store's reviews; returns the reviewer emails touched.
    `reject(record, reason)` reports a review that cannot be read."""
    parsed: list[ReviewFacts] = []
    for record in records:
        try:
            parsed.append(review_from_wc(record))
        except BadRecord as exc:
            reject(record, str(exc))
    ids = [r.review_id for r in parsed]
    existing = {}
    for start in range(0, len(ids), 500):
        existing.update(
            {
                r.wc_id: r
                for r in db.session.execute(
                    db.select(Review).where(Review.store_id == store.id, Review.wc_id.in_(ids[start : start + 500]))
                ).scalars()
            }
        )
    emails = set()
    for facts in parsed:
        row = existing.get(facts.review_id)
        if row is None:
            row = Review(store_id=store.id, wc_id=facts.review_id)
            db.session.add(row)
            existing[facts.review_id] = row
        changed = (row.status, row.verified, row.product_wc_id, row.reviewer_email) != (
            facts.status,
            facts.verified,
            facts.product_id,
            facts.reviewer_email,
        )
        if row.reviewer_email and row.reviewer_email != facts.reviewer_email:
            emails.add(row.reviewer_email)
        row.product_wc_id, row.reviewer_email = facts.product_id, facts.reviewer_email
        row.verified, row.status, row.created = facts.verified, facts.status, facts.created
        if changed and facts.reviewer_email:
            emails.add(facts.reviewer_email)
    db.session.flush()
    return emails


def members_for_emails(store: Store, emails: Iterable[str]) -> list[Member]:
    """The member a reviewer email belongs to (the registered one first)."""
    emails = sorted({e for e in emails if e})
    found: dict[str, Member] = {}
    for start in range(0, len(emails), 500):
        rows = db.session.execute(
            db.select(Member)
            .where(
                Member.store_id == store.id,
                Member.merged_into_id.is_(None),
                Member.anonymised_at.is_(None),
                Member.email.in_(emails[start : start + 500]),
            )
            .order_by(Member.customer_id.is_(None), Member.id)
        ).scalars()
        for member in rows:
            found.setdefault(member.email, member)
    return list(found.values())


def reviews_by_email(store_id: int, emails: Iterable[str]) -> dict[str, list[ReviewFacts]]:
    emails = sorted({e for e in emails if e})
    out: dict[str, list[ReviewFacts]] = defaultdict(list)
    for start in range(0, len(emails), 500):
        for row in db.session.execute(
            db.select(Review).where(Review.store_id == store_id, Review.reviewer_email.in_(emails[start : start + 500]))
        ).scalars():
            out[row.reviewer_email].append(
                ReviewFacts(
                    review_id=row.wc_id,
                    product_id=row.product_wc_id,
                    reviewer_email=row.reviewer_email,
                    status=row.status,
                    verified=bool(row.verified),
                    created=row.created or datetime(1970, 1, 1, tzinfo=timezone.utc),
                )
            )
    return out


def recheck_since(bookmark: datetime | None, now: datetime) -> datetime | None:
    """Where an incremental review listing starts: the bookmark, but never
    later than `RECHECK_DAYS` ago (status changes of recent reviews)."""
    if bookmark is None:
        return None
    return min(bookmark, now - timedelta(days=RECHECK_DAYS))
