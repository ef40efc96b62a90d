"""Column types that keep the books exact on SQLite and PostgreSQL alike.

SQLite has no time zones and no decimals: `UTCDateTime` stores naive UTC and
always hands back aware UTC datetimes; `Money` and `Factor` are Numeric columns
that always hand back `Decimal` (never float).
"""

from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import JSON, DateTime, Numeric, TypeDecorator

from loyalty_sync.engine.money import cents, money_text


class UTCDateTime(TypeDecorator):
    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} would be ambiguous; use aware UTC")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


class Money(TypeDecorator):
    """Store amounts with 2 decimals (WooCommerce's default price decimals), rounded
    half up like every other amount (engine/money.py)."""

    impl = Numeric(14, 2)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("money must be Decimal, not float")
        return money_text(value)

    def process_result_value(self, value, dialect):
        return None if value is None else cents(str(value))  # SQLite may hand back a float


class Factor(TypeDecorator):
    """Multipliers such as 1.25 or 1.1, exact."""

    impl = Numeric(10, 4)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("factors must be Decimal, not float")
        return str(Decimal(value))

    def process_result_value(self, value, dialect):
        return None if value is None else Decimal(str(value)).normalize()


JSONDoc = JSON().with_variant(JSON(none_as_null=True), "postgresql")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
