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
    survey_url: str = ""  # the NPS invite's signed survey link


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
    paragraphs = [
        _("Thank you for shopping with us. Your balance is now %(balance)s.")
        % {"balance": _points(tr, letter, member.points)}
    ]
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


def coupon_details(coupon: Coupon, letter: Letter) -> list[tuple[str, str]]:
    """Value, minimum order and expiry: what a coupon email lists under the code."""
    _ = translations(letter.locale).gettext
    details = [(_("Value"), coupon_value(coupon, letter))]
    if coupon.minimum_amount:
        details.append(
            (_("Minimum order"), money_display(coupon.minimum_amount, letter.currency, babel_locale(letter.locale)))
        )
    if coupon.expires_at is not None:
        details.append((_("Valid until"), _day(letter, coupon.expires_at)))
    return details


def _coupon_email(coupon: Coupon | None, letter: Letter, subject: str, heading: str, paragraph: str) -> EmailContent:
    """A coupon's email (a reward, a campaign): the code to enter and its details; `subject` takes
    the coupon's value and the shop's name."""
    if coupon is None:
        raise NothingToSay("the coupon is not in the books")
    _ = translations(letter.locale).gettext
    return EmailContent(
        subject=subject % {"value": coupon_value(coupon, letter), "shop": letter.shop_name},
        heading=heading,
        paragraphs=[paragraph],
        highlight=(_("Your code"), coupon.code),
        details=coupon_details(coupon, letter),
    )


def _coupon_ready(row, member: Member, letter: Letter, coupon: Coupon | None, now) -> EmailContent:
    _ = translations(letter.locale).gettext
    return _coupon_email(
        coupon,
        letter,
        _("Your reward is ready: %(value)s at %(shop)s"),
        _("Your reward is ready"),
        _(
            "Enter this code at checkout, in the coupon field, and the discount is taken off your "
            "order. It is yours alone: it works with the email address of your account."
        ),
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


def _short_of(row, letter: Letter, tr) -> str:
    """What the member is short of keeping the tier, in the tier's metric."""
    short, metric = str(row.payload.get("short", "0")), row.payload.get("metric", "spend")
    if metric == "spend":
        return money_display(Decimal(short), letter.currency, babel_locale(letter.locale))
    count = int(Decimal(short))
    if metric == "orders":
        number = format_decimal(count, locale=babel_locale(letter.locale))
        return tr.ngettext("%(num)s more order", "%(num)s more orders", count) % {"num": number}
    return _points(tr, letter, count)


def _tier_at_risk(row, member: Member, letter: Letter, coupon, now) -> EmailContent:
    tr = translations(letter.locale)
    _ = tr.gettext
    tier = str(row.payload.get("tier", ""))
    when = _day(letter, date.fromisoformat(row.payload["drops_on"]))
    values = {
        "tier": tier,
        "short": _short_of(row, letter, tr),
        "date": when,
        "lower": str(row.payload.get("drops_to", "")),
    }
    if row.payload.get("metric", "spend") == "spend":
        ask = _("Spend %(short)s more by %(date)s and you stay %(tier)s.") % values
    else:
        ask = _("%(short)s by %(date)s and you stay %(tier)s.") % values
    return EmailContent(
        subject=_("Keep your %(tier)s status at %(shop)s") % {"tier": tier, "shop": letter.shop_name},
        heading=_("Keep your %(tier)s status") % {"tier": tier},
        paragraphs=[ask, _("Otherwise you move to %(lower)s on %(date)s.") % values],
        details=[(_("Still needed"), values["short"]), (_("By"), when)],
    )


def _vip_welcome(row, member: Member, letter: Letter, coupon, now) -> EmailContent:
    tr = translations(letter.locale)
    _ = tr.gettext
    paragraphs = [_("Welcome to the VIP club: you earn more points on every order and get the VIP rewards.")]
    if row.payload.get("until"):
        paragraphs.append(
            _("Your VIP status runs until %(date)s.")
            % {"date": _day(letter, datetime.fromisoformat(row.payload["until"]))}
        )
    return EmailContent(
        subject=_("Welcome to VIP at %(shop)s") % {"shop": letter.shop_name},
        heading=_("You are a VIP now"),
        paragraphs=paragraphs,
    )


def _birthday(row, member: Member, letter: Letter, coupon: Coupon | None, now) -> EmailContent:
    tr = translations(letter.locale)
    _ = tr.gettext
    points = int(row.payload.get("points", 0))
    paragraphs = [_("Happy birthday from all of us at %(shop)s!") % {"shop": letter.shop_name}]
    if points:
        paragraphs.append(
            _("We added %(points)s to your balance as a present.") % {"points": _points(tr, letter, points)}
        )
    content = EmailContent(
        subject=_("Happy birthday from %(shop)s") % {"shop": letter.shop_name},
        heading=_("Happy birthday!"),
        paragraphs=paragraphs,
    )
    if coupon is not None:
        paragraphs.append(_("And a birthday coupon: enter the code at checkout, in the coupon field."))
        content.highlight = (_("Your code"), coupon.code)
        content.details = coupon_details(coupon, letter)
    return content


def _campaign_coupon(row, member: Member, letter: Letter, coupon: Coupon | None, now) -> EmailContent:
    _ = translations(letter.locale).gettext
    return _coupon_email(
        coupon,
        letter,
        _("A coupon for you: %(value)s at %(shop)s"),
        _("A coupon for you"),
        _(
            "We have a coupon for you. Enter this code at checkout, in the coupon field, and the discount is "
            "taken off your order."
        ),
    )


def _referral_reward(row, member: Member, letter: Letter, coupon, now) -> EmailContent:
    tr = translations(letter.locale)
    _ = tr.gettext
    points = _points(tr, letter, int(row.payload.get("points", 0)))
    return EmailContent(
        subject=_("Your friend shopped with us: %(points)s for you") % {"points": points},
        heading=_("Thank you for the recommendation"),
        paragraphs=[
            _("A friend you invited placed their first order with your code. You earned %(points)s.")
            % {"points": points},
            _("Your balance now: %(balance)s.") % {"balance": _points(tr, letter, member.points)},
        ],
    )


def _nps_invite(row, member: Member, letter: Letter, coupon, now) -> EmailContent:
    tr = translations(letter.locale)
    _ = tr.gettext
    if not letter.survey_url:
        raise NotYet("no survey link")
    paragraphs = [
        _("How likely are you to recommend %(shop)s to a friend? One click, from 0 to 10.") % {"shop": letter.shop_name}
    ]
    bonus = int(row.payload.get("bonus", 0))
    if bonus:
        paragraphs.append(_("Your answer earns you %(points)s.") % {"points": _points(tr, letter, bonus)})
    return EmailContent(
        subject=_("A quick question from %(shop)s") % {"shop": letter.shop_name},
        heading=_("Your opinion counts"),
        paragraphs=paragraphs,
        button=(_("Answer the survey"), letter.survey_url),
    )


_KINDS = {
    "points_earned": _points_earned,
    "coupon_ready": _coupon_ready,
    "points_expiring": _points_expiring,
    "tier_up": _tier_up,
    "tier_at_risk": _tier_at_risk,
    "vip_welcome": _vip_welcome,
    "birthday": _birthday,
    "campaign_coupon": _campaign_coupon,
    "referral_reward": _referral_reward,
    "nps_invite": _nps_invite,
}
