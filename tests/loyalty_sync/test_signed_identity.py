"""The widget's signed identity: only the store's own secret, unchanged fields and a recent time pass."""

from datetime import datetime, timedelta, timezone

import pytest

from loyalty_sync.signed_identity import IdentityRefused, read_identity, sign_identity, verify_identity

NOW = datetime(2026, 12, 8, 12, 0, tzinfo=timezone.utc)
TS = int(NOW.timestamp())
SECRET = "w" * 43
EXPECTED = "c79d2be858134ce69a8ab573766fdf0d9bcbc8986807cfe7902d4f1d89f64896"


def _identity(**changes):
    values = {"store_id": "3", "customer_id": "42", "email": " Anna@Example.com ", "ts": str(TS)}
    values["signature"] = sign_identity(SECRET, 3, 42, "anna@example.com", TS)
    values.update(changes)
    return read_identity(**values)


def test_a_fresh_signature_of_the_store_passes():
    verify_identity(SECRET, _identity(), NOW)
    verify_identity(SECRET, _identity(), NOW + timedelta(hours=23))


def test_the_signature_is_a_known_hmac_so_other_languages_can_reproduce_it():
    # HMAC-SHA256("w"*43, "v1|3|42|anna@example.com|1796731200"), computed independently with openssl:
    # printf 'v1|3|42|anna@example.com|1796731200' | openssl dgst -sha256 -hmac wwww...w
    assert TS == 1796731200
    assert sign_identity(SECRET, 3, 42, "anna@example.com", TS) == EXPECTED


@pytest.mark.parametrize(
    "changes, reason",
    [
        ({"customer_id": "43"}, "tampered"),
        ({"email": "bob@example.com"}, "tampered"),
        ({"store_id": "4"}, "tampered"),
        ({"ts": str(TS + 1)}, "tampered"),
    ],
)
def test_a_changed_field_is_refused(changes, reason):
    with pytest.raises(IdentityRefused) as refused:
        verify_identity(SECRET, _identity(**changes), NOW)
    assert refused.value.reason == reason


def test_another_stores_secret_an_old_and_a_future_signature_are_refused():
    for secret, now, reason in (
        ("x" * 43, NOW, "tampered"),
        ("", NOW, "tampered"),
        (SECRET, NOW + timedelta(hours=24, seconds=1), "expired"),
        (SECRET, NOW - timedelta(minutes=6), "future"),
    ):
        with pytest.raises(IdentityRefused) as refused:
            verify_identity(secret, _identity(), now)
        assert refused.value.reason == reason


@pytest.mark.parametrize(
    "changes",
    [
        {"customer_id": "x"},
        {"customer_id": "0"},
        {"email": "nobody"},
        {"signature": "abc"},
        {"ts": ""},
        {"store_id": None},
    ],
)
def test_malformed_values_are_refused_before_any_check(changes):
    with pytest.raises(IdentityRefused) as refused:
        _identity(**changes)
    assert refused.value.reason == "malformed"
