"""A shop's own words for its member emails: per kind and language, the
subject and the intro paragraph (the first paragraph after "Hello ...").

Plain text, never HTML: what the owner types is escaped like every other
text of the email. It may name values in braces, `{first_name}`, `{shop}`,
`{points}` ..., from the fixed list of its kind (`PLACEHOLDERS`); a name not
in the list, an attribute (`{shop.__class__}`), a format spec or a stray
brace is refused when the owner saves (`text_problem`), with the names that
would work. `{{` and `}}` write a brace.

`content.compose` calls `override` once, with the kind's default words
already made; a kind without an override keeps them. The panel's preview
shows words not saved yet through the same path: `drafting` lends them to
`override` for the length of one `with` block.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from dataclasses import dataclass
from string import Formatter

from loyalty_sync.extensions import db
from loyalty_sync.models import EmailTemplateOverride

COMMON = ("first_name", "shop", "balance")
# What each placeholder stands for, as the panel lists it.
MEANINGS = {
    "first_name": "the member's first name (may be empty)",
    "shop": "the shop's name",
    "balance": 'the member\'s balance, e.g. "120 points"',
    "points": 'the points of this email, e.g. "40 points"',
    "value": 'what the coupon is worth, e.g. "€5.00 off"',
    "code": "the coupon code",
    "date": "the day the points expire",
    "tier": "the new tier's name",
}
PLACEHOLDERS = {
    "points_earned": COMMON + ("points",),
    "coupon_ready": COMMON + ("value", "code"),
    "points_expiring": COMMON + ("points", "date"),
    "tier_up": COMMON + ("tier",),
}
SUBJECT_MAX = 300
INTRO_MAX = 2000


@dataclass(frozen=True)
class Words:
    subject: str = ""
    intro: str = ""


_DRAFT: ContextVar[dict | None] = ContextVar("email_override_draft", default=None)


def placeholders(kind: str) -> tuple[str, ...]:
    """The names a kind's words may use (a kind added later gets the common ones)."""
    return PLACEHOLDERS.get(kind, COMMON)


def text_problem(kind: str, text: str) -> str | None:
    """Why `text` cannot be saved as words of `kind`, or None."""
    allowed = placeholders(kind)
    try:
        fields = list(Formatter().parse(text))
    except ValueError:
        return "A brace is not closed. Use {name} for a value, {{ or }} for a brace itself."
    for _literal, name, spec, conversion in fields:
        if name is None:
            continue
        if name not in allowed or spec or conversion:
            shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            return f"Unknown placeholder {shown}. This email knows: " + ", ".join("{" + n + "}" for n in allowed) + "."
    return None


def fill(text: str, values: dict[str, str]) -> str:
    """`text` with its placeholders replaced (checked by `text_problem` first: an
    unknown one is left out rather than shown as a brace)."""
    parts = []
    for literal, name, _spec, _conversion in Formatter().parse(text):
        parts.append(literal)
        if name is not None:
            parts.append(str(values.get(name, "")))
    return "".join(parts)


def saved(store_id: int | None, kind: str, locale: str) -> Words | None:
    if store_id is None:
        return None
    row = db.session.execute(
        db.select(EmailTemplateOverride).filter_by(store_id=store_id, kind=kind, locale=locale)
    ).scalar_one_or_none()
    return Words(row.subject, row.intro) if row is not None else None


@contextlib.contextmanager
def drafting(kind: str, locale: str, words: Words):
    """Within the block, `override` uses `words` for this kind and language
    (the preview of words not saved yet)."""
    token = _DRAFT.set({(kind, locale): words})
    try:
        yield
    finally:
        _DRAFT.reset(token)


def override(store_id: int | None, kind: str, locale: str, content, values: dict[str, str]) -> None:
    """Put the shop's words, if any, into `content` (an `EmailContent`):
    its subject and its first paragraph."""
    draft = _DRAFT.get()
    words = draft.get((kind, locale)) if draft is not None else saved(store_id, kind, locale)
    if words is None:
        return
    if words.subject.strip() and text_problem(kind, words.subject) is None:
        content.subject = " ".join(fill(words.subject, values).split())[:SUBJECT_MAX]
    if words.intro.strip() and text_problem(kind, words.intro) is None:
        intro = fill(words.intro, values).strip()
        if content.paragraphs:
            content.paragraphs[0] = intro
        else:
            content.paragraphs.append(intro)
