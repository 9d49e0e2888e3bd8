"""Receipt printer profiles as data: paper width, columns, code-page slots, cut and QR support.

Code-page slot numbers come from escpos-printer-db (https://github.com/receipt-print-hq/escpos-printer-db,
`data/profile/*.yml`), © the escpos-printer-db contributors, licensed CC BY 4.0
(https://creativecommons.org/licenses/by/4.0/). What sits in an `ESC t n` slot differs by firmware,
so a site can override the slots of a shipped profile with `get_profile(model, cp1251_slot=...)`.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from hal.errors import PrinterError


class CutMode(StrEnum):
    FULL = "full"          # GS V 0
    PARTIAL = "partial"    # GS V 1
    NONE = "none"          # no cutter: feed only, the cashier tears the paper


class CodePage(StrEnum):
    """The Python codec behind a printer code table."""

    CP1251 = "cp1251"
    CP866 = "cp866"


@dataclass(frozen=True)
class PrinterProfile:
    key: str
    name: str
    paper_mm: int
    dots: int                       # printable width in dots at 203 dpi
    columns: int                    # font A characters per line
    cp866_slot: int | None          # ESC t n for PC866
    cp1251_slot: int | None         # ESC t n for WPC1251 (None: firmware without it)
    cut: CutMode = CutMode.PARTIAL
    qr_native: bool = True          # GS ( k QR; False: the QR is sent as a raster image
    raster: bool = True             # GS v 0 raster graphics
    qr_module: int = 6              # QR module size in dots (GS ( k fn 67)
    feed_before_cut: int = 4        # lines fed so the last line clears the cutter

    @property
    def code_page(self) -> CodePage:
        """WPC1251 where the firmware has it (covers Belarusian І/і), else CP866."""
        return CodePage.CP1251 if self.cp1251_slot is not None else CodePage.CP866

    @property
    def code_page_slot(self) -> int:
        slot = self.cp1251_slot if self.cp1251_slot is not None else self.cp866_slot
        if slot is None:
            raise PrinterError("PRINTER_BAD_CONFIG",
                               f"printer profile {self.key}: no Cyrillic code page slot configured")
        return slot


PROFILES: dict[str, PrinterProfile] = {
    p.key: p for p in (
        # Epson TM-T20III: escpos-printer-db "TM-T20II"/default table, PC866 = 17, WPC1251 = 46.
        PrinterProfile("tm-t20iii", "Epson TM-T20III", 80, 576, 48, cp866_slot=17, cp1251_slot=46),
        # Epson TM-T88V at 512 dots: 42 columns in font A.
        PrinterProfile("tm-t88v", "Epson TM-T88V", 80, 512, 42, cp866_slot=17, cp1251_slot=46),
        # Xprinter XP-80T (Chinese clone, boots in GB18030 mode: FS . matters). Slot 73 = cp1251
        # works only on some units (DantSu/ESCPOS-ThermalPrinter-Android#82), so the shipped
        # default is PC866 at 17; set cp1251_slot=73 after a code-page test print.
        PrinterProfile("xp-80t", "Xprinter XP-80T", 80, 576, 48, cp866_slot=17, cp1251_slot=None),
        # Rongta RP326: escpos-printer-db "RP326", PC866 = 7, WPC1251 = 6.
        PrinterProfile("rp326", "Rongta RP326", 80, 576, 48, cp866_slot=7, cp1251_slot=6),
        # Generic 58 mm clone: 384 dots, 32 columns, no cutter, PC866 = 17.
        PrinterProfile("generic-58", "Generic 58 mm printer", 58, 384, 32, cp866_slot=17, cp1251_slot=None,
                       cut=CutMode.NONE, qr_module=4, feed_before_cut=3),
    )
}


def get_profile(model: str, **overrides: object) -> PrinterProfile:
    """A shipped profile by key (case-insensitive), optionally with fields replaced from site config."""
    p = PROFILES.get(model.strip().lower())
    if p is None:
        raise PrinterError("PRINTER_BAD_CONFIG",
                           f"unknown printer model {model!r}; known: {', '.join(sorted(PROFILES))}")
    if not overrides:
        return p
    try:
        return replace(p, **overrides)  # type: ignore[arg-type]
    except TypeError as e:
        raise PrinterError("PRINTER_BAD_CONFIG", f"printer profile {model}: {e}") from None
