"""Wiring: the configured devices opened through the real drivers into the register's DeviceSet."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from fsm.devices import DeviceSet
from hal.errors import DeviceError
from zpos.config import GENERIC_PRINTER, Config, DevicesConfig, PrinterConfig, devices_from_mapping

T = TypeVar("T")


def open_devices(devices: DevicesConfig | Config | Mapping, public_key_pem: str | None = None) -> DeviceSet:
    """Open every configured device; one that fails is recorded in `errors`, not fatal (diagnostics show it).

    `devices` is the typed [devices] section; a mapping of the same shape (the simulator hub's
    `device_config()`) is checked by the same loader first, so a bad one is a ConfigError line."""
    if isinstance(devices, Config):
        devices = devices.devices
    elif not isinstance(devices, DevicesConfig):
        devices = devices_from_mapping(devices)
    from hal.sko import SkoClient
    errors: dict[str, str] = {}

    def attempt(name: str, fn: Callable[[], T]) -> T | None:
        try:
            return fn()
        except DeviceError as e:
            errors[name] = e.message
            return None

    k = devices.sko                      # `public_key_pem` is for an SKO type that signs; iKassa does not
    sko = SkoClient(k.address, timeout=k.timeout, token=k.token, printer_addr=k.printer_addr, byte_order=k.byte_order,
                    data_as=k.data_as)
    printer = scale = scanner = oplati = None
    if devices.printer is not None:
        printer = attempt("printer", lambda: _open_printer(devices.printer))
    if (sc := devices.scale) is not None:
        from hal.scale import open_scale
        scale = attempt("scale", lambda: open_scale(sc.url, sc.protocol, sc.serial.baud))
    if (sn := devices.scanner) is not None:
        scanner = attempt("scanner", lambda: _open_scanner(sn.url, sn.mode, sn.serial.baud))
    terminals = {}
    for t in devices.terminals:
        from hal.card import open_terminal
        term = attempt(f"terminal {t.name}", lambda t=t: open_terminal(  # noqa: B023
            t.url, t.name, t.serial.baud, ack_timeout=t.ack_timeout, op_timeout=t.op_timeout,
            test_timeout=t.test_timeout))
        if term is not None:
            terminals[t.name] = term
    if (o := devices.oplati) is not None:
        from hal.oplati import OplatiClient
        oplati = OplatiClient(o.url, o.reg_num, o.password, timeout=o.timeout, poll_interval=o.poll_interval)
    return DeviceSet(sko, printer, scale, scanner, terminals, oplati, errors)


def _open_printer(p: PrinterConfig):
    from hal.printer import open_printer
    from hal.printer_profiles import PROFILES
    if p.profile == GENERIC_PRINTER and GENERIC_PRINTER not in PROFILES:
        # Until hal ships its own generic 80 mm profile: the XP-80T's is exactly that (576 dots, 48
        # columns, PC866 in slot 17, no WPC1251), the safe choice for an unnamed ESC/POS clone.
        return open_printer(p.url, "xp-80t", key=GENERIC_PRINTER, name="Generic 80 mm ESC/POS printer")
    return open_printer(p.url, p.profile)


def _open_scanner(url: str, mode: str, baud: int):
    if mode == "hid":
        from hal.scanner import HidScanner
        return HidScanner(url)
    from hal.scanner import SerialScanner
    from hal.transport import open_transport
    return SerialScanner(open_transport(url, baud))
