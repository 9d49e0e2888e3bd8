"""Barcode scanners: serial (USB-CDC) mode via the Transport, HID keyboard mode via evdev (optional).

The HAL frames the bytes into one code per scan and nothing more: what a code is (EAN, weight
barcode, DataMatrix) is decided once, by `fiscal.identifiers.classify`, in the register. An
empty read returns None; a broken link or unreadable bytes raise ScannerError.
"""
from __future__ import annotations

import time
from collections.abc import Iterable

from hal.errors import ScannerError, TransportError
from hal.interfaces import ScanResult
from hal.transport import Transport

GS = "\x1d"
MAX_CODE = 512


class SerialScanner:
    """A scanner in serial / USB-CDC mode: each code ends with `suffix` (CR by default; a trailing LF
    is dropped too). GS (0x1D) inside DataMatrix codes is preserved."""

    def __init__(self, transport: Transport, suffix: bytes = b"\r") -> None:
        self.transport = transport
        self.suffix = suffix
        self._buf = bytearray()

    def read(self, timeout: float) -> ScanResult | None:
        """The next scanned code within `timeout` seconds, or None. ScannerError SCANNER_BAD_DATA /
        SCANNER_LINK_DOWN."""
        deadline = time.monotonic() + timeout
        while True:
            code = self._take()
            if code is not None:
                return self._decode(code)
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                first = self.transport.read(1, left)
                if first:
                    self._buf += first + self.transport.read(4096, 0)
            except TransportError as e:
                raise ScannerError("SCANNER_LINK_DOWN", f"scanner: {e.detail}") from None
            if len(self._buf) > MAX_CODE and self.suffix not in self._buf:
                self._buf.clear()
                raise ScannerError("SCANNER_BAD_DATA", f"scanner: more than {MAX_CODE} bytes without "
                                   f"the suffix {self.suffix!r}; check the scanner's suffix setting")

    def _take(self) -> bytes | None:
        i = self._buf.find(self.suffix)
        if i < 0:
            return None
        raw = bytes(self._buf[:i])
        del self._buf[:i + len(self.suffix)]
        return raw.strip(b"\n")

    def _decode(self, raw: bytes) -> ScanResult | None:
        try:
            code = raw.decode("ascii")
        except UnicodeDecodeError:
            raise ScannerError("SCANNER_BAD_DATA", f"scanner: non-ASCII bytes in a code ({raw[:32].hex(' ')}); "
                               "set the scanner to ASCII output") from None
        return ScanResult(code) if code else None

    def close(self) -> None:
        self.transport.close()


# --- HID keyboard-wedge mode -----------------------------------------------------------------
EV_KEY = 1
KEY_ENTER, KEY_KPENTER, KEY_LEFTSHIFT, KEY_RIGHTSHIFT = 28, 96, 42, 54
# Linux input key codes -> (plain, shifted) on the US layout; layout-independent by design.
_US_KEYS: dict[int, tuple[str, str]] = {
    2: ("1", "!"), 3: ("2", "@"), 4: ("3", "#"), 5: ("4", "$"), 6: ("5", "%"), 7: ("6", "^"), 8: ("7", "&"),
    9: ("8", "*"), 10: ("9", "("), 11: ("0", ")"), 12: ("-", "_"), 13: ("=", "+"),
    16: ("q", "Q"), 17: ("w", "W"), 18: ("e", "E"), 19: ("r", "R"), 20: ("t", "T"), 21: ("y", "Y"),
    22: ("u", "U"), 23: ("i", "I"), 24: ("o", "O"), 25: ("p", "P"), 26: ("[", "{"), 27: ("]", "}"),
    30: ("a", "A"), 31: ("s", "S"), 32: ("d", "D"), 33: ("f", "F"), 34: ("g", "G"), 35: ("h", "H"),
    36: ("j", "J"), 37: ("k", "K"), 38: ("l", "L"), 39: (";", ":"), 40: ("'", '"'), 41: ("`", "~"),
    43: ("\\", "|"), 44: ("z", "Z"), 45: ("x", "X"), 46: ("c", "C"), 47: ("v", "V"), 48: ("b", "B"),
    49: ("n", "N"), 50: ("m", "M"), 51: (",", "<"), 52: (".", ">"), 53: ("/", "?"), 57: (" ", " "),
    71: ("7", "7"), 72: ("8", "8"), 73: ("9", "9"), 75: ("4", "4"), 76: ("5", "5"), 77: ("6", "6"),
    79: ("1", "1"), 80: ("2", "2"), 81: ("3", "3"), 82: ("0", "0"), 83: (".", "."), 98: ("/", "/"),
    55: ("*", "*"), 74: ("-", "-"), 78: ("+", "+"),
}


def keys_to_text(events: Iterable[object]) -> str:
    """Recorded evdev events (objects with .type .code .value, or (type, code, value) tuples) -> text.

    Key-down and auto-repeat type a character; Shift is tracked; Enter becomes "\\r" (the end of a
    scan). Keys without a US-layout character are ignored.
    """
    shift = False
    out: list[str] = []
    for ev in events:
        etype, code, value = ev if isinstance(ev, tuple) else (ev.type, ev.code, ev.value)  # type: ignore[attr-defined]
        if etype != EV_KEY:
            continue
        if code in (KEY_LEFTSHIFT, KEY_RIGHTSHIFT):
            shift = value != 0
        elif value in (1, 2):
            if code in (KEY_ENTER, KEY_KPENTER):
                out.append("\r")
            elif code in _US_KEYS:
                out.append(_US_KEYS[code][1 if shift else 0])
    return "".join(out)


class HidScanner:
    """A keyboard-wedge scanner read through evdev with an exclusive grab (so scans never reach the UI).
    Needs the optional `evdev` package and read access to the event node (group `input`)."""

    def __init__(self, device_path: str) -> None:
        try:
            import evdev
        except ImportError:
            raise ScannerError("SCANNER_NOT_AVAILABLE", "scanner: HID mode needs the 'evdev' package "
                               "(pip install evdev), or switch the scanner to USB-COM mode") from None
        try:
            self._dev = evdev.InputDevice(device_path)
            self._dev.grab()
        except OSError as e:
            raise ScannerError("SCANNER_NOT_CONNECTED", f"scanner: cannot open {device_path}: {e.strerror}; "
                               "check the path and that the user is in group 'input'") from None
        self._pending = ""

    def read(self, timeout: float) -> ScanResult | None:
        import select
        deadline = time.monotonic() + timeout
        while "\r" not in self._pending:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._dev.fd], [], [], left)[0]:
                return None
            try:
                self._pending += keys_to_text(self._dev.read())
            except BlockingIOError:
                continue
            except OSError as e:
                raise ScannerError("SCANNER_LINK_DOWN", f"scanner: {e.strerror}") from None
        code, _, self._pending = self._pending.partition("\r")
        return ScanResult(code) if code else None

    def close(self) -> None:
        try:
            self._dev.ungrab()
        finally:
            self._dev.close()
