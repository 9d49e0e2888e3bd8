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
        self._shown: tuple[list, int] | None = None      # the lines and total last shown
        self._cleared = False          # the last news was an emptied receipt: a payment now is the finished sale's

    def add_listener(self, display) -> None:
        """A second screen (or any CustomerDisplay) that follows the same feed."""
        self._extra.append(display)
        try:
            self._call(display, *self.last)
        except (DeviceError, OSError) as e:
            log.warning("customer display: %s on attaching failed: %s", self.last[0], getattr(e, "detail", e))

    @staticmethod
    def _call(display, call: str, args: tuple) -> None:
        if call == "show_paid" and not hasattr(display, "show_paid"):    # a pole display: the amounts are the same
            display.show_payment(*args)
            return
        getattr(display, call)(*args)

    def _each(self, call: str, *args) -> None:
        self.last = (call, args)
        for display in [*self._displays(), *self._extra]:
            try:
                self._call(display, call, args)
            except (DeviceError, OSError) as e:
                log.warning("customer display: %s failed: %s", call, getattr(e, "detail", e))

    def receipt_changed(self, receipt, vat_table) -> None:
        """The receipt on the cashier's screen, as the customer should see it."""
        self._cleared = not receipt.lines
        if not receipt.lines:
            self._each("show_idle", "")
            return
        try:
            calc = receipt.calc(vat=vat_table)
        except Exception:           # an edit the arithmetic refuses never reaches the receipt; show what we can
            return
        lines = [DisplayLine(ln.name, ln.qty, ln.total) for ln in calc.lines]
        if self.last[0] == "show_payment" and self.last[1][0] == calc.total_due and self._shown == (lines, calc.total_due):
            return        # the draft saved with its payment's id: the same receipt, and the amount due stays on show
        self._shown = (lines, calc.total_due)
        self._each("show_sale", lines, calc.total_due)

    def payment(self, due: int, paid: int = 0, change: int = 0, qr: str | None = None) -> None:
        """The amount due and what was paid. Right after the receipt was emptied it is the registered sale's
        payment (the checkout resets the receipt, then says so): `show_paid`, which a second screen holds a
        while before its slideshow, and a display without it shows as any payment."""
        if self._cleared and qr is None:
            self._cleared = False
            self._each("show_paid", due, paid, change)
            return
        self._each("show_payment", due, paid, change, qr)

    def idle(self) -> None:
        self._cleared = False
        self._each("show_idle", "")
