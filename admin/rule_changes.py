"""A saved rule change in words: "Silver threshold: 300 → 200", one line per
rule that differs between two programs (as `program_to_dict` stores them), so
the audit log reads like the rules form and never as cut JSON.

Tiers are matched by name and rewards by id (a renamed tier reads as one
removed and one added); multipliers have no identity, so a changed one reads
as the old one removed and the new one added.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import NamedTuple

from admin.rules_form import CHOICES, LABELS

ARROW = "→"
_CHOICE_TEXT = {key: dict(options) for key, options in CHOICES.items()}
_LIST_FIELDS = ("tiers", "rewards", "multipliers")
_EXTRA_LABELS = {  # fields the form does not show as plain inputs
    "vip_free_shipping_monthly": "Monthly free-shipping coupon for VIPs",
}


class Change(NamedTuple):
    """One changed rule: what, and its value before and after ("none" for
    a rule that was not there, "removed" for one that is gone)."""

    what: str
    before: str
    after: str

    def __str__(self) -> str:
        return f"{self.what}: {self.before} {ARROW} {self.after}"


ADDED = "none"
REMOVED = "removed"


def is_program(value) -> bool:
    """Whether an audit entry's before/after is a program document."""
    return isinstance(value, dict) and {"rate", "tiers", "rewards"} <= set(value)


def plain(value) -> str:
    """A stored value as a person reads it: on/off, none, a comma list."""
    if value is None or value == "" or value == []:
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list) and all(isinstance(v, (str, int)) for v in value):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict) and "discount_type" in value and "amount" in value:
        return coupon_text(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return str(value)


def coupon_text(coupon: dict | None) -> str:
    """ "5 off", "10% off + free shipping, minimum spend 20, valid 30 days"."""
    if not coupon:
        return "none"
    amount = str(coupon.get("amount", ""))
    parts = [f"{amount}% off" if coupon.get("discount_type") == "percent" else f"{amount} off"]
    if coupon.get("free_shipping"):
        parts[0] = "free shipping" if amount in ("0", "0.00") else parts[0] + " + free shipping"
    minimum = str(coupon.get("minimum_amount") or "0")
    if minimum not in ("0", "0.00"):
        parts.append(f"minimum spend {minimum}")
    if coupon.get("expiry_days") is not None:
        parts.append(f"valid {coupon['expiry_days']} days")
    return ", ".join(parts)


def _label(key: str) -> str:
    return LABELS.get(key) or _EXTRA_LABELS.get(key) or key.replace("_", " ").capitalize()


def _field_value(key: str, value) -> str:
    if key in _CHOICE_TEXT and isinstance(value, str):
        return _CHOICE_TEXT[key].get(value, value)
    return plain(value)


def _line(what: str, before: str, after: str) -> Change:
    return Change(what, before, after)


def _tier_text(tier: dict) -> str:
    text = f"from {tier.get('threshold')}, points x{tier.get('multiplier')}"
    if tier.get("tierup_coupon"):
        text += f", tier-up reward {coupon_text(tier['tierup_coupon'])}"
    return text


def _tier_lines(before: list, after: list) -> list[Change]:
    old = {t.get("name"): t for t in before}
    new = {t.get("name"): t for t in after}
    lines = []
    for name, tier in new.items():
        was = old.get(name)
        if was is None:
            lines.append(Change(f"Tier {name}", ADDED, _tier_text(tier)))
            continue
        for key, label in (
            ("threshold", "threshold"),
            ("multiplier", "points multiplier"),
            ("tierup_coupon", "tier-up reward"),
            ("perks", "perks"),
        ):
            if was.get(key) != tier.get(key):
                lines.append(_line(f"{name} {label}", plain(was.get(key)), plain(tier.get(key))))
    lines += [Change(f"Tier {name}", _tier_text(tier), REMOVED) for name, tier in old.items() if name not in new]
    return lines


def _reward_text(reward: dict) -> str:
    return f"{reward.get('points')} points for {coupon_text(reward.get('coupon'))}"


def _reward_lines(before: list, after: list) -> list[Change]:
    old = {r.get("id"): r for r in before}
    new = {r.get("id"): r for r in after}
    lines = []
    for rid, reward in new.items():
        was = old.get(rid)
        if was is None:
            lines.append(Change(f"Reward “{reward.get('name')}”", ADDED, _reward_text(reward)))
            continue
        title = f"Reward “{reward.get('name')}”"
        if was.get("name") != reward.get("name"):
            lines.append(_line(f"Reward “{was.get('name')}” name", str(was.get("name")), str(reward.get("name"))))
        if was.get("points") != reward.get("points"):
            lines.append(_line(f"{title} points", str(was.get("points")), str(reward.get("points"))))
        if was.get("coupon") != reward.get("coupon"):
            lines.append(_line(f"{title} coupon", coupon_text(was.get("coupon")), coupon_text(reward.get("coupon"))))
    lines += [
        Change(f"Reward “{reward.get('name')}”", _reward_text(reward), REMOVED)
        for rid, reward in old.items()
        if rid not in new
    ]
    return lines


def _multiplier_text(rule: dict) -> str:
    if rule.get("product_id") is not None:
        target = f"product {rule['product_id']}"
    elif rule.get("category_id") is not None:
        target = f"category {rule['category_id']}"
    else:
        target = "every product"
    text = f"x{rule.get('factor')} on {target}"
    if rule.get("starts") or rule.get("ends"):
        text += f" ({(rule.get('starts') or '')[:10] or '…'} to {(rule.get('ends') or '')[:10] or '…'})"
    return f"“{rule['label']}” {text}" if rule.get("label") else text


def _multiplier_lines(before: list, after: list) -> list[Change]:
    old = Counter(_multiplier_text(r) for r in before)
    new = Counter(_multiplier_text(r) for r in after)
    return [Change("Multiplier", text, REMOVED) for text in sorted((old - new).elements())] + [
        Change("Multiplier", ADDED, text) for text in sorted((new - old).elements())
    ]


_LIST_LINES = {"tiers": _tier_lines, "rewards": _reward_lines, "multipliers": _multiplier_lines}


def rule_changes(before: dict | None, after: dict | None) -> list[Change]:
    """Every difference between two program documents, one line each, in
    the order of the fields (a first version: every rule "none → ...")."""
    before, after = before or {}, after or {}
    lines = []
    for key in list(after) + [k for k in before if k not in after]:
        was, now = before.get(key), after.get(key)
        if was == now:
            continue
        if key in _LIST_FIELDS:
            lines += _LIST_LINES[key](was or [], now or [])
        else:
            lines.append(_line(_label(key), _field_value(key, was), _field_value(key, now)))
    return lines


def setting_changes(before, after) -> list[Change]:
    """Any other audit entry's change, one line per key that differs (nested
    dicts by dotted key), in full."""
    lines = []
    old, new = _flat(before), _flat(after)
    for key in list(new) + [k for k in old if k not in new]:
        if old.get(key) != new.get(key):
            lines.append(_line(key, plain(old.get(key)), plain(new.get(key))))
    return lines


def _flat(value, prefix: str = "") -> dict:
    if not isinstance(value, dict):
        return {} if value is None else {prefix or "value": value}
    flat = {}
    for key, item in value.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(item, dict) and item and not ("discount_type" in item and "amount" in item):
            flat.update(_flat(item, name))
        else:
            flat[name] = item
    return flat


def change_lines(before, after) -> list[Change]:
    """The readable change of one audit entry, whatever it recorded."""
    if is_program(before) or is_program(after):
        return rule_changes(before if isinstance(before, dict) else None, after if isinstance(after, dict) else None)
    return setting_changes(before, after)
