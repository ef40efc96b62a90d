"""`GET /wp-json/` (WordPress' public REST index) as a real store answers it: the site's name and
its time zone, which wc/v3 does not have (tests/woosim/captures/real-site-index.json)."""

import json
from datetime import datetime, timezone
from pathlib import Path

from woosim.testing import WooSimServer

from .conftest import plain_session

RECORDED = json.loads((Path(__file__).parent / "captures" / "real-site-index.json").read_text())


def _index(sim, fields: str | None = "name,description,gmt_offset,timezone_string") -> dict:
    params = {"_fields": fields} if fields else {}
    answer = plain_session().get(f"{sim.url}/wp-json/", params=params, timeout=10)
    assert answer.status_code == 200
    return answer.json()


def _at(sim, when: datetime) -> None:
    sim.state.clock.offset = when.timestamp() - datetime.now(timezone.utc).timestamp()


def test_the_index_names_the_site_and_its_time_zone_as_the_real_store_did():
    with WooSimServer(timezone="Europe/Berlin") as sim:
        sim.state.site_name = RECORDED["body"]["name"]
        _at(sim, datetime(2026, 12, 8, 12, tzinfo=timezone.utc))  # recorded in winter: UTC+1
        assert _index(sim) == RECORDED["body"]


def test_the_offset_follows_summer_time_and_a_whole_hour_is_a_whole_number():
    with WooSimServer(timezone="Europe/Berlin") as sim:
        _at(sim, datetime(2026, 7, 1, tzinfo=timezone.utc))
        assert _index(sim, "gmt_offset")["gmt_offset"] == 2
    with WooSimServer(timezone="Asia/Kolkata") as sim:
        assert _index(sim, "gmt_offset,timezone_string") == {"gmt_offset": 5.5, "timezone_string": "Asia/Kolkata"}


def test_without_fields_the_index_still_has_the_site_and_its_namespaces():
    with WooSimServer() as sim:
        body = _index(sim, None)
        assert {"name", "url", "home", "timezone_string", "gmt_offset"} <= set(body) and "wc/v3" in body["namespaces"]
