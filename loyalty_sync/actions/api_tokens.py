"""Per-store API tokens for the storefront REST API.

`create_token` returns the token text once; only its SHA-256 is kept.
`authenticate` finds an active token by the text a request presented (one
indexed lookup, compared in constant time) and notes when it was last used,
at most once a minute so that busy storefronts do not write on every request.
A `redeem` token can do everything a `read` token can.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta, timezone

from loyalty_sync.extensions import db
from loyalty_sync.models import API_SCOPES, ApiToken, Store, record_audit

TOKEN_PREFIX = "lsk_"  # noqa: S105 - a marker, not a secret
LAST_USED_RESOLUTION = timedelta(minutes=1)
SCOPE_RANK = {"read": 0, "redeem": 1}


class TokenError(ValueError):
    """A token cannot be created or revoked as asked."""


def hash_token(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def create_token(store: Store, scope: str, *, name: str = "", actor: str = "cli") -> tuple[ApiToken, str]:
    """A new token for `store`; returns the row and the token text (shown once).
    The caller commits."""
    if scope not in API_SCOPES:
        raise TokenError(f"scope must be one of {', '.join(API_SCOPES)}")
    text = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        store_id=store.id,
        name=(name or "")[:120],
        scope=scope,
        token_hash=hash_token(text),
        prefix=text[:12],
        created_by=actor,
    )
    db.session.add(token)
    db.session.flush()
    record_audit(
        actor,
        "api_token.create",
        f"api_token:{token.id}",
        store_id=store.id,
        after={"scope": scope, "name": token.name, "prefix": token.prefix},
    )
    return token, text


def list_tokens(store: Store) -> list[ApiToken]:
    return list(
        db.session.execute(db.select(ApiToken).where(ApiToken.store_id == store.id).order_by(ApiToken.id)).scalars()
    )


def find_token(store: Store, ref: str) -> ApiToken | None:
    """A token of the store by its id or its shown prefix."""
    query = db.select(ApiToken).where(ApiToken.store_id == store.id)
    query = query.where(ApiToken.id == int(ref)) if ref.isdigit() else query.where(ApiToken.prefix == ref)
    return db.session.execute(query).scalars().first()


def revoke_token(token: ApiToken, *, actor: str = "cli", now: datetime | None = None) -> bool:
    """Revoke (idempotent: False when it was revoked already). The caller commits."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = now or datetime.now(timezone.utc)
    record_audit(
        actor,
        "api_token.revoke",
        f"api_token:{token.id}",
        store_id=token.store_id,
        before={"scope": token.scope, "prefix": token.prefix},
        after={"revoked": True},
    )
    return True


def authenticate(text: str, *, now: datetime | None = None) -> ApiToken | None:
    """The active token `text` is, or None. Notes the use (committed at once,
    in its own small transaction, so the caller starts with a clean session)."""
    if not text or not text.startswith(TOKEN_PREFIX) or len(text) > 200:
        return None
    digest = hash_token(text)
    token = db.session.execute(db.select(ApiToken).where(ApiToken.token_hash == digest)).scalar_one_or_none()
    if token is None or not hmac.compare_digest(token.token_hash, digest) or token.revoked_at is not None:
        return None
    now = now or datetime.now(timezone.utc)
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        db.session.execute(
            db.update(ApiToken)
            .where(ApiToken.id == token.id)
            .where((ApiToken.last_used_at.is_(None)) | (ApiToken.last_used_at < now - LAST_USED_RESOLUTION))
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        token = db.session.get(ApiToken, token.id)
    return token


def allows(token: ApiToken, scope: str) -> bool:
    return SCOPE_RANK.get(token.scope, -1) >= SCOPE_RANK[scope]
