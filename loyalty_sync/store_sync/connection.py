"""One place that turns a Store row into a StoreClient with the app's settings,
and the words the admin panel shows after a connection test.

The connection test is the one request an admin can aim at any address
(the store's URL is an admin field), so what it shows must not turn the panel
into a window onto other hosts: `connection_test_message` says *what kind*
of failure it was in fixed words and never repeats the remote answer (the
store's message, HTML, headers). The full error goes to the server log only.
"""

from __future__ import annotations

import re

from flask import current_app

from loyalty_sync.models import Store
from loyalty_sync.woocommerce import StoreClient, StoreInfo, errors
from loyalty_sync.woocommerce.site_index import SiteIdentity

_VERSION = re.compile(r"^\d{1,4}(\.\d{1,4}){0,3}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")

# Most specific first: the first class the error is an instance of wins.
_FAILURE_WORDS: tuple[tuple[type[errors.StoreError], str], ...] = (
    (
        errors.StorePermissionDenied,
        "the API keys are valid but not allowed to do this. Create Read/Write keys for a Shop manager or "
        "Administrator in WooCommerce > Settings > Advanced > REST API.",
    ),
    (
        errors.StoreRejectedKeys,
        "the store rejected the API keys or did not receive them. Check the consumer key and secret, and use "
        "the shop's https:// address.",
    ),
    (errors.StoreTooOld, "the store's WooCommerce is too old; the loyalty sync needs WooCommerce {required} or newer."),
    (
        errors.NotWooCommerce,
        "this address does not answer as a WooCommerce REST API. Check that it is the shop's address and that "
        "WooCommerce is installed and active.",
    ),
    (
        errors.StoreUnreachable,
        "the address could not be reached (unknown host, refused connection, TLS problem or timeout).",
    ),
    (errors.StoreRateLimited, "the store (or its host) keeps asking us to slow down; try again in a few minutes."),
    (errors.StoreServerError, "the store had an internal error; try again later or check the shop's error log."),
    (errors.BadResponse, "the address answered, but not with the JSON a WooCommerce store sends."),
)


def client_for(store: Store, **overrides) -> StoreClient:
    config = current_app.config
    verify: bool | str = True
    if store.verify_tls:  # a CA bundle path, for stores behind a private CA (and woosim's TLS mode)
        verify = store.verify_tls
    options = dict(
        timeout=float(config.get("STORE_TIMEOUT_SECONDS", 30)),
        concurrency=int(config.get("SYNC_CONCURRENCY", 4)),
        max_attempts=int(config.get("STORE_MAX_ATTEMPTS", 6)),
        backoff_base=float(config.get("STORE_BACKOFF_BASE", 0.5)),
        backoff_max=float(config.get("STORE_BACKOFF_MAX", 30)),
        verify=verify,
    )
    options.update(overrides)
    return StoreClient(store.url, store.consumer_key, store.consumer_secret, **options)


def connection_test_message(error: errors.StoreError) -> str:
    """Fixed words for a failed connection test, chosen by the error's type
    (and our own numbers: the required version, the HTTP status); nothing
    the remote host wrote."""
    for kind, words in _FAILURE_WORDS:
        if isinstance(error, kind):
            return words.format(required=getattr(error, "required", ""))
    status = f" (HTTP {error.status})" if isinstance(error.status, int) else ""
    return f"the store gave an unexpected answer{status}."


def checked_store_info(info: StoreInfo) -> StoreInfo:
    """The version and currency a connection test may store and show: a
    version number and a 3-letter code, or NotWooCommerce (anything else is
    some other service's text, not WooCommerce's)."""
    currency = info.currency.strip().upper()
    if not _VERSION.match(info.version.strip()) or (currency and not _CURRENCY.match(currency)):
        raise errors.NotWooCommerce("system_status answered without a WooCommerce version number or currency code")
    return StoreInfo(version=info.version.strip(), currency=currency, timezone=info.timezone)


def refresh_site_identity(store: Store, client: StoreClient) -> SiteIdentity | None:
    """Read the shop's name and time zone from WordPress into `store` (the
    caller commits); None, and nothing changed, when the index is unreadable."""
    identity = client.site_identity()
    if identity is not None:
        store.timezone = identity.timezone
        store.display_name = identity.name or store.display_name
    return identity
