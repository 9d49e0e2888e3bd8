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


@pytest.mark.parametrize("shipped, override, detail", [
    ([], None, "marking rules: shipped: must be a JSON object"),
    (SHIPPED, [1], "marking rules: override: must be a JSON object"),
    ({"groups": [5]}, None, "marking rules: shipped.groups[0]: a group is a mapping with an id"),
    ({"groups": [{"id": " "}]}, None, "marking rules: shipped.groups[0]: a group is a mapping with an id"),
    ({"groups": [{"name": "x"}]}, None, "marking rules: shipped.groups[0]: a group is a mapping with an id"),
    (SHIPPED, {"groups": [{"id": "x", "periods": [{"marking": "si"}]}]},
     "marking rules: override.groups[0].periods[0]: 'from' must be a date such as 2026-05-01"),
    (SHIPPED, {"groups": [{"id": "x", "periods": [{"from": "2026-05-01", "marking": "qr"}]}]},
     "marking rules: override.groups[0].periods[0]: marking 'qr' is not one of none, si, ukz"),
    (SHIPPED, {"categories": {"Соки": {"marking": "si", "policy": "always"}}},
     "marking rules: categories.Соки: policy 'always' is not one of required, optional, off"),
    (SHIPPED, {"categories": {"Соки": 5}}, "marking rules: categories.Соки: 5 is not a mapping with marking and policy"),
    (SHIPPED, {"categories": {"Соки": "nope"}}, "marking rules: categories.Соки: there is no goods group 'nope'"),
    (SHIPPED, {"receipt_mark": "123456789"}, "marking rules: receipt_mark: must be up to 8 characters on one line"),
    (SHIPPED, {"receipt_mark": "a\nb"}, "marking rules: receipt_mark: must be up to 8 characters on one line"),
    (SHIPPED, {"receipt_mark": 5}, "marking rules: receipt_mark: must be up to 8 characters on one line"),
])
def test_a_bad_table_or_override_is_refused_with_exactly_where_and_why(shipped, override, detail):
    with pytest.raises(FiscalError) as e:
        parse_rules(shipped, override)
    where = detail.split(": ")[1]
    assert e.value.detail == detail and e.value.params == {"field": where}


def test_a_receipt_mark_of_eight_characters_is_kept():
    assert parse_rules(SHIPPED, {"receipt_mark": "12345678"}).receipt_mark == "12345678"


def test_a_rule_without_a_policy_is_required_when_marked_and_off_when_not():
    rules = parse_rules(SHIPPED, {"categories": {"A": {"marking": "si"}, "B": {}, "C": {"marking": "ukz",
                                                                                      "marking_policy": "optional"}}})
    day = date(2026, 1, 1)
    assert rules.for_category("A", day) == Effective("si", "required")
    assert rules.for_category("B", day) == Effective("none", "off")
    assert rules.for_category("C", day) == Effective("ukz", "optional")


def test_an_items_own_marking_with_an_unknown_policy_is_required():
    rules = parse_rules(SHIPPED)
    day = date(2026, 1, 1)
    assert rules.effective("si", "whatever", "", day) == Effective("si", "required")
    assert rules.effective("ukz", "off", "", day) == Effective("ukz", "off")
    assert rules.effective("SI", "required", "", day) == NOT_MARKED


def test_a_category_naming_a_group_that_vanished_is_not_marked():
    from fiscal.marking_rules import MarkingRules
    assert MarkingRules({}, {"X": "gone"}).for_category("X", date(2026, 1, 1)) == NOT_MARKED


def test_a_group_is_named_by_its_name_or_its_id_and_its_periods_sorted():
    rules = parse_rules({"groups": [{"id": "g", "name": "Соки", "periods": SHIPPED["groups"][1]["periods"]},
                                    {"id": "h"}]})
    g, h = rules.groups["g"], rules.groups["h"]
    assert g.name == "Соки" and h.name == "h" and h.periods == ()
    assert [p.start for p in g.periods] == [date(2025, 7, 1), date(2026, 5, 1)]
    assert h.at(date(2030, 1, 1)) == NOT_MARKED


def test_the_override_adds_groups_beside_the_shipped_ones():
    rules = parse_rules(SHIPPED, {"groups": [{"id": "new", "periods": [{"from": "2024-01-01", "marking": "ukz",
                                                                        "policy": "required"}]}],
                                  "categories": {"N": "new", "D": "dairy"}})
    assert set(rules.groups) == {"dairy", "juices", "new"}
    assert rules.for_category("N", date(2024, 1, 1)).required and rules.for_category("D", date(2026, 1, 1)).required
    assert Effective("si", "optional").marked and not Effective("si", "optional").required
    assert not Effective("none", "required").marked
