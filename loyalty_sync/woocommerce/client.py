"""``StoreClient``: everything the sync asks of a WooCommerce store.

One object per connected store. It turns every answer into Python data or one
of the typed errors in ``errors`` (retrying in one place, ``retry``), lists
collections concurrently in order (``pagination``), splits batch writes
(``batch``) and counts the requests it makes. Thread-safe: the listing
itself fetches pages from a small thread pool.
"""

from __future__ import annotations

import json as jsonlib
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import requests
import urllib3

from loyalty_sync.redaction import redact
from loyalty_sync.woocommerce import batch as batching
from loyalty_sync.woocommerce.errors import (
    BadResponse,
    NotWooCommerce,
    StoreError,
    StoreServerError,
    StoreTooOld,
    StoreUnreachable,
    error_for_status,
)
from loyalty_sync.woocommerce.pace import Pace
from loyalty_sync.woocommerce.pagination import PER_PAGE_MAX, OnPage, Page, iter_pages_concurrently
from loyalty_sync.woocommerce.retry import (
    NOT_PROCESSED_STATUSES,
    RETRY_STATUSES,
    RetryPolicy,
    Transient,
    call_with_retries,
    parse_retry_after,
)
from loyalty_sync.woocommerce.site_index import FIELDS as SITE_INDEX_FIELDS
from loyalty_sync.woocommerce.site_index import SiteIdentity, parse_site_index
from loyalty_sync.woocommerce.store_clock import StoreClock
from loyalty_sync.woocommerce.transport import TRANSIENT_EXCEPTIONS, ResponseLike, Transport, WooCommerceTransport

#: ``modified_after``/``modified_before`` on orders arrived in WooCommerce 5.8.
MODIFIED_AFTER_SINCE = "5.8"

_IDEMPOTENT = frozenset({"GET", "PUT", "DELETE", "HEAD", "OPTIONS"})
T = TypeVar("T")


@dataclass(frozen=True)
class StoreInfo:
    """What the sync needs to know about a store before pulling from it.

    ``timezone`` is None unless the store states its site time zone:
    ``system_status`` only has PHP's ``default_timezone`` (always UTC under
    WordPress), which is why the sync asks for ``*_gmt`` dates everywhere.
    """

    version: str
    currency: str
    timezone: str | None = None

    @property
    def supports_modified_after(self) -> bool:
        return _version_tuple(self.version) >= _version_tuple(MODIFIED_AFTER_SINCE)


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: Mapping[str, str]
    body: Any


