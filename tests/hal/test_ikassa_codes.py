"""hal.protocols.ikassa_codes: every published code maps to a declared code and has a cashier text in ru, be, en."""
import re

import pytest

import fiscal.errors  # noqa: F401  (declares FiscalCode)
from hal.errors import SkoError
from hal.protocols.ikassa import Action
from hal.protocols.ikassa_codes import CODES, OUTCOME_UNKNOWN, REAUTHORIZE, product, variants
from texts import LANGUAGES, catalogue
from texts.errors import error_text, resolve

# The issue's list: device codes and the service codes that must land on the register's own codes.
NAMED = {2013: "SHIFT_CLOSED", 2039: "NOT_ENOUGH_CASH", 2026: "NOTHING_TO_ANNUL", 1001: "EMPTY_Z_REPORT",
         1005: "SKO_CASHIER_NAME", 2019: "NOT_AUTHORIZED", 2033: "BAD_BARCODE", 2036: "TOO_MANY_ITEMS",
         2044: "UNFINISHED_SALE", 2048: "SKO_NAME_TOO_LONG", 12: "SKO_TIME_SYNC", 20: "SKO_TIME_SYNC",
         31: "SKO_TIME_SYNC", 40: "SKO_IN_USE", 49: "SKO_IN_USE", 43: "SKO_UNSENT_LIMIT", 46: "NOT_ENOUGH_CASH",
         32: "WRONG_PIN", 50: "SHIFT_OPEN", 51: "SHIFT_CLOSED", 56: "BAD_NUMBER", 11: "SKO_HARDWARE",
         101: "SKO_HARDWARE", 112: "SKO_HARDWARE", 2023: "SKO_UNKNOWN", 2031: "SKO_UNKNOWN"}


def test_the_table_holds_every_code_the_issue_names():
    issue = {6, 9, 11, 12, 20, 13, 18, 19, 21, *range(25, 29), *range(33, 42), 47, 49} | set(range(2000, 2052)) & set(CODES)
    assert issue <= set(CODES)
    assert {1001, 1004, 1005, 1105, 1106} <= set(CODES) and len(CODES) == 106


@pytest.mark.parametrize("code, name", sorted(NAMED.items()))
def test_a_published_code_carries_the_registers_own_code(code, name):
    assert product(code)[0] == name


def test_context_gives_the_precise_code_for_one_action():
    assert product(32, Action.CHANGE_PIN)[0] == "WRONG_PUK"
    assert product(1004, Action.CLOSE_SHIFT) == ("DRAWER_NOT_EMPTY", "SKO.1004.closeShift")
    assert product(22, Action.CREATE_ROLLBACK)[0] == "NOTHING_TO_ANNUL"
    assert product(10, Action.AUTHORIZE)[0] == "SKO_LOCKED"
    assert product(9999) == ("SKO_ERROR", "")


def test_reauthorisation_and_unknown_outcomes_are_the_published_ones():
    assert REAUTHORIZE == {41, 48, 2019} and OUTCOME_UNKNOWN == {2023, 2031}


def test_every_product_code_is_declared_in_a_layer_enum():
    for code in CODES:
        name, _ = product(code)
        assert resolve(name)          # raises for an undeclared code
        assert SkoError(name, "x", code).code == name


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_published_code_has_its_own_text_in_every_language(lang):
    missing = sorted(v for v in variants() if not catalogue(lang).get(f"error.{v}", "").strip())
    assert not missing, f"{lang}: no text for {missing}"


def test_english_sko_texts_are_not_russian_and_texts_have_no_raw_placeholders():
    for v in variants():
        en = catalogue("en")[f"error.{v}"]
        assert not re.search("[а-яёА-ЯЁ]", re.sub("«[^»]*»", "", en)), v
        assert "{" not in error_text(v, "ru")


def test_a_refusal_shows_the_codes_own_text():
    e = SkoError(*product(2039)[:1], "detail", 2039, variant=product(2039)[1])
    assert e.code == "NOT_ENOUGH_CASH" and "наличных" in e.text("ru") and "cash" in e.text("en")
