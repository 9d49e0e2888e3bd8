"""A simulated checkout scale (CAS ECR, Massa-K 100 or Mettler Toledo 8217) on a pty, with faults."""
from __future__ import annotations

import threading

from hal.protocols import cas, massak, mt8217
from sim.ptyport import PtyDevice

PROTOCOLS = ("cas", "massak", "mt8217")
FAULTS = ("ok", "unstable", "overload", "no_answer", "bad_checksum", "negative")


class SimScale(PtyDevice):
    """Answers the real driver from the master end of a pty. `put()` sets the weight on the platter;
    `set_fault()` changes what the scale answers from now on. For 8217, which has no checksum,
    `bad_checksum` sends a malformed answer instead."""

    name = "scale"

    def __init__(self, protocol: str, link: str | None = None) -> None:
        if protocol not in PROTOCOLS:
            raise ValueError(f"unknown scale protocol {protocol!r}; use one of {', '.join(PROTOCOLS)}")
        super().__init__(link)
        self.protocol = protocol
        self._lock = threading.Lock()
        self._weight_g = 0
        self._stable = True
        self._fault = "ok"
        self._enq_acked = False
        self._buf = b""
        self.requests = 0

    def start(self) -> "SimScale":
        if self._thread is None:
            super().start()
        return self

    def put(self, weight_g: int, stable: bool = True) -> None:
        with self._lock:
            self._weight_g, self._stable = int(weight_g), bool(stable)

    def set_fault(self, name: str) -> None:
        if name not in FAULTS:
            raise ValueError(f"unknown scale fault {name!r}; use one of {', '.join(FAULTS)}")
        with self._lock:
            self._fault = name

    @property
    def fault(self) -> str:
        return self._fault

    def _state(self) -> tuple[int, bool, str]:
        with self._lock:
            weight, stable, fault = self._weight_g, self._stable, self._fault
        if fault == "unstable":
            stable = False
        if fault == "negative":
            weight = -(abs(weight) or 15)
        return weight, stable, fault

    def on_bytes(self, data: bytes) -> None:
        handler = {"cas": self._on_cas, "massak": self._on_massak, "mt8217": self._on_mt8217}[self.protocol]
        handler(data)

    def _on_cas(self, data: bytes) -> None:
        for b in data:
            weight, stable, fault = self._state()
            if fault == "no_answer":
                continue
            if bytes([b]) == cas.ENQ:
                self._enq_acked = True
                self.send(cas.ACK)
            elif bytes([b]) == cas.DC1 and self._enq_acked:
                self._enq_acked = False
                self.requests += 1
                self.send(cas.encode_frame(weight, stable, fault == "overload", corrupt=fault == "bad_checksum"))

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
            weight, stable, fault = self._state()
            if fault == "no_answer":
                continue
            try:
                msg = massak.decode(frame)
            except Exception:  # a corrupted request: a real scale answers CMD_NACK
                self.send(massak.encode(massak.Cmd.NACK))
                continue
            self.requests += 1
            if msg.cmd != massak.Cmd.GET_MASSA:
                self.send(massak.encode_error(massak.ErrorCode.UNSUPPORTED))
            elif fault == "overload":
                self.send(massak.encode_error(massak.ErrorCode.OVERLOAD))
            else:
                self.send(massak.encode_weight(weight, stable, corrupt=fault == "bad_checksum"))

    def _on_mt8217(self, data: bytes) -> None:
        for b in data:
            if bytes([b]) != mt8217.REQUEST:
                continue
            weight, stable, fault = self._state()
            if fault == "no_answer":
                continue
            self.requests += 1
            if fault == "bad_checksum":
                self.send(b"\x0201.2\xff4\r")
            elif fault == "overload" or not stable or weight < 0:
                self.send(mt8217.encode_status(mt8217.Status(motion=not stable, over_capacity=fault == "overload",
                                                              under_zero=weight < 0)))
            else:
                self.send(mt8217.encode_weight(weight))
