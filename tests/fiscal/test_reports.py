"""fiscal.reports: the X/Z counters of hand-made shifts, and their JSON form."""
from __future__ import annotations

import pytest
from fiscal_samples import annulment_of, cash_in, cash_out, refund, reg, sale, shift_close, shift_open

from fiscal.errors import FiscalError
from fiscal.receipt import ItemInput, Payment, PaymentType
from fiscal.reports import CountSum, VatTotal, aggregate, counters_from_dict, counters_to_dict

CASH, CARD = PaymentType.CASH, PaymentType.CARD
BREAD = [ItemInput("Хлеб", 150, 1000, "10")]
COFFEE = [ItemInput("Кофе", 1200, 1000, "20"), ItemInput("Доставка", 500, 1000, "none")]


def day() -> list[tuple]:
    """Open; cash in 50; sale 1.50 cash 2.00 (change 0.50); sale 17.00 card 10 + cash 10 (change 3);
    refund 1.50 cash; sale 1.50 cash, annulled; cash out 20; close."""
    s1 = sale("s1", items=BREAD, payments=[Payment(CASH, 200)])
    s2 = sale("s2", items=COFFEE, payments=[Payment(CARD, 1000), Payment(CASH, 1000)])
    r1 = refund("r1", items=BREAD, payments=[Payment(CASH, 150)])
    s3 = sale("s3", items=BREAD, payments=[Payment(CASH, 150)])
    docs = [shift_open(), cash_in(5000), s1, s2, r1, s3, annulment_of(s3, 106), cash_out(2000)]
    return [(d, reg(101 + i, f"2026-01-15T{9 + i:02d}:00:00+03:00")) for i, d in enumerate(docs)]


def test_a_hand_made_day_gives_the_hand_counted_figures():
    c = aggregate(day(), opening_cash=1000)
    assert c.shift == 5 and c.opened == "2026-01-15T09:00:00+03:00" and c.closed is None
    assert (c.first_number, c.last_number, c.documents, c.pending) == (101, 108, 8, 0)
    assert c.sales == CountSum(3, 150 + 1700 + 150)
    assert c.refunds == CountSum(1, 150)
    assert c.annulments == CountSum(1, 150)
    assert c.cash_in == CountSum(1, 5000) and c.cash_out == CountSum(1, 2000)
    assert dict(c.sales_by_payment)[CASH] == 150 + 700 + 150 and dict(c.sales_by_payment)[CARD] == 1000
    assert dict(c.refunds_by_payment)[CASH] == 150
    assert dict(c.annulled_by_payment) == {t: (150 if t is CASH else 0) for t in PaymentType}
    # 10.00 + 50.00 in + 1.50 + 7.00 − 1.50 + 1.50 − 1.50 (annulled) − 20.00 out
    assert c.cash_in_drawer == 1000 + 5000 + 150 + 700 - 150 + 150 - 150 - 2000
    assert c.revenue == 150 + 1700 - 150
    assert c.opening_cash == 1000


def test_vat_by_rate_is_net_of_the_annulled_sale():
    c = aggregate(day())
    assert c.sales_vat == (VatTotal("10", 150, 14), VatTotal("20", 1200, 200), VatTotal("none", 500, 0))
    assert c.refunds_vat == (VatTotal("10", 150, 14),)


def test_payment_sums_by_type_add_up_to_the_sales_sum():
    c = aggregate(day())
    assert sum(a for _, a in c.sales_by_payment) == c.sales.sum


def test_annulling_a_refund_puts_its_cash_back():
    r = refund("r", items=BREAD, payments=[Payment(CASH, 150)])
    c = aggregate([(shift_open(), reg(1)), (cash_in(1000), reg(2)), (r, reg(3)), (annulment_of(r, 3), reg(4))])
    assert c.cash_in_drawer == 1000 and c.revenue == 0
    assert c.refunds_vat == (VatTotal("10", 0, 0),)


def test_the_close_document_sets_the_closing_time():
    entries = day() + [(shift_close({}), reg(109, "2026-01-15T21:00:00+03:00"))]
    c = aggregate(entries)
    assert c.closed == "2026-01-15T21:00:00+03:00" and c.last_number == 109


def test_pending_documents_are_counted_apart_and_nowhere_else():
    c = aggregate([(shift_open(), reg(1)), (sale("p"), None)])
    assert c.pending == 1 and c.sales == CountSum(0, 0) and c.documents == 1


def test_documents_of_two_shifts_are_refused():
    with pytest.raises(FiscalError) as e:
        aggregate([(shift_open(5), reg(1)), (sale(shift=6), reg(2))])
    assert e.value.code == "REPORT_INCONSISTENT"


