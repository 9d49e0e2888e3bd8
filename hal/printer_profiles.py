"""Receipt printer profiles as data: paper width, columns, code-page slots, cut, QR, and the real-time commands.

Code-page slots are picked per model and checked (tests/hal/test_printer_profiles.py) against the
tables escpos-printer-db publishes (`hal.protocols.escpos_codepages`, CC BY 4.0, see there). What
sits in an `ESC t n` slot differs by firmware, so a site can override a shipped profile's slots
with `get_profile(model, cp1251_slot=...)` after a code-page test print.

Real-time buffer clearing, from the makers' command references:
* DLE DC4 fn=8 (10 14 08 01 03 14 01 06 02 08): "clears all data stored in the receive buffer and
  the print buffer and transmits Clear response" 37 25 00 -- Epson ESC/POS reference
  (download4.epson.biz .../escpos/dle_dc4_fn8.html lists TM-T20III and TM-T88V), Citizen CT-S300.
* DLE ENQ 2 (10 05 02): "clears the receive buffer and the print buffer, and then recovers from the
  error"; several manuals (Citizen iDP-3221, CBM1000, HPRT TP80K) say it only acts after a
  recoverable (auto-cutter) error, so after a paper end it may do nothing. No answer is sent.
Job markers: GS r 1 is not a real-time command: "executed when the data is processed in the
receive buffer" (Epson TM-U220, Bixolon SRP-330II, Citizen PPU-700), so its answer after the cut
tells that the whole job was processed. Shipped only where the maker's reference has GS r.
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


class RealtimeClear(StrEnum):
    """Real-time commands that discard what the printer holds of a job."""

    DLE_DC4_8 = "dle_dc4_8"   # answers 37 25 00: the clear is confirmed
    DLE_ENQ_2 = "dle_enq_2"   # no answer; on many models only after a cutter error


@dataclass(frozen=True)
class PrinterProfile:
    key: str
    name: str
    paper_mm: int
    dots: int                       # printable width in dots at 203 dpi
    columns: int                    # font A characters per line
    cp866_slot: int | None          # ESC t n for PC866
    cp1251_slot: int | None         # ESC t n for WPC1251 (None: firmware without it)
    db_model: str = "default"       # the escpos-printer-db table the slots were checked against
    cut: CutMode = CutMode.PARTIAL
    qr_native: bool = True          # GS ( k QR; False: the QR is sent as a raster image
    raster: bool = True             # GS v 0 raster graphics
    qr_module: int = 6              # QR module size in dots (GS ( k fn 67)
    feed_before_cut: int = 4        # lines fed so the last line clears the cutter
    realtime_clear: tuple[RealtimeClear, ...] = (RealtimeClear.DLE_DC4_8,)   # tried in this order
    job_markers: bool = False       # GS r 1 answered in order: the end of a job is confirmed
    realtime_pulse: bool = False    # DLE DC4 fn=1 (drawer pulse in real time, 100 ms units)

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


_EPSON = dict(realtime_clear=(RealtimeClear.DLE_DC4_8, RealtimeClear.DLE_ENQ_2), job_markers=True, realtime_pulse=True)
_CLONE = dict(realtime_clear=(RealtimeClear.DLE_ENQ_2,))

PROFILES: dict[str, PrinterProfile] = {
    p.key: p for p in (
        # Generic ESC/POS 80 mm, the default when no model is given. 42 columns at 512 dots fit
        # 42- and 48-column mechanisms alike; PC866 at slot 17 is the one Cyrillic slot shared by
        # the Epson default table and the clone tables (CP1251 is 46 on one, 73 on the other); QR
        # as a raster image because not every clone has GS ( k. Both buffer clears are tried.
        PrinterProfile("generic-80", "Generic ESC/POS 80 mm", 80, 512, 42, cp866_slot=17, cp1251_slot=None,
                       db_model="default", qr_native=False,
                       realtime_clear=(RealtimeClear.DLE_DC4_8, RealtimeClear.DLE_ENQ_2)),
        # Generic 58 mm clone (escpos-printer-db "POS-5890": 384 dots, 32 columns, no cutter, no QR).
        PrinterProfile("generic-58", "Generic ESC/POS 58 mm", 58, 384, 32, cp866_slot=17, cp1251_slot=None,
                       db_model="POS-5890", cut=CutMode.NONE, qr_native=False, qr_module=4, feed_before_cut=3,
                       **_CLONE),
        # Epson TM-T20III: escpos-printer-db "TM-T20III", PC866 = 17, WPC1251 = 46, 576 dots, 48 columns.
        PrinterProfile("tm-t20iii", "Epson TM-T20III", 80, 576, 48, cp866_slot=17, cp1251_slot=46,
                       db_model="TM-T20III", **_EPSON),
        # Epson TM-T88V: "TM-T88V", 512 dots, 42 columns in font A, PC866 = 17, WPC1251 = 46.
        PrinterProfile("tm-t88v", "Epson TM-T88V", 80, 512, 42, cp866_slot=17, cp1251_slot=46,
                       db_model="TM-T88V", **_EPSON),
        # Xprinter XP-80T: not in escpos-printer-db; it shares the clone table ("NT-80-V-UL":
        # PC866 at 17 and 59, WPC1251 at 73). Slot 73 works only on some units
        # (DantSu/ESCPOS-ThermalPrinter-Android#82), so the shipped default is PC866 at 17; set
        # cp1251_slot=73 after a code-page test print. Boots in GB18030 mode: FS . matters.
        PrinterProfile("xp-80t", "Xprinter XP-80T", 80, 576, 48, cp866_slot=17, cp1251_slot=None,
                       db_model="NT-80-V-UL", **_CLONE),
        # Rongta RP326: "RP326", PC866 = 7, WPC1251 = 6 (its own numbering; 17 is CP1253 there).
        PrinterProfile("rp326", "Rongta RP326", 80, 576, 48, cp866_slot=7, cp1251_slot=6, db_model="RP326", **_CLONE),
    )
}
DEFAULT_MODEL = "generic-80"
ALIASES = {"generic80": "generic-80", "generic58": "generic-58", "generic": "generic-80"}


def get_profile(model: str | None = None, **overrides: object) -> PrinterProfile:
    """A shipped profile by key (case-insensitive; none given: generic 80 mm), optionally with fields
    replaced from site config."""
    key = (model or DEFAULT_MODEL).strip().lower()
    p = PROFILES.get(ALIASES.get(key, key))
    if p is None:
        raise PrinterError("PRINTER_BAD_CONFIG",
                           f"unknown printer model {model!r}; known: {', '.join(sorted(PROFILES))}")
    if not overrides:
        return p
    try:
        return replace(p, **overrides)  # type: ignore[arg-type]
    except TypeError as e:
        raise PrinterError("PRINTER_BAD_CONFIG", f"printer profile {model}: {e}") from None
