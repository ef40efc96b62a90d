"""Response headers every page of this app carries, in one place.

No page of the admin or the member area may be framed by another site
(clickjacking: a hidden frame over a "Redeem" or "Adjust balance" button), so
the default is `frame-ancestors 'none'` plus the older `X-Frame-Options: DENY`
for browsers that predate CSP 2. Plugins, objects and a foreign `<base>` or
form target are refused too.

The policy does not yet restrict scripts and styles (`script-src`): the admin's
templates and Flask-Admin's own still use inline handlers, which would break.
A route that must be embeddable (the on-site widget to come) sets
`response.headers["Content-Security-Policy"]` itself; `setdefault` leaves it.
"""
from flask import Flask, Response

DEFAULT_POLICY = "frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'"

DEFAULT_HEADERS = {
    "Content-Security-Policy": DEFAULT_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    @app.after_request
    def _add_security_headers(response: Response) -> Response:
        for name, value in DEFAULT_HEADERS.items():
            response.headers.setdefault(name, value)
        return response
