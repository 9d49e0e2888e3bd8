"""The SKO client driver: hal.interfaces.Sko over the framed JSON protocol, with signature checks.

Every call has a timeout; a dropped link is re-opened on the next call (and a call sent on
a link that turns out to be dead is retried once on a fresh one: every action is safe to
repeat, registration being idempotent by op_id). SKO refusals become `SkoError` with the
stable codes of contracts.md §3 and a Russian message for the cashier.
"""
from __future__ import annotations

import dataclasses
import time as _time
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from fiscal.documents import Document, Registration, Requisites, document_digest, registration_payload, to_dict
from fiscal.errors import FiscalError
from fiscal.money import parse_money
from hal.errors import ProtocolError, SkoError, TransportError
from hal.interfaces import SkoInfo, SkoStatus
from hal.protocols.sko_frame import (
    ADDRESSES,
    EXTRA_CODES,
    SKO_CODES,
    Action,
    Message,
    MessageType,
    code_message,
    encode_message,
    read_message,
)
from hal.transport import TcpTransport, read_exact

KNOWN_CODES = frozenset(name for name, _ in SKO_CODES.values()) | frozenset(EXTRA_CODES)

MSG_OFFLINE = "нет связи с СКО — проверьте подключение модуля"
MSG_BAD_SIGNATURE = "подпись СКО не прошла проверку — обратитесь в сервисный центр"
MSG_BAD_ANSWER = "СКО прислало неверный ответ — повторите операцию"


def sko_error(code: str, message: str, sko_code: int | None = None, detail: str = "") -> SkoError:
    """A SkoError whose `.detail` holds the English protocol detail for logs and field engineers."""
    return SkoError(code, detail or message, sko_code, reason=message)


def _offline(detail: str) -> SkoError:
    return sko_error("SKO_OFFLINE", MSG_OFFLINE, detail=detail)


def error_from_answer(data: dict[str, Any]) -> SkoError:
    """An `error` message's data -> SkoError with the stable code and the Russian message."""
    raw_code = data.get("code")
    sko_code = raw_code if isinstance(raw_code, int) and not isinstance(raw_code, bool) else None
    name = data.get("name")
    if not isinstance(name, str) or name not in KNOWN_CODES:
        name = SKO_CODES[sko_code][0] if sko_code in SKO_CODES else "SKO_ERROR"
    if name in EXTRA_CODES:
        message = EXTRA_CODES[name][1]
    elif sko_code is not None:
        message = code_message(sko_code)
    else:
        message = "ошибка СКО"
    detail = data.get("detail")
    return sko_error(name, message, sko_code, detail if isinstance(detail, str) else "")


