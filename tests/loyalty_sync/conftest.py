import pytest

from tests.support.stores import make_store


@pytest.fixture
def store(app):
    return make_store("shop", "http://shop.test", webhook_secret="whsec")
