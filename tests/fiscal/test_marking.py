"""Marking codes: the brief's example strings (shared/docs/marking.md §2.3, §2.5) and generated valid and broken codes."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fiscal.errors import FiscalError
from fiscal.identifiers import BarcodeKind, classify
from fiscal.marking import GS, MarkKind, gtin14, gtin_check_digit, gtin_forms, looks_like_si, parse_code

TAIL44 = "dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdHRlc3Q="
TAIL88 = "c2hvZXNob2VzaG9lc2hvZXNob2VzaG9lc2hvZXNob2VzaG9lc2hvZXNob2VzaG9lc2hvZXNob2VzaG9lc2hvZQ=="
BY_SI = "0104811234567896" + "21ABCdef123+-_%" + GS + "91EE05" + GS + "92" + TAIL44
RU_DAIRY = "010481123456789621Ab1%cd" + GS + "93dGVz" + GS + "3103000750"
CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"


def refusal(code: str) -> FiscalError:
    with pytest.raises(FiscalError) as e:
        parse_code(code)
    assert e.value.code == "MARKING_BAD"
    return e.value


def test_the_belarusian_example_parses_into_gtin_serial_and_the_full_string():
    m = parse_code(BY_SI)
    assert (m.kind, m.gtin, m.serial) == (MarkKind.SI, "04811234567896", "ABCdef123+-_%")
    assert m.code == BY_SI and GS in m.code
    assert m.key == "04811234567896ABCdef123+-_%"
    assert not m.repaired


def test_the_aim_prefix_is_dropped_and_the_code_kept_with_its_separators():
    assert parse_code("]d2" + BY_SI).code == BY_SI


def test_a_leading_or_trailing_gs_and_the_scanners_cr_are_dropped():
    assert parse_code(GS + BY_SI + GS + "\r\n").code == BY_SI


def test_footwear_carries_an_88_character_crypto_code():
    m = parse_code(BY_SI.replace(TAIL44, TAIL88))
    assert m.serial == "ABCdef123+-_%"


def test_a_russian_dairy_code_with_93_and_a_weight_gives_the_net_weight_in_grams():
    m = parse_code(RU_DAIRY)
    assert (m.serial, m.net_weight) == ("Ab1%cd", 750)


def test_a_belarusian_code_without_any_gs_is_repaired_because_its_layout_has_one_reading():
    m = parse_code(BY_SI.replace(GS, ""))
    assert m.repaired and m.code == BY_SI


def test_a_code_missing_only_the_gs_after_the_serial_is_repaired_too():
    m = parse_code("0104811234567896" + "21ABCdef123+-_%" + "91EE05" + GS + "92" + TAIL44)
    assert m.repaired and m.serial == "ABCdef123+-_%"


def test_a_russian_dairy_code_without_gs_is_refused_since_its_serial_length_is_not_fixed():
    refusal(RU_DAIRY.replace(GS, ""))


def test_a_wrong_gtin_check_digit_is_refused():
    assert "check digit" in refusal(BY_SI.replace("04811234567896", "04811234567895")).detail


def test_a_belarusian_serial_of_the_wrong_length_is_refused():
    assert "(21) has 12" in refusal(BY_SI.replace("ABCdef123+-_%", "ABCdef123+-_")).detail


def test_a_code_without_its_crypto_tail_is_refused():
    assert "crypto tail" in refusal("0104811234567896" + "21ABCdef123+-_%").detail


def test_a_crypto_code_of_the_wrong_length_is_refused():
    assert "(92) has 43" in refusal(BY_SI[:-1]).detail


def test_cyrillic_from_a_keyboard_layout_is_named_with_its_letters():
    e = refusal(BY_SI.replace("ABC", "АВС"))          # Cyrillic А, В, С
    assert e.variant == "MARKING_BAD_LAYOUT"
    assert e.params["letters"] == "А, В, С"
    assert "раскладке" in e.text("ru") and "А, В, С" in e.text("ru")


def test_the_aim_prefix_typed_on_a_russian_layout_is_named_as_a_layout_mix_up():
    assert refusal("ъв2" + BY_SI).variant == "MARKING_BAD_LAYOUT"


def test_the_cashiers_text_for_an_unreadable_code_is_the_briefs():
    assert refusal(BY_SI[:30]).text("ru") == "Код не распознан — отсканируйте ещё раз"


def test_the_smartx_placeholders_are_taken_as_control_stamp_codes():
    assert parse_code("2321987121CAC").kind is MarkKind.UKZ
    assert parse_code("midom0im20m03223d-2-d").key == "midom0im20m03223d-2-d"


def test_a_product_barcode_is_not_a_control_stamp_code():
    assert refusal("4811234567896").variant == "MARKING_BAD_BARCODE"


def test_a_control_stamp_code_where_a_datamatrix_is_needed_is_refused():
    with pytest.raises(FiscalError) as e:
        parse_code("2321987121CAC", "si")
    assert e.value.variant == "MARKING_BAD_NOT_SI"


def test_the_classifier_routes_a_datamatrix_to_marking_and_leaves_article_codes_alone():
    assert classify(BY_SI).kind is BarcodeKind.MARKING
    assert classify(BY_SI.replace(GS, "")).kind is BarcodeKind.MARKING
    assert classify("2321987121CAC").kind is BarcodeKind.OTHER
    assert classify("ART-0001").kind is BarcodeKind.OTHER
    assert classify("4811234567896").kind is BarcodeKind.EAN13


def test_gtin_forms_cover_the_barcodes_a_catalog_may_hold():
    assert gtin14("4811234567896") == "04811234567896"
    assert gtin_forms("04811234567896") == ("04811234567896", "4811234567896")
    assert "12345670" in gtin_forms("00000012345670")
    assert gtin14("ABC") is None


# ---- generated codes ---------------------------------------------------------------------------

def _gtin(body12: str) -> str:
    body = "0" + "481" + body12[3:]
    return body + str(gtin_check_digit(body))


gtins = st.text("0123456789", min_size=12, max_size=12).map(_gtin)
serials = st.sampled_from((13, 20)).flatmap(lambda n: st.text(CSET82, min_size=n, max_size=n))
tails = st.sampled_from((44, 88)).flatmap(lambda n: st.text(CSET82, min_size=n, max_size=n))
keys = st.text(CSET82, min_size=4, max_size=4)


@settings(max_examples=60, deadline=None)
@given(gtins, serials, keys, tails)
def test_any_valid_belarusian_code_parses_with_or_without_its_separators(gtin, serial, key, tail):
    code = f"01{gtin}21{serial}{GS}91{key}{GS}92{tail}"
    m = parse_code(code)
    assert (m.gtin, m.serial, m.code) == (gtin, serial, code)
    flat = parse_code(code.replace(GS, ""))
    assert flat.key == m.key and flat.code == code
    assert looks_like_si(code)


@settings(max_examples=80, deadline=None)
@given(gtins, serials, keys, tails, st.integers(0, 200), st.characters(codec="utf-8"))
def test_a_broken_code_is_refused_or_read_as_another_unit_never_a_traceback(gtin, serial, key, tail, at, ch):
    code = f"01{gtin}21{serial}{GS}91{key}{GS}92{tail}"
    at = at % len(code)
    broken = code[:at] + ch + code[at + 1:]
    try:
        m = parse_code(broken)
    except FiscalError as e:
        assert e.code == "MARKING_BAD"
    else:
        assert m.kind in (MarkKind.SI, MarkKind.UKZ)


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=0, max_size=120))
def test_any_text_is_a_code_or_one_clear_refusal(text):
    try:
        parse_code(text)
    except FiscalError as e:
        assert e.code == "MARKING_BAD"


# ---- boundaries the mutation run found untested ----------------------------------------------------

@pytest.mark.parametrize("ai, value, grams", [("3100", "000001", 1000), ("3101", "000015", 1500), ("3102", "000250", 2500),
                                              ("3103", "000750", 750), ("3104", "007505", 751), ("3104", "007504", 750),
                                              ("3105", "075050", 751), ("3105", "075049", 750)])
def test_the_net_weight_reads_every_decimal_position_rounding_half_up_to_the_gram(ai, value, grams):
    code = "010481123456789621Ab1%cd" + GS + "93dGVz" + GS + ai + value
    assert parse_code(code).net_weight == grams


def test_a_code_without_a_weight_has_none():
    assert parse_code(BY_SI).net_weight is None


def test_a_scan_is_routed_to_marking_by_its_prefix_its_gs_or_its_serial_ai():
    plain = "0104811234567896" + "21ABCdef123+-_%"
    assert looks_like_si(plain)                          # (01) GTIN then (21): a СИ even without any GS
    assert not looks_like_si("0104811234567896" + "10ABCdef123+-_%")   # (01) then a batch: not a marking code
    assert not looks_like_si(plain[:17])                 # shorter than (01)+GTIN+(21)
    assert looks_like_si("]d2" + "x" * 15) and looks_like_si("ъв" + "x" * 16)
    assert looks_like_si("x" * 10 + GS + "y" * 10)
    assert not looks_like_si("4810000000012") and not looks_like_si(None)


@pytest.mark.parametrize("text, ok", [("A" * 7, False), ("A" * 8, True), ("A" * 150, True), ("A" * 151, False),
                                      ("12345678", False), ("123456789", True), ("481123456789", False),
                                      ("4811234567896", False), ("04811234567896", False), ("A B12345", False),
                                      ("AB~12345", True)])
def test_a_control_stamp_code_is_printable_ascii_of_8_to_150_characters_and_not_a_barcode(text, ok):
    if ok:
        m = parse_code(text, MarkKind.UKZ)
        assert (m.kind, m.code, m.serial, m.gtin) == (MarkKind.UKZ, text, text, None)
    else:
        with pytest.raises(FiscalError) as e:
            parse_code(text, MarkKind.UKZ)
        assert e.value.code in ("MARKING_BAD", "MARKING_BAD_BARCODE") or e.value.variant == "MARKING_BAD_BARCODE"


@pytest.mark.parametrize("barcode, want", [("12345670", "00000012345670"), ("012345678905", "00012345678905"),
                                           ("4811234567896", "04811234567896"), ("04811234567896", "04811234567896"),
                                           ("1234567", None), ("123456789", None), ("048112345678960", None),
                                           ("", None), (None, None), ("48112345678９6", None)])
def test_gtin14_pads_the_four_barcode_lengths_and_nothing_else(barcode, want):
    assert gtin14(barcode) == want


@pytest.mark.parametrize("text", ["]", "]d", "]z9", "]d2"])
def test_a_bare_or_unknown_symbology_prefix_is_one_clear_refusal(text):
    assert refusal(text).code == "MARKING_BAD"


def test_a_code_longer_than_any_marking_code_is_refused_before_it_is_read():
    assert "longer than any marking code" in refusal("0" * 301).detail
    assert "empty" in refusal("  ").detail
