"""Where the re-plan after a rule save stands, in numbers and in one
sentence: the rules page, `program show` and `program save` say the same.

Read from the books themselves (members behind the version in force,
`program_versions.members_behind`) and the sync log (a pass running), so it
is true whoever queued the pass and whatever happened to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from loyalty_sync.books.program_versions import behind_version, program_in_force
from loyalty_sync.extensions import db
from loyalty_sync.models import Member, Store, SyncRun


@dataclass(frozen=True)
class ReplanStatus:
    version: int
    behind: int  # members not yet planned under `version`
    members: int
    running: bool  # a pass of the store is running now

    @property
    def state(self) -> str:
        return "done" if not self.behind else "running" if self.running else "queued"

    def sentence(self) -> str:
        if self.state == "done":
            return f"Every member ({self.members}) is planned under version {self.version}."
        if self.state == "running":
            return (
                f"Re-planning under version {self.version}: {self.members - self.behind} of "
                f"{_members(self.members)} done; the pass running now finishes it."
            )
        return (
            f"{_members(self.behind)} of {self.members} still to re-plan under version {self.version}; "
            "the next sync pass does it."
        )


def replan_status(store: Store) -> ReplanStatus:
    version = program_in_force(store).number
    behind = db.session.execute(
        db.select(db.func.count()).select_from(Member).where(behind_version(store, version))
    ).scalar_one()
    members = db.session.execute(
        db.select(db.func.count())
        .select_from(Member)
        .where(Member.store_id == store.id, Member.merged_into_id.is_(None))
    ).scalar_one()
    running = (
        db.session.execute(
            db.select(SyncRun.id)
            .where(
                SyncRun.store_id == store.id,
                SyncRun.status == "running",
                SyncRun.kind.in_(("manual", "scheduled", "full")),
            )
            .limit(1)
        ).first()
        is not None
    )
    return ReplanStatus(version, behind, members, running)


def _members(count: int) -> str:
    return f"{count} member" if count == 1 else f"{count} members"
