"""Wiring: the configured devices opened through the real drivers into the register's DeviceSet."""
from __future__ import annotations

from fsm.devices import DeviceSet
from hal.errors import DeviceError


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
    printer = scale = scanner = oplati = display = None
    if "printer" in cfg:
        from hal.printer import printer_from_config
        printer = attempt("printer", lambda: printer_from_config(cfg["printer"]))
    if "scale" in cfg:
        from hal.scale import scale_from_config
        scale = attempt("scale", lambda: scale_from_config(cfg["scale"]))
    if "display" in cfg:
        from hal.display import display_from_config
        display = attempt("display", lambda: display_from_config(cfg["display"]))
    if "scanner" in cfg:
        from hal.scanner import SerialScanner
        from hal.transport import open_transport
        scanner = attempt("scanner", lambda: SerialScanner(open_transport(cfg["scanner"]["url"])))
    terminals = {}
    for t in cfg.get("terminals", []):
        from hal.card import open_terminal
        timeouts = {k: float(t[k]) for k in ("ack_timeout", "op_timeout", "test_timeout") if k in t}
        term = attempt(f"terminal {t['name']}", lambda t=t: open_terminal(t["url"], t["name"], **timeouts))  # noqa: B023
        if term is not None:
            terminals[t["name"]] = term
    if "oplati" in cfg:
        from hal.oplati import OplatiClient
        o = cfg["oplati"]
        oplati = OplatiClient(o["url"], o.get("reg_num", ""), o.get("password", ""))
    return DeviceSet(sko, printer, scale, scanner, terminals, oplati, errors, display=display)
