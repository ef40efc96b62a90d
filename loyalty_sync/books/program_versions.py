"""The program in force for a store, and saving a change as a new version.

Rules are stored as the engine's JSON document (`program_to_dict`), one row
per version; nothing edits a version in place, so every ledger line can point
at the exact rules it was computed with.

Readers and writers are apart. `program_in_force` is the one reader: pages,
previews, the storefront, the CLI and passes all ask it, so they all read the
same version. It writes nothing; a store that never saved rules reads the
defaults as version 1, which is what `ensure_program` saves the first time a
writer (a pass booking ledger lines, `save_program`) needs the row.

A saved version is in force at once for every reader, and for the books
within one pass: each member remembers the version it was last planned under
(`Member.planned_version`), and the pass re-plans every member behind the
version in force (`members_behind`, `apply.plan_pending_members`). Nothing is
written per member at the save, so a member planned concurrently under the
old rules is still found behind afterwards.
"""

import json
from functools import lru_cache
from typing import NamedTuple

from loyalty_sync.engine.program import DEFAULT_PROGRAM, Program, program_from_dict, program_to_dict, validate_program
from loyalty_sync.extensions import db
from loyalty_sync.models import Member, ProgramVersion, Store, record_audit

#: What a store that never saved rules runs: the defaults, numbered as `ensure_program` will save them.
DEFAULT_VERSION_NUMBER = 1


class RulesInForce(NamedTuple):
    number: int
    program: Program


class InvalidProgram(ValueError):
    def __init__(self, errors):
        self.errors = errors
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))


def ensure_program(store: Store) -> ProgramVersion:
    """Every store starts with the defaults of PRODUCT.md as version 1 (a
    writer's first step: ledger lines point at a saved version)."""
    current = current_version(store)
    if current is None:
        current = ProgramVersion(
            store_id=store.id,
            number=DEFAULT_VERSION_NUMBER,
            rules=program_to_dict(DEFAULT_PROGRAM),
            created_by="system",
            note="defaults",
        )
        db.session.add(current)
        db.session.flush()
    return current


def current_version(store: Store, *, session=None) -> ProgramVersion | None:
    """The newest saved row, or None (the store runs the defaults unsaved)."""
    return (
        (session or db.session)
        .execute(db.select(ProgramVersion).filter_by(store_id=store.id).order_by(ProgramVersion.number.desc()).limit(1))
        .scalar_one_or_none()
    )


def program_in_force(store: Store, *, session=None) -> RulesInForce:
    """The rules every reader uses, with their version number; writes nothing.
    `session`: a reader on a session of its own (the what-if replay)."""
    version = current_version(store, session=session)
    if version is None:
        return RulesInForce(DEFAULT_VERSION_NUMBER, DEFAULT_PROGRAM)
    return RulesInForce(version.number, program_for(version.id, version.number, _freeze(version.rules)))


def members_behind(store: Store, number: int):
    """The query of the store's members for the pass to re-plan under
    version `number`. Merged members have no books of their own; members
    with facts waiting (`needs_plan`) are planned whole by the pass first."""
    return db.select(Member).where(behind_version(store, number), Member.needs_plan.is_(False))


def behind_version(store: Store, number: int):
    """Planned under an older version, or never under a known one (NULL)."""
    return db.and_(
        Member.store_id == store.id,
        Member.merged_into_id.is_(None),
        db.or_(Member.planned_version.is_(None), Member.planned_version < number),
    )


def programs_by_number(store: Store) -> dict[int, Program]:
    """All versions of a store, for re-evaluating orders under the rules they earned with."""
    rows = db.session.execute(db.select(ProgramVersion).filter_by(store_id=store.id)).scalars()
    return {row.number: program_for(row.id, row.number, _freeze(row.rules)) for row in rows}


def save_program(store: Store, program: Program, *, actor: str, note: str = "") -> ProgramVersion:
    """Validate and store a new version; the caller commits (with its audit row)."""
    errors = validate_program(program)
    if errors:
        raise InvalidProgram(errors)
    previous = ensure_program(store)
    rules = program_to_dict(program)
    version = ProgramVersion(store_id=store.id, number=previous.number + 1, rules=rules, created_by=actor, note=note)
    db.session.add(version)
    record_audit(
        actor,
        "program.save",
        f"program:v{version.number}",
        store_id=store.id,
        before=previous.rules,
        after=rules,
        reason=note,
    )
    db.session.flush()
    return version


def _freeze(rules: dict) -> str:
    return json.dumps(rules, sort_keys=True)


@lru_cache(maxsize=256)
def program_for(_version_id: int, _number: int, frozen_rules: str) -> Program:
    """Parsing a program is cheap but not free; versions never change, so cache."""
    return program_from_dict(json.loads(frozen_rules))
