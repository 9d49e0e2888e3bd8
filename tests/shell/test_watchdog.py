"""sd_notify over a real unix datagram socket: READY=1, WATCHDOG=1 from a running UI loop, silence from a stalled one."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from zpos.watchdog import Watchdog


class NotifySocket:
    """What systemd listens on: an AF_UNIX datagram socket; every datagram kept with its arrival time."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(("\0" + path[1:]) if path.startswith("@") else path)
        self.sock.settimeout(0.05)
        self.got: list[tuple[float, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.sock.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            self.got.append((time.monotonic(), data.decode()))

    def times(self, field: str, after: float = 0.0, before: float = float("inf")) -> list[float]:
        return [t for t, msg in list(self.got) if field in msg.split("\n") and after <= t <= before]

    def wait_for(self, field: str, timeout: float) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            hits = self.times(field)
            if hits:
                return hits[0]
            time.sleep(0.02)
        raise AssertionError(f"no {field} within {timeout} s; got {[m for _, m in self.got]}")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(1)
        self.sock.close()


@pytest.fixture
def notify(tmp_path):
    s = NotifySocket(str(tmp_path / "notify"))
    yield s
    s.close()


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_first_frame_says_ready_and_later_frames_ping_every_quarter_of_the_timeout(notify):
    clock = FakeClock()
    wd = Watchdog(notify.path, 2_000_000, clock=clock)
    wd.frame()
    notify.wait_for("READY=1", 2)
    for _ in range(32):          # 32 frames over 2 s: a ping each 0.5 s
        clock.now += 0.0625
        wd.frame()
    time.sleep(0.2)
    assert len(notify.times("WATCHDOG=1")) == 4


def test_a_long_timeout_is_still_pinged_every_second(notify):
    clock = FakeClock()
    wd = Watchdog(notify.path, 180_000_000, clock=clock)
    wd.frame()
    for _ in range(24):          # 3 s of frames: a ping each second, not each 45 s
        clock.now += 0.125
        wd.frame()
    time.sleep(0.2)
    assert len(notify.times("WATCHDOG=1")) == 3


def test_an_abstract_socket_name_works(tmp_path):
    s = NotifySocket(f"@zpos-test-{os.getpid()}-{id(tmp_path)}")
    try:
        Watchdog(s.path, None).frame()
        s.wait_for("READY=1", 2)
    finally:
        s.close()


def test_the_environment_names_the_socket_and_the_timeout_and_is_then_cleared(notify, monkeypatch):
    monkeypatch.setenv("NOTIFY_SOCKET", notify.path)
    monkeypatch.setenv("WATCHDOG_USEC", "400000")
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    wd = Watchdog.from_env()
    assert wd.enabled and wd.timeout == 0.4
    assert "NOTIFY_SOCKET" not in os.environ and "WATCHDOG_USEC" not in os.environ


def test_a_watchdog_meant_for_another_process_is_not_pinged(notify):
    wd = Watchdog.from_env({"NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "400000", "WATCHDOG_PID": "1"})
    assert wd.enabled and wd.timeout is None


def test_outside_systemd_every_call_does_nothing():
    wd = Watchdog.from_env({})
    wd.frame()
    wd.require(500)
    wd.stopping()
    assert not wd.enabled and wd.notify("READY=1") is False


def test_a_socket_that_is_gone_is_logged_never_raised(tmp_path, caplog):
    wd = Watchdog(str(tmp_path / "nobody-listens"), 1_000_000)
    assert wd.notify("READY=1") is False and wd.notify("WATCHDOG=1") is False
    assert sum("sd_notify" in r.message for r in caplog.records) == 1


def test_longer_device_timeouts_raise_the_watchdog_shorter_ones_leave_it(notify):
    wd = Watchdog(notify.path, 180_000_000)
    wd.require(120)
    wd.require(360)
    time.sleep(0.2)
    assert [m for _, m in notify.got] == ["WATCHDOG_USEC=360000000"] and wd.timeout == 360


def test_the_app_loop_pings_while_it_runs_and_stops_when_it_stalls(notify, tmp_path):
    """The real main loop of screens.app with the hook run.py sets; a step that blocks stands for a frozen UI."""
    from fsm.clock import SimClock
    from qa.rig import build_sim_register
    from screens.app import App
    reg, hub = build_sim_register(tmp_path / "data", None, SimClock(), sleep=lambda s: None)
    try:
        app = App(reg, headless=True)
        wd = Watchdog(notify.path, 200_000)          # 0.2 s: a ping each 0.05 s
        app.on_frame = wd.frame
        marks: dict[str, float] = {}
        real_step = app.step

        def step(events=None):
            now = time.monotonic()
            marks.setdefault("start", now)
            if now - marks["start"] > 1.0 and "stall" not in marks:
                marks["stall"] = time.monotonic()
                time.sleep(1.5)                     # frozen: no frame drawn, no hook called
                marks["resume"] = time.monotonic()
                app.running = False
            real_step(events)
        app.step = step
        app.run()
        time.sleep(0.1)
    finally:
        reg.close()
        reg.devices.close()
        hub.stop()
    ready = notify.wait_for("READY=1", 1)
    pings = notify.times("WATCHDOG=1", after=ready, before=marks["stall"])
    assert len(pings) >= 10
    gaps = [b - a for a, b in zip([ready, *pings], pings)]
    assert max(gaps) < 0.2, gaps                    # never late while the loop runs
    assert notify.times("WATCHDOG=1", after=marks["stall"] + 0.01, before=marks["resume"]) == []


@pytest.mark.skipif(not hasattr(signal, "SIGSTOP"), reason="needs SIGSTOP")
def test_zpos_run_is_ready_after_its_first_frame_and_a_stopped_process_stops_pinging(notify, tmp_path):
    env = {**os.environ, "NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "400000", "WATCHDOG_PID": "",
           "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    env.pop("WATCHDOG_PID")
    p = subprocess.Popen([sys.executable, "-m", "zpos.cli", "run", "--sim", "--data", str(tmp_path / "data")],
                         env=env, cwd=Path(__file__).resolve().parents[2], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    try:
        ready = notify.wait_for("READY=1", 90)
        # The default config's longest device wait (5 s) plus the margin exceeds 0.4 s: the watchdog is raised.
        assert notify.times("WATCHDOG_USEC=65000000")
        time.sleep(2.6)
        assert len(notify.times("WATCHDOG=1", after=ready)) >= 2
        p.send_signal(signal.SIGSTOP)
        stopped = time.monotonic()
        time.sleep(2.5)
        assert notify.times("WATCHDOG=1", after=stopped + 0.05) == []
        p.send_signal(signal.SIGCONT)
        resumed = time.monotonic()
        time.sleep(2.2)
        assert notify.times("WATCHDOG=1", after=resumed)
    finally:
        p.kill()
        p.wait(10)
