"""Keeping the books in sync with the store: passes, the worker, webhooks.

`init_app` registers the `sync` and `webhooks` command groups and the
webhook intake blueprint on the one Flask app.
"""
from flask import Flask


def init_app(app: Flask) -> None:
    from sync_jobs.cli import sync_cli, webhooks_cli

    app.cli.add_command(sync_cli)
    app.cli.add_command(webhooks_cli)
    try:
        from sync_jobs.webhooks import blueprint
    except ImportError:  # pragma: no cover - during development only
        return
    app.register_blueprint(blueprint)
