"""Device errors: one hierarchy, stable string codes, messages a field engineer can act on."""
from __future__ import annotations


class DeviceError(Exception):
    """`code` is stable (e.g. PRINTER_PAPER_OUT); `device` names the device; `message` says what to do."""

    def __init__(self, code: str, message: str, device: str = "") -> None:
        super().__init__(f"{device}: {message}" if device else message)
        self.code = code
        self.device = device
        self.message = message


class TransportError(DeviceError):
    """The link itself: cannot open, no answer in time, link dropped."""


class ProtocolError(DeviceError):
    """A frame that does not parse: bad checksum, bad length, garbage."""


class PrinterError(DeviceError):
    pass


class ScaleError(DeviceError):
    pass


class CardTerminalError(DeviceError):
    pass


class ScannerError(DeviceError):
    pass


class SkoError(DeviceError):
    """An SKO refusal. `sko_code` is the device's numeric code (domain.md §5.5) when it gave one."""

    def __init__(self, code: str, message: str, sko_code: int | None = None, device: str = "СКО") -> None:
        super().__init__(code, message, device)
        self.sko_code = sko_code
