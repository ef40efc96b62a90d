"""The program in force for a store, and saving a change as a new version.

Rules are stored as the engine's JSON document (`program_to_dict`), one row
per version; nothing edits a version in place, so every ledger line can point
at the exact rules it was computed with.
"""
import json
from functools import lru_cache

from loyalty_sync.engine.program import DEFAULT_PROGRAM, Program, program_from_dict, program_to_dict, validate_program
from loyalty_sync.extensions import db
from loyalty_sync.models import ProgramVersion, Store, record_audit


class InvalidProgram(ValueError):
    def __init__(self, errors):
        self.errors = errors
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))


def ensure_program(store: Store) -> ProgramVersion:
    """Every store starts with the defaults of PRODUCT.md as version 1."""
    current = current_version(store)
    if current is None:
        current = ProgramVersion(store_id=store.id, number=1, rules=program_to_dict(DEFAULT_PROGRAM),
                                 created_by="system", note="defaults")
        db.session.add(current)
        db.session.flush()
    return current


def current_version(store: Store) -> ProgramVersion | None:
    return db.session.execute(
        db.select(ProgramVersion).filter_by(store_id=store.id).order_by(ProgramVersion.number.desc()).limit(1)
    ).scalar_one_or_none()


def current_program(store: Store) -> tuple[int, Program]:
    version = ensure_program(store)
    return version.number, program_for(version.id, version.number, _freeze(version.rules))


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
    record_audit(actor, "program.save", f"program:v{version.number}", store_id=store.id,
                 before=previous.rules, after=rules, reason=note)
    db.session.flush()
    return version


def _freeze(rules: dict) -> str:

    return json.dumps(rules, sort_keys=True)


@lru_cache(maxsize=256)
def program_for(_version_id: int, _number: int, frozen_rules: str) -> Program:
    """Parsing a program is cheap but not free; versions never change, so cache."""

    return program_from_dict(json.loads(frozen_rules))
