"""Issue 16, bug 4: deleting a product must not take points back. The store
then answers the old order's line with product_id 0 and its date_modified
unchanged; the order keeps the product and categories it was earned with."""

import dataclasses
from decimal import Decimal

from loyalty_sync.books.program_versions import program_in_force, save_program
from loyalty_sync.books.statements import find_member
from loyalty_sync.engine.program import MultiplierRule
from loyalty_sync.extensions import db
from loyalty_sync.models import LedgerEntry
from loyalty_sync.store_sync.sync_pass import run_pass


def test_deleting_a_product_keeps_the_points_its_category_multiplier_gave(app, store, shop):
    shoes = shop.category(shop.sku("Shoes"))  # a category's name is unique in a store, like a SKU
    product = shop.product("Runner", "50.00", sku=shop.sku("RUN-1"), categories=[shoes["id"]])
    _, program = program_in_force(store)
    save_program(
        store,
        dataclasses.replace(program, multipliers=(MultiplierRule(Decimal(2), category_id=shoes["id"]),)),
        actor="test",
    )
    db.session.commit()
    anna_email = shop.email("anna")
    shop.order([(product["id"], 2)], email=anna_email)
    assert run_pass(store.id).status == "ok"
    earned = find_member(store, anna_email).points
    assert earned == 200  # 100.00 of shoes at double points

    assert shop.api.delete(f"products/{product['id']}", params={"force": True}).status_code == 200
    assert run_pass(store.id, full=True).status == "ok"
    db.session.expire_all()
    assert find_member(store, anna_email).points == earned
    kinds = db.session.execute(db.select(LedgerEntry.kind)).scalars().all()
    assert kinds.count("earn") == 1 and len(kinds) == 1, kinds
