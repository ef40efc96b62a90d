"""The demo's mailbox (Logs > Demo mailbox): the member emails the local SMTP
server kept (`flask --app wsgi emails mailbox`, started by `make demo`), so a
newcomer can read what members receive. Shown only when MAILBOX_DIR is set.

An email's HTML is the one thing here not written by this app's templates:
it is served on its own URL under a sandbox policy (no script, no request
anywhere but inline styles and images in the message) and shown in a
sandboxed frame."""

from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, make_response
from flask_admin import expose

from admin.security import SecureBaseView
from loyalty_sync.notifications.mailbox import kept_mail, one_mail

SANDBOX_POLICY = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _folder() -> Path | None:
    folder = current_app.config.get("MAILBOX_DIR")
    return Path(folder) if folder else None


class MailboxView(SecureBaseView):
    def is_visible(self):
        return _folder() is not None

    @expose("/")
    def index(self):
        folder = _folder()
        return self.render("loyalty/mailbox.html", folder=folder, mails=kept_mail(folder) if folder else [])

    @expose("/<file_name>")  # not `name`: Flask-Admin's _handle_view takes that one
    def show(self, file_name: str):
        folder = _folder()
        mail = one_mail(folder, file_name) if folder else None
        if mail is None:
            abort(404)
        return self.render("loyalty/mailbox_message.html", mail=mail)

    @expose("/<file_name>/html")
    def html(self, file_name: str):
        folder = _folder()
        mail = one_mail(folder, file_name) if folder else None
        if mail is None or not mail.html:
            abort(404)
        response = make_response(mail.html)
        response.headers["Content-Type"] = "text/html; charset=utf-8"
        response.headers["Content-Security-Policy"] = SANDBOX_POLICY
        return response
