"""Crash anywhere: a pass (`flask --app wsgi sync run` in a subprocess) is
SIGKILLed at many points — during the pull, the apply and the push, chosen by
elapsed time and by what woosim has been asked — and restarted. After the
last, uninterrupted restart the books, the coupons in the store and the
customer meta equal those of an uninterrupted run: no point lost, none
doubled, no coupon twice."""

import random
import subprocess
import time

import pytest

from tests.reliability.conftest import (
    ROOT,
    SEED_STORE,
    assert_same_as_reference,
    flask_env,
    run_cli_pass,
    seeded_sim,
    sync_command,
)
from tests.support.stores import store_on

pytestmark = pytest.mark.slow

API = "/wp-json/wc/v3/"

# Moments chosen by what the store has been asked (path suffix, count reached):
# the middle of the order listing (pull and apply interleave in batches of 500),
# right after the first coupon batch was sent (the store may have created the
# coupons, we have not committed), and during the customer meta push.
TRIGGERS = [
    ("GET " + API + "orders", 3),
    ("GET " + API + "orders", 14),
    ("POST " + API + "coupons/batch", 1),
    ("POST " + API + "customers/batch", 1),
]
RANDOM_KILLS = 3


def _kill_when(sim, proc, path: str, count: int, deadline: float) -> bool:
    """SIGKILL `proc` once woosim has seen `count` requests to `path`; False if it ended first."""
    while time.time() < deadline:
        if proc.poll() is not None:
            return False
        if sim.control.request_counts().get(path, 0) >= count:
            proc.kill()
            proc.wait(10)
            return True
        time.sleep(0.01)
    proc.kill()
    proc.wait(10)
    return True


def _kill_after(proc, seconds: float) -> bool:
    try:
        proc.wait(seconds)
        return False
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)
        return True


def test_sigkill_at_many_points_ends_with_the_books_of_an_uninterrupted_run(app, database_url, reference, tmp_path):
    rng = random.Random(20261127)
    with seeded_sim() as sim:
        store_on(sim, **SEED_STORE)
        env = flask_env(database_url, tmp_path)
        killed = 0
        for path, count in TRIGGERS:
            sim.control.clear_requests()
            proc = subprocess.Popen(
                sync_command(), env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            killed += _kill_when(sim, proc, path, count, time.time() + 90)
        # Random moments: from start-up to a full pass's length.
        typical = max(2.0, (reference["seconds"] or 5) + 1.5)
        for _ in range(RANDOM_KILLS):
            proc = subprocess.Popen(
                sync_command(), env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            killed += _kill_after(proc, rng.uniform(0.8, typical))
        assert killed >= len(TRIGGERS), "the kills must land while passes run"
        done = run_cli_pass(database_url, tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
        again = run_cli_pass(database_url, tmp_path)  # a later pass after all the crashes changes nothing
        assert again.returncode == 0, again.stdout + again.stderr
        # nothing applied, or no coupon written (the sync log's words: run_summary)
        assert (
            "applied" not in again.stdout
            or "coupon written" not in again.stdout
            and "coupons written" not in again.stdout
        ), again.stdout
        assert_same_as_reference(reference, sim)
