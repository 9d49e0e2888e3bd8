"""The virtual printer's paper: printed items, their plain text, and a PNG of the thermal roll (576 dots)."""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import qrcode

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

LINE_DOTS = 30          # one text line (font A, default line spacing) in dots
MARGIN = 16             # paper above the first line and below the cut
RENDER_LOCK = threading.Lock()    # pygame.freetype is not re-entrant across threads


@dataclass(frozen=True)
class Span:
    text: str
    bold: bool = False
    width: int = 1      # character width multiplier (columns per character)
    height: int = 1
    underline: bool = False


@dataclass(frozen=True)
class TextLine:
    spans: tuple[Span, ...]
    align: int = 0      # 0 left, 1 centre, 2 right

    @property
    def cols(self) -> int:
        return sum(len(s.text) * s.width for s in self.spans)


@dataclass(frozen=True)
class QrBlock:
    data: str
    module: int = 3
    ec: int = 49        # 48 L, 49 M, 50 Q, 51 H
    align: int = 0


@dataclass(frozen=True)
class BarcodeBlock:
    kind: int           # GS k type: 2/67 EAN-13, 73 CODE128, others drawn as text only
    data: bytes
    height: int = 162
    module: int = 3
    hri: int = 0
    align: int = 0

    @property
    def label(self) -> str:
        raw = self.data.decode("latin-1")
        return raw[2:] if self.kind == 73 and raw[:1] == "{" else raw


@dataclass(frozen=True)
class RasterBlock:
    width_bytes: int
    height: int
    data: bytes
    align: int = 0


@dataclass(frozen=True)
class CutMark:
    partial: bool


Item = TextLine | QrBlock | BarcodeBlock | RasterBlock | CutMark


def _pad(body: str, cols: int, align: int, columns: int) -> str:
    room = max(columns - cols, 0)
    left = room // 2 if align == 1 else room if align == 2 else 0
    return " " * left + body


def page_text(items: list[Item], columns: int) -> str:
    """What a person reads on the page, one line per printed line; codes and pictures as [brackets]."""
    out: list[str] = []
    for it in items:
        if isinstance(it, TextLine):
            body = "".join(s.text for s in it.spans)
            out.append(_pad(body, it.cols, it.align, columns).rstrip() if body.strip() else "")
        elif isinstance(it, QrBlock):
            out.append(f"[QR: {it.data}]")
        elif isinstance(it, BarcodeBlock):
            name = {2: "EAN-13", 67: "EAN-13", 73: "CODE128"}.get(it.kind, f"barcode {it.kind}")
            out.append(f"[{name}: {it.label}]")
        elif isinstance(it, RasterBlock):
            out.append(f"[image {it.width_bytes * 8}x{it.height}]")
        else:
            out.append("-" * columns + (" (partial cut)" if it.partial else ""))
    return "\n".join(out) + "\n"

# --- barcode module patterns -----------------------------------------------------------------------

_EAN_L = ("0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011", "0110111", "0001011")
_EAN_PARITY = ("LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG", "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL")
# CODE128 symbol values 0..105 as bar/space widths (the standard table), then the stop pattern.
_C128 = ("212222 222122 222221 121223 121322 131222 122213 122312 132212 221213 221312 231212 112232 122132 "
         "122231 113222 123122 123221 223211 221132 221231 213212 223112 312131 311222 321122 321221 312212 "
         "322112 322211 212123 212321 232121 111323 131123 131321 112313 132113 132311 211313 231113 231311 "
         "112133 112331 132131 113123 113321 133121 313121 211331 231131 213113 213311 213131 311123 311321 "
         "331121 312113 312311 332111 314111 221411 431111 111224 111422 121124 121421 141122 141221 112214 "
         "112412 122114 122411 142112 142211 241211 221114 413111 241112 134111 111242 121142 121241 114212 "
         "124112 124211 411212 421112 421211 212141 214121 412121 111143 111341 131141 114113 114311 411113 "
         "411311 113141 114131 311141 411131 211412 211214 211232").split()
