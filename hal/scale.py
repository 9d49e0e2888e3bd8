"""Scale drivers (CAS ECR, Massa-K protocol 100, Mettler Toledo 8217) behind one Scale interface.

`read()` returns whatever the scale reports (flags included); `read_stable(timeout)` is what the
till sells from: it polls until the weight is stable and refuses overload and negative weights.
"""
from __future__ import annotations

import time

from hal.errors import DeviceError, ProtocolError, ScaleError, TransportError
from hal.interfaces import ScaleReading
from hal.protocols import cas, massak, mt8217
from hal.transport import Transport, open_transport, read_exact

MSG_UNSTABLE = "Весы: вес не успокоился — подождите и повторите"
MSG_OVERLOAD = "Весы: перегрузка — снимите товар с весов"
MSG_NEGATIVE = "Весы: отрицательный вес — обнулите весы"

DEFAULT_BAUD = {"cas": 9600, "massak": 57600, "mt8217": 9600}
POLL_INTERVAL = 0.05


class _ScaleBase:
    """Shared polling logic; subclasses implement `_query()` returning one ScaleReading."""

    protocol = ""

    def __init__(self, transport: Transport, answer_timeout: float = 0.5) -> None:
        self.transport = transport
        self.answer_timeout = answer_timeout

    def _no_answer(self) -> ScaleError:
        return ScaleError("SCALE_NO_ANSWER", f"scales: no answer on {self.transport.name}")

    def read(self) -> ScaleReading:
        """One reading, or ScaleError SCALE_NO_ANSWER / SCALE_BAD_CHECKSUM / SCALE_BAD_FRAME."""
        try:
            return self._query()
        except ScaleError:
            raise
        except TransportError as e:
            if e.code == "NO_ANSWER":
                raise self._no_answer() from None
            raise ScaleError("SCALE_LINK_DOWN", f"scales: {e.detail}") from None
        except ProtocolError as e:
            self.transport.reset_input()
            raise ScaleError(e.code, e.detail, e.device or "scale") from None

    def read_stable(self, timeout: float = 3.0) -> ScaleReading:
        """A stable, non-negative weight; ScaleError SCALE_UNSTABLE / SCALE_OVERLOAD / SCALE_NEGATIVE."""
        deadline = time.monotonic() + timeout
        while True:
            r = self.read()
            if r.overload:
                raise ScaleError("SCALE_OVERLOAD", MSG_OVERLOAD)
            if r.stable:
                if r.negative:
                    raise ScaleError("SCALE_NEGATIVE", MSG_NEGATIVE)
                return r
            if time.monotonic() + POLL_INTERVAL > deadline:
                raise ScaleError("SCALE_UNSTABLE", MSG_UNSTABLE)
            time.sleep(POLL_INTERVAL)

    def close(self) -> None:
        self.transport.close()

    def _query(self) -> ScaleReading:
        raise NotImplementedError  # each protocol defines its exchange

    def _read_from(self, start: int, size: int) -> bytes:
        """Skip bytes until `start`, then read a frame of `size` bytes in total."""
        deadline = time.monotonic() + self.answer_timeout
        skipped = 0
        while True:
            left = deadline - time.monotonic()
            b = self.transport.read(1, max(left, 0)) if left > 0 else b""
            if not b:
                if skipped:
                    raise ScaleError("SCALE_BAD_FRAME", f"scales: {skipped} bytes of garbage on "
                                     f"{self.transport.name}, no frame")
                raise self._no_answer()
            if b[0] == start:
                return b + read_exact(self.transport, size - 1, max(deadline - time.monotonic(), 0.05))
            skipped += 1


class CasScale(_ScaleBase):
    """CAS ECR / Type-6: ENQ -> ACK, DC1 -> 15-byte frame."""

    protocol = "cas"

    def _query(self) -> ScaleReading:
        self.transport.reset_input()
        self.transport.write(cas.ENQ)
        ack = self.transport.read(1, self.answer_timeout)
        if not ack:
            raise self._no_answer()
        if ack != cas.ACK:
            raise ScaleError("SCALE_BUSY" if ack == cas.NAK else "SCALE_BAD_FRAME",
                             f"scales: answered {ack.hex()} to ENQ instead of ACK on {self.transport.name}")
        self.transport.write(cas.DC1)
        return cas.decode_frame(self._read_from(cas.SOH, cas.FRAME_SIZE))


class MassaKScale(_ScaleBase):
    """Massa-K protocol 100: CMD_GET_MASSA -> CMD_ACK_MASSA (or CMD_ERROR)."""

    protocol = "massak"

    def _query(self) -> ScaleReading:
        self.transport.reset_input()
        self.transport.write(massak.encode(massak.Cmd.GET_MASSA))
        head = self._read_from(massak.HEADER[0], 5)
        if head[:3] != massak.HEADER:
            raise ScaleError("SCALE_BAD_FRAME", f"scales: Massa-K header {head[:3].hex(' ')}")
        size = massak.frame_length(head) or 0
        if size > 64:
            raise ScaleError("SCALE_BAD_FRAME", f"scales: Massa-K frame length {size} is implausible")
        rest = read_exact(self.transport, size - len(head), self.answer_timeout)
        return massak.to_reading(massak.decode(head + rest))


class Mt8217Scale(_ScaleBase):
    """Mettler Toledo 8217: 'W' -> STX weight CR or STX ? status CR."""

    protocol = "mt8217"

    def _query(self) -> ScaleReading:
        self.transport.reset_input()
        self.transport.write(mt8217.REQUEST)
        frame = self._read_from(mt8217.STX, 2)
        deadline = time.monotonic() + self.answer_timeout
        while frame[-1] != mt8217.CR:
            if len(frame) >= mt8217.MAX_FRAME:
                raise ScaleError("SCALE_BAD_FRAME", f"scales: Toledo 8217 answer without CR ({frame.hex(' ')})")
            frame += read_exact(self.transport, 1, max(deadline - time.monotonic(), 0.01))
        return mt8217.decode(frame)


DRIVERS: dict[str, type[_ScaleBase]] = {"cas": CasScale, "massak": MassaKScale, "mt8217": Mt8217Scale}

Scale = CasScale | MassaKScale | Mt8217Scale


def open_scale(url: str, protocol: str, baudrate: int | None = None) -> Scale:
    """A driver for `protocol` ("cas" | "massak" | "mt8217") on `url`; ScaleError SCALE_BAD_CONFIG /
    SCALE_NOT_CONNECTED when the protocol is unknown or the port cannot be opened."""
    if protocol not in DRIVERS:
        raise ScaleError("SCALE_BAD_CONFIG", f"scales: unknown protocol {protocol!r}; use one of "
                         + ", ".join(DRIVERS))
    try:
        transport = open_transport(url, baudrate or DEFAULT_BAUD[protocol])
    except DeviceError as e:
        raise ScaleError("SCALE_NOT_CONNECTED", f"scales: {e.detail}") from None
    return DRIVERS[protocol](transport)
