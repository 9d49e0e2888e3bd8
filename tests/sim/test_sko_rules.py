"""sim.sko_rules: the emulator computes from the inputs a request carries the same cheque our arithmetic computed."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fiscal.documents import Sale, priced_fields
from fiscal.errors import FiscalError
from fiscal.receipt import Adjustment, ItemInput, Payment, PaymentType, calculate
from fiscal.sko_cheque import compare
from hal.sko import answers
from hal.sko.requests import build
from sim.sko_rules import Header, SkoRefusal, SkoType, cheque_answer, compute, items_of, report_answer, shift_figures

H = Header(kind="sale", number=5, uid="U" * 24, created="2026-01-15T09:00:00+03:00", cashier="И", shift=1,
           company="ООО", unp="191234566", serial="AVQ1")

adjustment = st.none() | st.builds(Adjustment, percent=st.integers(0, 3000)) | st.builds(Adjustment, amount=st.integers(0, 50))
item = st.builds(ItemInput, name=st.from_regex(r"\A[а-я][а-я ]{0,11}\Z"), price=st.integers(1, 100_000),
                 qty=st.integers(1, 20_000), vat=st.sampled_from(["20", "10", "0", "25", "none"]),
                 code=st.sampled_from([None, "1", "4810000000018", "A-7"]), section=st.none() | st.integers(0, 255),
                 discount=adjustment, markup=adjustment)


@settings(max_examples=150, deadline=None)
@given(st.lists(item, min_size=1, max_size=8), adjustment, adjustment, st.integers(0, 3), st.integers(0, 500))
def test_the_emulators_cheque_from_the_drivers_request_equals_our_arithmetic(items, disc, mark, split, extra):
    try:
        due = calculate(items, disc, mark).total_due
        pays = [Payment(PaymentType.CASH, due + extra)] if split == 0 else [
            Payment(PaymentType.CARD, due - due // (split + 1)), Payment(PaymentType.CASH, due // (split + 1) + extra)]
        pays = [p for p in pays if p.amount > 0]
        calc = calculate(items, disc, mark, pays)
    except FiscalError:
        return
    doc = Sale(op_id="s", shift=1, cashier="Иванова", created=H.created, **priced_fields(calc))
    _, data = build(doc)
    sko_items = items_of(data, SkoType())
    sums = [answers.parse_money(data[k], k) for k in ("cash", "cashless", "other")]
    sko = compute(sko_items, answers.parse_money(data["cheque_discount"], "d"),
                  answers.parse_money(data["cheque_markup"], "m"), *sums)
    cheque = answers.cheque(cheque_answer(H, sko, *sums), "createSale")
    assert compare(doc, cheque) == ()


def test_a_different_spread_of_the_cheque_discount_is_named_by_compare():
    items = [ItemInput("А", 100, 1000, "20"), ItemInput("Б", 200, 1000, "20")]
    calc = calculate(items, Adjustment(amount=10), None, [Payment(PaymentType.CASH, 290)])
    doc = Sale(op_id="s", shift=1, cashier="И", created=H.created, **priced_fields(calc))
    sko = compute(items_of(build(doc)[1], SkoType()), 11, 0, 290, 0, 0)      # an SKO that took one more kopeck
    diffs = {d.field for d in compare(doc, answers.cheque(cheque_answer(H, sko, 290, 0, 0), "createSale"))}
    assert {"total", "discount", "cheque_discount", "change"} <= diffs


def test_refusals_of_our_arithmetic_become_the_services_codes():
    with pytest.raises(SkoRefusal) as e:
        compute([ItemInput("А", 100, 1000, "20")], 100, 0, 100, 0, 0)
    assert e.value.code == 2032
    with pytest.raises(SkoRefusal) as e:
        compute([ItemInput("А", 100, 1000, "20")], 0, 0, 0, 200, 0)
    assert e.value.code == 2049
    with pytest.raises(SkoRefusal) as e:
        items_of({"item": {"name": "x", "price": "1.00", "quantity": "1.000", "codeType": 9}}, SkoType())
    assert e.value.code == 2011


def test_the_x_report_adds_up_the_shifts_documents():
    f = shift_figures([("sale", 2, 500, 300, 200, 0), ("sale", 3, 100, 100, 0, 0), ("moneyback", 4, 100, 100, 0, 0),
                       ("deposit", 5, 1000, 1000, 0, 0)])
    r = report_answer(f, company="ООО", unp="191234566", serial="AVQ1", shift=1, opened="t", closed=None)
    byn = r["currencyReports"][0]
    assert (r["firstSaleDocumentNumber"], r["lastSaleDocumentNumber"], r["saleDocumentsCount"]) == (2, 3, 2)
    assert (byn["salesCash"], byn["salesCashless"], byn["salesSum"], byn["moneyBacksSum"]) == ("4.00", "2.00", "6.00", "1.00")
    assert r["baseCurrencySum"] == "5.00" and "uid" not in r
