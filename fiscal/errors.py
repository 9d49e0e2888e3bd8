"""The fiscal layer's refusals: `FiscalCode` (contracts.md §2 and §3) and one exception class."""
from __future__ import annotations

from texts.errors import Code, CodedError, declare


@declare
class FiscalCode(Code):
    BAD_JSON = "BAD_JSON"
    BAD_FIELD = "BAD_FIELD"
    EMPTY_RECEIPT = "EMPTY_RECEIPT"
    QTY_RANGE = "QTY_RANGE"
    PRICE_RANGE = "PRICE_RANGE"
    DISCOUNT_TOO_LARGE = "DISCOUNT_TOO_LARGE"
    SUM_RANGE = "SUM_RANGE"
    BAD_VAT = "BAD_VAT"
    BAD_PAYMENT_TYPE = "BAD_PAYMENT_TYPE"
    NOT_ENOUGH_MONEY = "NOT_ENOUGH_MONEY"
    CASHLESS_OVERFLOW = "CASHLESS_OVERFLOW"
    CASH_OVERFLOW = "CASH_OVERFLOW"
    TOO_MANY_ITEMS = "TOO_MANY_ITEMS"
    BAD_BARCODE = "BAD_BARCODE"
    BAD_UNP = "BAD_UNP"
    REPORT_INCONSISTENT = "REPORT_INCONSISTENT"
    MARKING_BAD = "MARKING_BAD"


class FiscalError(CodedError):
    """A rejected fiscal input or operation. `item` is the line index it concerns, when there is one."""

    codes = FiscalCode

    def __init__(self, code: str | Code, detail: str = "", item: int | None = None, /, **params: object) -> None:
        super().__init__(code, detail, **params)
        self.item = item

    def as_json(self, lang: str | None = None) -> dict:
        """contracts.md §2's error object: the text in the user's language, the technical detail after it."""
        text = self.text(lang)
        message = f"{text} ({self.detail})" if self.detail else text
        return {"error": {"code": str(self.code), "message": message, "item": self.item}}
