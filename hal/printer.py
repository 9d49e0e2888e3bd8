"""EscPosPrinter: the ESC/POS receipt printer driver over any Transport, with status checks, job tracking and recovery.

A job goes out as `GS r 1` + document + `GS r 1` where the profile has job markers: the printer
answers each GS r only when it reaches it in its buffer, so two answers mean the whole document
was printed, one that it started, none that it never got to it. Real-time DLE EOT queries watch
for a fault meanwhile. When a job is cut short (paper out, cover open...), `recover()` discards
what the printer still holds (the profile's real-time clear), re-reads the status and says what
became of the job, so the register can tell an original from a copy.
"""
from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import qrcode

from fiscal.layout import Align, PrintedDocument
from hal.errors import DeviceError, PrinterError, ProtocolError, TransportError
from hal.interfaces import JobOutcome, PrinterStatus, PrintResult
from hal.printer_profiles import PrinterProfile, RealtimeClear, get_profile
from hal.protocols import escpos
from hal.protocols.escpos import StatusQuery
from hal.transport import EIGHT_N_ONE, SerialParams, Transport, open_transport

POLL_INTERVAL = 0.25        # DLE EOT 1 while waiting for the end of a job


def error_for(status: PrinterStatus) -> PrinterError | None:
    """The PrinterError a status calls for, most specific cause first, or None when the printer is ready."""
    if status.paper_end:
        code = "PRINTER_PAPER_OUT"
    elif status.cover_open:
        code = "PRINTER_COVER_OPEN"
    elif status.cutter_error:
        code = "PRINTER_CUTTER_JAM"
    elif status.unrecoverable:
        code = "PRINTER_FAULT"
    elif not status.online:
        code = "PRINTER_OFFLINE"
    else:
        return None
    return PrinterError(code, f"printer status: {status}", "printer")


class PrintInterrupted(PrinterError):
    """A job was cut short after it was sent; `result` says what became of it after the recovery."""

    def __init__(self, code: str, detail: str, result: PrintResult) -> None:
        super().__init__(code, detail, "printer")
        self.result = result


def qr_rows(data: str, module: int) -> list[list[bool]]:
    """A QR symbol as raster rows (for printers without native GS ( k), with a 4-module quiet zone."""
    q = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    q.add_data(data)
    q.make(fit=True)
    rows: list[list[bool]] = []
    for mrow in q.get_matrix():
        row = [bool(m) for m in mrow for _ in range(module)]
        rows.extend([row] * module)
    return rows


@dataclass(frozen=True)
class DrawerSettings:
    """The cash drawer on the printer's kick-out connector."""

    pin: int = 2                 # connector pin 2 or 5
    pulse_on_ms: int = 100       # python-escpos and most drawers: 100 ms (ESC p 0 50 50)
    pulse_off_ms: int = 100
    sensor: str = "none"         # which level of pin 3 means open: none | high_open | low_open
    realtime: bool = False       # DLE DC4 fn=1 instead of ESC p, where the profile has it

    def __post_init__(self) -> None:
        if self.pin not in escpos.DRAWER_PINS or not 2 <= self.pulse_on_ms <= 510 or not 2 <= self.pulse_off_ms <= 510 \
                or self.sensor not in escpos.DRAWER_SENSORS:
            raise PrinterError("PRINTER_BAD_CONFIG", f"printer: drawer pin {self.pin!r} (2 or 5), pulse "
                               f"{self.pulse_on_ms!r}/{self.pulse_off_ms!r} ms (2..510) or sensor {self.sensor!r} "
                               f"({', '.join(escpos.DRAWER_SENSORS)}) is out of range")


@dataclass
class _Job:
    markers: bool
    seen: int = 0                # GS r answers received: 1 = started, 2 = finished
    sent: bool = False


