import pytest


@pytest.fixture
def store(sim_store):
    """In the sync tests, the store is the woosim one (tests/support/woosim_fixtures.py)."""
    return sim_store