def test_an_annulment_of_an_unknown_document_is_refused():
    s = sale()
    with pytest.raises(FiscalError) as e:
        aggregate([(shift_open(), reg(1)), (annulment_of(s, 77), reg(2))])
    assert e.value.code == "REPORT_INCONSISTENT" and "77" in e.value.detail


def test_an_empty_shift_is_refused():
    with pytest.raises(FiscalError):
        aggregate([])


def test_counters_survive_their_json_form():
    c = aggregate(day() + [(shift_close({}), reg(109))], opening_cash=1000)
    d = counters_to_dict(c)
    assert d["sales"] == {"count": 3, "sum": "20.00"} and d["cash_in_drawer"] == "47.00"
    assert counters_from_dict(d) == c


@pytest.mark.parametrize("mutate", [
    lambda d: d.pop("sales"), lambda d: d.update(shift="5"), lambda d: d["sales"].update(sum=20),
    lambda d: d["sales_by_payment"].update(bitcoin="1.00"), lambda d: d.update(revenue="1"),
    lambda d: d.update(sales_vat=[{"rate": "20"}]), lambda d: d.update(opened=5),
])
def test_malformed_counters_are_bad_field(mutate):
    d = counters_to_dict(aggregate(day()))
    mutate(d)
    with pytest.raises(FiscalError) as e:
        counters_from_dict(d)
    assert e.value.code == "BAD_FIELD"


def test_counters_of_a_non_object_are_bad_field():
    with pytest.raises(FiscalError):
        counters_from_dict([])  # type: ignore[arg-type]


def test_five_thousand_receipts_aggregate_quickly():
    import time

    from benchmarks.bench_reports import build_shift
    entries = build_shift(5000)
    t0 = time.perf_counter()
    c = aggregate(entries)
    assert time.perf_counter() - t0 < 0.3
    assert c.sales.count == 5000


def busy_day() -> list[tuple]:
    """Several refunds (cash, card, mixed), two cash-ins, an annulled sale, an annulled refund, and a document left
    pending in the middle: each figure comes from more than one document, so keeping only the last would show."""
    s1 = sale("s1", items=BREAD, payments=[Payment(CASH, 500)])                                  # 1.50, change 3.50
    s2 = sale("s2", items=COFFEE, payments=[Payment(CARD, 1000), Payment(CASH, 1000)])           # 17.00, change 3.00
    s3 = sale("s3", items=COFFEE, payments=[Payment(CARD, 1700)])
    r1 = refund("r1", items=BREAD, payments=[Payment(CASH, 150)])
    r2 = refund("r2", items=[ItemInput("Кофе", 1200, 1000, "20")], payments=[Payment(CARD, 1200)])
    r3 = refund("r3", items=[ItemInput("Доставка", 500, 1000, "none")], payments=[Payment(CARD, 200), Payment(CASH, 300)])
    s4 = sale("s4", items=BREAD, payments=[Payment(CASH, 200)])                                  # annulled below
    r4 = refund("r4", items=BREAD, payments=[Payment(CASH, 150)])                                # annulled below
    docs = [(shift_open(), 1), (cash_in(3000, "ci1"), 2), (s1, 3), (s2, 4), (sale("p", items=BREAD), None),
            (r1, 5), (cash_in(2000, "ci2"), 6), (s3, 7), (r2, 8), (r3, 9), (s4, 10), (annulment_of(s4, 10, "a1"), 11),
            (cash_out(1000, "co1"), 12), (cash_out(500, "co2"), 13), (r4, 14), (annulment_of(r4, 14, "a2"), 15)]
    return [(d, reg(n, f"2026-01-15T{8 + n // 2:02d}:{(n % 2) * 30:02d}:00+03:00") if n else None) for d, n in docs]


def test_a_busy_day_counts_every_document_not_only_the_last_of_each_kind():
    c = aggregate(busy_day(), opening_cash=2500)
    assert c.sales == CountSum(4, 150 + 1700 + 1700 + 150) and c.refunds == CountSum(4, 150 + 1200 + 500 + 150)
    assert c.cash_in == CountSum(2, 5000) and c.cash_out == CountSum(2, 1500)
    assert c.annulments == CountSum(2, 300) and c.annulled_sales == CountSum(1, 150)
    assert c.annulled_refunds == CountSum(1, 150) and c.pending == 1 and c.documents == 15
    assert (c.sales_net, c.refunds_net) == (3550, 1850)
    assert dict(c.refunds_by_payment)[CASH] == 150 + 300 + 150 and dict(c.refunds_by_payment)[CARD] == 1200 + 200
    # 25.00 + 50.00 in − 15.00 out + 1.50 + 7.00 + 1.50 (annulled) − 1.50 (annulment) − 1.50 − 3.00 − 1.50 + 1.50
    assert c.cash_in_drawer == 2500 + 5000 - 1500 + 150 + 700 + 150 - 150 - 150 - 300 - 150 + 150
    assert c.revenue == c.sales_net - c.refunds_net
    assert sum(v.total for v in c.sales_vat) == c.sales_net and sum(v.total for v in c.refunds_vat) == c.refunds_net


