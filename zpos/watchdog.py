"""systemd's sd_notify without a dependency: READY=1 on the first frame, WATCHDOG=1 from the UI loop, STOPPING=1.

The protocol (sd_notify(3), systemd.service(5)): newline-separated `KEY=VALUE` fields in one
datagram to the AF_UNIX socket named by $NOTIFY_SOCKET (a leading "@" is Linux's abstract
namespace). $WATCHDOG_USEC is the watchdog timeout the unit set with WatchdogSec=; a service
pings with WATCHDOG=1 well within it (sd_watchdog_enabled(3) suggests every half of it; we ping
every quarter of it, and at least once a second, so one late frame is never a restart). The
pings come only from the UI main loop's frame hook, so a UI that stops drawing stops pinging
and systemd restarts it.
Outside systemd (no $NOTIFY_SOCKET) every call does nothing.
"""
from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Mapping

log = logging.getLogger("zpos.watchdog")
PING_EVERY_S = 1.0      # at most this long between pings, whatever the timeout


class Watchdog:
    """The service manager's notify socket; `frame()` is the main loop's once-per-frame hook."""

    def __init__(self, socket_path: str | None, timeout_usec: int | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.address: str | bytes | None = None
        if socket_path:
            self.address = ("\0" + socket_path[1:]) if socket_path.startswith("@") else socket_path
        self.timeout = timeout_usec / 1e6 if timeout_usec else None
        self._clock = clock
        self._sock: socket.socket | None = None
        self._ready = False
        self._last_ping = float("-inf")
        self._warned = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, unset: bool = True) -> "Watchdog":
        """From $NOTIFY_SOCKET / $WATCHDOG_USEC / $WATCHDOG_PID; unset (from os.environ) so children never notify."""
        source = os.environ if env is None else env
        path = source.get("NOTIFY_SOCKET")
        usec_text = source.get("WATCHDOG_USEC", "")
        pid_text = source.get("WATCHDOG_PID", "")
        usec = int(usec_text) if usec_text.isdigit() and int(usec_text) > 0 else None
        if pid_text and (not pid_text.isdigit() or int(pid_text) != os.getpid()):
            usec = None              # the watchdog is meant for another process of the unit
        if env is None and unset:
            for k in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"):
                os.environ.pop(k, None)
        return cls(path, usec)

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def notify(self, *fields: str) -> bool:
        """Send one datagram of fields; False (logged once) when it cannot be sent — never raises."""
        if self.address is None:
            return False
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._sock.sendto("\n".join(fields).encode("utf-8"), self.address)
            return True
        except OSError as e:
            if not self._warned:
                log.warning("sd_notify to %r failed: %s", self.address, e)
                self._warned = True
            return False

    def require(self, seconds: float) -> None:
        """Make sure the watchdog allows at least `seconds` between pings (WATCHDOG_USEC=, systemd ≥ 236).

        The UI waits inside a blocking device call (a card payment waits for the PIN): the unit's
        WatchdogSec= must exceed that, and a site that configured longer timeouts raises it here."""
        if self.timeout is None or seconds <= self.timeout:
            return
        if self.notify(f"WATCHDOG_USEC={int(seconds * 1e6)}"):
            log.info("watchdog raised from %.0f s to %.0f s for the configured device timeouts", self.timeout, seconds)
            self.timeout = seconds

    def frame(self) -> None:
        """Once per drawn frame: READY=1 the first time, then WATCHDOG=1 every quarter of the timeout (≤ 1 s)."""
        if self.address is None:
            return
        if not self._ready:
            self._ready = self.notify("READY=1", "STATUS=the cashier workstation is running")
            self._last_ping = self._clock()
            return
        if self.timeout is None:
            return
        now = self._clock()
        if now - self._last_ping >= min(self.timeout / 4, PING_EVERY_S):
            if self.notify("WATCHDOG=1"):
                self._last_ping = now

    def status(self, text: str) -> None:
        self.notify(f"STATUS={text}")

    def stopping(self) -> None:
        self.notify("STOPPING=1")
        if self._sock is not None:
            self._sock.close()
            self._sock = None
