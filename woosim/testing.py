"""Python API for tests: run woosim in a thread or a subprocess.

    with WooSimServer(key="ck_x", secret="cs_y", seed="demo", customers=20, orders=200) as sim:
        api = woocommerce.API(url=sim.url, consumer_key=sim.key, consumer_secret=sim.secret, version="wc/v3")
        sim.control.set_faults("nth=2;kinds=500")

WooSimProcess has the same interface but runs `python -m woosim` in a child
process (for tests that SIGKILL things); it waits until the port answers.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from .server import WooSim, run_in_thread, serve
from .tls import make_certs, server_context


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def new_key_pair() -> tuple[str, str]:
    return "ck_" + secrets.token_hex(20), "cs_" + secrets.token_hex(20)


class Control:
    """Wrapper around the /__woosim/ endpoints."""

    def __init__(self, url: str, verify=None):
        self.base = url.rstrip("/") + "/__woosim"
        self.s = requests.Session()
        self.s.trust_env = False  # ignore the machine's proxy / CA variables
        self.verify = verify if verify is not None else True

    def _call(self, method: str, path: str, json=None, params=None):
        r = self.s.request(method, self.base + path, json=json, params=params, timeout=60, verify=self.verify)
        r.raise_for_status()
        return r.json()

    def health(self) -> dict:
        return self._call("GET", "/health")

    def state(self) -> dict:
        return self._call("GET", "/state")

    def reset(self, seed: str | None = None, customers: int = 0, orders: int = 0) -> dict:
        return self._call("POST", "/reset", {"seed": seed, "customers": customers, "orders": orders})

    def seed(self, seed: str = "demo", customers: int = 50, orders: int = 500) -> dict:
        return self._call("POST", "/seed", {"seed": seed, "customers": customers, "orders": orders})

    def set_faults(self, spec: str) -> list[dict]:
        return self._call("POST", "/faults", {"spec": spec})["rules"]

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    def faults(self) -> list[dict]:
        return self._call("GET", "/faults")["rules"]

    def requests(self, limit: int = 1000) -> dict:
        """{"total": n, "counts": {"GET /wp-json/wc/v3/orders": n, ...}, "log": [...]}"""
        return self._call("GET", "/requests", params={"limit": limit})

    def request_counts(self) -> dict[str, int]:
        return self.requests(limit=0)["counts"]

    def clear_requests(self) -> None:
        self._call("DELETE", "/requests")

    def add_key(self, permissions: str = "read", key: str | None = None, secret: str | None = None) -> tuple[str, str]:
        r = self._call("POST", "/keys", {"permissions": permissions, "key": key, "secret": secret})
        return r["key"], r["secret"]

    def set_clock_offset(self, seconds: float) -> dict:
        return self._call("POST", "/clock", {"offset": seconds})

    def advance_clock(self, seconds: float) -> dict:
        return self._call("POST", "/clock", {"advance": seconds})

    def backdate_order(self, order_id: int, date_modified_gmt: str | None = None, seconds: int | None = None) -> dict:
        body = {"date_modified_gmt": date_modified_gmt} if date_modified_gmt else {"seconds": seconds or 3600}
        return self._call("POST", f"/orders/{order_id}/backdate", body)

    def untrash_order(self, order_id: int) -> dict:
        """wp-admin's "Restore" of a trashed order (fires order.restored)."""
        return self._call("POST", f"/orders/{order_id}/untrash")

    def delete_coupon_silently(self, coupon_id: int) -> dict:
        return self._call("DELETE", f"/coupons/{coupon_id}")

    def set_customer_meta_silently(self, customer_id: int, meta_data: list[dict]) -> dict:
        return self._call("POST", f"/customers/{customer_id}/meta", {"meta_data": meta_data})

    def webhook_deliveries(self) -> list[dict]:
        return self._call("GET", "/webhooks/deliveries")["deliveries"]

    def clear_webhook_deliveries(self) -> None:
        self._call("DELETE", "/webhooks/deliveries")

    def set_webhook_delay(self, seconds: float) -> dict:
        return self._call("POST", "/webhooks/config", {"delay": seconds})


class WooSimServer:
    """woosim on a free local port in a background thread."""

    def __init__(
        self,
        key: str | None = None,
        secret: str | None = None,
        seed: str | None = None,
        customers: int = 0,
        orders: int = 0,
        faults: str | None = None,
        tls: bool = False,
        timezone: str = "Europe/Berlin",
        webhook_delay: float = 0.2,
        host: str = "127.0.0.1",
    ):

        if key is None or secret is None:
            key, secret = new_key_pair()
        self.key, self.secret = key, secret
        self.ca_path = None
        self.sim = WooSim(
            key,
            secret,
            seed=seed,
            customers=customers,
            orders=orders,
            faults=faults,
            timezone=timezone,
            webhook_delay=webhook_delay,
        )
        ssl_ctx = None
        if tls:
            self.ca_path, cert, pkey = make_certs()
            ssl_ctx = server_context(cert, pkey)
        self._srv = serve(self.sim, host, 0, ssl_context=ssl_ctx)
        self.port = self._srv.server_port
        self.url = self.sim.state.public_base
        self._thread = run_in_thread(self._srv)
        self.control = Control(self.url, verify=self.ca_path)

    @property
    def state(self):
        return self.sim.state

    def stop(self):
        self.sim.dispatcher.stop()
        self._srv.shutdown()
        self._srv.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class WooSimProcess:
    """`python -m woosim` as a child process; same interface as WooSimServer."""

    def __init__(
        self,
        key: str | None = None,
        secret: str | None = None,
        seed: str | None = None,
        customers: int = 0,
        orders: int = 0,
        faults: str | None = None,
        tls: bool = False,
        port: int | None = None,
        timezone: str = "Europe/Berlin",
        webhook_delay: float = 0.2,
        startup_timeout: float = 30.0,
    ):
        if key is None or secret is None:
            key, secret = new_key_pair()
        self.key, self.secret = key, secret
        self.port = port or free_port()
        self.ca_path = None
        cmd = [
            sys.executable,
            "-m",
            "woosim",
            "--port",
            str(self.port),
            "--key",
            key,
            "--secret",
            secret,
            "--timezone",
            timezone,
            "--webhook-delay",
            str(webhook_delay),
        ]
        if seed:
            cmd += ["--seed", seed, "--customers", str(customers), "--orders", str(orders)]
        if faults:
            cmd += ["--faults", faults]
        if tls:
            self.ca_path = os.path.join(tempfile.mkdtemp(prefix="woosim-ca-"), "ca.pem")
            cmd += ["--tls", "--ca-out", self.ca_path]
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parents[1])
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        self._log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT, env=env)
        self.pid = self.proc.pid
        self.control = Control(self.url, verify=self.ca_path)
        self._wait(startup_timeout)

    def _wait(self, timeout: float):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                self._log.seek(0)
                raise RuntimeError(f"woosim exited early: {self._log.read().decode(errors='replace')}")
            if self.ca_path is None or os.path.exists(self.ca_path):
                try:
                    self.control.health()
                    return
                except requests.RequestException:
                    pass
            time.sleep(0.05)
        self.stop()
        raise TimeoutError(f"woosim did not answer on {self.url} within {timeout}s")

    def kill(self):
        """SIGKILL, no cleanup (for crash tests)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
