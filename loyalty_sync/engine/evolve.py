"""A copy of a frozen engine record with some fields changed, cheaply.

`dataclasses.replace` builds the copy through `__init__`, field by field
(a frozen dataclass sets each one through `object.__setattr__`): about 5 µs
for a member's books, and a what-if replay makes tens of thousands of such
copies per thousand members. The engine's records are plain frozen
dataclasses (no `__post_init__`, no `__slots__`, no init-only fields), so
copying their attributes gives the same object; `evolve` refuses any other
kind of class rather than copy it wrong.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from functools import cache
from typing import TypeVar, cast

T = TypeVar("T")


def evolve(record: T, **changes) -> T:
    """`dataclasses.replace(record, **changes)` for a plain frozen dataclass."""
    names = _field_names(cast(type, type(record)))  # a class is hashable; mypy doubts it of type[T]
    unknown = changes.keys() - names
    if unknown:
        raise TypeError(f"{type(record).__name__} has no field(s) {sorted(unknown)}")
    copy = object.__new__(type(record))
    state = copy.__dict__
    state.update(record.__dict__)
    state.update(changes)
    return copy


@cache
def _field_names(cls: type) -> frozenset[str]:
    if not is_dataclass(cls) or hasattr(cls, "__slots__") or hasattr(cls, "__post_init__"):
        raise TypeError(f"evolve copies plain frozen dataclasses only, not {cls.__name__}")
    return frozenset(f.name for f in fields(cls))
