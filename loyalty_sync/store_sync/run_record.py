"""Every job that works on a store leaves one SyncRun row (the sync log):
opened `running` before the job touches anything, closed with its status,
a redacted error, its counts, the requests it made and the end time,
whatever happens in between. Passes, webhook jobs, the daily upkeep,
reconcile and backfill all go through `recorded_run`, so the log reads
the same for each and a crash never leaves a run `running` while its
process lives on.

A run killed with its process stays `running` until the next pass of the
store closes it (`sync_pass._close_interrupted_runs`).
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone

from loyalty_sync.extensions import db
from loyalty_sync.models import Store, SyncRun
from loyalty_sync.redaction import redact
from loyalty_sync.woocommerce import StoreClient
from loyalty_sync.woocommerce.errors import StoreError

log = logging.getLogger(__name__)


@dataclass
class PassCounts:
    """What a job pulled, applied and pushed (the counts of its SyncRun)."""

    pulled: dict = field(default_factory=dict)
    applied_by: dict = field(default_factory=dict)
    unchanged: int = 0
    stale: int = 0  # copies older than the books (apply.is_older_copy): changed nothing
    rejected: int = 0
    pushed_coupons: int = 0
    pushed_members: int = 0
    errors: list = field(default_factory=list)
    error_kind: str = ""
    planned: int = 0
    renamed_coupons: int = 0
    replanned: int = 0  # members re-planned because a rule version was saved (also in `planned`)

    def as_dict(self) -> dict:
        return {
            "pulled": self.pulled,
            "applied": sum(self.applied_by.values()),
            "applied_by": self.applied_by,
            "unchanged": self.unchanged,
            "stale": self.stale,
            "rejected": self.rejected,
            "pushed_coupons": self.pushed_coupons,
            "pushed_members": self.pushed_members,
            "members_planned": self.planned,
            **({"error_kind": self.error_kind} if self.error_kind else {}),
            **({"renamed_coupons": self.renamed_coupons} if self.renamed_coupons else {}),
            **({"members_replanned_for_new_rules": self.replanned} if self.replanned else {}),
        }


@dataclass
class RunRecord:
    """What the job will write into its SyncRun when it ends: the body sets
    `status`, `error` and `extra` counts; `counts` is written as it stands."""

    id: int
    client: StoreClient | None
    counts: PassCounts | None = None
    extra: dict = field(default_factory=dict)
    status: str = "ok"
    error: str = ""
    run: SyncRun | None = None  # the closed row, after the block

    def fail(self, error: str, kind: str) -> None:
        self.status, self.error = "failed", error
        if self.counts is not None:
            self.counts.error_kind = kind
        else:
            self.extra["error_kind"] = kind

    def close(self) -> SyncRun:
        run = db.session.get(SyncRun, self.id)
        run.status, run.error = self.status, redact(self.error)[:4000]
        run.counts = {**(self.counts.as_dict() if self.counts is not None else {}), **self.extra}
        run.requests = self.client.requests_made if self.client is not None else 0
        run.finished_at = datetime.now(timezone.utc)
        db.session.commit()
        return run


@contextlib.contextmanager
def recorded_run(
    store: Store, kind: str, client: StoreClient | None, counts: PassCounts | None = None, *, reraise: bool = False
):
    """Open the SyncRun, yield its RunRecord, close it. A store error or a
    crash in the body rolls back what the body had not committed and ends the
    run `failed` with the reason (a crash as "internal error: ...", logged
    with its traceback); `reraise` lets the caller's caller see it too (the
    job runner retries webhook jobs), else the job ends normally."""
    run = SyncRun(store_id=store.id, kind=kind, status="running", counts={})
    db.session.add(run)
    db.session.commit()
    record = RunRecord(run.id, client, counts)
    name = store.name
    try:
        yield record
    except StoreError as exc:
        db.session.rollback()
        record.fail(str(exc), type(exc).__name__)
        log.warning("%s of store %s failed: %s", kind, name, redact(str(exc)))
        if reraise:
            raise
    except Exception as exc:  # a bug must not kill the worker; it is recorded and shown
        db.session.rollback()
        record.fail(f"internal error: {exc!r}", "InternalError")
        log.exception("%s of store %s crashed", kind, name)
        if reraise:
            raise
    finally:
        record.run = record.close()
