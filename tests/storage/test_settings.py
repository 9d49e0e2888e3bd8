"""Settings: requisites, validated parameters, device settings, the hashed device password."""
from __future__ import annotations

import dataclasses

import pytest

from fiscal.documents import Requisites
from storage.errors import StorageError
from storage.settings import Parameters, SettingsStore


def test_requisites_round_trip_and_are_missing_at_first(tmp_path):
    s = SettingsStore(str(tmp_path))
    assert not s.has_requisites()
    with pytest.raises(StorageError) as e:
        s.requisites()
    assert e.value.code == "NO_REQUISITES"
    req = Requisites(org_name="ООО «Ромашка»", unp="190000001", ksa_number="КСА-1", shop_address="Минск")
    s.save_requisites(req)
    assert SettingsStore(str(tmp_path)).requisites() == req


def test_parameters_default_then_persist(tmp_path):
    s = SettingsStore(str(tmp_path))
    assert s.parameters() == Parameters()
    p = dataclasses.replace(Parameters(), printer_width=32, accounting_mode="sum", language="be")
    s.save_parameters(p)
    assert SettingsStore(str(tmp_path)).parameters() == p


@pytest.mark.parametrize("key,value", [("printer_width", 40), ("accounting_mode", "both"), ("vat_rates", ["18"]),
                                       ("language", "de"), ("forbid_negative_stock", "yes"),
                                       ("offline_limit_hours", 0), ("weight_prefixes", ["2"])])
def test_a_bad_parameter_value_names_the_key(key, value):
    with pytest.raises(StorageError) as e:
        Parameters.from_dict({key: value})
    assert e.value.code == "BAD_SETTING" and key in e.value.detail


def test_an_unknown_parameter_is_refused_by_name():
    with pytest.raises(StorageError) as e:
        Parameters.from_dict({"printer_widht": 42})
    assert e.value.code == "BAD_SETTING" and "printer_widht" in e.value.detail


def test_device_settings_round_trip(tmp_path):
    s = SettingsStore(str(tmp_path))
    s.save_devices({"printer": {"url": "/dev/pts/3", "model": "escpos"}})
    s.save_devices({"scale": {"url": "socket://127.0.0.1:5000"}})
    assert SettingsStore(str(tmp_path)).devices() == {"scale": {"url": "socket://127.0.0.1:5000"}}


def test_device_password_defaults_to_1111_and_is_stored_hashed(tmp_path):
    s = SettingsStore(str(tmp_path))
    assert s.check_device_password("1111") and not s.check_device_password("0000")
    s.set_device_password("8642")
    assert s.check_device_password("8642") and not s.check_device_password("1111")
    assert "8642" not in (tmp_path / "store" / "settings.json").read_text()


@pytest.mark.parametrize("value", ["slides", "ads/summer", "", "Реклама 2026"])
def test_the_customer_slides_folder_is_a_folder_inside_the_data_dir(value):
    assert Parameters.from_dict({"customer_slides_dir": value}).customer_slides_dir == value


@pytest.mark.parametrize("value", ["/etc", "../outside", "ads/../../x", "a//b", "./ads", "C:\\ads", "x" * 201, 5, None])
def test_a_customer_slides_folder_outside_the_data_dir_is_refused_by_name(value):
    with pytest.raises(StorageError) as e:
        Parameters.from_dict({"customer_slides_dir": value})
    assert e.value.code == "BAD_SETTING" and "customer_slides_dir" in e.value.detail
