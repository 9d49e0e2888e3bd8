"""Headless UI fixtures: a register on the lead's simulated devices, and the App driven by widget id."""
from __future__ import annotations

import os

import pytest

os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")


@pytest.fixture
def sim(tmp_path):
    from fsm.clock import SimClock
    from qa.rig import build_sim_register
    reg, hub = build_sim_register(tmp_path / "data", None, SimClock(), sleep=lambda s: None)
    yield reg, hub
    reg.close()
    reg.devices.close()
    hub.stop()


@pytest.fixture
def ui(sim):
    from qa.headless import HeadlessUI
    h = HeadlessUI(sim[0])
    yield h
    h.close()


@pytest.fixture(autouse=True)
def _language_back_to_russian():
    """A test that renders in be or en leaves the next test (of any package) in Russian."""
    yield
    import texts
    texts.set_language("ru")
