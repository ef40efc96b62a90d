"""API tokens on the panel (admin/views/api_tokens.py) and the member page's
"copy member page link": a token made here works against /api/v1 and is
shown once; revoking makes the API answer 401; viewers read but never create,
revoke or copy; CSRF on every POST; no page shows a token or a secret."""

from __future__ import annotations

import re
from datetime import timedelta

from loyalty_sync.actions.nps import period_start
from loyalty_sync.books.member_links import read_token
from loyalty_sync.extensions import db
from loyalty_sync.models import ApiToken, AuditEntry, NpsAnswer
from tests.admin.conftest import login, token_for
from tests.admin.factories import ADMIN_PASSWORD, make_user, populate
from tests.admin.test_access import admin_urls
from tests.support.members import NOW
from tests.support.stores import CONSUMER_SECRET

TOKEN_RE = re.compile(r"lsk_[A-Za-z0-9_\-]{20,}")


def _create(client, store, scope="read", name="theme"):
    tokens_page = f"/admin/api-tokens/?store={store.id}"
    return client.post(
        f"/admin/api-tokens/{store.id}/create",
        data={"csrf_token": token_for(client, tokens_page), "scope": scope, "name": name},
    )


def test_a_token_made_in_the_panel_works_is_shown_once_and_revoke_ends_it(app, admin_client):
    data = populate()
    store = data["store"]
    page = admin_client.get(f"/admin/api-tokens/?store={store.id}").get_data(as_text=True)
    assert "/api/v1/docs" in page and "No token yet" in page
    assert "API tokens" in admin_client.get("/admin/stores/").get_data(as_text=True)

    response = _create(admin_client, store)
    assert response.status_code == 201 and "no-store" in response.headers["Cache-Control"]
    shown = TOKEN_RE.findall(response.get_data(as_text=True))
    assert len(set(shown)) == 1
    text = shown[0]
    row = db.session.execute(db.select(ApiToken)).scalar_one()
    assert row.scope == "read" and row.name == "theme" and row.created_by == "admin@example.com"
    assert text not in f"{row.token_hash} {row.prefix}" and text.startswith(row.prefix)

    api = app.test_client()
    headers = {"Authorization": f"Bearer {text}"}
    assert api.get("/api/v1/rewards", headers=headers).status_code == 200
    assert api.get("/api/v1/members/anna@example.com", headers=headers).status_code == 200

    later = admin_client.get(f"/admin/api-tokens/?store={store.id}").get_data(as_text=True)
    assert text not in later and not TOKEN_RE.search(later)
    assert f"{row.prefix}…" in later and "never" not in later  # last used is shown
    audit = db.session.execute(db.select(AuditEntry).filter_by(action="api_token.create")).scalar_one()
    assert text not in str(audit.after)

    revoked = admin_client.post(
        f"/admin/api-tokens/{store.id}/revoke",
        data={"csrf_token": token_for(admin_client, f"/admin/api-tokens/?store={store.id}"), "token_id": str(row.id)},
        follow_redirects=True,
    )
    assert revoked.status_code == 200 and "revoked" in revoked.get_data(as_text=True)
    assert api.get("/api/v1/rewards", headers=headers).status_code == 401
    assert db.session.execute(db.select(AuditEntry).filter_by(action="api_token.revoke")).scalar_one()


def test_a_redeem_token_and_a_wrong_scope(admin_client):
    data = populate()
    assert _create(admin_client, data["store"], scope="redeem").status_code == 201
    assert db.session.execute(db.select(ApiToken)).scalar_one().scope == "redeem"
    bad = _create(admin_client, data["store"], scope="admin")
    assert bad.status_code == 302
    assert db.session.execute(db.select(db.func.count()).select_from(ApiToken)).scalar_one() == 1


