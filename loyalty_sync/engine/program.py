"""The loyalty program as the shop admin configures it.

Every default here is the one written in PRODUCT.md ("Every number below is a
default that an admin can change in the panel"), so `Program()` *is* the
program a freshly connected shop runs. The program is plain data: the engine
functions read it, the panel edits it through `program_to_dict` /
`program_from_dict`, and `validate_program` tells the admin, field by field,
what cannot work before it is saved.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any

ROUNDING_MODES = ("floor", "round", "ceil")
TIER_METRICS = ("spend", "orders", "points")
TIER_WINDOWS = ("rolling_12_months", "lifetime")
EXPIRY_MODES = ("fifo", "inactivity", "none")
DISCOUNT_TYPES = ("percent", "fixed_cart")
# Every status WooCommerce accepts for an order (FACTS.md, OBSERVED.md 084).
ORDER_STATUSES = (
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
    "trash",
    "checkout-draft",
    "auto-draft",
)
# Statuses that can never earn: a shop cannot make them earning by config.
NEVER_EARNING_STATUSES = ("cancelled", "refunded", "failed", "trash", "checkout-draft", "auto-draft")
# Orders that count as revenue (KPIs, the dashboard, what-if): paid for and not given back.
PAID_STATUSES = ("completed", "processing")


@dataclass(frozen=True)
class FieldError:
    """One thing wrong with a program, addressed like the panel's form field."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


@dataclass(frozen=True)
class MultiplierRule:
    """ "Double points on shoes this month": a factor for a product or a category.

    With neither product nor category the rule applies to every line (a
    store-wide campaign). The window includes `starts` and excludes `ends`, so
    back-to-back campaigns never overlap at the hand-over instant.
    """

    factor: Decimal
    product_id: int | None = None
    category_id: int | None = None
    starts: datetime | None = None
    ends: datetime | None = None
    label: str = ""


@dataclass(frozen=True)
class CouponTemplate:
    """What a coupon gives; the code, owner and dates are decided when issued."""

    discount_type: str
    amount: Decimal
    minimum_amount: Decimal = Decimal(0)
    free_shipping: bool = False
    # None: the program's coupon_expiry_days applies.
    expiry_days: int | None = None


@dataclass(frozen=True)
class Tier:
    name: str
    threshold: Decimal
    multiplier: Decimal
    tierup_coupon: CouponTemplate | None = None
    perks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reward:
    """A catalogue entry: so many points buy this coupon."""

    id: str
    name: str
    points: int
    coupon: CouponTemplate


DEFAULT_TIERS = (
    Tier("Bronze", Decimal(0), Decimal("1.0")),
    Tier("Silver", Decimal(300), Decimal("1.25"), CouponTemplate("fixed_cart", Decimal(5))),
    Tier("Gold", Decimal(1000), Decimal("1.5"), CouponTemplate("percent", Decimal(10))),
)

DEFAULT_REWARDS = (
    Reward("500-points-5-off", "5 off the cart", 500, CouponTemplate("fixed_cart", Decimal(5))),
    Reward("1000-points-12-off", "12 off the cart", 1000, CouponTemplate("fixed_cart", Decimal(12))),
)