_C128_STOP = "2331112"


def ean13_modules(digits: str) -> list[bool] | None:
    """The 95 modules of an EAN-13 symbol (12 or 13 digits; the check digit is recomputed), or None."""
    if not (digits.isascii() and digits.isdigit() and len(digits) in (12, 13)):
        return None
    d = [int(c) for c in digits[:12]]
    d.append((10 - sum(v * (3 if i % 2 else 1) for i, v in enumerate(d)) % 10) % 10)
    bits = "101"
    for i, v in enumerate(d[1:7]):
        code = _EAN_L[v]
        bits += code if _EAN_PARITY[d[0]][i] == "L" else "".join("1" if c == "0" else "0" for c in code)[::-1]
    bits += "01010"
    bits += "".join("".join("1" if c == "0" else "0" for c in _EAN_L[v]) for v in d[7:])
    return [c == "1" for c in bits + "101"]


def code128_values(data: bytes) -> list[int]:
    """ESC/POS CODE128 data ({A/{B/{C code set selections, {{ for a brace) to symbol values incl. start."""
    values: list[int] = []
    cset, i = "B", 0
    while i < len(data):
        c = data[i]
        if c == 0x7B and i + 1 < len(data):
            sel = data[i + 1]
            i += 2
            if sel in (0x41, 0x42, 0x43):
                cset = chr(sel)
                values.append(103 + sel - 0x41 if not values else {"A": 101, "B": 100, "C": 99}[cset])
            elif sel == 0x7B:
                values.append(0x7B - 32)
            elif sel == 0x31:
                values.append(102)                              # FNC1
            continue
        if not values:
            values.append(104)
        if cset == "C":
            values.append(c % 100)
        elif cset == "A":
            values.append(c + 64 if c < 32 else (c - 32) % 96)
        else:
            values.append((c - 32) % 96)
        i += 1
    return values


def code128_modules(data: bytes) -> list[bool] | None:
    values = code128_values(data)
    if len(values) < 2:
        return None
    check = (values[0] + sum(i * v for i, v in enumerate(values[1:], 1))) % 103
    widths = "".join(_C128[v] for v in values + [check]) + _C128_STOP
    return [k % 2 == 0 for k, w in enumerate(widths) for _ in range(int(w))]


def mono_font():  # type: ignore[no-untyped-def]
    import pygame.freetype
    if not pygame.freetype.get_init():
        pygame.freetype.init()
    path = resources.files("pygame_gui.data") / "FiraCode-Regular.ttf"
    font = pygame.freetype.Font(str(path))
    font.origin = True
    font.pad = False
    return font


def _bars(modules: list[bool], module: int, height: int):  # type: ignore[no-untyped-def]
    import pygame
    surf = pygame.Surface((max(len(modules) * module, 1), height))
    surf.fill((255, 255, 255))
    for i, black in enumerate(modules):
        if black:
            surf.fill((0, 0, 0), (i * module, 0, module, height))
    return surf


def _raster_surface(it: RasterBlock):  # type: ignore[no-untyped-def]
    import pygame
    expand = [bytes(0 if b & (0x80 >> k) else 1 for k in range(8)) for b in range(256)]
    pixels = b"".join(expand[b] for b in it.data)
    surf = pygame.image.frombytes(pixels, (it.width_bytes * 8, it.height), "P")
    surf.set_palette([(0, 0, 0), (255, 255, 255)] + [(255, 255, 255)] * 254)
    return surf


