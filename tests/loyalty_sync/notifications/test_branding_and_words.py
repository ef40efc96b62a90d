"""A shop's look (notifications/branding.py) and its own words
(notifications/overrides.py) in the emails members really get: the sender
puts the saved logo, colour, footer, subject and intro into the email;
without them the default look and words stay; a bad value that got into the
table some other way never reaches the HTML."""

from datetime import datetime, timedelta, timezone

from loyalty_sync.extensions import db
from loyalty_sync.models import EmailTemplateOverride
from loyalty_sync.notifications.branding import DEFAULT_COLOUR, branding_of, text_colour_on
from loyalty_sync.notifications.overrides import fill, text_problem
from loyalty_sync.notifications.sender import send_due
from tests.loyalty_sync.notifications.test_sender import buy, parts

NOW = datetime.now(timezone.utc).replace(microsecond=0)


def test_the_text_on_the_brand_colour_is_the_one_that_reads_better():
    assert text_colour_on("#ffd500") == "#000000"  # yellow: black
    assert text_colour_on("#ffffff") == "#000000"
    assert text_colour_on("#1a237e") == "#ffffff"  # navy: white
    assert text_colour_on("#4f46e5") == "#ffffff"
    assert text_colour_on("#777777") == "#000000"  # mid grey: black has the higher contrast (4.7 vs 4.5)


def test_placeholders_are_checked_against_the_kind_and_filled_without_attribute_access():
    assert text_problem("tier_up", "Welcome to {tier}, {first_name}! {{braces}}") is None
    assert "Unknown placeholder {code}" in text_problem("tier_up", "{code}")
    assert "{tier}" in text_problem("tier_up", "{code}")  # the message lists what works
    assert "Unknown placeholder {points:>10}" in text_problem("points_earned", "{points:>10}")
    assert text_problem("points_earned", "{points!r}") is not None
    assert fill("{shop}: {{x}} {points}", {"shop": "Kaffee", "points": "5 points"}) == "Kaffee: {x} 5 points"


def test_a_bad_value_in_the_table_falls_back_to_the_default_look(app, store, emails):
    emails.logo_url, emails.brand_colour = "http://shop.test/logo.png", "red"
    look = branding_of(emails)
    assert look.logo_url == "" and look.colour == DEFAULT_COLOUR and look.text_on_colour == "#ffffff"


def test_the_sender_puts_the_saved_look_and_words_into_the_members_email(app, store, emails, smtp_server):
    emails.logo_url = "https://kaffee.test/logo.png"
    emails.brand_colour = "#1A237E"
    emails.footer_text = "Kaffee Klatsch GmbH\nHauptstr. 1 <b>Berlin</b>"
    db.session.add(
        EmailTemplateOverride(
            store_id=store.id,
            kind="points_earned",
            locale="en",
            subject="{points} for you at {shop}",
            intro="Thanks for your order at {shop}; now {balance}.",
        )
    )
    db.session.commit()
    buy(store, 1, "40.00")
    send_due(now=NOW + timedelta(hours=1))
    (mail,) = smtp_server.received(subject_has="for you")
    assert str(mail["Subject"]) == "40 points for you at Kaffee Klatsch"
    text, html = parts(mail)
    text = text.replace("\r\n", "\n")
    assert "Thanks for your order at Kaffee Klatsch; now 40 points." in text
    assert "Thank you for shopping with us" not in text  # the default intro is replaced, not added to
    assert "Kaffee Klatsch GmbH\nHauptstr. 1 <b>Berlin</b>" in text  # plain text stays plain
    assert '<img src="https://kaffee.test/logo.png" alt="Kaffee Klatsch"' in html
    assert "Hauptstr. 1 &lt;b&gt;Berlin&lt;/b&gt;" in html and "<b>Berlin" not in html
    assert "background: #1a237e;color: #ffffff" in html


def test_without_a_look_or_words_the_email_keeps_its_defaults(app, store, emails, smtp_server):
    buy(store, 1, "40.00")
    send_due(now=NOW + timedelta(hours=1))
    (mail,) = smtp_server.received()
    text, html = parts(mail)
    assert str(mail["Subject"]) == "You earned 40 points at Kaffee Klatsch"
    assert "Thank you for shopping with us" in text and "<img" not in html and DEFAULT_COLOUR in html
