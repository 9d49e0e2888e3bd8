"""Transports: one byte-stream API over serial (pyserial URL), USB bulk (pyusb), a file, or TCP.

Drivers only call write / read / read_exact / close; every read has a timeout and none needs
modem lines, so the same driver runs against a real port, a pty of the simulator, or a socket.
"""
from __future__ import annotations

import logging
import os
import select
import socket
import stat
import termios
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlparse

import serial

from hal.errors import TransportError


class Transport(Protocol):
    name: str

    def write(self, data: bytes) -> None: ...
    def read(self, size: int, timeout: float) -> bytes:
        """Up to `size` bytes; returns b'' when nothing came within `timeout` seconds."""
    def reset_input(self) -> None: ...
    def close(self) -> None: ...


def read_exact(t: Transport, size: int, timeout: float) -> bytes:
    """Exactly `size` bytes or TransportError(NO_ANSWER) when the deadline passes."""
    deadline = time.monotonic() + timeout
    buf = bytearray()
    while len(buf) < size:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TransportError("NO_ANSWER", f"no answer on {t.name} within {timeout:g} s"
                                 + (f" ({len(buf)} of {size} bytes)" if buf else ""), t.name)
        buf += t.read(size - len(buf), left)
    return bytes(buf)


PARITIES = {"N": "none", "E": "even", "O": "odd", "M": "mark", "S": "space"}
_PARITY_WORDS = {v: k for k, v in PARITIES.items()}
BAUD_RATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)


@dataclass(frozen=True)
class SerialParams:
    """A serial line's framing: baud rate, data bits, parity (N/E/O/M/S) and stop bits, e.g. 9600 7E1."""

    baudrate: int = 9600
    bytesize: int = 8
    parity: str = "N"
    stopbits: float = 1

    def __post_init__(self) -> None:
        problems = []
        if self.baudrate not in BAUD_RATES:
            problems.append(f"baud {self.baudrate!r} is not one of {', '.join(map(str, BAUD_RATES))}")
        if self.bytesize not in (5, 6, 7, 8):
            problems.append(f"data_bits {self.bytesize!r} is not 5, 6, 7 or 8")
        if self.parity not in PARITIES:
            problems.append(f"parity {self.parity!r} is not one of none, even, odd, mark, space")
        if self.stopbits not in (1, 1.5, 2):
            problems.append(f"stop_bits {self.stopbits!r} is not 1, 1.5 or 2")
        if problems:
            raise TransportError("BAD_CONFIG", "serial line: " + "; ".join(problems))

    def __str__(self) -> str:
        stop = f"{self.stopbits:g}"
        return f"{self.baudrate} {self.bytesize}{self.parity}{stop}"

    @classmethod
    def from_section(cls, section: Mapping[str, object], default: SerialParams) -> SerialParams:
        """The line settings of a device's config section (`baud`, `data_bits`, `parity`, `stop_bits`),
        each falling back to the protocol's `default`; a bad value is TransportError BAD_CONFIG naming it."""
        raw_parity = section.get("parity", default.parity)
        parity = str(raw_parity).strip()
        parity = _PARITY_WORDS.get(parity.lower(), parity.upper())
        try:
            baud = int(section.get("baud", default.baudrate))            # type: ignore[arg-type]
            bits = int(section.get("data_bits", default.bytesize))       # type: ignore[arg-type]
            stop = float(section.get("stop_bits", default.stopbits))     # type: ignore[arg-type]
        except (TypeError, ValueError) as e:
            raise TransportError("BAD_CONFIG", f"serial line: baud, data_bits and stop_bits must be numbers ({e})") from None
        return cls(baud, bits, parity, stop)


EIGHT_N_ONE = SerialParams()


