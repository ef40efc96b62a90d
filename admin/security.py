"""Who may see and change what in the panel, in one place.

- Passwords are argon2 hashes (loyalty_sync/actions/users.py); a login for an
  unknown email still spends one hash verification, so timing does not reveal
  accounts.
- Repeated failed logins lock the *account* for a growing time
  (`lockout_seconds`), on top of the per-IP rate limit on the login POST
  (Flask-Limiter, see `admin.auth`). The attempt counter is claimed
  atomically before any password is verified, and a locked account is
  refused with the same words as an unknown one.
- `SecureMixin` is the base of every view: anonymous people are sent to the
  login page, and any request that could change something (a POST, or an
  endpoint listed in `write_endpoints`) needs the `admin` role, else 403.
  A new view that inherits it cannot forget access control.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import abort, redirect, request, url_for
from flask_admin import AdminIndexView, BaseView
from flask_admin.contrib.sqla import ModelView
from flask_admin.model import typefmt
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto

from admin.store_picker import when_text
from loyalty_sync.actions.users import hash_password, needs_rehash, spend_one_verification, verify_password
from loyalty_sync.extensions import db
from loyalty_sync.models import User

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# After this many failed logins in a row an account is locked for a while.
FREE_ATTEMPTS = 5
MAX_LOCK_SECONDS = 15 * 60


def lockout_seconds(failed_logins: int) -> int:
    """How long an account stays locked after its last failure: nothing for
    the first few mistakes, then 30 s, 60 s, 120 s ... up to 15 minutes."""
    if failed_logins < FREE_ATTEMPTS:
        return 0
    return min(30 * 2 ** (failed_logins - FREE_ATTEMPTS), MAX_LOCK_SECONDS)


def locked_for(user: User, now: datetime | None = None) -> int:
    """Seconds the account is still locked (0: it may try now)."""
    now = now or datetime.now(timezone.utc)
    lock = lockout_seconds(user.failed_logins or 0)
    if not user.last_failed_at or not lock:  # (a parallel attempt's stamp may be later than our `now`)
        return 0
    until = user.last_failed_at + timedelta(seconds=lock)
    return max(0, int((until - now).total_seconds() + 0.999))


class LoginRefused(Exception):
    """Why a login did not succeed, in words safe to show (never which part was wrong)."""


# One answer for every refusal: an unknown email, a wrong password and a locked
# account look the same, so the login form does not tell which accounts exist.
REFUSED = "Wrong email or password. After repeated failures an account is locked for a few minutes."
# How often a login re-reads the counters when parallel attempts keep changing them.
_CLAIM_TRIES = 50


def authenticate(email: str, password: str, now: datetime | None = None) -> User:
    """The user for these credentials, or LoginRefused. Commits the counters.

    The attempt is counted *before* the password is verified, by a
    compare-and-set on the user row (`_claim_attempt`): of N parallel wrong
    passwords exactly the free attempts are verified and counted, the rest
    find the account locked (a read-then-write let 13 of 20 through and
    lost updates, issue 17). A correct password then resets the counter.
    """
    now = now or datetime.now(timezone.utc)
    email = (email or "").strip().lower()
    user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one_or_none()
    if user is None or not _claim_attempt(user, now):
        spend_one_verification(password)  # the same time spent for unknown, locked and known accounts
        raise LoginRefused(REFUSED)
    if not verify_password(user.password_hash, password):
        raise LoginRefused(REFUSED)  # already counted by the claim
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.last_failed_at = None
    user.last_login_at = now
    db.session.commit()
    return user


def _claim_attempt(user: User, now: datetime) -> bool:
    """Count one attempt unless the account is locked; True if this request may
    verify the password. An UPDATE ... WHERE the counters are still what we
    read: if a parallel attempt changed them first, read again and re-decide."""
    for _ in range(_CLAIM_TRIES):
        db.session.refresh(user)
        if locked_for(user, now):
            db.session.rollback()
            return False
        seen_count, seen_at = user.failed_logins, user.last_failed_at
        claimed = db.session.execute(
            db.update(User)
            .where(
                User.id == user.id,
                User.failed_logins.is_(None) if seen_count is None else User.failed_logins == seen_count,
                User.last_failed_at.is_(None) if seen_at is None else User.last_failed_at == seen_at,
            )
            .values(failed_logins=(seen_count or 0) + 1, last_failed_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
        if claimed == 1:
            db.session.refresh(user)
            return True
    return False


def _human(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} seconds"
    return f"{(seconds + 59) // 60} minutes"


# --- the one secure base ---------------------------------------------------------


def is_admin() -> bool:
    return bool(current_user.is_authenticated and getattr(current_user, "is_admin", False))


def actor() -> str:
    """Who to write in audit rows and ledger lines."""
    return current_user.email if current_user.is_authenticated else "anonymous"


class AdminForm(FlaskForm):
    """Flask-Admin's forms with Flask-WTF's CSRF token (the one CSRFProtect
    checks for every POST). Keeps the edited object like Flask-Admin's own
    BaseForm does, for its Unique validator."""

    def __init__(self, formdata=_Auto, obj=None, prefix="", **kwargs):
        self._obj = obj
        super().__init__(formdata=formdata, obj=obj, prefix=prefix, **kwargs)


class SecureMixin:
    """Login, roles and CSRF for every admin view (inherit it first).

    - anonymous: redirect to the login page (with `next`);
    - viewer: may read; any unsafe method or write endpoint: 403;
    - CSRF: CSRFProtect checks every POST of the app; Flask-Admin's own forms
      use FlaskForm so their token is the same one.
    """

    # Endpoints (method names of the view) that change things even on GET,
    # e.g. a form page that only makes sense to an admin.
    write_endpoints: tuple[str, ...] = ()

    def is_accessible(self) -> bool:
        return bool(current_user.is_authenticated)

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))
        abort(403)

    def _handle_view(self, name, **kwargs):
        if not self.is_accessible():
            return self.inaccessible_callback(name, **kwargs)
        if (request.method not in SAFE_METHODS or name in self.write_endpoints) and not is_admin():
            abort(403)
        return None

    @property
    def can_write(self) -> bool:
        return is_admin()


class SecureBaseView(SecureMixin, BaseView):
    """A custom page (BaseView + @expose) behind login and roles."""


class SecureIndexView(SecureMixin, AdminIndexView):
    pass


class SecureModelView(SecureMixin, ModelView):
    """A model list behind login and roles; create/edit/delete only for admins."""

    form_base_class = AdminForm
    write_endpoints = ("create_view", "edit_view", "delete_view", "action_view", "ajax_update")
    # every time in a list to the minute, in the shop's zone (not Python's "2026-12-08 12:42:17.123456")
    column_type_formatters = {**typefmt.BASE_FORMATTERS, datetime: lambda view, value, name: when_text(value)}
    page_size = 50
    can_set_page_size = True
    can_view_details = False

    @property
    def can_create(self):  # type: ignore[override]
        return self._allow_create and is_admin()

    @property
    def can_edit(self):  # type: ignore[override]
        return self._allow_edit and is_admin()

    @property
    def can_delete(self):  # type: ignore[override]
        return self._allow_delete and is_admin()

    _allow_create = False
    _allow_edit = False
    _allow_delete = False

    def is_action_allowed(self, name):
        return is_admin() and super().is_action_allowed(name)
