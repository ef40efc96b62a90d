"""`flask emails settings`: a store's member emails, off until turned on."""

from loyalty_sync.extensions import db
from loyalty_sync.models import EmailSettings


def test_emails_are_turned_on_and_set_up_per_store(app, runner, store):
    result = runner.invoke(
        args=[
            "emails",
            "settings",
            "--store",
            store.name,
            "--on",
            "--sender-address",
            "hello@shop.test",
            "--language",
            "de",
            "--kind",
            "tier_up=off",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Member emails of shop: on" in result.output
    row = db.session.execute(db.select(EmailSettings)).scalar_one()
    assert (row.enabled, row.sender_address, row.language, row.tier_up, row.points_earned) == (
        True,
        "hello@shop.test",
        "de",
        False,
        True,
    )
    bad = runner.invoke(args=["emails", "settings", "--store", store.name, "--kind", "newsletter=on"])
    assert bad.exit_code != 0 and "KIND=on|off" in bad.output
