"""Batch writes: <= 100 items per request across create/update/delete, per-item errors."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from woo_fakes import FakeStore, capture, from_capture

from loyalty_sync.woocommerce import ItemError, StoreServerError
from loyalty_sync.woocommerce.batch import BatchResult, add_answer, chunks


def test_250_coupons_take_three_requests_and_duplicates_come_back_as_item_errors(make_client):
    store = FakeStore(coupons=0)
    store.records["coupons"].append({"id": 1, "code": "loyal-007"})
    client = make_client(store)
    coupons = [{"code": f"LOYAL-{i:03d}", "discount_type": "percent", "amount": "10"} for i in range(250)]
    coupons[120] = {"code": "loyal-003"}  # duplicate of an earlier item, other chunk

    result = client.batch("coupons", create=coupons)

    assert client.requests_made == 3
    assert [len(call[3]["create"]) for call in store.calls] == [100, 100, 50]
    assert [(e.index, e.op, e.code) for e in result.errors] == [
        (7, "create", "woocommerce_rest_coupon_code_already_exists"),
        (120, "create", "woocommerce_rest_coupon_code_already_exists"),
    ]
    assert len(result.created) == 248 and not result.ok


def test_the_limit_counts_create_update_and_delete_together():
    sizes = [{op: len(items) for op, items in chunk.body.items()} for chunk in chunks(range(60), range(70), range(80))]
    assert sizes == [{"create": 60, "update": 40}, {"update": 30, "delete": 70}, {"delete": 10}]
    assert [c.offsets for c in chunks(range(60), range(70), range(80))][1] == {"update": 40, "delete": 0}
    assert list(chunks((), (), ())) == []


def test_captured_batch_answers_map_to_results():
    result = BatchResult()
    (chunk,) = chunks([{}, {}, {}], (), ())
    add_answer(result, chunk, capture("059")["response"]["body"])
    assert [c["code"] for c in result.created] == ["batch-a", "batch-b"]
    assert result.errors == [
        ItemError(1, "create", "woocommerce_rest_coupon_code_already_exists", "The coupon code already exists")
    ]

    result = BatchResult()
    (chunk,) = chunks((), [{"id": 3}, {"id": 999999}], ())
    add_answer(result, chunk, capture("042")["response"]["body"])
    assert [c["id"] for c in result.updated] == [3]
    assert [(e.index, e.op, e.code) for e in result.errors] == [(1, "update", "wc_user_invalid_id")]


def test_update_only_batches_are_retried_create_batches_are_not(make_client, fake_sleep):
    store = FakeStore()
    store.faults.append(from_capture("091"))
    client = make_client(store)
    client.batch("customers", update=[{"id": 2, "meta_data": []}])
    assert client.requests_made == 2  # one 500, then the answer

    store.faults.append(from_capture("091"))
    with pytest.raises(StoreServerError):
        client.batch("coupons", create=[{"code": "once"}])
    assert client.requests_made == 3


@given(st.integers(0, 350), st.integers(0, 350), st.integers(0, 350), st.integers(1, 100))
def test_chunks_keep_every_item_once_and_use_the_fewest_requests(n_create, n_update, n_delete, limit):
    lists = {"create": list(range(n_create)), "update": list(range(n_update)), "delete": list(range(n_delete))}
    parts = list(chunks(lists["create"], lists["update"], lists["delete"], limit))

    assert len(parts) == math.ceil((n_create + n_update + n_delete) / limit)
    assert all(0 < sum(len(v) for v in c.body.values()) <= limit for c in parts)
    for op, items in lists.items():
        rebuilt = [item for c in parts for item in c.body.get(op, [])]
        assert rebuilt == items
        assert all(c.body[op][0] == c.offsets[op] for c in parts if op in c.body)
