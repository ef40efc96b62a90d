"""`python -m conformance [--json PATH]`: the differential against a real store.

Needs WC_URL, WC_CONSUMER_KEY, WC_CONSUMER_SECRET (and optionally
WC_READ_CONSUMER_KEY/WC_READ_CONSUMER_SECRET, WC_HOOK_URL). Without a store it
says how to get one and exits 0. The product's end-to-end scenarios do not run
against a real store yet (CONFORMANCE.md, "End-to-end scenarios").
"""
from __future__ import annotations

import argparse
import os
import sys

HOW = """No real WooCommerce store given, so there is nothing to compare woosim with.

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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m conformance")
    ap.add_argument("--json", default="test-artifacts/conformance.json")
    args = ap.parse_args(argv)
    if not (os.environ.get("WC_URL") and os.environ.get("WC_CONSUMER_KEY") and os.environ.get("WC_CONSUMER_SECRET")):
        print(HOW)
        return 0
    return run_differential(args.json)


if __name__ == "__main__":
    sys.exit(main())
