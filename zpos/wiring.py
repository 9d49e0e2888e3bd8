"""Wiring: the configured devices opened through the real drivers into the register's DeviceSet."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from fsm.devices import DeviceSet
from hal.card import open_terminal
from hal.display import display_from_config
from hal.errors import DeviceError
from hal.oplati import OplatiClient
from hal.printer import printer_from_config
from hal.scale import scale_from_config
from hal.scanner import HidScanner, SerialScanner
from hal.sko import SkoClient
from hal.transport import open_transport
from zpos.config import Config, DevicesConfig, devices_from_mapping

T = TypeVar("T")


def open_devices(devices: DevicesConfig | Config | Mapping, public_key_pem: str | None = None) -> DeviceSet:
    """Open every configured device; one that fails is recorded in `errors`, not fatal (diagnostics show it).

    `devices` is the typed [devices] section; a mapping of the same shape (the simulator hub's
    `device_config()`) is checked by the same loader first, so a bad one is a ConfigError line."""
    if isinstance(devices, Config):
        devices = devices.devices
    elif not isinstance(devices, DevicesConfig):
        devices = devices_from_mapping(devices)
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
    printer = scale = scanner = oplati = display = None
    if (pc := devices.printer) is not None:
        printer = attempt("printer", lambda: printer_from_config({
            "url": pc.url, "model": pc.model, "drawer_pin": pc.drawer_pin, "drawer_pulse_on_ms": pc.drawer_on_ms,
            "drawer_pulse_off_ms": pc.drawer_off_ms, "drawer_sensor": pc.drawer_sensor,
            "drawer_realtime": pc.drawer_realtime, **_line(pc.serial)}))
    if (sc := devices.scale) is not None:
        extra = {k: v for k, v in (("request", sc.request), ("crc", sc.crc)) if v}
        scale = attempt("scale", lambda: scale_from_config({"url": sc.url, "protocol": sc.protocol, **extra,
                                                            **_line(sc.serial)}))
    if (dc := devices.display) is not None and dc.kind == "pole" and dc.url:
        display = attempt("display", lambda: display_from_config({
            "url": dc.url, "protocol": dc.protocol, "codec": dc.codec, "lang": dc.lang,
            **({"code_table": dc.code_table} if dc.code_table is not None else {}),
            **({"brightness": dc.brightness} if dc.brightness is not None else {}), **_line(dc.serial)}))
    if (sn := devices.scanner) is not None:
        scanner = attempt("scanner", lambda: _open_scanner(sn.url, sn.mode, sn.serial.baud))
    terminals = {}
    for t in devices.terminals:
        term = attempt(f"terminal {t.name}", lambda t=t: open_terminal(  # noqa: B023
            t.url, t.name, t.serial.baud, ack_timeout=t.ack_timeout, op_timeout=t.op_timeout,
            test_timeout=t.test_timeout))
        if term is not None:
            terminals[t.name] = term
    if (o := devices.oplati) is not None:
        oplati = OplatiClient(o.url, o.reg_num, o.password, timeout=o.timeout, poll_interval=o.poll_interval)
    return DeviceSet(sko, printer, scale, scanner, terminals, oplati, errors, display=display)


_PARITY = {"N": "none", "E": "even", "O": "odd", "M": "mark", "S": "space"}


def _line(serial) -> dict:
    """The typed serial settings as the drivers' section keys."""
    stop = int(serial.stopbits) if float(serial.stopbits).is_integer() else serial.stopbits
    return {"baud": serial.baud, "data_bits": serial.bytesize, "parity": _PARITY[serial.parity], "stop_bits": stop}


def _open_scanner(url: str, mode: str, baud: int):
    if mode == "hid":
        return HidScanner(url)
    return SerialScanner(open_transport(url, baud))
