"""Mettler Toledo 8217 scale protocol: the ECR sends 'W', the scale answers a weight or a status byte.

Based on public descriptions of the Toledo "demand" protocol (8213/8217 family), e.g. the
Transcell PC-150 manual, appendix B "Toledo 8213 demand format": the answer to ``W`` is
``STX <weight> CR`` (metric: "01.234" kg) when the weight is valid, else
``STX '?' <status> CR`` where the status byte bits are
  b0 motion, b1 out of range (over capacity), b2 under zero, b3 outside zero capture range,
  b4 centre of zero, b5 and b6 always 1, b7 parity.
The protocol has no checksum; a frame that does not fit this shape is SCALE_BAD_FRAME.
"""
from __future__ import annotations

from dataclasses import dataclass

from construct import Byte, Bytes, Const, ConstructError, Select, Struct, Terminated

from hal.errors import ProtocolError
from hal.interfaces import ScaleReading
from hal.protocols.cas import grams_to_kg_text, kg_text_to_grams

REQUEST = b"W"
STX, CR = 0x02, 0x0D
MAX_FRAME = 16

MOTION, OVER_CAPACITY, UNDER_ZERO, OUTSIDE_ZERO_RANGE, CENTER_OF_ZERO = 0x01, 0x02, 0x04, 0x08, 0x10
ALWAYS_ONE = 0x60

StatusFrame = Struct(Const(bytes([STX])), Const(b"?"), "status" / Byte, Const(bytes([CR])), Terminated)
WeightFrame = Struct(Const(bytes([STX])), "text" / Bytes(6), Const(bytes([CR])), Terminated)
Frame = Select(StatusFrame, WeightFrame)


@dataclass(frozen=True)
class Status:
    motion: bool = False
    over_capacity: bool = False
    under_zero: bool = False
    outside_zero_range: bool = False
    center_of_zero: bool = False

    def to_byte(self) -> int:
        b = ALWAYS_ONE | (MOTION if self.motion else 0) | (OVER_CAPACITY if self.over_capacity else 0) \
            | (UNDER_ZERO if self.under_zero else 0) | (OUTSIDE_ZERO_RANGE if self.outside_zero_range else 0) \
            | (CENTER_OF_ZERO if self.center_of_zero else 0)
        return b | (0x80 if bin(b).count("1") % 2 else 0)  # even parity in b7

    @classmethod
    def from_byte(cls, b: int) -> "Status":
        return cls(bool(b & MOTION), bool(b & OVER_CAPACITY), bool(b & UNDER_ZERO),
                   bool(b & OUTSIDE_ZERO_RANGE), bool(b & CENTER_OF_ZERO))


def encode_weight(weight_g: int) -> bytes:
    return WeightFrame.build({"text": grams_to_kg_text(weight_g).encode("ascii")})


def encode_status(status: Status) -> bytes:
    return StatusFrame.build({"status": status.to_byte()})


def decode(frame: bytes) -> ScaleReading:
    """One whole answer (STX .. CR) -> ScaleReading, or ProtocolError SCALE_BAD_FRAME.

    A status answer carries no weight: weight_g is 0 and the flags say why.
    """
    try:
        p = Frame.parse(frame)
    except ConstructError:
        p = None
    if p is None:
        raise ProtocolError("SCALE_BAD_FRAME", f"scales: not a Toledo 8217 answer ({frame[:MAX_FRAME].hex(' ')})")
    if "status" in p:
        if p.status & ALWAYS_ONE != ALWAYS_ONE:
            raise ProtocolError("SCALE_BAD_FRAME", f"scales: Toledo 8217 status byte 0x{p.status:02X} lacks bits 5 and 6")
        s = Status.from_byte(p.status)
        return ScaleReading(weight_g=0, stable=not s.motion, overload=s.over_capacity, negative=s.under_zero)
    try:
        grams = kg_text_to_grams(p.text.decode("latin-1"))
    except ProtocolError:
        raise ProtocolError("SCALE_BAD_FRAME", f"scales: Toledo 8217 weight {p.text!r} is not a number") from None
    return ScaleReading(weight_g=grams, stable=True)
