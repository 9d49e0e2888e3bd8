"""EscPosPrinter: the ESC/POS receipt printer driver over any Transport, with status checks around each document."""
from __future__ import annotations

from collections.abc import Sequence

import qrcode

from fiscal.layout import Align, PrintedDocument
from hal.errors import PrinterError, ProtocolError, TransportError
from hal.interfaces import PrinterStatus
from hal.printer_profiles import PrinterProfile, get_profile
from hal.protocols import escpos
from hal.protocols.escpos import StatusQuery
from hal.transport import Transport, open_transport


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


class EscPosPrinter:
    """An ESC/POS printer on `transport`; codes, columns and cut come from `profile`."""

    def __init__(self, transport: Transport, profile: PrinterProfile, *, status_timeout: float = 1.0,
                 logo: Sequence[Sequence[bool]] | None = None) -> None:
        self.transport = transport
        self.profile = profile
        self.columns = profile.columns
        self.status_timeout = status_timeout
        self._logo = escpos.raster(logo) if logo is not None and profile.raster else b""

    # --- status -----------------------------------------------------------------------------------
    def _query(self, n: StatusQuery) -> escpos.StatusBits:
        self.transport.reset_input()
        self.transport.write(escpos.status_request(n))
        try:
            answer = self.transport.read(1, self.status_timeout)
        except TransportError as e:
            raise PrinterError("PRINTER_OFFLINE", f"printer: link lost on {self.transport.name}: {e.detail}") from None
        if not answer:
            raise PrinterError("PRINTER_OFFLINE", f"printer: no answer on {self.transport.name}")
        try:
            return escpos.decode_status_byte(n, answer[0])
        except ProtocolError as e:
            raise PrinterError("PRINTER_BAD_STATUS", f"{e.detail} [{self.transport.name}]") from None

    def status(self) -> PrinterStatus:
        """DLE EOT 1 (on-line?), 2 and 3 for the cause when off-line, 4 for paper end / near end."""
        first = self._query(StatusQuery.PRINTER)
        parts = [first]
        if first.offline:
            parts += [self._query(StatusQuery.OFFLINE_CAUSE), self._query(StatusQuery.ERROR_CAUSE)]
        parts.append(self._query(StatusQuery.PAPER))
        return escpos.combine_status(parts)

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

    def print_document(self, doc: PrintedDocument) -> None:
        """Check the printer, send the document, check again: a fault before or after raises PrinterError."""
        job = self.document_bytes(doc)
        self.check_ready()
        try:
            self.transport.write(job)
        except TransportError as e:
            raise PrinterError("PRINTER_OFFLINE", f"printer: sending the document failed: {e.detail}") from None
        self.check_ready()

    def kick_drawer(self) -> None:
        try:
            self.transport.write(escpos.drawer_kick())
        except TransportError as e:
            raise PrinterError("PRINTER_OFFLINE", f"printer: drawer kick not sent: {e.detail}") from None

    def close(self) -> None:
        self.transport.close()


def open_printer(url: str, model: str, **profile_overrides: object) -> EscPosPrinter:
    """A printer by transport URL (tcp://host:9100, /dev/ttyUSB0, file:///dev/usb/lp0, usb://VID:PID) and model key."""
    profile = get_profile(model, **profile_overrides)
    try:
        transport = open_transport(url)
    except TransportError as e:
        raise PrinterError("PRINTER_OFFLINE", f"printer: {e.detail}") from None
    return EscPosPrinter(transport, profile)
