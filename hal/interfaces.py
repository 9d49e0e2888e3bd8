"""One small interface per device kind, and the values they return. Drivers implement these."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from fiscal.documents import Document, Registration
from fiscal.layout import PrintedDocument


@dataclass(frozen=True)
class PrinterStatus:
    online: bool = True
    paper_end: bool = False
    paper_near_end: bool = False
    cover_open: bool = False
    cutter_error: bool = False
    unrecoverable: bool = False
    drawer_open: bool | None = None     # None: no drawer sensor configured (the printer's pin 3 means nothing)

    @property
    def ready(self) -> bool:
        return self.online and not (self.paper_end or self.cover_open or self.cutter_error or self.unrecoverable)


class JobOutcome(StrEnum):
    """What became of a print job, as far as the printer can tell."""

    PRINTED = "printed"            # (a) the whole job is on paper
    NOT_PRINTED = "not_printed"    # (b) nothing of it reached the paper: a reprint is the original
    UNKNOWN = "unknown"            # (c) partly printed, or the printer cannot tell: a reprint is a copy


@dataclass(frozen=True)
class PrintResult:
    outcome: JobOutcome
    status: PrinterStatus          # after the job or the recovery (paper near end shows here)
    confirmed: bool = False        # the printer acknowledged the end of the job, not just "no fault seen"
    buffer_cleared: bool = False   # the rest of an interrupted job was discarded in the printer
    held: bool = False             # the rest may still sit in the printer and print when the fault clears
    detail: str = ""               # technical English for the log


class Printer(Protocol):
    columns: int

    def status(self) -> PrinterStatus: ...
    def check_ready(self) -> None:
        """Raise PrinterError PRINTER_PAPER_OUT / PRINTER_COVER_OPEN / PRINTER_OFFLINE / PRINTER_CUTTER_JAM."""
    def print_document(self, doc: PrintedDocument) -> PrintResult:
        """Print, or raise PrinterError; a job cut short raises hal.printer.PrintInterrupted carrying its PrintResult."""
    def recover(self) -> PrintResult:
        """Discard whatever the printer still holds of the last job, re-read the status, say what became of it."""
    def kick_drawer(self, pin: int | None = None, pulse_on_ms: int | None = None, pulse_off_ms: int | None = None) -> None: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class ScaleReading:
    weight_g: int
    stable: bool
    overload: bool = False
    negative: bool = False             # below zero (a negative weight, or the scale's "under zero" status)
    net: bool = False                  # a net weight (a tare is taken)
    tare_g: int | None = None          # the tare, where the protocol reports it
    weight_known: bool = True          # False for a status-only answer (in motion, over capacity, under zero)


CancelCheck = Callable[[], bool]


class Scale(Protocol):
    def read(self) -> ScaleReading: ...
    def wait_stable(self, timeout: float, *, cancel: CancelCheck | None = None,
                    on_reading: Callable[[ScaleReading], None] | None = None) -> ScaleReading:
        """Poll until the weight is stable (off the UI thread); ScaleError SCALE_UNSTABLE at the deadline,
        SCALE_OVERLOAD / SCALE_UNDER_ZERO / SCALE_NEGATIVE at once, SCALE_CANCELLED when `cancel()` turns true."""
    def close(self) -> None: ...


@dataclass(frozen=True)
class DisplayLine:
    """One receipt line as the customer sees it: name, quantity (thousandths), line total (kopecks)."""

    name: str
    qty: int
    amount: int


class CustomerDisplay(Protocol):
    """What the customer sees: a 2x20 pole display, or a second screen that shows more of the same."""

    def show_sale(self, lines: Sequence[DisplayLine], total: int) -> None:
        """The receipt being built; a pole display shows the last line, a screen the whole list and the total."""
    def show_total(self, total: int) -> None: ...
    def show_payment(self, due: int, paid: int = 0, change: int = 0, qr: str | None = None) -> None:
        """Amount due, then what was paid and the change; `qr` is an ОПЛАТИ code where the display can show one."""
    def show_idle(self, text: str = "") -> None:
        """Between customers: the shop's text (a pole display) or the ad slideshow (a screen)."""
    def show_text(self, upper: str, lower: str = "") -> None: ...
    def clear(self) -> None: ...
    def set_brightness(self, level: int) -> None:
        """1 (dim) .. 4 (full) where the display has brightness; DeviceError DISPLAY_BAD_CONFIG outside 1..4."""
    def close(self) -> None: ...


