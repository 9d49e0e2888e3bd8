"""Icons from Font Awesome Free (solid), the icon font the `fontawesomefree` package ships, drawn as glyphs.

The font is SIL OFL 1.1 (the icons CC BY 4.0); nothing is drawn by hand. Icons are named
as in Font Awesome's own metadata (`metadata/icons.yml` in the package); the test checks
every code point here against that file.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import pygame

ICONS: dict[str, int] = {
    "cart-shopping": 0xF07A, "truck": 0xF0D1, "cash-register": 0xF788, "receipt": 0xF543,
    "chart-column": 0xE0E3, "boxes-stacked": 0xF468, "gear": 0xF013, "right-from-bracket": 0xF2F5,
    "magnifying-glass": 0xF002, "barcode": 0xF02A, "weight-scale": 0xF496, "percent": 0x25,
    "xmark": 0xF00D, "trash-can": 0xF2ED, "money-bill-wave": 0xF53A, "credit-card": 0xF09D,
    "qrcode": 0xF029, "gift": 0xF06B, "arrow-rotate-left": 0xF0E2, "print": 0xF02F, "lock": 0xF023,
    "user": 0xF007, "unlock": 0xF09C, "cart-plus": 0xF217, "users": 0xF0C0, "circle-question": 0xF059, "circle-info": 0xF05A, "plus": 0x2B,
    "minus": 0xF068, "star": 0xF005, "keyboard": 0xF11C, "list": 0xF03A, "folder-open": 0xF07C,
    "hard-drive": 0xF0A0, "calendar-days": 0xF073, "triangle-exclamation": 0xF071, "circle-check": 0xF058,
    "delete-left": 0xF55A, "file-export": 0xF56E, "file-import": 0xF56F, "broom": 0xF51A,
    "screwdriver-wrench": 0xF7D9, "hand-holding-dollar": 0xF4C0, "money-bill-transfer": 0xE528,
    "wallet": 0xF555, "tags": 0xF02C, "store": 0xF54E, "id-card": 0xF2C2, "ban": 0xF05E,
    "hourglass-half": 0xF252, "sliders": 0xF1DE, "layer-group": 0xF5FD, "file-lines": 0xF15C,
    "arrow-left": 0xF060, "bars": 0xF0C9, "chevron-up": 0xF077, "chevron-down": 0xF078,
    "chevron-left": 0xF053, "chevron-right": 0xF054, "house": 0xF015, "calculator": 0xF1EC,
}


def font_path() -> Path:
    """The solid face of Font Awesome Free inside the installed `fontawesomefree` package."""
    root = resources.files("fontawesomefree") / "static" / "fontawesomefree" / "webfonts" / "fa-solid-900.ttf"
    return Path(str(root))


@lru_cache(maxsize=8)
def _font(size: int) -> pygame.font.Font:
    if not pygame.font.get_init():
        pygame.font.init()
    return pygame.font.Font(str(font_path()), size)


@lru_cache(maxsize=256)          # bounded: a till runs for days, the set of (icon, size, colour) is small
def glyph(name: str, size: int, colour: str) -> pygame.Surface:
    """The icon `name` as a surface `size` px high, in `colour` (#RRGGBB), on transparency."""
    surf = _font(size).render(chr(ICONS[name]), True, pygame.Color(colour))
    return surf.convert_alpha() if pygame.display.get_init() and pygame.display.get_surface() else surf
