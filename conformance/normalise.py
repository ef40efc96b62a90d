"""Make two stores' answers comparable without hiding a real difference.

What is normalised, and why each is not a behaviour:

- ids the store allocates (objects, line items, meta rows): each target keeps
  an alias table, filled from the answers to the requests that created the
  objects (`Aliases.learn`), so `id: 23` on one store and `id: 57` on the
  other both read `order:o1`. An id no request created (line items, meta,
  tax lines) reads `<id>`; 0 stays 0 (0 vs an id is a real difference).
- timestamps the store stamps itself: a `YYYY-MM-DDTHH:MM:SS` value within
  two days of the run reads `<now>`. Dates derived from what we sent
  (`date_expires` 2027-..., or a 1970 date) are kept as they are.
- order keys (`wc_order_...`), the base URL (`<base>`), OAuth params in Link
  URLs, and the hrefs of `_links` (only its relation names are compared).
- what WooCommerce draws at random: a product's `related_ids` (shuffled by
  `wc_get_related_products` and kept for a day in the `wc_related_<id>`
  transient, so neither order nor members are reproducible: a list of ids
  reads `<related ids>`, anything else stays literal) and the 4-digit suffix
  `wc_create_new_customer_username` adds to a taken username
  (`zeroise( wp_rand( 0, 9999 ), 4 )`: `anna-0203` reads `anna-<rand>`).

Everything else is compared literally: types (`"22.41"` vs `22.41`), the
field set, value order in lists, error codes and messages.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, unquote, urlsplit

DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")
RANDOM_USERNAME_SUFFIX = re.compile(r"-\d{4}$")
ORDER_KEY = re.compile(r"wc_order_[A-Za-z0-9]+")

# which id space a field's value lives in (WordPress keeps separate counters)
POSTS = "post"
USERS = "user"
TERMS = "term"
COMMENTS = "comment"
HOOKS = "webhook"
FIELD_SPACE = {
    "product_id": POSTS,
    "variation_id": POSTS,
    "parent_id": POSTS,
    "order_id": POSTS,
    "new_draft_order_id": POSTS,
    "number": POSTS,
    "customer_id": USERS,
    "refunded_by": USERS,
    "reviewer_id": USERS,
}
LIST_SPACE = {
    "variations": POSTS,
    "related_ids": POSTS,
    "upsell_ids": POSTS,
    "cross_sell_ids": POSTS,
    "grouped_products": POSTS,
    "product_ids": POSTS,
    "excluded_product_ids": POSTS,
    "product_categories": TERMS,
    "excluded_product_categories": TERMS,
    "used_by": USERS,
}
# nested lists whose objects' `id` is in a known space (else an item id: `<id>`)
CHILD_SPACE = {"categories": TERMS, "refunds": POSTS, "tags": TERMS}


class Aliases:
    """One target's table: (space, id) -> stable name."""

    def __init__(self):
        self.by_id: dict[tuple[str, int], str] = {(USERS, 1): "user:admin"}

    def learn(self, space: str, ident, name: str):
        if isinstance(ident, int) and ident > 0:
            self.by_id.setdefault((space, ident), f"{space}:{name}")

    def name(self, space: str, ident) -> object:
        if isinstance(ident, bool) or not isinstance(ident, int):
            if isinstance(ident, str) and ident.isdigit():
                got = self.by_id.get((space, int(ident)))
                return got if got else "<id>"
            return ident
        if ident == 0:
            return 0
        return self.by_id.get((space, ident), "<id>")

    def any_space(self, ident: int) -> str | None:
        for space in (POSTS, USERS, TERMS, COMMENTS, HOOKS):
            got = self.by_id.get((space, ident))
            if got:
                return got
        return None

    def known(self, space: str, ident) -> bool:
        return isinstance(ident, int) and (space, ident) in self.by_id


