"""Shipped printer profiles: columns, code-page slots checked against escpos-printer-db, defaults, site overrides."""
import pytest

from hal.errors import PrinterError
from hal.printer_profiles import DEFAULT_MODEL, PROFILES, CodePage, CutMode, RealtimeClear, get_profile
from hal.protocols.escpos_codepages import PUBLISHED, codec


@pytest.mark.parametrize("key", sorted(PROFILES))
def test_every_shipped_slot_holds_its_code_page_in_the_published_table(key):
    p = PROFILES[key]
    assert p.db_model in PUBLISHED, f"{key}: no published table {p.db_model!r}"
    assert p.cp866_slot is not None and PUBLISHED[p.db_model][p.cp866_slot] == "CP866"
    if p.cp1251_slot is not None:
        assert PUBLISHED[p.db_model][p.cp1251_slot] == "CP1251"


def test_profiles_use_wpc1251_wherever_the_table_has_it_and_one_slot_is_known_to_work():
    # Clones publish CP1251 at 73 but it is not reliable (DantSu#82): those stay on CP866 on purpose.
    for key, p in PROFILES.items():
        has_1251 = "CP1251" in PUBLISHED[p.db_model].values()
        clone = p.db_model in ("NT-80-V-UL", "POS-5890", "default")
        assert (p.cp1251_slot is not None) == (has_1251 and not clone), key


def test_the_published_tables_read_as_transcribed():
    assert codec("default", 17) == "cp866" and codec("default", 46) == "cp1251"
    assert codec("RP326", 7) == "cp866" and codec("RP326", 17) != "cp866"     # 17 is CP1253 on Rongta
    assert codec("NT-80-V-UL", 73) == "cp1251" and codec("POS-5890", 59) == "cp866"
    assert codec("TM-T20III", 11) is None                                     # omitted in its table


def test_no_model_given_means_the_generic_80mm_profile():
    assert DEFAULT_MODEL == "generic-80"
    p = get_profile()
    assert (p.key, p.paper_mm, p.columns, p.code_page_slot) == ("generic-80", 80, 42, 17)
    assert not p.qr_native and p.realtime_clear == (RealtimeClear.DLE_DC4_8, RealtimeClear.DLE_ENQ_2)
    assert get_profile("generic80") is p and get_profile(None) is p


def test_epson_profiles_confirm_the_end_of_a_job_and_clear_with_dle_dc4_8():
    for key in ("tm-t20iii", "tm-t88v"):
        p = get_profile(key)
        assert p.job_markers and p.realtime_clear[0] is RealtimeClear.DLE_DC4_8 and p.realtime_pulse


def test_the_shipped_models_cover_32_42_and_48_columns():
    assert {p.columns for p in PROFILES.values()} == {32, 42, 48}
    assert {"tm-t20iii", "tm-t88v", "xp-80t", "rp326", "generic-58", "generic-80"} <= set(PROFILES)


def test_epson_tm_t20iii_prints_wpc1251_from_slot_46():
    p = get_profile("TM-T20III")
    assert (p.columns, p.dots, p.code_page, p.code_page_slot) == (48, 576, CodePage.CP1251, 46)


def test_rongta_uses_its_own_slot_numbers():
    p = get_profile("rp326")
    assert (p.cp866_slot, p.cp1251_slot, p.code_page_slot) == (7, 6, 6)


def test_xprinter_defaults_to_cp866_until_a_site_confirms_slot_73():
    assert get_profile("xp-80t").code_page is CodePage.CP866
    assert get_profile("xp-80t", cp1251_slot=73).code_page_slot == 73


def test_generic_58mm_has_32_columns_no_cutter_and_a_raster_qr():
    p = get_profile("generic-58")
    assert (p.columns, p.dots, p.cut, p.qr_native, p.code_page_slot) == (32, 384, CutMode.NONE, False, 17)


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
