"""`zpos calc` as a user runs it: a subprocess on files and stdin; run_calc fuzzed with any JSON."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fiscal.calc_json import run_calc

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = {
    "items": [
        {"name": "Молоко 3,2% 1 л", "price": "2.49", "qty": "2.000", "vat": "10", "discount": {"percent": "10"}},
        {"name": "Яблоки", "price": "3.99", "qty": "1.235", "vat": "10", "discount": {"amount": "0.50"}},
        {"name": "Услуга", "price": "15.00", "qty": "1.000", "vat": "none", "section": 2},
    ],
    "discount": {"percent": "5"},
    "payments": [{"type": "card", "amount": "10.00"}, {"type": "cash", "amount": "20.00"}],
}


def zpos_calc(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zpos.cli", "calc", *args], input=stdin, capture_output=True,
                          cwd=ROOT, timeout=30)


def test_the_example_from_a_file_prints_the_result_and_exits_0(tmp_path):
    f = tmp_path / "receipt.json"
    f.write_text(json.dumps(EXAMPLE, ensure_ascii=False), encoding="utf-8")
    p = zpos_calc(str(f))
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert (out["total_due"], out["change"], out["vat"]) == ("22.71", "7.29", {"10": "0.77", "none": "0.00"})
    assert out["items"][0]["total"] == "4.25" and p.stderr == b""


BAD = [
    (b"", "BAD_JSON"),
    (b"not json", "BAD_JSON"),
    (b"\xd0\x9f\xff", "BAD_JSON"),
    (b"42", "BAD_FIELD"),
    (b"[" * 100_000, "BAD_JSON"),
    (b'{"items": []}', "EMPTY_RECEIPT"),
    (b'{"items": [{"name": "X", "price": "1.00", "qty": "1.000"}]}', "BAD_FIELD"),
    (b'{"items": [{"name": "X", "price": "1.00", "qty": "0.000", "vat": "20"}]}', "QTY_RANGE"),
    (b'{"items": [{"name": "X", "price": "0.00", "qty": "1.000", "vat": "20"}]}', "PRICE_RANGE"),
    (b'{"items": [{"name": "X", "price": "1.00", "qty": "1.000", "vat": "7"}]}', "BAD_VAT"),
    (b'{"items": [{"name": "X", "price": "1.00", "qty": "1.000", "vat": "20", "discount": {"amount": "1.00"}}]}',
     "DISCOUNT_TOO_LARGE"),
    (b'{"items": [{"name": "X", "price": "1.00", "qty": "1.000", "vat": "20"}], '
     b'"payments": [{"type": "cash", "amount": "0.99"}]}', "NOT_ENOUGH_MONEY"),
    (b'{"items": [{"name": "X", "price": "1.00", "qty": "1.000", "vat": "20"}], '
     b'"payments": [{"type": "gold", "amount": "1.00"}]}', "BAD_PAYMENT_TYPE"),
    (b'{"items": [{"name": "X", "price": "99999999999.99", "qty": "2.000", "vat": "20"}]}', "SUM_RANGE"),
]


@pytest.mark.parametrize("stdin, code", BAD, ids=[c + str(i) for i, (_, c) in enumerate(BAD)])
def test_bad_input_on_stdin_exits_2_with_a_json_error_and_no_traceback(stdin, code):
    p = zpos_calc("-", stdin=stdin)
    assert p.returncode == 2
    assert json.loads(p.stdout)["error"]["code"] == code
    assert b"Traceback" not in p.stderr


def test_a_missing_file_is_a_json_error_naming_it(tmp_path):
    missing = tmp_path / "nope.json"
    p = zpos_calc(str(missing))
    err = json.loads(p.stdout)["error"]
    assert p.returncode == 2 and err["code"] == "BAD_JSON" and str(missing) in err["message"]
    assert b"Traceback" not in p.stderr


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20)
item_like = st.fixed_dictionaries(
    {"name": st.one_of(st.text(max_size=5), json_values), "price": st.one_of(st.sampled_from(["1.00", "0.01", "1"]),
                                                                              json_values),
     "qty": st.one_of(st.sampled_from(["1.000", "0.001", "1"]), json_values),
     "vat": st.one_of(st.sampled_from(["20", "none", "x"]), json_values)},
    optional={"discount": json_values, "markup": json_values, "section": json_values, "code": json_values})
receipt_like = st.fixed_dictionaries(
    {"items": st.one_of(st.lists(item_like, max_size=3), json_values)},
    optional={"discount": json_values, "markup": json_values,
              "payments": st.one_of(st.lists(st.fixed_dictionaries(
                  {"type": st.one_of(st.sampled_from(["cash", "card"]), json_values),
                   "amount": st.one_of(st.sampled_from(["1.00", "5.00"]), json_values)}), max_size=3), json_values)})


def check(code: int, out: dict) -> None:
    if code == 0:
        assert "total_due" in out and "error" not in out
    else:
        assert code == 2 and set(out) == {"error"} and set(out["error"]) == {"code", "message", "item"}
    json.dumps(out)


@settings(max_examples=300, deadline=None)
@given(st.one_of(json_values, receipt_like))
def test_any_json_value_is_a_result_or_an_error_object(value):
    check(*run_calc(json.dumps(value)))


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=40), st.binary(max_size=40),
                 st.integers(1, 200_000).map(lambda n: "[" * n), st.integers(1, 200_000).map(lambda n: '{"a":' * n)))
def test_any_text_is_a_result_or_an_error_object(text):
    check(*run_calc(text))
