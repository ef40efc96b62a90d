"""What the on-site widget shows: the program as a guest sees it, and a
signed member's state on top of it.

The member part is `storefront.members.member_status` (the API's and the
member page's one answer, so the three never disagree), reshaped for a
panel: the next reward and how far away it is, which rewards the points
cover now, the referral link. Money is sent twice: as data (`money_text`,
"5.00") and as the shop's customers read it in the widget's language
(`money_display`, "5,00 €"), so the script never formats a currency itself.
Words are the script's (storefront/static/widget.js): here only codes and
numbers, plus the names the shop gave its rewards and tiers.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from loyalty_sync.actions import nps
from loyalty_sync.analysis.points_preview import CartLine, preview_points
from loyalty_sync.books.history import in_review
from loyalty_sync.books.program_versions import program_in_force
from loyalty_sync.engine.money import money_display, money_text
from loyalty_sync.engine.program import CouponTemplate, Program
from loyalty_sync.extensions import db
from loyalty_sync.models import Member, Store
from storefront.members import member_status

LANGUAGES = ("en", "de")
#: The query parameter of the referral link (the WordPress plugin applies the
#: code to the friend's cart when it sees it; without the plugin the friend
#: types the code, which the widget shows next to the link).
REFERRAL_PARAMETER = "loyalty_ref"
WIDGET_CART_PRODUCT = 0  # the cart as one line: store-wide rules, no product multipliers


def widget_language(wanted: str | None) -> str:
    code = (wanted or "").strip().lower()[:2]
    return code if code in LANGUAGES else "en"


def _money(amount, store: Store, lang: str) -> dict:
    return {"amount": money_text(amount), "text": money_display(Decimal(amount), store.currency, lang)}


def coupon_value(template: CouponTemplate, store: Store, lang: str) -> dict:
    """What a coupon is worth, as data and words: 10% / €5.00, min. spend, free shipping."""
    percent = template.discount_type == "percent"
    value = (
        f"{format(Decimal(template.amount).normalize(), 'f')}%"
        if percent
        else money_display(Decimal(template.amount), store.currency, lang)
    )
    minimum = Decimal(template.minimum_amount or 0)
    return {
        "discount_type": template.discount_type,
        "value_text": value,
        "minimum_spend": _money(minimum, store, lang) if minimum else None,
        "free_shipping": bool(template.free_shipping),
    }


def _threshold(program: Program, value: Decimal, store: Store, lang: str) -> dict:
    if program.tier_metric == "spend":
        return {"metric": "spend", **_money(value, store, lang)}
    return {"metric": program.tier_metric, "amount": str(int(value)), "text": str(int(value))}


def ways_to_earn(program: Program, store: Store, lang: str) -> list[dict]:
    """Each way a customer earns, as a code and its numbers (the script words them)."""
    ways = [
        {
            "kind": "orders",
            "points": format(program.rate.normalize(), "f"),
            "per": money_display(Decimal(1), store.currency, lang),
        }
    ]
    if program.referral_bonus:
        ways.append({"kind": "referral", "points": program.referral_bonus})
    if program.review_bonus:
        ways.append({"kind": "review", "points": program.review_bonus})
    if program.birthday_bonus:
        ways.append({"kind": "birthday", "points": program.birthday_bonus})
    elif program.birthday_coupon is not None:
        ways.append({"kind": "birthday_coupon", **coupon_value(program.birthday_coupon, store, lang)})
    if nps.bonus_points():
        ways.append({"kind": "survey", "points": nps.bonus_points()})
    return ways


def vip_perks(program: Program, store: Store, lang: str) -> dict:
    return {
        "multiplier": format(program.vip_multiplier.normalize(), "f"),
        "free_shipping_monthly": bool(program.vip_free_shipping_monthly),
        "exclusive_coupon": coupon_value(program.vip_exclusive_coupon, store, lang)
        if program.vip_exclusive_coupon is not None
        else None,
        "min_spend": _money(program.vip_min_spend, store, lang),
        "min_orders": program.vip_min_orders,
    }


def program_summary(store: Store, lang: str) -> dict:
    """How the program works: the same for every visitor of the shop."""
    _version, program = program_in_force(store)
    rewards = [
        {"id": r.id, "name": r.name, "points": r.points, **coupon_value(_with_minimum(r.coupon, program), store, lang)}
        for r in program.rewards
    ]
    tiers = [
        {
            "name": t.name,
            "multiplier": format(t.multiplier.normalize(), "f"),
            "threshold": _threshold(program, t.threshold, store, lang),
            "perks": list(t.perks),
        }
        for t in sorted(program.tiers, key=lambda t: t.threshold)
    ]
    return {
        "shop": {"name": store.shop_name, "currency": store.currency, "url": store.url, "timezone": store.timezone},
        "language": lang,
        "open": not in_review(store),
        "ways_to_earn": ways_to_earn(program, store, lang),
        "rewards": sorted(rewards, key=lambda r: r["points"]),
        "tiers": tiers,
        "tier_metric": program.tier_metric,
        "vip": vip_perks(program, store, lang),
    }


def _with_minimum(template: CouponTemplate, program: Program) -> CouponTemplate:
    minimum = max(Decimal(template.minimum_amount or 0), Decimal(program.coupon_minimum_amount or 0))
    return CouponTemplate(
        template.discount_type, template.amount, minimum, template.free_shipping, template.expiry_days
    )


def cart_preview(store: Store, member: Member | None, cart_total: Decimal | None) -> dict | None:
    """ "Earn N points with this cart": the API's points preview of a one-line cart."""
    if cart_total is None or cart_total <= 0:
        return None
    try:
        answer = preview_points(store, member, [CartLine(WIDGET_CART_PRODUCT, 1, cart_total)])
    finally:
        db.session.rollback()  # a preview never writes
    return {"points": answer["points"] if answer["earns"] else 0, "cart_total": money_text(cart_total)}


