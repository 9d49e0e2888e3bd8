"""The runner itself: it must catch what a scenario gets wrong, and never pass by accident."""
import subprocess
import sys
import textwrap

import pytest

from qa.scenario import Runner, ScenarioFileError, load
from qa.scenario_checks import same_value

SETUP = {
    "users": [{"login": "ivanova", "password": "2580", "role": "cashier", "cashier_id": "101"}],
    "catalog": [{"code": "1", "barcode": "4810000000018", "name": "Хлеб", "price": "1.20", "vat": "10"}],
    "admin_password": "7395",
}
LOGIN = [{"unlock": "1111"}, {"sko_pin": "123456"}, {"login": {"user": "ivanova", "password": "2580"}}]


def run(steps, tmp_path):
    return Runner({"name": "t", "setup": SETUP, "steps": LOGIN + steps}, tmp_path / "d").run()


def test_a_wrong_expectation_fails_at_its_step(tmp_path):
    r = run(["open_shift", {"scan": "4810000000018"}, {"pay": {"cash": "2.00"}},
             {"expect": {"last_document": {"change": "0.81"}}}], tmp_path)
    assert not r.passed and r.step == 7 and "0.81" in r.why


def test_an_unexpected_rejection_fails_with_its_code(tmp_path):
    r = run([{"scan": "4810000000018"}], tmp_path)
    assert not r.passed and r.step == 4 and "SHIFT_CLOSED" in r.why


def test_expect_error_fails_when_the_step_is_accepted(tmp_path):
    r = run(["open_shift", {"expect_error": {"code": "SHIFT_CLOSED", "do": "x_report"}}], tmp_path)
    assert not r.passed and "accepted" in r.why


def test_expect_error_fails_on_another_code(tmp_path):
    r = run([{"expect_error": {"code": "SHIFT_OPEN", "do": {"cash_in": "1.00"}}}], tmp_path)
    assert not r.passed and "got SHIFT_CLOSED" in r.why


def test_an_unknown_step_is_named(tmp_path):
    r = run(["dance"], tmp_path)
    assert not r.passed and "unknown step 'dance'" in r.why


def test_printed_contains_reads_the_virtual_printer(tmp_path):
    r = run(["open_shift", {"scan": "4810000000018"}, {"pay": {"cash": "1.20"}},
             {"expect": {"printed_contains": ["Кассир: ivanova (101)"]}}], tmp_path)
    assert r.passed, r.line()
    r = run(["open_shift", {"scan": "4810000000018"}, {"pay": {"cash": "1.20"}},
             {"expect": {"printed_contains": ["ЧЕК ВОЗВРАТА"]}}], tmp_path / "2")
    assert not r.passed


def test_sums_compare_by_value_text_exactly():
    assert same_value("1.2", "1.20") and same_value("3", "3.000") and same_value(2, "2")
    assert not same_value("1.21", "1.20") and not same_value("Хлеб", "хлеб")


def test_a_broken_file_is_one_clear_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nsteps: [unlock: [\n", encoding="utf-8")
    with pytest.raises(ScenarioFileError, match="bad.yaml"):
        load(bad)
    bad.write_text("name: x\nsteps: []\nextra: 1\n", encoding="utf-8")
    with pytest.raises(ScenarioFileError, match="unknown key 'extra'"):
        load(bad)


def test_the_command_prints_one_line_per_scenario_and_a_summary(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(textwrap.dedent("""\
        name: good
        setup: {admin_password: "7395"}
        steps:
          - unlock: "1111"
          - expect: {state: sko_pin}
        """), encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nsteps:\n  - expect: {state: menu}\n", encoding="utf-8")
    p = subprocess.run([sys.executable, "-m", "zpos.cli", "scenario", str(good), str(bad)],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 1
    lines = p.stdout.strip().splitlines()
    assert lines[0] == "PASS good"
    assert lines[1].startswith("FAIL bad: step 1: state: expected 'menu', found 'locked'")
    assert lines[-1] == "1 passed, 1 failed"
    assert "Traceback" not in p.stderr
