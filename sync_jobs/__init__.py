"""The job runner: the worker's scheduled passes, webhook jobs and daily
upkeep, the webhook intake, the backfill job and their commands. The work
itself (pull, apply, push) is the core's `loyalty_sync.store_sync`.

`init_app` registers the `sync` and `webhooks` command groups, the
webhook intake blueprint and the pass requester the core's `program save`
uses (`loyalty_sync.cli.program.PASS_REQUESTER`) on the one Flask app.
"""

from flask import Flask

from loyalty_sync.cli.program import PASS_REQUESTER
from sync_jobs.api import request_pass
from sync_jobs.cli import sync_cli, webhooks_cli
from sync_jobs.webhooks import blueprint


def init_app(app: Flask) -> None:
    app.cli.add_command(sync_cli)
    app.cli.add_command(webhooks_cli)
    app.register_blueprint(blueprint)
    app.extensions[PASS_REQUESTER] = request_pass
