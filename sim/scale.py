"""A simulated checkout scale (CAS ECR, Massa-K 100 or Mettler Toledo 8217) on a pty, answering as the manuals say.

The encodings come from the protocol modules, which transcribe the makers' documents (see their
docstrings); the behaviour here follows the same documents, not the driver:
* 8217 (DIVA Service Manual §6.1.4): 'W' gets the weight only when it is valid; in motion, below
  zero or over capacity the scale answers its status byte instead; 'Z', 'T' and 'C' (zero, tare,
  clear tare) answer a status. Every character goes out as a 7E1 character would look on a line
  read at 8N1: with its even-parity bit in bit 7 (`parity_on_line`).
* CAS Type-6: ENQ -> ACK, then DC1 (weight) or DC2 (total price, weight, unit price).
* Massa-K protocol 100: GET_MASSA -> ACK_MASSA with the net flag and tare; a request whose CRC
  does not check gets CMD_NACK; the CRC variant is the scale's setting.
"""
from __future__ import annotations

import threading
import time

from hal.protocols import cas, massak, mt8217
from sim.ptyport import PtyDevice

PROTOCOLS = ("cas", "massak", "mt8217")
FAULTS = ("ok", "unstable", "overload", "no_answer", "bad_checksum", "negative")
MOTION_OFFSET_G = 7           # what the display shows while the pan still swings


