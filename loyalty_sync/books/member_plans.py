"""What the books decide for each member of a batch, without writing it:
the program in force, the program extras (referrals, reviews, birthday),
the engine's plan, and no coupon for events before the connection
(past_events.py).

One planner serves the apply service (`apply._plan_members`, which writes
each plan) and the first-sync plan (`analysis/first_sync_plan.py`, which
only counts them), so the plan shown to the owner is the plan the pass books.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime


from loyalty_sync.books.member_books import LoadedBooks
from loyalty_sync.books.past_events import with_past_tiers_rewarded, without_past_coupons
from loyalty_sync.books.program_extras import ProgramExtras
from loyalty_sync.books.program_versions import program_in_force, programs_by_number
from loyalty_sync.books.vip_cutoff import vip_spend_cutoff
from loyalty_sync.engine.ledger import MemberBooks
from loyalty_sync.engine.plan import Plan, plan_member
from loyalty_sync.engine.program import Program
from loyalty_sync.extensions import db
from loyalty_sync.models import Member, Store


class MemberPlanner:
    """`cut`: the connection time (events before it give no live coupon);
    `programs`: the versions orders may have earned under (the stored ones
    by default)."""

    def __init__(
        self, store: Store, now: datetime, *, cut: datetime | None, programs: Mapping[int, Program] | None = None
    ):
        self.store, self.now, self.cut = store, now, cut
        self.version, self.program = program_in_force(store)
        self.programs = dict(programs) if programs is not None else programs_by_number(store)
        self.cutoff = vip_spend_cutoff(db.session, store.id, self.program)  # top-N% VIP (books/vip_cutoff.py)
        self.extras = ProgramExtras(store, self.program, self.version, now)  # loyalty_sync/books/program_extras.py

    def expand(self, members: list[Member]) -> list[Member]:
        """These members and the referrers of the friends' orders."""
        return self.extras.expand(members)

    def prepare(self, chunk: list[Member], loaded: LoadedBooks) -> None:
        self.extras.prepare(chunk, loaded)

    def plan(self, member: Member, books: MemberBooks) -> Plan:
        books = with_past_tiers_rewarded(books, self.program, self.cut)
        planned = self.extras.books_for(member, books)  # + bonus lines
        plan = plan_member(
            planned, self.program, self.version, self.now, vip_spend_cutoff=self.cutoff, programs=self.programs
        )
        plan = self.extras.merge(member, plan)
        return without_past_coupons(plan, books, self.program, self.cut, self.now, member.birthday)
