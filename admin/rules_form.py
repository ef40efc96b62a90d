"""The program rules as a web form: flatten a Program into form values, read
the submitted form back into a Program with errors per field, and describe
what changed.

Form field names are the paths `validate_program` uses (`rate`,
`tiers.1.threshold`, `rewards.0.coupon.amount`...), so every error lands
next to the field it is about. Settings the form does not show (e.g. a
coupon's free-shipping flag) are kept from the program being edited.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation

from loyalty_sync.analysis.membership_sku import FIX, unknown_membership_sku
from loyalty_sync.analysis.rule_warnings import warnings_for
from loyalty_sync.engine.program import (
    DISCOUNT_TYPES,
    EXPIRY_MODES,
    NEVER_EARNING_STATUSES,
    ORDER_STATUSES,
    ROUNDING_MODES,
    TIER_METRICS,
    TIER_WINDOWS,
    FieldError,
    Program,
    ProgramFormatError,
    program_from_dict,
    program_to_dict,
    validate_program,
)
from loyalty_sync.extensions import db
from loyalty_sync.models import Category, Product, Store

EARNABLE_STATUSES = tuple(s for s in ORDER_STATUSES if s not in NEVER_EARNING_STATUSES)
#: The checkbox shown with an unknown-SKU error: save a SKU whose product does not exist yet.
ALLOW_UNKNOWN_SKU = "allow_unknown_sku"
ALLOW_UNKNOWN_SKU_LABEL = "Save anyway: the product will be created later"

CHOICES = {
    "rounding": [("floor", "Round down (floor)"), ("round", "Round to nearest"), ("ceil", "Round up (ceil)")],
    "tier_metric": [("spend", "Money spent"), ("orders", "Number of orders"), ("points", "Points earned")],
    "tier_window": [("rolling_12_months", "Last 12 months (rolling)"), ("lifetime", "Lifetime")],
    "expiry_mode": [
        ("fifo", "Points expire N months after they were earned (oldest first)"),
        ("inactivity", "All points expire after N months without an order"),
        ("none", "Points never expire"),
    ],
    "discount_type": [("fixed_cart", "Amount off the cart"), ("percent", "Percentage off")],
}
assert {c for c, _ in CHOICES["rounding"]} == set(ROUNDING_MODES)
assert {c for c, _ in CHOICES["tier_metric"]} == set(TIER_METRICS)
assert {c for c, _ in CHOICES["tier_window"]} == set(TIER_WINDOWS)
assert {c for c, _ in CHOICES["expiry_mode"]} == set(EXPIRY_MODES)
assert {c for c, _ in CHOICES["discount_type"]} == set(DISCOUNT_TYPES)

# (field, label, kind, help in the shop owner's words)
SECTIONS: list[tuple[str, str, list[tuple[str, str, str, str]]]] = [
    (
        "earning",
        "Earning points",
        [
            (
                "rate",
                "Points per 1 of your currency",
                "decimal",
                "How many points a customer gets for each unit of money spent, e.g. 1 = one point per euro.",
            ),
            ("include_tax", "Count tax", "bool", "Give points on the tax part of an order too."),
            ("include_shipping", "Count shipping", "bool", "Give points on the shipping cost too."),
            (
                "rounding",
                "Rounding",
                "choice",
                "Orders rarely give a whole number of points; this decides which way to round, once per order.",
            ),
            (
                "earning_statuses",
                "Orders earn when they are",
                "statuses",
                "Points are given when an order reaches one of these statuses. 'Completed' is safest; add 'processing' to give points at payment.",
            ),
            (
                "min_order",
                "Minimum order amount",
                "money",
                "Orders below this amount earn nothing (0 = every order earns).",
            ),
            (
                "pending_days",
                "Return window (days)",
                "int",
                "Points count in the balance at once but can be spent only after this many days, so a returned order cannot be spent first. 0 = at once.",
            ),
            (
                "stack_multipliers",
                "Stack multipliers",
                "bool",
                "When several multipliers apply to the same product, multiply them together instead of using only the highest.",
            ),
        ],
    ),
    (
        "tiers",
        "Tiers",
        [
            ("tier_metric", "Tiers are reached by", "choice", "What moves a member up the ladder."),
            ("tier_window", "Counted over", "choice", "Only the last 12 months, or everything since the first order."),
            (
                "tier_grace_days",
                "Grace period before a demotion (days)",
                "int",
                "A member who falls below their tier keeps it this long before moving down. Promotions happen at once.",
            ),
        ],
    ),
    (
        "vip",
        "VIP club",
        [
            ("vip_min_spend", "Spend needed in 12 months", "money", "Members who spend at least this much..."),
            (
                "vip_min_orders",
                "...with at least this many orders",
                "int",
                "...in the last 12 months join the club automatically.",
            ),
            (
                "vip_top_percent",
                "Or: top % of members by spend",
                "optional_decimal",
                "Optional: the best N% of members by 12-month spend are VIP too. Leave empty to use only the thresholds.",
            ),
            (
                "vip_membership_sku",
                "Membership product SKU",
                "optional_text",
                "A product customers can buy to join the club; it must exist in your store. Leave empty if you sell no membership.",
            ),
            (
                "vip_membership_days",
                "Membership length (days)",
                "int",
                "How long a bought membership lasts from payment.",
            ),
            (
                "vip_multiplier",
                "Extra points multiplier for VIPs",
                "decimal",
                "VIPs earn this many times the points, e.g. 1.1 = 10% more.",
            ),
            (
                "vip_free_shipping_monthly",
                "Monthly free-shipping coupon",
                "bool",
                "VIPs get a free-shipping coupon each month.",
            ),
            (
                "vip_exclusive_coupon",
                "Exclusive VIP coupon",
                "coupon",
                "A coupon given when a member joins the club. Leave the amount empty for none.",
            ),
        ],
    ),
    (
        "rewards",
        "Rewards",
        [
            (
                "auto_redeem",
                "Turn points into coupons automatically",
                "bool",
                "When a balance reaches the cheapest reward, the best reward it covers is issued and the points are deducted.",
            ),
        ],
    ),
    (
        "coupons",
        "Coupons",
        [
            ("coupon_expiry_days", "Coupons are valid for (days)", "int", "After this, an unused coupon expires."),
            (
                "coupon_minimum_amount",
                "Minimum spend to use a coupon",
                "money",
                "Shown on every coupon; 0 = no minimum.",
            ),
            (
                "restore_on_expiry",
                "Give points back when a coupon expires unused",
                "bool",
                "If a reward coupon is never used, the member gets its points back.",
            ),
        ],
    ),
    (
        "expiry",
        "Points expiry",
        [
            (
                "expiry_mode",
                "How points expire",
                "choice",
                "Expiring points keep the liability small; members see the date on their statement.",
            ),
            ("expiry_months", "Months", "int", "The N in the expiry rule above."),
        ],
    ),
    (
        "extras",
        "Referrals, birthdays and reviews",
        [
            (
                "referral_bonus",
                "Referral bonus (points)",
                "int",
                "Points for the member whose coupon brought a new customer's first completed order.",
            ),
            (
                "referral_coupon",
                "Friend's referral coupon",
                "coupon",
                "What the new customer gets with the member's referral code. Empty amount: none.",
            ),
            (
                "birthday_meta_key",
                "Birthday field in the store",
                "text",
                "The customer meta key that holds the birthday.",
            ),
            (
                "birthday_bonus",
                "Birthday bonus (points)",
                "int",
                "Points given once a year in the birthday week (0 = none).",
            ),
            (
                "birthday_coupon",
                "Birthday coupon",
                "coupon",
                "A coupon given in the birthday week. Empty amount: none.",
            ),
            (
                "review_bonus",
                "Review bonus (points)",
                "int",
                "For an approved review of a product the member bought, once per product.",
            ),
            (
                "reviews_per_month",
                "Review bonuses per month at most",
                "int",
                "Caps review bonuses per member and month.",
            ),
        ],
    ),
]

ROW_HELP = {
    "multipliers": "Extra points on some products or categories, optionally only between two dates "
    '("double points on shoes this month": factor 2). When several apply, the highest wins unless they stack.',
    "tiers": "The ladder, lowest first: the first tier starts at 0 and every threshold must be higher than the one before. "
    "The multiplier boosts the points of members in that tier; the tier-up coupon is given once, on reaching it.",
    "rewards": "What points buy. Each reward is a coupon: so many points for so much off.",
}

LABELS = {name: label for _, _, fields in SECTIONS for name, label, _, _ in fields}
KINDS = {name: kind for _, _, fields in SECTIONS for name, _, kind, _ in fields}


# --- Program -> flat form values --------------------------------------------------------


def _date_text(value: str | None, *, end: bool = False) -> str:
    if not value:
        return ""
    dt = datetime.fromisoformat(value)
    if end:  # stored exclusive end at midnight; shown as the last day of the campaign
        dt = dt - timedelta(days=1) if dt.time() == time(0) else dt
    return dt.date().isoformat()


def form_values(program: Program) -> dict:
    d = program_to_dict(program)
    values: dict = {}
    for name, kind in KINDS.items():
        value = d.get(name)
        if kind == "bool":
            values[name] = "1" if value else ""
        elif kind == "statuses":
            values[name] = list(value or [])
        elif kind == "coupon":
            _coupon_values(values, name, value)
        else:
            values[name] = "" if value is None else str(value)
    for i, m in enumerate(d["multipliers"]):
        p = f"multipliers.{i}."
        values[p + "label"] = m.get("label", "")
        values[p + "factor"] = str(m["factor"])
        values[p + "target"] = (
            f"product:{m['product_id']}"
            if m.get("product_id") is not None
            else f"category:{m['category_id']}"
            if m.get("category_id") is not None
            else "all"
        )
        values[p + "starts"] = _date_text(m.get("starts"))
        values[p + "ends"] = _date_text(m.get("ends"), end=True)
    for i, t in enumerate(d["tiers"]):
        p = f"tiers.{i}."
        values[p + "name"], values[p + "threshold"], values[p + "multiplier"] = (
            t["name"],
            str(t["threshold"]),
            str(t["multiplier"]),
        )
        values[p + "perks"] = "; ".join(t.get("perks") or [])
        _coupon_values(values, p + "tierup_coupon", t.get("tierup_coupon"))
    for i, r in enumerate(d["rewards"]):
        p = f"rewards.{i}."
        values[p + "id"], values[p + "name"], values[p + "points"] = r["id"], r["name"], str(r["points"])
        _coupon_values(values, p + "coupon", r["coupon"])
    values["_rows"] = {"multipliers": len(d["multipliers"]), "tiers": len(d["tiers"]), "rewards": len(d["rewards"])}
    return values


def _coupon_values(values: dict, prefix: str, coupon: dict | None) -> None:
    coupon = coupon or {}
    values[prefix + ".discount_type"] = coupon.get("discount_type", "fixed_cart")
    values[prefix + ".amount"] = str(coupon["amount"]) if coupon.get("amount") is not None else ""
    values[prefix + ".minimum_amount"] = str(coupon.get("minimum_amount", "0")) if coupon else ""


# --- submitted form -> Program -------------------------------------------------------------


@dataclass
class ParsedRules:
    values: dict
    errors: dict[str, str]
    program: Program | None
    index_map: dict = dc_field(default_factory=dict)  # engine list position -> submitted form row

    @property
    def digest(self) -> str:
        return rules_digest(self.program) if self.program else ""


def rules_digest(program: Program) -> str:
    return hashlib.sha256(json.dumps(program_to_dict(program), sort_keys=True).encode()).hexdigest()[:32]


class _Reader:
    def __init__(self, form):
        self.form = form
        self.errors: dict[str, str] = {}

    def text(self, name: str) -> str:
        return (self.form.get(name) or "").strip()

    def decimal(self, name: str, *, optional: bool = False) -> str | None:
        raw = (
            self.text(name).replace(",", ".")
            if self.text(name).count(",") == 1 and "." not in self.text(name)
            else self.text(name)
        )
        if raw == "":
            if optional:
                return None
            self.errors.setdefault(name, "Enter a number.")
            return "0"
        try:
            value = Decimal(raw)
        except InvalidOperation:
            self.errors.setdefault(name, f"'{raw}' is not a number.")
            return "0"
        if not value.is_finite():
            self.errors.setdefault(name, f"'{raw}' is not a number.")
            return "0"
        return str(value)

    def integer(self, name: str) -> int:
        raw = self.text(name)
        if not re.fullmatch(r"-?\d+", raw):
            self.errors.setdefault(name, "Enter a whole number." if raw == "" else f"'{raw}' is not a whole number.")
            return 0
        return int(raw)

    def flag(self, name: str) -> bool:
        return self.form.get(name) in ("1", "on", "true", "yes")

    def date(self, name: str, *, end: bool = False) -> str | None:
        raw = self.text(name)
        if not raw:
            return None
        try:
            day = datetime.fromisoformat(raw).date()
        except ValueError:
            self.errors.setdefault(name, "Use a date like 2026-12-31.")
            return None
        dt = datetime.combine(day, time(0), tzinfo=timezone.utc)
        return (dt + timedelta(days=1) if end else dt).isoformat()

    def coupon(self, prefix: str, base: dict | None, *, optional: bool) -> dict | None:
        amount = self.decimal(prefix + ".amount", optional=optional)
        if amount is None:
            return None
        coupon = dict(base or {"free_shipping": False, "expiry_days": None})
        coupon["discount_type"] = self.text(prefix + ".discount_type") or "fixed_cart"
        coupon["amount"] = amount
        minimum = self.decimal(prefix + ".minimum_amount", optional=True)
        coupon["minimum_amount"] = minimum if minimum is not None else coupon.get("minimum_amount", "0")
        return coupon


def _row_indexes(form, prefix: str) -> list[int]:
    found = set()
    pattern = re.compile(rf"^{prefix}\.(\d+)\.")
    for key in form.keys():
        match = pattern.match(key)
        if match:
            found.add(int(match.group(1)))
    return sorted(found)


def _row_blank(form, prefix: str, fields: tuple[str, ...]) -> bool:
    return all(not (form.get(f"{prefix}.{f}") or "").strip() for f in fields)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "reward"


def parse_form(form, base: Program, store: Store | None) -> ParsedRules:
    """Read a submitted rules form over `base` (the program being edited)."""
    r = _Reader(form)
    d = program_to_dict(base)
    for name, kind in KINDS.items():
        if kind == "bool":
            d[name] = r.flag(name)
        elif kind == "decimal" or kind == "money":
            d[name] = r.decimal(name)
        elif kind == "optional_decimal":
            d[name] = r.decimal(name, optional=True)
        elif kind == "int":
            d[name] = r.integer(name)
        elif kind in ("choice", "text"):
            d[name] = r.text(name)
        elif kind == "optional_text":
            d[name] = r.text(name) or None
        elif kind == "statuses":
            d[name] = [s for s in form.getlist(name)] if hasattr(form, "getlist") else list(form.get(name) or [])
        elif kind == "coupon":
            d[name] = r.coupon(name, d.get(name), optional=True)

    base_multipliers, base_tiers, base_rewards = d["multipliers"], d["tiers"], d["rewards"]
    # Rows keep their submitted index so errors point at the right line.
    multipliers, tiers, rewards = [], [], []
    index_map: dict[str, dict[int, int]] = {"multipliers": {}, "tiers": {}, "rewards": {}}
    for i in _row_indexes(form, "multipliers"):
        p = f"multipliers.{i}"
        if _row_blank(form, p, ("factor", "label", "starts", "ends")):
            continue
        target = r.text(p + ".target") or "all"
        kind, _, ident = target.partition(":")
        rule = {
            "factor": r.decimal(p + ".factor"),
            "label": r.text(p + ".label"),
            "product_id": None,
            "category_id": None,
            "starts": r.date(p + ".starts"),
            "ends": r.date(p + ".ends", end=True),
        }
        if kind in ("product", "category") and ident.isdigit():
            rule[f"{kind}_id"] = int(ident)
        index_map["multipliers"][len(multipliers)] = i
        multipliers.append(rule)
    for i in _row_indexes(form, "tiers"):
        p = f"tiers.{i}"
        if _row_blank(form, p, ("name", "threshold", "multiplier")):
            continue
        old = base_tiers[i] if i < len(base_tiers) else {}
        tier = {
            "name": r.text(p + ".name"),
            "threshold": r.decimal(p + ".threshold"),
            "multiplier": r.decimal(p + ".multiplier"),
            "perks": [x.strip() for x in r.text(p + ".perks").split(";") if x.strip()],
            "tierup_coupon": r.coupon(p + ".tierup_coupon", old.get("tierup_coupon"), optional=True),
        }
        index_map["tiers"][len(tiers)] = i
        tiers.append(tier)
    for i in _row_indexes(form, "rewards"):
        p = f"rewards.{i}"
        if _row_blank(form, p, ("name", "points", "coupon.amount")):
            continue
        old = base_rewards[i] if i < len(base_rewards) else {}
        points = r.integer(p + ".points")
        name = r.text(p + ".name")
        reward = {
            "id": r.text(p + ".id") or f"{points}-points-{_slug(name)}",
            "name": name,
            "points": points,
            "coupon": r.coupon(p + ".coupon", old.get("coupon"), optional=False),
        }
        index_map["rewards"][len(rewards)] = i
        rewards.append(reward)
    d["multipliers"], d["tiers"], d["rewards"] = multipliers, tiers, rewards
    del base_multipliers

    values = form_values_from_form(form)
    if r.errors:
        return ParsedRules(values, r.errors, None)
    try:
        program = program_from_dict(d)
    except ProgramFormatError as exc:  # a value the reader let through but the engine cannot read
        field, _, message = str(exc).partition(": ")
        return ParsedRules(values, {_form_field(field, index_map): message or str(exc)}, None)
    errors: dict[str, str] = {}
    allow_unknown_sku = r.flag(ALLOW_UNKNOWN_SKU)
    for error in validate_program(program) + store_errors(program, store, allow_unknown_sku=allow_unknown_sku):
        errors.setdefault(_form_field(error.field, index_map), _sentence(error.message))
    return ParsedRules(values, errors, None if errors else program, index_map)


def _sentence(message: str) -> str:
    message = message.strip()
    return (message[:1].upper() + message[1:]).rstrip(".") + "."


def _form_field(path: str, index_map: dict[str, dict[int, int]]) -> str:
    """The engine's path of a list item (its position among non-blank rows)
    back to the form row it came from; product/category errors to the picker."""
    parts = path.split(".")
    if len(parts) >= 2 and parts[0] in index_map and parts[1].isdigit():
        parts[1] = str(index_map[parts[0]].get(int(parts[1]), int(parts[1])))
        if parts[0] == "multipliers" and len(parts) >= 3 and parts[2] in ("product_id", "category_id"):
            parts[2] = "target"
    return ".".join(parts)


def field_warnings(parsed: ParsedRules, store: Store | None) -> dict[str, list[str]]:
    """`rule_warnings.warnings_for` of a parsed form, addressed like its errors
    (form field -> messages). Warnings never block saving."""

    if parsed.program is None:
        return {}
    found: dict[str, list[str]] = {}
    for warning in warnings_for(parsed.program, store):
        found.setdefault(_form_field(warning.field, parsed.index_map), []).append(_sentence(warning.message))
    return found


def form_values_from_form(form) -> dict:
    values = {key: (form.get(key) or "") for key in form.keys() if key != "csrf_token"}
    values["earning_statuses"] = form.getlist("earning_statuses") if hasattr(form, "getlist") else []
    rows = {}
    for prefix in ("multipliers", "tiers", "rewards"):
        indexes = _row_indexes(form, prefix)
        rows[prefix] = (max(indexes) + 1) if indexes else 0
    values["_rows"] = rows
    return values


def store_errors(program: Program, store: Store | None, *, allow_unknown_sku: bool = False) -> list[FieldError]:
    """Checks that need the store's catalogue. An unknown membership SKU is
    refused unless the admin ticked ALLOW_UNKNOWN_SKU (membership_sku.py)."""
    if store is None:
        return []
    errors = []
    problem = None if allow_unknown_sku else unknown_membership_sku(program, store)
    if problem:
        errors.append(FieldError("vip_membership_sku", f'{problem}; {FIX}, or tick "{ALLOW_UNKNOWN_SKU_LABEL}"'))
    for i, rule in enumerate(program.multipliers):
        if (
            rule.product_id is not None
            and not db.session.execute(
                db.select(Product.id).where(Product.store_id == store.id, Product.wc_id == rule.product_id).limit(1)
            ).first()
        ):
            errors.append(
                FieldError(f"multipliers.{i}.product_id", f"product #{rule.product_id} is not in the catalogue")
            )
        if (
            rule.category_id is not None
            and not db.session.execute(
                db.select(Category.id).where(Category.store_id == store.id, Category.wc_id == rule.category_id).limit(1)
            ).first()
        ):
            errors.append(
                FieldError(f"multipliers.{i}.category_id", f"category #{rule.category_id} is not in the catalogue")
            )
    return errors


# --- what changed ------------------------------------------------------------------------


def _flat(program: Program) -> dict[str, str]:
    out: dict[str, str] = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else key, item)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for i, item in enumerate(value):
                walk(f"{prefix}.{i}", item)
        elif isinstance(value, list):
            out[prefix] = ", ".join(str(v) for v in value) or "(none)"
        else:
            out[prefix] = (
                "(none)" if value is None else ("yes" if value is True else "no" if value is False else str(value))
            )

    walk("", program_to_dict(program))
    return out


def describe(path: str, program: Program) -> str:
    parts = path.split(".")
    head = parts[0]
    if head == "tiers" and len(parts) > 1:
        i = int(parts[1])
        name = program.tiers[i].name if i < len(program.tiers) else f"#{i + 1}"
        return f"Tier {i + 1} ({name}) · {' '.join(parts[2:]).replace('_', ' ')}"
    if head == "rewards" and len(parts) > 1:
        i = int(parts[1])
        name = program.rewards[i].name if i < len(program.rewards) else f"#{i + 1}"
        return f"Reward {i + 1} ({name}) · {' '.join(parts[2:]).replace('_', ' ')}"
    if head == "multipliers" and len(parts) > 1:
        return f"Multiplier {int(parts[1]) + 1} · {' '.join(parts[2:]).replace('_', ' ')}"
    label = LABELS.get(head, head.replace("_", " "))
    return label + ("" if len(parts) == 1 else " · " + " ".join(parts[1:]).replace("_", " "))


def changes(before: Program, after: Program) -> list[tuple[str, str, str]]:
    """(setting, before, after) for every setting that differs, in form order."""
    old, new = _flat(before), _flat(after)
    keys = list(old) + [k for k in new if k not in old]
    return [
        (describe(k, after if k in new else before), old.get(k, "(none)"), new.get(k, "(none)"))
        for k in keys
        if old.get(k) != new.get(k)
    ]
