"""Collection parameters and pagination exactly as WordPress REST does them.

`per_page` 1..100 (default 10), `page` (1-based) or `offset` (wins over
page), `X-WP-Total` / `X-WP-TotalPages`, and a `Link` header with only
rel="prev"/"next" whose URLs repeat the request's query string with `page`
changed (captures 024, 043, 049, 083). A page past the end answers `[]` with
a prev link to the last page.
"""

from __future__ import annotations

from urllib.parse import quote

from .errors import enum_message, invalid_param
from .timeutil import InvalidDate, StoreTZ, parse_rest_date


def _int_param(args, name: str, default: int, lo: int | None = None, hi: int | None = None) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    try:
        v = int(str(raw).strip())
    except ValueError:
        raise invalid_param(name, f"{name} is not of type integer.", "rest_invalid_type")
    if lo is not None and hi is not None and not (lo <= v <= hi):
        raise invalid_param(name, f"{name} must be between {lo} (inclusive) and {hi} (inclusive)", "rest_out_of_bounds")
    if lo is not None and hi is None and v < lo:
        raise invalid_param(name, f"{name} must be greater than or equal to {lo}", "rest_out_of_bounds")
    return v


class Page:
    """Validated paging parameters."""

    def __init__(self, args):
        self.per_page = _int_param(args, "per_page", 10, 1, 100)
        self.page = _int_param(args, "page", 1, 1)
        self.offset = _int_param(args, "offset", -1) if args.get("offset") not in (None, "") else None
        if self.offset is not None and self.offset < 0:
            self.offset = 0

    @property
    def start(self) -> int:
        return self.offset if self.offset is not None else (self.page - 1) * self.per_page


def parse_bool(args, name: str) -> bool | None:
    raw = args.get(name)
    if raw is None:
        return None
    v = str(raw).strip().lower()
    if v in ("1", "true", "yes", "on"):
        return True
    if v in ("0", "false", "no", "off", ""):
        return False
    raise invalid_param(name, f"{name} is not of type boolean.", "rest_invalid_type")


def parse_enum(args, name: str, allowed: list[str], default: str) -> str:
    v = args.get(name)
    if v is None or v == "":
        return default
    if v not in allowed:
        raise invalid_param(name, enum_message(name, allowed), "rest_not_in_enum")
    return v


def parse_date_param(args, name: str, tz: StoreTZ, gmt: bool) -> int | None:
    raw = args.get(name)
    if raw is None or raw == "":
        return None
    try:
        return parse_rest_date(str(raw), tz, gmt)
    except InvalidDate:
        raise invalid_param(name, "Invalid date.", "rest_invalid_date")


def parse_id_list(args, name: str) -> list[int]:
    vals = args.getlist(name) if hasattr(args, "getlist") else [args.get(name)]
    out: list[int] = []
    seen_raw = set()
    for raw in vals:
        if raw is None or raw in seen_raw:
            continue
        seen_raw.add(raw)
        for part in str(raw).replace("[", "").replace("]", "").split(","):
            part = part.strip()
            if part:
                try:
                    out.append(int(part))
                except ValueError:
                    raise invalid_param(name, f"{name}[0] is not of type integer.", "rest_invalid_type")
    return out


def dedup_query_pairs(query_string: str) -> list[tuple[str, str]]:
    """The query string's raw pairs, dropping exact duplicates (the python
    client sends its params twice over http; PHP keeps one)."""
    pairs, seen = [], set()
    for part in query_string.split("&"):
        if not part:
            continue
        k, _, v = part.partition("=")
        if (k, v) in seen:
            continue
        seen.add((k, v))
        pairs.append((k, v))
    return pairs


def php_array_params(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """PHP-style array parameters as WordPress REST reads them: `include[0]=3&
    include[1]=4` or `status[]=a&status[]=b` is the list [3, 4] / [a, b],
    which the list parameters (include, exclude, status, ...) read the same
    as a comma list, so they are passed on as `include=3,4`. Plain pairs
    pass unchanged; the array takes the place of its first element."""
    out: list[tuple[str, str]] = []
    arrays: dict[str, int] = {}
    for k, v in pairs:
        bracket = k.find("[")
        if bracket > 0 and k.endswith("]"):
            base = k[:bracket]
            if base in arrays:
                i = arrays[base]
                out[i] = (base, f"{out[i][1]},{v}")
            else:
                arrays[base] = len(out)
                out.append((base, v))
        else:
            out.append((k, v))
    return out


def pagination_headers(total: int, page: Page, base_url: str, query_string: str, extra_link_params: str = "") -> dict:
    """X-WP-Total, X-WP-TotalPages and the prev/next Link header (if any)."""
    pages = (total + page.per_page - 1) // page.per_page if total else 0
    headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
    current = page.page if page.offset is None else page.offset // page.per_page + 1

    base_pairs = dedup_query_pairs(query_string)
    if extra_link_params:
        base_pairs += dedup_query_pairs(extra_link_params)

    def url(p: int) -> str:
        out, placed = [], False
        for k, v in base_pairs:
            if k == "page":
                if not placed:
                    out.append(f"page={p}")
                    placed = True
            else:
                out.append(f"{k}={v}")
        if not placed:
            out.append(f"page={p}")  # add_query_arg appends a missing page
        return f"{base_url}?{'&'.join(out)}"

    links = []
    if current > 1 and pages > 0:
        prev = min(current - 1, pages)
        links.append(f'<{url(prev)}>; rel="prev"')
    if current < pages:
        links.append(f'<{url(current + 1)}>; rel="next"')
    if links:
        headers["Link"] = ", ".join(links)
    return headers


def quote_value(v: str) -> str:
    return quote(v, safe="")
