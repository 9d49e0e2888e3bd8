"""The iKassa service link: int32-length-prefixed JSON frames (construct), the message envelope, services and actions.

Declared once here and used by the driver (hal.sko) and the emulator (sim.sko), after the public
«Документация по API iKassa» (IKAPI, «Описание взаимодействия»):

    «Структура TCP пакета: <размер пакета в байтах (int32)><сообщение в виде json (string)>»
    {"type": "$string", "address": "$string", "replyAddress": "$string?", "data": "$string?",
     "headers": "$map<string,string>"}
    «Действие (action) указывается в "headers" поле с ключом "action"»
    types: ping, pong, send, publish, error, listen

and the tsrv «Message» (TSRV print.html: type send|ping|pong|error, "data": Any?). IKAPI does not
say the byte order of the length: the default is big-endian, the order of the Vert.x TCP event-bus
bridge whose vocabulary the service's "…EBService" classes follow («prefixed by a big endian 32 bits
positive integer»); `byte_order="little"` is the other choice (docs/sko-protocol.md). IKAPI types
`data` as a string, tsrv as any JSON value: `data_as="object"` (default) sends it as JSON,
`data_as="string"` as a JSON-encoded string; a decoder in either mode accepts both.

Every decoder returns an `Envelope` or raises `hal.errors.ProtocolError`, never anything else.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import construct as cs

from hal.errors import ProtocolError

PORT = 1829                        # IKAPI: «Подключение к сервису осуществляется на порт 1829 (по умолчанию)»
MAX_FRAME = 1 << 20                # 1 MiB: a 1000-line cheque answer is ~500 KiB of JSON
PING_ADDRESS = "topics.default.ping"     # IKAPI: ping «Шлется всегда на адресс topics.default.ping»
ERROR_ADDRESS = "topics.default.error"   # IKAPI: error goes to replyAddress «либо на адрес topics.default.error»
PONG_DEADLINE_S = 2.0              # IKAPI: no pong «в течении двух секунд» → the service closes the link


class MessageType(StrEnum):
    SEND = "send"
    PUBLISH = "publish"
    PING = "ping"
    PONG = "pong"
    ERROR = "error"
    LISTEN = "listen"


class Service(StrEnum):
    """IKAPI «Перечень внутренних сервисов»: the addresses a client sends to."""

    APP = "ik.service.app"
    TOKEN = "ik.service.token"
    AUTHORITY = "ik.service.token.authority"
    SHIFT = "ik.service.token.shift"
    SALES = "ik.service.token.sales.retail"
    MONEYBACK = "ik.service.token.moneyback"
    ROLLBACK = "ik.service.token.rollback"
    DEPOSIT = "ik.service.token.deposit"
    WITHDRAW = "ik.service.token.withdraw"


class Action(StrEnum):
    VERSION = "version"
    PRINTERS = "printers"
    GET_TOKENS = "getTokens"
    GET_TOKEN_BY_SERIAL = "getTokenBySerial"
    GET_CASH_IN_TOKEN = "getCashInToken"
    NEXT_CHEQUE_NUMBER = "nextChequeNumber"
    GET_STORED_DOCUMENTS = "getStoredDocuments"
    GET_CERTIFICATE = "getCertificate"
    RETRIEVE_NOT_PRINTED = "retrieveNotPrintedCheques"
    REPRINT = "reprint"
    AUTHORIZE = "authorize"
    CHANGE_PIN = "changePinCode"
    CLOSE_TOKEN = "closeToken"
    LOGOUT = "logout"
    OPEN_SHIFT = "openShift"
    CLOSE_SHIFT = "closeShift"
    X_REPORT = "getXReport"
    CREATE_SALE = "createSale"
    GET_ACTIVE_SALE = "getActiveSale"
    COPY = "copy"
    CREATE_MONEYBACK = "createMoneyBack"
    CREATE_ROLLBACK = "createRollback"
    CREATE_DEPOSIT = "createDeposit"
    CREATE_WITHDRAW = "createWithdraw"


# The service each action belongs to (IKAPI section headings).
SERVICE_OF: dict[Action, Service] = {
    Action.VERSION: Service.APP, Action.PRINTERS: Service.APP,
    **{a: Service.TOKEN for a in (Action.GET_TOKENS, Action.GET_TOKEN_BY_SERIAL, Action.GET_CASH_IN_TOKEN,
                                  Action.NEXT_CHEQUE_NUMBER, Action.GET_STORED_DOCUMENTS, Action.GET_CERTIFICATE,
                                  Action.RETRIEVE_NOT_PRINTED, Action.REPRINT)},
    **{a: Service.AUTHORITY for a in (Action.AUTHORIZE, Action.CHANGE_PIN, Action.CLOSE_TOKEN, Action.LOGOUT)},
    **{a: Service.SHIFT for a in (Action.OPEN_SHIFT, Action.CLOSE_SHIFT, Action.X_REPORT)},
    **{a: Service.SALES for a in (Action.CREATE_SALE, Action.GET_ACTIVE_SALE, Action.COPY)},
    Action.CREATE_MONEYBACK: Service.MONEYBACK, Action.CREATE_ROLLBACK: Service.ROLLBACK,
    Action.CREATE_DEPOSIT: Service.DEPOSIT, Action.CREATE_WITHDRAW: Service.WITHDRAW,
}
# IKAPI «Требуемые заголовки»: every token action needs `token`; these also need `printerAddr`.
NEEDS_TOKEN = frozenset(a for a, s in SERVICE_OF.items() if s is not Service.APP) - {Action.GET_TOKENS}
NEEDS_PRINTER = frozenset({Action.REPRINT, Action.CLOSE_SHIFT, Action.CREATE_SALE, Action.COPY,
                           Action.CREATE_MONEYBACK, Action.CREATE_ROLLBACK, Action.CREATE_DEPOSIT,
                           Action.CREATE_WITHDRAW})
# Actions that make a fiscal document: their outcome is unknown when the answer is lost.
FISCAL = frozenset({Action.OPEN_SHIFT, Action.CLOSE_SHIFT, Action.CREATE_SALE, Action.CREATE_MONEYBACK,
                    Action.CREATE_ROLLBACK, Action.CREATE_DEPOSIT, Action.CREATE_WITHDRAW})
ACTIONS = frozenset(a.value for a in Action)

# header.documentTypeId / documentTypeName of each document. IKAPI does not publish the numbering: this is
# the emulator's (docs/sko-protocol.md); the driver trusts an id only when it is one of these.
DOCUMENT_TYPES: dict[str, tuple[int, str]] = {
    "sale": (1, "Кассовый чек"), "moneyback": (2, "Чек возврата"), "rollback": (3, "Документ аннулирования"),
    "deposit": (4, "Служебный чек внесения"), "withdraw": (5, "Служебный чек изъятия"),
    "z_report": (6, "Z-отчет"), "shift_open": (7, "Открытие смены"),
}
DOCUMENT_TYPE_OF_ID = {v[0]: k for k, v in DOCUMENT_TYPES.items()}


@dataclass(frozen=True)
class Envelope:
    """One message. `headers` is the string→string map (IKAPI); `data` any JSON value (None = absent)."""

    type: MessageType
    address: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    data: Any = None
    reply_address: str | None = None

    @property
    def action(self) -> str:
        return self.headers.get("action", "")

    def to_json(self, data_as: str = "object") -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type.value, "address": self.address}
        if self.reply_address is not None:
            out["replyAddress"] = self.reply_address
        out["headers"] = dict(self.headers)
        if self.data is not None:
            out["data"] = json.dumps(self.data, ensure_ascii=False) if data_as == "string" else self.data
        return out


def request(action: Action, data: Any = None, *, token: str = "", printer: str = "",
            reply_address: str | None = None, extra_headers: Mapping[str, str] | None = None) -> Envelope:
    """A `send` to the action's service with `action`, `token` and (where IKAPI requires it) `printerAddr`."""
    headers = {"action": action.value}
    if token:
        headers["token"] = token
    if printer and action in NEEDS_PRINTER:
        headers["printerAddr"] = printer
    headers.update(extra_headers or {})
    return Envelope(MessageType.SEND, SERVICE_OF[action].value, headers, data, reply_address)


