"""Our "ECR link" card-terminal protocol (devices.md §3.5): framing, TLV body, tags, op and status codes.

``STX | LEN u16 BE | BODY | ETX | LRC`` with LRC = XOR(LEN..ETX);
``BODY = TYPE ('Q' request, 'R' response, 'P' progress) | SEQ u8 | TLV*``;
``TLV = TAG u8 | L u16 BE | VALUE (UTF-8)``. Tag numbers follow INPAS/LanPOST.
Both the driver (hal/card.py) and the simulator (sim/card.py) use these declarations.

Matching rule (our addition to §3.5): every response echoes the request's SEQ, OP and, when the
request carries one, its ECR transaction id, so a stale answer (a replay after a reconnect, or
the terminal's answer to a SEQ it took for a duplicate) is recognised by `answers()`.
A status request (op 70) is answered with op 70, the asked id and the stored result of that
transaction: its STATUS (0 while it is still running) and fields, or STATUS 100 NOT_FOUND when
the terminal holds no transaction with that id.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, IntEnum

from construct import (
    Byte,
    Checksum,
    ChecksumError,
    Const,
    ConstructError,
    GreedyBytes,
    GreedyRange,
    Int16ub,
    Prefixed,
    RawCopy,
    Struct,
    Terminated,
    this,
)

from hal.errors import ProtocolError
from hal.protocols.cas import xor_bcc

STX, ETX, ACK, NAK = 0x02, 0x03, 0x06, 0x15
MAX_BODY = 8192


class MsgType(bytes, Enum):
    REQUEST = b"Q"
    RESPONSE = b"R"
    PROGRESS = b"P"


class Tag(IntEnum):
    AMOUNT = 0
    CURRENCY = 4
    PAN = 10
    AUTH_CODE = 13
    RRN = 14
    TEXT = 19
    STAN = 23
    OP = 25
    ECR_TXN_ID = 26
    TERMINAL_ID = 27
    STATUS = 39
    SLIP = 90


class Op(IntEnum):
    SALE = 1
    CANCEL = 4
    TEST = 26
    REFUND = 29
    SETTLEMENT = 59
    STATUS = 70
    REPRINT = 71
    ABORT = 72


class Status(IntEnum):
    UNKNOWN = 0               # also: the transaction is still running
    APPROVED = 1
    DECLINED = 16
    OFFLINE_APPROVED = 17
    NO_CONNECTION = 34        # the host was not reached: nothing charged
    ABORTED = 53
    NOT_FOUND = 100           # our addition: a status request names an id the terminal never saw


APPROVED_STATUSES = frozenset({Status.APPROVED, Status.OFFLINE_APPROVED})
# Statuses that prove nothing was charged; any other (0, unknown codes) leaves the outcome open.
REFUSED_STATUSES = frozenset({Status.DECLINED, Status.NO_CONNECTION, Status.ABORTED})


CURRENCY_BYN = "933"

Tlv = Struct("tag" / Byte, "value" / Prefixed(Int16ub, GreedyBytes))
Body = Struct("type" / Byte, "seq" / Byte, "tlvs" / GreedyRange(Tlv), Terminated)
Frame = Struct(
    Const(bytes([STX])),
    "payload" / RawCopy(Struct("body" / Prefixed(Int16ub, GreedyBytes), Const(bytes([ETX])))),
    "lrc" / Checksum(Byte, xor_bcc, this.payload.data),
)


@dataclass(frozen=True)
class Message:
    """One ECR-link message. `fields` keeps TLV order; a tag may appear once."""

    type: MsgType
    seq: int
    fields: tuple[tuple[int, str], ...] = ()

    def get(self, tag: int, default: str = "") -> str:
        for t, v in self.fields:
            if t == tag:
                return v
        return default

    def get_int(self, tag: int, default: int = 0) -> int:
        v = self.get(tag)
        if not v:
            return default
        if not (v.isascii() and v.lstrip("-").isdigit()):
            raise ProtocolError("ECR_BAD_FIELD", f"ECR field {tag} = {v!r} is not an integer")
        return int(v)


def answers(request: Message, response: Message) -> bool:
    """True when `response` is the terminal's answer to `request`: same SEQ, OP and ECR id."""
    if response.type is not MsgType.RESPONSE or response.seq != request.seq:
        return False
    if response.get(Tag.OP) != request.get(Tag.OP):
        return False
    return response.get(Tag.ECR_TXN_ID) == request.get(Tag.ECR_TXN_ID)


