"""The devices the register drives (opened by zpos.wiring from configuration)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class DeviceSet:
    sko: Any                                   # hal.interfaces.Sko
    printer: Any | None = None                 # hal.interfaces.Printer
    scale: Any | None = None                   # hal.interfaces.Scale
    scanner: Any | None = None                 # hal.interfaces.Scanner
    terminals: dict[str, Any] = field(default_factory=dict)   # name → hal.interfaces.CardTerminal
    oplati: Any | None = None                  # hal.oplati.OplatiClient
    errors: dict[str, str] = field(default_factory=dict)      # device → why it could not be opened
    display: Any | None = None                 # hal.interfaces.CustomerDisplay (a pole display)

    def close(self) -> None:
        for dev in (self.sko, self.printer, self.scale, self.scanner, self.display, *self.terminals.values()):
            if dev is not None:
                try:
                    dev.close()
                except Exception:  # closing a dead device must not stop closing the others
                    pass