class StoreClient:
    """A WooCommerce store's REST API (wc/v3), for the loyalty sync.

    ``url`` is the shop's address (``https://shop.example``; a pasted
    ``.../wp-json`` or ``.../wp-json/wc/v3`` suffix is dropped). ``verify``
    is ``True``, ``False`` or a CA bundle path. ``transport`` replaces the
    network (tests); ``sleep`` replaces ``time.sleep`` between retries (tests).
    """

    def __init__(
        self,
        url: str,
        consumer_key: str,
        consumer_secret: str,
        *,
        timeout: float = 30.0,
        concurrency: int = 4,
        max_attempts: int = 6,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        verify: bool | str = True,
        transport: Transport | None = None,
        user_agent: str = "loyalty-sync/1.0",
        on_page: OnPage | None = None,
        sleep: Callable[[float], None] = time.sleep,
        query_string_auth: bool = False,
    ) -> None:
        self.url = _normalise_store_url(url)
        self.concurrency = max(1, int(concurrency))
        self.policy = RetryPolicy(max_attempts=max_attempts, backoff_base=backoff_base, backoff_max=backoff_max)
        self.on_page = on_page
        self._sleep = sleep
        # Scrubbed literally from every message; too-short test values would mangle text.
        self._secrets = [s for s in (consumer_secret, consumer_key) if s and len(s) >= 8]
        self._shown_url = redact(re.sub(r"//[^/@]*@", "//", self.url))  # no user:password@
        self._transport: Transport = transport or WooCommerceTransport(
            self.url,
            consumer_key,
            consumer_secret,
            timeout=timeout,
            verify=verify,
            user_agent=user_agent,
            pool_size=self.concurrency + 1,
            query_string_auth=query_string_auth,
        )
        self._lock = threading.Lock()
        self._requests_made = 0
        self._store_clock = StoreClock()
        #: One limit for every request in flight, reads and writes together (pace.py).
        self.pace = Pace(self.concurrency)

    # --- lifecycle ----------------------------------------------------------------
    def close(self) -> None:
        close = getattr(self._transport, "close", None)
        if close:
            close()

    def __enter__(self) -> StoreClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"StoreClient({self._shown_url!r})"

    @property
    def requests_made(self) -> int:
        """HTTP requests sent so far, retries included (for the sync log and benchmarks)."""
        with self._lock:
            return self._requests_made

    @property
    def store_time(self) -> datetime | None:
        """The newest `Date` the store has answered with (its own clock), or
        None if it never sent one; see ``store_clock``."""
        return self._store_clock.newest

    # --- store --------------------------------------------------------------------
    def store_info(self, *, require_modified_after: bool = False) -> StoreInfo:
        """Version and currency from ``GET system_status`` (capture 010).

        With ``require_modified_after``, a store older than WooCommerce 5.8
        raises ``StoreTooOld``: it would ignore ``modified_after`` silently and
        an "incremental" pull would quietly re-read every order.
        """
        body = self.get("system_status")
        environment = body.get("environment") if isinstance(body, dict) else None
        settings = body.get("settings") if isinstance(body, dict) else None
        if not isinstance(environment, dict) or not environment.get("version"):
            raise NotWooCommerce(
                self._clean(
                    f"{self._shown_url} answered system_status without a WooCommerce version; "
                    "is this a WooCommerce store?"
                )
            )
        settings = settings if isinstance(settings, dict) else {}
        info = StoreInfo(
            version=str(environment["version"]),
            currency=str(settings.get("currency") or ""),
            timezone=settings.get("timezone") or environment.get("timezone") or None,
        )
        if require_modified_after and not info.supports_modified_after:
            raise StoreTooOld(
                f"The store at {self._shown_url} runs WooCommerce {info.version}; the loyalty sync needs "
                f"WooCommerce {MODIFIED_AFTER_SINCE} or newer to fetch only changed orders. Please update "
                "WooCommerce.",
                version=info.version,
                required=MODIFIED_AFTER_SINCE,
            )
        return info

    def site_identity(self) -> SiteIdentity | None:
        """The shop's name and time zone (site_index.py), or None when they
        cannot be read: a transport without the index (a test double), no
        answer, or no index in it. One attempt: it is never worth a retry."""
        read = getattr(self._transport, "get_site_index", None)
        if read is None:
            return None
        with self._lock:
            self._requests_made += 1
        try:
            with self.pace.slot("GET (index)"):
                response = read(SITE_INDEX_FIELDS)
            body = _parse_json(_content(response)) if response.status_code == 200 else None
        except (ValueError, requests.RequestException, ConnectionError, TimeoutError):  # no answer, or no JSON
            return None
        return parse_site_index(body)

    # --- single requests ------------------------------------------------------------
    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self._exchange("GET", path, params=params).body

    def post(self, path: str, json: Any, *, idempotent: bool = False) -> Any:
        """POST ``json``. Only retried when the store cannot have acted on it,
        unless the caller knows repeating it is harmless (``idempotent``)."""
        return self._exchange("POST", path, json=json, idempotent=idempotent).body

    def put(self, path: str, json: Any) -> Any:
        return self._exchange("PUT", path, json=json).body

    def delete(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self._exchange("DELETE", path, params=params).body

    # --- listing ------------------------------------------------------------------
    def iter_pages(
        self, resource: str, params: Mapping[str, Any] | None = None, *, on_page: OnPage | None = None
    ) -> Iterator[list[dict[str, Any]]]:
        """Every page of ``resource`` (100 records each), in order; see ``pagination``.

        Give a stable order (``orderby=id&order=asc``, the default here) when
        records may change during the listing; ``incremental_order_params``
        explains why.
        """
        query = dict(params or {})
        query.pop("page", None)
        query.pop("offset", None)  # offset wins over page in WooCommerce
        query.setdefault("per_page", PER_PAGE_MAX)
        query.setdefault("orderby", "id")
        query.setdefault("order", "asc")
        per_page = int(query["per_page"])

        def fetch(number: int) -> Page:
            answer = self._exchange("GET", resource, params={**query, "page": number})
            if not isinstance(answer.body, list):
                raise NotWooCommerce(
                    self._clean(
                        f"{self._shown_url} answered a listing of {resource} with something that is "
                        "not a list; is this a WooCommerce store?"
                    )
                )
            return Page(
                number=number,
                records=answer.body,
                total=_int_header(answer.headers, "X-WP-Total"),
                total_pages=_int_header(answer.headers, "X-WP-TotalPages"),
            )

        return iter_pages_concurrently(
            fetch,
            resource=resource,
            per_page=per_page,
            concurrency=self.concurrency,
            on_page=on_page or self.on_page,
        )

    def iter_records(
        self, resource: str, params: Mapping[str, Any] | None = None, *, on_page: OnPage | None = None
    ) -> Iterator[dict[str, Any]]:
        for page in self.iter_pages(resource, params, on_page=on_page):
            yield from page

    def count(self, resource: str, params: Mapping[str, Any] | None = None) -> int:
        """How many records match, from ``X-WP-Total`` of a one-record page."""
        query = {**dict(params or {}), "per_page": 1, "page": 1}
        answer = self._exchange("GET", resource, params=query)
        total = _int_header(answer.headers, "X-WP-Total")
        if total is None:
            raise BadResponse(
                self._clean(f"{self._shown_url} did not say how many {resource} there are (no X-WP-Total header).")
            )
        return total

    # --- batch --------------------------------------------------------------------
    def batch(
        self,
        resource: str,
        create: Iterable[Any] = (),
        update: Iterable[Any] = (),
        delete: Iterable[Any] = (),
        *,
        creates_are_idempotent: bool = False,
    ) -> batching.BatchResult:
        """``POST {resource}/batch`` in chunks of at most 100 items (see ``batch``).

        Items the store refuses come back in ``errors``; a refused *request*
        raises. A chunk without creates is retried like a PUT (repeating
        updates and deletes is harmless); one with creates is not, unless the
        caller says a repeated create is harmless (`creates_are_idempotent`:
        coupons with unique codes, where a repeat is refused as a duplicate
        and the caller links the existing one).
        """
        result = batching.BatchResult()
        for chunk in batching.chunks(list(create), list(update), list(delete), batching.BATCH_LIMIT):
            answer = self._exchange(
                "POST",
                f"{resource.rstrip('/')}/batch",
                json=chunk.body,
                idempotent=creates_are_idempotent or "create" not in chunk.body,
            )
            batching.add_answer(result, chunk, answer.body)
        return result

    def batches_in_flight(
        self,
        resource: str,
        requests_: Iterable[tuple[T, Mapping[str, list[Any]]]],
        *,
        creates_are_idempotent: bool = False,
    ) -> Iterator[tuple[T, batching.BatchResult]]:
        """Several ``batch`` calls in flight together: ``requests_`` yields
        ``(tag, {"create": [...], "update": [...]})``, each at most 100 items;
        answers come back as ``(tag, result)`` in the order given, in the
        caller's thread (so it may use its database session between them).

        At most ``concurrency`` are sent or waiting, and each request holds
        a slot of the client's one limit (``pace``) while it is on the wire,
        so reads running at the same time share the same bound. ``requests_``
        is read lazily, one ahead of what is in flight.
        """
        window = self.concurrency
        pending: deque[tuple[T, Future[batching.BatchResult]]] = deque()
        pool = ThreadPoolExecutor(max_workers=window, thread_name_prefix=f"woo-batch-{resource}")
        source = iter(requests_)
        try:
            while True:
                while len(pending) < window:
                    item = next(source, None)
                    if item is None:
                        break
                    tag, body = item
                    pending.append(
                        (
                            tag,
                            pool.submit(
                                self.batch,
                                resource,
                                create=body.get("create", ()),
                                update=body.get("update", ()),
                                delete=body.get("delete", ()),
                                creates_are_idempotent=creates_are_idempotent,
                            ),
                        )
                    )
                if not pending:
                    return
                tag, future = pending.popleft()
                yield tag, future.result()
        finally:
            for _tag, future in pending:
                future.cancel()
            pool.shutdown(wait=True, cancel_futures=True)

    # --- the exchange -------------------------------------------------------------
    def _exchange(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
    ) -> _Answer:
        """One logical request: send, retry what may be retried, parse, or raise."""
        endpoint = _endpoint(path)
        query = _query_params(params)
        what = f"{method} {endpoint or '(index)'}"
        if idempotent is None:
            idempotent = method in _IDEMPOTENT

        def attempt() -> _Answer:
            with self._lock:
                self._requests_made += 1
            try:
                with self.pace.slot(what):
                    response = self._transport.request(method, endpoint, query, json)
            except TRANSIENT_EXCEPTIONS as exc:
                reason = _network_reason(exc)
                if isinstance(exc, requests.exceptions.SSLError):  # not transient
                    raise self._unreachable(reason, attempts=1) from None
                if idempotent or _never_sent(exc):
                    raise Transient(reason) from None
                raise self._unreachable(
                    reason + "; the store may or may not have applied the change", attempts=1
                ) from None
            except requests.exceptions.RequestException as exc:  # bad URL, too many redirects...
                raise self._unreachable(_network_reason(exc), attempts=1) from None
            self._store_clock.note(getattr(response, "headers", None))
            return self._read(response, what, idempotent)

        try:
            return call_with_retries(attempt, policy=self.policy, sleep=self._sleep, what=what)
        except Transient as last:
            raise self._after_retries(last, what) from None

    def _read(self, response: ResponseLike, what: str, idempotent: bool) -> _Answer:
        status = int(response.status_code)
        headers = response.headers
        raw = _content(response)
        if status in NOT_PROCESSED_STATUSES:  # the store asks us to slow down: everything in flight does
            self.pace.pushed_back(parse_retry_after(_header(headers, "Retry-After")))
        if status in RETRY_STATUSES and (idempotent or status in NOT_PROCESSED_STATUSES):
            retry_after = parse_retry_after(_header(headers, "Retry-After")) if status in (429, 503) else None
            raise Transient(f"HTTP {status}", status=status, retry_after=retry_after, body=_lenient_json(raw))
        if 300 <= status < 400:
            location = redact(_header(headers, "Location") or "another address")
            raise NotWooCommerce(
                self._clean(
                    f"{self._shown_url} redirects the WooCommerce API to {location}; use the shop's final "
                    "address (e.g. https:// instead of http://) as the store URL."
                ),
                status=status,
            )
        if status >= 400:
            error = error_for_status(status=status, body=_lenient_json(raw), what=what, store=self._shown_url)
            if status >= 500 and not idempotent:
                error.args = (f"{error.args[0]} The change may or may not have been applied.",)
            raise self._scrubbed(error)
        if _looks_like_html(raw, headers):
            # WordPress with "Plain" permalinks, or not WordPress at all, answers the
            # /wp-json/... path with a web page (FACTS.md "Authentication": base path).
            raise NotWooCommerce(
                self._clean(
                    f"{self._shown_url} answered {what} with a web page instead of WooCommerce data. Check the "
                    "shop URL, and that WordPress permalinks are not set to 'Plain'."
                ),
                status=status,
            )
        if not raw.strip():
            return _Answer(status, headers, None)
        try:
            body = _parse_json(raw)
        except ValueError:
            if idempotent:
                raise Transient("garbled JSON", status=status, garbled=True) from None
            raise BadResponse(
                self._clean(
                    f"The store at {self._shown_url} answered {what} with broken data; the change may or may "
                    "not have been applied."
                ),
                status=status,
            ) from None
        return _Answer(status, headers, body)

    def _after_retries(self, last: Transient, what: str) -> StoreError:
        attempts = self.policy.max_attempts
        if last.garbled:
            return BadResponse(
                self._clean(
                    f"The store at {self._shown_url} kept answering {what} with broken data "
                    f"({attempts} attempts); a plugin printing PHP errors, or a proxy cutting answers short, "
                    "can cause this."
                ),
                status=last.status,
            )
        if last.status is None:
            return self._unreachable(last.reason, attempts=attempts)
        error = error_for_status(status=last.status, body=last.body, what=what, store=self._shown_url)
        if isinstance(error, StoreServerError) or last.status == 429:
            error.args = (f"{error.args[0]} ({attempts} attempts)",)
        return self._scrubbed(error)

    def _unreachable(self, reason: str, *, attempts: int) -> StoreUnreachable:
        tries = f" ({attempts} attempts)" if attempts > 1 else ""
        return StoreUnreachable(self._clean(f"Could not reach the store at {self._shown_url}: {reason}{tries}."))

    def _clean(self, text: str) -> str:
        """Never show the secret: our own keys are scrubbed literally (they need
        not look like ``cs_...``), then the shared patterns apply."""
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return redact(text)

    def _scrubbed(self, error: StoreError) -> StoreError:
        error.args = tuple(self._clean(str(a)) for a in error.args)
        if error.store_message:
            error.store_message = self._clean(error.store_message)
        return error


# --- helpers ------------------------------------------------------------------------


def _normalise_store_url(url: str) -> str:
    url = url.strip()
    if "://" not in url:
        url = "https://" + url
    parts = urlsplit(url)
    path = re.sub(r"/wp-json(/wc/v\d+)?/?$", "", parts.path.rstrip("/") + "/").rstrip("/")
    return urlunsplit((parts.scheme.lower(), parts.netloc, path, "", ""))


def _endpoint(path: str) -> str:
    endpoint = path.strip().lstrip("/")
    if "?" in endpoint:
        # The python client signs the endpoint string; a query in it breaks the
        # OAuth signature (FACTS.md "The woocommerce python client").
        raise ValueError("pass query parameters as params, not in the path")
    return endpoint


def _query_params(params: Mapping[str, Any] | None) -> dict[str, str]:
    """WooCommerce wants strings: booleans as true/false, lists comma-joined."""
    out: dict[str, str] = {}
    for key, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, (list, tuple, set, frozenset)):
            out[key] = ",".join(str(v) for v in value)
        elif isinstance(value, (datetime, date)):
            out[key] = value.isoformat()
        else:
            out[key] = str(value)
    return out


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    value = _header(headers, name)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _content(response: ResponseLike) -> bytes:
    content = getattr(response, "content", None)
    if content is None:
        content = (getattr(response, "text", "") or "").encode("utf-8")
    return content if isinstance(content, bytes) else str(content).encode("utf-8")


