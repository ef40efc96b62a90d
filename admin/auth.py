"""Log in and out of the panel.

Guessing passwords is slowed down twice: Flask-Limiter caps login POSTs per
client IP (`ADMIN_LOGIN_RATE_LIMIT`) and per submitted email
(`ADMIN_LOGIN_ACCOUNT_RATE_LIMIT`), and `security.authenticate` locks an
account for a growing time after repeated failures (stored on the user row,
so it holds across processes and restarts).
"""

from __future__ import annotations

import logging
from urllib.parse import urlparse

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user

from admin.security import LoginRefused, authenticate
from loyalty_sync.extensions import db

log = logging.getLogger(__name__)


def _submitted_email() -> str:
    return "login-email:" + (request.form.get("email") or "").strip().lower()


def make_auth_blueprint(limiter: Limiter) -> Blueprint:
    """One blueprint per app: the rate limits belong to that app's limiter."""
    bp = Blueprint("auth", __name__, url_prefix="/admin")

    def login():
        if request.method == "POST":
            email = request.form.get("email", "")
            try:
                user = authenticate(email, request.form.get("password", ""))
            except LoginRefused as refusal:
                log.info("failed admin login from %s", get_remote_address())
                flash(str(refusal), "error")
                return render_template("loyalty/login.html", email=email), 401
            login_user(user)
            log.info("admin login: user %s", user.id)
            return redirect(_safe_next(request.args.get("next")))
        if current_user.is_authenticated:
            return redirect(url_for("admin.index"))
        return render_template("loyalty/login.html", email="")

    def logout():
        """Ends every session of the account, not only this cookie: a copy
        of it (another tab, a stolen cookie) stops working too."""
        if current_user.is_authenticated:
            current_user.end_sessions()
            db.session.commit()
        logout_user()
        flash("You are logged out.", "info")
        return redirect(url_for("auth.login"))

    ip_limit = limiter.limit(
        lambda: current_app.config["ADMIN_LOGIN_RATE_LIMIT"],
        methods=["POST"],
        key_func=get_remote_address,
        error_message="Too many login attempts from your address; wait a minute.",
    )
    account_limit = limiter.limit(
        lambda: current_app.config["ADMIN_LOGIN_ACCOUNT_RATE_LIMIT"],
        methods=["POST"],
        key_func=_submitted_email,
        error_message="Too many login attempts for this account; wait a minute.",
    )
    bp.add_url_rule("/login/", "login", ip_limit(account_limit(login)), methods=["GET", "POST"])
    bp.add_url_rule("/logout/", "logout", logout, methods=["POST"])
    return bp


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no open redirect to another host)."""
    if target:
        parsed = urlparse(target)
        if not parsed.scheme and not parsed.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("admin.index")
