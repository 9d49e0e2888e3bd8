"""The printed layout of every document: styled text lines for 32, 42 and 48 columns, in Russian."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Align(StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


@dataclass(frozen=True)
class PrintLine:
    text: str
    bold: bool = False
    double: bool = False          # double width and height: counts as 2 columns per character
    align: Align = Align.LEFT


@dataclass(frozen=True)
class PrintedDocument:
    """What a printer driver prints: lines, then a QR code (if any), then cut."""

    title: str
    width: int
    lines: tuple[PrintLine, ...]
    qr: str | None = None
    barcode: str | None = None    # EAN-13 / CODE128 payload to print under the QR, if any

    def text(self) -> str:
        return "\n".join(ln.text for ln in self.lines) + "\n"
