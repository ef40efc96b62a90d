"""Response headers every page of this app carries, in one place.

Framing: no page of the admin or the member area may be framed by another
site (clickjacking: a hidden frame over a "Redeem" or "Adjust balance"
button), so the policy says `frame-ancestors 'none'`, plus the older
`X-Frame-Options: DENY` for browsers that predate CSP 2. Plugins, objects and
a foreign `<base>` or form target are refused too.

Scripts: only files served by this app run (`script-src 'self'`), never
script written into a page, so a stored-XSS payload that slipped past the
templates' escaping would stay inert. Nothing needs `'unsafe-inline'` or
`'unsafe-eval'`: Chart.js is vendored, the charts read their numbers from
`<script type="application/json">` islands (data, never executed), and the
confirm dialogs, auto-submitting pickers and double-submit guards are wired by
data attributes (`data-confirm`, `data-autosubmit`, `data-submit-once`) in
`admin/static/panel.js`; the member page's copy button is
`storefront/static/member.js`. A page that asks for `csp_nonce()` gets
`'nonce-...'` added, made fresh for each request: Flask-Admin puts it on its
script tags (`Admin(csp_nonce_generator=csp_nonce)`) for its few inline
scripts (modal forms, maps), and a template of ours may write
`<script nonce="{{ csp_nonce() }}">` the same way.

Styles: stylesheets and `<style>` elements only from this app
(`style-src 'self'`), but style *attributes* stay allowed
(`style-src-attr 'unsafe-inline'`), knowingly: nearly thirty sit in fifteen of
our templates (chart box heights, progress bars whose width the server computes),
and Flask-Admin's own form.js builds markup with `style="..."` and select2
copies an element's style attribute onto its widget. A style attribute cannot
run script, has no selectors (so it cannot read form values out of the page)
and any `url()` in it may only reach this host (`img-src`/`default-src`).
(A browser without CSP 3's `style-src-attr`, e.g. Safari before 15.4, drops
the attributes instead: some boxes lose their height, nothing stops working.)

Images come from this app or `data:` URLs (Bootstrap's CSS draws its select
arrows and toggler icons as data: SVGs); `connect-src 'self'` covers the
progress polls of the backfill and campaign pages.

A route that needs another policy (the embeddable widget to come) sets
`response.headers["Content-Security-Policy"]` itself; `setdefault` leaves it.
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, request

DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "style-src-attr": "'unsafe-inline'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# Where the request's nonce is kept: the WSGI environ lives exactly as long as
# the request (`g` belongs to the app context, which a test or a command may
# keep open across many requests).
_NONCE_KEY = "loyalty_sync.csp_nonce"


def content_security_policy(nonce: str | None = None) -> str:
    directives = dict(DIRECTIVES)
    if nonce:
        directives["script-src"] += f" 'nonce-{nonce}'"
    return "; ".join(f"{name} {value}" for name, value in directives.items())


DEFAULT_POLICY = content_security_policy()

DEFAULT_HEADERS = {
    "Content-Security-Policy": DEFAULT_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def csp_nonce() -> str:
    """This request's script nonce, made on first use (128 bits from `secrets`);
    the response's policy then allows scripts carrying it."""
    nonce = request.environ.get(_NONCE_KEY)
    if nonce is None:
        nonce = request.environ[_NONCE_KEY] = secrets.token_urlsafe(16)
    return nonce


def init_app(app: Flask) -> None:
    app.jinja_env.globals.setdefault("csp_nonce", csp_nonce)

    @app.after_request
    def _add_security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", content_security_policy(request.environ.get(_NONCE_KEY)))
        for name, value in DEFAULT_HEADERS.items():
            response.headers.setdefault(name, value)
        return response
