"""`flask --app wsgi users create EMAIL [--role admin|viewer]`: panel accounts.

The password is asked for (twice) at a terminal, or read from the first line
of standard input when it is piped: `echo pw | flask --app wsgi users create ...`.
It is never an option, so it never lands in the shell history or `ps`.
"""

import sys

import click
from flask.cli import AppGroup

from loyalty_sync.actions.users import create_user, hash_password
from loyalty_sync.extensions import db
from loyalty_sync.models import ROLES, User, record_audit

users_cli = AppGroup("users", help="Accounts of the admin panel.")


def _read_password() -> str:
    if sys.stdin is not None and sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    line = sys.stdin.readline() if sys.stdin is not None else ""
    return line.rstrip("\r\n")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="viewer", show_default=True)
def create(email: str, role: str) -> None:
    """Create a panel user; the password comes from the prompt or stdin."""
    password = _read_password()
    try:
        user = create_user(email, password, role)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if len(password) < 12:
        click.echo("warning: a password shorter than 12 characters is easy to guess", err=True)
    db.session.flush()
    record_audit("cli", "user.create", f"user:{user.email}", after={"email": user.email, "role": role})
    db.session.commit()
    click.echo(f"Created {role} {user.email}.")


@users_cli.command("set-password")
@click.argument("email")
def set_password(email: str) -> None:
    """Replace a user's password (and unlock the account)."""
    user = db.session.execute(db.select(User).filter_by(email=email.strip().lower())).scalar_one_or_none()
    if user is None:
        raise click.ClickException(f"no user {email}")
    password = _read_password()
    if not password:
        raise click.ClickException("the password cannot be empty")
    user.password_hash = hash_password(password)
    user.failed_logins, user.last_failed_at = 0, None
    record_audit("cli", "user.set_password", f"user:{user.email}")
    db.session.commit()
    click.echo(f"Password of {user.email} changed.")


@users_cli.command("list")
def list_users() -> None:
    """Users and roles (never password hashes)."""
    for user in db.session.execute(db.select(User).order_by(User.email)).scalars():
        last = user.last_login_at.isoformat(timespec="minutes") if user.last_login_at else "never"
        click.echo(f"{user.email}\t{user.role}\tlast login {last}")
