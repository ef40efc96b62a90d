"""The differential's normaliser hides only what WooCommerce itself draws at random."""

from datetime import datetime

from conformance.normalise import Aliases, Normaliser


def _normalised(body: dict) -> dict:
    return Normaliser("http://shop.test", Aliases(), datetime(2026, 12, 8)).body(body, None)


def test_related_ids_are_random_on_a_real_store_so_any_list_of_ids_reads_the_same():
    assert _normalised({"related_ids": [12, 14]}) == _normalised({"related_ids": []})


def test_related_ids_of_the_wrong_type_still_differ():
    assert _normalised({"related_ids": ["12"]}) != _normalised({"related_ids": [12]})


def test_the_random_suffix_of_a_taken_username_reads_the_same_but_the_name_does_not():
    assert _normalised({"username": "anna-0203"}) == _normalised({"username": "anna-6311"})
    assert _normalised({"username": "anna-0203"}) != _normalised({"username": "bert-0203"})
    assert _normalised({"username": "anna"}) != _normalised({"username": "anna-0203"})
