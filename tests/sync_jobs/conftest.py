import pytest

from loyalty_sync.extensions import db
from loyalty_sync.models import Store
from loyalty_sync.program_versions import ensure_program
from tests.support.store_api import StoreScript
from woosim.testing import WooSimServer


@pytest.fixture
def woosim():
    with WooSimServer(webhook_delay=0.05) as sim:
        yield sim


@pytest.fixture
def shop(woosim):
    return StoreScript(woosim.url, woosim.key, woosim.secret)


@pytest.fixture
def store(app, woosim):
    """Our record of the woosim store; quick retries so fault tests stay fast."""
    app.config.update(STORE_BACKOFF_BASE=0.01, STORE_BACKOFF_MAX=0.05, STORE_TIMEOUT_SECONDS=2)
    store = Store(name="sim", url=woosim.url, consumer_key=woosim.key, consumer_secret=woosim.secret,
                  webhook_secret="whsec-test")
    db.session.add(store)
    db.session.flush()
    ensure_program(store)
    db.session.commit()
    return store
