"""The plugin's German translation: every text the PHP code translates is in
the .po with the same placeholders, and the committed .mo files say what the
.po says (WordPress reads only the .mo). Needs no php."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

PLUGIN_TREE = Path(__file__).resolve().parents[2] / "wordpress-plugin"

TRANSLATABLE = re.compile(
    r"""\b(?:__|esc_html__|esc_attr__|_n)\(\s*(['"])(.*?)(?<!\\)\1(?:\s*,\s*(['"])(.*?)(?<!\\)\3)?"""
)


def _php_strings() -> set[str]:
    found = set()
    for path in (PLUGIN_TREE / "loyalty-sync").rglob("*.php"):
        for match in TRANSLATABLE.finditer(path.read_text()):
            found.add(match.group(2).replace("\\'", "'"))
    return found


def test_every_plugin_text_has_a_german_translation_with_the_same_placeholders():
    languages = PLUGIN_TREE / "loyalty-sync" / "languages"
    with (languages / "loyalty-sync-de_DE.po").open("rb") as source:
        catalog = {_first(m.id): m for m in read_po(source) if m.id}
    missing = sorted(_php_strings() - set(catalog))
    assert missing == []
    for message in catalog.values():
        texts = _texts(message.string)
        assert all(sorted(PLACEHOLDER.findall(t)) == sorted(PLACEHOLDER.findall(_first(message.id))) for t in texts)
    for mo in ("loyalty-sync-de_DE.mo", "loyalty-sync-de_DE_formal.mo"):  # compiled from the .po, committed
        with (languages / mo).open("rb") as compiled:
            assert {_first(m.id): _texts(m.string) for m in read_mo(compiled) if m.id} == {
                key: _texts(m.string) for key, m in catalog.items()
            }, f"{mo} is older than the .po: compile it (see the .po's header)"


PLACEHOLDER = re.compile(r"%(?:\d\$)?[sd]")


def _first(message_id):
    return message_id if isinstance(message_id, str) else message_id[0]


def _texts(translation) -> tuple:
    return (translation,) if isinstance(translation, str) else tuple(translation)
