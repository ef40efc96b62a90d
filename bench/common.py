"""Shared plumbing for the benchmarks: tables, results file, throwaway
databases (SQLite file or a PostgreSQL server of our own), woosim stores and
the `flask --app wsgi` environment for subprocesses.

Every figure a benchmark prints is a ratio of two things measured in the same
run on the same machine: machines are shared and noisy, so numbers from two
runs are never compared.
"""

from __future__ import annotations

import math
import os
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
RESULTS = BENCH / "RESULTS.md"


# --- tables ------------------------------------------------------------------


@dataclass
class Table:
    """One benchmark's figures: free-form columns plus a verdict per target."""

    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    targets: list[tuple[str, str, str]] = field(default_factory=list)  # (target, measured, verdict)
    notes: list[str] = field(default_factory=list)

    def add(self, *row) -> None:
        self.rows.append([_cell(v) for v in row])

    def target(
        self,
        name: str,
        measured: float | None,
        limit: float,
        *,
        higher_is_better: bool = False,
        unit: str = "",
        fmt: str = "{:.2f}",
    ) -> bool | None:
        """PASS/MISS of `measured` against `limit`; a MISS says by which ratio."""
        if measured is None or (isinstance(measured, float) and math.isnan(measured)):
            self.targets.append((name, "n/a", "NOT MEASURED"))
            return None
        ok = measured >= limit if higher_is_better else measured <= limit
        shown = fmt.format(measured) + unit
        if ok:
            verdict = "PASS"
        else:
            if higher_is_better:
                ratio = limit / measured if measured else math.inf
            else:
                ratio = measured / limit if limit else math.inf
            verdict = f"MISS by {ratio:.2f}x"
        self.targets.append((name, shown, verdict))
        return ok

    def note(self, text: str) -> None:
        self.notes.append(text)

    def render(self) -> str:
        out = [f"### {self.title}", ""]
        if self.rows:
            out.append("| " + " | ".join(self.columns) + " |")
            out.append("|" + "|".join("---" for _ in self.columns) + "|")
            for row in self.rows:
                out.append("| " + " | ".join(str(c) for c in row) + " |")
            out.append("")
        if self.targets:
            out.append("| target | measured | verdict |")
            out.append("|---|---|---|")
            for name, measured, verdict in self.targets:
                out.append(f"| {name} | {measured} | {verdict} |")
            out.append("")
        for text in self.notes:
            out.append(f"- {text}")
        if self.notes:
            out.append("")
        return "\n".join(out)


def _cell(value) -> str:
    if isinstance(value, float):
        if value != value:
            return "n/a"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        return f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "n/a" if value is None else str(value)


def publish(tables: list[Table], header: str) -> str:
    """Print the tables and append them, dated, to bench/RESULTS.md."""
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    text = f"## {stamp} — {header}\n\n" + "\n".join(t.render() for t in tables)
    print(text, flush=True)
    new = not RESULTS.exists()
    with RESULTS.open("a", encoding="utf-8") as fh:
        if new:
            fh.write(
                "# Benchmark results\n\nAppended by `python -m bench`; every figure is a ratio within one "
                "run (never compare across runs).\n\n"
            )
        fh.write(text + "\n")
    return text


def say(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


# --- timing ------------------------------------------------------------------


class Stopwatch:
    def __enter__(self):
        self.started = time.perf_counter()
        self.seconds = None
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.started


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


# --- databases -----------------------------------------------------------------

_postgres = None


def postgres_server():
    """One PostgreSQL server for the whole benchmark run (tests/support/postgres.py)."""
    global _postgres
    if _postgres is None:
        from tests.support.postgres import PostgresServer

        _postgres = PostgresServer().start()
    return _postgres


def stop_postgres() -> None:
    global _postgres
    if _postgres is not None:
        _postgres.stop()
        _postgres = None


_db_counter = 0


@contextmanager
def fresh_database(backend: str = "sqlite"):
    """A migrated, empty database; yields (url, instance folder)."""
    global _db_counter
    folder = Path(tempfile.mkdtemp(prefix=f"loyalty-bench-{backend}-"))
    try:
        if backend == "sqlite":
            url = f"sqlite:///{folder / 'loyalty.sqlite3'}"
            migrate(url, folder)
            yield url, folder
        else:
            server = postgres_server()
            _db_counter += 1
            name = f"bench_{os.getpid()}_{_db_counter}"
            server.execute(f"CREATE DATABASE {name}")
            url = server.url(name)
            migrate(url, folder)
            try:
                yield url, folder
            finally:
                server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def make_app(url: str, folder: Path, **config):
    from loyalty_sync.app import create_app

    os.environ.setdefault("LOYALTY_LOG_LEVEL", "WARNING")
    import logging

    logging.getLogger().setLevel(logging.WARNING)
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": False, **config})


def migrate(url: str, folder: Path) -> None:
    from flask_migrate import upgrade

    from loyalty_sync.extensions import db

    app = make_app(url, folder)
    with app.app_context():
        upgrade()
        db.engine.dispose()


def add_store(name: str, sim, *, verify: str | None = None):
    """Our record of a woosim store, with the default program (call inside an app context)."""
    from loyalty_sync.extensions import db
    from loyalty_sync.models import Store
    from loyalty_sync.books.program_versions import ensure_program

    store = Store(
        name=name,
        url=sim.url,
        consumer_key=sim.key,
        consumer_secret=sim.secret,
        webhook_secret="bench-webhook-secret",  # noqa: S106 - a throwaway local store
        verify_tls=verify or (sim.ca_path or ""),
    )
    db.session.add(store)
    db.session.flush()
    ensure_program(store)
    db.session.commit()
    return store


def flask_env(url: str, folder: Path, **extra) -> dict:
    """Environment for `python -m flask --app wsgi ...` in a subprocess."""
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": url,
            "LOYALTY_INSTANCE_PATH": str(folder),
            "SECRET_KEY": "bench",
            "LOYALTY_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def flask_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "wsgi", *args]


def ideal_requests(records: int) -> int:
    return max(1, math.ceil(records / 100))


def woosim_counts(sim) -> dict[str, int]:
    return sim.control.request_counts()


def listing_requests(counts: dict[str, int], resource: str) -> int:
    return sum(n for path, n in counts.items() if path == f"GET /wp-json/wc/v3/{resource}")


def customers_for(orders: int) -> int:
    """Seeded customers for a store of N orders: a shop where ~1 in 10 orders is a new customer."""
    return max(50, orders // 10)


def synthetic_orders(n: int, members: int, *, seed: int, registered: bool) -> list[dict]:
    """N wc/v3 orders of `members` members over two years: 1-3 lines each,
    mostly completed; guests (by email) or registered customers."""
    import random

    from tests.support import wc

    rng = random.Random(seed)
    out = []
    for i in range(n):
        order_id = 1000 + i
        lines = [wc.line(order_id * 10 + j, f"{rng.randint(5, 120)}.00") for j in range(rng.randint(1, 3))]
        m = rng.randrange(members)
        out.append(
            wc.order(
                order_id,
                lines=lines,
                email=f"member{m}@example.com",
                customer_id=10_000 + m if registered else 0,
                created=wc.day(i * 700 / n),
                status=rng.choice(["completed"] * 9 + ["processing"]),
            )
        )
    return out