def _parse_json(raw: bytes) -> Any:
    """JSON, or JSON behind a PHP notice: a plugin with ``display_errors`` on
    prints ``<br /><b>Deprecated</b>: ...`` before the REST answer on every
    request, so retrying would never help. The JSON after it is accepted only
    if it runs to the very end of the body; a cut-off answer stays an error."""
    try:
        return jsonlib.loads(raw)
    except ValueError:
        text = raw.decode("utf-8", errors="replace")
        if not text.lstrip().startswith("<"):
            raise
    decoder = jsonlib.JSONDecoder()
    starts = [i for i, ch in enumerate(text) if ch in "[{"][:5]
    for start in starts:
        try:
            body, end = decoder.raw_decode(text, start)
        except ValueError:
            continue
        if not text[end:].strip():
            return body
    raise ValueError("no JSON body")


def _lenient_json(raw: bytes) -> Any:
    try:
        return jsonlib.loads(raw) if raw.strip() else None
    except ValueError:
        return None


def _looks_like_html(raw: bytes, headers: Mapping[str, str]) -> bool:
    content_type = (_header(headers, "Content-Type") or "").lower()
    head = raw.lstrip()[:15].lower()
    return "text/html" in content_type or head.startswith((b"<!doctype", b"<html"))


def _never_sent(exc: BaseException) -> bool:
    """True when the connection was never made, so the store saw nothing."""
    if isinstance(exc, (requests.exceptions.ConnectTimeout, ConnectionRefusedError)):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


