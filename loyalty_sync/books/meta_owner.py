"""Whose `loyalty_*` customer meta it is, when two installations of
loyalty-sync share one store (staging next to production, a re-install on a
fresh database): each writes its installation id beside the meta, and never
overwrites a customer's meta that carries another installation's id. The
first to write a customer's meta keeps it; the other reports the customer
once in Rejected records and leaves the store as it is. Stores from before
installation ids (id "") neither write nor check the mark.
"""

from __future__ import annotations

from loyalty_sync.models import Member, Store

INSTALLATION = "loyalty_sync_installation"


def other_owner(store: Store, member: Member) -> str | None:
    """The other installation whose meta the customer carries (as last pulled), or None."""
    if not store.installation_id:
        return None
    owner = (member.meta or {}).get(INSTALLATION) or ""
    return owner if owner and owner != store.installation_id else None
