"""Logs > Demo mailbox: the emails the demo's local SMTP server kept, readable in the panel; the
HTML of an email is served on its own under a sandbox policy (no script, no request anywhere)."""

import re
import smtplib
from email.message import EmailMessage

from loyalty_sync.notifications.mailbox import serve_mailbox
from tests.support.smtp_server import free_port


def _keep_one(folder) -> None:
    port = free_port()
    controller = serve_mailbox(folder, port)
    try:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "shop@demo.local", "anna@example.com", "Your reward"
        message["List-Unsubscribe"] = "<http://loyalty.test/u/abc>"
        message.set_content("Code LOY-1234: 5.00 off.")
        message.add_alternative("<p>Code <b>LOY-1234</b><script>alert(1)</script></p>", subtype="html")
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            smtp.send_message(message)
    finally:
        controller.stop()


def test_the_demo_mailbox_lists_and_shows_the_kept_emails(app, admin_client, tmp_path):
    app.config["MAILBOX_DIR"] = str(tmp_path / "box")
    _keep_one(tmp_path / "box")
    listing = admin_client.get("/admin/mailbox/").get_data(as_text=True)
    assert "Your reward" in listing and "anna@example.com" in listing and "Demo mailbox" in listing
    (name,) = re.findall(r'href="/admin/mailbox/(\d+\.eml)"', listing)
    page = admin_client.get(f"/admin/mailbox/{name}").get_data(as_text=True)
    assert "Code LOY-1234: 5.00 off." in page and "http://loyalty.test/u/abc" in page
    html = admin_client.get(f"/admin/mailbox/{name}/html")
    assert html.status_code == 200 and b"LOY-1234" in html.data
    assert html.headers["Content-Security-Policy"].startswith("sandbox; default-src 'none'")
    assert admin_client.get("/admin/mailbox/..%2Fdemo.json").status_code == 404


def test_without_a_mailbox_the_page_says_emails_go_through_smtp(app, admin_client):
    app.config.pop("MAILBOX_DIR", None)
    page = admin_client.get("/admin/mailbox/").get_data(as_text=True)
    assert "No demo mailbox here" in page
    assert 'href="/admin/mailbox/"' not in admin_client.get("/admin/").get_data(as_text=True)