GOLDEN_Z = """\
--------------------------------
    Z-ОТЧЕТ (ЗАКРЫТИЕ СМЕНЫ)
№ 16                   Смена № 5
Валюта: BYN  15.01.2026 12:34:56
Кассир: Іваноў Ў.І.
--------------------------------
Открыта:     15.01.2026 08:30:00
Закрыта:     15.01.2026 16:00:00
Документы №:              1 – 16
Документов в смене:           16
----------- ПРОДАЖИ ------------
Количество                     4
Сумма (с аннулированными)  37.00
  Наличными                10.00
  Банковской картой        27.00
Аннулировано (1)            1.50
Сумма за вычетом аннулир.  35.50
Оборот за вычетом аннулир.:
  Оборот по ставке 10%      1.50
  в т.ч. НДС 10%            0.14
  Оборот по ставке 20%     24.00
  в т.ч. НДС 20%            4.00
  Сумма без НДС            10.00
----------- ВОЗВРАТЫ -----------
Количество                     4
Сумма (с аннулированными)  20.00
  Наличными                 6.00
  Банковской картой        14.00
Аннулировано (1)            1.50
Сумма за вычетом аннулир.  18.50
Оборот за вычетом аннулир.:
  Оборот по ставке 10%      1.50
  в т.ч. НДС 10%            0.14
  Оборот по ставке 20%     12.00
  в т.ч. НДС 20%            2.00
  Сумма без НДС             5.00
-------- АННУЛИРОВАНИЯ ---------
Количество                     2
Сумма                       3.00
  Наличными                 3.00
----------- ВНЕСЕНИЯ -----------
Количество                     2
Сумма                      50.00
----------- ИЗЪЯТИЯ ------------
Количество                     2
Сумма                      15.00
--------------------------------
Выручка за смену           17.00
Наличных на начало смены   25.00
Наличных в кассе           64.00
Не зарегистрировано документов 1
--------------------------------
 """


def test_the_z_of_a_busy_day_prints_the_golden_text():
    from fiscal_samples import REQ, SAMPLE_REG

    from fiscal.documents import Registration
    from fiscal.layout import render
    entries = busy_day() + [(shift_close({}), reg(16, "2026-01-15T16:00:00+03:00"))]
    z = shift_close(counters_to_dict(aggregate(entries, opening_cash=2500)))
    r = Registration(number=16, uid=SAMPLE_REG.uid, time=SAMPLE_REG.time, sko_serial=SAMPLE_REG.sko_serial)
    text = render(z, r, REQ, 32).text()
    body = text[text.index("-" * 32):text.index("Проверьте")]
    assert body == GOLDEN_Z


def test_the_x_of_a_busy_day_prints_the_same_figures_and_no_uid():
    from fiscal_samples import REQ

    from fiscal.layout import render_x_report
    x = render_x_report(aggregate(busy_day(), opening_cash=2500), REQ, 32, "2026-01-15T12:34:56+03:00",
                        "Іваноў Ў.І.", "AVQ11169990670", sko_cash=6400)
    text = x.text()
    body = text[text.index("Открыта:"):]
    golden = GOLDEN_Z[GOLDEN_Z.index("Открыта:"):].rstrip(" ").replace("Закрыта:     15.01.2026 16:00:00\n", "")
    golden = golden.replace("Документы №:              1 – 16", "Документы №:              1 – 15")
    golden = golden.replace("Документов в смене:           16", "Документов в смене:           15")
    assert body == golden and x.qr is None and "X-ОТЧЕТ" in text and "AVQ11169990670" in text
    assert "Наличных по данным СКО" not in text
    differing = render_x_report(aggregate(busy_day(), opening_cash=2500), REQ, 32, "2026-01-15T12:34:56+03:00",
                                "К", sko_cash=6450).text()
    assert "Наличных по данным СКО     64.50" in differing


