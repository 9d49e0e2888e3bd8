"""The hub's printer, scale and display controls, seen through the real drivers the workstation opens."""
import time

import pytest

from hal.interfaces import DisplayLine
from sim.hub import ControlError, SimHub, SimOptions
from zpos.wiring import open_devices


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    h = SimHub(tmp_path_factory.mktemp("hub"), SimOptions(scale_protocol="mt8217")).start()
    yield h
    h.stop()


@pytest.fixture(scope="module")
def devices(hub):
    d = open_devices(hub.device_config())
    yield d
    d.close()


def test_the_device_config_names_the_display_and_the_drawer_switch(hub, devices):
    cfg = hub.device_config()
    assert cfg["display"]["url"] == hub.display.address and cfg["printer"]["drawer_sensor"] == "high_open"
    assert devices.errors == {} and devices.display is not None


def test_drawer_open_and_closed_are_read_back_through_the_printer(hub, devices):
    assert hub.control("printer", "drawer_open") == "printer drawer_open"
    assert devices.printer.status().drawer_open is True
    hub.control("printer", "drawer_closed")
    assert devices.printer.status().drawer_open is False
    devices.printer.kick_drawer()
    deadline = time.monotonic() + 2
    while hub.printer.drawer_kicks < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert hub.printer.drawer_kicks == 1 and devices.printer.status().drawer_open is True
    hub.control("printer", "drawer_closed")


def test_paper_near_end_is_switched_on_and_off(hub, devices):
    hub.control("printer", "paper_near_end")
    assert devices.printer.status().paper_near_end
    hub.control("printer", "paper_ok")
    assert not devices.printer.status().paper_near_end


def test_a_weight_that_settles_and_a_tare_reach_the_8217_driver(hub, devices):
    assert hub.control("scale", "weight", "1.385", "settle", "0.3") == "scale weight 1.385 settle 0.3"
    assert not devices.scale.read().stable
    hub.control("scale", "tare", "0.150")
    r = devices.scale.wait_stable(2.0)
    assert (r.weight_g, r.net) == (1235, True)
    hub.control("scale", "tare", "0")


def test_the_display_shows_what_the_driver_sent(hub, devices):
    devices.display.show_sale([DisplayLine("Сок 1 л", 1000, 320)], 320)
    deadline = time.monotonic() + 2
    while not hub.control("display").startswith("Сок") and time.monotonic() < deadline:
        time.sleep(0.01)
    assert hub.control("display", "lines") == "Сок 1 л         3.20 | ИТОГО           3.20"


@pytest.mark.parametrize("words,hint", [
    (("printer", "on_fire"), "drawer_open"), (("scale", "weight", "1.0", "wobble", "2"), "settle"),
    (("scale", "weight", "heavy"), "weight"), (("display", "off"), "lines"),
])
def test_a_bad_control_is_one_clear_refusal(hub, words, hint):
    with pytest.raises(ControlError) as e:
        hub.control(*words)
    assert hint in str(e.value)
