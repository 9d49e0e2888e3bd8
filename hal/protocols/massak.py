"""Massa-K "Protocol 100" (binary): F8 55 CE | Len u16 LE | Command + Data | CRC-16 u16 LE.

Sources (devices.md §2.2): the public VladStandard/WeightService client (CRC routine and the
test vector GET_MASSA = F8 55 CE 01 00 23 23 00) and other public clients. Len counts the
command byte and its data; the CRC covers the same bytes. Weights travel as a signed int32
in scale divisions with a division code (0 = 0.1 g ... 4 = 1 kg).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from construct import (
    Checksum,
    ChecksumError,
    Const,
    ConstructError,
    GreedyBytes,
    Int8ub,
    Int16ul,
    Int32sl,
    Optional,
    Prefixed,
    Struct,
    Terminated,
    this,
)

from hal.errors import ProtocolError
from hal.interfaces import ScaleReading

HEADER = b"\xF8\x55\xCE"
MIN_FRAME = len(HEADER) + 2 + 1 + 2


class Cmd(IntEnum):
    GET_MASSA = 0x23
    ACK_MASSA = 0x24
    GET_NAME = 0x20
    ACK_NAME = 0x21
    SET_ZERO = 0x72
    ACK_SET = 0x27
    ERROR = 0x28
    NACK = 0xF0


class ErrorCode(IntEnum):
    """CMD_ERROR codes; only OVERLOAD matters to a checkout. [I: public clients; check on a real scale]"""

    UNSUPPORTED = 0x07
    OVERLOAD = 0x08
    NOT_WEIGHING = 0x09


# Division code -> (numerator, denominator) of grams per division.
DIVISION_GRAMS: dict[int, tuple[int, int]] = {0: (1, 10), 1: (1, 1), 2: (10, 1), 3: (100, 1), 4: (1000, 1)}


def crc16(data: bytes) -> int:
    """The vendor's CRC-16 (poly 0x1021, init 0, data byte XORed in at the low end)."""
    crc = 0
    for byte in data:
        acc, temp = 0, crc & 0xFF00
        for _ in range(8):
            acc = ((acc << 1) ^ 0x1021) if (temp ^ acc) & 0x8000 else acc << 1
            temp <<= 1
        crc = (acc ^ (crc << 8) ^ byte) & 0xFFFF
    return crc


Frame = Struct(
    Const(HEADER),
    "body" / Prefixed(Int16ul, GreedyBytes),
    "crc" / Checksum(Int16ul, crc16, this.body),
)

AckMassa = Struct(
    "weight" / Int32sl,
    "division" / Int8ub,
    "stable" / Int8ub,
    "net" / Int8ub,
    "zero" / Int8ub,
    "tare" / Optional(Int32sl),
    Terminated,
)


@dataclass(frozen=True)
class Message:
    """One decoded frame: the command byte and its data."""

    cmd: int
    data: bytes = b""


def encode(cmd: int, data: bytes = b"") -> bytes:
    """A complete frame for `cmd` with `data`."""
    return Frame.build({"body": bytes([cmd]) + data})


def decode(frame: bytes) -> Message:
    """One whole frame -> Message, or ProtocolError SCALE_BAD_CHECKSUM / SCALE_BAD_FRAME."""
    try:
        parsed = Struct("f" / Frame, Terminated).parse(frame).f
    except ChecksumError:
        raise ProtocolError("SCALE_BAD_CHECKSUM", f"scales: Massa-K CRC mismatch ({frame[:32].hex(' ')})") from None
    except ConstructError:
        raise ProtocolError("SCALE_BAD_FRAME", f"scales: not a Massa-K frame ({frame[:32].hex(' ')})") from None
    if not parsed.body:
        raise ProtocolError("SCALE_BAD_FRAME", "scales: Massa-K frame without a command byte")
    return Message(parsed.body[0], bytes(parsed.body[1:]))


def frame_length(buffer: bytes) -> int | None:
    """The size of the frame that starts `buffer` (at HEADER) once its length field has arrived."""
    if len(buffer) < len(HEADER) + 2:
        return None
    return len(HEADER) + 2 + int.from_bytes(buffer[3:5], "little") + 2


def encode_weight(weight_g: int, stable: bool = True, *, corrupt: bool = False) -> bytes:
    """CMD_ACK_MASSA in 1 g divisions."""
    data = AckMassa.build({"weight": weight_g, "division": 1, "stable": int(stable), "net": 0,
                           "zero": int(weight_g == 0), "tare": None})
    frame = encode(Cmd.ACK_MASSA, data)
    if corrupt:
        frame = frame[:-1] + bytes([frame[-1] ^ 0x5A])
    return frame


def encode_error(code: int) -> bytes:
    return encode(Cmd.ERROR, bytes([code]))


def to_reading(msg: Message) -> ScaleReading:
    """ACK_MASSA -> ScaleReading; ERROR(overload) -> an overload reading; anything else ProtocolError."""
    if msg.cmd == Cmd.ERROR and msg.data[:1] == bytes([ErrorCode.OVERLOAD]):
        return ScaleReading(weight_g=0, stable=False, overload=True)
    if msg.cmd in (Cmd.ERROR, Cmd.NACK):
        code = msg.data[0] if msg.data else -1
        raise ProtocolError("SCALE_REFUSED", f"scales: Massa-K refused the weight request (error 0x{code:02X})")
    if msg.cmd != Cmd.ACK_MASSA:
        raise ProtocolError("SCALE_BAD_FRAME", f"scales: Massa-K answered command 0x{msg.cmd:02X}, expected 0x24")
    try:
        p = AckMassa.parse(msg.data)
    except ConstructError:
        raise ProtocolError("SCALE_BAD_FRAME", f"scales: Massa-K weight data of {len(msg.data)} bytes, expected 8 or 12") from None
    if p.division not in DIVISION_GRAMS:
        raise ProtocolError("SCALE_BAD_FRAME", f"scales: Massa-K division code {p.division} is unknown")
    num, den = DIVISION_GRAMS[p.division]
    magnitude = abs(p.weight) * num // den
    negative = p.weight < 0 and magnitude > 0
    return ScaleReading(weight_g=-magnitude if negative else magnitude, stable=bool(p.stable), negative=negative)
