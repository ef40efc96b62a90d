"""WooCommerce REST client for loyalty-sync.

Public surface (everything else in this package is private)::

    from loyalty_sync.woocommerce import StoreClient, errors
    with StoreClient("https://shop.example", key, secret) as store:
        info = store.store_info(require_modified_after=True)
        for order in store.iter_records("orders", incremental_order_params(since)):
            ...

Modules: ``client`` (StoreClient), ``errors`` (the error tree), ``transport``
(the network seam over the ``woocommerce`` package), ``retry`` (the one
retry policy), ``pagination`` (concurrent, ordered listing), ``batch``.
WooCommerce behaviour relied on is in ../shared/woocommerce/FACTS.md.
"""

from loyalty_sync.woocommerce import errors
from loyalty_sync.woocommerce.batch import BatchResult, ItemError
from loyalty_sync.woocommerce.client import StoreClient, StoreInfo
from loyalty_sync.woocommerce.errors import (
    BadResponse,
    BatchTooLarge,
    NotWooCommerce,
    RecordInvalid,
    RecordNotFound,
    StoreError,
    StorePermissionDenied,
    StoreRateLimited,
    StoreRejectedKeys,
    StoreServerError,
    StoreTooOld,
    StoreUnreachable,
)
from loyalty_sync.woocommerce.pagination import incremental_order_params
from loyalty_sync.woocommerce.transport import Transport, WooCommerceTransport

__all__ = [
    "StoreClient",
    "StoreInfo",
    "BatchResult",
    "ItemError",
    "incremental_order_params",
    "Transport",
    "WooCommerceTransport",
    "errors",
    "StoreError",
    "StoreUnreachable",
    "StoreRejectedKeys",
    "StorePermissionDenied",
    "NotWooCommerce",
    "StoreTooOld",
    "StoreServerError",
    "StoreRateLimited",
    "BadResponse",
    "RecordInvalid",
    "RecordNotFound",
    "BatchTooLarge",
]
