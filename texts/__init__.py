"""Translation catalogue: every text a cashier sees, in Russian, Belarusian and English.

Catalogues are JSON files `texts/locale/<lang>/<domain>.json` (flat key → text with
`{name}` placeholders). Russian is the reference: a key missing in another language falls
back to Russian, and a test checks that none is missing.
"""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LANGUAGES = ("ru", "be", "en")
_DIR = Path(__file__).with_name("locale")
_current = ["ru"]


@cache
def catalogue(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    folder = _DIR / lang
    for f in sorted(folder.glob("*.json")):
        merged.update(json.loads(f.read_text(encoding="utf-8")))
    return merged


def set_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r} is not one of {', '.join(LANGUAGES)}")
    _current[0] = lang


def language() -> str:
    return _current[0]


def t(key: str, lang: str | None = None, **kw: object) -> str:
    """The text for `key` in the current (or given) language, with placeholders filled."""
    text = catalogue(lang or _current[0]).get(key) or catalogue("ru").get(key) or key
    try:
        return text.format(**kw) if kw else text
    except (KeyError, IndexError, ValueError):
        return text
