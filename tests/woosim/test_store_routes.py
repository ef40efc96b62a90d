"""Routes other clients of a store call (a connector's `check` lists
system_status/tools), answered as a real WooCommerce 10.0.2 store did:
tests/woosim/captures/real-store-routes.json (ids, names, paging headers;
recorded 2026-12-07 by GET-ing the three routes through loyalty-sync's
transport and keeping those fields)."""

import json

import pytest

from .real_store_steps import CAPTURES


@pytest.mark.parametrize(
    "step", json.loads((CAPTURES / "real-store-routes.json").read_text())["steps"], ids=lambda s: s["step"]
)
def test_route_answers_as_on_the_real_store(api, step):
    r = api.get(step["step"])
    assert r.status_code == step["http"]
    body = r.json()
    assert [x.get("id", x.get("slug")) for x in body] == step["ids"]
    assert [x.get("name", x.get("title")) for x in body] == step["names"]
    if step["enabled"] is not None:
        assert [x["enabled"] for x in body] == step["enabled"]
    assert {k: v for k, v in r.headers.items() if k in step["headers"]} == step["headers"]


def test_webhooks_batch_updates_and_reports_an_unknown_id_in_place(api, receiver):
    w = api.post("webhooks", {"name": "h", "topic": "order.updated", "delivery_url": receiver.url}).json()
    r = api.post(
        "webhooks/batch", {"update": [{"id": w["id"], "status": "paused"}, {"id": 999999, "status": "paused"}]}
    )
    assert r.status_code == 200
    done, unknown = r.json()["update"]
    assert done["status"] == "paused"
    # the real store's answer (2026-12-07)
    assert unknown == {
        "id": 999999,
        "error": {
            "code": "woocommerce_rest_shop_webhook_invalid_id",
            "message": "ID is invalid.",
            "data": {"status": 400},
        },
    }
