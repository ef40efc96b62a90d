"""Admin panel users: their passwords and their creation, for the panel's
login (admin/security.py), `flask --app wsgi users ...` and the demo.

Passwords are argon2 hashes (argon2-cffi). `spend_one_verification` costs
what a real check costs, so a login for an unknown or locked account takes
as long as one for a known account and timing does not reveal which exist.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from loyalty_sync.extensions import db
from loyalty_sync.models import ROLES, User

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not-a-real-password-only-for-timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


def spend_one_verification(password: str) -> None:
    verify_password(_DUMMY_HASH, password)


def create_user(email: str, password: str, role: str = "viewer") -> User:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    email = email.strip().lower()
    if "@" not in email:
        raise ValueError(f"{email!r} is not an email address")
    if not password:
        raise ValueError("the password cannot be empty")
    if db.session.execute(db.select(User).filter_by(email=email)).scalar_one_or_none():
        raise ValueError(f"a user {email} exists already")
    user = User(email=email, password_hash=hash_password(password), role=role, failed_logins=0)
    db.session.add(user)
    return user
