"""8. Widget weight: the bytes a shop's visitor downloads for the on-site
widget (storefront/static/widget.js and widget.css, served as they are: no
build step, no minifier), raw and gzip-compressed (level 6, what nginx and
most CDNs send). Target: at most 12 KiB gzip for both together, less than
one small product image; nothing else is loaded (no framework, no font, no
CDN), and the browser caches both for an hour (ASSET_MAX_AGE)."""

from __future__ import annotations

import gzip
from pathlib import Path

from bench.common import Table

STATIC = Path(__file__).resolve().parents[1] / "storefront" / "static"
FILES = ("widget.js", "widget.css")
TARGET_GZIP_BYTES = 12 * 1024


def sizes() -> list[tuple[str, int, int]]:
    """(file, raw bytes, gzip bytes) of each widget file."""
    out = []
    for name in FILES:
        raw = (STATIC / name).read_bytes()
        out.append((name, len(raw), len(gzip.compress(raw, compresslevel=6, mtime=0))))
    return out


def run(quick: bool = False) -> Table:
    table = Table("8. Widget weight: widget.js + widget.css as served", ["file", "bytes", "gzip bytes"])
    measured = sizes()
    for name, raw, packed in measured:
        table.add(name, f"{raw:,}", f"{packed:,}")
    total_raw = sum(raw for _n, raw, _p in measured)
    total_gzip = sum(packed for _n, _r, packed in measured)
    table.add("total", f"{total_raw:,}", f"{total_gzip:,}")
    table.target(
        f"widget.js + widget.css gzip <= {TARGET_GZIP_BYTES:,} bytes",
        total_gzip,
        TARGET_GZIP_BYTES,
        unit=" bytes",
        fmt="{:,.0f}",
    )
    table.note(
        "gzip is what a compressing reverse proxy sends (the deployment's nginx/Caddy); the app itself "
        "serves the files uncompressed (the bytes column)"
    )
    table.note(
        "the words of both languages (English, German) are in widget.js; the panel's data is one JSON "
        "request (POST /widget/v1/stores/<id>/member, or GET .../program for a guest) after the page loaded"
    )
    return table