def test_a_z_made_before_annulments_were_counted_apart_still_prints():
    d = counters_to_dict(aggregate(busy_day()))
    del d["annulled_sales"], d["annulled_refunds"]
    c = counters_from_dict(d)
    assert c.annulled_sales is None and c.sales_net is None and c.refunds_net is None
    assert "annulled_sales" not in counters_to_dict(c)


def test_counts_add_up_over_several_pending_and_several_annulled_documents():
    a = sale("a", items=BREAD, payments=[Payment(CASH, 150)])
    b = sale("b", items=BREAD, payments=[Payment(CASH, 150)])
    entries = [(shift_open(), reg(1)), (sale("p1"), None), (a, reg(2)), (annulment_of(a, 2, "x1"), reg(3)),
               (sale("p2"), None), (b, reg(4)), (annulment_of(b, 4, "x2"), reg(5))]
    c = aggregate(entries)
    assert c.pending == 2 and c.annulled_sales == CountSum(2, 300) and c.annulments == CountSum(2, 300)
    assert c.annulled_refunds == CountSum(0, 0) and c.sales_net == 0 and c.cash_in_drawer == 0


def test_the_document_range_is_the_lowest_and_highest_number_whatever_the_order():
    entries = [(shift_open(), reg(7)), (cash_in(100), reg(5)), (cash_out(100), reg(9)), (cash_in(100, "c2"), reg(6))]
    c = aggregate(entries)
    assert (c.first_number, c.last_number) == (5, 9)


@pytest.mark.parametrize("entries, detail", [
    ([], "a report needs at least one document of the shift"),
    ([(shift_open(5), reg(1)), (sale(shift=6), reg(2))], "document s1 is of shift 6, not 5"),
    ([(shift_open(), reg(1)), (annulment_of(sale(), 77), reg(2))],
     "annulment 2 targets document 77, which is not a sale or refund of shift 5"),
])
def test_an_inconsistent_report_says_exactly_why(entries, detail):
    with pytest.raises(FiscalError) as e:
        aggregate(entries)
    assert e.value.code == "REPORT_INCONSISTENT" and e.value.detail == detail


@pytest.mark.parametrize("mutate, detail", [
    (lambda d: d.update(shift="5"), "counters.shift: '5' is not a whole number"),
    (lambda d: d.update(shift=True), "counters.shift: True is not a whole number"),
    (lambda d: d.update(opened=5), "counters.opened: 5 is not a string"),
    (lambda d: d.update(first_number="1"), "counters.first_number: '1' is not a whole number"),
    (lambda d: d["sales"].update(sum="1"), "counters.sales.sum: '1' is not a sum with 2 decimals such as \"1.20\""),
    (lambda d: d["cash_out"].update(count="1"), "counters.count: '1' is not a whole number"),
    (lambda d: d["sales_by_payment"].update(cash="x"), "counters.sales_by_payment.cash: 'x' is not a sum with 2 "
                                                       "decimals such as \"1.20\""),
    (lambda d: d["sales_vat"][0].update(total="1"), "counters.sales_vat.total: '1' is not a sum with 2 decimals "
                                                    "such as \"1.20\""),
    (lambda d: d["sales_vat"][0].update(vat="1"), "counters.sales_vat.vat: '1' is not a sum with 2 decimals such "
                                                  "as \"1.20\""),
    (lambda d: d.update(revenue="1"), "counters.revenue: '1' is not a sum with 2 decimals such as \"1.20\""),
    (lambda d: d["annulled_sales"].update(sum="1"), "counters.annulled_sales.sum: '1' is not a sum with 2 decimals "
                                                    "such as \"1.20\""),
    (lambda d: d.pop("sales"), "malformed counters: KeyError('sales')"),
])
def test_a_malformed_counter_is_named_exactly(mutate, detail):
    d = counters_to_dict(aggregate(day()))
    mutate(d)
    with pytest.raises(FiscalError) as e:
        counters_from_dict(d)
    assert e.value.code == "BAD_FIELD" and e.value.detail == detail


def test_the_optional_numbers_of_a_shift_without_registered_documents_may_be_null():
    d = counters_to_dict(aggregate([(sale("p"), None)]))
    assert d["first_number"] is None and d["last_number"] is None
    c = counters_from_dict(d)
    assert c.first_number is None and c.last_number is None and c.pending == 1
    with pytest.raises(FiscalError):
        counters_from_dict({**d, "shift": None})
    with pytest.raises(FiscalError) as e:
        counters_from_dict("x")  # type: ignore[arg-type]
    assert e.value.detail == "counters must be an object"
