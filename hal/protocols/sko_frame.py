"""The SKO wire protocol: length-prefixed UTF-8 JSON frames (construct), message types, SKO codes.

A frame is a 32-bit big-endian length followed by that many bytes of UTF-8 JSON:

    {"type": "request"|"response"|"error"|"ping"|"pong",
     "address": "sko.token.shift",                       # the service
     "headers": {"action": "register", "op_id": "...", "serial": "AVQ...", "id": 7},
     "data": {...}}

Both the client (hal.sko) and the emulator (sim.sko) use these declarations. Every decoder
here returns a `Message` or raises `hal.errors.ProtocolError`, never anything else.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import construct as cs

from hal.errors import ProtocolError

MAX_FRAME = 1 << 20                        # 1 MiB: a 1000-line receipt is ~400 KiB of JSON

LENGTH = cs.Int32ub
FRAME = cs.Prefixed(LENGTH, cs.GreedyBytes)


class MessageType(StrEnum):
    REQUEST = "request"
    RESPONSE = "response"
    ERROR = "error"
    PING = "ping"
    PONG = "pong"


class Action(StrEnum):
    INFO = "info"
    AUTHORIZE = "authorize"
    CHANGE_PIN = "change_pin"
    LOGOUT = "logout"
    STATUS = "status"
    REGISTER = "register"
    X_COUNTERS = "x_counters"
    LOOKUP = "lookup"
    DOCUMENT = "document"


ADDRESSES: dict[Action, str] = {
    Action.INFO: "sko.token", Action.STATUS: "sko.token", Action.LOOKUP: "sko.token",
    Action.DOCUMENT: "sko.token", Action.AUTHORIZE: "sko.token.authority",
    Action.CHANGE_PIN: "sko.token.authority", Action.LOGOUT: "sko.token.authority",
    Action.REGISTER: "sko.token.documents", Action.X_COUNTERS: "sko.token.shift",
}

# domain.md §5.5 (AVQFR_*): numeric code -> (stable code for the workstation, Russian meaning).
SKO_CODES: dict[int, tuple[str, str]] = {
    5: ("SKO_ERROR", "неизвестная команда или неверный порядок команд"),
    8: ("SKO_ERROR", "неверная роль (PIN/PUK)"),
    10: ("SKO_ERROR", "команда недопустима в этом режиме СКО"),
    17: ("SKO_ERROR", "ключ ещё не действует или истёк"),
    22: ("SKO_ERROR", "запрошенные данные отсутствуют"),
    24: ("SKO_ERROR", "нарушение целостности данных"),
    29: ("SKO_ERROR", "неверный параметр"),
    31: ("SKO_ERROR", "превышено время простоя, требуется синхронизация времени"),
    32: ("WRONG_PIN", "неверный PIN-код"),
    42: ("SHIFT_EXPIRED", "смена открыта более 24 часов — закройте смену"),
    43: ("UNSENT_DOCUMENTS", "сначала нужно передать неотправленные документы в СККО"),
    44: ("SKO_ERROR", "переполнение счётчика, закройте смену"),
    45: ("SKO_ERROR", "отрицательная сумма"),
    46: ("NOT_ENOUGH_CASH", "недостаточно наличных в кассе"),
    47: ("SKO_ERROR", "сессия уже авторизована"),
    48: ("NOT_AUTHORIZED", "требуется авторизация в СКО — введите PIN-код"),
    50: ("SHIFT_OPEN", "смена открыта — сначала закройте смену"),
    51: ("SHIFT_CLOSED", "смена закрыта — откройте смену"),
    52: ("BAD_TIME", "неверная дата/время: операция задним числом"),
    53: ("SKO_ERROR", "неверный номер КСА в СККО"),
    54: ("SKO_ERROR", "неверный код валюты"),
    55: ("SKO_ERROR", "неверный тип документа"),
    56: ("BAD_NUMBER", "номер документа не совпадает со счётчиком СКО"),
    57: ("TOTALS_MISMATCH", "не совпадает «Итого общая стоимость»"),
    58: ("TOTALS_MISMATCH", "не совпадает «Сумма скидки (надбавки)»"),
    59: ("TOTALS_MISMATCH", "не совпадает «Итого к оплате»"),
    60: ("SKO_ERROR", "неверная дробная часть суммы"),
    61: ("SKO_ERROR", "неверный УНП"),
    62: ("SKO_ERROR", "сумма коррекции без коррекций"),
    63: ("SKO_ERROR", "переполнение счётчика общего оборота"),
}
ACTIONS = frozenset(a.value for a in Action)
HARDWARE_MESSAGE = "аппаратный сбой СКО — обратитесь в сервисный центр"

# Refusals the emulator names itself (they share a numeric code with a §5.5 row).
EXTRA_CODES: dict[str, tuple[int, str]] = {
    "SKO_LOCKED": (10, "PIN-код заблокирован после трёх неверных попыток — введите PUK-код"),
    "NOTHING_TO_ANNUL": (22, "нет документа для аннулирования"),
    "SKO_UNSENT_LIMIT": (43, "превышен лимит неотправленных документов — восстановите связь с СККО"),
}


def code_name(sko_code: int) -> str:
    """The stable string code for a numeric SKO code (SKO_ERROR when it has no own name)."""
    return SKO_CODES.get(sko_code, ("SKO_ERROR", ""))[0]


def code_message(sko_code: int) -> str:
    """The Russian cashier message for a numeric SKO code."""
    if sko_code in SKO_CODES:
        return SKO_CODES[sko_code][1]
    if sko_code == 30 or 101 <= sko_code <= 112:
        return f"{HARDWARE_MESSAGE} (код {sko_code})"
    return f"ошибка СКО, код {sko_code}"


@dataclass(frozen=True)
class Message:
    """One decoded frame. `data` is the JSON payload of the action (the wire's own shape)."""

    type: MessageType
    address: str = ""
    action: str = ""
    op_id: str = ""
    serial: str = ""
    id: int = 0
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type.value, "address": self.address,
                "headers": {"action": self.action, "op_id": self.op_id, "serial": self.serial, "id": self.id},
                "data": self.data}


