"""An unknown membership SKU: `program save` refuses it, naming the SKU, unless --allow-unknown-sku."""

from loyalty_sync.books.apply import apply_products
from loyalty_sync.extensions import db
from loyalty_sync.models import ProgramVersion
from tests.support import wc


def _versions():
    return db.session.execute(db.select(ProgramVersion.number).order_by(ProgramVersion.number)).scalars().all()


def _save(app, *args):
    return app.test_cli_runner().invoke(
        args=["program", "save", "--store", "shop", "--set", "vip.min_spend=400", *args]
    )


def test_program_save_refuses_an_unknown_membership_sku(store, app):
    apply_products(store, [wc.product(100, sku="BEANS")])
    db.session.commit()
    refused = _save(app, "--set", "vip.membership_sku=VIP-GOLD")
    assert refused.exit_code != 0
    assert "no product with SKU 'VIP-GOLD' in shop's catalogue" in refused.output
    assert "--allow-unknown-sku" in refused.output
    assert _versions() == [1]


def test_program_save_takes_an_unknown_sku_with_the_override_and_still_warns(store, app):
    saved = _save(app, "--set", "vip.membership_sku=VIP-GOLD", "--allow-unknown-sku")
    assert saved.exit_code == 0, saved.output
    assert "warning: vip_membership_sku: no product with SKU 'VIP-GOLD'" in saved.output
    latest = db.session.execute(db.select(ProgramVersion).order_by(ProgramVersion.number.desc())).scalars().first()
    assert latest.number == 2 and latest.rules["vip_membership_sku"] == "VIP-GOLD"


def test_program_save_takes_a_known_sku(store, app):
    apply_products(store, [wc.product(101, sku="VIP-GOLD")])
    db.session.commit()
    saved = _save(app, "--set", "vip.membership_sku=VIP-GOLD")
    assert saved.exit_code == 0, saved.output
    assert "vip_membership_sku" not in saved.output
    assert _versions() == [1, 2]