@dataclass(frozen=True)
class Program:
    # Earning
    rate: Decimal = Decimal(1)
    include_tax: bool = False
    include_shipping: bool = False
    rounding: str = "floor"
    earning_statuses: tuple[str, ...] = ("completed",)
    min_order: Decimal = Decimal(0)
    multipliers: tuple[MultiplierRule, ...] = ()
    stack_multipliers: bool = False
    pending_days: int = 0
    # Tiers
    tier_metric: str = "spend"
    tier_window: str = "rolling_12_months"
    tiers: tuple[Tier, ...] = DEFAULT_TIERS
    tier_grace_days: int = 30
    # VIP club
    vip_min_spend: Decimal = Decimal(1000)
    vip_min_orders: int = 5
    vip_top_percent: Decimal | None = None
    vip_membership_sku: str | None = "VIP-MEMBERSHIP"
    vip_membership_days: int = 365
    vip_multiplier: Decimal = Decimal("1.1")
    vip_free_shipping_monthly: bool = True
    vip_exclusive_coupon: CouponTemplate | None = CouponTemplate("percent", Decimal(10))
    # Rewards and coupons
    rewards: tuple[Reward, ...] = DEFAULT_REWARDS
    auto_redeem: bool = True
    coupon_expiry_days: int = 90
    coupon_minimum_amount: Decimal = Decimal(0)
    restore_on_expiry: bool = True
    # Points expiry
    expiry_mode: str = "fifo"
    expiry_months: int = 12
    # Referrals, birthday, reviews
    referral_bonus: int = 200
    referral_coupon: CouponTemplate | None = CouponTemplate("percent", Decimal(10))
    birthday_meta_key: str = "birthday"
    birthday_bonus: int = 0
    birthday_coupon: CouponTemplate | None = CouponTemplate("fixed_cart", Decimal(5))
    review_bonus: int = 50
    reviews_per_month: int = 4

    def tier_named(self, name: str) -> Tier | None:
        for tier in self.tiers:
            if tier.name == name:
                return tier
        return None

    @cached_property  # asked at every plan and every order's first earn
    def entry_tier(self) -> Tier:
        """The tier every member starts in: the lowest threshold."""
        return min(self.tiers, key=lambda t: t.threshold)

    @cached_property  # asked at every tier re-evaluation
    def tier_ranks(self) -> dict[str, int]:
        """Tier name -> position on the ladder by threshold (0 = entry). Read-only."""
        ranks: dict[str, int] = {}
        for i, tier in enumerate(sorted(self.tiers, key=lambda t: t.threshold)):
            ranks.setdefault(tier.name, i)
        return ranks


DEFAULT_PROGRAM = Program()


# ---------------------------------------------------------------------------
# dict <-> Program (JSON-able, for the database column and the admin panel)


def _to_jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_to_jsonable(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _to_jsonable(getattr(value, f.name)) for f in fields(value)}
    return value


def program_to_dict(program: Program) -> dict:
    """The program as JSON-able data: Decimals as strings, datetimes ISO 8601."""
    return _to_jsonable(program)


class ProgramFormatError(ValueError):
    """A stored or submitted program dict that cannot be read at all."""


