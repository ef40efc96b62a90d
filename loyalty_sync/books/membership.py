"""Who an order or a customer record belongs to.

A registered customer is known by the store's customer id; a guest (customer
id 0) by billing email. When a guest registers later, the guest member is
adopted by the customer (same member row, so the whole history and every
ledger key stay theirs). Lookups are batched: one query for a batch of ids
and emails, then dictionaries.
"""

from loyalty_sync.extensions import db
from loyalty_sync.models import Member, record_audit


class MemberDirectory:
    def __init__(self, store_id: int):
        self.store_id = store_id
        self._by_customer: dict[int, Member] = {}
        self._by_email: dict[str, list[Member]] = {}
        # Customer ids already asked for, found or not: a new customer's
        # orders must not query again for each order (a first sync creates
        # thousands of members).
        self._asked: set[int] = set()

    def preload(self, customer_ids=(), emails=()) -> None:
        """One query per 500 ids and one per 500 emails (each on its own
        index), for what this directory has not asked yet."""
        customer_ids = sorted({c for c in customer_ids if c} - self._asked)
        emails = sorted({e for e in emails if e and e not in self._by_email})
        if not customer_ids and not emails:  # asked for every order: mostly known already
            return
        live = (Member.store_id == self.store_id, Member.merged_into_id.is_(None))
        for column, values in ((Member.customer_id, customer_ids), (Member.email, emails)):
            for start in range(0, len(values), 500):
                query = db.select(Member).where(*live, column.in_(values[start : start + 500]))
                for member in db.session.execute(query).scalars():
                    self._remember(member)
        self._asked.update(customer_ids)
        for email in emails:
            self._by_email.setdefault(email, [])

    def for_customer(self, customer_id: int, email: str) -> Member:
        """The member of a registered customer, adopting their guest history."""
        self.preload([customer_id], [email])
        member = self._by_customer.get(customer_id)
        if member is not None:
            return member
        guest = next((m for m in self._by_email.get(email, []) if m.customer_id is None), None)
        if guest is not None:
            guest.customer_id = customer_id
            record_audit(
                "sync",
                "member.adopt_guest",
                f"member:{guest.id}",
                store_id=self.store_id,
                after={"customer_id": customer_id},
                reason="guest registered with the same email",
            )
            self._by_customer[customer_id] = guest
            return guest
        return self._create(customer_id=customer_id, email=email)

    def for_order(self, customer_id: int, email: str) -> Member:
        if customer_id:
            return self.for_customer(customer_id, email)
        self.preload([], [email])
        candidates = self._by_email.get(email, [])
        registered = [m for m in candidates if m.customer_id is not None]
        if registered:
            return min(registered, key=lambda m: m.id)
        if candidates:
            return candidates[0]
        return self._create(customer_id=None, email=email)

    def _create(self, *, customer_id: int | None, email: str) -> Member:
        member = Member(
            store_id=self.store_id,
            customer_id=customer_id,
            email=email,
            points=0,
            tier="",
            tiers_rewarded=[],
            meta={},
            pushed_status={},
        )
        db.session.add(member)  # flushed with its batch: one INSERT round for many new members
        self._remember(member)
        return member

    def _remember(self, member: Member) -> None:
        if member.customer_id is not None:
            self._by_customer[member.customer_id] = member
            self._asked.add(member.customer_id)
        bucket = self._by_email.setdefault(member.email, [])
        if member not in bucket:
            bucket.append(member)
