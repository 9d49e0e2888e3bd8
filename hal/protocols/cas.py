"""CAS "ECR / Type-6" scale protocol: ENQ -> ACK, then DC1 (weight) or DC2 (price, weight, unit price).

Sources:
* CAS PD-II manual §3.1.6 "Type-6 interface" (easymanua.ls/cas/pd-ii/manual?p=23): the DC1 answer
  ``SOH STX STA SIGN W5..W0 UN1 UN0 BCC ETX EOT``; STA 'S' stable / 'U' unstable; SIGN ' ' zero or
  positive, '-' negative, 'F' overload (then the weight is all 'F'); the unit is kg or lb.
* Ohaus Aviator 7000 service manual p.36 (manualshive.com), the same ECR protocol: the weight
  field is six bytes "W4W3.W2W1W0" including the point; BCC = the even column parity (LRC, i.e.
  XOR) of the characters between STX and ETX; DC2 answers three blocks
  ``SOH STX P(8) BCC ETX STX STA SIGN W(6) UU BCC ETX STX U(8) BCC ETX EOT``: total price, the
  weight block, unit price, prices right-aligned with leading spaces ("   15.00").
* r_keeper's CAS driver notes (docs.rkeeper.ru "Поддерживаемые драйверы весов"): SOH may arrive as
  0x81 and some scales send a seven-character weight, so the weight field's width is taken from
  the frame.
* line: 9600 8N1 (devices.md §2.1, CAS AP-1 document).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import reduce

from construct import Bytes, Checksum, ChecksumError, Const, ConstructError, Int8ub, RawCopy, Struct, Terminated, this

from hal.errors import ProtocolError
from hal.interfaces import ScaleReading

ENQ, ACK, NAK, DC1, DC2 = b"\x05", b"\x06", b"\x15", b"\x11", b"\x12"
SOH, STX, ETX, EOT = 0x01, 0x02, 0x03, 0x04
SOH_HIGH = 0x81                     # SOH with bit 7 set, seen by r_keeper's driver
FRAME_SIZE = 15                     # a DC1 answer with the usual six-character weight
MIN_FRAME = 14                      # a DC1 answer with a five-character weight
MIN_DC2_FRAME = 36
MAX_FRAME = 48                      # the longest DC2 answer, with room to spare
MAX_GRAMS = 99_999                  # the six-character "99.999" kg field
PRICE_WIDTH = 8


def xor_bcc(data: bytes) -> int:
    """XOR of all bytes (the CAS BCC and the ECR-link LRC)."""
    return reduce(lambda a, b: a ^ b, data, 0)


def _weight_block(width: int) -> Struct:
    """STA SIGN W(width) UU, then its BCC."""
    return Struct(
        "payload" / RawCopy(Struct("status" / Bytes(1), "sign" / Bytes(1), "weight" / Bytes(width), "unit" / Bytes(2))),
        "bcc" / Checksum(Int8ub, xor_bcc, this.payload.data),
    )


_PRICE_BLOCK = Struct(
    "payload" / RawCopy(Bytes(PRICE_WIDTH)),
    "bcc" / Checksum(Int8ub, xor_bcc, this.payload.data),
)


def _dc1_frame(width: int) -> Struct:
    return Struct(Const(bytes([SOH, STX])), "block" / _weight_block(width), Const(bytes([ETX, EOT])), Terminated)


def _dc2_frame(width: int) -> Struct:
    return Struct(Const(bytes([SOH, STX])), "total" / _PRICE_BLOCK, Const(bytes([ETX, STX])),
                  "block" / _weight_block(width), Const(bytes([ETX, STX])), "unit_price" / _PRICE_BLOCK,
                  Const(bytes([ETX, EOT])), Terminated)


@dataclass(frozen=True)
class PricedReading:
    """A DC2 answer: the weight and the prices the scale computed (kopecks)."""

    reading: ScaleReading
    unit_price: int
    total: int


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


def price_text_to_kopecks(text: str) -> int:
    """'   15.00' -> 1500. ProtocolError SCALE_BAD_FRAME for anything but digits with two decimals."""
    t = text.strip()
    whole, dot, frac = t.partition(".")
    if not dot or len(frac) != 2 or not (whole or "0").isdigit() or not frac.isdigit() or not t.isascii():
        raise ProtocolError("SCALE_BAD_FRAME", f"scales: CAS price {text!r} is not a sum with two decimals")
    return int(whole or "0") * 100 + int(frac)


def kopecks_to_price_text(kopecks: int) -> str:
    text = f"{kopecks // 100}.{kopecks % 100:02d}"
    if len(text) > PRICE_WIDTH:
        raise ValueError(f"{kopecks} kopecks do not fit the CAS eight-character price field")
    return text.rjust(PRICE_WIDTH)


def _weight_fields(weight_g: int, stable: bool, overload: bool, unit: bytes) -> dict:
    if overload:
        sign, weight = b"F", b"FFFFFF"
    else:
        if abs(weight_g) > MAX_GRAMS:
            raise ValueError(f"{weight_g} g does not fit the CAS 99.999 kg field")
        sign = b"-" if weight_g < 0 else b" "
        weight = grams_to_kg_text(abs(weight_g)).encode("ascii")
    return {"payload": {"value": {"status": b"S" if stable else b"U", "sign": sign, "weight": weight, "unit": unit}}}


def encode_frame(weight_g: int, stable: bool = True, overload: bool = False, *, corrupt: bool = False,
                 unit: bytes = b"kg") -> bytes:
    """The scale's answer to DC1; a negative weight_g gives SIGN '-'. corrupt=True spoils the BCC."""
    frame = _dc1_frame(6).build({"block": _weight_fields(weight_g, stable, overload, unit)})
    if corrupt:
        frame = frame[:12] + bytes([frame[12] ^ 0xFF]) + frame[13:]
    return frame


