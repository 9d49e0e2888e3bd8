"""Period reports through the service: display rows and totals, the printed layout, CSV to a folder or the outbox."""
from datetime import date, timedelta

import pytest

from fsm.errors import OperationError
from storage.outbox import Outbox


@pytest.fixture
def two_days(register_as):
    """Day 1 sells items 1 and 2 in cash, day 2 sells item 1; the administrator asks."""
    reg, hub = register_as("ivanova", "2580")
    for codes in (("1", "2"), ("1",)):
        reg.shifts.open_shift()
        for c in codes:
            reg.sale.add_item(c)
        reg.checkout.pay({"cash": "100.00"})
        reg.shifts.close_shift()
        reg.clock.advance(timedelta(days=1))
    reg.clock.advance(timedelta(days=-1))
    reg.session.logout()
    reg.session.login("admin", "7395")
    day2 = reg.now()[:10]
    return reg, (date.fromisoformat(day2) - timedelta(days=1)).isoformat(), day2


def test_goods_over_two_days_add_up_and_one_day_shows_only_its_sales(two_days):
    reg, d1, d2 = two_days
    p1, p2 = reg.goods.item("1").price, reg.goods.item("2").price
    both = reg.exchange.reports.table("goods", d1, d2)
    assert [r.value for r in both.rows] == [f"{2 * p1 / 100:.2f}", f"{p2 / 100:.2f}"]
    assert both.total == f"Итого: {(2 * p1 + p2) / 100:.2f}"
    first = reg.exchange.reports.table("goods", d1, d1)
    assert first.total == f"Итого: {(p1 + p2) / 100:.2f}"


def test_a_reversed_period_is_a_bad_date_and_an_unknown_kind_a_bad_field(two_days):
    reg, d1, d2 = two_days
    with pytest.raises(OperationError) as e:
        reg.exchange.reports.table("goods", d2, d1)
    assert e.value.code == "BAD_DATE"
    with pytest.raises(OperationError) as e:
        reg.exchange.reports.table("z", d1, d2)
    assert e.value.code == "BAD_FIELD"


def test_the_printed_report_names_the_period_and_fits_the_paper(two_days):
    reg, d1, d2 = two_days
    table = reg.exchange.reports.table("payments", d1, d2)
    doc = reg.exchange.reports.document(table)
    texts = [ln.text for ln in doc.lines]
    assert f"с {d1[8:]}.{d1[5:7]}.{d1[:4]} по {d2[8:]}.{d2[5:7]}.{d2[:4]}" in texts
    assert all(len(t) <= doc.width for t in texts)
    reg.exchange.reports.print_table(table)


def test_export_writes_csv_locally_and_queues_a_remote_target_in_the_outbox(two_days, tmp_path):
    reg, d1, d2 = two_days
    table = reg.exchange.reports.table("turnover", d1, d2)
    name, queued = reg.exchange.reports.export(table, str(tmp_path))
    assert not queued and (tmp_path / name).read_text(encoding="utf-8").startswith("code,name,opening,sold")
    name, queued = reg.exchange.reports.export(table, "ftp://kassa:pw@192.0.2.1/reports")
    assert queued
    pending = Outbox(str(reg.stores.data_dir)).pending()
    assert [i.remote_name for i in pending] == [f"reports/{name}"]
