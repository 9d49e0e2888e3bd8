"""The simulated ОПЛАТИ service's request rules: the documented error body and the create/reversal body checks."""
from __future__ import annotations

from decimal import Decimal

from hal.protocols.oplati import OplatiError, WireNumber, loads_wire, money_from_wire


class ApiError(Exception):
    """An answer with the documented error body (or, `plain`, a web server's page outside the API)."""

    def __init__(self, http_status: int, dev: str, ru: str, en: str, *, plain: bool = False) -> None:
        super().__init__(dev)
        self.http_status, self.dev, self.ru, self.en, self.plain = http_status, dev, ru, en, plain

    def body(self) -> dict | str:
        if self.plain:
            return "Not Found"
        return {"code": str(self.http_status), "internalCode": "", "devMessage": self.dev,
                "userMessage": {"lang_ru": self.ru, "lang_en": self.en}}


def operation_request(body: bytes, reg_num: str) -> tuple[int, str, str, list[tuple[int, str, int]]]:
    """Validate a create/reversal body (dto.go newPaymentRequest / reversePaymentRequest) ->
    (amount, orderNumber, shift, [(type, name, cost)])."""
    try:
        data = loads_wire(body)
        if not isinstance(data, dict) or not isinstance(data.get("details"), dict):
            raise _bad_request("body must be an object with details")
        details = data["details"]
        amount = _request_money(data.get("sum"), "sum")
        order, shift = data.get("orderNumber"), data.get("shift", "")
        if not isinstance(order, str) or not order:
            raise _bad_request("orderNumber must be a non-empty string")
        if not isinstance(shift, str) or ("shift" in data and not shift):
            raise _bad_request("shift must be a non-empty string when given")
        if data.get("regNum") != reg_num or details.get("regNum") != reg_num:
            raise _bad_request("regNum in the body does not match the RegNum header")
        raw_items = details.get("items")
        if not isinstance(raw_items, list) or not raw_items:
            raise _bad_request("details.items must be a non-empty list")
        items = []
        for i, item in enumerate(raw_items):
            if not isinstance(item, dict) or item.get("type") not in (1, 2) or not isinstance(item.get("name"), str):
                raise _bad_request(f"details.items[{i}] needs type 1|2, name and cost")
            items.append((item["type"], item["name"], _request_money(item.get("cost"), f"details.items[{i}].cost")))
        total = _request_money(details.get("amountTotal"), "details.amountTotal")
        if not amount == total == sum(cost for _, _, cost in items):
            raise _bad_request("sum, details.amountTotal and the items' costs disagree")
    except OplatiError as exc:
        raise _bad_request(exc.dev_message or exc.detail) from None
    return amount, order, shift, items


def _request_money(value: object, field: str) -> int:
    """A sum in a request: the clients send whole kopecks (Go: float64(kopecks)/100 prints ≤ 2 decimals)."""
    if isinstance(value, WireNumber) and Decimal(value).normalize().as_tuple().exponent < -2:
        raise _bad_request(f"{field}: {value} is not a whole number of kopecks")
    return money_from_wire(value, field)


def _bad_request(dev: str) -> ApiError:
    return ApiError(400, dev, "Неверный запрос", "Bad request")