def encode_dc2_frame(weight_g: int, unit_price: int, total: int, stable: bool = True, overload: bool = False,
                     *, corrupt: bool = False) -> bytes:
    """The scale's answer to DC2: total price, the weight block and the unit price (kopecks)."""
    def price(k: int) -> dict:
        return {"payload": {"value": kopecks_to_price_text(k).encode("ascii")}}
    frame = _dc2_frame(6).build({"total": price(total), "block": _weight_fields(weight_g, stable, overload, b"kg"),
                                 "unit_price": price(unit_price)})
    if corrupt:
        frame = frame[:10] + bytes([frame[10] ^ 0xFF]) + frame[11:]
    return frame


def _normalise(data: bytes) -> bytes:
    return bytes([SOH]) + data[1:] if data[:1] == bytes([SOH_HIGH]) else data


def _to_reading(p) -> ScaleReading:
    if p.status not in (b"S", b"U"):
        raise ProtocolError("SCALE_BAD_FRAME", f"scales: CAS status byte {p.status!r} is neither 'S' nor 'U'")
    stable = p.status == b"S"
    if p.sign == b"F":
        return ScaleReading(weight_g=0, stable=stable, overload=True, weight_known=False)
    if p.sign not in (b" ", b"-"):
        raise ProtocolError("SCALE_BAD_FRAME", f"scales: CAS sign byte {p.sign!r} is not ' ', '-' or 'F'")
    if p.unit.lower() != b"kg":
        raise ProtocolError("SCALE_BAD_CONFIG", f"scales: CAS unit {p.unit!r}; set the scale to kg")
    grams = kg_text_to_grams(p.weight.decode("latin-1"))
    negative = p.sign == b"-" and grams > 0
    return ScaleReading(weight_g=-grams if negative else grams, stable=stable, negative=negative)


def decode_frame(data: bytes) -> ScaleReading:
    """A ScaleReading from one whole DC1 answer (any weight width), or ProtocolError SCALE_BAD_CHECKSUM /
    SCALE_BAD_FRAME / SCALE_BAD_CONFIG (the scale weighs in pounds)."""
    data = _normalise(data)
    width = len(data) - 9
    if not 5 <= width <= 8:
        raise ProtocolError("SCALE_BAD_FRAME", f"scales: CAS frame of {len(data)} bytes, expected {FRAME_SIZE}")
    try:
        p = _dc1_frame(width).parse(data).block.payload.value
    except ChecksumError:
        raise ProtocolError("SCALE_BAD_CHECKSUM", f"scales: CAS frame BCC mismatch ({data.hex(' ')})") from None
    except ConstructError:
        raise ProtocolError("SCALE_BAD_FRAME", f"scales: not a CAS frame ({data.hex(' ')})") from None
    return _to_reading(p)


def decode_dc2_frame(data: bytes) -> PricedReading:
    """The weight and prices of one whole DC2 answer, or ProtocolError as `decode_frame`."""
    data = _normalise(data)
    width = len(data) - 9 - 2 * (PRICE_WIDTH + 3)
    if not 5 <= width <= 8:
        raise ProtocolError("SCALE_BAD_FRAME", f"scales: CAS DC2 frame of {len(data)} bytes, expected 37")
    try:
        p = _dc2_frame(width).parse(data)
    except ChecksumError:
        raise ProtocolError("SCALE_BAD_CHECKSUM", f"scales: CAS DC2 frame BCC mismatch ({data.hex(' ')})") from None
    except ConstructError:
        raise ProtocolError("SCALE_BAD_FRAME", f"scales: not a CAS DC2 frame ({data.hex(' ')})") from None
    reading = _to_reading(p.block.payload.value)
    if reading.overload:
        return PricedReading(reading, 0, 0)
    return PricedReading(reading, price_text_to_kopecks(p.unit_price.payload.value.decode("latin-1")),
                         price_text_to_kopecks(p.total.payload.value.decode("latin-1")))
