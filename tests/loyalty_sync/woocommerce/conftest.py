"""Fixtures for the WooCommerce client tests; the fakes are in woo_fakes.py."""

from __future__ import annotations

from typing import Any

import pytest
from woo_fakes import KEY, SECRET, FakeSleep, FakeStore

from loyalty_sync.woocommerce import StoreClient


@pytest.fixture
def fake_sleep() -> FakeSleep:
    return FakeSleep()


@pytest.fixture
def make_client(fake_sleep: FakeSleep):
    """A StoreClient over a FakeStore, with recorded (not real) retry waits."""

    def make(store: FakeStore, **options: Any) -> StoreClient:
        options.setdefault("sleep", fake_sleep)
        return StoreClient("https://shop.example", KEY, SECRET, transport=store, **options)

    return make
