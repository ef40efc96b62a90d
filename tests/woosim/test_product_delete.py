"""After `DELETE products/ID?force=true`, WooCommerce 10.0.2 (measured on a
real store) keeps old orders' lines with their name and totals, but they
answer product_id 0 and sku null, and the order's date_modified does not
move. A trashed product (no force) changes nothing on the lines."""

from tests.support.store_api import StoreScript


def _order_with(shop: StoreScript, sku: str):
    product = shop.product("Beans", "10.00", sku=sku)
    order = shop.order([(product["id"], 2)], email="anna@example.com")
    return product, order


def test_a_product_deleted_for_good_leaves_its_lines_without_product(woosim, shop):
    product, order = _order_with(shop, "BEANS-1")
    assert shop.api.delete(f"products/{product['id']}", params={"force": True}).status_code == 200
    after = shop.api.get(f"orders/{order['id']}").json()
    line, before = after["line_items"][0], order["line_items"][0]
    assert (line["product_id"], line["sku"], line["image"]["id"]) == (0, None, 0)
    assert (line["id"], line["name"], line["total"], line["quantity"]) == (
        before["id"],
        before["name"],
        before["total"],
        before["quantity"],
    )
    assert after["date_modified_gmt"] == order["date_modified_gmt"]
    listed = shop.api.get("orders", params={"include": order["id"]}).json()[0]
    assert listed["line_items"][0]["product_id"] == 0


def test_a_trashed_product_leaves_the_lines_alone(woosim, shop):
    product, order = _order_with(shop, "BEANS-2")
    assert shop.api.delete(f"products/{product['id']}").status_code == 200
    line = shop.api.get(f"orders/{order['id']}").json()["line_items"][0]
    assert (line["product_id"], line["sku"]) == (product["id"], "BEANS-2")


def test_deleting_a_parent_for_good_deletes_its_variations(woosim, shop):
    parent = shop.api.post("products", {"name": "Mug", "type": "variable"}).json()
    variation = shop.api.post(f"products/{parent['id']}/variations", {"regular_price": "8.00", "sku": "MUG-L"}).json()
    order = shop.api.post(
        "orders",
        {
            "status": "completed",
            "billing": {"email": "anna@example.com"},
            "line_items": [{"product_id": parent["id"], "variation_id": variation["id"], "quantity": 1}],
        },
    ).json()
    assert shop.api.delete(f"products/{parent['id']}", params={"force": True}).status_code == 200
    assert shop.api.get(f"products/{parent['id']}/variations/{variation['id']}").status_code == 404
    line = shop.api.get(f"orders/{order['id']}").json()["line_items"][0]
    assert (line["product_id"], line["variation_id"]) == (0, 0)