class EscPosPrinter:
    """An ESC/POS printer on `transport`; codes, columns, cut and real-time commands come from `profile`."""

    def __init__(self, transport: Transport, profile: PrinterProfile, *, status_timeout: float = 1.0,
                 logo: Sequence[Sequence[bool]] | None = None, drawer: DrawerSettings | None = None,
                 job_timeout: float | None = None) -> None:
        self.transport = transport
        self.profile = profile
        self.columns = profile.columns
        self.status_timeout = status_timeout
        self.drawer = drawer or DrawerSettings()
        self.job_timeout = job_timeout
        self._logo = escpos.raster(logo) if logo is not None and profile.raster else b""
        self._job: _Job | None = None
        self.last_result: PrintResult | None = None     # what became of the last job, for a later recover()

    # --- reading answers --------------------------------------------------------------------------
    def _next_status_byte(self, n: StatusQuery, timeout: float) -> int:
        """The next DLE EOT answer; GS r answers met on the way count for the job in flight."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                answer = self.transport.read(1, left) if left > 0 else b""
            except TransportError as e:
                raise PrinterError("PRINTER_OFFLINE", f"printer: link lost on {self.transport.name}: {e.detail}") from None
            if not answer:
                raise PrinterError("PRINTER_OFFLINE", f"printer: no answer on {self.transport.name}")
            b = answer[0]
            if self._job is not None and escpos.is_transmit_status_answer(b):
                self._job.seen += 1
                continue
            return b

    def _query(self, n: StatusQuery) -> escpos.StatusBits:
        if self._job is None:
            self.transport.reset_input()        # a late answer to an earlier query must not pass for this one
        try:
            self.transport.write(escpos.status_request(n))
        except TransportError as e:
            raise PrinterError("PRINTER_OFFLINE", f"printer: link lost on {self.transport.name}: {e.detail}") from None
        b = self._next_status_byte(n, self.status_timeout)
        try:
            return escpos.decode_status_byte(n, b)
        except ProtocolError as e:
            raise PrinterError("PRINTER_BAD_STATUS", f"{e.detail} [{self.transport.name}]") from None

    def status(self) -> PrinterStatus:
        """DLE EOT 1 (on-line? drawer), 2 and 3 for the cause when off-line, 4 for paper end / near end."""
        first = self._query(StatusQuery.PRINTER)
        parts = [first]
        if first.offline:
            parts += [self._query(StatusQuery.OFFLINE_CAUSE), self._query(StatusQuery.ERROR_CAUSE)]
        parts.append(self._query(StatusQuery.PAPER))
        return escpos.combine_status(parts, self.drawer.sensor)

    def check_ready(self) -> None:
        err = error_for(self.status())
        if err is not None:
            raise err

    # --- printing ---------------------------------------------------------------------------------
    def document_bytes(self, doc: PrintedDocument) -> bytes:
        """The whole job for `doc`: init, FS ., code page, styled lines, QR, barcode, feed and cut."""
        p = self.profile
        out = bytearray(escpos.INIT + escpos.CANCEL_KANJI + escpos.select_code_page(p.code_page_slot))
        if self._logo:
            out += escpos.align(Align.CENTER) + self._logo + escpos.align(Align.LEFT)
        cur_align, cur_bold, cur_double = Align.LEFT, False, False
        for line in doc.lines:
            # fiscal.layout pads every line to the page width itself; aligning again on the
            # printer would push centred text off centre, so text lines always go out left-aligned.
            if line.bold != cur_bold:
                out += escpos.bold(line.bold)
                cur_bold = line.bold
            if line.double != cur_double:
                out += escpos.char_size(2, 2) if line.double else escpos.char_size(1, 1)
                cur_double = line.double
            out += escpos.encode_text(line.text, p.code_page) + b"\n"
        if cur_bold:
            out += escpos.bold(False)
        if cur_double:
            out += escpos.char_size(1, 1)
        if doc.qr or doc.barcode:
            out += escpos.align(Align.CENTER)
            if doc.qr:
                out += (escpos.qr(doc.qr, p.qr_module) if p.qr_native
                        else escpos.raster(qr_rows(doc.qr, p.qr_module)))
                out += b"\n"
            if doc.barcode:
                out += escpos.barcode(doc.barcode, module=2 if p.dots >= 512 else 1) + b"\n"
            cur_align = Align.CENTER
        if cur_align != Align.LEFT:
            out += escpos.align(Align.LEFT)
        out += escpos.cut(p.cut, p.feed_before_cut)
        return bytes(out)

    def print_document(self, doc: PrintedDocument) -> PrintResult:
        """Check the printer, send the document, follow it to its end.

        PrinterError when the printer is not ready (nothing is sent); PrintInterrupted, carrying the
        recovery's PrintResult, when a fault cuts the job short. The result of a good job carries
        the status after it (paper near end shows there)."""
        job = self.document_bytes(doc)
        self.check_ready()
        markers = self.profile.job_markers
        payload = (escpos.transmit_status(1) + job + escpos.transmit_status(1)) if markers else job
        self.transport.reset_input()
        self._job = _Job(markers=markers)
        try:
            self.transport.write(payload)
            self._job.sent = True
        except TransportError as e:
            result = self._recover(f"sending the document failed: {e.detail}")
            raise PrintInterrupted("PRINTER_OFFLINE", f"printer: sending the document failed: {e.detail}", result) from None
        timeout = self.job_timeout if self.job_timeout is not None else 3.0 + len(payload) / 2000
        try:
            if markers:
                self._await_end(timeout)
            status = self.status()
        except PrinterError as e:        # the printer stopped answering while the job was on its way
            result = self._recover(f"{e.code} while following the job: {e.detail}")
            raise PrintInterrupted(e.code, f"printer: lost track of the job: {e.detail}", result) from None
        err = error_for(status)
        if err is not None:
            result = self._recover(f"{err.code} after sending {len(payload)} bytes")
            raise PrintInterrupted(err.code, f"printer: job cut short: {result.detail}", result)
        confirmed = self._job.seen >= 2
        self._job = None
        self.last_result = PrintResult(JobOutcome.PRINTED, status, confirmed=confirmed,
                                       detail="end of job confirmed by GS r" if confirmed else "no fault seen after the job")
        return self.last_result

    def _await_end(self, timeout: float) -> None:
        """Read GS r answers until the end marker, polling DLE EOT 1 so a stopped printer ends the wait."""
        assert self._job is not None
        deadline = time.monotonic() + timeout
        next_poll = time.monotonic() + POLL_INTERVAL
        while self._job.seen < 2:
            now = time.monotonic()
            if now >= deadline:
                return
            try:
                b = self.transport.read(1, min(deadline, next_poll) - now)
            except TransportError:
                return                            # the status query that follows names the problem
            if b:
                if escpos.is_transmit_status_answer(b[0]):
                    self._job.seen += 1
                continue
            if time.monotonic() >= next_poll:
                if self._query(StatusQuery.PRINTER).offline:
                    return
                next_poll = time.monotonic() + POLL_INTERVAL

    # --- recovery ---------------------------------------------------------------------------------
    def _clear_buffer(self) -> tuple[bool, str]:
        """Send the profile's real-time clears in order; (confirmed, what was done)."""
        done = []
        for kind in self.profile.realtime_clear:
            try:
                self.transport.write(escpos.realtime_clear(kind))
            except TransportError as e:
                return False, f"{kind.value} not sent: {e.detail}"
            if kind is RealtimeClear.DLE_DC4_8:
                if self._await_clear_response():
                    return True, f"{kind.value} confirmed (37 25 00)"
                done.append(f"{kind.value} unanswered")
            else:
                done.append(f"{kind.value} sent, not confirmable")
                return False, "; ".join(done)
        return False, "; ".join(done) or "the profile has no real-time clear"

    def _await_clear_response(self) -> bool:
        deadline = time.monotonic() + self.status_timeout
        window = b""
        while time.monotonic() < deadline:
            try:
                b = self.transport.read(1, deadline - time.monotonic())
            except TransportError:
                return False
            if not b:
                continue
            window = (window + b)[-3:]
            if window == escpos.CLEAR_RESPONSE:
                return True
        return False

    def _recover(self, why: str) -> PrintResult:
        job = self._job
        cleared, how = self._clear_buffer()
        try:
            status = self.status()
        except PrinterError as e:
            status = PrinterStatus(online=False)
            how += f"; status unreadable: {e.detail}"
        if job is None or not job.sent:
            outcome = JobOutcome.UNKNOWN          # nothing tracked, or a write that failed part-way
        elif job.seen >= 2:
            outcome = JobOutcome.PRINTED
        elif job.markers and job.seen == 0 and cleared:
            outcome = JobOutcome.NOT_PRINTED
        else:
            outcome = JobOutcome.UNKNOWN
        held = not cleared and outcome is not JobOutcome.PRINTED
        markers = f"{job.seen} of 2 job markers" if job is not None and job.markers else "no job markers"
        self._job = None
        self.last_result = PrintResult(outcome, status, confirmed=outcome is not JobOutcome.UNKNOWN,
                                       buffer_cleared=cleared, held=held, detail=f"{why}; {markers}; {how}")
        return self.last_result

    def recover(self) -> PrintResult:
        """Discard what the printer holds (the profile's real-time clear), re-read the status and say what
        became of the last job: call it again once the fault is cleared, before deciding what to reprint.
        UNKNOWN when no job was printed since the driver was opened."""
        last = self.last_result
        if self._job is not None or last is None:
            return self._recover("recovery requested")
        cleared, how = self._clear_buffer()
        try:
            status = self.status()
        except PrinterError as e:
            status = PrinterStatus(online=False)
            how += f"; status unreadable: {e.detail}"
        self.last_result = PrintResult(last.outcome, status, confirmed=last.confirmed,
                                       buffer_cleared=last.buffer_cleared or cleared, held=last.held and not cleared,
                                       detail=f"{last.detail}; recovery requested: {how}")
        return self.last_result

    # --- drawer -----------------------------------------------------------------------------------
    def kick_drawer(self, pin: int | None = None, pulse_on_ms: int | None = None, pulse_off_ms: int | None = None) -> None:
        """Pulse the drawer solenoid (ESC p m t1 t2, or DLE DC4 fn=1 where configured and supported);
        defaults from the drawer settings. ESC p waits its turn in the buffer behind any held job."""
        d = self.drawer
        pin = d.pin if pin is None else pin
        on = d.pulse_on_ms if pulse_on_ms is None else pulse_on_ms
        off = d.pulse_off_ms if pulse_off_ms is None else pulse_off_ms
        data = (escpos.drawer_pulse_realtime(pin, on) if d.realtime and self.profile.realtime_pulse
                else escpos.drawer_kick(pin, on, off))
        try:
            self.transport.write(data)
        except TransportError as e:
            raise PrinterError("PRINTER_OFFLINE", f"printer: drawer kick not sent: {e.detail}") from None

    def close(self) -> None:
        self.transport.close()