def referral_link(store: Store, code: str | None, lang: str) -> dict | None:
    """The member's code, the link that carries it, what the friend gets and the member earns."""
    _version, program = program_in_force(store)
    if not code or program.referral_coupon is None:
        return None
    return {
        "code": code,
        "link": f"{store.url.rstrip('/')}/?{urlencode({REFERRAL_PARAMETER: code})}",
        "friend_gets": coupon_value(program.referral_coupon, store, lang)["value_text"],
        "bonus": program.referral_bonus,
    }


def next_reward(rewards: list[dict], spendable: int) -> dict | None:
    """The cheapest reward the points do not cover yet, and how far it is."""
    ahead = [r for r in rewards if r["points"] > spendable]
    if not ahead:
        return None
    target = ahead[0]
    return {
        "id": target["id"],
        "name": target["name"],
        "points": target["points"],
        "to_go": target["points"] - spendable,
        "progress_percent": int(min(100, max(0, spendable * 100 // max(1, target["points"])))),
    }


def _tier_with_words(tier: dict, store: Store, lang: str) -> dict:
    """The API's tier block, with what is still missing as the customer reads it."""
    nxt = tier.get("next")
    if not nxt:
        return tier
    ((metric, value),) = nxt["to_go"].items()
    text = money_display(Decimal(value), store.currency, lang) if metric == "spend" else str(value)
    return {**tier, "next": {**nxt, "to_go_metric": metric, "to_go_text": text}}


def member_state(store: Store, member: Member, lang: str) -> dict:
    """The signed member's panel: points, progress, rewards, coupons, referral."""
    status = member_status(store, member)
    summary = program_summary(store, lang)
    spendable = status["points"]["spendable"]
    rewards = [{**r, "affordable": summary["open"] and r["points"] <= spendable} for r in summary["rewards"]]
    coupons = [
        {
            "code": c["code"],
            "discount_type": c["discount_type"],
            "value_text": f"{c['amount'].rstrip('0').rstrip('.')}%"
            if c["discount_type"] == "percent"
            else money_display(Decimal(c["amount"]), store.currency, lang),
            "expires": c["expires"],
            "usable_now": c["usable_now"],
            "source": c["source"],
        }
        for c in status["coupons"]
        if c["source"] != "referral"  # the member's code for friends: shown with the referral link
    ]
    return {
        **summary,
        "rewards": rewards,
        "member": {
            "first_name": status["first_name"],
            "points": {"spendable": spendable, "pending": status["points"]["pending"]},
            "tier": _tier_with_words(status["tier"], store, lang),
            "next_reward": next_reward(summary["rewards"], spendable),
            "vip": status["vip"],
            "coupons": coupons,
            "referral": referral_link(store, status["referral_code"], lang),
            "expiring": {"points": status["expiring"]["points"], "first_date": status["expiring"]["first_date"]},
        },
    }
