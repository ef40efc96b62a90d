"""woosim: an in-memory WooCommerce REST API (wc/v3) simulator.

It exists so that loyalty-sync's tests, benchmarks and demo can talk to
something that behaves like a real WooCommerce 10.0.2 store (the captures in
shared/woocommerce/captures are the reference) without running WordPress.
See README.md for how to start it and for the test-control endpoints.
"""

WC_VERSION = "10.0.2"
WP_VERSION = "6.8.8"