def open_printer(url: str, model: str | None = None, *, serial: SerialParams | None = None,
                 drawer: DrawerSettings | None = None, **profile_overrides: object) -> EscPosPrinter:
    """A printer by transport URL (tcp://host:9100, /dev/ttyUSB0, file:///dev/usb/lp0, usb://VID:PID) and
    model key (none: generic 80 mm)."""
    profile = get_profile(model, **profile_overrides)
    try:
        transport = open_transport(url, serial or EIGHT_N_ONE)
    except TransportError as e:
        raise PrinterError("PRINTER_OFFLINE", f"printer: {e.detail}") from None
    return EscPosPrinter(transport, profile, drawer=drawer)


def printer_from_config(section: Mapping[str, object]) -> EscPosPrinter:
    """The printer of a `[devices.printer]` section: url, model, the serial line keys, the drawer keys."""
    if not section.get("url"):
        raise PrinterError("PRINTER_BAD_CONFIG", "printer: [devices.printer] needs url")
    try:
        serial = SerialParams.from_section(section, EIGHT_N_ONE)
        drawer = DrawerSettings(pin=int(section.get("drawer_pin", 2)),                           # type: ignore[arg-type]
                                pulse_on_ms=int(section.get("drawer_pulse_on_ms", 100)),         # type: ignore[arg-type]
                                pulse_off_ms=int(section.get("drawer_pulse_off_ms", 100)),       # type: ignore[arg-type]
                                sensor=str(section.get("drawer_sensor", "none")),
                                realtime=bool(section.get("drawer_realtime", False)))
    except (TypeError, ValueError) as e:
        raise PrinterError("PRINTER_BAD_CONFIG", f"printer: drawer settings must be numbers ({e})") from None
    except DeviceError as e:
        raise PrinterError("PRINTER_BAD_CONFIG", f"printer: {e.detail}") from None
    model = section.get("model")
    return open_printer(str(section["url"]), str(model) if model else None, serial=serial, drawer=drawer)
