"""Admin panel users. Passwords are argon2 hashes; roles are admin or viewer.

Sessions are signed cookies, so the server cannot delete one; instead each
carries the user's `session_version` (`get_id` is "<id>:<version>") and
`end_sessions` bumps it: every session made before stops working at once,
a copied cookie included (admin/__init__.py's user loader checks it)."""

from datetime import datetime

from sqlalchemy import Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.attributes import NEVER_SET, NO_VALUE

from loyalty_sync.extensions import db
from loyalty_sync.models.types import UTCDateTime, utcnow

ROLES = ("admin", "viewer")


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20), default="viewer")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    session_version: Mapped[int] = mapped_column(Integer, default=0)

    # Flask-Login protocol
    is_active = True
    is_anonymous = False

    @property
    def is_authenticated(self) -> bool:
        return True

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version or 0}"

    def end_sessions(self) -> None:
        """Log out every session of this user (logout, new password, new role)."""
        self.session_version = (self.session_version or 0) + 1

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@event.listens_for(User.password_hash, "set", active_history=True)
@event.listens_for(User.role, "set", active_history=True)
def _credentials_changed(user: User, value, old, _initiator) -> None:
    """A new password or role ends the user's sessions, whichever code sets it
    (not the first value of a new user)."""
    if old not in (NO_VALUE, NEVER_SET, None) and value != old:
        user.end_sessions()
