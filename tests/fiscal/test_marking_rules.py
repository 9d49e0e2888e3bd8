"""The goods-group table: periods by date, category defaults, an item's own marking winning."""
from datetime import date

import pytest

from fiscal.errors import FiscalError
from fiscal.marking_rules import NOT_MARKED, Effective, parse_rules

SHIPPED = {"groups": [
    {"id": "dairy", "periods": [{"from": "2025-07-01", "marking": "si", "policy": "required"}]},
    {"id": "juices", "periods": [{"from": "2026-05-01", "marking": "si", "policy": "required"},
                                 {"from": "2025-07-01", "marking": "ukz", "policy": "optional"}]},
]}


def test_a_group_takes_the_period_in_force_that_day():
    rules = parse_rules(SHIPPED, {"categories": {"Соки": "juices"}})
    assert rules.for_category("Соки", date(2026, 4, 30)) == Effective("ukz", "optional")
    assert rules.for_category("Соки", date(2026, 5, 1)) == Effective("si", "required")
    assert rules.for_category("Соки", date(2025, 6, 30)) == NOT_MARKED


def test_an_unmapped_category_is_not_marked():
    assert parse_rules(SHIPPED).for_category("Хлеб", date(2026, 1, 1)) == NOT_MARKED


def test_an_items_own_marking_wins_over_its_category():
    rules = parse_rules(SHIPPED, {"categories": {"Молочные": "dairy"}})
    day = date(2026, 1, 1)
    assert rules.effective("ukz", "optional", "Молочные", day) == Effective("ukz", "optional")
    assert rules.effective("none", "required", "Молочные", day).required


def test_a_category_may_carry_a_rule_of_its_own():
    rules = parse_rules(SHIPPED, {"categories": {"Обувь": {"marking": "si", "policy": "optional"}}})
    assert rules.for_category("Обувь", date(2026, 1, 1)) == Effective("si", "optional")


def test_the_override_replaces_a_shipped_group_by_its_id():
    rules = parse_rules(SHIPPED, {"groups": [{"id": "dairy", "periods": [{"from": "2025-07-01", "marking": "si",
                                                                          "policy": "off"}]}],
                                  "categories": {"Молочные": "dairy"}})
    assert not rules.for_category("Молочные", date(2026, 1, 1)).marked


@pytest.mark.parametrize("override", [
    {"categories": {"Соки": "no_such_group"}},
    {"groups": [{"id": "x", "periods": [{"from": "1 May", "marking": "si"}]}]},
    {"groups": [{"id": "x", "periods": [{"from": "2026-05-01", "marking": "qr"}]}]},
    {"categories": {"Соки": {"marking": "si", "policy": "always"}}},
    {"receipt_mark": "a very long mark"},
])
def test_a_bad_override_is_refused_naming_the_field(override):
    with pytest.raises(FiscalError) as e:
        parse_rules(SHIPPED, override)
    assert e.value.code == "BAD_FIELD" and "marking rules" in e.value.detail


def test_the_receipt_mark_defaults_and_may_be_switched_off():
    assert parse_rules(SHIPPED).receipt_mark == "[М]"
    assert parse_rules(SHIPPED, {"receipt_mark": ""}).receipt_mark == ""