@dataclass(frozen=True)
class CardResult:
    approved: bool
    status: int                   # 1 approved, 16 declined, 34 no connection, 53 aborted, 0 unknown
    amount: int = 0
    rrn: str = ""
    auth_code: str = ""
    pan_masked: str = ""
    terminal_id: str = ""
    ecr_txn_id: str = ""
    message: str = ""
    slip: tuple[str, ...] = ()


class CardOutcome(StrEnum):
    """What a terminal says about one transaction, asked by its ECR id."""

    APPROVED = "approved"
    DECLINED = "declined"       # refused, aborted or the host not reached: nothing charged
    NOT_FOUND = "not_found"     # the terminal answered that it holds no transaction with this id
    UNKNOWN = "unknown"         # no usable answer, or the transaction is still running: never "declined"


@dataclass(frozen=True)
class CardTxnStatus:
    outcome: CardOutcome
    result: CardResult | None = None   # the terminal's stored result when it answered
    detail: str = ""                   # why the outcome is unknown (for the log)

    @property
    def approved(self) -> bool:
        return self.outcome is CardOutcome.APPROVED


ProgressCallback = Callable[[str], None]


class CardTerminal(Protocol):
    name: str

    def sale(self, amount: int, ecr_txn_id: str, progress: ProgressCallback | None = None) -> CardResult: ...
    def cancel(self, amount: int, rrn: str, ecr_txn_id: str, progress: ProgressCallback | None = None) -> CardResult: ...
    def refund(self, amount: int, rrn: str, ecr_txn_id: str, progress: ProgressCallback | None = None) -> CardResult: ...
    def settlement(self) -> CardResult: ...
    def test(self) -> CardResult: ...
    def status(self, ecr_txn_id: str) -> CardTxnStatus:
        """Never raises for a link problem: an answer that cannot be had is CardOutcome.UNKNOWN."""
    def reprint(self) -> CardResult: ...
    def abort(self) -> None: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class ScanResult:
    """One scan as the scanner framed it (GS separators of a DataMatrix kept); the register classifies it."""

    code: str


class Scanner(Protocol):
    def read(self, timeout: float) -> ScanResult | None: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class SkoInfo:
    serial: str
    org_name: str
    unp: str
    ksa_number: str                     # "" when the SKO type does not give the register number
    versions: dict[str, str] = field(default_factory=dict)
    public_key_pem: str = ""            # only an SKO type that signs its answers has one
    registered: bool = True


@dataclass(frozen=True)
class SkoStatus:
    authorized: bool
    shift_open: bool
    shift_number: int
    shift_opened_at: str | None
    unsent_count: int
    oldest_unsent_at: str | None
    cash_in_drawer: int
    turnover: int
    next_number: int
    uplink_online: bool = True


@dataclass(frozen=True)
class SkoShiftReport:
    """The SKO's own X / Z figures of one shift (BYN), as its getXReport / closeShift answer gives them."""

    shift_number: int
    opened_at: str | None
    closed_at: str | None
    first_sale_number: int | None
    last_sale_number: int | None
    sale_documents: int
    sales_count: int = 0
    sales_cash: int = 0
    sales_cashless: int = 0
    sales_other: int = 0
    sales_sum: int = 0
    moneybacks_count: int = 0
    moneybacks_sum: int = 0
    deposits_count: int = 0
    deposits_sum: int = 0
    withdraws_count: int = 0
    withdraws_sum: int = 0
    rollbacks_count: int = 0
    rollbacks_sum: int = 0
    uid: str = ""                       # the Z report's uid (closeShift only)

    @property
    def open(self) -> bool:
        return self.shift_number > 0 and self.closed_at is None


class Sko(Protocol):
    def info(self) -> SkoInfo: ...
    def authorize(self, pin: str) -> None:
        """An already authorised session (iKassa 47) is success."""
    def change_pin(self, puk: str, new_pin: str) -> None: ...
    def logout(self) -> None: ...
    def status(self, time: str | None = None) -> SkoStatus: ...
    def register(self, doc: Document, number: int | None = None) -> Registration:
        """Register any fiscal document; `number` is the journal's next number (refused before sending when the
        SKO's counter says otherwise). A lost or garbled answer raises SKO_UNKNOWN / SKO_BAD_ANSWER, never a refusal."""
    def lookup(self, doc: Document, number: int | None = None) -> Registration | None:
        """The registration of `doc` if the SKO has it; None only when it is proven absent; SKO_UNKNOWN otherwise."""
    def x_report(self) -> SkoShiftReport: ...
    def document(self, number: int) -> Registration: ...
    def close(self) -> None: ...