def _network_reason(exc: BaseException) -> str:
    """A short, secret-free reason: requests' own messages quote the signed URL."""
    text = str(exc)
    if isinstance(exc, requests.exceptions.SSLError):
        return "its TLS certificate could not be verified"
    if isinstance(exc, (requests.exceptions.ConnectTimeout,)):
        return "the connection timed out"
    if isinstance(exc, (requests.exceptions.ReadTimeout, TimeoutError)):
        return "the store did not answer in time"
    if isinstance(exc, requests.exceptions.Timeout):
        return "the request timed out"
    if "Name or service not known" in text or "NameResolution" in text or "nodename nor servname" in text:
        return "the host name could not be resolved"
    if "refused" in text.lower() or isinstance(exc, ConnectionRefusedError):
        return "the connection was refused"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError) or "IncompleteRead" in text:
        return "the answer was cut off"
    if "RemoteDisconnected" in text or "reset" in text.lower() or "aborted" in text.lower():
        return "the connection was closed by the store"
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        return "the store URL is not valid"
    return "the connection failed"


def _version_tuple(version: str) -> tuple[int, ...]:
    numbers = re.findall(r"\d+", version.split("-")[0])
    return tuple(int(n) for n in numbers[:3]) or (0,)


__all__ = ["StoreClient", "StoreInfo"]
