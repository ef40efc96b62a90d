"""Fixtures for tests that talk to a store over real HTTP: a fresh woosim per
test, a scenario builder on its API, and our Store row pointing at it.
Registered as a pytest plugin in tests/conftest.py."""

import pytest

from tests.support.store_api import StoreScript
from tests.support.stores import quick_retries, store_on
from woosim.testing import WooSimServer


@pytest.fixture
def woosim():
    with WooSimServer(webhook_delay=0.05) as sim:
        yield sim


@pytest.fixture
def shop(woosim):
    return StoreScript(woosim.url, woosim.key, woosim.secret)


@pytest.fixture
def sim_store(app, woosim):
    """Our record of the woosim store; quick retries so fault tests stay fast."""
    quick_retries(app)
    return store_on(woosim)
