"""Device errors: `DeviceCode`, one exception hierarchy; texts from the catalogues, port details in `detail` only."""
from __future__ import annotations

from texts.errors import Code, CodedError, declare


@declare
class DeviceCode(Code):
    BAD_BARCODE = "BAD_BARCODE"
    BAD_CONFIG = "BAD_CONFIG"
    BAD_FRAME = "BAD_FRAME"
    BAD_NUMBER = "BAD_NUMBER"
    BAD_TIME = "BAD_TIME"
    CARD_BAD_AMOUNT = "CARD_BAD_AMOUNT"
    CARD_BAD_CONFIG = "CARD_BAD_CONFIG"
    CARD_DECLINED = "CARD_DECLINED"
    CARD_LINK_ERROR = "CARD_LINK_ERROR"
    CARD_NOT_CONNECTED = "CARD_NOT_CONNECTED"
    CARD_NO_ANSWER = "CARD_NO_ANSWER"
    CARD_TIMEOUT = "CARD_TIMEOUT"
    CARD_UNKNOWN = "CARD_UNKNOWN"
    CARD_UNKNOWN_TERMINAL = "CARD_UNKNOWN_TERMINAL"
    DISPLAY_BAD_CONFIG = "DISPLAY_BAD_CONFIG"
    DISPLAY_LINK_DOWN = "DISPLAY_LINK_DOWN"
    DISPLAY_NOT_CONNECTED = "DISPLAY_NOT_CONNECTED"
    DRAWER_NOT_EMPTY = "DRAWER_NOT_EMPTY"
    ECR_BAD_FIELD = "ECR_BAD_FIELD"
    ECR_BAD_FRAME = "ECR_BAD_FRAME"
    ECR_BAD_LRC = "ECR_BAD_LRC"
    EMPTY_Z_REPORT = "EMPTY_Z_REPORT"
    FRAME_TOO_LARGE = "FRAME_TOO_LARGE"
    LINK_DOWN = "LINK_DOWN"
    NOTHING_TO_ANNUL = "NOTHING_TO_ANNUL"
    NOT_ALLOWED = "NOT_ALLOWED"
    NOT_AUTHORIZED = "NOT_AUTHORIZED"
    NOT_CONNECTED = "NOT_CONNECTED"
    NOT_ENOUGH_CASH = "NOT_ENOUGH_CASH"
    NO_ANSWER = "NO_ANSWER"
    OPLATI_AUTH = "OPLATI_AUTH"
    OPLATI_BAD_ANSWER = "OPLATI_BAD_ANSWER"
    OPLATI_CANCELLED = "OPLATI_CANCELLED"
    OPLATI_DECLINED = "OPLATI_DECLINED"
    OPLATI_NOT_ENOUGH = "OPLATI_NOT_ENOUGH"
    OPLATI_NOT_FOUND = "OPLATI_NOT_FOUND"
    OPLATI_OFFLINE = "OPLATI_OFFLINE"
    OPLATI_REFUSED = "OPLATI_REFUSED"
    OPLATI_TIMEOUT = "OPLATI_TIMEOUT"
    OPLATI_UNKNOWN = "OPLATI_UNKNOWN"
    PRINTER_BAD_CONFIG = "PRINTER_BAD_CONFIG"
    PRINTER_BAD_DATA = "PRINTER_BAD_DATA"
    PRINTER_BAD_STATUS = "PRINTER_BAD_STATUS"
    PRINTER_COVER_OPEN = "PRINTER_COVER_OPEN"
    PRINTER_CUTTER_JAM = "PRINTER_CUTTER_JAM"
    PRINTER_FAULT = "PRINTER_FAULT"
    PRINTER_OFFLINE = "PRINTER_OFFLINE"
    PRINTER_PAPER_OUT = "PRINTER_PAPER_OUT"
    SCALE_BAD_CHECKSUM = "SCALE_BAD_CHECKSUM"
    SCALE_BAD_CONFIG = "SCALE_BAD_CONFIG"
    SCALE_BAD_FRAME = "SCALE_BAD_FRAME"
    SCALE_BUSY = "SCALE_BUSY"
    SCALE_CANCELLED = "SCALE_CANCELLED"
    SCALE_LINK_DOWN = "SCALE_LINK_DOWN"
    SCALE_NEGATIVE = "SCALE_NEGATIVE"
    SCALE_NOT_CONNECTED = "SCALE_NOT_CONNECTED"
    SCALE_NO_ANSWER = "SCALE_NO_ANSWER"
    SCALE_OVERLOAD = "SCALE_OVERLOAD"
    SCALE_REFUSED = "SCALE_REFUSED"
    SCALE_UNDER_ZERO = "SCALE_UNDER_ZERO"
    SCALE_UNSTABLE = "SCALE_UNSTABLE"
    SCANNER_BAD_DATA = "SCANNER_BAD_DATA"
    SCANNER_LINK_DOWN = "SCANNER_LINK_DOWN"
    SCANNER_NOT_AVAILABLE = "SCANNER_NOT_AVAILABLE"
    SCANNER_NOT_CONNECTED = "SCANNER_NOT_CONNECTED"
    SHIFT_CLOSED = "SHIFT_CLOSED"
    SHIFT_EXPIRED = "SHIFT_EXPIRED"
    SHIFT_OPEN = "SHIFT_OPEN"
    SKO_BAD_ANSWER = "SKO_BAD_ANSWER"
    SKO_BAD_SIGNATURE = "SKO_BAD_SIGNATURE"
    SKO_CASHIER_NAME = "SKO_CASHIER_NAME"
    SKO_ERROR = "SKO_ERROR"
    SKO_HARDWARE = "SKO_HARDWARE"
    SKO_IN_USE = "SKO_IN_USE"
    SKO_LOCKED = "SKO_LOCKED"
    SKO_NAME_TOO_LONG = "SKO_NAME_TOO_LONG"
    SKO_NOT_FOUND = "SKO_NOT_FOUND"
    SKO_NUMBERING = "SKO_NUMBERING"
    SKO_OFFLINE = "SKO_OFFLINE"
    SKO_TIME_SYNC = "SKO_TIME_SYNC"
    SKO_UNKNOWN = "SKO_UNKNOWN"
    SKO_UNSENT_LIMIT = "SKO_UNSENT_LIMIT"
    TOTALS_MISMATCH = "TOTALS_MISMATCH"
    UNFINISHED_SALE = "UNFINISHED_SALE"
    UNKNOWN_ITEM = "UNKNOWN_ITEM"
    UNSENT_DOCUMENTS = "UNSENT_DOCUMENTS"
    WRONG_PIN = "WRONG_PIN"
    WRONG_PUK = "WRONG_PUK"


class DeviceError(CodedError):
    """`code` is stable (e.g. PRINTER_PAPER_OUT); `device` names the device (a terminal's name, "printer");
    `detail` says what happened on the wire (for the log and the diagnostics trace, never the cashier)."""

    codes = DeviceCode

    def __init__(self, code: str | Code, detail: str = "", device: str = "", /, **params: object) -> None:
        super().__init__(code, detail, device=device, **params)
        self.device = device


class TransportError(DeviceError):
    """The link itself: cannot open, no answer in time, link dropped."""


class ProtocolError(DeviceError):
    """A frame that does not parse: bad checksum, bad length, garbage."""


class PrinterError(DeviceError):
    pass


class ScaleError(DeviceError):
    pass


class DisplayError(DeviceError):
    pass


class CardTerminalError(DeviceError):
    pass


class ScannerError(DeviceError):
    pass


class SkoError(DeviceError):
    """An SKO refusal. `sko_code` is the device's numeric code (domain.md §5.5) when it gave one."""

    def __init__(self, code: str | Code, detail: str = "", sko_code: int | None = None, device: str = "sko", /,
                 **params: object) -> None:
        super().__init__(code, detail, device, sko_code=sko_code if sko_code is not None else "", **params)
        self.sko_code = sko_code
