"""The shop's name and time zone come from WordPress' public index (`/wp-json/`), which wc/v3 lacks."""

import json

import pytest

from loyalty_sync.woocommerce import StoreClient
from loyalty_sync.woocommerce.site_index import SiteIdentity, parse_site_index, zone_name
from tests.support.recording_server import RecordingServer

KEY, SECRET = "ck_" + "k" * 40, "cs_" + "s" * 40


@pytest.mark.parametrize(
    "timezone_string, gmt_offset, expected",
    [
        ("Europe/Berlin", 1, "Europe/Berlin"),
        ("", 5.5, "UTC+05:30"),  # a manual offset in WordPress' settings
        ("", "-3", "UTC-03:00"),
        ("", 0, "UTC"),
        (None, None, "UTC"),
        ("UTC+2", 2, "UTC+02:00"),  # what WordPress keeps for some manual offsets is no IANA name
        ("Mars/Olympus", 0, "UTC"),
        ("", "nonsense", "UTC"),
        ("", 99, "UTC"),
    ],
)
def test_wordpress_two_ways_of_naming_a_zone_read_as_one(timezone_string, gmt_offset, expected):
    assert zone_name(timezone_string, gmt_offset) == expected


def test_an_answer_that_is_no_index_says_nothing():
    assert parse_site_index(["not", "an", "index"]) is None
    assert parse_site_index({"code": "rest_no_route"}) is None
    assert parse_site_index({"name": " Bean & Leaf ", "timezone_string": "Asia/Kolkata"}) == SiteIdentity(
        name="Bean & Leaf", timezone="Asia/Kolkata"
    )


def test_the_client_reads_the_identity_from_woosim(woosim):
    woosim.state.site_name = "Bean & Leaf"
    with StoreClient(woosim.url, woosim.key, woosim.secret) as client:
        assert client.site_identity() == SiteIdentity(name="Bean & Leaf", timezone="Europe/Berlin")


def test_the_index_is_read_without_the_keys():
    body = json.dumps({"name": "Shop", "gmt_offset": 2, "timezone_string": "Europe/Berlin"}).encode()
    with RecordingServer(status=200, body=body) as server:
        with StoreClient(server.url, KEY, SECRET) as client:
            assert client.site_identity() == SiteIdentity(name="Shop", timezone="Europe/Berlin")
    (request,) = server.received
    assert request.path.startswith("/wp-json/?_fields=")
    assert KEY not in request.raw and SECRET not in request.raw and "oauth" not in request.raw.lower()
    assert "authorization" not in {k.lower() for k in request.headers}


def test_a_store_that_does_not_answer_leaves_the_identity_unknown():
    with StoreClient("http://127.0.0.1:9", KEY, SECRET, timeout=2) as client:
        assert client.site_identity() is None
