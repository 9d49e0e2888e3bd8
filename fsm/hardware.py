"""The devices as the screens see them: status readings, the scales, bank tests, diagnostics, device facts.

Screens never touch a driver: they ask this service, which turns device errors into
refusals with the cashier's text (the technical detail stays in the log and the trace).
"""
from __future__ import annotations

from dataclasses import dataclass

from fsm.context import Registrar, Stores
from fsm.diagnostics import Check, run_diagnostics
from fsm.electronic import Electronic
from fsm.errors import OperationError
from fsm.session import Session
from hal.errors import DeviceError
from hal.interfaces import ScaleReading


@dataclass(frozen=True)
class SkoFacts:
    serial: str
    versions: dict
    shift_number: int | None = None
    next_number: int | None = None
    unsent_count: int | None = None
    reachable: bool = True


class Hardware:
    def __init__(self, stores: Stores, devices, session: Session, electronic: Electronic, registrar: Registrar) -> None:
        self.stores = stores
        self.devices = devices
        self.session = session
        self.electronic = electronic
        self.registrar = registrar

    # ----- readings -------------------------------------------------------------------------
    @property
    def has_scale(self) -> bool:
        return self.devices.scale is not None

    @property
    def has_scanner(self) -> bool:
        return self.devices.scanner is not None

    @property
    def has_oplati(self) -> bool:
        return self.devices.oplati is not None

    def terminal_names(self) -> list[str]:
        return self.electronic.terminal_names()

    def read_scale(self) -> ScaleReading:
        """One reading of the scales (the weight sheet calls it from a worker thread, never the UI loop)."""
        if self.devices.scale is None:
            raise OperationError("SCALE_MISSING")
        try:
            return self.devices.scale.read()
        except DeviceError as e:
            raise OperationError.carrying(e) from None

    def read_scan(self, timeout: float):
        """The next code from the serial/HID scanner (the scanner thread calls this), or None."""
        if self.devices.scanner is None:
            return None
        try:
            res = self.devices.scanner.read(timeout)
        except DeviceError as e:
            raise OperationError.carrying(e) from None
        return res.code if res is not None else None

    def printer_status(self):
        printer = self.devices.printer
        if printer is None:
            return None
        try:
            return printer.status()
        except DeviceError:
            return None

    def sko_facts(self) -> SkoFacts:
        try:
            info = self.devices.sko.info()
            st = self.devices.sko.status(self.registrar.now())
        except DeviceError:
            return SkoFacts("", {}, reachable=False)
        return SkoFacts(info.serial, dict(info.versions), st.shift_number, st.next_number, st.unsent_count)

    def open_drawer(self) -> None:
        """«Открыть ящик»: the drawer opened on its own (a permission of its own; no document is made)."""
        self.session.require_rule("open_drawer")
        self.registrar.on_printer("kick_drawer")

    def drawer_open(self) -> bool | None:
        """Whether the drawer is open, where the printer reports it (None: it cannot tell)."""
        status = self.printer_status()
        return None if status is None else status.drawer_open

    # ----- bank ----------------------------------------------------------------------------------
    def bank_test(self, terminal: str | None = None) -> dict:
        """«Проверка связи с банком» on one terminal (or each)."""
        self.session.require("bank_test")
        return self._each_terminal(terminal, "test")

    def settlement(self, terminal: str | None = None) -> dict:
        """Сверка итогов at the terminal(s), usually at the end of the day."""
        self.session.require("bank_test")
        return self._each_terminal(terminal, "settlement")

    def _each_terminal(self, terminal: str | None, call: str) -> dict:
        out = {}
        for name in [terminal] if terminal else self.electronic.terminal_names():
            try:
                out[name] = getattr(self.electronic.terminal(name), call)()
            except DeviceError as e:
                raise OperationError.carrying(e) from None
        return out

    # ----- diagnostics ----------------------------------------------------------------------------
    def diagnostics(self) -> list[Check]:
        return run_diagnostics(self.devices, self.stores.data_dir, self.stores.journal, self.registrar.now(),
                               offline_limit_hours=self.stores.params.offline_limit_hours)

    def device_errors(self) -> dict[str, str]:
        return dict(self.devices.errors)
