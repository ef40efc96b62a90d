"""The VIP club's top-N% cut-off: the 12-month spend of the member at the N% mark.

One function for the apply service (`apply._plan_members`) and the what-if
preview (`analysis/whatif.py`), so both put the same members in the club.
Merged members (`merged_into_id` set) are not members any more, their orders
count for the survivor, so they are neither counted nor ranked (DECISIONS.md,
"The VIP top-% cut-off"). Reads the cached `Member.spend_12m`
(`member_books._refresh_activity`).
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, scoped_session

from loyalty_sync.engine.program import Program
from loyalty_sync.engine.vip import top_percent_rank
from loyalty_sync.models import Member


def vip_spend_cutoff(session: Session | scoped_session, store_id: int, program: Program) -> Decimal | None:
    """The spend that makes a member VIP by share, or None when the program
    has no top-N% rule or the store has too few spending members for one."""
    if not program.vip_top_percent:
        return None
    ranked = (Member.store_id == store_id, Member.merged_into_id.is_(None), Member.spend_12m > 0)
    count = session.execute(select(func.count()).select_from(Member).where(*ranked)).scalar_one()
    rank = top_percent_rank(count, program.vip_top_percent)
    if rank is None:
        return None
    return session.execute(
        select(Member.spend_12m).where(*ranked).order_by(Member.spend_12m.desc()).offset(rank - 1).limit(1)
    ).scalar_one_or_none()
