"""Typed getters for one config table (Klipper's way): each key read with its type and range, the rest is a typo.

Every refusal is one `ConfigError` line naming the file, the table, the key, the value as written
and what was expected, e.g. `config.toml: [devices.sko] timeout = "abc": expected a number of
seconds 0.1…60`. Values are rendered without recursing into them, so a hostile document (arrays
nested thousands deep, a number with thousands of digits) cannot turn a refusal into a traceback.
"""
from __future__ import annotations

import datetime
import json
import math
import re
from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

BAUD_RATES = (1200, 2400, 4800, 9600, 14400, 19200, 38400, 57600, 115200, 230400, 460800, 921600)
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]{1,40}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
DEVICE_URL = ("a device path such as /dev/ttyUSB0 or a URL: tcp://host:port, file:///dev/usb/lp0, "
              "usb://VID:PID, socket://host:port")


class ConfigError(ValueError):
    """One line naming the file, the key, the value and what was expected."""


def render_value(value: object, limit: int = 60) -> str:
    """The value as TOML would spell it, on one line and short; containers only by their kind."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        digits = int(value.bit_length() * 0.30103) + 1
        return str(value) if digits < 40 else f"{'-' if value < 0 else ''}<a number of about {digits} digits>"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        text = value if len(value) <= limit else value[:limit - 1] + "…"
        # json escapes quotes and control characters (one line); a lone surrogate from a mapping is escaped too.
        return json.dumps(text, ensure_ascii=False).encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return "{…} (a table)"
    if isinstance(value, (list, tuple)):
        if len(value) <= 5 and not any(isinstance(x, (Mapping, list, tuple)) for x in value):
            return "[" + ", ".join(render_value(x, 20) for x in value) + "]"
        return f"[…] (an array of {len(value)})"
    return f"<{type(value).__name__}>"


def render_key(key: object) -> str:
    if isinstance(key, str) and _BARE_KEY.fullmatch(key):
        return key
    return render_value(key, 40) if isinstance(key, str) else f"<{type(key).__name__} key>"


def _num(x: float) -> str:
    return f"{x:g}"


class Section:
    """One table of the configuration (label "" for the document itself); `finish()` refuses every key
    that no getter asked for."""

    def __init__(self, source: str, label: str, table: Mapping, known: Sequence[str] = ()) -> None:
        self.source, self.label, self._table = source, label, table
        self._read: set[object] = set()
        self._known = list(known)

    def _where(self) -> str:
        return f"{self.source}: [{self.label}] " if self.label else f"{self.source}: "

    # ----- refusals ------------------------------------------------------------------------
    def error(self, key: object, value: object, expected: str) -> ConfigError:
        return ConfigError(f"{self._where()}{render_key(key)} = {render_value(value)}: expected {expected}")

    def missing(self, key: str, expected: str) -> ConfigError:
        return ConfigError(f"{self._where()}{key} is missing: expected {expected}")

    def finish(self) -> None:
        noun = "key" if self.label else "section"
        for key, value in self._table.items():
            if key not in self._read:
                known = ", ".join(self._known or sorted(str(k) for k in self._read))
                what = f"[{render_key(key)}]" if not self.label and isinstance(value, Mapping) \
                    else f"{render_key(key)} = {render_value(value)}"
                raise ConfigError(f"{self._where()}{what}: unknown {noun} (a typo?); known {noun}s: {known}")

    def child(self, key: str, *, always: bool = False) -> "Section | None":
        """The sub-table `key` as a Section ([devices] → [devices.sko]); None when absent unless `always`."""
        present, v = self._get(key)
        label = f"{self.label}.{key}" if self.label else key
        if not present:
            return Section(self.source, label, {}) if always else None
        if not isinstance(v, Mapping):
            raise self.error(key, v, f"a table [{label}]")
        return Section(self.source, label, v)

    def _get(self, key: str) -> tuple[bool, object]:
        self._read.add(key)
        if key not in self._known:
            self._known.append(key)
        return (True, self._table[key]) if key in self._table else (False, None)

    def has(self, key: str) -> bool:
        return key in self._table

    # ----- typed getters ---------------------------------------------------------------------
    def number(self, key: str, default: float, lo: float, hi: float, unit: str = "seconds") -> float:
        """An integer or float in lo…hi (never a bool, a string or nan)."""
        present, v = self._get(key)
        if not present:
            return float(default)
        expected = f"a number of {unit} {_num(lo)}…{_num(hi)}"
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise self.error(key, v, expected)
        # Compare before converting (a huge integer would overflow float()); nan compares false, inf is out of range.
        if not lo <= v <= hi:
            raise self.error(key, v, expected)
        return float(v)

    def integer(self, key: str, default: int | None, lo: int, hi: int, what: str = "a whole number") -> int | None:
        present, v = self._get(key)
        if not present:
            return default
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise self.error(key, v, f"{what} {lo}…{hi}")
        return v

    def flag(self, key: str, default: bool) -> bool:
        """true or false (never a string or a number)."""
        present, v = self._get(key)
        if not present:
            return default
        if not isinstance(v, bool):
            raise self.error(key, v, "true or false")
        return v

    def choice(self, key: str, default: object, options: Sequence[object], what: str = "") -> object:
        """One of `options` (strings compare case-insensitively and are returned as listed)."""
        present, v = self._get(key)
        if not present:
            return default
        for o in options:
            if isinstance(o, str) and isinstance(v, str) and v.strip().lower() == o.lower():
                return o
            if not isinstance(o, str) and not isinstance(v, (bool, str)) and isinstance(v, (int, float)) and v == o:
                return o
        shown = " | ".join(json.dumps(o) if isinstance(o, str) else _num(o) for o in options)
        raise self.error(key, v, f"{what + ': ' if what else ''}one of {shown}")

    def text(self, key: str, default: str | None, *, required: bool = False, what: str = "",
             max_len: int = 200, allow_empty: bool = False) -> str | None:
        """A one-line string without control characters."""
        what = what or f"text (one line, up to {max_len} characters)"
        present, v = self._get(key)
        if not present:
            if required:
                raise self.missing(key, what)
            return default
        if not isinstance(v, str) or _CONTROL.search(v) or len(v) > max_len or (not allow_empty and not v.strip()):
            raise self.error(key, v, what)
        return v.strip()

    def address(self, key: str, default: str) -> str:
        """host:port (the SKO's address)."""
        want = "host:port such as 127.0.0.1:1829"
        v = self.text(key, default, what=want)
        assert v is not None
        host, sep, port = v.rpartition(":")
        if not sep or not host or " " in host or not port.isdigit() or not 1 <= int(port) <= 65535:
            raise self.error(key, v, want)
        return v

    def device(self, key: str, default: str | None = None, *, required: bool = True) -> str | None:
        """A device path or a transport URL, checked the way hal.transport will read it."""
        v = self.text(key, default, required=required and default is None, what=DEVICE_URL, max_len=300)
        if v is None:
            return None
        if "://" not in v:
            if not v.startswith("/") or " " in v:
                raise self.error(key, v, DEVICE_URL)
            return v
        u = urlsplit(v)
        try:
            port = u.port
        except ValueError:
            raise self.error(key, v, DEVICE_URL) from None
        if u.scheme in ("tcp", "socket", "rfc2217"):
            ok = bool(u.hostname) and port is not None and port > 0
        elif u.scheme == "file":
            ok = u.path.startswith("/")
        elif u.scheme == "usb":
            ids = u.netloc.split(":")
            ok = len(ids) == 2 and all(re.fullmatch(r"[0-9A-Fa-f]{4}", x) for x in ids) and all(
                re.fullmatch(r"(out|in)=\d{1,3}", p) for p in u.query.split("&") if p)
        else:
            ok = u.scheme in ("loop", "spy", "alt", "hwgrep")
        if not ok:
            raise self.error(key, v, DEVICE_URL)
        return v

    def http_url(self, key: str, *, required: bool = True) -> str | None:
        want = "an http:// or https:// URL with a host"
        v = self.text(key, None, required=required, what=want, max_len=300)
        if v is None:
            return None
        u = urlsplit(v)
        try:
            port_ok = u.port is None or u.port > 0
        except ValueError:
            port_ok = False
        if u.scheme not in ("http", "https") or not u.hostname or " " in v or not port_ok:
            raise self.error(key, v, want)
        return v

    def tables(self, key: str, max_count: int, what: str) -> list[Mapping]:
        """An array of tables ([[devices.terminals]]); each entry must itself be a table."""
        present, v = self._get(key)
        if not present:
            return []
        if not isinstance(v, (list, tuple)) or len(v) > max_count or any(not isinstance(t, Mapping) for t in v):
            raise self.error(key, v, f"{what} (at most {max_count})")
        return list(v)
