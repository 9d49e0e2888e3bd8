"""Wiring: the configured devices opened through the real drivers into the register's DeviceSet."""
from __future__ import annotations

from fsm.devices import DeviceSet
from hal.errors import DeviceError


def open_devices(cfg: dict, public_key_pem: str | None = None) -> DeviceSet:
    """Open every configured device; one that fails is recorded in `errors`, not fatal (diagnostics show it).

    `public_key_pem` is accepted for callers of the signing SKO type; the iKassa SKO has no key."""
    from hal.sko import SkoClient
    errors: dict[str, str] = {}

    def attempt(name: str, fn):
        try:
            return fn()
        except DeviceError as e:
            errors[name] = e.message
            return None

    s = cfg["sko"]
    sko = SkoClient(s["address"], timeout=float(s.get("timeout", 5)), token=s.get("token") or None,
                    printer_addr=str(s.get("printer_addr", "dummy")), byte_order=str(s.get("byte_order", "big")),
                    data_as=str(s.get("data_as", "object")))
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
        term = attempt(f"terminal {t['name']}", lambda t=t: open_terminal(t["url"], t["name"], **timeouts))  # noqa: B023
        if term is not None:
            terminals[t["name"]] = term
    if "oplati" in cfg:
        from hal.oplati import OplatiClient
        o = cfg["oplati"]
        oplati = OplatiClient(o["url"], o.get("reg_num", ""), o.get("password", ""))
    return DeviceSet(sko, printer, scale, scanner, terminals, oplati, errors)
