"""Goods CSV as shops have it: encodings, separators, Russian headers in any order, one clear refusal per bad file."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.catalog_csv import format_csv, neutralize
from storage.catalog_items import Item
from storage.errors import StorageError
from storage.goods_csv import CsvSource, Why, detect_delimiter
from texts.errors import error_text


def rows(tmp_path, text, encoding="utf-8", name="g.csv"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    src = CsvSource(str(p))
    return src, list(src.rows())


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251"])
@pytest.mark.parametrize("sep", [";", ","])
def test_russian_headers_in_any_order_in_every_encoding_and_separator(tmp_path, encoding, sep):
    text = sep.join(["Наименование", "Цена", "Штрихкод", "Код", "НДС", "Ед. изм.", "Остаток", "Группа"]) + "\r\n"
    text += sep.join(["Молоко 3,2%" if sep == ";" else '"Молоко 3,2%"', "2,49" if sep == ";" else "2.49",
                      "4810000000017", "M-32", "10%", "шт.", "40", "Молочные"]) + "\r\n"
    text += sep.join(["Сыр «Ёжик»", "15", "", "S-1", "без НДС", "кг", "1,5" if sep == ";" else "1.5", ""]) + "\r\n"
    src, got = rows(tmp_path, text, encoding)
    assert got[0] == (2, {"code": "M-32", "name": "Молоко 3,2%", "price": 249, "barcode": "4810000000017",
                          "vat": "10", "unit": "шт", "weighed": False, "stock": 40_000, "category": "Молочные"})
    assert got[1][1]["vat"] == "none" and got[1][1]["weighed"] is True and got[1][1]["stock"] == 1_500
    assert got[1][1]["barcode"] is None and got[1][1]["price"] == 1500
    assert src.fields == {"code", "name", "price", "barcode", "vat", "unit", "weighed", "stock", "category"}


def test_unknown_columns_are_ignored_and_named(tmp_path):
    src, got = rows(tmp_path, "code;name;price;Поставщик\n1;Хлеб;1.20;ОАО\n")
    assert got == [(2, {"code": "1", "name": "Хлеб", "price": 120})] and src.ignored_columns == ("Поставщик",)


@pytest.mark.parametrize("text,row,field,why", [
    ("name;price\nХлеб;1\n", 1, "code", Why.MISSING_COLUMN),
    ("Код;Наименование;Цена\n1;Хлеб;1.2.3\n", 2, "Цена", Why.NOT_SUM),
    ("Код;Наименование;Цена;НДС\n1;Хлеб;1.20;10\n2;Батон;1.30;18\n", 3, "НДС", Why.NOT_VAT),
    ("code;name;price;barcode\n1;Хлеб;1.20;4.81E+12\n", 2, "barcode", Why.BAD_BARCODE),
    ("code;name;price\n1;Хлеб;1.20;лишнее\n", 2, "-", Why.COLUMNS),
    ("code;name;price;weighed\n1;Хлеб;1.20;может\n", 2, "weighed", Why.NOT_YES_NO),
    ("code;name;price;marking\n1;Хлеб;1.20;qr\n", 2, "marking", Why.NOT_MARKING),
    ("code;name;price;stock\n1;Хлеб;1.20;много\n", 2, "stock", Why.NOT_QTY),
    ("code;name;price\n;Хлеб;1.20\n", 2, "code", Why.BAD_TEXT),
])
def test_the_first_bad_row_and_field_are_named(tmp_path, text, row, field, why):
    with pytest.raises(StorageError) as e:
        rows(tmp_path, text)
    assert e.value.code == "BAD_CSV" and e.value.params == {"row": row, "field": field, "why": why}
    shown = error_text(e.value.code, "ru", **e.value.params)
    assert f"строка {row}" in shown and "{" not in shown and "CSV_" not in shown


def test_detect_delimiter_prefers_what_the_header_uses():
    assert detect_delimiter("Код;Наименование;Цена, руб") == ";"
    assert detect_delimiter("code,name,price") == ","
    assert detect_delimiter("code\tname\tprice") == "\t"


def test_formula_like_cells_are_neutralised_on_export_and_restored_on_import(tmp_path):
    evil = Item("=1+1", None, "@SUM(A1)", 100, "20", -2000, False, "+cmd|' /C calc'!A0", None, "-шт")
    text = format_csv([evil])
    line = text.splitlines()[1]
    assert line.startswith("'=1+1,") and ",'@SUM(A1)," in line and ",-2.000," in line
    assert neutralize("Хлеб") == "Хлеб"
    _, got = rows(tmp_path, text)
    v = got[0][1]
    assert (v["code"], v["name"], v["category"], v["unit"], v["stock"]) == ("=1+1", "@SUM(A1)", evil.category, "-шт", -2000)


cells = st.text(alphabet=st.sampled_from(list("0123456789,.;\"-абвАБВёЁ xy=+@'")), max_size=12)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.lists(st.lists(cells, min_size=1, max_size=6), max_size=6), sep=st.sampled_from([";", ","]))
def test_any_rows_are_parsed_or_refused_with_a_row_and_field(tmp_path_factory, body, sep):
    p = tmp_path_factory.mktemp("csv") / "g.csv"
    p.write_text(sep.join(["code", "name", "price", "stock", "vat", "barcode"]) + "\n" +
                 "\n".join(sep.join(r) for r in body) + "\n", encoding="utf-8")
    try:
        got = list(CsvSource(str(p)).rows())
    except StorageError as e:
        assert e.code == "BAD_CSV" and isinstance(e.params["row"], int) and e.params["field"]
    else:
        for _, v in got:
            assert isinstance(v["price"], int) and v["code"] and v["name"]
