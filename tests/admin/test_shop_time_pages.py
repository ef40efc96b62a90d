"""The panel names the shop as WordPress does and shows times in the shop's zone, to the minute
(#19: "timestamps to the minute in the shop's time zone"; until now every time read "... UTC")."""

from datetime import datetime, timezone

from loyalty_sync.extensions import db
from loyalty_sync.models import Store, SyncRun
from tests.admin.conftest import token_for
from tests.support.stores import make_store, store_on


def test_the_connection_test_reads_the_shops_name_and_time_zone(admin_client, woosim):
    woosim.state.site_name = "Bean & Leaf Coffee"
    store = store_on(woosim, "bean")
    assert (store.timezone, store.display_name) == ("UTC", "")
    page = admin_client.post(
        f"/admin/stores/{store.id}/test",
        data={"csrf_token": token_for(admin_client, "/admin/stores/")},
        follow_redirects=True,
    ).get_data(as_text=True)
    db.session.expire_all()
    store = db.session.get(Store, store.id)
    assert (store.timezone, store.display_name, store.shop_name) == (
        "Europe/Berlin",
        "Bean & Leaf Coffee",
        "Bean & Leaf Coffee",
    )
    assert "time zone Europe/Berlin" in page and "Bean &amp; Leaf Coffee" in page


def test_the_sync_log_shows_times_in_the_shops_zone_to_the_minute(admin_client):
    store = make_store("berlin")
    store.timezone = "Europe/Berlin"
    started = datetime(2026, 12, 8, 12, 0, 42, tzinfo=timezone.utc)
    db.session.add(
        SyncRun(store_id=store.id, kind="manual", status="ok", started_at=started, finished_at=started, counts={})
    )
    db.session.commit()
    page = admin_client.get(f"/admin/sync-log/?store={store.id}").get_data(as_text=True)
    assert "2026-12-08 13:00 CET" in page
    assert "12:00:42" not in page and "2026-12-08 12:00" not in page
