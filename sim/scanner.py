"""A simulated barcode scanner in serial (USB-CDC) mode: `scan(code)` sends the code and CR over a pty."""
from __future__ import annotations

from sim.ptyport import PtyDevice


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
