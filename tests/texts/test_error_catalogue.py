"""Every declared error code has a text in ru, be and en; a refusal's text never shows a raw key or placeholder."""
import re
from pathlib import Path

import pytest

import fiscal.errors  # noqa: F401  (declares FiscalCode)
import fsm.errors  # noqa: F401
import hal.errors  # noqa: F401
import storage.errors  # noqa: F401
from texts import LANGUAGES, catalogue
from texts.errors import declared, error_text

ROOT = Path(__file__).resolve().parents[2]
CODES = sorted({str(c) for enum in declared() for c in enum})


def test_every_layer_declares_its_codes():
    names = {e.__name__ for e in declared()}
    assert {"FiscalCode", "StorageCode", "DeviceCode", "OperationCode"} <= names


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_code_has_a_text_in_every_language(lang):
    missing = [c for c in CODES if not catalogue(lang).get(f"error.{c}", "").strip()]
    assert not missing, f"{lang}: no text for {missing}"


def _variants_in_source() -> set[str]:
    found = set()
    for path in ROOT.glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts:
            continue
        found |= set(re.findall(r'variant="([A-Za-z_.]+)"', path.read_text(encoding="utf-8")))
        found |= set(re.findall(r'Denial\("[A-Z_]+", "([A-Za-z_.]+)"', path.read_text(encoding="utf-8")))
    return found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_variant_named_in_the_code_has_a_text(lang):
    missing = sorted(v for v in _variants_in_source() if f"error.{v}" not in catalogue(lang))
    assert not missing, f"{lang}: no text for variants {missing}"


def test_an_unfilled_placeholder_never_shows_braces():
    assert "{" not in error_text("BAD_FIELD", "ru")


def test_the_english_texts_are_not_russian():
    cyrillic = [c for c in CODES if re.search("[а-яА-ЯёЁ]", catalogue("en").get(f"error.{c}", ""))]
    assert not cyrillic, f"Russian text in the English catalogue: {cyrillic}"
