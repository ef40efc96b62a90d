"""Sessions end for good (issue 17: a copied session cookie still worked after
logout and after a password change). Each session carries the user's session
version; logout, a new password or a new role bumps it."""

from __future__ import annotations

from loyalty_sync.extensions import db
from loyalty_sync.models import User
from tests.admin.conftest import login, token_for
from tests.admin.factories import ADMIN_PASSWORD


def _copy_of(client, app):
    """A second browser holding the same session cookie (a stolen or copied cookie)."""
    thief = app.test_client()
    for name in ("session", "remember_token"):
        cookie = client.get_cookie(name)
        if cookie is not None:
            thief.set_cookie(name, cookie.value)
    return thief


def _logged_in(client) -> bool:
    return client.get("/admin/").status_code == 200


def test_logout_ends_a_copied_cookie_too(app, admin_client):
    thief = _copy_of(admin_client, app)
    assert _logged_in(thief)
    admin_client.post("/admin/logout/", data={"csrf_token": token_for(admin_client)})
    assert not _logged_in(admin_client)
    assert not _logged_in(thief)
    fresh = app.test_client()
    assert login(fresh, "admin@example.com", ADMIN_PASSWORD).status_code == 302 and _logged_in(fresh)
    assert not _logged_in(thief)


def test_a_new_password_ends_every_session(app, admin_client, runner):
    thief = _copy_of(admin_client, app)
    result = runner.invoke(args=["users", "set-password", "admin@example.com"], input="a brand new password 99\n")
    assert result.exit_code == 0, result.output
    assert not _logged_in(admin_client) and not _logged_in(thief)
    assert login(app.test_client(), "admin@example.com", "a brand new password 99").status_code == 302


def test_a_new_role_ends_every_session(app, admin_client):
    thief = _copy_of(admin_client, app)
    user = db.session.execute(db.select(User).filter_by(email="admin@example.com")).scalar_one()
    user.role = "viewer"
    db.session.commit()
    assert not _logged_in(admin_client) and not _logged_in(thief)


def test_a_session_id_without_the_current_version_is_refused(app, admin_client, admin_user):
    with admin_client.session_transaction() as session:
        assert session["_user_id"] == admin_user.get_id()
    assert _logged_in(admin_client)
    for session_id in (
        str(admin_user.id),
        f"{admin_user.id}:{admin_user.session_version + 1}",
        "99999999999999999999999:0",
        f"{admin_user.id}:x",
    ):
        with admin_client.session_transaction() as session:
            session["_user_id"] = session_id
        assert not _logged_in(admin_client), session_id
