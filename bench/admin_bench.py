"""7. Admin: the member list and a member page with 100k members, p95
latency through the Flask test client (logged in as an admin) vs p95 of the
raw SQL behind each page, on SQLite; and the storefront API's member lookup
(`GET /api/v1/members/{email}`, Bearer token) on the same 100k members."""

from __future__ import annotations

import time
from datetime import datetime, timezone

from bench.common import Table, fresh_database, make_app, percentile, say

MEMBERS = 100_000
ROUNDS = 40


def _urls(app) -> dict[str, str]:
    found = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/admin") and "member" in rule.endpoint and "GET" in rule.methods:
            if rule.rule.rstrip("/").endswith("/members"):
                found["list"] = rule.rule
            elif rule.rule.rstrip("/").endswith("<int:member_id>"):
                found["page"] = rule.rule
    return found


def _time(call, rounds: int = ROUNDS) -> list[float]:
    call()  # warm
    out = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        out.append(time.perf_counter() - started)
    return out


def run(quick: bool = False) -> Table:
    from sqlalchemy import insert, text

    table = Table(
        f"7. Admin: member list and member page with {MEMBERS:,} members (SQLite)",
        ["page", "URL", "HTTP status", "p50 ms", "p95 ms", "raw SQL p95 ms", "p95 / SQL p95"],
    )
    with fresh_database("sqlite") as (url, folder):
        app = make_app(
            url,
            folder,
            WTF_CSRF_ENABLED=False,
            SESSION_COOKIE_SECURE=False,
            REMEMBER_COOKIE_SECURE=False,
            RATELIMIT_ENABLED=False,
        )
        urls = _urls(app)
        if "list" not in urls or "page" not in urls:
            table.note(
                f"not available yet: no member list / member page route under /admin in app.url_map (found {urls})"
            )
            return table
        try:
            from loyalty_sync.actions.users import create_user
        except ImportError as exc:
            table.note(f"not available yet: loyalty_sync.actions.users.create_user: {exc}")
            return table
        from loyalty_sync.extensions import db
        from loyalty_sync.models import LedgerEntry, Member, Store
        from loyalty_sync.books.program_versions import ensure_program

        with app.app_context():
            say(f"admin: inserting {MEMBERS:,} members")
            store = Store(name="bench", url="https://shop.example", consumer_key="ck", consumer_secret="cs")  # noqa: S106 - a fake store
            db.session.add(store)
            db.session.flush()
            ensure_program(store)
            now = datetime.now(timezone.utc)
            rows = [
                {
                    "store_id": store.id,
                    "customer_id": i + 2,
                    "email": f"member{i}@example.com",
                    "first_name": "Member",
                    "last_name": str(i),
                    "points": (i * 37) % 5000,
                    "tier": ("Bronze", "Silver", "Gold")[i % 3],
                    "vip": i % 50 == 0,
                    "billing_address": "",
                    "meta": {},
                    "tiers_rewarded": [],
                    "pushed_status": {},
                    "status_changed": False,
                    "spend_12m": 0,
                    "orders_count": i % 20,
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(MEMBERS)
            ]
            for start in range(0, MEMBERS, 5000):
                db.session.execute(insert(Member.__table__), rows[start : start + 5000])
            sample = db.session.execute(db.select(Member).where(Member.email == "member4242@example.com")).scalar_one()
            db.session.execute(
                insert(LedgerEntry.__table__),
                [
                    {
                        "store_id": store.id,
                        "member_id": sample.id,
                        "key": f"bench:{i}",
                        "kind": "earn",
                        "points": 10,
                        "at": now,
                        "order_wc_id": 1000 + i,
                        "reason": "bench",
                        "rule_version": 1,
                        "actor": "system",
                        "recorded_at": now,
                    }
                    for i in range(200)
                ],
            )
            create_user("bench-admin@example.com", "a long bench password 123", "admin")
            from loyalty_sync.actions.api_tokens import create_token

            _token, bearer = create_token(store, "read", name="bench")
            db.session.commit()
            member_id = sample.id

            client = app.test_client()
            login = client.post(
                "/admin/login/", data={"email": "bench-admin@example.com", "password": "a long bench password 123"}
            )
            if login.status_code not in (200, 302, 303):
                table.note(f"not available: login answered {login.status_code}")
                return table
            list_url = urls["list"]
            page_url = urls["page"].replace("<int:member_id>", str(member_id))
            statuses = {}

            def get(path, headers=None):
                def call():
                    response = client.get(path, headers=headers)
                    statuses[path] = response.status_code

                return call

            list_sql = [
                text(
                    "SELECT id, email, first_name, last_name, points, tier, vip, orders_count FROM members "
                    "WHERE store_id = :s ORDER BY points DESC LIMIT 50"
                ),
                text("SELECT count(*) FROM members WHERE store_id = :s"),
            ]
            page_sql = [
                text("SELECT * FROM members WHERE id = :m"),
                text("SELECT * FROM ledger_entries WHERE member_id = :m ORDER BY at DESC, id DESC"),
                text("SELECT * FROM coupons WHERE member_id = :m"),
                text("SELECT * FROM orders WHERE member_id = :m ORDER BY created DESC LIMIT 50"),
            ]

            def sql(statements, params):
                def call():
                    conn = db.session.connection()  # a request may have committed and returned the last one
                    for statement in statements:
                        conn.execute(statement, params).fetchall()

                return call

            lookup_sql = [
                text("SELECT * FROM members WHERE store_id = :s AND email = :e"),
                text("SELECT * FROM coupons WHERE member_id = :m AND status IN ('pending', 'pushed')"),
                text("SELECT * FROM badges WHERE member_id = :m"),
            ]
            api_url = "/api/v1/members/member4242@example.com"
            api_headers = {"Authorization": f"Bearer {bearer}"}

            say("admin: timing the member list, a member page and the API member lookup")
            for name, path, statements, params, headers in (
                ("member list", list_url, list_sql, {"s": store.id}, None),
                ("member page", page_url, page_sql, {"m": member_id}, None),
                (
                    "API member lookup",
                    api_url,
                    lookup_sql,
                    {"s": store.id, "e": "member4242@example.com", "m": member_id},
                    api_headers,
                ),
            ):
                http = _time(get(path, headers))
                raw = _time(sql(statements, params))
                p95, raw95 = percentile(http, 95), percentile(raw, 95)
                table.add(
                    name, path, statuses.get(path), percentile(http, 50) * 1000, p95 * 1000, raw95 * 1000, p95 / raw95
                )
                ok = statuses.get(path) == 200
                if not ok:
                    table.note(
                        f"{name}: {path} answered {statuses.get(path)} (an error page), so its timing "
                        "says nothing; not measured"
                    )
                table.target(
                    f"{name}: p95 <= 20x its raw SQL p95 (bench's own bar)", p95 / raw95 if ok else None, 20, unit="x"
                )
                table.target(f"{name}: p95 < 500 ms", p95 * 1000 if ok else None, 500, unit=" ms", fmt="{:.0f}")
            db.session.remove()
            db.engine.dispose()
    table.note(
        "raw SQL = the queries a page needs at minimum (list: top 50 by points + count; page: member, "
        "ledger, coupons, orders; API lookup: member by email, open coupons, badges), run on the same "
        "connection; no target was given for this ratio, "
        "20x is the bench's own bar for 'the page adds little over its data'."
    )
    return table
