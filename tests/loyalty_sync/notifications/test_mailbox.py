"""The demo's mailbox: a real SMTP server that keeps each message as an .eml file, and its reader."""

import smtplib
from email.message import EmailMessage

from loyalty_sync.notifications.mailbox import kept_mail, one_mail, serve_mailbox
from tests.support.smtp_server import free_port


def _send(port: int, subject: str) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "shop@demo.local", "anna@example.com", subject
    message.set_content("You earned 40 points.")
    message.add_alternative("<p>You earned <b>40</b> points.</p>", subtype="html")
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.send_message(message)


def test_the_mailbox_keeps_every_message_and_reads_them_newest_first(tmp_path):
    port = free_port()
    controller = serve_mailbox(tmp_path / "box", port)
    try:
        _send(port, "first")
        _send(port, "second")
    finally:
        controller.stop()
    mails = kept_mail(tmp_path / "box")
    assert [m.message["Subject"] for m in mails] == ["second", "first"]
    assert mails[0].text.strip() == "You earned 40 points." and "<b>40</b>" in mails[0].html
    assert one_mail(tmp_path / "box", mails[1].name).message["Subject"] == "first"


def test_the_reader_takes_bare_file_names_only(tmp_path):
    (tmp_path / "box").mkdir()
    (tmp_path / "secret.eml").write_text("Subject: not yours\n\nx")
    assert one_mail(tmp_path / "box", "../secret.eml") is None
    assert one_mail(tmp_path / "box", "missing.eml") is None
    assert kept_mail(tmp_path / "nowhere") == []
