"""woosim answers these request sequences as a real WooCommerce 10.0.2 did
(tests/woosim/captures/real-*.json, recorded by real_store_steps.py):
coupon expiry writes (`date_expires_gmt` is ignored, `date_expires` with an
offset is UTC), the order trash (the DELETE answer shows the order as it
was; `status=any`, also with `trash`, leaves it out), and order lines after
a product is deleted for good (`product_id: 0`, `sku: null`, the order's
`date_modified` unchanged).

Store dates are compared by which of them are equal (aliases in order of
appearance), never by value: the recording ran at another time."""

import json

import pytest

from .real_store_steps import CAPTURES, SEQUENCES, run

_DATES = ("date_modified_gmt", "date_completed_gmt")


def _aliased(steps: list[dict]) -> list[dict]:
    aliases: dict[str, str] = {}
    out = []
    for step in steps:
        step = dict(step)
        for key, value in step.items():
            if key.endswith(_DATES) and isinstance(value, str):
                step[key] = aliases.setdefault(value, f"<date {len(aliases)}>")
        out.append(step)
    return out


@pytest.mark.parametrize("name", sorted(SEQUENCES))
def test_woosim_answers_as_the_real_store_did(api, sim, name):
    recorded = json.loads((CAPTURES / f"{name}.json").read_text())
    replayed = run(api, SEQUENCES[name], tag="replay")
    want, got = _aliased(recorded["steps"]), _aliased(replayed)
    for real, sim in zip(want, got, strict=True):
        assert sim == real, f"step {real['step']}"
