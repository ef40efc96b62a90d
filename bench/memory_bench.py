"""4. Memory: peak RSS of a full sync, `flask --app wsgi sync run --full`
in a subprocess against a woosim process, read with os.wait4 (the child's
own ru_maxrss) and checked by polling /proc/PID/status (VmHWM)."""

from __future__ import annotations

import os
import subprocess
import threading
import time

from bench.common import Table, add_store, customers_for, flask_cmd, flask_env, fresh_database, make_app, say


def _poll_hwm(pid: int, out: dict) -> None:
    while True:
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmHWM:"):
                        out["hwm_kb"] = max(out.get("hwm_kb", 0), int(line.split()[1]))
        except (FileNotFoundError, ProcessLookupError, ValueError):
            return
        time.sleep(0.2)


def measure(n: int) -> dict:
    from loyalty_sync.extensions import db
    from woosim.testing import WooSimProcess

    sim = WooSimProcess(seed="demo", customers=customers_for(n), orders=n, startup_timeout=900)
    try:
        with fresh_database("sqlite") as (url, folder):
            app = make_app(url, folder)
            with app.app_context():
                add_store("bench", sim)
                db.session.remove()
                db.engine.dispose()
            started = time.perf_counter()
            errors = open(folder / "sync-stderr.log", "wb")  # noqa: SIM115 - closed below, read on failure
            proc = subprocess.Popen(
                flask_cmd("sync", "run", "--full", "--store", "bench"),
                env=flask_env(url, folder),
                stdout=subprocess.PIPE,
                stderr=errors,
            )
            polled: dict = {}
            poller = threading.Thread(target=_poll_hwm, args=(proc.pid, polled), daemon=True)
            poller.start()
            _pid, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            output = proc.stdout.read().decode(errors="replace")
            errors.close()
            seconds = time.perf_counter() - started
            why = (
                (folder / "sync-stderr.log").read_text(errors="replace").strip().splitlines()[-3:]
                if proc.returncode
                else []
            )
            return {
                "n": n,
                "peak_mb": usage.ru_maxrss / 1024,
                "polled_mb": polled.get("hwm_kb", 0) / 1024,
                "seconds": seconds,
                "exit": proc.returncode,
                "summary": output.strip().splitlines()[-1:] + why,
            }
    finally:
        sim.stop()


def run(quick: bool = False) -> Table:
    sizes = (10_000, 100_000) if quick else (10_000, 100_000, 1_000_000)
    table = Table(
        "4. Memory: peak RSS of `flask --app wsgi sync run --full` (subprocess)",
        ["orders N", "customers", "peak RSS MB (wait4)", "VmHWM MB (polled)", "wall s", "exit", "peak / peak at 10k"],
    )
    results = []
    for n in sizes:
        say(f"memory: full sync of {n:,} orders in a subprocess")
        r = measure(n)
        results.append(r)
        base = results[0]["peak_mb"]
        table.add(n, customers_for(n), r["peak_mb"], r["polled_mb"], r["seconds"], r["exit"], r["peak_mb"] / base)
        if r["exit"]:
            table.note(f"N={n:,}: the pass exited {r['exit']}: {r['summary']}")
    base = results[0]["peak_mb"]
    for r in results[1:]:
        table.target(
            f"flat in N: peak at {r['n']:,} / peak at {results[0]['n']:,} <= 1.5", r["peak_mb"] / base, 1.5, unit="x"
        )
    biggest = results[-1]
    table.target(
        f"peak RSS at {biggest['n']:,} orders < 300 MB"
        + ("" if biggest["n"] >= 1_000_000 else " (1M only without --quick)"),
        biggest["peak_mb"],
        300,
        unit=" MB",
        fmt="{:.0f}",
    )
    return table