def _bad(what: str) -> ProtocolError:
    return ProtocolError("BAD_FRAME", what, "СКО")


class FrameCodec:
    """Frames ↔ envelopes for one byte order ("big" | "little") and one `data` encoding ("object" | "string")."""

    def __init__(self, byte_order: str = "big", data_as: str = "object", max_frame: int = MAX_FRAME) -> None:
        if byte_order not in ("big", "little"):
            raise ValueError(f"byte order must be 'big' or 'little', not {byte_order!r}")
        if data_as not in ("object", "string"):
            raise ValueError(f"data must be sent as 'object' or 'string', not {data_as!r}")
        self.byte_order = byte_order
        self.data_as = data_as
        self.max_frame = max_frame
        self.length = cs.Int32sb if byte_order == "big" else cs.Int32sl
        self.frame = cs.Prefixed(self.length, cs.GreedyBytes)

    def encode(self, env: Envelope) -> bytes:
        body = json.dumps(env.to_json(self.data_as), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if len(body) > self.max_frame:
            raise ProtocolError("FRAME_TOO_LARGE", f"message of {len(body)} bytes exceeds {self.max_frame}", "СКО")
        return self.frame.build(body)

    def size(self, prefix: bytes) -> int:
        """The body length a 4-byte prefix declares, or ProtocolError when it is negative or too large."""
        if len(prefix) != 4:
            raise _bad(f"length prefix of {len(prefix)} bytes, expected 4")
        size = self.length.parse(prefix)
        if size < 0 or size > self.max_frame:
            raise _bad(f"declared length {size} is outside 0 … {self.max_frame}")
        return size

    def decode(self, frame: bytes) -> Envelope:
        """A complete frame (prefix + body, nothing more) → Envelope, or ProtocolError."""
        if len(frame) < 4:
            raise _bad(f"frame of {len(frame)} bytes is shorter than its 4-byte length")
        size = self.size(frame[:4])
        if len(frame) != 4 + size:
            raise _bad(f"declared length {size} but {len(frame) - 4} bytes follow")
        try:
            body = self.frame.parse(frame)
        except cs.ConstructError as e:
            raise _bad(f"frame does not parse: {e}") from None
        return self.decode_body(body)

    def read(self, read_exact: Callable[[int], bytes]) -> Envelope:
        """One frame from a stream through `read_exact(n)` (which raises on timeout or link loss)."""
        return self.decode_body(read_exact(self.size(read_exact(4))))

    def decode_body(self, body: bytes) -> Envelope:
        try:
            obj = json.loads(body.decode("utf-8"))
        except UnicodeDecodeError as e:
            raise _bad(f"message is not UTF-8 at byte {e.start}") from None
        except (json.JSONDecodeError, RecursionError, ValueError) as e:
            raise _bad(f"message is not JSON: {str(e)[:80]}") from None
        if not isinstance(obj, dict):
            raise _bad(f"message must be a JSON object, got {type(obj).__name__}")
        try:
            mtype = MessageType(obj.get("type"))
        except (ValueError, TypeError):
            raise _bad(f"unknown message type {str(obj.get('type'))[:40]!r}") from None
        address = obj.get("address", "")
        if not isinstance(address, str):
            raise _bad("address must be a string")
        reply = obj.get("replyAddress", obj.get("reply_address"))
        if reply is not None and not isinstance(reply, str):
            raise _bad("replyAddress must be a string")
        headers = obj.get("headers") or {}
        if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
            raise _bad("headers must be a map of strings to strings")
        return Envelope(mtype, address, headers, _data(obj.get("data"), self.data_as), reply)


def _data(value: Any, data_as: str) -> Any:
    """IKAPI's "$string?" data: in string mode a JSON text is decoded; a plain string stays a string."""
    if data_as == "string" and isinstance(value, str):
        try:
            return json.loads(value)
        except (json.JSONDecodeError, RecursionError, ValueError):
            return value
    return value
