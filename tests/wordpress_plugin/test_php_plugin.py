"""The WordPress plugin (wordpress-plugin/loyalty-sync) on Debian's php-cli:
every PHP file lints, the plugin's own PHP tests pass, and what the plugin
signs is what the app's verifier accepts (the same scheme in two languages:
a drift in either would lock every customer out of the widget).

`make test` installs php-cli (the `browser` target); without php these skip.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import zipfile
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest

from loyalty_sync.signed_identity import IdentityRefused, read_identity, verify_identity

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_TREE = ROOT / "wordpress-plugin"
PHP = shutil.which("php")
SECRET = "the-stores-widget-secret"

pytestmark = pytest.mark.skipif(PHP is None, reason="php is not installed (make browser installs Debian's php-cli)")


def _php(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([PHP, *args], input=stdin, capture_output=True, text=True, timeout=60, check=False)


class _ScriptTag(HTMLParser):
    def __init__(self):
        super().__init__()
        self.attributes: dict[str, str | None] = {}

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.attributes = dict(attrs)


def _plugin_tag(**given) -> dict[str, str | None]:
    """The widget tag's attributes as the plugin renders them."""
    request = {"app_url": "https://loyalty.example", "store_id": 7, "widget_secret": SECRET, "lang": "de", **given}
    done = _php(str(PLUGIN_TREE / "tests" / "widget-tag-cli.php"), stdin=json.dumps(request))
    assert done.returncode == 0, done.stderr
    parser = _ScriptTag()
    parser.feed(done.stdout)
    return parser.attributes


def _identity(attributes: dict, **changes):
    values = {key: attributes[f"data-loyalty-{key}"] for key in ("store", "customer", "email", "ts", "signature")}
    values.update(changes)
    return read_identity(values["store"], values["customer"], values["email"], values["ts"], values["signature"])


def test_every_php_file_lints():
    files = sorted(PLUGIN_TREE.rglob("*.php"))
    assert len(files) >= 8
    failures = [f"{path}: {done.stdout}{done.stderr}" for path in files if (done := _php("-l", str(path))).returncode]
    assert failures == []


def test_the_plugins_php_tests_pass():
    done = _php(str(PLUGIN_TREE / "tests" / "run.php"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert " 0 failed" in done.stdout.splitlines()[-1]


def test_python_accepts_what_php_signs():
    now = int(time.time())
    attributes = _plugin_tag(customer_id=42, email="  Anna.Muster@Example.COM ", ts=now)
    assert attributes["src"] == "https://loyalty.example/widget/v1/widget.js"
    assert (
        attributes["data-loyalty-store"] == "7"
        and attributes["data-loyalty-customer"] == "42"
        and attributes["data-loyalty-lang"] == "de"
    )
    assert "async" in attributes and "data-loyalty-cart-total" not in attributes
    verify_identity(SECRET, _identity(attributes))  # raises if refused


def test_python_accepts_a_unicode_email_as_php_lowercases_it():
    attributes = _plugin_tag(customer_id=5, email="ÄRGER@Example.de", ts=int(time.time()))
    assert attributes["data-loyalty-email"] == "ärger@example.de"
    verify_identity(SECRET, _identity(attributes))


@pytest.mark.parametrize(
    "field, value",
    [("customer", "43"), ("email", "someone.else@example.com"), ("store", "8"), ("ts", None)],
)
def test_python_refuses_a_tampered_field(field, value):
    now = int(time.time())
    attributes = _plugin_tag(customer_id=42, email="anna@example.com", ts=now)
    identity = _identity(attributes, **{field: value if value is not None else str(now - 60)})
    with pytest.raises(IdentityRefused) as refused:
        verify_identity(SECRET, identity)
    assert refused.value.reason == "tampered"


def test_python_refuses_another_stores_secret():
    attributes = _plugin_tag(customer_id=42, email="anna@example.com", ts=int(time.time()), widget_secret="another")
    with pytest.raises(IdentityRefused) as refused:
        verify_identity(SECRET, _identity(attributes))
    assert refused.value.reason == "tampered"


def test_python_refuses_an_expired_signature():
    signed = datetime(2026, 1, 1, tzinfo=timezone.utc)
    attributes = _plugin_tag(customer_id=42, email="anna@example.com", ts=int(signed.timestamp()))
    verify_identity(SECRET, _identity(attributes), now=signed + timedelta(hours=23))
    with pytest.raises(IdentityRefused) as refused:
        verify_identity(SECRET, _identity(attributes), now=signed + timedelta(hours=24, seconds=1))
    assert refused.value.reason == "expired"


def test_a_guest_tag_has_no_identity_and_no_secret():
    attributes = _plugin_tag(cart_total="19.90", ts=int(time.time()))
    assert attributes == {
        "src": "https://loyalty.example/widget/v1/widget.js",
        "data-loyalty-store": "7",
        "data-loyalty-lang": "de",
        "data-loyalty-cart-total": "19.90",
        "async": None,
    }


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_plugin_builds_an_installable_zip(tmp_path):
    done = subprocess.run(
        ["make", "-s", "-C", str(ROOT), "plugin", f"DIST={tmp_path}"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    with zipfile.ZipFile(tmp_path / "loyalty-sync.zip") as archive:
        names = set(archive.namelist())
    assert {"loyalty-sync/loyalty-sync.php", "loyalty-sync/uninstall.php", "loyalty-sync/readme.txt"} <= names
    assert all(name.startswith("loyalty-sync/") for name in names)
    assert not any("tests" in name for name in names)