def is_pty(path: str) -> bool:
    """A pseudo-terminal slave (Unix98 ptys have majors 136-143): the simulators' side of a "serial port"."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    return stat.S_ISCHR(st.st_mode) and 136 <= os.major(st.st_rdev) <= 143


class SerialTransport:
    """pyserial by URL: a device path, socket://host:port, loop://, rfc2217://.

    A pty keeps 8N1 whatever the device's framing: a simulator reads whole bytes, and a pty
    has no UART that could add or strip a parity bit. The name says which framing is in use."""

    def __init__(self, url: str, params: SerialParams | int = EIGHT_N_ONE) -> None:
        if isinstance(params, int):
            params = SerialParams(baudrate=params)
        wanted = params
        note = ""
        if is_pty(url) and (params.bytesize, params.parity, params.stopbits) != (8, "N", 1):
            params = SerialParams(params.baudrate)
            note = f" (pty: {wanted} not applied)"
        self.params = params
        framing = str(params).split()[1]
        self.name = f"{url} at {params.baudrate} baud" + ("" if framing == "8N1" else f" {framing}") + note
        try:
            self._s = serial.serial_for_url(url, baudrate=params.baudrate, bytesize=params.bytesize,
                                            parity=params.parity, stopbits=params.stopbits,
                                            timeout=0, write_timeout=2, do_not_open=False)
        except termios.error as e:
            # The kernel driver refused the framing (e.g. mark/space parity on a pty or a USB adapter).
            raise TransportError("NOT_CONNECTED", f"cannot set {params} on {url}: termios.error {e}", url) from None
        except (serial.SerialException, OSError, ValueError) as e:
            raise TransportError("NOT_CONNECTED", f"cannot open {url} at {params}: {e}", url) from None

    def write(self, data: bytes) -> None:
        try:
            self._s.write(data)
            self._s.flush()
        except (serial.SerialException, OSError) as e:
            raise TransportError("LINK_DOWN", f"write failed on {self.name}: {e}", self.name) from None

    def read(self, size: int, timeout: float) -> bytes:
        try:
            self._s.timeout = max(timeout, 0)
            return self._s.read(size)
        except (serial.SerialException, OSError) as e:
            raise TransportError("LINK_DOWN", f"read failed on {self.name}: {e}", self.name) from None

    def reset_input(self) -> None:
        try:
            self._s.reset_input_buffer()
        except Exception:  # a pty or socket URL may not support it; stale bytes are then read and rejected
            pass

    def close(self) -> None:
        self._s.close()


class TcpTransport:
    """A raw TCP stream (network printers on port 9100, terminals over Ethernet)."""

    def __init__(self, host: str, port: int, connect_timeout: float = 3.0) -> None:
        self.name = f"{host}:{port}"
        try:
            self._sock = socket.create_connection((host, port), timeout=connect_timeout)
        except OSError as e:
            raise TransportError("NOT_CONNECTED", f"cannot connect to {host}:{port}: {e.strerror or e}", self.name) from None
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def write(self, data: bytes) -> None:
        try:
            self._sock.settimeout(5)
            self._sock.sendall(data)
        except OSError as e:
            raise TransportError("LINK_DOWN", f"send to {self.name} failed: {e}", self.name) from None

    def read(self, size: int, timeout: float) -> bytes:
        self._sock.settimeout(max(timeout, 0.001))
        try:
            data = self._sock.recv(size)
        except TimeoutError:
            return b""
        except OSError as e:
            raise TransportError("LINK_DOWN", f"receive from {self.name} failed: {e}", self.name) from None
        if not data:
            raise TransportError("LINK_DOWN", f"{self.name} closed the connection", self.name)
        return data

    def reset_input(self) -> None:
        self._sock.setblocking(False)
        try:
            while self._sock.recv(4096):
                pass
        except OSError:
            pass
        finally:
            self._sock.setblocking(True)

    def close(self) -> None:
        self._sock.close()


class FileTransport:
    """A character device such as /dev/usb/lp0 (usblp): write the job, read status answers."""

    def __init__(self, path: str) -> None:
        self.name = path
        try:
            self._fd = os.open(path, os.O_RDWR | os.O_NONBLOCK | os.O_NOCTTY)
        except OSError as e:
            raise TransportError("NOT_CONNECTED", f"cannot open {path}: {e.strerror}", path) from None

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        deadline = time.monotonic() + 10
        while view:
            try:
                n = os.write(self._fd, view)
                view = view[n:]
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TransportError("LINK_DOWN", f"{self.name} accepts no data", self.name) from None
                time.sleep(0.005)
            except OSError as e:
                raise TransportError("LINK_DOWN", f"write to {self.name} failed: {e.strerror}", self.name) from None

    def read(self, size: int, timeout: float) -> bytes:
        ready, _, _ = select.select([self._fd], [], [], max(timeout, 0))
        if not ready:
            return b""
        try:
            return os.read(self._fd, size)
        except BlockingIOError:
            return b""
        except OSError as e:
            raise TransportError("LINK_DOWN", f"read from {self.name} failed: {e.strerror}", self.name) from None

    def reset_input(self) -> None:
        while self.read(4096, 0):
            pass

    def close(self) -> None:
        os.close(self._fd)


class UsbTransport:
    """USB bulk endpoints via pyusb; the kernel driver (usblp) is detached first."""

    def __init__(self, vid: int, pid: int, out_ep: int = 0x01, in_ep: int = 0x82, interface: int = 0) -> None:
        import usb.core
        import usb.util
        self.name = f"usb {vid:04x}:{pid:04x}"
        try:
            dev = usb.core.find(idVendor=vid, idProduct=pid)
        except usb.core.NoBackendError:
            raise TransportError("NOT_CONNECTED", "libusb is not installed (apt install libusb-1.0-0)", self.name) from None
        if dev is None:
            raise TransportError("NOT_CONNECTED", f"no USB device {vid:04x}:{pid:04x} is plugged in", self.name)
        try:
            if dev.is_kernel_driver_active(interface):
                dev.detach_kernel_driver(interface)
            dev.set_configuration()
        except usb.core.USBError as e:
            raise TransportError("NOT_CONNECTED", f"cannot claim {self.name}: {e}", self.name) from None
        self._dev, self._out, self._in = dev, out_ep, in_ep

    def write(self, data: bytes) -> None:
        import usb.core
        try:
            self._dev.write(self._out, data, timeout=5000)
        except usb.core.USBError as e:
            raise TransportError("LINK_DOWN", f"USB write to {self.name} failed: {e}", self.name) from None

    def read(self, size: int, timeout: float) -> bytes:
        import usb.core
        try:
            return bytes(self._dev.read(self._in, max(size, 64), timeout=max(int(timeout * 1000), 1)))[:size]
        except usb.core.USBTimeoutError:
            return b""
        except usb.core.USBError as e:
            raise TransportError("LINK_DOWN", f"USB read from {self.name} failed: {e}", self.name) from None

    def reset_input(self) -> None:
        while self.read(64, 0.01):
            pass

    def close(self) -> None:
        import usb.util
        usb.util.dispose_resources(self._dev)


_TRACING = [False]


def set_tracing(on: bool) -> None:
    """Protocol traces (hex, both directions) for every transport opened from now on (diagnostics switch)."""
    _TRACING[0] = bool(on)


def tracing_enabled() -> bool:
    """Whether links opened now should log their bytes (drivers with their own sockets ask this)."""
    return _TRACING[0]


class TracingTransport:
    """Wraps a transport and logs every byte in hex to `zpos.trace.<name>`: what a field engineer reads."""

    def __init__(self, inner: Transport) -> None:
        self._inner = inner
        self.name = inner.name
        self._log = logging.getLogger(f"zpos.trace.{inner.name}")

    def write(self, data: bytes) -> None:
        self._log.debug(">> %s", data.hex(" "))
        self._inner.write(data)

    def read(self, size: int, timeout: float) -> bytes:
        data = self._inner.read(size, timeout)
        if data:
            self._log.debug("<< %s", data.hex(" "))
        return data

    def reset_input(self) -> None:
        self._inner.reset_input()

    def close(self) -> None:
        self._inner.close()


def open_transport(url: str, serial: SerialParams | int = EIGHT_N_ONE) -> Transport:
    """tcp://host:port, file:///dev/usb/lp0, usb://04b8:0e28[?out=1&in=130], else a pyserial URL or path
    opened with `serial` (line settings, or just a baud rate for 8N1)."""
    t = _open(url, serial)
    return TracingTransport(t) if _TRACING[0] else t


def _open(url: str, serial: SerialParams | int) -> Transport:
    u = urlparse(url)
    if u.scheme == "tcp":
        if not u.hostname or not u.port:
            raise TransportError("BAD_CONFIG", f"{url}: expected tcp://host:port", url)
        return TcpTransport(u.hostname, u.port)
    if u.scheme == "file":
        return FileTransport(u.path)
    if u.scheme == "usb":
        try:
            vid, pid = (int(x, 16) for x in u.netloc.split(":"))
            q = dict(p.split("=") for p in u.query.split("&") if p)
            return UsbTransport(vid, pid, int(q.get("out", "1")), int(q.get("in", "130")))
        except ValueError:
            raise TransportError("BAD_CONFIG", f"{url}: expected usb://VID:PID with hex ids", url) from None
    return SerialTransport(url, serial)
