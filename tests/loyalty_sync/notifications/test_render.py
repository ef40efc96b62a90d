"""The email's two parts: names are text in the HTML (escaped), the CSS is
inline, and an SMTP URL's password is redacted from any error text."""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from loyalty_sync.models import Member, OutboxMessage
from loyalty_sync.notifications.content import Letter, compose
from loyalty_sync.notifications.render import render
from loyalty_sync.notifications.smtp_config import smtp_config
from loyalty_sync.redaction import redact

NOW = datetime(2026, 12, 8, 10, 0, tzinfo=timezone.utc)


def test_a_members_name_is_text_in_the_html_never_markup(app):
    letter = Letter(
        shop_name="<b>Shop</b>",
        currency="EUR",
        locale="en",
        zone=ZoneInfo("UTC"),
        first_name="<script>alert(1)</script>",
        page_url="http://x.test/m/t",
        unsubscribe_url="http://x.test/u/t",
    )
    row = OutboxMessage(kind="points_earned", payload={"points": 1234})
    member = Member(points=1500)
    content = compose(row, member, letter, now=NOW)
    email = render(
        content, shop_name=letter.shop_name, page_url=letter.page_url, unsubscribe_url=letter.unsubscribe_url
    )
    assert "<script>" not in email.html and "&lt;script&gt;" in email.html
    assert "<b>Shop</b>" not in email.html
    assert email.subject == "You earned 1,234 points at <b>Shop</b>"  # a header is text
    assert "Hello <script>alert(1)</script>," in email.text  # the plain part is plain
    assert "1,500 points" in email.text and "http://x.test/u/t" in email.text


def test_the_smtp_settings_from_a_url_and_the_password_kept_out_of_text(app):
    config = smtp_config({"SMTP_URL": "smtp://mailer:p%40ss-Word@mail.example.com:2525?tls=starttls"})
    assert (config.host, config.port, config.user, config.password, config.tls) == (
        "mail.example.com",
        2525,
        "mailer",
        "p@ss-Word",
        "starttls",
    )
    assert "p@ss" not in repr(config) and "p@ss" not in config.describe()
    assert (
        redact("cannot reach smtp://mailer:p%40ss-Word@mail.example.com:2525")
        == "cannot reach smtp://mailer:[redacted]@mail.example.com:2525"
    )
    assert smtp_config({"SMTP_HOST": "mx.test", "SMTP_TLS": "ssl"}).port == 465
