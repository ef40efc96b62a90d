"""`python -m woosim --port P --key CK --secret CS [...]`: run the simulator.

Prints one line `woosim listening on URL` (and the CA path with --tls) once
the socket is bound, so a parent process can wait for it.
"""

from __future__ import annotations

import argparse
import signal
import sys
from .server import WooSim, serve
from .tls import make_certs, server_context


def _on_term(*_):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m woosim", description="WooCommerce REST API (wc/v3) simulator")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--key", required=True, help="read_write consumer key (ck_...)")
    p.add_argument("--secret", required=True, help="its consumer secret (cs_...)")
    p.add_argument(
        "--read-key",
        nargs=2,
        metavar=("KEY", "SECRET"),
        action="append",
        default=[],
        help="add a read-only key (repeatable)",
    )
    p.add_argument("--seed", default=None, help="'demo' seeds a coffee shop (deterministic)")
    p.add_argument("--customers", type=int, default=50)
    p.add_argument("--orders", type=int, default=500)
    p.add_argument("--faults", default=None, help="fault SPEC, see woosim/README.md")
    p.add_argument("--tls", action="store_true", help="serve https with a locally generated CA")
    p.add_argument("--ca-out", default=None, help="where to write the CA PEM (with --tls)")
    p.add_argument("--timezone", default="Europe/Berlin")
    p.add_argument("--webhook-delay", type=float, default=0.2, help="seconds before a queued delivery is sent")
    p.add_argument("--webhook-secret-default", default="", help="secret for webhooks created without one")
    a = p.parse_args(argv)

    sim = WooSim(
        a.key,
        a.secret,
        seed=a.seed,
        customers=a.customers if a.seed else 0,
        orders=a.orders if a.seed else 0,
        faults=a.faults,
        timezone=a.timezone,
        webhook_delay=a.webhook_delay,
        webhook_secret_default=a.webhook_secret_default,
        extra_keys=[(k, s, "read") for k, s in a.read_key],
    )
    ssl_ctx = None
    if a.tls:
        ca, cert, key = make_certs(
            a.ca_out, hosts=(a.host, "localhost") if a.host != "localhost" else ("localhost", "127.0.0.1")
        )
        ssl_ctx = server_context(cert, key)
        print(f"woosim CA written to {ca}", flush=True)
    srv = serve(sim, a.host, a.port, ssl_context=ssl_ctx)
    signal.signal(signal.SIGTERM, _on_term)
    print(f"woosim listening on {sim.state.public_base}", flush=True)
    try:
        srv.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        sim.dispatcher.stop()
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
