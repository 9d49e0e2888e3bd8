"""The shipped goods-group table and the administrator's override file in the data dir."""
from datetime import date

import pytest

from storage.errors import StorageError
from storage.marking_settings import OVERRIDE, load_override, load_rules, save_override, shipped_table


def test_the_shipped_table_moves_juices_to_si_on_1_may_2026():
    rules = load_rules("/nonexistent")
    juices = rules.groups["juices_soft_drinks"]
    assert juices.at(date(2026, 4, 30)).marking == "ukz" and not juices.at(date(2026, 4, 30)).required
    assert juices.at(date(2026, 5, 1)).required
    assert {"dairy", "footwear", "tyres", "light_industry"} <= set(shipped_table()["groups"][i]["id"] for i in range(4))


def test_an_override_is_saved_and_read_back(tmp_path):
    save_override(str(tmp_path), {"categories": {"Молочные": "dairy"}, "receipt_mark": "*"})
    assert load_override(str(tmp_path))["categories"] == {"Молочные": "dairy"}
    rules = load_rules(str(tmp_path))
    assert rules.receipt_mark == "*" and rules.for_category("Молочные", date(2026, 1, 1)).required


def test_a_bad_override_is_refused_and_nothing_is_written(tmp_path):
    with pytest.raises(StorageError) as e:
        save_override(str(tmp_path), {"categories": {"Молочные": "milk"}})
    assert e.value.code == "BAD_SETTING"
    assert not (tmp_path / OVERRIDE).exists()


def test_a_damaged_override_file_is_named(tmp_path):
    (tmp_path / "store").mkdir()
    (tmp_path / OVERRIDE).write_text("{not json", encoding="utf-8")
    with pytest.raises(StorageError) as e:
        load_rules(str(tmp_path))
    assert e.value.code == "STORE_CORRUPT" and "marking.json" in e.value.detail
