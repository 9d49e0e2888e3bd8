"""Massa-K "Protocol 100" (binary): F8 55 CE | Len u16 LE | Command + Data | CRC-16 u16 LE.

Sources (devices.md §2.2): Massa-K's own document is not public; the public clients agree on the
frame and differ on the CRC, so the CRC is a setting (`CrcVariant`):
* VENDOR: VladStandard/WeightService `Libs/Ws.Scales/Utils/CrcUtil.cs`, a port of the routine in
  the vendor's appendix (poly 0x1021, the data byte XORed in at the low end); its test vector is
  GET_MASSA = F8 55 CE 01 00 23 23 00;
* CCITT_0000 and CCITT_FFFF: CRC-16/CCITT MSB-first with init 0x0000 (XMODEM) or 0xFFFF, as a
  public Kotlin client (which cites the scale manual Мк.2.790.237РЭ and tries both inits) and a
  public C# RS-232 driver (init 0xFFFF) compute it.
Len counts the command byte and its data; the CRC covers the same bytes. CMD_ACK_MASSA carries
weight int32 (divisions, signed), division code (0 = 0.1 g ... 4 = 1 kg), stable, net, zero and,
on newer firmware, tare int32. CMD_ERROR codes from the same clients: 0x07 unsupported,
0x08 load above the maximum (overload), 0x09 not in weighing mode, 0x17 no link with the weighing
module, 0x18 load on the platform at power-on, 0x19 scale faulty.
Line: 57600 8N1 on USB virtual COM (VladStandard `ScalesPrivate.cs`); check RS-232 models' menus.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum

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
    """CMD_ERROR codes (public clients); OVERLOAD becomes an overload reading, the rest a refusal."""

    UNSUPPORTED = 0x07
    OVERLOAD = 0x08
    NOT_WEIGHING = 0x09
    BAD_INPUT = 0x0A
    SAVE_FAILED = 0x0B
    ZERO_IMPOSSIBLE = 0x15
    NO_WEIGHING_MODULE = 0x17
    LOADED_AT_POWER_ON = 0x18
    FAULTY = 0x19


class CrcVariant(StrEnum):
    VENDOR = "vendor"
    CCITT_0000 = "ccitt-0000"
    CCITT_FFFF = "ccitt-ffff"


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


def crc16_ccitt(data: bytes, init: int) -> int:
    """CRC-16/CCITT, MSB first, no reflection, no final XOR (init 0: XMODEM; 0xFFFF: CCITT-FALSE)."""
    crc = init
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


CRC_FUNCTIONS = {
    CrcVariant.VENDOR: crc16,
    CrcVariant.CCITT_0000: lambda data: crc16_ccitt(data, 0x0000),
    CrcVariant.CCITT_FFFF: lambda data: crc16_ccitt(data, 0xFFFF),
}


def _frame(variant: CrcVariant) -> Struct:
    return Struct(
        Const(HEADER),
        "body" / Prefixed(Int16ul, GreedyBytes),
        "crc" / Checksum(Int16ul, CRC_FUNCTIONS[variant], this.body),
    )


FRAMES = {v: _frame(v) for v in CrcVariant}
Frame = FRAMES[CrcVariant.VENDOR]

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


def encode(cmd: int, data: bytes = b"", crc: CrcVariant = CrcVariant.VENDOR) -> bytes:
    """A complete frame for `cmd` with `data`."""
    return FRAMES[CrcVariant(crc)].build({"body": bytes([cmd]) + data})


def decode(frame: bytes, crc: CrcVariant = CrcVariant.VENDOR) -> Message:
    """One whole frame -> Message, or ProtocolError SCALE_BAD_CHECKSUM / SCALE_BAD_FRAME."""
    try:
        parsed = Struct("f" / FRAMES[CrcVariant(crc)], Terminated).parse(frame).f
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


def encode_weight(weight_g: int, stable: bool = True, *, corrupt: bool = False, tare_g: int | None = None,
                  crc: CrcVariant = CrcVariant.VENDOR) -> bytes:
    """CMD_ACK_MASSA in 1 g divisions; with `tare_g` the weight is net and the tare field is sent."""
    data = AckMassa.build({"weight": weight_g, "division": 1, "stable": int(stable), "net": int(tare_g is not None),
                           "zero": int(weight_g == 0), "tare": tare_g})
    frame = encode(Cmd.ACK_MASSA, data, crc)
    if corrupt:
        frame = frame[:-1] + bytes([frame[-1] ^ 0x5A])
    return frame


def encode_error(code: int, crc: CrcVariant = CrcVariant.VENDOR) -> bytes:
    return encode(Cmd.ERROR, bytes([code]), crc)


def to_reading(msg: Message) -> ScaleReading:
    """ACK_MASSA -> ScaleReading; ERROR(overload) -> an overload reading; anything else ProtocolError."""
    if msg.cmd == Cmd.ERROR and msg.data[:1] == bytes([ErrorCode.OVERLOAD]):
        return ScaleReading(weight_g=0, stable=False, overload=True, weight_known=False)
    if msg.cmd in (Cmd.ERROR, Cmd.NACK):
        code = msg.data[0] if msg.data and msg.cmd == Cmd.ERROR else -1
        name = ErrorCode(code).name if code in ErrorCode._value2member_map_ else ("CMD_NACK" if code < 0 else "unknown")
        raise ProtocolError("SCALE_REFUSED", f"scales: Massa-K refused the weight request (error 0x{code & 0xFF:02X} {name})")
    if msg.cmd != Cmd.ACK_MASSA:
        raise ProtocolError("SCALE_BAD_FRAME", f"scales: Massa-K answered command 0x{msg.cmd:02X}, expected 0x24")
    try:
        p = AckMassa.parse(msg.data)
    except ConstructError:
        raise ProtocolError("SCALE_BAD_FRAME", f"scales: Massa-K weight data of {len(msg.data)} bytes, expected 8 or 12") from None
    if p.division not in DIVISION_GRAMS:
        raise ProtocolError("SCALE_BAD_FRAME", f"scales: Massa-K division code {p.division} is unknown")
    num, den = DIVISION_GRAMS[p.division]
    # 0.1 g divisions are truncated towards zero to whole grams (our quantity unit): no floats.
    magnitude = abs(p.weight) * num // den
    negative = p.weight < 0 and magnitude > 0
    tare = None if p.tare is None else abs(p.tare) * num // den
    return ScaleReading(weight_g=-magnitude if negative else magnitude, stable=bool(p.stable), negative=negative,
                        net=bool(p.net), tare_g=tare)
