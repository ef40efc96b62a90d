"""Conformance of woosim (and of the product) with a real WooCommerce store.

`make conformance` runs the differential when `WC_URL`, `WC_CONSUMER_KEY`
and `WC_CONSUMER_SECRET` name a real store (`conformance.differential`): one
list of requests (`conformance.cases`), sent to a fresh woosim and to the real
store, each answer normalised (`conformance.normalise`: store-allocated ids,
timestamps stamped by the store, order keys, base URLs, `_links` hrefs) and
compared per request kind. The product's end-to-end scenarios against a real
store are not built yet (CONFORMANCE.md).

Nothing here is collected by `make test` (pytest's testpaths is `tests`).
"""