class SkoClient:
    """`hal.interfaces.Sko` for a module (or the emulator) reachable at "host:port"."""

    def __init__(self, address: str, public_key_pem: str | None = None, timeout: float = 5.0) -> None:
        host, sep, port = address.rpartition(":")
        if not sep or not host or not port.isdigit():
            raise SkoError("SKO_ERROR", f"неверный адрес СКО {address!r}: нужен host:port")
        self._host, self._port = host, int(port)
        self.address = address
        self.timeout = timeout
        self._public_key: ec.EllipticCurvePublicKey | None = None
        if public_key_pem:
            self._public_key = _load_public_key(public_key_pem)
        self._link: TcpTransport | None = None
        self._next_id = 1
        self._serial = ""
        self._pin: str | None = None
        self._links_opened = 0
        self._auth_link = -1

    # -- link ---------------------------------------------------------------------------------------
    def _connect(self) -> TcpTransport:
        if self._link is None:
            try:
                self._link = TcpTransport(self._host, self._port, connect_timeout=self.timeout)
            except TransportError as e:
                raise _offline(e.detail) from None
            self._links_opened += 1
        return self._link

    def _drop(self) -> None:
        if self._link is not None:
            try:
                self._link.close()
            except OSError:
                pass
            self._link = None

    def close(self) -> None:
        self._drop()

    def _exchange(self, msg: Message) -> Message:
        link = self._connect()
        try:
            link.write(encode_message(msg))
            answer = read_message(lambda n: read_exact(link, n, self.timeout))
        except (TransportError, ProtocolError):
            self._drop()
            raise
        if answer.id != msg.id:
            self._drop()
            raise ProtocolError("BAD_FRAME", f"answer to request {answer.id}, expected {msg.id}", "СКО")
        return answer

    def _send(self, mtype: MessageType, action: str, data: dict[str, Any], op_id: str) -> Message:
        """One round trip; a link found dead before any answer is re-opened and the request sent once more."""
        for attempt in (1, 2):
            reused = self._link is not None
            msg = Message(mtype, ADDRESSES.get(Action(action), "") if action else "", action, op_id,
                          self._serial, self._next_id, data)
            self._next_id += 1
            try:
                return self._exchange(msg)
            except TransportError as e:
                if e.code == "LINK_DOWN" and reused and attempt == 1:
                    continue
                raise _offline(e.detail) from None
            except ProtocolError as e:
                raise sko_error("SKO_ERROR", MSG_BAD_ANSWER, detail=e.detail) from None
        raise AssertionError("unreachable")

    def _call(self, action: Action, data: dict[str, Any] | None = None, op_id: str = "") -> dict[str, Any]:
        answer = self._send(MessageType.REQUEST, action.value, data or {}, op_id)
        if answer.type is MessageType.ERROR:
            err = error_from_answer(answer.data)
            if err.code == "NOT_AUTHORIZED" and self._pin is not None and self._links_opened > self._auth_link \
                    and action is not Action.AUTHORIZE:
                # The module lost its session (restarted) since we authorised: do it again, once.
                self.authorize(self._pin)
                return self._call(action, data, op_id)
            raise err
        if answer.type is not MessageType.RESPONSE or answer.action != action.value:
            self._drop()
            raise sko_error("SKO_ERROR", MSG_BAD_ANSWER, detail="answer does not have the expected shape")
        if answer.serial:
            self._serial = answer.serial
        return answer.data

    def ping(self) -> float:
        """Round-trip time in seconds; SkoError SKO_OFFLINE when there is no pong."""
        start = _time.monotonic()
        answer = self._send(MessageType.PING, "", {}, "")
        if answer.type is not MessageType.PONG:
            self._drop()
            raise sko_error("SKO_ERROR", MSG_BAD_ANSWER, detail="answer does not have the expected shape")
        return _time.monotonic() - start

    # -- Sko ----------------------------------------------------------------------------------------
    def info(self) -> SkoInfo:
        d = self._call(Action.INFO)
        try:
            versions = {str(k): str(v) for k, v in dict(d.get("versions") or {}).items()}
            return SkoInfo(serial=str(d["serial"]), org_name=str(d["org_name"]), unp=str(d["unp"]),
                           ksa_number=str(d["ksa_number"]), versions=versions,
                           public_key_pem=str(d.get("public_key_pem", "")))
        except (KeyError, TypeError, ValueError):
            raise sko_error("SKO_ERROR", MSG_BAD_ANSWER, detail="answer does not have the expected shape") from None

    def requisites(self, base: Requisites | None = None) -> Requisites:
        """«Заполнить из ПК»: organisation, УНП, register number and SKO serial from `info`."""
        i = self.info()
        if base is None:
            return Requisites(org_name=i.org_name, unp=i.unp, ksa_number=i.ksa_number, sko_serial=i.serial)
        return dataclasses.replace(base, org_name=i.org_name, unp=i.unp, ksa_number=i.ksa_number, sko_serial=i.serial)

    def authorize(self, pin: str) -> None:
        self._call(Action.AUTHORIZE, {"pin": pin})
        self._pin = pin
        self._auth_link = self._links_opened

    def change_pin(self, puk: str, new_pin: str) -> None:
        self._call(Action.CHANGE_PIN, {"puk": puk, "new_pin": new_pin})
        self._pin = None

    def logout(self) -> None:
        self._pin = None
        self._call(Action.LOGOUT)

    def status(self, time: str | None = None) -> SkoStatus:
        d = self._call(Action.STATUS, {"time": time} if time else {})
        try:
            return SkoStatus(authorized=bool(d["authorized"]), shift_open=bool(d["shift_open"]),
                             shift_number=int(d["shift_number"]), shift_opened_at=d.get("shift_opened_at"),
                             unsent_count=int(d["unsent_count"]), oldest_unsent_at=d.get("oldest_unsent_at"),
                             cash_in_drawer=parse_money(d["cash_in_drawer"], "cash_in_drawer"),
                             turnover=parse_money(d["turnover"], "turnover"), next_number=int(d["next_number"]),
                             uplink_online=bool(d.get("uplink_online", True)))
        except (KeyError, TypeError, ValueError, FiscalError):
            raise sko_error("SKO_ERROR", MSG_BAD_ANSWER, detail="answer does not have the expected shape") from None

    def register(self, doc: Document, number: int | None = None) -> Registration:
        """Register any fiscal document; a repeat of doc.op_id returns the first registration."""
        if number is None:
            number = self.status(doc.created).next_number
        d = self._call(Action.REGISTER, {"document": to_dict(doc), "number": number, "time": doc.created},
                       op_id=doc.op_id)
        return self._registration(d, document_digest(doc))

    def lookup(self, op_id: str) -> Registration | None:
        d = self._call(Action.LOOKUP, {"op_id": op_id}, op_id=op_id)
        if not d.get("found"):
            return None
        reg = d.get("registration")
        if not isinstance(reg, dict):
            raise sko_error("SKO_ERROR", MSG_BAD_ANSWER, detail="answer does not have the expected shape")
        return self._registration(reg, reg.get("doc_sha256"))

    def x_counters(self, time: str | None = None) -> dict:
        """The SKO's counters of the open shift (or the last Z when closed); money as "0.00" strings."""
        return self._call(Action.X_COUNTERS, {"time": time} if time else {})

    def pin_key(self, public_key_pem: str) -> None:
        """Pin the SKO public key (kept by the register since first contact): every answer is verified with it."""
        self._public_key = _load_public_key(public_key_pem)

    def document(self, number: int) -> dict:
        """{"document": registered JSON, "registration": {...}} for a copy; the signature is checked."""
        d = self._call(Action.DOCUMENT, {"number": number})
        reg = d.get("registration")
        if not isinstance(reg, dict) or not isinstance(d.get("document"), dict):
            raise sko_error("SKO_ERROR", MSG_BAD_ANSWER, detail="answer does not have the expected shape")
        self._registration(reg, reg.get("doc_sha256"))
        return d

    def _registration(self, d: dict[str, Any], digest: object) -> Registration:
        try:
            reg = Registration(number=int(d["number"]), uid=str(d["uid"]), time=str(d["time"]),
                               signature=str(d["signature"]), sko_serial=str(d.get("sko_serial") or self._serial))
            prev = str(d.get("prev_signature", ""))
        except (KeyError, TypeError, ValueError):
            raise sko_error("SKO_ERROR", MSG_BAD_ANSWER, detail="answer does not have the expected shape") from None
        if not isinstance(digest, str) or d.get("doc_sha256", digest) != digest:
            raise sko_error("SKO_BAD_SIGNATURE", MSG_BAD_SIGNATURE, detail="signature or document digest does not verify")
        if self._public_key is not None:
            verify_registration(self._public_key, digest, reg, prev)
        return reg


def _load_public_key(pem: str) -> ec.EllipticCurvePublicKey:
    try:
        key = serialization.load_pem_public_key(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise SkoError("SKO_BAD_SIGNATURE", "открытый ключ СКО повреждён — введите его заново") from None
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise SkoError("SKO_BAD_SIGNATURE", "открытый ключ СКО не является ключом ECDSA")
    return key


def verify_registration(key: ec.EllipticCurvePublicKey | str, doc_digest: str, reg: Registration,
                        prev_signature: str) -> None:
    """Check one registration's signature (the chain link over prev_signature); SkoError SKO_BAD_SIGNATURE."""
    pub = _load_public_key(key) if isinstance(key, str) else key
    payload = registration_payload(doc_digest, reg.number, reg.uid, reg.time, prev_signature)
    try:
        pub.verify(bytes.fromhex(reg.signature), payload, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        raise sko_error("SKO_BAD_SIGNATURE", MSG_BAD_SIGNATURE, detail="signature or document digest does not verify") from None
