"""A simulated barcode scanner in serial (USB-CDC) mode: `scan(code)` sends the code and CR over a pty.

DataMatrix marking codes go out as a real scanner sends them: GS (0x1D) where the symbol has FNC1
separators, optionally the AIM prefix `]d2`, or — like a scanner in keyboard-wedge mode — with the
GS separators lost (`scan_marking(..., keep_gs=False)`), which the register repairs only where the
Belarusian layout leaves one reading. `belarusian_si` builds a valid code for tests and scenarios.
"""
from __future__ import annotations

import hashlib
import string

from fiscal.marking import GS, gtin_check_digit
from sim.ptyport import PtyDevice

AIM_DATAMATRIX_GS1 = "]d2"
_CSET = string.ascii_letters + string.digits + "+/"      # the crypto tail looks like base64


def belarusian_si(gtin: str, serial: str, *, footwear: bool = False, key: str = "EE05") -> str:
    """A СИ in the Belarusian layout: (01) GTIN-14, (21) serial, GS, (91) key, GS, (92) 44 (88 for footwear)
    characters. The crypto code is derived from GTIN and serial, so the same unit always reads the same.
    A 13-digit EAN or a 13-digit body without its check digit becomes the GTIN-14."""
    digits = gtin.rjust(14, "0") if len(gtin) in (13, 14) else None
    if digits is None and len(gtin) == 12:
        digits = "0" + gtin + str(gtin_check_digit("0" + gtin))
    if digits is None or not digits.isdigit():
        raise ValueError(f"GTIN {gtin!r}: 12 digits without, or 13/14 digits with the check digit")
    n = 88 if footwear else 44
    seed = hashlib.sha256(f"{digits}/{serial}".encode()).digest() * 3
    tail = "".join(_CSET[b % len(_CSET)] for b in seed[:n])
    return f"01{digits}21{serial}{GS}91{key}{GS}92{tail}"


class SimScanner(PtyDevice):
    """Nothing is read from the driver; scans are written to the master end of the pty."""

    name = "scanner"

    def __init__(self, link: str | None = None, suffix: bytes = b"\r") -> None:
        super().__init__(link)
        self.suffix = suffix

    def start(self) -> "SimScanner":
        if self._thread is None:
            super().start()
        return self

    def on_bytes(self, data: bytes) -> None:
        """A scanner ignores what the host sends (some drivers send a wake-up byte)."""

    def scan(self, code: str) -> None:
        """Send one code (GS 0x1D and other control characters pass through unchanged)."""
        self.send(code.encode("latin-1") + self.suffix)

    def scan_marking(self, code: str, *, keep_gs: bool = True, aim: bool = False) -> None:
        """Send a DataMatrix marking code: with its GS separators (USB-COM mode) or without them (a scanner in
        keyboard mode that drops them), optionally behind the AIM symbology identifier `]d2`."""
        text = code if keep_gs else code.replace(GS, "")
        self.scan((AIM_DATAMATRIX_GS1 if aim else "") + text)
