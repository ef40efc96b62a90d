"""The personal member page `/m/<token>` and the survey link `/s/<token>`.

No password: the signed, expiring token in the link is the key (see
loyalty_sync/books/member_links.py), so the page shows exactly one member and
nothing about anyone else. A tampered or expired link gets a clear page
saying so (and how to get a fresh one), never an error trace. The page is in
the store's currency and language (STOREFRONT_LANGUAGES = {store name:
locale}; else the browser's, among the translations; English by default;
`?lang=de` to choose).
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from babel.numbers import format_decimal
from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale, gettext as _, ngettext

from loyalty_sync.actions import nps
from loyalty_sync.extensions import db
from loyalty_sync.books.member_links import LinkExpired, LinkInvalid, read_token
from loyalty_sync.engine.money import money_display
from loyalty_sync.shop_time import shop_time
from loyalty_sync.models import LedgerEntry, Member, Store
from loyalty_sync.books.program_versions import program_in_force
from storefront.members import member_status, order_multipliers

PAGE_LEDGER_LINES = 50


class _Unusable(Exception):
    def __init__(self, expired: bool):
        self.expired = expired


def _factor(value) -> str:
    return format_decimal(Decimal(value).normalize(), locale=str(get_locale() or "en"))


def plain_words(entry: LedgerEntry, multipliers: dict, program) -> str:
    """One ledger line as a member would say it: "+42 points for order #1234, x1.25 Silver"."""
    points = entry.points
    signed = f"{'+' if points > 0 else '−' if points < 0 else ''}{format_decimal(abs(points), locale=str(get_locale() or 'en'))}"
    amount = ngettext("%(amount)s point", "%(amount)s points", abs(points), amount=signed)
    key = entry.key or ""
    if entry.kind == "earn" and entry.order_wc_id is not None:
        text = _("%(amount)s for order #%(order)s", amount=amount, order=entry.order_wc_id)
        tier_mult, vip_mult = multipliers.get(entry.order_wc_id, (None, None))
        parts = []
        if tier_mult is not None and tier_mult != 1:
            tier = next((t.name for t in program.tiers if t.multiplier == tier_mult), "")
            parts.append(f"x{_factor(tier_mult)} {tier}".strip())
        if vip_mult is not None and vip_mult != 1:
            parts.append(_("x%(factor)s VIP", factor=_factor(vip_mult)))
        if not parts and tier_mult is None and entry.multiplier is not None and entry.multiplier != 1:
            parts.append(f"x{_factor(entry.multiplier)}")
        return ", ".join([text, *parts])
    if entry.kind == "reverse" and entry.order_wc_id is not None:
        return _("%(amount)s: order #%(order)s was refunded or cancelled", amount=amount, order=entry.order_wc_id)
    if entry.kind == "redeem":
        name = entry.reason.split("-> ", 1)[1] if "-> " in entry.reason else ""
        return (
            _("%(amount)s for a coupon: %(reward)s", amount=amount, reward=name)
            if name
            else _("%(amount)s for a coupon", amount=amount)
        )
    if entry.kind == "expire":
        return _("%(amount)s expired", amount=amount)
    if entry.kind == "restore":
        return _("%(amount)s back: a coupon expired unused", amount=amount)
    if entry.kind == "bonus":
        if key.startswith("nps:"):
            return _("%(amount)s for answering the survey", amount=amount)
        if key.startswith("referral:"):
            return _("%(amount)s for referring a friend", amount=amount)
        if key.startswith("review:"):
            return _("%(amount)s for a product review", amount=amount)
        if key.startswith("birthday:"):
            return _("%(amount)s for your birthday", amount=amount)
        return _("%(amount)s bonus", amount=amount)
    if entry.kind == "adjust":
        return _("%(amount)s: correction by the shop (%(reason)s)", amount=amount, reason=entry.reason)
    return f"{amount}: {entry.reason}"


def _resolve(token: str, kind: str) -> tuple[Store, Member]:
    try:
        target = read_token(token, kind)
    except LinkExpired:
        raise _Unusable(expired=True) from None
    except LinkInvalid:
        raise _Unusable(expired=False) from None
    member = db.session.get(Member, target.member_id)
    if (
        member is None
        or member.store_id != target.store_id
        or member.merged_into_id is not None
        or member.anonymised_at is not None
    ):
        raise _Unusable(expired=False)
    store = db.session.get(Store, member.store_id)
    languages = current_app.config.get("STOREFRONT_LANGUAGES") or {}
    request.environ["storefront.language"] = languages.get(store.name)
    request.environ["storefront.timezone"] = store.timezone
    return store, member


def _unusable_page(error: _Unusable):
    status = 410 if error.expired else 404
    return render_template("storefront/link_error.html", expired=error.expired), status


def make_blueprint() -> Blueprint:
    bp = Blueprint(
        "member_page", __name__, template_folder="templates", static_folder="static", static_url_path="/m-assets"
    )

    @bp.context_processor
    def _locale():
        return {"get_locale": get_locale}

    @bp.app_template_filter("sf_money")
    def _money(value, currency):
        return money_display(value, currency, str(get_locale() or "en"))

    @bp.app_template_filter("sf_number")
    def _number(value):
        return format_decimal(value, locale=str(get_locale() or "en"))

    @bp.app_template_filter("sf_date")
    def _date(value):
        if not value:
            return ""
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if isinstance(value, datetime):  # the day it is in the shop, not in UTC
            value = shop_time(value, request.environ.get("storefront.timezone")).date()
        return format_date(value, format="medium")

    @bp.route("/m/<token>", methods=["GET"])
    def member_page(token):
        try:
            store, member = _resolve(token, "page")
        except _Unusable as error:
            return _unusable_page(error)
        now = datetime.now(timezone.utc)
        status = member_status(store, member, now=now)
        _version, program = program_in_force(store)
        multipliers = order_multipliers(member)
        entries = (
            db.session.execute(
                db.select(LedgerEntry)
                .where(LedgerEntry.member_id == member.id)
                .order_by(LedgerEntry.at.desc(), LedgerEntry.id.desc())
                .limit(PAGE_LEDGER_LINES)
            )
            .scalars()
            .all()
        )
        ledger = [{"at": e.at, "points": e.points, "text": plain_words(e, multipliers, program)} for e in entries]
        survey = nps.survey_state(member, now)
        db.session.rollback()  # read only
        return render_template(
            "storefront/member.html",
            store=store,
            member=member,
            s=status,
            ledger=ledger,
            survey=survey,
            token=token,
            answered=request.args.get("answered"),
            bonus=nps.bonus_points(),
            error=request.args.get("error"),
        )

    def _answer(token: str, kind: str, back: str):
        try:
            store, member = _resolve(token, kind)
        except _Unusable as error:
            return _unusable_page(error)
        try:
            score = int(request.form.get("score", ""))
        except ValueError:
            return redirect(url_for(back, token=token, error="score") + "#survey", code=303)
        try:
            nps.record_answer(
                store, member, score, request.form.get("comment", ""), source="page" if kind == "page" else "survey"
            )
        except nps.NpsRefused as refused:
            code = "already" if refused.code == "already_answered" else "score"
            return redirect(url_for(back, token=token, error=code) + "#survey", code=303)
        return redirect(url_for(back, token=token, answered="1") + "#survey", code=303)

    @bp.route("/m/<token>/nps", methods=["POST"])
    def member_page_answer(token):
        return _answer(token, "page", "member_page.member_page")

    @bp.route("/s/<token>", methods=["GET", "POST"])
    def survey(token):
        if request.method == "POST":
            return _answer(token, "survey", "member_page.survey")
        try:
            store, member = _resolve(token, "survey")
        except _Unusable as error:
            return _unusable_page(error)
        state = nps.survey_state(member)
        db.session.rollback()
        return render_template(
            "storefront/survey.html",
            store=store,
            member=member,
            survey=state,
            token=token,
            answered=request.args.get("answered"),
            bonus=nps.bonus_points(),
            error=request.args.get("error"),
        )

    return bp
