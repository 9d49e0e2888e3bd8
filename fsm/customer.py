"""What the customer sees while the cashier works: the lines and the total, the amount due, the change, the ОПЛАТИ QR.

The feed goes to every customer display configured (a serial pole display; a second screen
registers itself the same way). A display that fails is logged and left alone: the customer's
view never holds up a sale.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from hal.errors import DeviceError
from hal.interfaces import DisplayLine

log = logging.getLogger("zpos.display")


class CustomerView:
    def __init__(self, displays: Callable[[], list]) -> None:
        self._displays = displays
        self._extra: list = []
        self.last: tuple[str, tuple] = ("show_idle", ("",))   # what is shown now (a second screen starts from it)

    def add_listener(self, display) -> None:
        """A second screen (or any CustomerDisplay) that follows the same feed."""
        self._extra.append(display)
        try:
            getattr(display, self.last[0])(*self.last[1])
        except (DeviceError, OSError):
            pass

    def _each(self, call: str, *args) -> None:
        self.last = (call, args)
        for display in [*self._displays(), *self._extra]:
            try:
                getattr(display, call)(*args)
            except (DeviceError, OSError) as e:
                log.warning("customer display: %s failed: %s", call, getattr(e, "detail", e))

    def receipt_changed(self, receipt, vat_table) -> None:
        """The receipt on the cashier's screen, as the customer should see it."""
        if not receipt.lines:
            self._each("show_idle", "")
            return
        try:
            calc = receipt.calc(vat=vat_table)
        except Exception:           # an edit the arithmetic refuses never reaches the receipt; show what we can
            return
        lines = [DisplayLine(ln.name, ln.qty, ln.total) for ln in calc.lines]
        self._each("show_sale", lines, calc.total_due)

    def payment(self, due: int, paid: int = 0, change: int = 0, qr: str | None = None) -> None:
        self._each("show_payment", due, paid, change, qr)

    def idle(self) -> None:
        self._each("show_idle", "")
