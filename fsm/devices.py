"""The devices the register drives, opened from configuration through the real drivers."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hal.errors import DeviceError


@dataclass
class DeviceSet:
    sko: Any                                   # hal.interfaces.Sko
    printer: Any | None = None                 # hal.interfaces.Printer
    scale: Any | None = None                   # hal.interfaces.Scale
    scanner: Any | None = None                 # hal.interfaces.Scanner
    terminals: dict[str, Any] = field(default_factory=dict)   # name → hal.interfaces.CardTerminal
    oplati: Any | None = None                  # hal.oplati.OplatiClient
    errors: dict[str, str] = field(default_factory=dict)      # device → why it could not be opened

    def close(self) -> None:
        for dev in (self.sko, self.printer, self.scale, self.scanner, *self.terminals.values()):
            if dev is not None:
                try:
                    dev.close()
                except Exception:  # closing a dead device must not stop closing the others
                    pass


def open_devices(cfg: dict, public_key_pem: str | None = None) -> DeviceSet:
    """Open every configured device; one that fails is recorded in `errors`, not fatal (diagnostics show it)."""
    from hal.sko import SkoClient
    errors: dict[str, str] = {}

    def attempt(name: str, fn):
        try:
            return fn()
        except DeviceError as e:
            errors[name] = e.message
            return None

    sko = SkoClient(cfg["sko"]["address"], public_key_pem=public_key_pem, timeout=float(cfg["sko"].get("timeout", 5)))
    printer = scale = scanner = oplati = None
    if "printer" in cfg:
        from hal.printer import open_printer
        printer = attempt("printer", lambda: open_printer(cfg["printer"]["url"], cfg["printer"].get("model", "generic80")))
    if "scale" in cfg:
        from hal.scale import open_scale
        scale = attempt("scale", lambda: open_scale(cfg["scale"]["url"], cfg["scale"].get("protocol", "cas")))
    if "scanner" in cfg:
        from hal.scanner import SerialScanner
        from hal.transport import open_transport
        scanner = attempt("scanner", lambda: SerialScanner(open_transport(cfg["scanner"]["url"])))
    terminals = {}
    for t in cfg.get("terminals", []):
        from hal.card import open_terminal
        timeouts = {k: float(t[k]) for k in ("ack_timeout", "op_timeout", "test_timeout") if k in t}
        term = attempt(f"terminal {t['name']}", lambda t=t: open_terminal(t["url"], t["name"], **timeouts))
        if term is not None:
            terminals[t["name"]] = term
    if "oplati" in cfg:
        from hal.oplati import OplatiClient
        o = cfg["oplati"]
        oplati = OplatiClient(o["url"], o.get("reg_num", ""), o.get("password", ""))
    return DeviceSet(sko, printer, scale, scanner, terminals, oplati, errors)
