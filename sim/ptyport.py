"""A simulated serial device: owns the master end of a pty and serves the slave path to the real driver."""
from __future__ import annotations

import os
import select
import threading
import tty


class PtyPort:
    """The master side of a pty. The simulator keeps its own slave fd open so a driver closing and
    reopening the port never gives EIO; a symlink can publish a stable path."""

    def __init__(self, link: str | None = None) -> None:
        self.master, self._slave = os.openpty()
        tty.setraw(self.master)
        tty.setraw(self._slave)
        self.path = os.ttyname(self._slave)
        self.link = link
        if link:
            try:
                os.unlink(link)
            except FileNotFoundError:
                pass
            os.symlink(self.path, link)

    def read(self, size: int, timeout: float) -> bytes:
        r, _, _ = select.select([self.master], [], [], max(timeout, 0))
        if not r:
            return b""
        try:
            return os.read(self.master, size)
        except OSError:
            return b""

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            n = os.write(self.master, view)
            view = view[n:]

    def drain_input(self) -> None:
        while self.read(4096, 0):
            pass

    def close(self) -> None:
        for fd in (self.master, self._slave):
            try:
                os.close(fd)
            except OSError:
                pass
        if self.link:
            try:
                os.unlink(self.link)
            except OSError:
                pass


class PtyDevice:
    """Base of a simulated serial device: a thread reads bytes from the driver and calls `on_bytes`."""

    name = "device"

    def __init__(self, link: str | None = None) -> None:
        self.port = PtyPort(link)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> str:
        return self.port.link or self.port.path

    def start(self) -> "PtyDevice":
        self._thread = threading.Thread(target=self._loop, name=f"sim-{self.name}", daemon=True)
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.is_set():
            data = self.port.read(4096, 0.05)
            if data:
                self.on_bytes(data)

    def on_bytes(self, data: bytes) -> None:
        raise NotImplementedError  # each device defines what it does with what it receives

    def send(self, data: bytes) -> None:
        self.port.write(data)

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=2)
        self.port.close()
