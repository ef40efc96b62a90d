"""Routes a real WooCommerce 10.0.2 store has that loyalty-sync never calls,
but other clients of a store do: `system_status/tools` (connectors list it in
their connection `check`), `payment_gateways`, `taxes/classes` and
`webhooks/batch`. The answers follow the real store's (recorded 2026-12-07,
WooCommerce 10.0.2 with its default gateways and tax classes; the tools list
are kept in tests/woosim/captures/real-store-routes.json).
"""

from __future__ import annotations

from . import WC_VERSION, WP_VERSION
from .errors import ApiError
from .shapes import Ctx

# (id, name, action) of WooCommerce 10.0.2's tools, in the real store's order
TOOLS = [
    ("clear_transients", "WooCommerce transients", "Clear transients"),
    ("clear_expired_transients", "Expired transients", "Clear transients"),
    ("delete_orphaned_variations", "Orphaned variations", "Delete orphaned variations"),
    ("clear_expired_download_permissions", "Used-up download permissions", "Clean up download permissions"),
    ("regenerate_product_lookup_tables", "Product lookup tables", "Regenerate"),
    ("recount_terms", "Term counts", "Recount terms"),
    ("reset_roles", "Capabilities", "Reset capabilities"),
    ("clear_sessions", "Clear customer sessions", "Clear"),
    ("clear_template_cache", "Clear template cache", "Clear"),
    ("clear_system_status_theme_info_cache", "Clear system status theme info cache", "Clear"),
    ("install_pages", "Create default WooCommerce pages", "Create pages"),
    ("delete_taxes", "Delete WooCommerce tax rates", "Delete tax rates"),
    ("regenerate_thumbnails", "Regenerate shop thumbnails", "Regenerate"),
    ("db_update_routine", "Update database", "Update database"),
    ("recreate_order_address_fts_index", "Re-create Order Address FTS index", "Recreate index"),
    ("verify_db_tables", "Verify base database tables", "Verify database"),
    ("regenerate_product_attributes_lookup_table", "Regenerate the product attributes lookup table", "Regenerate"),
    ("clear_woocommerce_analytics_cache", "Clear analytics cache", "Clear"),
    ("hpos_legacy_cleanup", "Clean up order data from legacy tables", "No orders in need of cleanup"),
    ("delete_custom_orders_table", "Delete the custom orders tables", "Delete"),
    ("schedule_expired_transient_files_cleanup", "Schedule expired transient files cleanup", "Schedule"),
]

# the offline gateways of a fresh install, all disabled (id, title, method title)
GATEWAYS = [
    ("bacs", "Direct bank transfer", "Direct bank transfer"),
    ("cheque", "Check payments", "Check payments"),
    ("cod", "Cash on delivery", "Cash on delivery"),
]

TAX_CLASSES = [("standard", "Standard rate"), ("reduced-rate", "Reduced rate"), ("zero-rate", "Zero rate")]


def tools_body(ctx) -> list[dict]:
    return [
        {
            "id": i,
            "name": name,
            "action": action,
            "description": "",
            "_links": {"item": [{"embeddable": True, "href": ctx.api(f"system_status/tools/{i}")}]},
        }
        for i, name, action in TOOLS
    ]


def tool_body(ctx, tool_id: str) -> dict:
    for i, name, action in TOOLS:
        if i == tool_id:
            return {
                "id": i,
                "name": name,
                "action": action,
                "description": "",
                "_links": {"item": [{"embeddable": True, "href": ctx.api(f"system_status/tools/{i}")}]},
            }
    raise ApiError(404, "woocommerce_rest_system_status_tool_invalid_id", "Invalid tool ID.")


def gateways_body(ctx) -> list[dict]:
    return [
        {
            "id": i,
            "title": title,
            "description": "",
            "order": "",
            "enabled": False,
            "method_title": method,
            "method_description": "",
            "method_supports": ["products"],
            "settings": {},
            "_links": {
                "self": [
                    {
                        "href": ctx.api(f"payment_gateways/{i}"),
                        "targetHints": {"allow": ["GET", "POST", "PUT", "PATCH"]},
                    }
                ],
                "collection": [{"href": ctx.api("payment_gateways")}],
            },
        }
        for i, title, method in GATEWAYS
    ]


def tax_classes_body(ctx) -> list[dict]:
    return [
        {"slug": slug, "name": name, "_links": {"collection": [{"href": ctx.api("taxes/classes")}]}}
        for slug, name in TAX_CLASSES
    ]


def system_status_body(ctx: Ctx) -> dict:
    return {
        "environment": {
            "home_url": ctx.base,
            "site_url": ctx.base,
            "version": WC_VERSION,
            "wp_version": WP_VERSION,
            "wp_multisite": False,
            "php_version": "8.2.36",
            "mysql_version_string": "10.11.19-MariaDB-0+deb12u1",
            "default_timezone": "UTC",
            "server_info": "woosim",
        },
        "database": {"wc_database_version": WC_VERSION, "database_prefix": "wp_"},
        "active_plugins": [],
        "inactive_plugins": [],
        "dropins_mu_plugins": {"dropins": [], "mu_plugins": []},
        "theme": {"name": "Storefront"},
        "settings": {
            "api_enabled": False,
            "force_ssl": False,
            "currency": "EUR",
            "currency_symbol": "&euro;",
            "currency_position": "right_space",
            "thousand_separator": ",",
            "decimal_separator": ".",
            "number_of_decimals": 2,
            "geolocation_enabled": False,
            "taxonomies": {"external": "external", "grouped": "grouped", "simple": "simple", "variable": "variable"},
            "product_visibility_terms": {},
            "woocommerce_com_connected": "no",
            "enforce_approved_download_dirs": True,
            "order_datastore": "Automattic\\WooCommerce\\Internal\\DataStores\\Orders\\OrdersTableDataStore",
            "HPOS_enabled": True,
            "HPOS_sync_enabled": False,
            "enabled_features": ["custom_order_tables"],
        },
        "security": {"secure_connection": ctx.base.startswith("https"), "hide_errors": True},
        "pages": [],
        "post_type_counts": [],
        "logging": {},
    }


def site_index_body(state, host_url: str) -> dict:
    """`GET /wp-json/` as WordPress answers it, cut to what a client reads:
    the site's name, its time zone (`timezone_string`, and `gmt_offset` in
    hours now, a whole number when it is one) and the namespaces."""
    offset = state.tz.offset_at(state.clock.now_s()) / 3600
    return {
        "name": state.site_name,
        "description": "",
        "url": host_url,
        "home": host_url,
        "gmt_offset": int(offset) if offset == int(offset) else offset,
        "timezone_string": state.tz.name,
        "namespaces": ["oembed/1.0", "wc/v3", "wp/v2"],
        "site_icon_url": "",
    }
