"""Helpers for the worker and webhook tests: the app served on a real port,
`flask sync worker` as a child process, signed deliveries, polling
with a deadline."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from werkzeug.serving import make_server

from loyalty_sync.extensions import db
from loyalty_sync.woocommerce import StoreClient

ROOT = Path(__file__).resolve().parents[2]
#: The webhook secret of the stores these tests make (`store_on(sim, name, webhook_secret=WEBHOOK_SECRET)`).
WEBHOOK_SECRET = "whsec-test-secret"

# Quick heartbeats and stalled-job recovery for worker processes, so a test
# takes seconds, not minutes.
FAST_RECOVERY = {
    "LOYALTY_WORKER_HEARTBEAT_SECONDS": 1,
    "LOYALTY_WORKER_STALLED_SECONDS": 4,
    "LOYALTY_WORKER_RECOVER_EVERY_SECONDS": 2,
    "LOYALTY_WORKER_POLL_SECONDS": 0.5,
    "LOYALTY_STORE_BACKOFF_BASE": 0.05,
}


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.1, message: str = "condition"):
    """Poll until `predicate()` is truthy; its value is returned. Fails with `message` at the deadline."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message} (last: {last!r})")


@contextlib.contextmanager
def served(app):
    """The Flask app on a free local port, in a thread (what WooCommerce posts webhooks to)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def sign(raw: bytes, secret: str) -> str:
    import base64
    import hashlib
    import hmac

    return base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest()).decode()


def deliver(base: str, store_name: str, topic: str, payload: dict, secret: str = WEBHOOK_SECRET):
    """POST a delivery the way WooCommerce does (compact JSON, its headers, signed)."""
    import json

    import requests

    raw = json.dumps(payload, separators=(",", ":")).encode()
    resource, _, event = topic.partition(".")
    headers = {
        "Content-Type": "application/json",
        "X-WC-Webhook-Topic": topic,
        "X-WC-Webhook-Resource": resource,
        "X-WC-Webhook-Event": event,
        "X-WC-Webhook-Signature": sign(raw, secret),
        "X-WC-Webhook-ID": "1",
        "X-WC-Webhook-Delivery-ID": "0" * 32,
        "X-WC-Webhook-Source": "http://shop.test/",
    }
    session = requests.Session()
    session.trust_env = False
    answer = session.post(f"{base}/webhooks/woocommerce/{store_name}", data=raw, headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def woo(sim) -> StoreClient:
    """A REST client on woosim for the test's own reads and writes."""
    return StoreClient(sim.url, sim.key, sim.secret, max_attempts=2, timeout=30)


def loyalty_meta(customer: dict) -> dict:
    return {m["key"]: m["value"] for m in customer.get("meta_data", []) if str(m.get("key", "")).startswith("loyalty_")}


class WorkerProcess:
    """`flask --app wsgi sync worker` on the given database, as a child process."""

    def __init__(
        self,
        database_url: str,
        instance: Path,
        *,
        concurrency: int = 1,
        extra_env: dict | None = None,
        name: str = "worker",
    ):
        self.log_file = tempfile.NamedTemporaryFile(prefix=f"{name}-", suffix=".log", delete=False)  # noqa: SIM115 - lives as long as the process
        env = dict(os.environ)
        env.update(
            {
                "DATABASE_URL": database_url,
                "SECRET_KEY": "worker-test-secret",
                "LOYALTY_INSTANCE_PATH": str(instance),
                "LOYALTY_LOG_LEVEL": "INFO",
                "PYTHONUNBUFFERED": "1",
                "PYTHONPATH": str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else ""),
            }
        )
        env.update({k: str(v) for k, v in (extra_env or {}).items()})
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "sync", "worker", "--concurrency", str(concurrency)],
            cwd=ROOT,
            env=env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )
        self.pid = self.proc.pid

    def output(self) -> str:
        return Path(self.log_file.name).read_text(errors="replace")

    def wait_started(self, text: str = "sync worker starting", timeout: float = 30.0) -> None:
        wait_for(
            lambda: text in self.output() or self.proc.poll() is not None, timeout, message=f"worker start ({text})"
        )
        if self.proc.poll() is not None:
            raise AssertionError(f"worker exited early ({self.proc.returncode}):\n{self.output()}")

    def terminate(self, timeout: float = 60.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        try:
            self.terminate(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()
        finally:
            self.log_file.close()
            with contextlib.suppress(OSError):
                os.unlink(self.log_file.name)


def ledger_view():
    """The books, independent of row ids and of random coupon codes (member ids in keys are masked)."""
    import re

    from loyalty_sync.models import LedgerEntry, Member

    rows = db.session.execute(
        db.select(Member.email, LedgerEntry.kind, LedgerEntry.points, LedgerEntry.order_wc_id, LedgerEntry.key).join(
            Member, Member.id == LedgerEntry.member_id
        )
    ).all()
    return sorted(
        (email, kind, points, order, re.sub(r":m\d+", ":m*", key)) for email, kind, points, order, key in rows
    )


def overlapping_runs(runs) -> list:
    """Pairs of sync runs of one store whose [started, finished] intervals overlap."""
    by_store: dict[int, list] = {}
    for run in runs:
        by_store.setdefault(run.store_id, []).append(run)
    clashes = []
    for store_runs in by_store.values():
        store_runs.sort(key=lambda r: r.started_at)
        for before, after in zip(store_runs, store_runs[1:], strict=False):
            if before.finished_at is None or after.started_at < before.finished_at:
                clashes.append((before.id, after.id))
    return clashes
