"""What can go wrong when talking to a WooCommerce store, as one tree.

Callers catch the branch they can act on; the sync log and the admin panel
show ``str(error)``, which is written for a shop owner and never contains the
consumer secret, OAuth signatures or query-string keys (everything goes
through ``loyalty_sync.redaction.redact`` plus a scrub of the client's own
secret)::

    StoreError                     anything the store did or did not answer
    ├── StoreUnreachable           DNS, refused connection, TLS, timeouts (after retries)
    ├── StoreRejectedKeys          401: unknown key, bad signature, keys ignored
    ├── StorePermissionDenied      read-only key writing (401), or 403
    ├── NotWooCommerce             HTML instead of JSON, rest_no_route: wrong URL / plugin off
    ├── StoreTooOld                WooCommerce < 5.8 (no modified_after filter)
    ├── StoreServerError           5xx (after retries, if the request could be retried)
    ├── StoreRateLimited                  429 after retries (host or WAF rate limit)
    ├── BadResponse                garbled / truncated JSON (after retries)
    ├── RecordInvalid              400: the store refused the data or parameters sent
    ├── RecordNotFound             unknown id (404, or 400 ``*_invalid_id`` on a PUT)
    └── BatchTooLarge              413: more items in one batch than the store accepts

Each error carries ``code`` (WooCommerce's error code, or None), ``status``
(HTTP status, or None) and ``store_message`` (the store's own words, cleaned).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
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


class StoreError(Exception):
    """Base of every error raised by the WooCommerce client."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        store_message: str | None = None,
    ) -> None:
        if code and code not in message:
            message = f"{message} [{code}]"
        super().__init__(message)
        self.code = code
        self.status = status
        self.store_message = store_message


class StoreUnreachable(StoreError):
    """No usable HTTP answer at all: DNS, refused connection, TLS, timeouts."""


class StoreRejectedKeys(StoreError):
    """The store does not accept the consumer key/secret (or never saw them)."""


class StorePermissionDenied(StoreError):
    """The keys are valid but not allowed to do this (typically a read-only key writing)."""


class NotWooCommerce(StoreError):
    """The URL answers, but not as a WooCommerce REST API (wc/v3)."""


class StoreTooOld(StoreError):
    """The store's WooCommerce is older than what the sync needs."""

    def __init__(self, message: str, *, version: str, required: str) -> None:
        super().__init__(message)
        self.version = version
        self.required = required


class StoreServerError(StoreError):
    """The store failed on its side (HTTP 5xx)."""


class StoreRateLimited(StoreError):
    """The store (or its host) kept asking us to slow down (HTTP 429)."""


class BadResponse(StoreError):
    """The store answered 2xx but the body was not the JSON it should be."""


class RecordInvalid(StoreError):
    """The store refused the data or parameters we sent (HTTP 400).

    ``params`` maps each refused field to the store's reason (``data.params``).
    """

    def __init__(self, message: str, *, params: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.params = params or {}


class RecordNotFound(StoreError):
    """The record does not exist in the store (any more)."""


class BatchTooLarge(StoreError):
    """The store refused a batch for having too many items (HTTP 413)."""


# --- building errors from responses -------------------------------------------------

_TAG = re.compile(r"<[^>]+>")


def clean_store_message(text: str | None) -> str | None:
    """WooCommerce messages may hold HTML (e.g. the duplicate-email error links
    to the login page, capture 035); shop owners read them in the admin panel."""
    if not text:
        return None
    text = _TAG.sub("", str(text))
    return " ".join(text.split()) or None


def error_for_status(
    *,
    status: int,
    body: Any,
    what: str,
    store: str,
) -> StoreError:
    """The typed error for a final (non-retried) HTTP error answer.

    ``what`` says what we were doing in words ("GET orders"), ``store`` is the
    store's base URL (already redacted). Codes and statuses: FACTS.md "Errors"
    and "Authentication"; captures 001-009, 050, 060, 102-109.
    """
    code, message, params = _error_fields(body)
    shown = f" The store said: {message}" if message else ""
    kwargs: dict[str, Any] = {"code": code, "status": status, "store_message": message}

    if status == 401:
        if message and "write permission" in message.lower():
            return StorePermissionDenied(
                f"The API keys for {store} are read-only, so {what} was refused. Create keys "
                f"with Read/Write permission in WooCommerce > Settings > Advanced > REST API.{shown}",
                **kwargs,
            )
        if code and "_cannot_" in code:
            # Answered as to an anonymous visitor: the keys never arrived (Basic auth
            # over plain http, or a web server dropping the Authorization header).
            return StoreRejectedKeys(
                f"The store at {store} did not receive the API keys ({what}). Use the shop's https:// "
                f"address; if it already is, the web server may be removing the Authorization header "
                f"(query-string authentication avoids that).{shown}",
                **kwargs,
            )
        return StoreRejectedKeys(
            f"The store at {store} rejected the API keys ({what}). Check the consumer key and "
            f"secret in WooCommerce > Settings > Advanced > REST API.{shown}",
            **kwargs,
        )
    if status == 403:
        return StorePermissionDenied(
            f"The API keys for {store} are not allowed to do {what}; the keys' WordPress user "
            f"needs to be a Shop manager or Administrator.{shown}",
            **kwargs,
        )
    if code == "rest_no_route" or (status == 404 and code is None):
        return NotWooCommerce(
            f"{store} does not offer the WooCommerce REST API route for {what}. Check that the "
            f"URL is the shop's address and that WooCommerce is installed and active.{shown}",
            **kwargs,
        )
    if code and code.endswith("_invalid_id"):
        # A PUT on an unknown order answers 400 with this code, not 404 (capture 108).
        return RecordNotFound(f"The record for {what} does not exist in the store at {store}.{shown}", **kwargs)
    if status == 404:
        return RecordNotFound(f"The store at {store} found nothing for {what}.{shown}", **kwargs)
    if status == 413:
        return BatchTooLarge(f"The store at {store} refused {what}: too many items in one batch.{shown}", **kwargs)
    if status == 429:
        return StoreRateLimited(
            f"The store at {store} (or its host) kept asking us to slow down ({what}); "
            f"the sync will try again later.{shown}",
            **kwargs,
        )
    if status >= 500:
        return StoreServerError(
            f"The store at {store} had an internal error (HTTP {status}) during {what}.{shown}", **kwargs
        )
    if status == 400:
        return RecordInvalid(f"The store at {store} refused {what}.{shown}", params=params, **kwargs)
    return StoreError(f"The store at {store} answered HTTP {status} to {what}.{shown}", **kwargs)


def _error_fields(body: Any) -> tuple[str | None, str | None, dict[str, str]]:
    """``{"code", "message", "data": {"status", "params"}}``; ``data`` may be a bare
    number (refund over the remaining amount, capture 091)."""
    if not isinstance(body, dict):
        return None, None, {}
    code = body.get("code") if isinstance(body.get("code"), str) else None
    message = clean_store_message(body.get("message"))
    data = body.get("data")
    params = data.get("params") if isinstance(data, dict) else None
    if not isinstance(params, dict):
        params = {}
    return code, message, {str(k): clean_store_message(v) or "" for k, v in params.items()}
