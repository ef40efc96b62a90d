"""The operator's command line: `flask --app wsgi <group> <command>`.

`analysis` adds its commands to the groups of `program`, `members` and `kpi`
(whatif/save, at-risk, liability) when it is imported, so it is imported here
with the rest."""

from flask import Flask

from loyalty_sync.cli import (
    analysis,  # noqa: F401  (adds whatif/save, at-risk, liability to the groups below)
    api_tokens,
    campaigns,
    demo,
    emails,
    imports,
    kpi,
    members,
    program,
    reconcile,
)
from loyalty_sync.cli.stores import stores_cli

COMMANDS = (imports, members, program, demo, kpi, campaigns, api_tokens, reconcile, emails)


def register_cli(app: Flask) -> None:
    app.cli.add_command(stores_cli)
    for module in COMMANDS:
        app.cli.add_command(module.command)
