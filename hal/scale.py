"""Scale drivers (CAS ECR, Massa-K protocol 100, Mettler Toledo 8217) behind one Scale interface.

`read()` returns whatever the scale reports (flags included); `wait_stable(timeout)` is what the
till sells from: it polls until the weight is stable, refuses overload and weights below zero,
and can be cancelled. It blocks, so the register calls it off the UI thread.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping

from hal.errors import DeviceError, ProtocolError, ScaleError, TransportError
from hal.interfaces import CancelCheck, ScaleReading
from hal.protocols import cas, massak, mt8217
from hal.transport import SerialParams, Transport, open_transport, read_exact

# Each protocol's line settings as its documents give them (see the protocol modules).
DEFAULT_SERIAL = {
    "cas": SerialParams(9600, 8, "N", 1),
    "massak": SerialParams(57600, 8, "N", 1),
    "mt8217": SerialParams(9600, 7, "E", 1),
}
DEFAULT_BAUD = {name: p.baudrate for name, p in DEFAULT_SERIAL.items()}
POLL_INTERVAL = 0.1            # 10 Hz while waiting for a stable weight (devices.md §2.5: 5-10 Hz)
RETRIED = {"SCALE_BAD_CHECKSUM", "SCALE_BAD_FRAME", "SCALE_BUSY", "SCALE_NO_ANSWER"}


class _ScaleBase:
    """Shared polling logic; subclasses implement `_query()` returning one ScaleReading."""

    protocol = ""

    def __init__(self, transport: Transport, answer_timeout: float = 0.5) -> None:
        self.transport = transport
        self.answer_timeout = answer_timeout

    def _no_answer(self) -> ScaleError:
        return ScaleError("SCALE_NO_ANSWER", f"scales: no answer on {self.transport.name}")

    def read(self) -> ScaleReading:
        """One reading, or ScaleError SCALE_NO_ANSWER / SCALE_BAD_CHECKSUM / SCALE_BAD_FRAME / SCALE_LINK_DOWN."""
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

    def wait_stable(self, timeout: float = 3.0, *, cancel: CancelCheck | threading.Event | None = None,
                    on_reading: Callable[[ScaleReading], None] | None = None) -> ScaleReading:
        """A stable weight at or above zero, polled at 10 Hz until `timeout` seconds have passed.

        ScaleError SCALE_OVERLOAD, SCALE_UNDER_ZERO (a status-only "under zero") or SCALE_NEGATIVE (a
        stable weight below zero) at once; SCALE_UNSTABLE when the pan has not settled by the deadline;
        SCALE_CANCELLED as soon as `cancel` (a callable or an Event) says so. Line noise and a missed
        answer are retried until the deadline, then the last such error is raised. `on_reading`
        sees every reading (a waiting indicator can show the live weight)."""
        is_cancelled = cancel.is_set if isinstance(cancel, threading.Event) else (cancel or (lambda: False))
        pause = cancel if isinstance(cancel, threading.Event) else threading.Event()
        deadline = time.monotonic() + timeout
        last: ScaleReading | None = None
        last_error: ScaleError | None = None
        polls = 0
        while True:
            if is_cancelled():
                raise ScaleError("SCALE_CANCELLED", f"scales: waiting for a stable weight cancelled after {polls} polls")
            polls += 1
            try:
                r = self.read()
            except ScaleError as e:
                if e.code not in RETRIED:
                    raise
                last_error = e
            else:
                last, last_error = r, None
                if on_reading is not None:
                    on_reading(r)
                if r.overload:
                    raise ScaleError("SCALE_OVERLOAD", f"scales: over capacity on {self.transport.name}")
                if r.stable and r.negative:
                    if r.weight_known:
                        raise ScaleError("SCALE_NEGATIVE", f"scales: stable weight {r.weight_g} g is below zero")
                    raise ScaleError("SCALE_UNDER_ZERO", f"scales: the scale reports under zero on {self.transport.name}")
                if r.stable and r.weight_known:
                    return r
            left = deadline - time.monotonic()
            if left <= 0:
                if last_error is not None:
                    raise last_error
                raise ScaleError("SCALE_UNSTABLE", f"scales: not stable within {timeout:g} s ({polls} polls, "
                                 f"last {last.weight_g if last else '-'} g) on {self.transport.name}")
            pause.wait(min(POLL_INTERVAL, left))
            if is_cancelled():
                raise ScaleError("SCALE_CANCELLED", f"scales: waiting for a stable weight cancelled after {polls} polls")

    def read_stable(self, timeout: float = 3.0) -> ScaleReading:
        """`wait_stable` without a cancel hook (what the register called before the hook existed)."""
        return self.wait_stable(timeout)

    def close(self) -> None:
        self.transport.close()

    def _query(self) -> ScaleReading:
        raise NotImplementedError  # each protocol defines its exchange

    def _read_from(self, starts: tuple[int, ...], size: int, mask: int = 0xFF) -> bytes:
        """Skip bytes until one of `starts` (compared under `mask`), then read a frame of `size` bytes in total."""
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
            if b[0] & mask in starts:
                return b + read_exact(self.transport, size - 1, max(deadline - time.monotonic(), 0.05))
            skipped += 1

    def _read_until(self, frame: bytes, end: int, limit: int, mask: int = 0xFF) -> bytes:
        deadline = time.monotonic() + self.answer_timeout
        while frame[-1] & mask != end:
            if len(frame) >= limit:
                raise ScaleError("SCALE_BAD_FRAME", f"scales: {self.protocol} answer without its end byte ({frame.hex(' ')})")
            frame += read_exact(self.transport, 1, max(deadline - time.monotonic(), 0.01))
        return frame


class CasScale(_ScaleBase):
    """CAS ECR / Type-6: ENQ -> ACK, DC1 -> weight frame (or DC2 -> price, weight, unit price)."""

    protocol = "cas"

    def __init__(self, transport: Transport, answer_timeout: float = 0.5, request: str = "dc1") -> None:
        super().__init__(transport, answer_timeout)
        if request not in ("dc1", "dc2"):
            raise ScaleError("SCALE_BAD_CONFIG", f"scales: CAS request {request!r} is neither dc1 nor dc2")
        self.request = request
        self.last_prices: cas.PricedReading | None = None

    def _query(self) -> ScaleReading:
        self.transport.reset_input()
        self.transport.write(cas.ENQ)
        ack = self.transport.read(1, self.answer_timeout)
        if not ack:
            raise self._no_answer()
        if ack != cas.ACK:
            raise ScaleError("SCALE_BUSY" if ack == cas.NAK else "SCALE_BAD_FRAME",
                             f"scales: answered {ack.hex()} to ENQ instead of ACK on {self.transport.name}")
        self.transport.write(cas.DC2 if self.request == "dc2" else cas.DC1)
        # The shortest answer (five-character weight) is read at once, then up to EOT for longer ones.
        frame = self._read_from((cas.SOH, cas.SOH_HIGH), cas.MIN_DC2_FRAME if self.request == "dc2" else cas.MIN_FRAME)
        frame = self._read_until(frame, cas.EOT, cas.MAX_FRAME)
        if self.request == "dc2":
            self.last_prices = cas.decode_dc2_frame(frame)
            return self.last_prices.reading
        return cas.decode_frame(frame)


class MassaKScale(_ScaleBase):
    """Massa-K protocol 100: CMD_GET_MASSA -> CMD_ACK_MASSA (or CMD_ERROR). `crc="auto"` tries each
    published CRC variant until the scale answers one, then keeps it."""

    protocol = "massak"

    def __init__(self, transport: Transport, answer_timeout: float = 0.5, crc: str = "vendor") -> None:
        super().__init__(transport, answer_timeout)
        if crc != "auto" and crc not in {v.value for v in massak.CrcVariant}:
            raise ScaleError("SCALE_BAD_CONFIG", f"scales: Massa-K crc {crc!r}; use auto, "
                             + ", ".join(v.value for v in massak.CrcVariant))
        self._candidates = list(massak.CrcVariant) if crc == "auto" else [massak.CrcVariant(crc)]
        self.crc: massak.CrcVariant | None = None if crc == "auto" else massak.CrcVariant(crc)

    def _query(self) -> ScaleReading:
        variants = [self.crc] if self.crc is not None else self._candidates
        last: ScaleError | None = None
        for variant in variants:
            try:
                msg = self._exchange(variant)
            except ScaleError as e:
                if self.crc is not None or e.code not in ("SCALE_NO_ANSWER", "SCALE_BAD_CHECKSUM"):
                    raise
                last = e
                continue
            if msg.cmd == massak.Cmd.NACK and self.crc is None:
                last = ScaleError("SCALE_REFUSED", f"scales: Massa-K NACKed a request with CRC {variant.value}")
                continue
            self.crc = variant          # the scale's answer passed this CRC: keep it
            return massak.to_reading(msg)
        assert last is not None
        raise ScaleError(last.code, f"{last.detail} (tried CRC variants {', '.join(v.value for v in variants)})")

    def _exchange(self, variant: massak.CrcVariant) -> massak.Message:
        self.transport.reset_input()
        self.transport.write(massak.encode(massak.Cmd.GET_MASSA, crc=variant))
        head = self._read_from((massak.HEADER[0],), 5)
        if head[:3] != massak.HEADER:
            raise ScaleError("SCALE_BAD_FRAME", f"scales: Massa-K header {head[:3].hex(' ')}")
        size = massak.frame_length(head) or 0
        if size > 64:
            raise ScaleError("SCALE_BAD_FRAME", f"scales: Massa-K frame length {size} is implausible")
        rest = read_exact(self.transport, size - len(head), self.answer_timeout)
        try:
            return massak.decode(head + rest, variant)
        except ProtocolError as e:
            raise ScaleError(e.code, f"{e.detail} [CRC {variant.value}]") from None


class Mt8217Scale(_ScaleBase):
    """Mettler Toledo 8217: 'W' -> STX weight [N] CR, or STX ? status CR. Parity bits are masked."""

    protocol = "mt8217"

    def _query(self) -> ScaleReading:
        self.transport.reset_input()
        self.transport.write(mt8217.REQUEST)
        frame = self._read_from((mt8217.STX,), 2, mask=0x7F)
        frame = self._read_until(frame, mt8217.CR, mt8217.MAX_FRAME, mask=0x7F)
        return mt8217.decode(frame)


DRIVERS: dict[str, type[_ScaleBase]] = {"cas": CasScale, "massak": MassaKScale, "mt8217": Mt8217Scale}
OPTIONS = {"cas": ("request",), "massak": ("crc",), "mt8217": ()}

Scale = CasScale | MassaKScale | Mt8217Scale


def open_scale(url: str, protocol: str, baudrate: int | None = None, *, serial: SerialParams | None = None,
               **options: str) -> Scale:
    """A driver for `protocol` ("cas" | "massak" | "mt8217") on `url`, at the protocol's documented line
    settings unless `serial` (or just `baudrate`) says otherwise. Options: cas `request` ("dc1" | "dc2"),
    massak `crc` ("vendor" | "ccitt-0000" | "ccitt-ffff" | "auto"). ScaleError SCALE_BAD_CONFIG /
    SCALE_NOT_CONNECTED when something is unknown or the port cannot be opened."""
    if protocol not in DRIVERS:
        raise ScaleError("SCALE_BAD_CONFIG", f"scales: unknown protocol {protocol!r}; use one of "
                         + ", ".join(DRIVERS))
    unknown = sorted(set(options) - set(OPTIONS[protocol]))
    if unknown:
        raise ScaleError("SCALE_BAD_CONFIG", f"scales: option {unknown[0]!r} does not apply to {protocol}")
    params = serial or DEFAULT_SERIAL[protocol]
    if baudrate is not None and serial is None:
        params = SerialParams(baudrate, params.bytesize, params.parity, params.stopbits)
    try:
        transport = open_transport(url, params)
    except DeviceError as e:
        raise ScaleError("SCALE_NOT_CONNECTED", f"scales: {e.detail}") from None
    try:
        return DRIVERS[protocol](transport, **options)
    except ScaleError:
        transport.close()
        raise


def scale_from_config(section: Mapping[str, object]) -> Scale:
    """The scale of a `[devices.scale]` section: url, protocol, the line keys, request / crc."""
    if not section.get("url"):
        raise ScaleError("SCALE_BAD_CONFIG", "scales: [devices.scale] needs url")
    protocol = str(section.get("protocol", "cas"))
    if protocol not in DRIVERS:
        raise ScaleError("SCALE_BAD_CONFIG", f"scales: unknown protocol {protocol!r}; use one of " + ", ".join(DRIVERS))
    try:
        params = SerialParams.from_section(section, DEFAULT_SERIAL[protocol])
    except DeviceError as e:
        raise ScaleError("SCALE_BAD_CONFIG", f"scales: {e.detail}") from None
    options = {k: str(section[k]) for k in OPTIONS[protocol] if k in section}
    return open_scale(str(section["url"]), protocol, serial=params, **options)
