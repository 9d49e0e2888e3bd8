"""The goods exchange service: permission-checked preview → apply / discard, places, export, refusals as codes."""
from pathlib import Path

import pytest

from fsm.errors import OperationError
from storage.targets import ExchangeSettings


@pytest.fixture
def admin(register_as):
    return register_as("admin", "7395")


def _csv(reg, text: str) -> str:
    d = Path(reg.stores.data_dir) / "export"
    d.mkdir(parents=True, exist_ok=True)
    (d / "goods.csv").write_text(text, encoding="utf-8")
    return str(d)


def test_a_preview_changes_nothing_and_apply_changes_the_catalog_with_progress(admin):
    reg, _ = admin
    place = _csv(reg, "code;name;price;vat\n900;Новый;5.00;20\n1;Хлеб;1.99;10\n")
    seen: list = []
    p = reg.exchange.preview(reg.exchange.source_of(place, "goods.csv"), "csv", remove_missing=False,
                             progress=lambda text, f: seen.append((text, f)))
    assert (p.new, p.changed, p.removed, p.total) == (1, 1, 0, 2)
    assert {s.kind for s in p.samples} == {"new", "changed"}
    assert reg.goods.item("900") is None and reg.exchange.pending == p
    done = reg.exchange.apply(progress=lambda text, f: seen.append((text, f)))
    assert (done.new, done.changed) == (1, 1)
    assert reg.goods.item("900").price == 500 and reg.exchange.pending is None
    assert seen and all(isinstance(text, str) and text for text, _ in seen)


def test_apply_without_a_preview_and_discard_are_refused_or_harmless(admin):
    reg, _ = admin
    with pytest.raises(OperationError) as e:
        reg.exchange.apply()
    assert e.value.code == "IMPORT_FAILED"
    reg.exchange.discard()


def test_a_cashier_may_not_import_or_export(register_as):
    reg, _ = register_as("ivanova", "2580")
    for call in (lambda: reg.exchange.preview("x.csv", "csv"), lambda: reg.exchange.export("/tmp", "csv", "2026")):
        with pytest.raises(OperationError) as e:
            call()
        assert e.value.code == "NOT_ALLOWED"


def test_an_unknown_format_and_a_missing_file_are_coded_refusals(admin):
    reg, _ = admin
    with pytest.raises(OperationError) as e:
        reg.exchange.preview("goods.csv", "xls")
    assert e.value.code == "BAD_SOURCE"
    with pytest.raises(OperationError) as e:
        reg.exchange.preview("/nowhere/goods.csv", "csv")
    assert e.value.code == "BAD_SOURCE" and "нет такого файла" in e.value.message


def test_places_list_the_till_folder_then_configured_remote_targets_with_secrets_masked(admin):
    reg, _ = admin
    ExchangeSettings(str(reg.stores.data_dir)).put("ftp", {"target": "ftp://kassa:secret@192.0.2.1/goods"})
    places = reg.exchange.places()
    assert places[0].kind == "local" and places[0].spec.endswith("export")
    remote = [p for p in places if p.kind == "remote"]
    assert [p.spec for p in remote] == ["ftp://kassa:secret@192.0.2.1/goods"]
    assert "secret" not in remote[0].label


def test_files_offer_csv_names_and_a_commerceml_folder_as_one_choice(admin):
    reg, _ = admin
    place = _csv(reg, "code;name;price\n")
    (Path(place) / "import.xml").write_text("<x/>", encoding="utf-8")
    (Path(place) / "offers.xml").write_text("<x/>", encoding="utf-8")
    assert reg.exchange.files(place, "csv") == ["goods.csv"]
    assert reg.exchange.files(place, "commerceml") == ["."]
    assert reg.exchange.source_of(place, ".") == place
    assert reg.exchange.source_of("ftp://h/goods", ".") == "ftp://h/goods/"


def test_export_writes_a_new_named_file_and_refuses_a_format_it_cannot_write(admin, tmp_path):
    reg, _ = admin
    name, n = reg.exchange.export(str(tmp_path / "out"), "csv", "2026-03-12T10:15:00")
    assert name == "goods-20260312-1015.csv" and n == len(reg.goods.items())
    assert (tmp_path / "out" / name).read_text(encoding="utf-8").count("\n") >= n
    with pytest.raises(OperationError) as e:
        reg.exchange.export(str(tmp_path), "bitrix24", "2026-03-12T10:15:00")
    assert e.value.code == "BAD_SOURCE"
    assert not reg.exchange.office_ready("bitrix24") and reg.exchange.office_ready("csv")
