"""Coupon codes people can type: a short prefix naming what the coupon is,
then random letters and digits without look-alikes (0/O, 1/I/L).
WooCommerce stores codes lowercased (FACTS.md), so we generate lowercase."""

import secrets

_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_PREFIX = {
    "reward": "pts",
    "tierup": "tier",
    "vip_free_shipping": "vipship",
    "vip_exclusive": "vip",
    "referral": "ref",
    "birthday": "bday",
    "campaign": "promo",
}


def new_coupon_code(source: str, length: int = 10) -> str:
    body = "".join(secrets.choice(_ALPHABET) for _ in range(length))
    return f"{_PREFIX.get(source, 'ls')}-{body}"
