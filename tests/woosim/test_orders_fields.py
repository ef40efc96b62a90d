"""`_fields` on orders: only the named fields, as WordPress' REST server
filters every answer (real store 10.0.2, the differential's orders_fields
step: `_fields=id,status,total` answers exactly those three keys, no
`_links`)."""


def _order(api) -> int:
    r = api.post("orders", {"billing": {"email": "f@example.com"}, "line_items": []})
    assert r.status_code == 201
    return r.json()["id"]


def test_orders_listing_answers_only_the_named_fields(api):
    oid = _order(api)
    r = api.get("orders", params={"include": oid, "_fields": "id,status,total"})
    assert r.status_code == 200
    assert r.json() == [{"id": oid, "status": "pending", "total": "0.00"}]


def test_an_order_answers_only_the_named_fields_also_nested(api):
    oid = _order(api)
    r = api.get(f"orders/{oid}", params={"_fields": "id,billing.email"})
    assert r.json() == {"id": oid, "billing": {"email": "f@example.com"}}