def encode_message(msg: Message) -> bytes:
    """The whole frame (length prefix included) for one message."""
    body = json.dumps(msg.to_json(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if len(body) > MAX_FRAME:
        raise ProtocolError("FRAME_TOO_LARGE", f"message of {len(body)} bytes exceeds {MAX_FRAME}", "СКО")
    return FRAME.build(body)


def _bad(what: str) -> ProtocolError:
    return ProtocolError("BAD_FRAME", what, "СКО")


def _header_str(headers: dict[str, Any], key: str) -> str:
    v = headers.get(key, "")
    if not isinstance(v, str):
        raise _bad(f"header {key!r} must be a string, got {type(v).__name__}")
    return v


def decode_body(body: bytes) -> Message:
    """The JSON part of a frame -> Message, or ProtocolError naming what is wrong."""
    try:
        obj = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise _bad(f"frame is not UTF-8 at byte {e.start}") from None
    except (json.JSONDecodeError, RecursionError, ValueError) as e:
        raise _bad(f"frame is not JSON: {str(e)[:80]}") from None
    if not isinstance(obj, dict):
        raise _bad(f"frame must be a JSON object, got {type(obj).__name__}")
    try:
        mtype = MessageType(obj.get("type"))
    except (ValueError, TypeError):
        raise _bad(f"unknown message type {str(obj.get('type'))[:40]!r}") from None
    address = obj.get("address", "")
    if not isinstance(address, str):
        raise _bad("address must be a string")
    headers = obj.get("headers", {})
    if not isinstance(headers, dict):
        raise _bad("headers must be an object")
    data = obj.get("data", {})
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise _bad("data must be an object")
    mid = headers.get("id", 0)
    if not isinstance(mid, int) or isinstance(mid, bool):
        raise _bad("header 'id' must be an integer")
    action = _header_str(headers, "action")
    if mtype in (MessageType.REQUEST, MessageType.RESPONSE) and action not in ACTIONS:
        raise _bad(f"unknown action {action[:40]!r}")
    return Message(mtype, address, action, _header_str(headers, "op_id"), _header_str(headers, "serial"),
                   mid, data)


def decode_frame(frame: bytes) -> Message:
    """A complete frame (prefix + body, nothing more) -> Message, or ProtocolError."""
    if len(frame) < 4:
        raise _bad(f"frame of {len(frame)} bytes is shorter than its 4-byte length")
    size = LENGTH.parse(frame[:4])
    if size > MAX_FRAME:
        raise _bad(f"declared length {size} exceeds the {MAX_FRAME}-byte maximum")
    if len(frame) != 4 + size:
        raise _bad(f"declared length {size} but {len(frame) - 4} bytes follow")
    try:
        body = FRAME.parse(frame)
    except cs.ConstructError as e:
        raise _bad(f"frame does not parse: {e}") from None
    return decode_body(body)


def read_message(read_exact: Callable[[int], bytes]) -> Message:
    """Read one frame from a stream through `read_exact(n)` (which raises on timeout / link loss)."""
    size = LENGTH.parse(read_exact(4))
    if size > MAX_FRAME:
        raise _bad(f"declared length {size} exceeds the {MAX_FRAME}-byte maximum")
    return decode_body(read_exact(size))
