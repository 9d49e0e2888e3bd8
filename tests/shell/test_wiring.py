"""zpos.wiring: the typed [devices] opened through the real drivers against the simulated devices."""
from __future__ import annotations

from dataclasses import replace

import pytest

from sim.hub import SimHub
from zpos.config import ConfigError, PrinterConfig, devices_from_mapping, from_mapping
from zpos.wiring import open_devices


@pytest.fixture
def hub(tmp_path):
    with SimHub(tmp_path / "sim") as h:
        yield h


def test_the_typed_config_opens_every_simulated_device(hub):
    cfg = devices_from_mapping(hub.device_config(), "simulator")
    devices = open_devices(cfg)
    try:
        assert devices.errors == {}
        assert list(devices.terminals) == ["Беларусбанк", "Приорбанк"]
        assert devices.terminals["Приорбанк"].op_timeout == 1.5
        assert devices.printer.profile.key == "tm-t88v" and devices.scale is not None and devices.oplati is not None
    finally:
        devices.close()


def test_a_printer_without_a_model_is_driven_as_the_generic_80_mm_printer(hub):
    cfg = devices_from_mapping(hub.device_config(), "simulator")
    cfg = replace(cfg, printer=PrinterConfig(url=cfg.printer.url))
    devices = open_devices(cfg)
    try:
        assert devices.printer.profile.key == "generic-80" and devices.printer.columns == 42
        assert devices.printer.profile.paper_mm == 80
    finally:
        devices.close()


def test_a_whole_config_and_a_mapping_are_accepted_and_checked_alike(hub, tmp_path):
    config = from_mapping({"devices": hub.device_config()}, "simulator")
    devices = open_devices(config)
    devices.close()
    assert devices.errors == {}
    bad = hub.device_config()
    bad["terminals"].append(dict(bad["terminals"][0]))
    with pytest.raises(ConfigError, match=r'\[devices.terminals #3\] name = "Беларусбанк": expected a name no other'):
        open_devices(bad)


def test_a_device_that_cannot_be_opened_is_recorded_not_raised(tmp_path):
    devices = open_devices({"sko": {"address": "127.0.0.1:9", "timeout": 0.5},
                            "printer": {"url": str(tmp_path / "no-such-printer")},
                            "scale": {"url": str(tmp_path / "no-such-scale"), "protocol": "mt8217"}})
    try:
        assert set(devices.errors) == {"printer", "scale"} and devices.printer is None and devices.scale is None
    finally:
        devices.close()
