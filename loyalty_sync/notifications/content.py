"""What each member email says, as plain data (`EmailContent`), in the
member's language: made when the message is sent, from the books as they are
then (a coupon email carries the code the store has).

Money goes through `engine.money.money_display`, dates through Babel in the
shop's time zone, counts through `ngettext`: nothing here formats a number
by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from loyalty_sync.engine.money import money_display
from loyalty_sync.models import Coupon, Member, OutboxMessage
from loyalty_sync.notifications.i18n import babel_locale, translations
from loyalty_sync.notifications.overrides import override


class NothingToSay(Exception):
    """The event is gone (the coupon was used before we wrote): do not send."""


class NotYet(Exception):
    """Not sendable yet (the coupon is not in the store yet)."""


@dataclass(frozen=True)
class Letter:
    """Who writes to whom, and the links every email carries."""

    shop_name: str
    currency: str
    locale: str
    zone: object  # a ZoneInfo
    first_name: str
    page_url: str
    unsubscribe_url: str


@dataclass
class EmailContent:
    subject: str
    heading: str
    paragraphs: list[str]
    highlight: tuple[str, str] | None = None  # (label, value): the coupon code
    details: list[tuple[str, str]] = field(default_factory=list)
    button: tuple[str, str] | None = None  # (label, url)
    footer: list[str] = field(default_factory=list)
    locale: str = "en"


def compose(
    row: OutboxMessage, member: Member, letter: Letter, *, coupon: Coupon | None = None, now: datetime
) -> EmailContent:
    tr = translations(letter.locale)
    _ = tr.gettext
    content = _KINDS[row.kind](row, member, letter, coupon, now)
    override(row.store_id, row.kind, letter.locale, content, placeholder_values(row, member, letter, coupon))
    content.locale = letter.locale
    hello = _("Hello %(name)s,") % {"name": letter.first_name} if letter.first_name else _("Hello,")
    content.paragraphs.insert(0, hello)
    if content.button is None:
        content.button = (_("See your points"), letter.page_url)
    content.footer = [
        _("You get this email because you collect points at %(shop)s.") % {"shop": letter.shop_name},
        _("Your member page, always up to date: %(url)s") % {"url": letter.page_url},
        _("No more emails like this: %(url)s") % {"url": letter.unsubscribe_url},
    ]
    return content


def placeholder_values(row: OutboxMessage, member: Member, letter: Letter, coupon: Coupon | None) -> dict[str, str]:
    """What a shop's own words may name (`overrides.PLACEHOLDERS`), formatted as the default words are."""
    tr = translations(letter.locale)
    values = {"first_name": letter.first_name, "shop": letter.shop_name, "balance": _points(tr, letter, member.points)}
    payload = row.payload or {}
    if "points" in payload:
        values["points"] = _points(tr, letter, int(payload["points"]))
    if payload.get("expires_on"):
        values["date"] = _day(letter, date.fromisoformat(payload["expires_on"]))
    if "tier" in payload:
        values["tier"] = str(payload["tier"])
    if coupon is not None:
        values.update(value=coupon_value(coupon, letter), code=coupon.code)
    return values


def _points(tr, letter: Letter, points: int) -> str:
    number = format_decimal(points, locale=babel_locale(letter.locale))
    return tr.ngettext("%(num)s point", "%(num)s points", points) % {"num": number}


def _day(letter: Letter, moment: datetime | date) -> str:
    if isinstance(moment, datetime):
        moment = moment.astimezone(letter.zone).date()
    return format_date(moment, format="long", locale=babel_locale(letter.locale))


def _points_earned(row, member: Member, letter: Letter, coupon, now) -> EmailContent:
    tr = translations(letter.locale)
    _ = tr.gettext
    points = int(row.payload.get("points", 0))
    earned = _points(tr, letter, points)
    paragraphs = [_("Thank you for shopping with us. Your balance is now %(balance)s.")
                  % {"balance": _points(tr, letter, member.points)}]
    if member.points < points:  # auto-redeem turned points into a coupon since: say so, or the sum reads wrong
        paragraphs.append(_("Some of your points have already become a reward coupon; it comes in its own email."))
    return EmailContent(
        subject=_("You earned %(points)s at %(shop)s") % {"points": earned, "shop": letter.shop_name},
        heading=_("You earned %(points)s") % {"points": earned},
        paragraphs=paragraphs,
    )


def coupon_value(coupon: Coupon, letter: Letter) -> str:
    tr = translations(letter.locale)
    _ = tr.gettext
    locale = babel_locale(letter.locale)
    if coupon.free_shipping and not coupon.amount:
        return _("Free shipping")
    if coupon.discount_type == "percent":
        value = _("%(percent)s off") % {"percent": format_percent(Decimal(coupon.amount) / 100, locale=locale)}
    else:
        value = _("%(amount)s off") % {"amount": money_display(coupon.amount, letter.currency, locale)}
    return value + (_(" and free shipping") if coupon.free_shipping else "")


def _coupon_ready(row, member: Member, letter: Letter, coupon: Coupon | None, now) -> EmailContent:
    tr = translations(letter.locale)
    _ = tr.gettext
    if coupon is None:
        raise NothingToSay("the coupon is not in the books")
    value = coupon_value(coupon, letter)
    details = [(_("Value"), value)]
    if coupon.minimum_amount:
        details.append(
            (_("Minimum order"), money_display(coupon.minimum_amount, letter.currency, babel_locale(letter.locale)))
        )
    if coupon.expires_at is not None:
        details.append((_("Valid until"), _day(letter, coupon.expires_at)))
    return EmailContent(
        subject=_("Your reward is ready: %(value)s at %(shop)s") % {"value": value, "shop": letter.shop_name},
        heading=_("Your reward is ready"),
        paragraphs=[
            _(
                "Enter this code at checkout, in the coupon field, and the discount is taken off your "
                "order. It is yours alone: it works with the email address of your account."
            )
        ],
        highlight=(_("Your code"), coupon.code),
        details=details,
    )


def _points_expiring(row, member: Member, letter: Letter, coupon, now) -> EmailContent:
    tr = translations(letter.locale)
    _ = tr.gettext
    points = _points(tr, letter, int(row.payload.get("points", 0)))
    when = _day(letter, date.fromisoformat(row.payload["expires_on"]))
    return EmailContent(
        subject=_("%(points)s expire on %(date)s") % {"points": points, "date": when},
        heading=_("Your points expire soon"),
        paragraphs=[
            _(
                "%(points)s of your balance expire on %(date)s. Use them before then: your next order "
                "keeps your points alive."
            )
            % {"points": points, "date": when},
            _("Your balance now: %(balance)s.") % {"balance": _points(tr, letter, member.points)},
        ],
    )


def _tier_up(row, member: Member, letter: Letter, coupon, now) -> EmailContent:
    tr = translations(letter.locale)
    _ = tr.gettext
    tier = str(row.payload.get("tier", ""))
    return EmailContent(
        subject=_("Welcome to %(tier)s at %(shop)s") % {"tier": tier, "shop": letter.shop_name},
        heading=_("You are now %(tier)s") % {"tier": tier},
        paragraphs=[
            _("Your orders have lifted you to %(tier)s: you now earn more points on every order.") % {"tier": tier}
        ],
    )


_KINDS = {
    "points_earned": _points_earned,
    "coupon_ready": _coupon_ready,
    "points_expiring": _points_expiring,
    "tier_up": _tier_up,
}