def test_viewer_sees_the_list_but_cannot_create_revoke_or_copy_links(app, admin_client, viewer_client):
    data = populate()
    store = data["store"]
    text = TOKEN_RE.search(_create(admin_client, store).get_data(as_text=True)).group(0)
    row = db.session.execute(db.select(ApiToken)).scalar_one()
    page = viewer_client.get(f"/admin/api-tokens/?store={store.id}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and f"{row.prefix}…" in body and "read" in body and "active" in body
    assert text not in body and "Create token" not in body and "Revoke" not in body
    token = token_for(viewer_client, f"/admin/api-tokens/?store={store.id}")
    assert (
        viewer_client.post(
            f"/admin/api-tokens/{store.id}/create", data={"csrf_token": token, "scope": "redeem"}
        ).status_code
        == 403
    )
    assert (
        viewer_client.post(
            f"/admin/api-tokens/{store.id}/revoke", data={"csrf_token": token, "token_id": str(row.id)}
        ).status_code
        == 403
    )
    assert viewer_client.post(f"/admin/members/{data['anna'].id}/link", data={"csrf_token": token}).status_code == 403
    member_page = viewer_client.get(f"/admin/members/{data['anna'].id}/").get_data(as_text=True)
    assert "member-link-form" not in member_page
    db.session.expire_all()
    assert db.session.execute(db.select(db.func.count()).select_from(ApiToken)).scalar_one() == 1
    assert db.session.get(ApiToken, row.id).revoked_at is None
    assert not db.session.execute(db.select(AuditEntry).filter_by(action="member.copy_link")).first()


def test_the_posts_need_the_csrf_token(admin_client):
    data = populate()
    store = data["store"]
    assert admin_client.post(f"/admin/api-tokens/{store.id}/create", data={"scope": "read"}).status_code == 400
    assert db.session.execute(db.select(db.func.count()).select_from(ApiToken)).scalar_one() == 0
    _create(admin_client, store)
    row = db.session.execute(db.select(ApiToken)).scalar_one()
    assert admin_client.post(f"/admin/api-tokens/{store.id}/revoke", data={"token_id": str(row.id)}).status_code == 400
    assert admin_client.post(f"/admin/members/{data['anna'].id}/link", data={}).status_code == 400
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).revoked_at is None
    assert not db.session.execute(db.select(AuditEntry).filter_by(action="member.copy_link")).first()


def test_copy_member_page_link_shows_working_signed_links_and_is_audited(app, admin_client):
    app.config["PUBLIC_BASE_URL"] = "https://loyalty.shop.example"
    data = populate()
    anna = data["anna"]
    page = admin_client.get(f"/admin/members/{anna.id}/").get_data(as_text=True)
    assert "member-link-form" in page
    response = admin_client.post(
        f"/admin/members/{anna.id}/link", data={"csrf_token": token_for(admin_client, f"/admin/members/{anna.id}/")}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    page_link = re.search(r'value="https://loyalty\.shop\.example/m/([^"]+)"', body).group(1)
    survey_link = re.search(r'value="https://loyalty\.shop\.example/s/([^"]+)"', body).group(1)
    assert read_token(page_link, "page").member_id == anna.id
    assert read_token(survey_link, "survey").member_id == anna.id
    assert 'data-copy="#link-page"' in body and "copy.js" in body
    visitor = app.test_client()
    assert visitor.get(f"/m/{page_link}").status_code == 200
    assert visitor.get(f"/s/{survey_link}").status_code == 200
    audit = db.session.execute(db.select(AuditEntry).filter_by(action="member.copy_link")).scalar_one()
    assert audit.actor == "admin@example.com" and audit.target == f"member:{anna.id}"
    assert page_link not in f"{audit.before} {audit.after} {audit.reason}"


def test_no_admin_page_shows_a_token_or_a_secret_with_tokens_and_nps_comments(app):
    make_user("admin@example.com", ADMIN_PASSWORD, "admin")
    data = populate()
    store = data["store"]
    for member, score, comment in ((data["anna"], 10, "Great coffee"), (data["ben"], 4, "Slow shipping")):
        db.session.add(
            NpsAnswer(
                store_id=store.id,
                member_id=member.id,
                period_start=period_start(NOW),
                score=score,
                comment=comment,
                source="page",
                answered_at=NOW - timedelta(days=1),
            )
        )
    db.session.commit()
    client = app.test_client()
    assert login(client, "admin@example.com", ADMIN_PASSWORD).status_code == 302
    texts = [
        TOKEN_RE.search(_create(client, store, scope=s).get_data(as_text=True)).group(0) for s in ("read", "redeem")
    ]
    urls = admin_urls(app, data)
    assert {
        "nps.index",
        "nps.csv",
        "api_tokens.index",
        "api_tokens.create",
        "api_tokens.revoke",
        "members.member_link",
    } <= {endpoint for endpoint, _, _ in urls}
    seen_comments = False
    for endpoint, method, url in urls:
        if method != "GET":
            continue
        if endpoint.endswith((".edit_view", ".details_view")):
            url += f"?id={store.id}" if endpoint.startswith("stores") else "?id=1"
        if endpoint.startswith(("nps.", "api_tokens.")):
            url += f"?store={store.id}"
        body = client.get(url, follow_redirects=True).get_data(as_text=True)
        seen_comments = seen_comments or "Slow shipping" in body
        for secret in (*texts, CONSUMER_SECRET, ADMIN_PASSWORD):
            assert secret not in body, f"a secret appears in {url}"
        assert not TOKEN_RE.search(body), url
    assert seen_comments
    for entry in db.session.execute(db.select(AuditEntry)).scalars():
        for secret in texts:
            assert secret not in f"{entry.before} {entry.after} {entry.reason}"
