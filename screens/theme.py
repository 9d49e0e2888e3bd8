"""The theme: colours from theme.json, font sizes scaled to the window, text measuring and eliding with «…»."""
from __future__ import annotations

import copy
import json
from functools import cache, lru_cache
from pathlib import Path

import pygame
import pygame_gui

THEME_FILE = Path(__file__).with_name("theme.json")
FONT_DIR = Path(pygame_gui.__file__).with_name("data")
_FONT_FILES = {("noto_sans", False): "NotoSans-Regular.ttf", ("noto_sans", True): "NotoSans-Bold.ttf",
               ("fira_code", False): "FiraCode-Regular.ttf", ("fira_code", True): "FiraCode-Regular.ttf"}
ELLIPSIS = "…"


def scale_for(size: tuple[int, int]) -> float:
    """Font scale: 1.0 at 600 px on the short side, never below 0.9 (arm's-length reading) nor above 1.3."""
    return max(0.9, min(1.3, min(size) / 600))


@cache
def _base_theme() -> dict:
    return json.loads(THEME_FILE.read_text(encoding="utf-8"))


SMALLEST_BASE = 16          # px at 1024×600: no text a cashier reads is drawn smaller (shrinking stops here)
HOVER_KEYS = ("bg", "text", "border")


def smaller_sizes(size: int) -> list[int]:
    """The font sizes (px) a text of `size` px may shrink to before it wraps or is elided: 85 % and 72 %,
    never under 16 px (on a bigger screen the fonts are bigger, so they may shrink further)."""
    out = []
    for f in (0.85, 0.72):
        s = max(SMALLEST_BASE, round(size * f))
        if s < size and s not in out:
            out.append(s)
    return out


class Theme:
    """The pygame_gui theme dictionary for one window size, and the font of every style, for measuring.

    Each style with a font also gets smaller variants `@<style>~1`, `@<style>~2` (see `smaller_sizes`)
    that a text falls back to before it is wrapped or elided. Hover colours equal the normal ones: on a
    touch screen the pointer stays where the finger left, so a hover state would stick."""

    def __init__(self, size: tuple[int, int]) -> None:
        self.scale = scale_for(size)
        self.data = copy.deepcopy(_base_theme())
        self.fonts: dict[str, tuple[str, bool, int]] = {}
        self.variants: dict[str, list[str]] = {}
        for key, block in list(self.data.items()):
            colours = block.get("colours")
            if colours:
                for k in HOVER_KEYS:
                    if f"normal_{k}" in colours:
                        colours[f"hovered_{k}"] = colours[f"normal_{k}"]
            font = block.get("font")
            if not font:
                continue
            base = int(font["size"])
            if font["name"] == "fira_code":
                font["regular_path"] = str(FONT_DIR / "FiraCode-Regular.ttf")
                font["bold"] = "0"
            font["size"] = str(self.px(base))
            self.fonts[key] = (font["name"], font.get("bold") == "1", int(font["size"]))
            if key.startswith("@") and font["name"] == "noto_sans":
                names = []
                for i, small in enumerate(smaller_sizes(self.px(base)), start=1):
                    variant = copy.deepcopy(block)
                    variant["font"]["size"] = str(small)
                    self.data[f"{key}~{i}"] = variant
                    self.fonts[f"{key}~{i}"] = (font["name"], font.get("bold") == "1", small)
                    names.append(f"{key[1:]}~{i}")
                self.variants[key[1:]] = names

    def px(self, base: int) -> int:
        return max(1, round(base * self.scale))

    def font_of(self, style: str, kind: str) -> tuple[str, bool, int]:
        return self.fonts.get(f"@{style}") or self.fonts[kind]

    def colour(self, style: str, key: str, kind: str) -> str:
        """A colour of a style as pygame_gui resolves it: the class block, the element block, the defaults."""
        for block in (self.data.get(f"@{style}", {}), self.data.get(kind, {}), self.data["defaults"]):
            c = block.get("colours", {}).get(key)
            if c:
                return c
        return "#000000"


@lru_cache(maxsize=64)
def font(name: str, bold: bool, size: int) -> pygame.font.Font:
    if not pygame.font.get_init():
        pygame.font.init()
    return pygame.font.Font(str(FONT_DIR / _FONT_FILES[(name, bold)]), size)


def text_width(text: str, spec: tuple[str, bool, int]) -> int:
    return font(*spec).size(text)[0]


def line_height(spec: tuple[str, bool, int]) -> int:
    return font(*spec).get_linesize()


def elide(text: str, spec: tuple[str, bool, int], width: int) -> str:
    """`text` cut with «…» so that it fits `width` pixels (binary search on the length)."""
    if width <= 0:
        return ""
    f = font(*spec)
    if f.size(text)[0] <= width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if f.size(text[:mid].rstrip() + ELLIPSIS)[0] <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + ELLIPSIS


def wrap(text: str, spec: tuple[str, bool, int], width: int) -> list[str]:
    """Word-wrap `text` (keeping its own line breaks) into lines that fit `width` pixels."""
    f = font(*spec)
    out: list[str] = []
    for para in text.split("\n"):
        words, line = para.split(" "), ""
        for w in words:
            cand = f"{line} {w}" if line else w
            if f.size(cand)[0] <= width:
                line = cand
                continue
            if line:
                out.append(line)
            line = w if f.size(w)[0] <= width else elide(w, spec, width)
        out.append(line)
    return out