def _dec(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or isinstance(value, float):
        # Floats would smuggle binary rounding into the books.
        raise ProgramFormatError(f"{where}: write numbers as strings or integers, not {value!r}")
    try:
        result = Decimal(str(value).strip()) if isinstance(value, str) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ProgramFormatError(f"{where}: {value!r} is not a number") from None
    if not result.is_finite():
        raise ProgramFormatError(f"{where}: {value!r} is not a finite number")
    return result


def _opt_dec(value: Any, where: str) -> Decimal | None:
    return None if value is None else _dec(value, where)


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool):
        raise ProgramFormatError(f"{where}: {value!r} is not a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise ProgramFormatError(f"{where}: {value!r} is not a whole number")


def _opt_int(value: Any, where: str) -> int | None:
    return None if value is None else _int(value, where)


def _bool(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    raise ProgramFormatError(f"{where}: {value!r} is not true/false")


def _str(value: Any, where: str) -> str:
    if isinstance(value, str):
        return value
    raise ProgramFormatError(f"{where}: {value!r} is not text")


def _opt_dt(value: Any, where: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        dt = value
    else:
        try:
            dt = datetime.fromisoformat(_str(value, where))
        except ValueError:
            raise ProgramFormatError(f"{where}: {value!r} is not an ISO date-time") from None
    if dt.tzinfo is None:
        # The panel speaks UTC; a naive value is read as UTC, never local time.
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def _coupon(d: Any, where: str) -> CouponTemplate:
    if isinstance(d, CouponTemplate):
        return d
    if not isinstance(d, dict):
        raise ProgramFormatError(f"{where}: expected a coupon object")
    return CouponTemplate(
        discount_type=_str(d.get("discount_type"), f"{where}.discount_type"),
        amount=_dec(d.get("amount"), f"{where}.amount"),
        minimum_amount=_dec(d.get("minimum_amount", 0), f"{where}.minimum_amount"),
        free_shipping=_bool(d.get("free_shipping", False), f"{where}.free_shipping"),
        expiry_days=_opt_int(d.get("expiry_days"), f"{where}.expiry_days"),
    )


def _opt_coupon(d: Any, where: str) -> CouponTemplate | None:
    return None if d is None else _coupon(d, where)


def _list(value: Any, where: str) -> list:
    if not isinstance(value, (list, tuple)):
        raise ProgramFormatError(f"{where}: expected a list")
    return list(value)


def _multiplier(d: Any, where: str) -> MultiplierRule:
    if not isinstance(d, dict):
        raise ProgramFormatError(f"{where}: expected a multiplier object")
    return MultiplierRule(
        factor=_dec(d.get("factor"), f"{where}.factor"),
        product_id=_opt_int(d.get("product_id"), f"{where}.product_id"),
        category_id=_opt_int(d.get("category_id"), f"{where}.category_id"),
        starts=_opt_dt(d.get("starts"), f"{where}.starts"),
        ends=_opt_dt(d.get("ends"), f"{where}.ends"),
        label=_str(d.get("label", ""), f"{where}.label"),
    )


def _tier(d: Any, where: str) -> Tier:
    if not isinstance(d, dict):
        raise ProgramFormatError(f"{where}: expected a tier object")
    return Tier(
        name=_str(d.get("name"), f"{where}.name"),
        threshold=_dec(d.get("threshold"), f"{where}.threshold"),
        multiplier=_dec(d.get("multiplier"), f"{where}.multiplier"),
        tierup_coupon=_opt_coupon(d.get("tierup_coupon"), f"{where}.tierup_coupon"),
        perks=tuple(_str(p, f"{where}.perks") for p in _list(d.get("perks", []), f"{where}.perks")),
    )


def _reward(d: Any, where: str) -> Reward:
    if not isinstance(d, dict):
        raise ProgramFormatError(f"{where}: expected a reward object")
    return Reward(
        id=_str(d.get("id"), f"{where}.id"),
        name=_str(d.get("name"), f"{where}.name"),
        points=_int(d.get("points"), f"{where}.points"),
        coupon=_coupon(d.get("coupon"), f"{where}.coupon"),
    )


_DECIMAL_FIELDS = ("rate", "min_order", "vip_min_spend", "vip_multiplier", "coupon_minimum_amount")
_INT_FIELDS = (
    "pending_days",
    "tier_grace_days",
    "vip_min_orders",
    "vip_membership_days",
    "coupon_expiry_days",
    "expiry_months",
    "referral_bonus",
    "birthday_bonus",
    "review_bonus",
    "reviews_per_month",
)
_BOOL_FIELDS = (
    "include_tax",
    "include_shipping",
    "stack_multipliers",
    "vip_free_shipping_monthly",
    "auto_redeem",
    "restore_on_expiry",
)
_STR_FIELDS = ("rounding", "tier_metric", "tier_window", "expiry_mode", "birthday_meta_key")
_OPT_COUPON_FIELDS = ("vip_exclusive_coupon", "referral_coupon", "birthday_coupon")


def program_from_dict(d: dict) -> Program:
    """Read a program written by `program_to_dict` (or by the panel).

    Missing keys take the PRODUCT.md defaults, so a program saved by an older
    version keeps working when a setting is added. Unknown keys are refused:
    a typo in a setting name must not silently fall back to a default.
    Raises ProgramFormatError when a value cannot be read; `validate_program`
    judges values that can be read but make no sense.
    """
    if not isinstance(d, dict):
        raise ProgramFormatError("program: expected an object")
    known = {f.name for f in fields(Program)}
    unknown = sorted(set(d) - known)
    if unknown:
        raise ProgramFormatError(f"program: unknown settings {', '.join(unknown)}")
    kw: dict[str, Any] = {}
    for name, value in d.items():
        if name in _DECIMAL_FIELDS:
            kw[name] = _dec(value, name)
        elif name in _INT_FIELDS:
            kw[name] = _int(value, name)
        elif name in _BOOL_FIELDS:
            kw[name] = _bool(value, name)
        elif name in _STR_FIELDS:
            kw[name] = _str(value, name)
        elif name in _OPT_COUPON_FIELDS:
            kw[name] = _opt_coupon(value, name)
        elif name == "earning_statuses":
            kw[name] = tuple(_str(s, name) for s in _list(value, name))
        elif name == "multipliers":
            kw[name] = tuple(_multiplier(m, f"multipliers.{i}") for i, m in enumerate(_list(value, name)))
        elif name == "tiers":
            kw[name] = tuple(_tier(t, f"tiers.{i}") for i, t in enumerate(_list(value, name)))
        elif name == "rewards":
            kw[name] = tuple(_reward(r, f"rewards.{i}") for i, r in enumerate(_list(value, name)))
        elif name == "vip_top_percent":
            kw[name] = _opt_dec(value, name)
        elif name == "vip_membership_sku":
            kw[name] = None if value is None else _str(value, name)
        else:  # pragma: no cover - every field is listed above
            raise ProgramFormatError(f"{name}: not readable")
    return Program(**kw)


# ---------------------------------------------------------------------------
# validation


def _coupon_errors(c: CouponTemplate, where: str) -> list[FieldError]:
    errors = []
    if c.discount_type not in DISCOUNT_TYPES:
        errors.append(FieldError(f"{where}.discount_type", f"must be one of {', '.join(DISCOUNT_TYPES)}"))
    if c.amount <= 0:
        errors.append(FieldError(f"{where}.amount", "must be more than 0"))
    elif c.discount_type == "percent" and c.amount > 100:
        # WooCommerce refuses it too (coupon_invalid_amount).
        errors.append(FieldError(f"{where}.amount", "a percentage cannot be above 100"))
    if c.minimum_amount < 0:
        errors.append(FieldError(f"{where}.minimum_amount", "cannot be negative"))
    if c.expiry_days is not None and c.expiry_days <= 0:
        errors.append(FieldError(f"{where}.expiry_days", "must be at least 1 day"))
    return errors


def validate_program(p: Program) -> list[FieldError]:
    """Everything that would make the program misbehave, per form field.

    An empty list means the program can be saved and run.
    """
    errors: list[FieldError] = []

    def err(field_name: str, message: str) -> None:
        errors.append(FieldError(field_name, message))

    if p.rate < 0:
        err("rate", "cannot be negative")
    if p.rounding not in ROUNDING_MODES:
        err("rounding", f"must be one of {', '.join(ROUNDING_MODES)}")
    if not p.earning_statuses:
        err("earning_statuses", "at least one status must earn")
    for i, status in enumerate(p.earning_statuses):
        if status not in ORDER_STATUSES:
            err(f"earning_statuses.{i}", f"unknown order status {status!r}")
        elif status in NEVER_EARNING_STATUSES:
            err(f"earning_statuses.{i}", f"{status!r} orders can never earn")
    if len(set(p.earning_statuses)) != len(p.earning_statuses):
        err("earning_statuses", "a status is listed twice")
    if p.min_order < 0:
        err("min_order", "cannot be negative")
    for i, m in enumerate(p.multipliers):
        if m.factor <= 0:
            err(f"multipliers.{i}.factor", "must be more than 0")
        for name in ("starts", "ends"):
            value = getattr(m, name)
            if value is not None and value.utcoffset() is None:
                err(f"multipliers.{i}.{name}", "needs a time zone")
        if (
            m.starts is not None
            and m.ends is not None
            and m.starts.utcoffset() is not None
            and m.ends.utcoffset() is not None
            and m.ends <= m.starts
        ):
            err(f"multipliers.{i}.ends", "must be after the start")
    if p.pending_days < 0:
        err("pending_days", "cannot be negative")

    if p.tier_metric not in TIER_METRICS:
        err("tier_metric", f"must be one of {', '.join(TIER_METRICS)}")
    if p.tier_window not in TIER_WINDOWS:
        err("tier_window", f"must be one of {', '.join(TIER_WINDOWS)}")
    if not p.tiers:
        err("tiers", "at least one tier is needed")
    else:
        if p.tiers[0].threshold != 0:
            err("tiers.0.threshold", "the first tier must start at 0")
        names = set()
        for i, t in enumerate(p.tiers):
            if not t.name.strip():
                err(f"tiers.{i}.name", "cannot be empty")
            elif t.name in names:
                err(f"tiers.{i}.name", "names must be unique")
            names.add(t.name)
            if t.multiplier <= 0:
                err(f"tiers.{i}.multiplier", "must be more than 0")
            if i > 0 and t.threshold <= p.tiers[i - 1].threshold:
                err(f"tiers.{i}.threshold", "thresholds must rise")
            if t.tierup_coupon is not None:
                errors.extend(_coupon_errors(t.tierup_coupon, f"tiers.{i}.tierup_coupon"))
    if p.tier_grace_days < 0:
        err("tier_grace_days", "cannot be negative")

    if p.vip_min_spend < 0:
        err("vip_min_spend", "cannot be negative")
    if p.vip_min_orders < 0:
        err("vip_min_orders", "cannot be negative")
    if p.vip_top_percent is not None and not (0 < p.vip_top_percent <= 100):
        err("vip_top_percent", "must be between 0 and 100")
    if p.vip_membership_sku is not None and not p.vip_membership_sku.strip():
        err("vip_membership_sku", "empty; leave it unset to sell no membership")
    if p.vip_membership_days <= 0:
        err("vip_membership_days", "must be at least 1 day")
    if p.vip_multiplier <= 0:
        err("vip_multiplier", "must be more than 0")
    if p.vip_exclusive_coupon is not None:
        errors.extend(_coupon_errors(p.vip_exclusive_coupon, "vip_exclusive_coupon"))

    ids = set()
    for i, r in enumerate(p.rewards):
        if r.points <= 0:
            err(f"rewards.{i}.points", "must be more than 0")
        if not r.id.strip():
            err(f"rewards.{i}.id", "cannot be empty")
        elif r.id in ids:
            err(f"rewards.{i}.id", "ids must be unique")
        ids.add(r.id)
        errors.extend(_coupon_errors(r.coupon, f"rewards.{i}.coupon"))
    if p.coupon_expiry_days <= 0:
        err("coupon_expiry_days", "must be at least 1 day")
    if p.coupon_minimum_amount < 0:
        err("coupon_minimum_amount", "cannot be negative")

    if p.expiry_mode not in EXPIRY_MODES:
        err("expiry_mode", f"must be one of {', '.join(EXPIRY_MODES)}")
    if p.expiry_months <= 0:
        err("expiry_months", "must be at least 1 month")
    for name in ("referral_bonus", "birthday_bonus", "review_bonus", "reviews_per_month"):
        if getattr(p, name) < 0:
            err(name, "cannot be negative")
    for name in ("referral_coupon", "birthday_coupon"):
        c = getattr(p, name)
        if c is not None:
            errors.extend(_coupon_errors(c, name))
    if not p.birthday_meta_key.strip():
        err("birthday_meta_key", "cannot be empty")
    return errors