class Normaliser:
    def __init__(self, base: str, aliases: Aliases, now: datetime):
        self.base = base.rstrip("/")
        self.aliases = aliases
        self.now = now

    # --- strings ---------------------------------------------------------------------
    def text(self, s: str) -> str:
        if DATE.match(s):
            try:
                t = datetime.fromisoformat(s)
            except ValueError:
                return s
            return "<now>" if abs(t - self.now) < timedelta(days=2) else s
        if self.base in s:
            s = s.replace(self.base, "<base>")
            s = re.sub(r"(?<=/)(\d+)(?=[/?#\"]|$)", lambda m: self.aliases.any_space(int(m.group(1))) or "<id>", s)
            s = re.sub(
                r"([?&](?:p|post|order_id|key)=)(\d+)",
                lambda m: m.group(1) + (self.aliases.any_space(int(m.group(2))) or "<id>"),
                s,
            )
        return ORDER_KEY.sub("wc_order_<key>", s)

    # --- JSON ---------------------------------------------------------------------------
    def body(self, value, space: str | None):
        return self._value(value, space, top=True)

    def _value(self, v, space, top=False, key=None):
        if isinstance(v, dict):
            return self._object(v, space, top)
        if isinstance(v, list):
            if key in LIST_SPACE:
                return [
                    self.aliases.name(LIST_SPACE[key], x) if isinstance(x, (int, str)) else self._value(x, None)
                    for x in v
                ]
            return [self._value(x, space if top else CHILD_SPACE.get(key), top=top) for x in v]
        if isinstance(v, str):
            return self.text(v)
        return v

    def _object(self, o: dict, space, top):
        out = {}
        meta_key = o.get("key") if isinstance(o.get("key"), str) else None
        for k, v in o.items():
            if k == "_links" and isinstance(v, dict):
                out[k] = sorted(v)
            elif k == "id":
                out[k] = self.aliases.name(space, v) if space else ("<id>" if v not in (0, None, "") else v)
            elif k in FIELD_SPACE and isinstance(v, (int, str)) and not isinstance(v, bool):
                out[k] = self.aliases.name(FIELD_SPACE[k], v) if (isinstance(v, int) or str(v).isdigit()) else v
            elif k == "parent" and space == TERMS:
                out[k] = self.aliases.name(TERMS, v)
            elif k in ("value", "display_value") and meta_key and isinstance(v, str):
                out[k] = self._meta_value(meta_key, v)
            elif k == "related_ids" and isinstance(v, list) and all(isinstance(x, int) for x in v):
                out[k] = "<related ids>"
            elif k == "username" and isinstance(v, str):
                out[k] = RANDOM_USERNAME_SUFFIX.sub("-<rand>", self.text(v))
            elif k in ("image", "images"):
                out[k] = self._value(v, None, key=k)
            else:
                out[k] = self._value(v, None, key=k)
        return out

    def _meta_value(self, key: str, v: str):
        if key == "coupon_info":  # [coupon id, code, type, amount]
            return re.sub(r"^\[(\d+),", lambda m: f'["{self.aliases.name(POSTS, int(m.group(1)))}",', v)
        if key.endswith("_id") and v.isdigit():
            return "<id>"
        return self.text(v)

    # --- headers ----------------------------------------------------------------------
    def headers(self, h: dict, space: str | None = None) -> dict:
        """`space`: the id space of what the request created, so a Location's
        last id (an order note: a comment) is named in it, not in the first
        space that happens to know that number."""
        low = {k.lower(): v for k, v in h.items()}
        out = {}
        for name in ("x-wp-total", "x-wp-totalpages", "allow", "location", "content-type", "link"):
            if name not in low:
                continue
            v = low[name]
            if name == "link":
                v = self.link(v)
            elif name == "location":
                m = re.search(r"/(\d+)$", v)
                named = self.aliases.by_id.get((space, int(m.group(1)))) if m and space else None
                v = self.text(v[: m.start(1)] + "{last}").replace("{last}", named) if named else self.text(v)
            out[name] = v
        return out

    def link(self, value: str) -> str:
        parts = []
        for m in re.finditer(r"<([^>]*)>;\s*rel=\"([^\"]*)\"", value):
            url, rel = m.groups()
            u = urlsplit(url)
            q = [(k, unquote(v)) for k, v in parse_qsl(u.query, keep_blank_values=True) if not k.startswith("oauth_")]
            seen, dedup = set(), []
            for pair in q:  # a client that sends its params twice gets them twice in the Link
                if pair not in seen:
                    seen.add(pair)
                    dedup.append(pair)
            query = "&".join(f"{k}={self.text(v)}" for k, v in dedup)
            parts.append(
                f'<{self.text(u.scheme + "://" + u.netloc + u.path)}{"?" + query if query else ""}>; rel="{rel}"'
            )
        return ", ".join(parts)


def diff(real, sim, path: str = "", out: list | None = None, limit: int = 12) -> list[str]:
    """Where two normalised values differ, as readable lines (at most `limit`)."""
    out = [] if out is None else out
    if len(out) >= limit:
        return out
    if isinstance(real, dict) and isinstance(sim, dict):
        missing = [k for k in real if k not in sim]
        extra = [k for k in sim if k not in real]
        if missing:
            out.append(f"{path or '.'}: fields missing in woosim: {', '.join(missing)}")
        if extra:
            out.append(f"{path or '.'}: fields only in woosim: {', '.join(extra)}")
        for k in real:
            if k in sim:
                diff(real[k], sim[k], f"{path}.{k}", out, limit)
        return out
    if isinstance(real, list) and isinstance(sim, list):
        if len(real) != len(sim):
            out.append(f"{path or '.'}: {len(real)} items on the real store, {len(sim)} in woosim")
        for i, (a, b) in enumerate(zip(real, sim, strict=False)):
            diff(a, b, f"{path}[{i}]", out, limit)
        return out
    if real != sim or type(real) is not type(sim):
        out.append(f"{path or '.'}: real {_short(real)} / woosim {_short(sim)}")
    return out


def _short(v) -> str:
    s = repr(v)
    return s if len(s) <= 120 else s[:117] + "..."
