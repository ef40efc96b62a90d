"""Conformance of woosim (and of the product) with a real WooCommerce store.

`make conformance` runs two things when `WC_URL`, `WC_CONSUMER_KEY` and
`WC_CONSUMER_SECRET` name a real store:

- the differential (`conformance.differential`): one list of requests
  (`conformance.cases`), sent to a fresh woosim and to the real store, each
  answer normalised (`conformance.normalise`: store-allocated ids, timestamps
  stamped by the store, order keys, base URLs, `_links` hrefs) and compared
  per request kind;
- the product's end-to-end sync scenarios (`conformance/scenarios/`), the
  same test functions as tests/sync_jobs run against woosim, here run against
  the real store too (only on a store that may be emptied: `WC_DISPOSABLE=1`).

Nothing here is collected by `make test` (pytest's testpaths is `tests`).
"""
