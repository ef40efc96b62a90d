import pytest

from loyalty_sync.extensions import db
from loyalty_sync.models import EmailSettings
from tests.support.smtp_server import configure_emails, smtp_server  # noqa: F401 - the fixture
from tests.support.stores import make_store


@pytest.fixture
def store(app):
    return make_store("shop", "http://shop.test", webhook_secret="whsec")


@pytest.fixture
def emails(app, smtp_server, store):  # noqa: F811 - the fixture above
    """Emails on for `store`, sent to the test SMTP server."""
    configure_emails(app, smtp_server)
    settings = EmailSettings(
        store_id=store.id,
        enabled=True,
        shop_name="Kaffee Klatsch",
        sender_name="Kaffee Klatsch",
        sender_address="hello@kaffee.test",
    )
    db.session.add(settings)
    db.session.commit()
    return settings
