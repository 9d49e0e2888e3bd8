"""Shipped printer profiles: columns, code-page choice, site overrides."""
import pytest

from hal.errors import PrinterError
from hal.printer_profiles import PROFILES, CodePage, CutMode, get_profile


def test_the_shipped_models_cover_32_42_and_48_columns():
    assert {p.columns for p in PROFILES.values()} == {32, 42, 48}
    assert {"tm-t20iii", "xp-80t", "rp326", "generic-58"} <= set(PROFILES)


def test_epson_tm_t20iii_prints_wpc1251_from_slot_46():
    p = get_profile("TM-T20III")
    assert (p.columns, p.dots, p.code_page, p.code_page_slot) == (48, 576, CodePage.CP1251, 46)


def test_rongta_uses_its_own_slot_numbers():
    p = get_profile("rp326")
    assert (p.cp866_slot, p.cp1251_slot, p.code_page_slot) == (7, 6, 6)


def test_xprinter_defaults_to_cp866_until_a_site_confirms_slot_73():
    assert get_profile("xp-80t").code_page is CodePage.CP866
    assert get_profile("xp-80t", cp1251_slot=73).code_page_slot == 73


def test_generic_58mm_has_32_columns_and_no_cutter():
    p = get_profile("generic-58")
    assert (p.columns, p.dots, p.cut) == (32, 384, CutMode.NONE)


def test_unknown_model_names_the_known_ones():
    with pytest.raises(PrinterError) as e:
        get_profile("tm-u220")
    assert e.value.code == "PRINTER_BAD_CONFIG" and "tm-t20iii" in e.value.detail


def test_an_unknown_override_field_is_a_config_error():
    with pytest.raises(PrinterError) as e:
        get_profile("rp326", colour=True)
    assert e.value.code == "PRINTER_BAD_CONFIG"


def test_a_profile_without_any_cyrillic_slot_is_a_config_error():
    p = get_profile("generic-58", cp866_slot=None)
    with pytest.raises(PrinterError) as e:
        _ = p.code_page_slot
    assert e.value.code == "PRINTER_BAD_CONFIG"
