"""Real store answers (captures) become the right typed error, clear and secret-free."""

import pytest
from woo_fakes import KEY, SECRET, FakeResponse, FakeStore, capture, from_capture

from loyalty_sync.woocommerce import (
    BatchTooLarge,
    NotWooCommerce,
    RecordInvalid,
    RecordNotFound,
    StoreClient,
    StorePermissionDenied,
    StoreRejectedKeys,
    StoreTooOld,
    errors,
)


@pytest.mark.parametrize(
    "prefix, error, code",
    [
        ("001", StoreRejectedKeys, "woocommerce_rest_cannot_view"),
        ("002", StoreRejectedKeys, "woocommerce_rest_authentication_error"),
        ("003", StoreRejectedKeys, "woocommerce_rest_authentication_error"),
        ("009", StorePermissionDenied, "woocommerce_rest_authentication_error"),
        ("035", RecordInvalid, "registration-error-email-exists"),
        ("050", RecordInvalid, "rest_invalid_param"),
        ("052", RecordNotFound, "wc_user_invalid_id"),
        ("055", RecordInvalid, "woocommerce_rest_coupon_code_already_exists"),
        ("060", BatchTooLarge, "woocommerce_rest_request_entity_too_large"),
        ("102", RecordNotFound, "woocommerce_rest_shop_order_invalid_id"),
        ("103", NotWooCommerce, "rest_no_route"),
        ("107", NotWooCommerce, "rest_no_route"),
        ("108", RecordNotFound, "woocommerce_rest_shop_order_invalid_id"),  # 400 on PUT, still "not found"
        ("109", RecordNotFound, "woocommerce_rest_shop_coupon_invalid_id"),
    ],
)
def test_captured_error_answers_map_to_typed_errors(make_client, prefix, error, code):
    exchange = capture(prefix)
    store = FakeStore()
    store.faults.append(from_capture(prefix))
    client = make_client(store)
    request = exchange["request"]
    path = request["path_and_query"].split("?")[0].removeprefix("/wp-json/wc/v3/")
    send = {
        "GET": lambda: client.get(path),
        "DELETE": lambda: client.delete(path),
        "POST": lambda: client.post(path, request.get("body")),
        "PUT": lambda: client.put(path, request.get("body")),
    }[request["method"]]

    with pytest.raises(error) as raised:
        send()

    assert isinstance(raised.value, errors.StoreError)
    assert raised.value.code == code and code in str(raised.value)
    assert raised.value.status == exchange["response"]["status"]
    assert "shop.example" in str(raised.value)
    assert "<a" not in str(raised.value)  # 035's message holds an HTML link


def test_rejected_keys_say_so_in_shop_owner_words(make_client):
    store = FakeStore()
    store.faults.append(from_capture("002"))
    with pytest.raises(StoreRejectedKeys) as raised:
        make_client(store).get("orders")
    assert "rejected the API keys" in str(raised.value)
    assert "Consumer key is invalid." in str(raised.value)


def test_keys_that_never_arrived_say_why(make_client):
    store = FakeStore()
    store.faults.append(from_capture("006"))  # Basic auth over plain http: ignored
    with pytest.raises(StoreRejectedKeys, match="did not receive the API keys"):
        make_client(store).get("orders")


def test_validation_errors_carry_the_refused_fields(make_client):
    store = FakeStore()
    store.faults.append(from_capture("050"))
    with pytest.raises(RecordInvalid) as raised:
        make_client(store).get("customers", {"per_page": 101})
    assert raised.value.params == {"per_page": "per_page must be between 1 (inclusive) and 100 (inclusive)"}


def test_the_secret_never_appears_even_when_the_store_echoes_it(make_client):
    store = FakeStore()
    store.faults.append(
        FakeResponse(
            400,
            {
                "code": "rest_invalid_param",
                "message": f"bad value {SECRET} and {KEY}",
                "data": {"status": 400, "params": {"x": f"is {SECRET}"}},
            },
        )
    )
    with pytest.raises(RecordInvalid) as raised:
        make_client(store).get("orders")
    assert SECRET not in str(raised.value) and KEY not in str(raised.value)
    assert SECRET not in (raised.value.store_message or "")


@pytest.mark.parametrize(
    "response",
    [
        FakeResponse(
            200,
            raw=b"<!DOCTYPE html><html><body>My shop</body></html>",
            headers={"Content-Type": "text/html; charset=UTF-8"},
        ),
        FakeResponse(404, raw=b"<html><body>Not Found</body></html>", headers={"Content-Type": "text/html"}),
        FakeResponse(301, raw=b"", headers={"Location": "https://shop.example/wp-json/wc/v3/system_status"}),
    ],
)
def test_a_url_that_is_not_a_woocommerce_api_is_not_woocommerce(make_client, response):
    store = FakeStore()
    store.faults.append(response)
    with pytest.raises(NotWooCommerce):
        make_client(store).store_info()


def test_store_info_reads_version_and_currency(make_client):
    store = FakeStore()
    store.faults.append(from_capture("010"))
    info = make_client(store).store_info(require_modified_after=True)
    assert (info.version, info.currency, info.timezone) == ("10.0.2", "EUR", None)
    assert store.calls[0][:2] == ("GET", "system_status")


@pytest.mark.parametrize(
    "version, ok", [("5.7", False), ("5.7.2", False), ("5.8", True), ("5.10.1", True), ("10.0.2", True)]
)
def test_store_too_old_below_5_8_when_modified_after_is_needed(make_client, version, ok):
    client = make_client(FakeStore(version=version))
    assert client.store_info().supports_modified_after is ok
    if ok:
        client.store_info(require_modified_after=True)
    else:
        with pytest.raises(StoreTooOld, match=version) as raised:
            client.store_info(require_modified_after=True)
        assert raised.value.required == "5.8"


@pytest.mark.parametrize(
    "given, base",
    [
        ("https://shop.example/", "https://shop.example"),
        ("shop.example", "https://shop.example"),
        ("http://127.0.0.1:8080/wp-json/wc/v3/", "http://127.0.0.1:8080"),
        ("https://example.org/shop/wp-json", "https://example.org/shop"),
    ],
)
def test_store_url_is_normalised(given, base):
    assert StoreClient(given, KEY, SECRET, transport=FakeStore()).url == base


def test_credentials_in_the_store_url_are_not_shown():
    client = StoreClient("https://admin:hunter2-password@shop.example", KEY, SECRET, transport=FakeStore())
    assert "hunter2" not in repr(client)
