"""The peer connector, airbyte-source-woocommerce 0.4.12, run against woosim.

Its venv lives in bench/.venv-peer (git-ignored) and is created on first use
with Python 3.11 (the package needs >=3.10,<3.12; 3.12 silently resolves to
the ancient 0.2.3). If it cannot run, `PeerUnavailable` says exactly why.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bench.common import BENCH, say

VENV = BENCH / ".venv-peer"
PYTHON = VENV / "bin" / "python"
LAUNCHER = BENCH / "peer_launcher.py"
VERSION = "0.4.12"
STREAMS = ("orders", "customers")


class PeerUnavailable(Exception):
    pass


@dataclass
class PeerRead:
    seconds: float
    records: dict[str, int]
    stdout_bytes: int


def ensure_peer() -> None:
    """Create the venv and install the connector if missing; raise PeerUnavailable with the reason."""
    if PYTHON.exists() and _installed():
        return
    interpreter = shutil.which("python3.11") or shutil.which("python3.10")
    if interpreter is None:
        raise PeerUnavailable(
            "no python3.11 or python3.10 on PATH (airbyte-source-woocommerce 0.4.12 needs >=3.10,<3.12)"
        )
    say(f"creating the peer's venv in {VENV} ({interpreter}); installing airbyte-source-woocommerce=={VERSION}")
    done = subprocess.run([interpreter, "-m", "venv", str(VENV)], capture_output=True, text=True)
    if done.returncode:
        raise PeerUnavailable(f"{interpreter} -m venv failed: {done.stderr.strip()[-500:]}")
    done = subprocess.run(
        [str(PYTHON), "-m", "pip", "install", "-q", f"airbyte-source-woocommerce=={VERSION}"],
        capture_output=True,
        text=True,
    )
    if done.returncode or not _installed():
        raise PeerUnavailable(
            f"pip install airbyte-source-woocommerce=={VERSION} failed: {(done.stderr or done.stdout).strip()[-800:]}"
        )


def _installed() -> bool:
    done = subprocess.run([str(PYTHON), "-c", "import source_woocommerce.run"], capture_output=True)
    return done.returncode == 0


class Peer:
    """One configured peer for one woosim store (https, CA at `ca_path`)."""

    def __init__(self, port: int, key: str, secret: str, ca_path: str, start_date: str):
        ensure_peer()
        self.folder = Path(tempfile.mkdtemp(prefix="bench-peer-"))
        self.env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
        self.env["PEER_CA_BUNDLE"] = ca_path
        self.config = self.folder / "config.json"
        self.config.write_text(
            json.dumps({"api_key": key, "api_secret": secret, "shop": f"127.0.0.1:{port}", "start_date": start_date})
        )
        self.catalog = self.folder / "catalog.json"
        self._write_catalog()

    def _run(self, *args: str, stdout=subprocess.PIPE, timeout: float = 3600) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(PYTHON), str(LAUNCHER), *args],
            stdout=stdout,
            stderr=subprocess.PIPE,
            env=self.env,
            timeout=timeout,
            cwd=self.folder,
        )

    def check(self) -> None:
        done = self._run("check", "--config", str(self.config), timeout=120)
        status = [json.loads(line) for line in done.stdout.splitlines() if line.startswith(b"{")]
        ok = [m for m in status if m.get("type") == "CONNECTION_STATUS"]
        if not ok or ok[0]["connectionStatus"]["status"] != "SUCCEEDED":
            raise PeerUnavailable(f"the peer's check failed: {ok[0]['connectionStatus'] if ok else done.stderr[-800:]}")

    def _write_catalog(self) -> None:
        done = self._run("discover", "--config", str(self.config), timeout=120)
        catalog = None
        for line in done.stdout.splitlines():
            if line.startswith(b"{"):
                message = json.loads(line)
                if message.get("type") == "CATALOG":
                    catalog = message["catalog"]
        if catalog is None:
            raise PeerUnavailable(f"the peer's discover gave no catalog: {done.stderr.decode(errors='replace')[-800:]}")
        streams = [
            {"stream": s, "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"}
            for s in catalog["streams"]
            if s["name"] in STREAMS
        ]
        if len(streams) != len(STREAMS):
            raise PeerUnavailable(f"the peer's catalog lacks {STREAMS}: {[s['name'] for s in catalog['streams']]}")
        self.catalog.write_text(json.dumps({"streams": streams}))

    def read(self) -> PeerRead:
        out = self.folder / "records.jsonl"
        with out.open("wb") as fh:
            started = time.perf_counter()
            done = self._run("read", "--config", str(self.config), "--catalog", str(self.catalog), stdout=fh)
            seconds = time.perf_counter() - started
        records = {s: 0 for s in STREAMS}
        errors = []
        with out.open("rb") as fh:
            for line in fh:
                if b'"type": "RECORD"' in line[:40] or b'"type":"RECORD"' in line[:40]:
                    message = json.loads(line)
                    records[message["record"]["stream"]] = records.get(message["record"]["stream"], 0) + 1
                elif b'"TRACE"' in line[:40]:
                    message = json.loads(line)
                    if message["trace"].get("type") == "ERROR":
                        errors.append(message["trace"]["error"].get("message", ""))
        size = out.stat().st_size
        out.unlink()
        if done.returncode or errors:
            raise PeerUnavailable(
                f"the peer's read failed (exit {done.returncode}): "
                f"{'; '.join(errors)[:500] or done.stderr.decode(errors='replace')[-800:]}"
            )
        return PeerRead(seconds, records, size)

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def start_date_for_woosim_demo() -> str:
    """woosim's demo orders span the 730 days before now (seeding.SPAN); start a day earlier."""
    return (datetime.now(timezone.utc) - timedelta(days=732)).strftime("%Y-%m-%d")
