"""A paid-membership SKU that no product of the store has.

PRODUCT.md's paid VIP membership only works if customers can buy a product
with that SKU; a SKU the synced catalogue lacks is most often a typo, so
both ways of saving rules (the admin panel, `admin/rules_form.store_errors`;
`program save`, `cli/analysis.py`) refuse it with this message, unless the
owner says the product will be created later (panel checkbox,
`--allow-unknown-sku`). After such a save the rule warning
(`rule_warnings.membership_sku_warnings`) keeps saying it. DECISIONS.md,
"An unknown membership SKU".
"""

from __future__ import annotations

from loyalty_sync.engine.program import Program
from loyalty_sync.extensions import db
from loyalty_sync.models import Product, Store

#: What to do about it; each way of saving adds how to override.
FIX = "create it in WooCommerce and sync, or leave the field empty"


def unknown_membership_sku(program: Program, store: Store) -> str | None:
    """Why nobody can buy the program's VIP membership in `store` (naming the
    SKU), or None when a product has the SKU or the program sells none."""
    sku = program.vip_membership_sku
    if not sku:
        return None
    hit = db.session.execute(
        db.select(Product.id).where(Product.store_id == store.id, Product.sku == sku).limit(1)
    ).scalar_one_or_none()
    if hit is not None:
        return None
    known = db.session.execute(
        db.select(db.func.count()).select_from(Product).where(Product.store_id == store.id)
    ).scalar_one()
    detail = f"none of its {known} products has it" if known else "no products have been synced yet"
    return f"no product with SKU {sku!r} in {store.name}'s catalogue ({detail}): nobody can buy the VIP membership"
