"""Catalogue rules the recordings cannot pin down by value (the real store
picks related products at random and has other runs' data), checked against
what WooCommerce 10.0.2 does: wc_get_related_products, `_fields`, the Allow
header of a customer that does not exist (differential steps customer_unknown,
products_fields, cleanup_c*)."""


def test_related_ids_are_up_to_five_published_products_sharing_a_category(api):
    cat = api.post("products/categories", {"name": "Beans"}).json()["id"]
    other = api.post("products/categories", {"name": "Mugs"}).json()["id"]
    same = [api.post("products", {"name": f"B{i}", "categories": [{"id": cat}]}).json()["id"] for i in range(7)]
    api.post("products", {"name": "Mug", "categories": [{"id": other}]})
    related = api.get(f"products/{same[0]}").json()["related_ids"]
    assert len(related) == 5 and set(related) <= set(same[1:])
    assert api.get(f"products/{same[0]}").json()["related_ids"] == related  # a repeatable pick


def test_fields_keeps_only_the_listed_keys(api):
    p = api.post("products", {"name": "Beans", "regular_price": "24.90"}).json()
    body = api.get("products", params={"include": p["id"], "_fields": "id,name,price"}).json()
    assert body == [{"id": p["id"], "name": "Beans", "price": "24.90"}]


def test_no_allow_header_for_a_customer_that_does_not_exist(api):
    r = api.get("customers/999999")
    assert r.status_code == 404 and "Allow" not in r.headers
    assert api.get("customers/1").headers["Allow"] == "GET, POST, PUT, PATCH, DELETE"
