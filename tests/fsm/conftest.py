"""A register on simulated devices, logged in as someone, closed at the end of the test."""
import pytest

from fsm.clock import SimClock
from qa.rig import build_sim_register


@pytest.fixture
def register_as(tmp_path):
    opened = []

    def make(login: str, password: str):
        reg, hub = build_sim_register(tmp_path / f"data{len(opened)}", None, SimClock(), sleep=lambda s: None)
        opened.append((reg, hub))
        reg.session.unlock("1111")
        reg.session.sko_pin("123456")
        reg.session.login(login, password)
        return reg, hub

    yield make
    for reg, hub in opened:
        reg.devices.close()
        reg.close()
        hub.stop()
