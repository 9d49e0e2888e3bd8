"""fiscal.sko_cheque: the SKO's computed figures compared with our arithmetic, figure by figure."""
from fiscal_samples import cash_in, sample_sale

from fiscal.sko_cheque import SkoCheque, SkoLine, compare, paid_by_kind


def as_sko(doc, **change) -> SkoCheque:
    lines = tuple(SkoLine(ln.name, ln.code or "", ln.qty, ln.price, ln.raw, ln.discount - ln.markup, ln.line)
                  for ln in doc.lines)
    kinds = paid_by_kind(doc)
    base = dict(lines=lines, subtotal=doc.total_cost, discount=doc.discount_total, total=doc.total_due,
                change=doc.change, **kinds)
    return SkoCheque(**{**base, **change})


def test_the_same_figures_are_no_difference():
    doc = sample_sale()
    assert compare(doc, as_sko(doc)) == ()
    assert compare(doc, None) == ()


def test_every_differing_figure_is_named_with_both_values():
    doc = sample_sale()
    diffs = compare(doc, as_sko(doc, total=doc.total_due + 1, change=doc.change - 1))
    assert {(d.field, d.ours, d.sko) for d in diffs} == {("total", doc.total_due, doc.total_due + 1),
                                                         ("change", doc.change, doc.change - 1)}
    assert "ours" in str(diffs[0]) and "SKO" in str(diffs[0])


def test_a_line_the_sko_computed_otherwise_is_named_by_its_index():
    doc = sample_sale()
    sko = as_sko(doc)
    first = sko.lines[0]
    moved = SkoCheque(**{**sko.__dict__, "lines": (SkoLine(first.name, first.code, first.qty, first.price,
                                                           first.total_price, first.discount + 1, first.result - 1),
                                                   *sko.lines[1:])})
    assert {d.field for d in compare(doc, moved)} == {"lines[0].discount", "lines[0].result"}


def test_figures_the_sko_did_not_return_are_not_compared():
    assert compare(sample_sale(), SkoCheque()) == ()
    assert compare(cash_in(10_000), SkoCheque(total=10_000)) == ()
    assert compare(cash_in(10_000), SkoCheque(total=9_999))[0].field == "total"


def test_tenders_count_on_the_skos_three_kinds():
    doc = sample_sale()
    kinds = paid_by_kind(doc)
    assert set(kinds) == {"cash", "cashless", "other"} and sum(kinds.values()) == sum(p.amount for p in doc.payments)


def test_each_line_figure_the_sko_computed_otherwise_is_named_with_both_values():
    from fiscal.sko_cheque import Difference
    doc = sample_sale()
    sko = as_sko(doc)
    ln = sko.lines[1]
    wrong = SkoLine(ln.name, ln.code, ln.qty + 1, ln.price + 2, ln.total_price + 3, ln.discount, ln.result)
    cheque = SkoCheque(**{**sko.__dict__, "lines": (sko.lines[0], wrong, *sko.lines[2:])})
    mine = doc.lines[1]
    assert set(compare(doc, cheque)) == {Difference("lines[1].total_price", mine.raw, mine.raw + 3),
                                         Difference("lines[1].qty", mine.qty, mine.qty + 1),
                                         Difference("lines[1].price", mine.price, mine.price + 2)}
    assert str(Difference("total", 1, 2)) == "total: ours 1, SKO 2"


def test_a_different_number_of_lines_is_one_difference():
    from fiscal.sko_cheque import Difference
    doc = sample_sale()
    sko = as_sko(doc)
    short = SkoCheque(**{**sko.__dict__, "lines": sko.lines[:2]})
    assert Difference("lines", len(doc.lines), 2) in compare(doc, short)


def test_the_discount_figures_net_markups_and_cheque_shares():
    from fiscal.sko_cheque import Difference
    doc = sample_sale()         # line discounts 0.50 + 0.50, a markup 0.20; a 5 % receipt discount
    positions = sum(ln.discount - ln.markup for ln in doc.lines)
    cheque = sum(ln.receipt_discount - ln.receipt_markup for ln in doc.lines)
    assert (positions, cheque) == (80, 200)
    got = compare(doc, SkoCheque(positions_discount=80, cheque_discount=200, subtotal=doc.total_cost,
                                 discount=doc.discount_total))
    assert got == ()
    got = compare(doc, SkoCheque(positions_discount=120, cheque_discount=180, subtotal=1, discount=2))
    assert set(got) == {Difference("positions_discount", 80, 120), Difference("cheque_discount", 200, 180),
                        Difference("subtotal", doc.total_cost, 1), Difference("discount", doc.discount_total, 2)}


def test_the_three_kinds_are_summed_per_payment_and_counted_before_change():
    from fiscal_samples import sale

    from fiscal.receipt import ItemInput, Payment, PaymentType
    doc = sale(items=[ItemInput("Торт", 5000, 1000, "20")],
               payments=[Payment(PaymentType.CARD, 1000), Payment(PaymentType.OPLATI, 500),
                         Payment(PaymentType.CERTIFICATE, 700), Payment(PaymentType.ADVANCE_OTHER, 300),
                         Payment(PaymentType.CASHLESS_OTHER, 200), Payment(PaymentType.CASH, 3000)])
    assert paid_by_kind(doc) == {"cash": 3000, "cashless": 1700, "other": 1000}
    assert paid_by_kind(cash_in(100)) == {"cash": 0, "cashless": 0, "other": 0}


def test_an_annulment_and_a_cash_document_compare_their_total():
    from fiscal_samples import annulment_of, cash_out

    from fiscal.sko_cheque import Difference
    a = annulment_of(sample_sale(), 7)
    assert compare(a, SkoCheque(total=a.total_due)) == ()
    assert compare(a, SkoCheque(total=1)) == (Difference("total", a.total_due, 1),)
    assert compare(cash_out(500), SkoCheque(total=400)) == (Difference("total", 500, 400),)
    assert compare(cash_out(500), SkoCheque(cash=1, change=1)) == ()


def test_the_printed_receipt_carries_the_skos_figures_where_they_differ():
    from dataclasses import replace

    from fiscal_samples import REQ, reg

    from fiscal.layout import plain_text, render
    from fiscal.money import format_money
    from fiscal.sko_cheque import as_computed
    doc = sample_sale()
    sko = as_sko(doc)
    first = sko.lines[0]
    cheque = replace(sko, lines=(replace(first, discount=first.discount + 1, result=first.result - 1), *sko.lines[1:]),
                     total=doc.total_due - 1, change=doc.change + 1, discount=doc.discount_total + 1)
    printed = as_computed(doc, cheque)
    assert (printed.total_due, printed.change, printed.lines[0].line) == (doc.total_due - 1, doc.change + 1,
                                                                         doc.lines[0].line - 1)
    assert printed.lines[1:] == doc.lines[1:] and printed.payments == doc.payments
    lines = plain_text(render(doc, replace(reg(3), cheque=cheque), REQ, 42)).splitlines()
    total_line = next(ln for ln in lines if ln.startswith("И Т О Г О"))
    assert total_line.replace(" ", "").endswith(format_money(doc.total_due - 1))
    assert any(ln.startswith("Сдача") and ln.endswith(format_money(doc.change + 1)) for ln in lines)
    assert as_computed(doc, as_sko(doc)) is doc and as_computed(doc, None) is doc
