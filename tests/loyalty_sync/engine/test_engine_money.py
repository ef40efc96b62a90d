"""Money as text: data ("2.13") and words ("€2.13") round a half cent up alike."""

from decimal import Decimal

import pytest

from loyalty_sync.engine.money import NO_AMOUNT, cents, money_display, money_text, optional_money_text

D = Decimal


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (D("2.125"), "2.13"),
        (D("2.135"), "2.14"),
        (D("2.124"), "2.12"),
        (D("-2.125"), "-2.13"),
        (D(5), "5.00"),
        (7, "7.00"),
        ("1234.5", "1234.50"),
        (D("0.005"), "0.01"),
    ],
)
def test_money_as_data_has_two_decimals_and_rounds_halves_up(amount, text):
    assert money_text(amount) == text
    assert cents(amount) == D(text)


def test_money_is_never_a_float():
    with pytest.raises(TypeError):
        money_text(2.125)
    with pytest.raises(TypeError):
        money_display(2.125, "EUR")


def test_a_missing_amount_is_null_as_data_and_a_dash_in_words():
    assert optional_money_text(None) is None and optional_money_text(D("1.5")) == "1.50"
    assert money_display(None, "EUR") == NO_AMOUNT == "–"


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "words"),
    [
        (D("2.125"), "EUR", "en", "€2.13"),
        (D("1234.5"), "EUR", "en", "€1,234.50"),
        (D("-5"), "EUR", "en", "-€5.00"),
        (D("1234.5"), "EUR", "de", "1.234,50\xa0€"),
        (D("-2.125"), "EUR", "de", "-2,13\xa0€"),
        (D("3.60"), "gbp", "en", "£3.60"),
        (D("1234.5"), "JPY", "en", "¥1,235"),  # no minor unit: a half yen rounds up too
        (D("10"), "SEK", "sv", "10,00\xa0kr"),
        (D("10"), "XYZ", "en", "XYZ10.00"),  # a code Babel does not know still says which money
        (D("1234.5"), "", "en", "1,234.50"),  # an order without a currency: the number alone
    ],
)
def test_money_in_words_is_babels_with_the_currency_and_locale(amount, currency, locale, words):
    assert money_display(amount, currency, locale) == words
