"""The operator's command line: `flask --app wsgi <group> <command>`."""
from flask import Flask


def register_cli(app: Flask) -> None:
    from loyalty_sync.cli.stores import stores_cli

    app.cli.add_command(stores_cli)
    for name in ("imports", "members", "program", "demo", "kpi", "campaigns", "api_tokens", "reconcile"):
        module = __import__(f"loyalty_sync.cli.{name}", fromlist=["command"])
        app.cli.add_command(module.command)
