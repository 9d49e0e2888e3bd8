"""CAS "ECR / Type-6" scale protocol: ENQ -> ACK, DC1 -> one weight frame with an XOR BCC.

Wire format (devices.md §2.1; CAS PD-II manual "Type-6 interface", CAS AP-1 doc):
``SOH STX STA SIGN W5..W0 U1 U0 BCC ETX EOT`` where STA is 'S' stable / 'U' unstable,
SIGN ' ' positive, '-' negative, 'F' overload, W is 6 characters with a decimal point
("01.234" kg), U is "kg" and BCC = XOR of STA..U0.
"""
from __future__ import annotations

from functools import reduce

from construct import Bytes, Checksum, ChecksumError, Const, ConstructError, Int8ub, RawCopy, Struct, this

from hal.errors import ProtocolError
from hal.interfaces import ScaleReading

ENQ, ACK, NAK, DC1, DC2 = b"\x05", b"\x06", b"\x15", b"\x11", b"\x12"
SOH, STX, ETX, EOT = 0x01, 0x02, 0x03, 0x04
FRAME_SIZE = 15
MAX_GRAMS = 99_999  # the 6-character "99.999" kg field


def xor_bcc(data: bytes) -> int:
    """XOR of all bytes (the CAS BCC and the ECR-link LRC)."""
    return reduce(lambda a, b: a ^ b, data, 0)


Payload = Struct(
    "status" / Bytes(1),
    "sign" / Bytes(1),
    "weight" / Bytes(6),
    "unit" / Bytes(2),
)

Frame = Struct(
    Const(bytes([SOH, STX])),
    "payload" / RawCopy(Payload),
    "bcc" / Checksum(Int8ub, lambda data: xor_bcc(data), this.payload.data),
    Const(bytes([ETX, EOT])),
)


def kg_text_to_grams(text: str, what: str = "weight") -> int:
    """'01.234' (kg) -> 1234 g, ' 0.5' -> 500; no floats. ProtocolError SCALE_BAD_FRAME otherwise."""
    t = text.strip()
    whole, dot, frac = t.partition(".")
    if (not whole and not frac) or len(frac) > 3 or not (whole + frac).isascii() \
            or not (whole or "0").isdigit() or not (frac or "0").isdigit():
        raise ProtocolError("SCALE_BAD_FRAME", f"scales: {what} {text!r} is not a number in kg")
    return int(whole or "0") * 1000 + int(frac.ljust(3, "0"))


def grams_to_kg_text(grams: int, width: int = 6) -> str:
    """1234 -> '01.234' (width 6): the field a scale sends."""
    text = f"{grams // 1000}.{grams % 1000:03d}"
    return text.rjust(width, "0")


def encode_frame(weight_g: int, stable: bool = True, overload: bool = False, *, corrupt: bool = False) -> bytes:
    """The scale's answer to DC1; a negative weight_g gives SIGN '-'. corrupt=True spoils the BCC."""
    if overload:
        sign, weight = b"F", b"FFFFFF"
    else:
        if abs(weight_g) > MAX_GRAMS:
            raise ValueError(f"{weight_g} g does not fit the CAS 99.999 kg field")
        sign = b"-" if weight_g < 0 else b" "
        weight = grams_to_kg_text(abs(weight_g)).encode("ascii")
    frame = Frame.build({"payload": {"value": {"status": b"S" if stable else b"U", "sign": sign,
                                                "weight": weight, "unit": b"kg"}}})
    if corrupt:
        frame = frame[:12] + bytes([frame[12] ^ 0xFF]) + frame[13:]
    return frame


def decode_frame(data: bytes) -> ScaleReading:
    """A ScaleReading from exactly one 15-byte frame, or ProtocolError SCALE_BAD_CHECKSUM / SCALE_BAD_FRAME."""
    if len(data) != FRAME_SIZE:
        raise ProtocolError("SCALE_BAD_FRAME", f"scales: CAS frame of {len(data)} bytes, expected {FRAME_SIZE}")
    try:
        p = Frame.parse(data).payload.value
    except ChecksumError:
        raise ProtocolError("SCALE_BAD_CHECKSUM", f"scales: CAS frame BCC mismatch ({data.hex(' ')})") from None
    except ConstructError:
        raise ProtocolError("SCALE_BAD_FRAME", f"scales: not a CAS frame ({data.hex(' ')})") from None
    if p.status not in (b"S", b"U"):
        raise ProtocolError("SCALE_BAD_FRAME", f"scales: CAS status byte {p.status!r} is neither 'S' nor 'U'")
    stable = p.status == b"S"
    if p.sign == b"F":
        return ScaleReading(weight_g=0, stable=stable, overload=True)
    if p.sign not in (b" ", b"-"):
        raise ProtocolError("SCALE_BAD_FRAME", f"scales: CAS sign byte {p.sign!r} is not ' ', '-' or 'F'")
    if p.unit.lower() != b"kg":
        raise ProtocolError("SCALE_BAD_FRAME", f"scales: CAS unit {p.unit!r}; set the scale to kg")
    grams = kg_text_to_grams(p.weight.decode("latin-1"))
    negative = p.sign == b"-" and grams > 0
    return ScaleReading(weight_g=-grams if negative else grams, stable=stable, negative=negative)
