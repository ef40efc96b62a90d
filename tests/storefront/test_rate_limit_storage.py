"""The rate limits count per process with the default `memory://` storage
(issue 17: two gunicorn workers allowed 216 requests against 120/minute), so
the Procfile runs one web process, and the one documented setting
`LOYALTY_RATELIMIT_STORAGE_URI` moves both limiters to a shared storage."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from loyalty_sync.app import create_app

REPO = Path(__file__).resolve().parents[2]


def _gunicorn_workers(procfile: Path) -> int:
    web = next(line for line in procfile.read_text().splitlines() if line.startswith("web:"))
    args = shlex.split(web.split(":", 1)[1])
    assert args[0] == "gunicorn"
    for flag in ("--workers", "-w"):
        if flag in args:
            return int(args[args.index(flag) + 1])
    return 1  # gunicorn's default


def test_the_procfiles_run_one_web_process_while_the_counters_are_in_memory(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite3", "SECRET_KEY": "x"})
    storages = {app.config["RATELIMIT_STORAGE_URI"], app.extensions["storefront_limiter"]._storage_uri}
    assert storages == {"memory://"}
    for procfile in ("Procfile", "Procfile.demo"):
        assert _gunicorn_workers(REPO / procfile) == 1, f"{procfile}: memory:// counts per worker process"


def test_one_setting_moves_both_limiters_to_a_shared_storage(tmp_path, monkeypatch):
    monkeypatch.setenv("LOYALTY_RATELIMIT_STORAGE_URI", "memory://shared")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite3", "SECRET_KEY": "x"})
    assert app.extensions["storefront_limiter"]._storage_uri == "memory://shared"
    assert app.extensions["admin_limiter"]._storage_uri == "memory://shared"


def test_the_readme_documents_the_per_process_limit_and_the_shared_option():
    readme = (REPO / "README.md").read_text()
    row = next(line for line in readme.splitlines() if line.startswith("| `LOYALTY_RATELIMIT_STORAGE_URI`"))
    assert "per process" in row and re.search(r"redis://", row) and "Procfile" in row
