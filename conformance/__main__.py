"""`python -m conformance [--json PATH] [--only e2e|differential]`: woosim and
the product against a real store.

Needs WC_URL, WC_CONSUMER_KEY, WC_CONSUMER_SECRET (and optionally
WC_READ_CONSUMER_KEY/WC_READ_CONSUMER_SECRET, WC_HOOK_URL). Without a store it
says how to get one and exits 0. With one it runs

(a) the product's end-to-end scenarios (tests/loyalty_sync/store_sync/), on a
    fresh woosim and then with LOYALTY_REAL_STORE=1 against the store
    (tests/support/real_store.py: each test sees and deletes only its own
    records), one scenario file after the other;
(b) the differential: the same requests to woosim and to the store.

It prints both figures and exits 1 when a scenario failed against the store.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

SCENARIOS = Path("tests/loyalty_sync/store_sync")

HOW = """No real WooCommerce store given, so there is nothing to compare woosim with and
no store to run the product's end-to-end scenarios against.

Set WC_URL, WC_CONSUMER_KEY and WC_CONSUMER_SECRET (a read_write REST key) and run
`make conformance` again. To get a WooCommerce 10.0.2 store on this machine in about
two minutes, follow ../shared/woocommerce/realstore/README.md (setup.sh, start.sh;
the keys are then in $WCREAL_HOME/keys.env: `set -a; . ~/wcreal/keys.env; set +a`).
Optional: WC_READ_CONSUMER_KEY/WC_READ_CONSUMER_SECRET (read-only key checks),
WC_HOOK_URL (a webhook receiver the store may deliver to, default
http://127.0.0.1:8099/hooks/woocommerce)."""


def run_differential(json_path: str | None) -> int:
    from woosim.testing import WooSimServer

    from .differential import Differential
    from .http import Target

    env = os.environ
    read = (env["WC_READ_CONSUMER_KEY"], env["WC_READ_CONSUMER_SECRET"]) if env.get("WC_READ_CONSUMER_KEY") else None
    real = Target("real", env["WC_URL"], env["WC_CONSUMER_KEY"], env["WC_CONSUMER_SECRET"], read_key=read)
    hook = env.get("WC_HOOK_URL", "http://127.0.0.1:8099/hooks/woocommerce")
    with WooSimServer(timezone="Europe/Berlin") as woo:
        sim_read = woo.control.add_key("read")
        sim = Target("woosim", woo.url, woo.key, woo.secret, read_key=tuple(sim_read) if read else None)
        d = Differential(real, sim, hook)
        d.run(progress=lambda i, n, s: print(f"\r[{i + 1}/{n}] {s.name:<40}", end="", file=sys.stderr))
        print("", file=sys.stderr)
        print(d.report())
        if json_path:
            d.dump(json_path)
            print(f"details: {json_path}")
        real.close()
        sim.close()
    return 0


def run_scenarios(real_store: bool) -> Counter:
    """Run every scenario file in its own pytest (SQLite books); count the
    outcomes: passed, failed, xfailed, woosim-only (skipped on a real store)."""
    env = {**os.environ, "LOYALTY_TEST_BACKENDS": "sqlite"}
    env.pop("LOYALTY_REAL_STORE", None)
    if real_store:
        env["LOYALTY_REAL_STORE"] = "1"
    outcomes: Counter = Counter()
    where = "the real store" if real_store else "woosim"
    for path in sorted(SCENARIOS.glob("test_*.py")):
        with tempfile.TemporaryDirectory() as tmp:
            report = Path(tmp) / "junit.xml"
            print(f"scenarios on {where}: {path.name}", file=sys.stderr, flush=True)
            # our own interpreter and fixed arguments: nothing untrusted reaches the command line
            subprocess.run(  # noqa: S603
                [
                    sys.executable,
                    "-m",
                    "pytest",
                    "-q",
                    "-p",
                    "no:cacheprovider",
                    "-rfEx",
                    f"--junitxml={report}",
                    str(path),
                ],
                env=env,
                check=False,
            )
            outcomes += _outcomes(report)
    return outcomes


def _outcomes(report: Path) -> Counter:
    found: Counter = Counter()
    if not report.exists():
        found["failed"] += 1  # pytest did not even start
        return found
    for case in ET.parse(report).getroot().iter("testcase"):  # noqa: S314 - written by our own pytest just now
        skipped = case.find("skipped")
        if case.find("failure") is not None or case.find("error") is not None:
            found["failed"] += 1
        elif skipped is not None and skipped.get("type") == "pytest.xfail":
            found["xfailed"] += 1
        elif skipped is not None:
            found["woosim-only" if "woosim only" in (skipped.get("message") or "") else "skipped"] += 1
        else:
            found["passed"] += 1
    return found


def scenario_figure(name: str, outcomes: Counter) -> str:
    ran = sum(outcomes.values()) - outcomes["woosim-only"] - outcomes["skipped"]
    extra = ", ".join(f"{n} {k}" for k, n in sorted(outcomes.items()) if k not in ("passed",) and n)
    return f"end-to-end scenarios passing on {name}: {outcomes['passed']}/{ran}" + (f" ({extra})" if extra else "")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m conformance")
    ap.add_argument("--json", default="test-artifacts/conformance.json")
    ap.add_argument("--only", choices=("e2e", "differential"), help="run one half only")
    args = ap.parse_args(argv)
    if not (os.environ.get("WC_URL") and os.environ.get("WC_CONSUMER_KEY") and os.environ.get("WC_CONSUMER_SECRET")):
        print(HOW)
        return 0
    figures, failed = [], False
    if args.only != "differential":
        on_woosim, on_real = run_scenarios(real_store=False), run_scenarios(real_store=True)
        figures += [
            scenario_figure("woosim", on_woosim),
            scenario_figure(f"the real store ({os.environ['WC_URL']})", on_real),
        ]
        failed = bool(on_real["failed"])
    if args.only != "e2e":
        run_differential(args.json)
    print("\n".join(figures))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