def message(type_: MsgType, seq: int, **fields: object) -> Message:
    """Message(type, seq, fields) from keyword names of Tag (amount=1230, op=Op.SALE, ...)."""
    items = tuple((int(Tag[k.upper()]), str(int(v)) if isinstance(v, int) else str(v))
                  for k, v in fields.items() if v is not None)
    return Message(type_, seq & 0xFF, items)


def encode_body(msg: Message) -> bytes:
    return Body.build({"type": msg.type.value[0], "seq": msg.seq & 0xFF,
                       "tlvs": [{"tag": t, "value": v.encode("utf-8")} for t, v in msg.fields]})


def encode(msg: Message) -> bytes:
    """The complete frame for `msg`."""
    body = encode_body(msg)
    if len(body) > MAX_BODY:
        raise ValueError(f"ECR body of {len(body)} bytes exceeds {MAX_BODY}")
    return Frame.build({"payload": {"value": {"body": body}}})


def decode_body(body: bytes) -> Message:
    try:
        p = Body.parse(body)
    except ConstructError:
        raise ProtocolError("ECR_BAD_FRAME", f"ECR body does not parse as TYPE SEQ TLV* ({body[:24].hex(' ')})") from None
    try:
        kind = MsgType(bytes([p.type]))
    except ValueError:
        raise ProtocolError("ECR_BAD_FRAME", f"ECR message type {bytes([p.type])!r} is not Q, R or P") from None
    try:
        fields = tuple((t.tag, t.value.decode("utf-8")) for t in p.tlvs)
    except UnicodeDecodeError:
        raise ProtocolError("ECR_BAD_FRAME", "ECR field value is not UTF-8") from None
    return Message(kind, p.seq, fields)


def decode(frame: bytes) -> Message:
    """Exactly one whole frame -> Message, or ProtocolError ECR_BAD_LRC / ECR_BAD_FRAME."""
    try:
        p = Struct("f" / Frame, Terminated).parse(frame).f
    except ChecksumError:
        raise ProtocolError("ECR_BAD_LRC", f"ECR frame LRC mismatch ({frame[:24].hex(' ')})") from None
    except ConstructError:
        raise ProtocolError("ECR_BAD_FRAME", f"not an ECR frame ({frame[:24].hex(' ')})") from None
    return decode_body(p.payload.value.body)


class FrameReader:
    """Splits a byte stream into frames: `feed(data)` then `next()` until it returns None.

    `next()` returns a Message, a lone ACK/NAK byte as int, or a ProtocolError for a frame that
    has its STX, LEN and ETX position but fails (the caller NAKs it). Bytes that cannot start a
    frame are skipped and counted in `skipped` (resync by scanning for STX).
    """

    def __init__(self) -> None:
        self.buf = bytearray()
        self.skipped = 0

    def feed(self, data: bytes) -> None:
        self.buf += data

    def next(self) -> Message | int | ProtocolError | None:
        while self.buf:
            b = self.buf[0]
            if b in (ACK, NAK):
                del self.buf[0]
                return b
            if b != STX:
                del self.buf[0]
                self.skipped += 1
                continue
            if len(self.buf) < 3:
                return None
            size = 1 + 2 + int.from_bytes(self.buf[1:3], "big") + 2
            if size - 5 > MAX_BODY:
                del self.buf[0]
                self.skipped += 1
                continue
            if len(self.buf) < size:
                return None
            frame = bytes(self.buf[:size])
            if frame[-2] != ETX:
                del self.buf[0]   # not a real STX: resync on the next one
                self.skipped += 1
                continue
            del self.buf[:size]
            try:
                return decode(frame)
            except ProtocolError as e:
                return e
        return None
