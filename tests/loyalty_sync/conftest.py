import pytest

from loyalty_sync.extensions import db
from loyalty_sync.models import Store
from loyalty_sync.program_versions import ensure_program


@pytest.fixture
def store(app):
    store = Store(name="shop", url="http://shop.test", consumer_key="ck_test", consumer_secret="cs_test_secret_value",
                  webhook_secret="whsec")
    db.session.add(store)
    db.session.flush()
    ensure_program(store)
    db.session.commit()
    return store
