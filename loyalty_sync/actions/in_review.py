"""A store in review writes nothing anywhere (books/history.py): nobody has
chosen yet how its history counts, so a point or a coupon booked now would
be priced under a mode that does not exist yet. The passes already hold
back; the actions a person starts (a campaign, a balance adjustment, a VIP
invitation, a member's redemption) are refused with these words, each in
its own error type so every caller (panel flash, CLI error, API 409 with
code `STORE_IN_REVIEW_CODE`) shows it the way it shows its other refusals."""

from __future__ import annotations

from loyalty_sync.books.history import in_review
from loyalty_sync.models import Store

STORE_IN_REVIEW_CODE = "store_in_review"


def refusal_in_review(store: Store, doing: str) -> str | None:
    """The sentence refusing `doing` ("send a campaign") for a store in review; None otherwise."""
    if not in_review(store):
        return None
    return (
        f"{store.name} is in review: nothing is booked or sent to the store until you choose how its past "
        f"orders count, so you cannot {doing} yet. Choose on the first-sync plan page (Settings > First sync) "
        f"or with `flask --app wsgi stores history {store.name} --mode MODE`"
    )
