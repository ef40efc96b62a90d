"""Assemble state + app + middleware and serve them with Werkzeug.

The request handler sets TCP_NODELAY: Werkzeug writes headers and body in
two send() calls, and with Nagle plus delayed ACK every response would stall
~40 ms (PEER-airbyte.md pitfall 10).
"""

from __future__ import annotations

import socket
import threading

from werkzeug.serving import WSGIRequestHandler, make_server

from .app import WooSimApp
from .control import Control
from .faults import FaultsAndLog, parse_spec
from .store import State
from .webhooks import Dispatcher
from .seeding import seed_demo


class _Handler(WSGIRequestHandler):
    def setup(self):
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass

    def log_request(self, *args, **kwargs):  # quiet: the middleware keeps a log
        pass

    def date_time_string(self, timestamp=None):
        """The `Date` header by the store's clock (the one its dates and the
        OAuth window follow), as on a real store where the web server and PHP
        share one machine: tests shifting the clock see both move."""
        clock = getattr(self.server, "woosim_clock", None)
        if timestamp is None and clock is not None:
            timestamp = clock.now()
        return super().date_time_string(timestamp)


class WooSim:
    """One simulator instance (state, webhook worker, WSGI stack)."""

    def __init__(
        self,
        key: str,
        secret: str,
        seed: str | None = None,
        customers: int = 0,
        orders: int = 0,
        faults: str | None = None,
        timezone: str = "Europe/Berlin",
        webhook_delay: float = 0.2,
        webhook_secret_default: str = "",
        extra_keys: list[tuple[str, str, str]] | None = None,
    ):
        self.state = State(tz=timezone)
        self.state.webhook_secret_default = webhook_secret_default
        self.keys = [(key, secret, "read_write")] + list(extra_keys or [])
        for k, s, p in self.keys:
            self.state.add_key(k, s, p)
        self.dispatcher = Dispatcher(self.state, delay=webhook_delay)
        self.app = WooSimApp(self.state)
        self.control = Control(self)
        self.middleware = FaultsAndLog(self.app, self.control, parse_spec(faults))
        self.reset(seed, customers, orders, keep_keys=True)

    def reset(self, seed: str | None = None, customers: int = 0, orders: int = 0, keep_keys: bool = True):
        with self.state.lock:
            self.state.reset()
            self.state.nonces.clear()
            if seed:
                seed_demo(self.state, customers, orders, seed)

    def wsgi(self, environ, start_response):
        return self.middleware(environ, start_response)


def serve(sim: WooSim, host: str = "127.0.0.1", port: int = 0, ssl_context=None):
    """Create (not start) a threaded Werkzeug server; returns it. `port=0` picks a free one."""
    srv = make_server(host, port, sim.wsgi, threaded=True, request_handler=_Handler, ssl_context=ssl_context)
    srv.daemon_threads = True
    srv.woosim_clock = sim.state.clock
    scheme = "https" if ssl_context else "http"
    sim.state.public_base = f"{scheme}://{host}:{srv.server_port}"
    return srv


def run_in_thread(srv) -> threading.Thread:
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1}, name="woosim-server", daemon=True)
    t.start()
    return t
