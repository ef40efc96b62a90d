"""One place that turns a Store row into a StoreClient with the app's settings."""
from flask import current_app

from loyalty_sync.models import Store
from loyalty_sync.woocommerce import StoreClient


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
