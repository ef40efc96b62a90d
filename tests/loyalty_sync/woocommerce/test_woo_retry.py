"""Retries live in one place: what is retried, how long we wait, what is raised after."""

import logging
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
import requests
from woo_fakes import SECRET, FakeResponse, FakeStore, from_capture

from loyalty_sync.woocommerce import (
    BadResponse,
    StoreRateLimited,
    StoreServerError,
    StoreUnreachable,
    errors,
)
from loyalty_sync.woocommerce.retry import parse_retry_after

FAULTS = {
    "429": lambda: FakeResponse(429, {"code": "too_many", "message": "slow down"}),
    "500": lambda: FakeResponse(500, {"code": "internal_server_error", "message": "boom", "data": {"status": 500}}),
    "502": lambda: FakeResponse(502, raw=b"<html>Bad Gateway</html>", headers={"Content-Type": "text/html"}),
    "503": lambda: FakeResponse(503, raw=b"Service Unavailable", headers={"Content-Type": "text/plain"}),
    "504": lambda: FakeResponse(504, raw=b""),
    "garbled": lambda: FakeResponse(200, raw=b'[{"id": 1, "name": "orders-1"}, {"id": 2, "na'),
    "timeout": lambda: requests.exceptions.ReadTimeout("read timed out"),
    "connection": lambda: requests.exceptions.ConnectionError("Connection aborted."),
    "builtin-timeout": lambda: TimeoutError(),
}


@pytest.mark.parametrize("kind", sorted(FAULTS))
def test_each_transient_fault_is_retried_and_the_listing_still_ends_with_the_right_data(
    make_client, fake_sleep, kind, caplog
):
    store = FakeStore(orders=250)
    store.faults.extend([FAULTS[kind](), FAULTS[kind]()])
    client = make_client(store)

    with caplog.at_level(logging.WARNING, logger="loyalty_sync.woocommerce"):
        ids = [r["id"] for r in client.iter_records("orders")]

    assert ids == list(range(1, 251))
    assert client.requests_made == 3 + 2
    assert len(fake_sleep.waits) == 2
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 2
    assert all("GET orders" in r.getMessage() for r in caplog.records)


def test_backoff_grows_with_jitter_and_is_capped(make_client, fake_sleep):
    store = FakeStore(orders=1)
    store.faults.extend(FAULTS["500"]() for _ in range(5))
    client = make_client(store, max_attempts=6, backoff_base=0.5, backoff_max=3.0)

    client.get("orders")

    expected = [0.5, 1.0, 2.0, 3.0, 3.0]
    for wait, low in zip(fake_sleep.waits, expected, strict=True):
        assert low <= wait <= min(low + 0.5, 3.0)


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_seconds_is_honoured(make_client, fake_sleep, status):
    store = FakeStore(orders=3)
    store.faults.append(FakeResponse(status, {"code": "x"}, {"Retry-After": "7"}))
    client = make_client(store)

    assert len(client.get("orders", {"per_page": 100})) == 3
    assert fake_sleep.waits == [7.0]


def test_retry_after_as_http_date():
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    header = format_datetime(now + timedelta(seconds=12), usegmt=True)
    assert parse_retry_after(header, now=lambda: now.timestamp()) == pytest.approx(12)
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


@pytest.mark.parametrize(
    "fault, error",
    [
        ("429", StoreRateLimited),
        ("500", StoreServerError),
        ("502", StoreServerError),
        ("503", StoreServerError),
        ("504", StoreServerError),
        ("garbled", BadResponse),
        ("timeout", StoreUnreachable),
        ("connection", StoreUnreachable),
    ],
)
def test_after_the_last_attempt_a_typed_error_is_raised(make_client, fake_sleep, fault, error):
    store = FakeStore(orders=1)
    store.faults.extend(FAULTS[fault]() for _ in range(3))
    client = make_client(store, max_attempts=3)

    with pytest.raises(error) as raised:
        client.get("orders")

    assert client.requests_made == 3
    assert len(fake_sleep.waits) == 2
    assert "3 attempts" in str(raised.value)
    assert SECRET not in str(raised.value)


@pytest.mark.parametrize("prefix", ["002", "009", "050", "052", "060", "103"])
def test_final_answers_are_never_retried(make_client, fake_sleep, prefix):
    store = FakeStore()
    store.faults.append(from_capture(prefix))
    client = make_client(store)

    with pytest.raises(errors.StoreError):
        client.get("anything")

    assert client.requests_made == 1
    assert fake_sleep.waits == []


def test_a_403_is_not_retried(make_client):
    store = FakeStore()
    store.faults.append(
        FakeResponse(
            403,
            {
                "code": "woocommerce_rest_cannot_edit",
                "message": "Sorry, you are not allowed to edit this resource.",
                "data": {"status": 403},
            },
        )
    )
    client = make_client(store)
    with pytest.raises(errors.StorePermissionDenied):
        client.put("customers/2", {"first_name": "A"})
    assert client.requests_made == 1


def test_a_create_is_not_repeated_after_the_store_may_have_acted(make_client):
    # A lost answer to a POST that creates: repeating it would create twice.
    store = FakeStore()
    store.faults.append(from_capture("091"))  # 500 with "data": 500
    client = make_client(store)
    with pytest.raises(StoreServerError) as raised:
        client.post("orders/20/refunds", {"amount": "999"})
    assert client.requests_made == 1
    assert raised.value.code == "woocommerce_rest_cannot_create_order_refund"

    store.faults.append(requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(StoreUnreachable, match="may or may not"):
        client.post("coupons", {"code": "x"})
    assert client.requests_made == 2


def test_a_create_is_repeated_when_the_store_refused_to_process_it(make_client, fake_sleep):
    store = FakeStore()
    store.faults.extend([FakeResponse(429, {}, {"Retry-After": "2"}), requests.exceptions.ConnectTimeout("connect")])
    client = make_client(store)
    client.batch("coupons", create=[{"code": "a"}])
    assert client.requests_made == 3
    assert fake_sleep.waits[0] == 2.0


def test_retries_are_logged_without_secrets(make_client, caplog):
    store = FakeStore(orders=1)
    store.faults.append(
        requests.exceptions.ConnectionError(
            f"HTTPSConnectionPool: Max retries exceeded with url: /wp-json/wc/v3/orders?consumer_secret={SECRET}"
        )
    )
    client = make_client(store)
    with caplog.at_level(logging.DEBUG):
        client.get("orders")
    assert caplog.records
    assert SECRET not in caplog.text
    assert "consumer_secret" not in caplog.text


def test_json_behind_a_php_notice_is_read_without_retrying(make_client, fake_sleep):
    notice = b"<br />\n<b>Deprecated</b>:  Creation of dynamic property in <b>/x.php</b> on line <b>4</b><br />\n"
    store = FakeStore()
    store.faults.append(FakeResponse(200, raw=notice + b'[{"id": 1}]'))
    client = make_client(store)
    assert client.get("orders") == [{"id": 1}]
    assert fake_sleep.waits == []
