"""The pages of the program's extra mechanics: KPIs (and the dashboard's
headline KPIs), segments and campaigns, points expiring soon, the member
page's referrals / reviews / birthday / VIP perks, and the rules editor's
extras section."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest

from admin.periods import period_from_args, preset_period
from loyalty_sync.analysis import kpi
from loyalty_sync.analysis.expiring import FIELDS, expiring_points
from loyalty_sync.analysis.segments import SEGMENTS, store_segments
from loyalty_sync.books.apply import apply_orders, reevaluate
from loyalty_sync.books.program_versions import program_in_force
from loyalty_sync.books.referrals import referral_coupon_for
from loyalty_sync.extensions import db
from loyalty_sync.models import AuditEntry, Campaign, Coupon, Member, Review, Store
from tests.admin.conftest import token_for
from tests.admin.factories import make_catalogue, populate
from tests.support import wc
from tests.support.members import BEANS, NOW, make_member
from tests.support.store_proxy import StoreProxy
from tests.support.stores import make_store, quick_retries

TODAY = datetime.now(timezone.utc).date()


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone.utc)


def shop(store: Store | None = None) -> dict:
    """populate() plus customers of different ages: a regular (5 orders), one
    who lapsed long ago, and a non-member (processing orders earn nothing, so
    no ledger line: a customer who is not in the program)."""
    data = populate(store)
    store = data["store"]
    data["carla"] = make_member(
        store,
        "carla@example.com",
        ["30.00", "45.00", "60.00", "25.00", "80.00"],
        first_name="Carla",
        last_name="Rossi",
        days_ago=2,
    )
    data["dora"] = make_member(store, "dora@example.com", ["90.00"], first_name="Dora", last_name="Weiss", days_ago=200)
    data["old"] = make_member(
        store, "olaf@example.com", ["55.00", "65.00"], first_name="Olaf", last_name="Berg", days_ago=500
    )
    nina = {"customer_id": 7001, "email": "nina@example.com", "status": "processing", "last_name": "Schmidt"}
    apply_orders(
        store,
        [
            wc.order(9001, lines=[wc.line(90011, "70.00", **BEANS)], created=NOW - timedelta(days=5), **nina),
            wc.order(9002, lines=[wc.line(90021, "30.00", **BEANS)], created=NOW - timedelta(days=100), **nina),
        ],
        now=NOW,
    )
    db.session.commit()
    return data


def page_kpis(page: str) -> dict[str, str]:
    return {k: html.unescape(v) for k, v in re.findall(r'data-kpi="([a-z_]+)" data-value="([^"]*)"', page)}


def assert_page_matches(page: str, expected: dict, *, at_least: int) -> None:
    shown = page_kpis(page)
    assert len(shown) >= at_least, shown
    for key, value in shown.items():
        want = expected[key]
        assert value == ("" if want is None else str(want)), (key, value, want)


# --- KPIs -----------------------------------------------------------------------------------


def test_presets_and_typed_periods():
    today = date(2026, 5, 17)
    p = preset_period("30d", today)
    assert (p.first_day, p.last_day, p.days) == (date(2026, 4, 18), date(2026, 5, 17), 30)
    p = preset_period("quarter", today)
    assert (p.first_day, p.last_day) == (date(2026, 4, 1), date(2026, 5, 17))
    p = preset_period("12m", today)
    assert (p.first_day, p.last_day) == (date(2025, 5, 18), date(2026, 5, 17))
    assert preset_period("12m", date(2028, 2, 28)).first_day == date(2027, 2, 28)  # 29 Feb 2027 does not exist
    typed = period_from_args({"start": "2026-01-01", "end": "2026-03-31"}, today)
    assert (typed.start, typed.end, typed.preset) == (_midnight(date(2026, 1, 1)), _midnight(date(2026, 4, 1)), "")
    assert period_from_args({"start": "2026-03-01", "end": "2026-01-01"}, today).error
    assert period_from_args({"start": "soon", "end": "2026-01-01"}, today).error
    assert period_from_args({}, today).preset == "12m"


def test_kpi_page_shows_every_kpi_as_store_kpis_computes_it(admin_client):
    data = shop()
    store = data["store"]
    first, last = TODAY - timedelta(days=400), TODAY
    page = admin_client.get(f"/admin/kpis/?store={store.id}&start={first}&end={last}").get_data(as_text=True)
    expected = kpi.store_kpis(store, _midnight(first), _midnight(last + timedelta(days=1)))
    assert expected["orders"] >= 8 and expected["non_members_aov"] is not None and expected["members_aov"] is not None
    assert_page_matches(page, expected, at_least=32)
    # a few as the shop owner reads them
    assert f'data-kpi="s">{expected["s"]}<' in page and f'data-kpi="n">{expected["n"]}<' in page
    assert "(E − N) / S" in page and "Members vs non-members" in page
    assert re.search(
        r'data-kpi="crr"[^>]*>\s*' + re.escape(f"{expected['crr'] * 100:.1f}%")
        if expected["crr"] is not None
        else r'data-kpi="crr"',
        page,
    )
    assert 'id="chart-monthly"' in page and "kpis.js" in page

    # a preset gives the same numbers as store_kpis for that period
    page = admin_client.get(f"/admin/kpis/?store={store.id}&preset=30d").get_data(as_text=True)
    p = preset_period("30d", TODAY)
    assert_page_matches(page, kpi.store_kpis(store, p.start, p.end), at_least=32)


def test_kpi_monthly_chart_splits_first_and_repeat_orders(app):
    from admin.kpi_text import monthly_orders

    rows = [
        kpi.OrderRow("a", datetime(2026, 1, 5, tzinfo=timezone.utc), "completed", Decimal(10), order_id=1),
        kpi.OrderRow("a", datetime(2026, 2, 5, tzinfo=timezone.utc), "completed", Decimal(10), order_id=2),
        kpi.OrderRow("b", datetime(2026, 2, 6, tzinfo=timezone.utc), "processing", Decimal(10), order_id=3),
        kpi.OrderRow("b", datetime(2026, 2, 7, tzinfo=timezone.utc), "cancelled", Decimal(10), order_id=4),
        kpi.OrderRow("c", datetime(2025, 12, 7, tzinfo=timezone.utc), "completed", Decimal(10), order_id=5),
        kpi.OrderRow("c", datetime(2026, 3, 7, tzinfo=timezone.utc), "completed", Decimal(10), order_id=6),
    ]
    got = monthly_orders(rows, datetime(2026, 1, 1, tzinfo=timezone.utc), datetime(2026, 4, 1, tzinfo=timezone.utc))
    assert got == {"months": ["2026-01", "2026-02", "2026-03"], "first": [1, 1, 0], "repeat": [0, 1, 1]}


def test_kpi_page_with_a_bad_period_and_without_store(admin_client):
    page = admin_client.get("/admin/kpis/").get_data(as_text=True)
    assert "No store is connected yet" in page
    store = make_store()
    response = admin_client.get(f"/admin/kpis/?store={store.id}&start=2026-05-01&end=2026-01-01")
    assert response.status_code == 200
    assert "The period ends before it starts" in response.get_data(as_text=True)


def test_dashboard_shows_headline_kpis_for_the_period(admin_client):
    data = shop()
    store = data["store"]
    page = admin_client.get("/admin/?preset=30d").get_data(as_text=True)  # one store: its KPIs
    p = preset_period("30d", TODAY)
    assert 'data-testid="headline-kpis"' in page and 'data-testid="period-picker"' in page
    assert_page_matches(page, kpi.store_kpis(store, p.start, p.end), at_least=7)
    page = admin_client.get(f"/admin/?store={store.id}&start={TODAY - timedelta(days=700)}&end={TODAY}").get_data(
        as_text=True
    )
    expected = kpi.store_kpis(store, _midnight(TODAY - timedelta(days=700)), _midnight(TODAY + timedelta(days=1)))
    assert_page_matches(page, expected, at_least=7)
    make_store("second")
    page = admin_client.get("/admin/").get_data(as_text=True)
    assert 'data-testid="headline-kpis"' not in page and "Pick a store" in page


# --- segments and campaigns ----------------------------------------------------------------------


def test_segment_sizes_match_the_segments_service(viewer_client):
    data = shop()
    store = data["store"]
    page = viewer_client.get(f"/admin/campaigns/?store={store.id}").get_data(as_text=True)
    sizes = {name: len(ids) for name, ids in store_segments(store, datetime.now(timezone.utc)).items()}
    assert sum(sizes.values()) >= 5 and sizes["hibernating"] >= 1
    for name in SEGMENTS:
        assert re.search(rf'data-segment="{name}">{sizes[name]}<', page), name
    assert "more than 180 days ago" in page and "at least 5 paid orders" in page  # thresholds in words
    assert "New campaign" not in page  # a viewer sees no button
    assert "spring at-risk" in page  # the campaign list


def _campaign_form(store, **changes) -> dict:
    form = {
        "store": str(store.id),
        "segment": "hibernating",
        "discount_type": "percent",
        "amount": "15",
        "minimum_amount": "20",
        "expires_days": "30",
        "name": "We miss you",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def _confirm(client, store, **changes):
    token = token_for(client, f"/admin/campaigns/new/?store={store.id}")
    return client.post("/admin/campaigns/new/confirm", data={**_campaign_form(store, **changes), "csrf_token": token})


def _campaign_coupons(campaign_id: int) -> list[Coupon]:
    return (
        db.session.execute(
            db.select(Coupon).where(Coupon.key.startswith(f"campaign:{campaign_id}:")).order_by(Coupon.member_id)
        )
        .scalars()
        .all()
    )


def test_campaign_confirm_then_send_issues_one_coupon_per_member_and_never_twice(admin_client):
    data = shop()
    store = data["store"]
    targets = store_segments(store, datetime.now(timezone.utc))["hibernating"]
    assert len(targets) >= 1
    form_page = admin_client.get(f"/admin/campaigns/new/?store={store.id}&segment=hibernating").get_data(as_text=True)
    assert 'value="hibernating" selected' in form_page

    confirm = _confirm(admin_client, store)
    page = confirm.get_data(as_text=True)
    assert confirm.status_code == 200, page[-2000:]
    assert f'data-testid="target-count">{len(targets)}<' in page
    assert db.session.execute(db.select(db.func.count()).select_from(Campaign)).scalar_one() == 1  # nothing saved yet
    send_data = dict(
        re.findall(
            r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"',
            page.split("campaigns/new/send")[1].split("</form>")[0],
        )
    )
    assert send_data["confirmation"] and "push" not in send_data

    sent = admin_client.post("/admin/campaigns/new/send", data=send_data)
    assert sent.status_code == 302
    campaign = db.session.execute(db.select(Campaign).filter_by(name="We miss you")).scalar_one()
    coupons = _campaign_coupons(campaign.id)
    assert sorted(c.member_id for c in coupons) == targets  # exactly one each
    assert all(
        c.discount_type == "percent"
        and c.amount == Decimal("15")
        and c.minimum_amount == Decimal("20")
        and c.status == "pending"
        for c in coupons
    )
    assert (campaign.total, campaign.issued, campaign.status) == (len(targets), len(targets), "pushing")
    actions = (
        db.session.execute(db.select(AuditEntry.action).where(AuditEntry.target == f"campaign:{campaign.id}"))
        .scalars()
        .all()
    )
    assert {"campaign.create", "campaign.issue"} <= set(actions)
    assert (
        db.session.execute(db.select(AuditEntry).filter_by(action="campaign.create")).scalar_one().actor
        == "admin@example.com"
    )

    view = admin_client.get(sent.headers["Location"]).get_data(as_text=True)
    assert f'data-progress="issued">{len(targets)}<' in view and 'data-progress="pushed">0<' in view
    assert "Push the waiting coupons now" in view and "campaign.js" in view
    assert "Finish issuing" not in view  # nothing to re-send

    # the same confirmation again (double click, back button): no second campaign, no coupon
    again = admin_client.post("/admin/campaigns/new/send", data={**send_data, "csrf_token": send_data["csrf_token"]})
    assert again.status_code == 302 and again.headers["Location"] == sent.headers["Location"]
    # "send" of the same campaign again: refused, nobody gets a second coupon
    token = token_for(admin_client, sent.headers["Location"])
    admin_client.post(f"/admin/campaigns/{campaign.id}/resume", data={"csrf_token": token})
    assert len(_campaign_coupons(campaign.id)) == len(targets)
    # even an interrupted campaign resumed from the panel skips the members who have theirs
    campaign.status = "issuing"
    db.session.commit()
    response = admin_client.post(
        f"/admin/campaigns/{campaign.id}/resume", data={"csrf_token": token}, follow_redirects=True
    )
    assert "0 more coupons issued" in response.get_data(as_text=True)
    assert len(_campaign_coupons(campaign.id)) == len(targets)
    assert db.session.execute(db.select(db.func.count()).select_from(Campaign)).scalar_one() == 2  # + populate's row

    progress = admin_client.get(f"/admin/campaigns/{campaign.id}/progress.json").get_json()
    assert progress["issued"] == len(targets) and progress["pending"] == len(targets)


def test_campaign_with_a_member_filter_and_form_errors(admin_client):
    data = shop()
    store = data["store"]
    bad = _confirm(admin_client, store, segment="", amount="150", min_points="lots", expires_days="0")
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert 'data-error-for="amount"' in page and 'data-error-for="min_points"' in page
    assert 'data-error-for="expires_days"' in page and 'value="150"' in page
    nothing = _confirm(admin_client, store, segment="")
    assert nothing.status_code == 422 and "Pick a segment or set at least one member filter" in nothing.get_data(
        as_text=True
    )

    carla = data["carla"]
    filtered = _confirm(admin_client, store, segment="", min_points=str(carla.points), max_points=str(carla.points))
    page = filtered.get_data(as_text=True)
    expected = db.session.execute(
        db.select(db.func.count())
        .select_from(Member)
        .where(Member.store_id == store.id, Member.points == carla.points, Member.merged_into_id.is_(None))
    ).scalar_one()
    assert f'data-testid="target-count">{expected}<' in page


REFUSED = {
    "id": 0,
    "error": {"code": "woocommerce_rest_coupon_invalid", "message": "refused for the test", "data": {"status": 400}},
}


def _refuse_the_first_coupon(proxy: StoreProxy) -> None:
    """The store refuses the first coupon of its first coupons/batch (and creates the rest)."""
    proxy.once(
        "POST",
        "/wp-json/wc/v3/coupons/batch",
        request=lambda body: {**body, "create": body["create"][1:]},
        answer=lambda answer: {**answer, "create": [REFUSED, *answer["create"]]},
    )


@pytest.fixture
def proxy(woosim):
    """woosim behind a StoreProxy: our store row points at the proxy."""
    with StoreProxy(woosim.url) as proxy:
        yield proxy


def test_send_and_push_shows_the_final_numbers_and_push_errors(app, admin_client, woosim, proxy):
    quick_retries(app)
    _refuse_the_first_coupon(proxy)
    data = shop(make_store("shop", proxy.url, woosim.key, woosim.secret))
    store = data["store"]
    page = _confirm(admin_client, store, segment="", min_points="0", push="1").get_data(as_text=True)
    send_data = dict(
        re.findall(
            r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"',
            page.split("campaigns/new/send")[1].split("</form>")[0],
        )
    )
    assert send_data["push"] == "1"
    response = admin_client.post("/admin/campaigns/new/send", data=send_data, follow_redirects=True)
    view = response.get_data(as_text=True)
    campaign = db.session.execute(db.select(Campaign).order_by(Campaign.id.desc())).scalars().first()
    coupons = _campaign_coupons(campaign.id)
    pushed = [c for c in coupons if c.status == "pushed"]
    assert campaign.issued == len(coupons) >= 5
    # the refused coupon is retried by push_campaign; the store refuses only in the first call
    assert f'data-progress="pushed">{len(pushed)}<' in view
    assert "refused for the test" in view  # in the history (audit of the push)
    push_audit = db.session.execute(db.select(AuditEntry).filter_by(action="campaign.push")).scalar_one()
    assert push_audit.after["pushed"] == len(pushed) and push_audit.after["failed"] == 1


def test_push_when_the_store_is_unreachable_keeps_the_coupons_waiting(app, admin_client):
    quick_retries(app)
    data = shop(make_store("shop", "http://127.0.0.1:9"))  # nothing listens on port 9
    store = data["store"]
    page = _confirm(admin_client, store, push="1").get_data(as_text=True)
    send_data = dict(
        re.findall(
            r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"',
            page.split("campaigns/new/send")[1].split("</form>")[0],
        )
    )
    view = admin_client.post("/admin/campaigns/new/send", data=send_data, follow_redirects=True).get_data(as_text=True)
    assert "could not be reached" in view and "the connection was refused" in view
    campaign = db.session.execute(db.select(Campaign).order_by(Campaign.id.desc())).scalars().first()
    assert campaign.status == "pushing" and campaign.issued >= 1
    assert {c.status for c in _campaign_coupons(campaign.id)} == {"pending"}


def test_viewer_reads_campaigns_but_cannot_create_or_send(viewer_client):
    data = shop()
    store = data["store"]
    assert viewer_client.get(f"/admin/campaigns/{data['campaign'].id}/").status_code == 200
    assert viewer_client.get(f"/admin/campaigns/new/?store={store.id}").status_code == 403
    token = token_for(viewer_client, f"/admin/campaigns/?store={store.id}")
    form = {**_campaign_form(store), "csrf_token": token, "confirmation": "abc"}
    assert viewer_client.post("/admin/campaigns/new/confirm", data=form).status_code == 403
    assert viewer_client.post("/admin/campaigns/new/send", data=form).status_code == 403
    assert viewer_client.post(f"/admin/campaigns/{data['campaign'].id}/push", data=form).status_code == 403
    assert db.session.execute(db.select(db.func.count()).select_from(Campaign)).scalar_one() == 1
    assert (
        db.session.execute(
            db.select(db.func.count()).select_from(Coupon).where(Coupon.source == "campaign")
        ).scalar_one()
        == 0
    )


def test_campaign_send_needs_the_csrf_token(admin_client, client):
    data = shop()
    store = data["store"]
    form = {**_campaign_form(store), "confirmation": "tok123"}
    response = admin_client.post("/admin/campaigns/new/send", data=form)
    assert response.status_code == 400 and "security token" in response.get_data(as_text=True)
    response = admin_client.post("/admin/campaigns/new/send", data={**form, "csrf_token": "forged"})
    assert response.status_code == 400
    assert db.session.execute(db.select(db.func.count()).select_from(Campaign)).scalar_one() == 1
    # anonymous: the login page, for reading and for sending
    assert "/admin/login/" in client.get(f"/admin/campaigns/?store={store.id}").headers["Location"]
    assert "/admin/login/" in client.get(f"/admin/kpis/?store={store.id}").headers["Location"]
    assert "/admin/login/" in client.get(f"/admin/expiring/expiring.csv?store={store.id}").headers["Location"]


def test_send_without_confirmation_is_refused(admin_client):
    data = shop()
    store = data["store"]
    token = token_for(admin_client, f"/admin/campaigns/new/?store={store.id}")
    response = admin_client.post("/admin/campaigns/new/send", data={**_campaign_form(store), "csrf_token": token})
    assert response.status_code == 400
    assert db.session.execute(db.select(db.func.count()).select_from(Campaign)).scalar_one() == 1


# --- points expiring ------------------------------------------------------------------------------


def test_expiring_points_report_and_csv(viewer_client):
    store = make_store()
    # points expire 12 months after they were earned: these were earned ~350 days ago
    eva = make_member(store, "eva@example.com", ["120.00"], first_name="Eva", last_name="=cmd()", days_ago=350)
    make_member(store, "fred@example.com", ["80.00"], first_name="Fred", last_name="Fox", days_ago=20)
    rows = expiring_points(store, datetime.now(timezone.utc), 30)
    assert [r.email for r in rows] == ["eva@example.com"] and rows[0].expiring_points == 120
    page = viewer_client.get(f"/admin/expiring/?store={store.id}").get_data(as_text=True)
    assert f'data-member="{eva.id}"' in page and 'data-testid="expiring-count">1<' in page
    assert "fred@example.com" not in page and "12 months after they were earned" in page
    assert "fred@example.com" in viewer_client.get(f"/admin/expiring/?store={store.id}&days=365").get_data(as_text=True)
    assert "from 1 to 365" in viewer_client.get(f"/admin/expiring/?store={store.id}&days=0").get_data(as_text=True)

    response = viewer_client.get(f"/admin/expiring/expiring.csv?store={store.id}&days=30")
    assert response.status_code == 200 and response.mimetype == "text/csv" and response.is_streamed
    assert "attachment" in response.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert table[0] == list(FIELDS)
    assert len(table) == 2
    row = dict(zip(FIELDS, table[1], strict=True))
    assert row["email"] == "eva@example.com" and row["expiring_points"] == "120" and row["points"] == "120"
    assert row["name"] == "'Eva =cmd()" or row["name"] == "Eva =cmd()"  # no cell starts with a formula
    assert row["first_expiry"] == rows[0].first_expiry
    assert all(not cell.startswith(("=", "+", "@")) for cell in table[1])


# --- member page -------------------------------------------------------------------------------------


def test_member_page_shows_referrals_reviews_birthday_badges_and_vip_perks(admin_client):
    from loyalty_sync.actions import member_actions

    data = populate()
    store, anna = data["store"], data["anna"]
    db.session.refresh(anna)
    referral_coupon_for(store, anna, program_in_force(store)[1], NOW)  # Anna asked for her code
    db.session.commit()
    assert anna.referral_code
    code = anna.referral_code
    # a friend at another address: the bonus; someone at Anna's own address: 0 points, with the reason
    friend = wc.order(
        8001,
        customer_id=6001,
        email="friend@example.com",
        lines=[wc.line(80011, "60.00", **BEANS)],
        created=NOW - timedelta(days=10),
        first_name="Fritz",
        last_name="Schmidt",
        address="Ringstrasse 9",
        coupons=[code],
    )
    housemate = wc.order(
        8002,
        customer_id=6002,
        email="mate@example.com",
        lines=[wc.line(80021, "50.00", **BEANS)],
        created=NOW - timedelta(days=10),
        first_name="Max",
        last_name="Schmidt",
        address="Hauptstrasse 5",
        coupons=[code],
    )
    apply_orders(store, [friend, housemate], now=NOW)
    db.session.commit()
    # a verified, approved review; a birthday this week; a VIP invitation
    db.session.add(
        Review(
            store_id=store.id,
            wc_id=77,
            product_wc_id=11,
            reviewer_email="anna@example.com",
            verified=True,
            status="approved",
            created=NOW - timedelta(days=1),
        )
    )
    anna.birthday = NOW.date().replace(year=1990) if not (NOW.month == 2 and NOW.day == 29) else date(1990, 2, 28)
    db.session.commit()
    reevaluate(store, [anna], now=NOW)
    member_actions.invite_to_vip(store, anna, "great customer", actor="admin@example.com", now=NOW)
    db.session.commit()

    page = admin_client.get(f"/admin/members/{anna.id}/").get_data(as_text=True)
    assert f'data-testid="referral-code">{code}<' in page
    referrals = page.split('data-testid="referrals"')[1].split('data-testid="reviews"')[0]
    assert "#8001" in referrals and "friend@example.com" in referrals and "+200" in referrals
    assert "#8002" in referrals and "+0" in referrals and "same billing address" in referrals
    assert "1 successful referral" in referrals
    reviews = page.split('data-testid="reviews"')[1].split('data-testid="birthday"')[0]
    assert "review #77 of product 11" in reviews and "+50" in reviews
    birthday = page.split('data-testid="birthday"')[1].split('data-testid="vip-perks"')[0]
    assert anna.birthday.strftime("%d %B") in birthday
    assert "birthday" in birthday and "No birthday gift yet" not in birthday
    perks = page.split('data-testid="vip-perks"')[1]
    assert "Exclusive VIP coupon" in perks or "Monthly free shipping" in perks
    assert "Referred a friend" in page and "First order" in page  # badges


# --- rules editor: the extras --------------------------------------------------------------------


def test_rules_extras_are_editable_with_validation_and_help(admin_client):
    from werkzeug.datastructures import MultiDict

    from admin import rules_form
    from loyalty_sync.engine.program import DEFAULT_PROGRAM
    from tests.admin.test_rules import _error_at, _form, _post

    store = make_store()
    make_catalogue(store)
    page = admin_client.get(f"/admin/rules/?store={store.id}").get_data(as_text=True)
    for name in (
        "referral_bonus",
        "referral_coupon.amount",
        "birthday_meta_key",
        "birthday_bonus",
        "birthday_coupon.amount",
        "review_bonus",
        "reviews_per_month",
    ):
        assert f'name="{name}"' in page, name
    assert "once per product" in page and "birthday week" in page and "first completed order" in page
    form = _form(
        **{
            "referral_bonus": "-5",
            "birthday_meta_key": " ",
            "reviews_per_month": "four",
            "birthday_coupon.amount": "0",
            "referral_coupon.discount_type": "percent",
            "referral_coupon.amount": "120",
        }
    )
    response = _post(admin_client, "/admin/rules/preview", store, form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "whole number" in _error_at(page, "reviews_per_month")
    form["reviews_per_month"] = "2"
    page = _post(admin_client, "/admin/rules/preview", store, form).get_data(as_text=True)
    assert _error_at(page, "referral_bonus") == "Cannot be negative."
    assert _error_at(page, "birthday_meta_key") == "Cannot be empty."
    assert _error_at(page, "birthday_coupon.amount")
    assert _error_at(page, "referral_coupon.amount")
    good = _form(
        **{
            "referral_bonus": "300",
            "birthday_bonus": "25",
            "birthday_meta_key": "date_of_birth",
            "review_bonus": "40",
            "reviews_per_month": "2",
            "birthday_coupon.amount": "",
        }
    )
    parsed = rules_form.parse_form(MultiDict(good), DEFAULT_PROGRAM, store)
    assert parsed.errors == {}
    p = parsed.program
    assert (
        p.referral_bonus,
        p.birthday_bonus,
        p.birthday_meta_key,
        p.review_bonus,
        p.reviews_per_month,
        p.birthday_coupon,
    ) == (300, 25, "date_of_birth", 40, 2, None)


def test_a_long_send_stops_in_time_and_finish_issuing_completes_it(app, admin_client, monkeypatch):
    """Sending runs in the web request: past its time budget it stops between
    two committed batches; "Finish issuing" completes it, skipping the members
    already served."""
    from loyalty_sync.actions import campaigns as service

    data = shop()
    store = data["store"]
    app.config["ADMIN_CAMPAIGN_SECONDS"] = 0  # out of time after the first batch
    real_issue = service.issue_coupons
    monkeypatch.setattr(service, "issue_coupons", lambda *a, **kw: real_issue(*a, **{**kw, "batch_size": 2}))
    page = _confirm(admin_client, store, segment="", min_points="0").get_data(as_text=True)
    send_data = dict(
        re.findall(
            r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"',
            page.split("campaigns/new/send")[1].split("</form>")[0],
        )
    )
    view = admin_client.post("/admin/campaigns/new/send", data=send_data, follow_redirects=True).get_data(as_text=True)
    campaign = db.session.execute(db.select(Campaign).order_by(Campaign.id.desc())).scalars().first()
    assert campaign.status == "issuing" and campaign.issued == 2 and campaign.total >= 5
    assert "Finish issuing" in view and "longer than one page load" in view
    token = token_for(admin_client, f"/admin/campaigns/{campaign.id}/")
    app.config["ADMIN_CAMPAIGN_SECONDS"] = 60
    admin_client.post(f"/admin/campaigns/{campaign.id}/resume", data={"csrf_token": token})
    db.session.refresh(campaign)
    coupons = _campaign_coupons(campaign.id)
    assert campaign.status == "pushing" and campaign.issued == len(coupons) == campaign.total
    assert len({c.member_id for c in coupons}) == len(coupons)  # one each


def test_the_at_risk_csv_viewers_download_carries_no_formula(viewer_client):
    """Issue 17: the at-risk CSV wrote a member named =HYPERLINK(...) as a formula."""
    store = make_store()
    make_member(
        store,
        "evil@example.com",
        ["120.00"],
        first_name='=HYPERLINK("http://evil.example","x")',
        last_name="-1+cmd",
        days_ago=350,
    )
    response = viewer_client.get(f"/admin/at-risk/at-risk.csv?store={store.id}&kind=expiry&days=30")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert any("evil@example.com" in row for row in table[1:])
    cells = [cell for row in table for cell in row]
    assert any(cell.startswith("'=HYPERLINK") for cell in cells)
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in cells)
    assert not any(cell.startswith("-") and not cell.lstrip("-").isdigit() for cell in cells)
