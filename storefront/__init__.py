"""The member-facing side: the storefront REST API (/api/v1), the personal
member page (/m/<token>) and the NPS survey link (/s/<token>).

`init_app(app)` is called by the app factory (`_register_optional_parts`).
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from storefront.i18n import init_babel

    init_babel(app)
