"""The UI translation catalogues: the same keys in ru, be and en, the same placeholders, and every key the code names."""
from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LANGS = ("ru", "be", "en")


def load(lang: str) -> dict[str, str]:
    """Every catalogue of the language folder, merged as texts merges it (the `ui.*` keys live in ui.json and in the
    areas' own files)."""
    out: dict[str, str] = {}
    for f in sorted((ROOT / "texts" / "locale" / lang).glob("*.json")):
        out.update({k: v for k, v in json.loads(f.read_text(encoding="utf-8")).items() if k.startswith("ui.")})
    return out


def fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@pytest.mark.parametrize("lang", ["be", "en"])
def test_the_catalogue_has_exactly_the_russian_keys(lang):
    assert set(load(lang)) == set(load("ru"))


@pytest.mark.parametrize("lang", LANGS)
def test_no_text_is_empty_and_placeholders_match_russian(lang):
    ru, cat = load("ru"), load(lang)
    for key, text in cat.items():
        assert text.strip(), key
        assert fields(text) == fields(ru[key]), key


def test_every_literal_key_in_the_screens_exists_in_russian():
    ru = load("ru")
    used = set()
    for f in (ROOT / "screens").glob("*.py"):
        used |= set(re.findall(r'"(ui\.[a-z0-9_.]+[a-z0-9_])"', f.read_text(encoding="utf-8")))
    assert not used - set(ru), sorted(used - set(ru))


def test_belarusian_uses_its_own_letters():
    text = " ".join(load("be").values())
    assert "і" in text and "ў" in text
    assert "ИТОГО" not in text