class PaperRenderer:
    """Draws items onto a roll `dots` wide: a monospace font sized so `columns` characters fill the line."""

    def __init__(self, dots: int = 576, columns: int = 48) -> None:
        self.dots, self.columns = dots, columns
        self.cell = max(dots // max(columns, 1), 4)

    def _text_line(self, font, line: TextLine):  # type: ignore[no-untyped-def]
        import pygame
        size = self.cell / 0.6                       # FiraCode advance is 0.6 em
        h = LINE_DOTS * max((s.height for s in line.spans), default=1)
        surf = pygame.Surface((self.dots, h))
        surf.fill((255, 255, 255))
        x = [0, self.dots // 2 - line.cols * self.cell // 2, self.dots - line.cols * self.cell][min(max(line.align, 0), 2)]
        x = max(x, 0)
        for s in line.spans:
            if not s.text:
                continue
            cell = pygame.Surface((len(s.text) * self.cell, LINE_DOTS))
            cell.fill((255, 255, 255))
            style = pygame.freetype.STYLE_STRONG if s.bold else pygame.freetype.STYLE_NORMAL
            for i, ch in enumerate(s.text):
                font.render_to(cell, (i * self.cell, int(LINE_DOTS * 0.75)), ch, (0, 0, 0), style=style, size=size)
            if s.underline:
                cell.fill((0, 0, 0), (0, LINE_DOTS - 4, cell.get_width(), 2))
            if s.width != 1 or s.height != 1:
                cell = pygame.transform.scale(cell, (cell.get_width() * s.width, LINE_DOTS * s.height))
            surf.blit(cell, (x, h - cell.get_height()))
            x += cell.get_width()
        return surf

    def _block(self, font, it: Item):  # type: ignore[no-untyped-def]
        import pygame
        if isinstance(it, QrBlock):
            q = qrcode.QRCode(error_correction={48: 1, 49: 0, 50: 3, 51: 2}.get(it.ec, 0), border=4)
            q.add_data(it.data)
            q.make(fit=True)
            m = q.get_matrix()
            mod = max(it.module, 1)
            while len(m) * mod > self.dots and mod > 1:
                mod -= 1
            surf = pygame.Surface((len(m) * mod, len(m) * mod))
            surf.fill((255, 255, 255))
            for y, row in enumerate(m):
                for xx, black in enumerate(row):
                    if black:
                        surf.fill((0, 0, 0), (xx * mod, y * mod, mod, mod))
            return surf
        if isinstance(it, BarcodeBlock):
            mods = ean13_modules(it.label) if it.kind in (2, 67) else code128_modules(it.data) if it.kind == 73 else None
            if mods is None:
                return self._text_line(font, TextLine((Span(f"[{it.label}]"),), 1))
            mod = max(min(it.module, self.dots // max(len(mods) + 20, 1)), 1)
            bars = _bars([False] * 10 + mods + [False] * 10, mod, max(it.height, 8))
            if not it.hri:
                return bars
            label = self._text_line(font, TextLine((Span(it.label),), 1))
            surf = pygame.Surface((self.dots, bars.get_height() + label.get_height()))
            surf.fill((255, 255, 255))
            surf.blit(bars, ((self.dots - bars.get_width()) // 2, 0))
            surf.blit(label, (0, bars.get_height()))
            return surf
        if isinstance(it, RasterBlock):
            return _raster_surface(it)
        surf = pygame.Surface((self.dots, 24))        # the cut: a dashed line across the roll
        surf.fill((255, 255, 255))
        for x in range(0, self.dots, 16):
            surf.fill((120, 120, 120), (x, 11, 10, 2))
        return surf

    def render(self, items: list[Item], path: Path) -> None:
        import pygame
        with RENDER_LOCK:
            font = mono_font()
            parts = []
            for it in items:
                s = self._text_line(font, it) if isinstance(it, TextLine) else self._block(font, it)
                align = getattr(it, "align", 1) if not isinstance(it, TextLine) else 0
                parts.append((s, align))
            height = MARGIN * 2 + sum(s.get_height() for s, _ in parts)
            page = pygame.Surface((self.dots, height))
            page.fill((255, 255, 255))
            y = MARGIN
            for s, align in parts:
                w = s.get_width()
                x = [0, (self.dots - w) // 2, self.dots - w][min(max(align, 0), 2)]
                page.blit(s, (max(x, 0), y))
                y += s.get_height()
            pygame.image.save(page, str(path))
