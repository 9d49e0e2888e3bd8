"""Mettler Toledo 8217 ("weight only" ECR) scale protocol: the ECR sends 'W', the scale answers a weight or a status.

Source: METTLER TOLEDO DIVA Service Manual 72191202, §6.1.4 "8217" (pages 44-45 of the service
manual; mirrored as manualshelf / 38.142.81.21 ".../magellan-8500/service-manual-english/page-50.html"
and "page-51.html"), and the open implementation in Odoo's IoT box
(odoo/odoo addons/hw_drivers/iot_handlers/drivers/SerialScaleDriver.py, `Toledo8217Protocol`):

* line: 9600 baud, 7 data bits, even parity, 1 stop bit (Odoo's protocol settings);
* ``W`` -> ``STX WW.WWW CR`` (gross, kg), ``STX WW.WWWN CR`` (net, kg: an ASCII 'N' follows the
  weight), ``STX 0WW.WW CR`` / ``STX 0WW.WWN CR`` in pounds, or ``STX ? <status> CR`` when the
  scale is in motion, below zero or over capacity;
* status byte: b0 motion, b1 over capacity, b2 under zero, b3 outside zero capture range,
  b4 centre of zero, b5 net (1) / gross (0), b6 always 1, b7 even parity.

Bit 7 of every character is the parity bit of the 7E1 frame. A UART set to 7E1 strips it; a
line read as 8 data bits (a pty, a misconfigured adapter) shows it, so the decoder masks it.
The protocol has no checksum.
"""
from __future__ import annotations

from dataclasses import dataclass

from hal.errors import ProtocolError
from hal.interfaces import ScaleReading
from hal.protocols.cas import kg_text_to_grams

REQUEST = b"W"
STX, CR = 0x02, 0x0D
MAX_FRAME = 16
NET_MARK = ord("N")

MOTION, OVER_CAPACITY, UNDER_ZERO, OUTSIDE_ZERO_RANGE, CENTER_OF_ZERO, NET = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20
ALWAYS_ONE = 0x40
PARITY = 0x80


def with_even_parity(b: int) -> int:
    """A 7-bit character with its even-parity bit in bit 7, as it looks when a 7E1 line is read at 8N1."""
    b &= 0x7F
    return b | (PARITY if bin(b).count("1") % 2 else 0)


def strip_parity(data: bytes) -> bytes:
    return bytes(b & 0x7F for b in data)


@dataclass(frozen=True)
class Status:
    motion: bool = False
    over_capacity: bool = False
    under_zero: bool = False
    outside_zero_range: bool = False
    center_of_zero: bool = False
    net: bool = False

    def to_byte(self) -> int:
        """The status character as the scale sends it (bit 6 set, even parity in bit 7)."""
        b = ALWAYS_ONE | (MOTION if self.motion else 0) | (OVER_CAPACITY if self.over_capacity else 0) \
            | (UNDER_ZERO if self.under_zero else 0) | (OUTSIDE_ZERO_RANGE if self.outside_zero_range else 0) \
            | (CENTER_OF_ZERO if self.center_of_zero else 0) | (NET if self.net else 0)
        return with_even_parity(b)

    @classmethod
    def from_byte(cls, b: int) -> Status:
        return cls(bool(b & MOTION), bool(b & OVER_CAPACITY), bool(b & UNDER_ZERO),
                   bool(b & OUTSIDE_ZERO_RANGE), bool(b & CENTER_OF_ZERO), bool(b & NET))


@dataclass(frozen=True)
class Answer:
    """One decoded answer: a weight (grams, net or gross) or a status byte."""

    weight_g: int | None
    net: bool
    status: Status | None = None


def encode_weight(weight_g: int, net: bool = False, *, parity: bool = False) -> bytes:
    """The kg answer to 'W': STX WW.WWW [N] CR. parity=True adds the 7E1 parity bit to every character."""
    if not 0 <= weight_g <= 99_999:
        raise ValueError(f"{weight_g} g does not fit the 8217 WW.WWW kg field")
    text = f"{weight_g // 1000:02d}.{weight_g % 1000:03d}" + ("N" if net else "")
    frame = bytes([STX]) + text.encode("ascii") + bytes([CR])
    return bytes(with_even_parity(b) for b in frame) if parity else frame


def encode_status(status: Status, *, parity: bool = False) -> bytes:
    """STX ? <status> CR. The status byte always carries its parity bit (the manual's bit 7)."""
    frame = bytes([STX, ord("?"), status.to_byte(), CR])
    return bytes(with_even_parity(b) for b in frame) if parity else frame


def parse(frame: bytes) -> Answer:
    """One whole answer (STX .. CR, parity bits allowed) -> Answer, or ProtocolError SCALE_BAD_FRAME /
    SCALE_BAD_CONFIG (the scale reports pounds)."""
    raw = strip_parity(frame[:MAX_FRAME + 1])
    if len(frame) > MAX_FRAME or len(raw) < 3 or raw[0] != STX or raw[-1] != CR:
        raise ProtocolError("SCALE_BAD_FRAME", f"scales: not a Toledo 8217 answer ({frame[:MAX_FRAME].hex(' ')})")
    body = raw[1:-1]
    if body[:1] == b"?":
        if len(body) != 2:
            raise ProtocolError("SCALE_BAD_FRAME", f"scales: Toledo 8217 status answer of {len(body)} bytes ({frame.hex(' ')})")
        b = body[1]
        if not b & ALWAYS_ONE:
            raise ProtocolError("SCALE_BAD_FRAME", f"scales: Toledo 8217 status byte 0x{frame[2]:02X} has bit 6 clear")
        s = Status.from_byte(b)
        return Answer(None, s.net, s)
    net = body[-1:] == bytes([NET_MARK])
    text = (body[:-1] if net else body).decode("latin-1").strip()
    whole, dot, frac = text.partition(".")
    if not dot or not (whole + frac).isdigit():
        raise ProtocolError("SCALE_BAD_FRAME", f"scales: Toledo 8217 weight {text!r} is not a number")
    if len(frac) != 3:
        # "0WW.WW": two decimals is the pound format of the same protocol.
        raise ProtocolError("SCALE_BAD_CONFIG", f"scales: Toledo 8217 weight {text!r} is in pounds; set the scale to kg")
    return Answer(kg_text_to_grams(text), net)


def to_reading(answer: Answer) -> ScaleReading:
    """A weight answer is a stable weight (the scale answers with a status otherwise); a status carries no weight."""
    if answer.status is None:
        return ScaleReading(weight_g=answer.weight_g or 0, stable=True, net=answer.net)
    s = answer.status
    # A status without motion, over capacity or under zero (outside zero range, say) still is no
    # valid weight: it reads as "not yet", which the wait retries.
    settled = not s.motion and (s.over_capacity or s.under_zero)
    return ScaleReading(weight_g=0, stable=settled, overload=s.over_capacity, negative=s.under_zero,
                        net=s.net, weight_known=False)


def decode(frame: bytes) -> ScaleReading:
    """One whole answer -> ScaleReading (see `parse` and `to_reading`)."""
    return to_reading(parse(frame))
