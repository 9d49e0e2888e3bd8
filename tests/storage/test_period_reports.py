"""Period reports agree with the journal's documents: goods, payment types, turnover and stock over chosen days."""
from __future__ import annotations

import os

import pytest
from storage_helpers import FakeSko, sale

from fiscal.documents import Refund, RefundKind
from fiscal.receipt import PaymentType
from storage import period_reports as pr
from storage.catalog import Catalog
from storage.catalog_items import Item
from storage.errors import StorageError
from storage.journal import Journal


def commit(j, sko, doc):
    j.add_pending(doc)
    j.mark_registered(doc.op_id, sko.register(doc))


@pytest.fixture
def data(tmp_path):
    d = str(tmp_path)
    sko = FakeSko()
    with Journal(os.path.join(d, "journal.sqlite")) as j:
        commit(j, sko, sale("s1", created="2024-03-01T10:00:00+03:00", code="1", name="Молоко", price=249, qty=2000))
        commit(j, sko, sale("s2", created="2024-03-02T23:59:59+03:00", code="2", name="Хлеб", price=120, qty=1000,
                            pay=PaymentType.CARD))
        commit(j, sko, sale("s3", created="2024-03-03T09:00:00+03:00", code="1", name="Молоко", price=249, qty=1000))
        s1 = j.by_number(1).doc
        commit(j, sko, Refund(op_id="r1", shift=1, cashier="Иванова", created="2024-03-02T12:00:00+03:00",
                              lines=s1.lines, total_cost=s1.total_cost, discount_total=s1.discount_total,
                              total_due=s1.total_due, vat=s1.vat, payments=s1.payments, change=0,
                              kind=RefundKind.BY_RECEIPT, original_number=1))
    Catalog(d).put_many([Item("1", None, "Молоко", 249, "10", 10_000), Item("2", None, "Хлеб", 120, "10")])
    return d


def expected_from_documents(j, start, end):
    """The goods figures recomputed straight from the documents' lines (the check on the SQL)."""
    out: dict = {}
    for e in j.documents_between(start, end):
        if e.doc.type.value not in ("sale", "refund"):
            continue
        for line in e.doc.lines:
            s = out.setdefault(line.code, [0, 0, 0, 0])
            k = 0 if e.doc.type.value == "sale" else 2
            s[k] += line.qty
            s[k + 1] += line.total
    return out


def test_goods_for_two_days_match_the_documents(data):
    p = pr.period("2024-03-01", "2024-03-02")
    with Journal(os.path.join(data, "journal.sqlite")) as j:
        rows = {r.code: r for r in pr.goods_report(j, p)}
        want = expected_from_documents(j, p.start_iso, p.end_iso)
    assert {c: [r.sold_qty, r.sold_sum, r.refunded_qty, r.refunded_sum] for c, r in rows.items()} == want
    assert rows["1"].net_sum == 0 and rows["2"].sold_sum == 120   # 23:59:59 on the last day is inside


def test_payments_by_type_in_the_period(data):
    with Journal(os.path.join(data, "journal.sqlite")) as j:
        rows = {r.type: r for r in pr.payments_report(j, pr.period("2024-03-01", "2024-03-02"))}
    assert (rows["cash"].sales, rows["cash"].refunds, rows["card"].sales) == (498, 498, 120)


def test_turnover_walks_stock_back_from_today(data):
    with Journal(os.path.join(data, "journal.sqlite")) as j:
        rows = {r.code: r for r in pr.turnover_report(j, Catalog(data), pr.period("2024-03-02", "2024-03-02"))}
    milk = rows["1"]
    # today 10.000; after the period 1.000 was sold (s3) → closing 11.000; in it 2.000 came back → opening 9.000
    assert (milk.opening, milk.sold, milk.refunded, milk.closing) == (9_000, 0, 2_000, 11_000)
    assert rows["2"].opening is None and rows["2"].sold == 1_000


def test_stock_lists_tracked_items_only(data):
    assert [(r.code, r.stock) for r in pr.stock_report(Catalog(data))] == [("1", 10_000)]


@pytest.mark.parametrize("start,end", [("2024-3-1", "2024-03-02"), ("2024-03-05", "2024-03-01"), ("вчера", "x")])
def test_bad_periods_are_refused(start, end):
    with pytest.raises(StorageError) as e:
        pr.period(start, end)
    assert e.value.code == "BAD_DATE"
