"""`python -m bench [pull|incremental|apply|memory|push|webhook|admin|whatif|widget|realstore ...] [--quick]`

Runs the benchmarks (all by default; `realstore` needs a real store and runs
only when named), prints one table per benchmark with its targets and
PASS/MISS, and appends them, dated, to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback

from bench.common import Table, publish, say, stop_postgres

NAMES = ("pull", "incremental", "apply", "memory", "push", "webhook", "admin", "whatif", "widget", "realstore")
#: Run only when named: they need something CI has not (a real store).
ON_REQUEST = ("realstore",)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help=f"benchmarks to run (default: all): {', '.join(NAMES)}"
    )
    parser.add_argument("--quick", action="store_true", help="smaller sizes (pull stops at 10k, no 1M memory run)")
    args = parser.parse_args(argv)
    names = args.names or [n for n in NAMES if n not in ON_REQUEST]
    unknown = [n for n in names if n not in NAMES]
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; choose from {', '.join(NAMES)}")
    quick = args.quick
    tables: list[Table] = []
    started = time.time()
    try:
        if "pull" in names or "incremental" in names:
            tables.extend(_sync(names, quick))
        for name in ("apply", "memory", "push", "webhook", "admin", "whatif", "widget", "realstore"):
            if name in names:
                tables.append(_guarded(name, quick))
    finally:
        stop_postgres()
    header = f"`python -m bench {' '.join(argv if argv is not None else sys.argv[1:])}`".replace("  ", " ")
    publish(tables, f"{header} ({time.time() - started:.0f} s)")
    return 0


def _sync(names: list[str], quick: bool) -> list[Table]:
    from bench import sync_bench

    pull_sizes = (1_000, 10_000) if quick else (1_000, 10_000, 100_000)
    incr_sizes = (1_000, 10_000) if quick else (10_000, 100_000)
    sizes = sorted(set((pull_sizes if "pull" in names else ()) + (incr_sizes if "incremental" in names else ())))
    results = []
    for n in sizes:
        try:
            results.append(
                sync_bench.run_size(
                    n,
                    with_peer="pull" in names and n in pull_sizes,
                    incremental="incremental" in names and n in incr_sizes,
                )
            )
        except Exception as exc:  # one size failing must not hide the others
            traceback.print_exc()
            say(f"sync at N={n:,} failed: {exc!r}")
    pull, incr = sync_bench.tables(results)
    out = []
    if "pull" in names:
        pull.rows = [row for row in pull.rows if int(str(row[0]).replace(",", "")) in pull_sizes]
        out.append(pull)
    if "incremental" in names:
        if incr is None:
            incr = Table("2. Incremental", [])
            incr.note("not measured: no full sync succeeded")
        elif quick:
            incr.note("--quick: N = 1k and 10k side by side (the full run uses 10k and 100k)")
        out.append(incr)
    return out


def _guarded(name: str, quick: bool) -> Table:
    import importlib

    try:
        module = importlib.import_module(f"bench.{name}_bench")
        return module.run(quick=quick)
    except Exception as exc:
        traceback.print_exc()
        table = Table(f"{name}: crashed", [])
        table.note(f"the benchmark itself failed: {exc!r}")
        return table


if __name__ == "__main__":
    sys.exit(main())
