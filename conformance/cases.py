"""The requests the differential sends, in order, to both stores.

A step's `{name}` placeholders refer to what an earlier step saved (`save=`):
`{o1}` is that object's id, `{o1.line_items.0.id}` a value inside its answer,
`{T}` the run's tag (unique per run, so a shared store's own data never
collides with ours). `product=True` marks the request shapes the product
itself sends (loyalty_sync/woocommerce/, sync_jobs/; found by grepping them
and by recording the shapes the sync's tests send through its transport);
those must all be identical. `unscoped=True` marks listings the product makes
over the whole store: on a store that already had data they are compared on
our records only, without X-WP-Total (the report says so).

Everything is created with the run's tag in names, emails, codes and SKUs,
and the `cleanup` steps at the end delete it again (force), so a run leaves
a shared store as it found it (apart from ids used up).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from .normalise import COMMENTS, HOOKS, POSTS, TERMS, USERS


@dataclass
class Step:
    name: str
    method: str
    path: str
    params: list = field(default_factory=list)
    body: object = None
    mode: str = "client"
    save: str | None = None
    product: bool = False
    unscoped: bool = False
    select: tuple | None = None  # compare only these dotted paths of the body
    cleanup: bool = False
    note: str = ""

    @property
    def space(self) -> str | None:
        p = self.path.split("?")[0]
        if p.startswith("customers"):
            return USERS
        if p.startswith("products/categories"):
            return TERMS
        if p.startswith("products/reviews") or "/notes" in p:
            return COMMENTS
        if p.startswith("webhooks"):
            return HOOKS
        if p.startswith(("orders", "products", "coupons", "refunds")):
            return POSTS
        return None


def _p(**kw) -> list:
    return list(kw.items())


def later(days: int) -> str:
    return (datetime.now(timezone.utc) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S")


def earlier(days: int) -> str:
    return (datetime.now(timezone.utc) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S")


LIST = _p(per_page="100", page="1")
BY_ID = _p(orderby="id", order="asc", per_page="100", page="1")


def steps() -> list[Step]:
    S = Step
    out: list[Step] = []
    add = out.append

    # --- the store ------------------------------------------------------------------------
    add(
        S(
            "system_status",
            "GET",
            "system_status",
            product=True,
            select=(
                "environment.version",
                "environment.wp_version",
                "environment.default_timezone",
                "settings.currency",
                "settings.currency_symbol",
                "settings.number_of_decimals",
                "settings.HPOS_enabled",
            ),
            note="an environment report: compared on what the product reads and a few stable facts",
        )
    )
    add(S("system_status_keys", "GET", "system_status", select=("<keys>",), note="top-level sections"))
    add(
        S(
            "system_status_tools",
            "GET",
            "system_status/tools",
            select=("[*].id",),
            note="connectors call it in their `check`",
        )
    )
    add(S("currency", "GET", "data/currencies/current"))
    add(
        S("setting_currency", "GET", "settings/general/woocommerce_currency", select=("id", "value", "type", "default"))
    )
    add(S("taxes", "GET", "taxes"))
    add(S("tax_classes", "GET", "taxes/classes"))
    add(S("payment_gateways", "GET", "payment_gateways", select=("[*].id", "[*].enabled")))
    add(S("uncategorized", "GET", "products/categories", _p(slug="uncategorized"), save="uncat"))

    # --- catalogue --------------------------------------------------------------------------
    add(S("cat_create", "POST", "products/categories", body={"name": "{T} Coffee"}, save="cat1"))
    add(
        S(
            "cat_create_child",
            "POST",
            "products/categories",
            body={"name": "{T} Espresso", "parent": "{cat1}"},
            save="cat2",
        )
    )
    add(
        S(
            "prod_simple",
            "POST",
            "products",
            body={
                "name": "{T} Beans",
                "regular_price": "24.90",
                "sku": "{T}-BEANS",
                "manage_stock": True,
                "stock_quantity": 100,
                "categories": [{"id": "{cat1}"}],
            },
            save="p1",
        )
    )
    add(
        S(
            "prod_sale",
            "POST",
            "products",
            body={"name": "{T} Grinder", "regular_price": "49.00", "sale_price": "44.00", "sku": "{T}-GRINDER"},
            save="p2",
        )
    )
    add(
        S(
            "prod_virtual",
            "POST",
            "products",
            body={"name": "{T} Membership", "regular_price": "49", "virtual": True, "sku": "{T}-VIP"},
            save="pv",
        )
    )
    add(
        S(
            "prod_variable",
            "POST",
            "products",
            body={
                "name": "{T} Filter",
                "type": "variable",
                "sku": "{T}-FILTER",
                "attributes": [{"name": "Size", "variation": True, "visible": True, "options": ["250g", "500g"]}],
            },
            save="p3",
        )
    )
    add(
        S(
            "variation_create",
            "POST",
            "products/{p3}/variations",
            body={"regular_price": "8.50", "sku": "{T}-FILTER-250", "attributes": [{"name": "Size", "option": "250g"}]},
            save="v1",
        )
    )
    add(
        S(
            "variation_create_2",
            "POST",
            "products/{p3}/variations",
            body={
                "regular_price": "15.90",
                "sku": "{T}-FILTER-500",
                "attributes": [{"name": "Size", "option": "500g"}],
            },
            save="v2",
        )
    )
    add(S("prod_get_variable", "GET", "products/{p3}"))
    add(S("variations_list", "GET", "products/{p3}/variations"))
    add(S("variation_get_as_product", "GET", "products/{v1}"))
    add(S("prod_price_as_sent", "PUT", "products/{p2}", body={"regular_price": "50", "sale_price": ""}))
    add(S("products_by_id", "GET", "products", BY_ID, product=True, unscoped=True))
    add(
        S(
            "products_modified_after",
            "GET",
            "products",
            _p(modified_after=earlier(1), dates_are_gmt="true", **dict(BY_ID)),
            product=True,
            unscoped=True,
        )
    )
    add(S("products_sku", "GET", "products", _p(sku="{T}-BEANS")))
    add(S("products_search", "GET", "products", _p(search="{T}", orderby="id", order="asc")))
    add(S("products_type_variable", "GET", "products", _p(search="{T}", type="variable")))
    add(S("products_type_simple", "GET", "products", _p(search="{T}", type="simple", orderby="id", order="asc")))
    add(S("products_category", "GET", "products", _p(category="{cat1}")))
    add(
        S(
            "products_include_array",
            "GET",
            "products",
            [("include[0]", "{p1}"), ("include[1]", "{p2}"), ("orderby", "id"), ("order", "asc")],
        )
    )
    add(S("products_fields", "GET", "products", _p(include="{p1}", _fields="id,name,price")))
    add(S("categories_by_id", "GET", "products/categories", BY_ID, product=True, unscoped=True))
    add(S("categories_search", "GET", "products/categories", _p(search="{T}")))
    add(S("categories_parent", "GET", "products/categories", _p(parent="{cat1}")))
    add(S("categories_hide_empty", "GET", "products/categories", _p(search="{T}", hide_empty="true")))
    add(S("categories_orderby_id_desc", "GET", "products/categories", _p(search="{T}", orderby="id", order="desc")))
    add(S("category_get", "GET", "products/categories/{cat1}"))

    # --- customers --------------------------------------------------------------------------
    address = {
        "first_name": "Anna",
        "last_name": "Schmidt",
        "address_1": "Hauptstr. 1",
        "city": "Berlin",
        "postcode": "10115",
        "country": "DE",
        "email": "{T}anna@example.com",
        "phone": "030123",
    }
    add(
        S(
            "customer_create",
            "POST",
            "customers",
            body={
                "email": "{T}anna@example.com",
                "first_name": "Anna",
                "last_name": "Schmidt",
                "billing": address,
                "shipping": {k: v for k, v in address.items() if k not in ("email", "phone")},
            },
            save="c1",
        )
    )
    add(
        S(
            "customer_create_username",
            "POST",
            "customers",
            body={"email": "{T}ben@example.com", "first_name": "Ben", "last_name": "Müller", "username": "{T}Ben.Shop"},
            save="c2",
            note="a valid username keeps its case ({T}Ben+Shop, refused, was here: then c2 and the "
            "customers/batch step that updates it could not be compared)",
        )
    )
    add(S("customer_create_email_only", "POST", "customers", body={"email": "{T}clara+tag@example.com"}, save="c3"))
    add(
        S(
            "customer_username_collision",
            "POST",
            "customers",
            body={"email": "{T}anna@example.org"},
            save="c4",
            note="username from the email's local part, taken: WooCommerce adds a suffix",
        )
    )
    add(
        S(
            "customer_duplicate_username",
            "POST",
            "customers",
            body={"email": "{T}dora@example.com", "username": "{T}anna"},
        )
    )
    add(S("customer_duplicate_email", "POST", "customers", body={"email": "{T}ANNA@example.com"}))
    add(S("customer_invalid_email", "POST", "customers", body={"email": "not-an-email"}))
    add(S("customer_bad_role", "POST", "customers", body={"email": "{T}eve@example.com", "role": "wizard"}))
    add(S("customer_get", "GET", "customers/{c1}"))
    add(S("customer_email_case_change", "PUT", "customers/{c1}", body={"email": "{T}ANNA@example.com"}))
    add(S("customer_meta_put", "PUT", "customers/{c1}", body={"meta_data": [{"key": "loyalty_points", "value": 120}]}))
    add(
        S(
            "customers_batch_meta",
            "POST",
            "customers/batch",
            body={
                "update": [
                    {
                        "id": "{c1}",
                        "meta_data": [
                            {"key": "loyalty_points", "value": "150"},
                            {"key": "loyalty_tier", "value": "Silver"},
                        ],
                    },
                    {"id": "{c2}", "meta_data": [{"key": "loyalty_points", "value": "0"}]},
                ]
            },
            product=True,
        )
    )
    add(
        S(
            "customers_batch_unknown",
            "POST",
            "customers/batch",
            body={"update": [{"id": 999999, "meta_data": [{"key": "loyalty_points", "value": "1"}]}]},
            product=True,
        )
    )
    add(S("customers_by_id", "GET", "customers", BY_ID, product=True, unscoped=True))
    add(S("customers_by_id_all", "GET", "customers", _p(role="all", **dict(BY_ID)), product=True, unscoped=True))
    add(S("customers_include", "GET", "customers", _p(include="{c1},{c2}", role="all", **dict(BY_ID)), product=True))
    add(S("customers_count", "GET", "customers", _p(per_page="1", page="1"), product=True, unscoped=True))
    add(S("customers_email", "GET", "customers", _p(email="{T}BEN@example.com")))
    add(S("customers_search", "GET", "customers", _p(search="{T}", orderby="id", order="asc")))
    add(
        S(
            "customers_include_array",
            "GET",
            "customers",
            [("include[0]", "{c1}"), ("include[1]", "{c3}"), ("orderby", "id"), ("order", "asc")],
        )
    )
    add(S("customers_per_page_101", "GET", "customers", _p(per_page="101")))
    add(S("customer_unknown", "GET", "customers/999999"))

    # --- coupons ----------------------------------------------------------------------------
    add(
        S(
            "coupon_percent",
            "POST",
            "coupons",
            body={
                "code": "{T}LOYAL10",
                "discount_type": "percent",
                "amount": "10",
                "individual_use": True,
                "usage_limit": 5,
                "usage_limit_per_user": 1,
                "date_expires": "2027-12-31T23:59:59",
                "email_restrictions": ["{T}Anna@Example.com", "{T}ben@example.com"],
            },
            save="k1",
        )
    )
    add(
        S(
            "coupon_fixed_min",
            "POST",
            "coupons",
            body={
                "code": "{T}welcome5",
                "discount_type": "fixed_cart",
                "amount": "5",
                "minimum_amount": "100",
                "date_expires": "2027-06-30",
            },
            save="k2",
        )
    )
    add(
        S(
            "coupon_expired",
            "POST",
            "coupons",
            body={
                "code": "{T}old",
                "discount_type": "fixed_cart",
                "amount": "5",
                "date_expires": "2020-01-01T00:00:00",
            },
            save="k3",
        )
    )
    add(
        S(
            "coupon_used_up",
            "POST",
            "coupons",
            body={"code": "{T}once", "discount_type": "fixed_cart", "amount": "5", "usage_limit": 1},
            save="k4",
        )
    )
    add(
        S(
            "coupon_restricted",
            "POST",
            "coupons",
            body={
                "code": "{T}vip",
                "discount_type": "percent",
                "amount": "15",
                "email_restrictions": ["{T}ben@example.com"],
            },
            save="k5",
        )
    )
    add(
        S(
            "coupon_percent_over_100",
            "POST",
            "coupons",
            body={"code": "{T}all", "discount_type": "percent", "amount": "150"},
            save="k6",
        )
    )
    add(
        S(
            "coupon_invalid_restriction",
            "POST",
            "coupons",
            body={
                "code": "{T}mixed",
                "discount_type": "percent",
                "amount": "5",
                "email_restrictions": ["not-an-email", "{T}ok@example.com"],
            },
            save="k7",
        )
    )
    add(
        S(
            "coupon_expires_offset",
            "POST",
            "coupons",
            body={
                "code": "{T}utc",
                "discount_type": "percent",
                "amount": "5",
                "date_expires": "2027-03-01T12:00:00+00:00",
            },
            save="k8",
        )
    )
    add(
        S(
            "coupon_expires_unparsable",
            "POST",
            "coupons",
            body={"code": "{T}soon", "discount_type": "percent", "amount": "5", "date_expires": "soon"},
            save="k9",
        )
    )
    add(
        S(
            "coupon_expires_gmt_only",
            "POST",
            "coupons",
            body={
                "code": "{T}gmt",
                "discount_type": "percent",
                "amount": "5",
                "date_expires_gmt": "2027-03-01T12:00:00",
            },
            save="k10",
            note="fixed on another branch: date_expires_gmt is ignored on writes",
        )
    )
    add(
        S(
            "coupon_simple",
            "POST",
            "coupons",
            body={"code": "{T}plain", "discount_type": "fixed_cart", "amount": "5"},
            product=True,
            save="k11",
        )
    )
    add(
        S("coupon_duplicate", "POST", "coupons", body={"code": "{T}Loyal10", "discount_type": "percent", "amount": "5"})
    )
    add(
        S(
            "coupons_batch_create_full",
            "POST",
            "coupons/batch",
            body={
                "create": [
                    {
                        "code": "{T}r1",
                        "discount_type": "fixed_cart",
                        "amount": "5.00",
                        "individual_use": False,
                        "usage_limit": 1,
                        "usage_limit_per_user": 1,
                        "email_restrictions": ["{T}anna@example.com"],
                        "minimum_amount": "",
                        "free_shipping": False,
                        "description": "loyalty-sync: reward",
                        "meta_data": [{"key": "loyalty_sync_key", "value": "{T}:r1"}],
                        "date_expires_gmt": later(30),
                    },
                    {
                        "code": "{T}ref1",
                        "discount_type": "percent",
                        "amount": "10.00",
                        "individual_use": False,
                        "usage_limit": None,
                        "usage_limit_per_user": 1,
                        "email_restrictions": [],
                        "minimum_amount": "",
                        "free_shipping": False,
                        "description": "loyalty-sync: referral",
                        "meta_data": [{"key": "loyalty_sync_key", "value": "{T}:ref1"}],
                    },
                    {"code": "{T}LOYAL10", "discount_type": "percent", "amount": "5"},
                ]
            },
            product=True,
            save="kb",
            note="date_expires_gmt: fixed on another branch",
        )
    )
    add(
        S(
            "coupons_batch_create_expires",
            "POST",
            "coupons/batch",
            body={
                "create": [
                    {
                        "code": "{T}r2",
                        "discount_type": "fixed_cart",
                        "amount": "5.00",
                        "individual_use": False,
                        "usage_limit": 1,
                        "usage_limit_per_user": 1,
                        "email_restrictions": ["{T}anna@example.com"],
                        "minimum_amount": "20.00",
                        "free_shipping": True,
                        "description": "loyalty-sync: vip",
                        "meta_data": [{"key": "loyalty_sync_key", "value": "{T}:r2"}],
                        "date_expires": later(30),
                    }
                ]
            },
            product=True,
            save="kc",
            note="date_expires, what the product sends once coupons expire (issue 16, bug 1)",
        )
    )
    add(
        S(
            "coupons_batch_update",
            "POST",
            "coupons/batch",
            body={"update": [{"id": "{k11}", "amount": "7.50"}]},
            product=True,
        )
    )
    add(
        S(
            "coupons_batch_over_100",
            "POST",
            "coupons/batch",
            body={"create": [{"code": f"{{T}}x{i}", "discount_type": "percent", "amount": "1"} for i in range(101)]},
        )
    )
    add(S("coupon_get", "GET", "coupons/{k1}"))
    add(S("coupons_code", "GET", "coupons", _p(code="{T}LOYAL10"), product=True))
    add(S("coupons_by_id", "GET", "coupons", BY_ID, product=True, unscoped=True))
    add(S("coupons_search", "GET", "coupons", _p(search="{T}r", orderby="id", order="asc")))
    add(S("coupon_unknown", "GET", "coupons/999999"))

    # --- orders -----------------------------------------------------------------------------
    line = [{"product_id": "{p1}", "quantity": 2}, {"product_id": "{v1}", "quantity": 1}]
    ship = [{"method_id": "flat_rate", "method_title": "Flat rate", "total": "4.90"}]
    add(
        S(
            "order_create_registered",
            "POST",
            "orders",
            body={
                "customer_id": "{c1}",
                "billing": {"email": "{T}anna@example.com", "first_name": "Anna"},
                "line_items": line,
                "shipping_lines": ship,
                "coupon_lines": [{"code": "{T}loyal10"}],
            },
            save="o1",
        )
    )
    add(
        S(
            "order_create_guest",
            "POST",
            "orders",
            body={"billing": {"email": "{T}guest@example.com"}, "line_items": [{"product_id": "{p2}", "quantity": 1}]},
            save="o2",
        )
    )
    add(
        S(
            "order_create_set_paid",
            "POST",
            "orders",
            body={
                "billing": {"email": "{T}guest@example.com"},
                "set_paid": True,
                "line_items": [{"product_id": "{p1}", "quantity": 1}],
            },
            save="o3",
        )
    )
    # orders of a customer use c3: c2's username is refused by the real store
    add(
        S(
            "order_create_set_paid_virtual",
            "POST",
            "orders",
            body={"customer_id": "{c3}", "set_paid": True, "line_items": [{"product_id": "{pv}", "quantity": 1}]},
            save="o4",
        )
    )
    add(
        S(
            "order_create_customer_no_billing",
            "POST",
            "orders",
            body={"customer_id": "{c1}", "status": "completed", "line_items": [{"product_id": "{p1}", "quantity": 1}]},
            save="o5",
        )
    )
    add(
        S(
            "order_create_fee",
            "POST",
            "orders",
            body={
                "billing": {"email": "{T}guest@example.com"},
                "line_items": [{"product_id": "{p1}", "quantity": 1}],
                "fee_lines": [{"name": "Gift wrap", "total": "3.33"}],
            },
            save="o6",
        )
    )
    add(
        S(
            "order_create_negative_fee",
            "POST",
            "orders",
            body={
                "billing": {"email": "{T}guest@example.com"},
                "line_items": [{"product_id": "{p1}", "quantity": 1}],
                "fee_lines": [{"name": "Goodwill", "total": "-40.00"}],
            },
            save="o7",
        )
    )
    add(
        S(
            "order_create_totals_override",
            "POST",
            "orders",
            body={
                "billing": {"email": "{T}guest@example.com"},
                "line_items": [{"product_id": "{p1}", "quantity": 2, "subtotal": "49.80", "total": "40.00"}],
            },
            save="o8",
        )
    )
    add(
        S(
            "order_create_tax_rounding",
            "POST",
            "orders",
            body={
                "billing": {"email": "{T}guest@example.com"},
                "line_items": [
                    {"product_id": "{p1}", "quantity": 1, "subtotal": "0.13", "total": "0.13"},
                    {"product_id": "{p2}", "quantity": 1, "subtotal": "0.13", "total": "0.13"},
                    {"product_id": "{pv}", "quantity": 1, "subtotal": "0.13", "total": "0.13"},
                ],
            },
            save="o9",
        )
    )
    add(
        S(
            "order_create_unknown_product",
            "POST",
            "orders",
            body={"billing": {"email": "{T}guest@example.com"}, "line_items": [{"product_id": 999999, "quantity": 1}]},
            save="o10",
        )
    )
    add(
        S(
            "order_create_fixed_coupon",
            "POST",
            "orders",
            body={
                "customer_id": "{c3}",
                "status": "on-hold",
                "billing": {"email": "{T}ben@example.com"},
                "line_items": [{"product_id": "{p2}", "quantity": 3}],
                "coupon_lines": [{"code": "{T}welcome5"}],
            },
            save="o11",
        )
    )
    add(
        S(
            "order_use_once",
            "POST",
            "orders",
            body={
                "billing": {"email": "{T}guest@example.com"},
                "line_items": [{"product_id": "{p1}", "quantity": 1}],
                "coupon_lines": [{"code": "{T}once"}],
            },
            save="o12",
        )
    )
    # coupon rules, checked like a checkout
    add(
        S(
            "order_coupon_wrong_email",
            "POST",
            "orders",
            body={
                "billing": {"email": "{T}guest@example.com"},
                "line_items": [{"product_id": "{p1}", "quantity": 1}],
                "coupon_lines": [{"code": "{T}vip"}],
            },
            save="x1",
        )
    )
    add(
        S(
            "order_coupon_no_email",
            "POST",
            "orders",
            body={"line_items": [{"product_id": "{p1}", "quantity": 1}], "coupon_lines": [{"code": "{T}vip"}]},
            save="x2",
        )
    )
    add(
        S(
            "order_coupon_used_up",
            "POST",
            "orders",
            body={
                "billing": {"email": "{T}guest@example.com"},
                "line_items": [{"product_id": "{p1}", "quantity": 1}],
                "coupon_lines": [{"code": "{T}once"}],
            },
            save="x3",
        )
    )
    add(
        S(
            "order_coupon_expired",
            "POST",
            "orders",
            body={
                "billing": {"email": "{T}guest@example.com"},
                "line_items": [{"product_id": "{p1}", "quantity": 1}],
                "coupon_lines": [{"code": "{T}old"}],
            },
            save="x4",
        )
    )
    add(
        S(
            "order_coupon_minimum",
            "POST",
            "orders",
            body={
                "billing": {"email": "{T}guest@example.com"},
                "line_items": [{"product_id": "{p1}", "quantity": 1}],
                "coupon_lines": [{"code": "{T}welcome5"}],
            },
            save="x5",
        )
    )
    add(
        S(
            "order_coupon_unknown",
            "POST",
            "orders",
            body={
                "billing": {"email": "{T}guest@example.com"},
                "line_items": [{"product_id": "{p1}", "quantity": 1}],
                "coupon_lines": [{"code": "{T}nosuch"}],
            },
        )
    )
    add(S("order_invalid_status", "POST", "orders", body={"status": "paid"}))
    add(S("coupon_after_use", "GET", "coupons/{k1}"))
    add(S("order_get", "GET", "orders/{o1}"))
    add(S("order_get_draft", "GET", "orders/{x1.data.new_draft_order_id}"))
    # edits
    add(S("order_put_processing", "PUT", "orders/{o1}", body={"status": "processing"}))
    add(S("order_put_completed", "PUT", "orders/{o1}", body={"status": "completed"}))
    add(
        S(
            "order_put_quantity",
            "PUT",
            "orders/{o8}",
            body={"line_items": [{"id": "{o8.line_items.0.id}", "quantity": 3}]},
        )
    )
    add(S("order_put_coupon_lines", "PUT", "orders/{o2}", body={"coupon_lines": [{"code": "{T}utc"}]}))
    add(S("order_put_cancel", "PUT", "orders/{o11}", body={"status": "cancelled"}))
    add(S("coupon_after_cancel", "GET", "coupons/{k2}"))
    add(S("order_put_invalid_status", "PUT", "orders/{o2}", body={"status": "shipped"}))
    add(S("order_put_unknown", "PUT", "orders/999999", body={"status": "completed"}))
    add(S("order_put_refunded", "PUT", "orders/{o3}", body={"status": "refunded"}))
    add(S("order_get_after_put_refunded", "GET", "orders/{o3}"))
    # refunds
    add(
        S(
            "refund_partial",
            "POST",
            "orders/{o5}/refunds",
            body={
                "amount": "29.63",
                "api_refund": False,
                "reason": "one back",
                "line_items": [
                    {
                        "id": "{o5.line_items.0.id}",
                        "quantity": 1,
                        "refund_total": "24.90",
                        "refund_tax": [{"id": 1, "refund_total": "4.73"}],
                    }
                ],
            },
            save="r1",
        )
    )
    add(S("refund_zero", "POST", "orders/{o5}/refunds", body={"amount": "0.00", "api_refund": False}, save="r0"))
    add(S("refund_number_amount", "POST", "orders/{o5}/refunds", body={"amount": 1.5, "api_refund": False}))
    add(S("refund_over_remaining", "POST", "orders/{o5}/refunds", body={"amount": "500.00", "api_refund": False}))
    add(S("refund_gateway", "POST", "orders/{o5}/refunds", body={"amount": "1.00"}))
    add(S("refunds_of_order", "GET", "orders/{o5}/refunds", BY_ID, product=True))
    add(S("refunds_of_unknown_order", "GET", "orders/999999/refunds"))
    add(S("refund_get", "GET", "orders/{o5}/refunds/{r1}"))
    add(S("refunds_all", "GET", "refunds", BY_ID, product=True, unscoped=True))
    add(
        S(
            "refunds_all_after",
            "GET",
            "refunds",
            _p(after=earlier(1), dates_are_gmt="true", **dict(BY_ID)),
            product=True,
            unscoped=True,
        )
    )
    add(S("order_after_refund", "GET", "orders/{o5}"))
    # notes
    add(S("note_create", "POST", "orders/{o1}/notes", body={"note": "{T} packed"}, save="n1"))
    add(S("note_get", "GET", "orders/{o1}/notes/{n1}"))
    add(S("notes_list", "GET", "orders/{o1}/notes"))
    # listings: the product's shapes
    add(S("orders_full", "GET", "orders", BY_ID, product=True, unscoped=True))
    add(
        S(
            "orders_incremental",
            "GET",
            "orders",
            _p(modified_after=earlier(1), dates_are_gmt="true", **dict(BY_ID)),
            product=True,
            unscoped=True,
        )
    )
    add(S("orders_backfill", "GET", "orders", _p(status="any", **dict(BY_ID)), product=True, unscoped=True))
    add(
        S(
            "orders_backfill_since",
            "GET",
            "orders",
            _p(status="any", after=earlier(1), dates_are_gmt="true", **dict(BY_ID)),
            product=True,
            unscoped=True,
        )
    )
    add(
        S(
            "orders_month",
            "GET",
            "orders",
            _p(after=earlier(1), before=later(1), dates_are_gmt="true", status="any", **dict(BY_ID)),
            product=True,
            unscoped=True,
        )
    )
    add(
        S(
            "orders_month_count",
            "GET",
            "orders",
            _p(after=earlier(1), before=later(1), dates_are_gmt="true", status="any", per_page="1", page="1"),
            product=True,
            unscoped=True,
        )
    )
    add(
        S(
            "orders_first",
            "GET",
            "orders",
            _p(per_page="1", page="1", orderby="date", order="asc", status="any"),
            product=True,
            unscoped=True,
        )
    )
    add(S("orders_count", "GET", "orders", _p(status="any", per_page="1", page="1"), product=True, unscoped=True))
    add(S("orders_plain", "GET", "orders", product=True, unscoped=True))
    add(
        S(
            "orders_trash_incremental",
            "GET",
            "orders",
            _p(status="trash", modified_after=earlier(1), dates_are_gmt="true", **dict(BY_ID)),
            product=True,
            unscoped=True,
            note="the product's incremental listing of the trash (sync_jobs/pull.py)",
        )
    )
    # listings: other shapes
    add(S("orders_customer", "GET", "orders", _p(customer="{c1}", orderby="id", order="asc")))
    add(S("orders_product", "GET", "orders", _p(product="{p2}", orderby="id", order="asc")))
    add(
        S(
            "orders_include_array",
            "GET",
            "orders",
            [("include[0]", "{o1}"), ("include[1]", "{o2}"), ("orderby", "id"), ("order", "asc")],
        )
    )
    add(S("orders_status_array", "GET", "orders", [("status[0]", "cancelled"), ("customer", "{c3}")]))
    add(S("orders_status_multi", "GET", "orders", _p(status="completed,cancelled", customer="{c1}")))
    add(S("orders_status_draft", "GET", "orders", _p(status="checkout-draft", include="{x1.data.new_draft_order_id}")))
    add(S("orders_fields", "GET", "orders", _p(include="{o1}", _fields="id,status,total")))
    add(S("orders_dp", "GET", "orders", _p(include="{o9}", dp="3")))
    add(S("orders_past_end", "GET", "orders", _p(customer="{c1}", page="99")))
    add(S("orders_invalid_orderby", "GET", "orders", _p(orderby="total")))
    add(S("orders_invalid_date", "GET", "orders", _p(modified_after="yesterday")))
    add(S("orders_per_page_101", "GET", "orders", _p(per_page="101")))
    add(S("order_unknown", "GET", "orders/999999"))
    add(S("orders_delete_collection", "DELETE", "orders"))
    add(S("route_unknown", "GET", "no-such-thing"))

    # --- reviews ----------------------------------------------------------------------------
    add(
        S(
            "review_create",
            "POST",
            "products/reviews",
            body={
                "product_id": "{p1}",
                "review": "Great",
                "reviewer": "Anna",
                "reviewer_email": "{T}anna@example.com",
                "rating": 5,
            },
            save="rv1",
        )
    )
    add(
        S(
            "review_create_hold",
            "POST",
            "products/reviews",
            body={
                "product_id": "{p1}",
                "review": "Hmm",
                "reviewer": "Eve",
                "reviewer_email": "{T}eve@example.com",
                "rating": 2,
                "status": "hold",
            },
            save="rv2",
        )
    )
    add(S("reviews_all", "GET", "products/reviews", _p(status="all", product="{p1}", **dict(BY_ID))))
    add(
        S(
            "reviews_product_shape",
            "GET",
            "products/reviews",
            _p(status="all", **dict(BY_ID)),
            product=True,
            unscoped=True,
        )
    )
    add(
        S(
            "reviews_product_since",
            "GET",
            "products/reviews",
            _p(status="all", after=earlier(1), dates_are_gmt="true", **dict(BY_ID)),
            product=True,
            unscoped=True,
        )
    )

    # --- webhooks ---------------------------------------------------------------------------
    add(
        S(
            "webhook_create",
            "POST",
            "webhooks",
            body={
                "name": "{T} loyalty-sync order.updated",
                "topic": "order.updated",
                "delivery_url": "{HOOK}",
                "secret": "{T}-secret",
                "status": "active",
            },
            product=True,
            save="w1",
        )
    )
    add(S("webhooks_list", "GET", "webhooks", BY_ID, product=True, unscoped=True))
    add(S("webhook_put_secret", "PUT", "webhooks/{w1}", body={"secret": "{T}-secret-2"}, product=True))
    add(S("webhooks_batch", "POST", "webhooks/batch", body={"update": [{"id": "{w1}", "status": "paused"}]}))
    add(S("webhook_delete_no_force", "DELETE", "webhooks/{w1}"))

    # --- authentication and signing -------------------------------------------------------------
    q = _p(customer="{c1}")
    add(S("auth_none", "GET", "orders", q, mode="anon"))
    add(S("auth_bad_key", "GET", "orders", q, mode="badkey"))
    add(S("auth_bad_secret", "GET", "orders", q, mode="badsecret"))
    add(S("auth_basic_http", "GET", "orders", q, mode="basic"))
    add(S("auth_query_keys_http", "GET", "orders", q, mode="querykeys"))
    add(S("auth_old_timestamp", "GET", "orders", q, mode="oldts"))
    add(S("auth_nonce_replay", "GET", "orders", q, mode="replay"))
    add(S("auth_read_key_write", "POST", "customers", body={"email": "{T}ro@example.com"}, mode="readkey"))
    add(S("auth_read_key_read", "GET", "orders", q, mode="readkey"))
    add(S("oauth_php_signed", "GET", "orders", q, mode="php"))
    add(S("oauth_php_slash_value", "GET", "customers", _p(search="{T}a/b"), mode="php"))
    add(
        S(
            "oauth_pyclient_slash_value",
            "GET",
            "customers",
            _p(search="{T}a/b"),
            mode="pyclient",
            note="the python client signs '/' unencoded; WooCommerce encodes it",
        )
    )
    add(S("oauth_php_array_keys", "GET", "orders", [("include[]", "{o1}"), ("include[]", "{o2}")], mode="php"))
    add(
        S("oauth_pyclient_array_keys", "GET", "orders", [("include[]", "{o1}"), ("include[]", "{o2}")], mode="pyclient")
    )
    add(S("oauth_php_form_body", "POST", "orders/{o2}/notes", body={"note": "{T} form"}, mode="php-form", save="n2"))
    add(
        S(
            "oauth_pyclient_form_body",
            "POST",
            "orders/{o2}/notes",
            body={"note": "{T} form2"},
            mode="pyclient-form",
            save="n3",
        )
    )

    # --- issue 16, catalogue and customers (branch woosim-catalog) ---------------------------------
    add(
        S(
            "customer_invalid_username",
            "POST",
            "customers",
            body={"email": "{T}fred@example.com", "username": "{T}Fred+Shop"},
            note="a username strict sanitizing would change is refused",
        )
    )
    add(S("customer_username_not_editable", "PUT", "customers/{c1}", body={"username": "{T}other"}))
    add(S("customers_bad_role", "GET", "customers", _p(role="wizard")))
    add(S("customers_bad_email", "GET", "customers", _p(email="not-an-email")))
    add(S("customers_fields", "GET", "customers", _p(include="{c1}", _fields="id,email,meta_data")))
    add(S("customers_past_end", "GET", "customers", _p(search="{T}", page="99")))
    add(S("products_past_end", "GET", "products", _p(search="{T}", page="99")))
    add(S("products_bad_type", "GET", "products", _p(type="wizard")))
    add(S("categories_past_end", "GET", "products/categories", _p(search="{T}", page="99")))
    add(S("coupons_past_end", "GET", "coupons", _p(search="{T}", page="99")))
    add(
        S(
            "coupon_update_percent_over_100",
            "PUT",
            "coupons/{k1}",
            body={"amount": "150"},
            note="a new coupon over 100 % is saved at 0.00, an update is refused",
        )
    )
    add(
        S(
            "coupon_all_restrictions_invalid",
            "POST",
            "coupons",
            body={
                "code": "{T}noone",
                "discount_type": "percent",
                "amount": "5",
                "email_restrictions": ["bad", "worse"],
            },
            save="k12",
        )
    )
    add(
        S(
            "coupons_include_array",
            "GET",
            "coupons",
            [("include[0]", "{k1}"), ("include[1]", "{k2}"), ("orderby", "id"), ("order", "asc")],
        )
    )
    add(S("system_status_tool", "GET", "system_status/tools/clear_transients", select=("id", "name", "action")))
    add(S("webhooks_batch_unknown", "POST", "webhooks/batch", body={"update": [{"id": 999999, "status": "paused"}]}))

    # --- cleanup (compared too: DELETE answers) ---------------------------------------------------
    for name in ("o1", "o2", "o3", "o4", "o5", "o6", "o7", "o8", "o9", "o10", "o11", "o12"):
        add(S(f"cleanup_{name}", "DELETE", f"orders/{{{name}}}", _p(force="true"), cleanup=True))
    for name in ("x1", "x2", "x3", "x4", "x5"):
        add(
            S(
                f"cleanup_{name}_draft",
                "DELETE",
                f"orders/{{{name}.data.new_draft_order_id}}",
                _p(force="true"),
                cleanup=True,
            )
        )
    for name in (
        "k1",
        "k2",
        "k3",
        "k4",
        "k5",
        "k6",
        "k7",
        "k8",
        "k9",
        "k10",
        "k11",
        "k12",
        "kb.create.0",
        "kb.create.1",
        "kc.create.0",
    ):
        add(
            S(
                f"cleanup_{name}",
                "DELETE",
                f"coupons/{{{name}.id}}" if "." in name else f"coupons/{{{name}}}",
                _p(force="true"),
                cleanup=True,
            )
        )
    for name in ("rv1", "rv2"):
        add(S(f"cleanup_{name}", "DELETE", f"products/reviews/{{{name}}}", _p(force="true"), cleanup=True))
    add(S("cleanup_w1", "DELETE", "webhooks/{w1}", _p(force="true"), cleanup=True))
    for name in ("c1", "c2", "c3", "c4"):
        add(S(f"cleanup_{name}", "DELETE", f"customers/{{{name}}}", _p(force="true"), cleanup=True))
    add(S("cleanup_v1", "DELETE", "products/{p3}/variations/{v1}", _p(force="true"), cleanup=True))
    for name in ("p1", "p2", "pv", "p3"):
        add(S(f"cleanup_{name}", "DELETE", f"products/{{{name}}}", _p(force="true"), cleanup=True))
    for name in ("cat2", "cat1"):
        add(S(f"cleanup_{name}", "DELETE", f"products/categories/{{{name}}}", _p(force="true"), cleanup=True))
    return out
