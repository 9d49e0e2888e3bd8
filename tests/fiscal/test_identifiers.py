"""fiscal.identifiers: УНП, EAN-8 / EAN-13 / UPC-A, weight barcodes, classification."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fiscal.errors import FiscalError
from fiscal.identifiers import (
    BarcodeKind,
    WeightBarcodeLayout,
    WeightValue,
    barcode_valid,
    classify,
    ean_check_digit,
    parse_weight_barcode,
    unp_check,
    unp_valid,
)

SOME = settings(max_examples=150, deadline=None)


def with_check(digits: str) -> str:
    return digits + str(ean_check_digit(digits))


# --- УНП --------------------------------------------------------------------------------

@pytest.mark.parametrize("unp", ["200988541", "MA1953684", "МА1953684", "ма1953684", "УНП 200988541",
                                 "UNP: MA1953684", "200 988 541"])
def test_valid_unp_is_accepted_in_its_usual_spellings(unp):
    assert unp_valid(unp)


def test_unp_check_returns_the_normalized_latin_form():
    assert unp_check("УНП МА1953684") == "MA1953684"


@pytest.mark.parametrize("unp, why", [
    ("200988542", "check digit"),
    ("20098854", "8 characters"),
    ("2009885411", "10 characters"),
    ("20098854X", "digits"),
    ("800988541", "region"),          # 8 is not a region code
    ("MZ1953684", "letters"),         # Z is not an allowed letter
    ("M11953684", "both"),            # a letter and a digit mixed
    ("", "0 characters"),
])
def test_invalid_unp_is_refused_saying_why(unp, why):
    assert not unp_valid(unp)
    with pytest.raises(FiscalError) as e:
        unp_check(unp)
    assert e.value.code == "BAD_UNP" and why in e.value.detail and repr(unp) in e.value.detail


# Organisations' УНП found published online, as collected by python-stdnum (tests/test_by_unp.doctest).
PUBLISHED_UNP = ("100217336 100693551 100864035 101288529 101541947 190658169 190960352 191453533 191682495 "
                 "191767445 191827058 192035780 192345153 192988109 200019773 290380347 400051902 490127567 "
                 "500037201 591705582 690314863 691631805 791022114").split()


@pytest.mark.parametrize("unp", PUBLISHED_UNP)
def test_every_published_unp_is_valid_and_any_one_digit_change_is_caught(unp):
    assert unp_valid(unp)
    for i in range(8):                  # every weight: a changed digit changes the check (no weight is 0 mod 11)
        for delta in (1, 5):
            changed = unp[:i] + str((int(unp[i]) + delta) % 10) + unp[i + 1:]
            assert not unp_valid(changed) or changed[0] not in "1234567", (unp, changed)


@pytest.mark.parametrize("unp, why", [("991705588", "region"), ("M01953684", "both"), ("7A1953689", "both"),
                                      ("5917DDD82", "digits"), ("711953681", "no valid check digit")])
def test_the_corner_cases_of_python_stdnum_are_refused(unp, why):
    with pytest.raises(FiscalError) as e:
        unp_check(unp)
    assert why in e.value.detail


def test_an_individuals_unp_weighs_its_letters_by_their_place():
    # MA1953684: M is 22 in base 36, A is index 0 of ABCEHKMOPT; the check over 22,0,1,9,5,3,6,8 is 4
    assert unp_valid("MA1953684") and not unp_valid("MB1953684") and not unp_valid("AA1953684")
    assert unp_check(" ма 1953684 ") == "MA1953684"


def test_the_demo_register_and_the_simulated_sko_print_a_valid_unp():
    assert unp_valid("191234563") and not unp_valid("191234566")


def test_unp_whose_checksum_is_ten_is_invalid_for_every_last_digit():
    # 10000001x: 29·1 + 3·1 = 32 ≡ 10 (mod 11)
    assert not any(unp_valid(f"10000001{d}") for d in range(10))


def test_non_string_unp_is_invalid():
    assert not unp_valid(200988541)


@SOME
@given(st.text(max_size=12))
def test_unp_validation_never_crashes_on_any_text(s):
    assert unp_valid(s) in (True, False)


# --- EAN / UPC --------------------------------------------------------------------------

@pytest.mark.parametrize("code", ["4006381333931", "96385074", "036000291452", "4810000000018"])
def test_known_good_barcodes_are_valid(code):
    assert barcode_valid(code)


@pytest.mark.parametrize("code", ["4006381333932", "96385075", "036000291453", "400638133393", "abc", "",
                                  "４００６３８１３３３９３１", 4006381333931])
def test_bad_barcodes_are_invalid(code):
    assert not barcode_valid(code)


def test_check_digit_needs_7_11_or_12_digits():
    assert ean_check_digit("400638133393") == 1
    with pytest.raises(FiscalError) as e:
        ean_check_digit("12345")
    assert e.value.code == "BAD_BARCODE"


@SOME
@given(st.sampled_from([7, 11, 12]).flatmap(lambda n: st.text("0123456789", min_size=n, max_size=n)),
       st.integers(1, 9))
def test_any_single_digit_error_in_the_last_place_is_caught(digits, delta):
    good = with_check(digits)
    assert barcode_valid(good)
    bad = good[:-1] + str((int(good[-1]) + delta) % 10)
    assert not barcode_valid(bad)


# --- weight barcodes ---------------------------------------------------------------------

def test_default_layout_reads_item_code_and_grams():
    w = parse_weight_barcode(with_check("221234501235"))
    assert (w.prefix, w.item_code, w.value, w.kind, w.qty) == ("22", "12345", 1235, WeightValue.GRAMS, 1235)


def test_price_and_pieces_layouts():
    code = with_check("290000700150")
    assert parse_weight_barcode(code, WeightBarcodeLayout(value=WeightValue.KOPECKS)).qty is None
    assert parse_weight_barcode(code, WeightBarcodeLayout(value=WeightValue.PIECES)).qty == 150_000


def test_a_custom_layout_with_a_six_digit_code():
    layout = WeightBarcodeLayout(prefixes=("27",), code_length=6, value_length=4)
    w = parse_weight_barcode(with_check("271234560500"), layout)
    assert (w.item_code, w.value) == ("123456", 500)
    assert parse_weight_barcode(with_check("221234560500"), layout) is None


def test_whole_number_prefixes_from_configuration_are_accepted():
    assert WeightBarcodeLayout(prefixes=(20, 21)).prefixes == ("20", "21")


@pytest.mark.parametrize("kw", [dict(prefixes=()), dict(prefixes=("2", "20")), dict(code_length=6),
                                dict(prefixes=("2a",)), dict(value_length=0, code_length=10)])
def test_an_inconsistent_layout_is_refused(kw):
    with pytest.raises(ValueError):
        WeightBarcodeLayout(**kw)


def test_ordinary_barcodes_are_not_weight_barcodes():
    assert parse_weight_barcode("4006381333931") is None
    assert parse_weight_barcode("96385074") is None


def test_weight_barcode_with_a_wrong_check_digit_names_the_code():
    good = with_check("221234501235")
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    with pytest.raises(FiscalError) as e:
        parse_weight_barcode(bad)
    assert e.value.code == "BAD_BARCODE" and bad in e.value.detail and "check digit" in e.value.detail


def test_weight_barcode_with_zero_weight_is_refused():
    with pytest.raises(FiscalError) as e:
        parse_weight_barcode(with_check("221234500000"))
    assert "zero" in e.value.detail


# --- classify ---------------------------------------------------------------------------

@pytest.mark.parametrize("code, kind", [
    ("4006381333931", BarcodeKind.EAN13), ("96385074", BarcodeKind.EAN8), ("036000291452", BarcodeKind.UPCA),
    ("12345", BarcodeKind.OTHER), ("ABC-17", BarcodeKind.OTHER), ("0104810000000012215abc", BarcodeKind.MARKING),
])
def test_codes_are_classified(code, kind):
    assert classify(code).kind is kind


def test_weight_codes_classify_with_their_reading():
    kind, weight = classify(with_check("201234501000"))
    assert kind is BarcodeKind.WEIGHT and weight.value == 1000


@pytest.mark.parametrize("code", ["4006381333932", "96385075", ""])
def test_a_misread_gtin_or_empty_code_is_bad_barcode(code):
    with pytest.raises(FiscalError) as e:
        classify(code)
    assert e.value.code == "BAD_BARCODE"


@SOME
@given(st.text(max_size=20))
def test_classify_returns_a_kind_or_bad_barcode_for_any_text(s):
    try:
        assert classify(s).kind in set(BarcodeKind)
    except FiscalError as e:
        assert e.code == "BAD_BARCODE"


@pytest.mark.parametrize("unp, detail", [
    (200988541, "УНП 200988541 is invalid: it is not a string"),
    ("2009885", "УНП '2009885' is invalid: it has 7 characters, 9 are needed"),
    ("20098854Я", "УНП '20098854Я' is invalid: characters 3 to 9 must be digits"),
    ("2X0988541", "УНП '2X0988541' is invalid: the first two characters must both be digits or both be letters of "
                  "ABCEHKMOPT"),
    ("800988541", "УНП '800988541' is invalid: the first character '8' is not a region code (1234567ABCEHKM)"),
    ("200988542", "УНП '200988542' is invalid: the check digit is 2, expected 1"),
    ("10000001x", "УНП '10000001x' is invalid: characters 3 to 9 must be digits"),
    ("100000010", "УНП '100000010' is invalid: no valid check digit exists for its first 8 characters"),
    ("УНП:200988542", "УНП 'УНП:200988542' is invalid: the check digit is 2, expected 1"),
])
def test_an_invalid_unp_is_refused_with_exactly_why(unp, detail):
    with pytest.raises(FiscalError) as e:
        unp_check(unp)
    assert e.value.detail == detail


def test_a_unp_written_with_a_prefix_and_colon_is_read():
    assert unp_check("УНП: 200988541") == unp_check("UNP:200988541") == "200988541"


@pytest.mark.parametrize("kw, message", [
    ({"prefixes": ()}, 'prefixes must be digit strings such as "20"'),
    ({"prefixes": (2.0,)}, 'prefixes must be digit strings such as "20"'),
    ({"prefixes": ("20", "2")}, "prefixes must be non-empty digit strings of one length"),
    ({"prefixes": ("2x",)}, "prefixes must be non-empty digit strings of one length"),
    ({"code_length": 0, "value_length": 10}, "prefix + code + value must be 12 digits (the 13th is the check digit)"),
    ({"code_length": 10, "value_length": 0}, "prefix + code + value must be 12 digits (the 13th is the check digit)"),
    ({"code_length": 6}, "prefix + code + value must be 12 digits (the 13th is the check digit)"),
])
def test_an_inconsistent_layout_says_exactly_what_is_wrong(kw, message):
    with pytest.raises(ValueError) as e:
        WeightBarcodeLayout(**kw)
    assert str(e.value) == message


def test_a_layout_of_one_digit_code_and_value_is_allowed_when_it_adds_up():
    lay = WeightBarcodeLayout(prefixes=("2000000000",), code_length=1, value_length=1)
    assert lay.prefixes == ("2000000000",)
    code = with_check("200000000015")
    w = parse_weight_barcode(code, lay)
    assert (w.item_code, w.value) == ("1", 5)
    assert WeightBarcodeLayout(prefixes=(20, "21")).prefixes == ("20", "21")


def test_only_a_thirteen_digit_all_ascii_code_can_be_a_weight_barcode():
    good = with_check("200001201234")
    assert parse_weight_barcode(good) is not None
    for code in (good[:12], good + "0", "٢" + good[1:], good[:12] + "X", 2000012012346):
        assert parse_weight_barcode(code) is None


@pytest.mark.parametrize("code, detail", [
    ("", "'': the code is empty"), ("   ", "'   ': the code is empty"),
    ("4810000000011", "barcode 4810000000011: the check digit is 1, expected 8"),
    ("2000012012340", "weight barcode 2000012012340: the check digit is 0, expected 1"),
])
def test_a_bad_barcode_says_exactly_why(code, detail):
    with pytest.raises(FiscalError) as e:
        classify(code)
    assert e.value.code == "BAD_BARCODE" and e.value.detail == detail


def test_classify_reads_weight_barcodes_with_the_layout_it_is_given():
    lay = WeightBarcodeLayout(prefixes=("29",))
    code = with_check("290001201234")
    assert classify(code, lay).kind is BarcodeKind.WEIGHT
    assert classify(with_check("200001201234"), lay).kind is BarcodeKind.EAN13


def test_a_check_digit_refusal_names_what_it_was_given():
    with pytest.raises(FiscalError) as e:
        ean_check_digit("12345")
    assert e.value.detail == "'12345': a check digit needs 7, 11 or 12 digits"
    with pytest.raises(FiscalError):
        ean_check_digit("١٢٣٤٥٦٧")
