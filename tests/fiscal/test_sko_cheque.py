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