class SimScale(PtyDevice):
    """Answers the real driver from the master end of a pty. `put()` sets the weight on the platter
    (optionally still swinging for `settle_s` seconds); `set_fault()` changes what the scale answers
    from now on. For 8217, which has no checksum, `bad_checksum` sends a malformed answer instead."""

    name = "scale"

    def __init__(self, protocol: str, link: str | None = None, *, crc: str = "vendor",
                 parity_on_line: bool = True, unit_price: int = 0) -> None:
        if protocol not in PROTOCOLS:
            raise ValueError(f"unknown scale protocol {protocol!r}; use one of {', '.join(PROTOCOLS)}")
        super().__init__(link)
        self.protocol = protocol
        self.crc = massak.CrcVariant(crc)
        self.parity_on_line = parity_on_line
        self.unit_price = unit_price
        self._lock = threading.Lock()
        self._weight_g = 0             # gross, on the platter
        self._tare_g = 0
        self._settled_at = 0.0
        self._stable = True
        self._fault = "ok"
        self._enq_acked = False
        self._buf = b""
        self.requests = 0

    def start(self) -> SimScale:
        if self._thread is None:
            super().start()
        return self

    def put(self, weight_g: int, stable: bool = True, *, settle_s: float = 0.0) -> None:
        """Put `weight_g` (gross) on the platter; it swings for `settle_s` seconds, or for good if not `stable`."""
        with self._lock:
            self._weight_g, self._stable = int(weight_g), bool(stable)
            self._settled_at = time.monotonic() + max(settle_s, 0.0)

    def set_tare(self, tare_g: int) -> None:
        """A tare taken on the scale (its TARE key, or 'T'): from now on the scale reports net weights."""
        with self._lock:
            self._tare_g = max(int(tare_g), 0)

    def set_fault(self, name: str) -> None:
        if name not in FAULTS:
            raise ValueError(f"unknown scale fault {name!r}; use one of {', '.join(FAULTS)}")
        with self._lock:
            self._fault = name

    @property
    def fault(self) -> str:
        return self._fault

    def _state(self) -> tuple[int, bool, str, int]:
        """(weight shown, stable, fault, tare): net when a tare is taken."""
        with self._lock:
            weight, stable, fault, tare = self._weight_g, self._stable, self._fault, self._tare_g
            swinging = time.monotonic() < self._settled_at
        if swinging or not stable:
            stable = False
            weight += MOTION_OFFSET_G
        if fault == "unstable":
            stable = False
        if fault == "negative":
            weight, tare = -(abs(weight) or 15), 0
        return weight - tare, stable, fault, tare

    def on_bytes(self, data: bytes) -> None:
        handler = {"cas": self._on_cas, "massak": self._on_massak, "mt8217": self._on_mt8217}[self.protocol]
        handler(data)

    # --- CAS -----------------------------------------------------------------------------------------
    def _on_cas(self, data: bytes) -> None:
        for b in data:
            weight, stable, fault, _ = self._state()
            if fault == "no_answer":
                continue
            if bytes([b]) == cas.ENQ:
                self._enq_acked = True
                self.send(cas.ACK)
            elif bytes([b]) in (cas.DC1, cas.DC2) and self._enq_acked:
                self._enq_acked = False
                self.requests += 1
                overload, corrupt = fault == "overload", fault == "bad_checksum"
                if bytes([b]) == cas.DC2:
                    total = (self.unit_price * max(weight, 0) + 500) // 1000      # half-up to the kopeck
                    self.send(cas.encode_dc2_frame(weight, self.unit_price, total, stable, overload, corrupt=corrupt))
                else:
                    self.send(cas.encode_frame(weight, stable, overload, corrupt=corrupt))

    # --- Massa-K -------------------------------------------------------------------------------------
    def _on_massak(self, data: bytes) -> None:
        self._buf += data
        while True:
            start = self._buf.find(massak.HEADER)
            if start < 0:
                self._buf = self._buf[-2:]
                return
            self._buf = self._buf[start:]
            size = massak.frame_length(self._buf)
            if size is None or len(self._buf) < size:
                return
            frame, self._buf = self._buf[:size], self._buf[size:]
            weight, stable, fault, tare = self._state()
            if fault == "no_answer":
                continue
            try:
                msg = massak.decode(frame, self.crc)
            except Exception:  # a request whose CRC does not check: the scale answers CMD_NACK
                self.send(massak.encode(massak.Cmd.NACK, crc=self.crc))
                continue
            self.requests += 1
            if msg.cmd != massak.Cmd.GET_MASSA:
                self.send(massak.encode_error(massak.ErrorCode.UNSUPPORTED, self.crc))
            elif fault == "overload":
                self.send(massak.encode_error(massak.ErrorCode.OVERLOAD, self.crc))
            else:
                self.send(massak.encode_weight(weight, stable, corrupt=fault == "bad_checksum",
                                               tare_g=tare or None, crc=self.crc))

    # --- Mettler Toledo 8217 -------------------------------------------------------------------------
    def _on_mt8217(self, data: bytes) -> None:
        for b in data:
            cmd = bytes([b & 0x7F])          # the host's characters may carry their parity bit too
            if cmd not in (b"W", b"Z", b"T", b"C"):
                continue
            weight, stable, fault, tare = self._state()
            if fault == "no_answer":
                continue
            self.requests += 1
            if cmd != b"W":
                self._mt8217_command(cmd, weight, stable)
                weight, stable, fault, tare = self._state()
                self.send(self._mt8217_status(weight, stable, fault, tare))
            elif fault == "bad_checksum":
                self.send(b"\x0201.2\xff4\r")
            elif fault == "overload" or not stable or weight < 0:
                self.send(self._mt8217_status(weight, stable, fault, tare))
            else:
                self.send(mt8217.encode_weight(weight, net=tare > 0, parity=self.parity_on_line))

    def _mt8217_command(self, cmd: bytes, weight: int, stable: bool) -> None:
        with self._lock:
            if cmd == b"Z" and stable and self._tare_g == 0:
                self._weight_g = 0
            elif cmd == b"T" and stable and weight > 0 and self._tare_g == 0:
                self._tare_g = weight
            elif cmd == b"C" and stable:
                self._tare_g = 0

    def _mt8217_status(self, weight: int, stable: bool, fault: str, tare: int) -> bytes:
        status = mt8217.Status(motion=not stable, over_capacity=fault == "overload", under_zero=weight < 0,
                               center_of_zero=weight == 0 and stable, net=tare > 0)
        return mt8217.encode_status(status, parity=self.parity_on_line)
