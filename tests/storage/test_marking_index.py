"""The index of codes sold: written in the registration's transaction, undone by an annulment, rebuilt from documents."""
from fiscal.documents import Annulment, DocType, Refund, RefundKind, Sale, priced_fields
from fiscal.marking import GS
from fiscal.receipt import ItemInput, Marking, Payment, PaymentType, calculate
from storage.journal import Journal
from storage.marking_index import MarkingIndex, code_key, rebuild
from tests.storage.storage_helpers import FakeSko, shift_open

TAIL = "dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdHRlc3Q="


def si(serial: str) -> str:
    return f"010481123456789621{serial}{GS}91EE05{GS}92{TAIL}"


def priced(cls, op_id: str, codes: list[str], **kw):
    marks = tuple(Marking("si", c) for c in codes)
    calc = calculate([ItemInput(name="Молоко", price=249, qty=1000 * len(codes), vat="10", code="1", markings=marks)],
                     payments=[Payment(PaymentType.CASH, 249 * len(codes))])
    return cls(op_id=op_id, shift=1, cashier="Иванова", created="2026-01-15T10:00:00+03:00", **priced_fields(calc), **kw)


def register(journal: Journal, sko: FakeSko, doc) -> int:
    journal.add_pending(doc)
    return journal.mark_registered(doc.op_id, sko.register(doc)).number


def setup_journal(tmp_path):
    journal, sko = Journal(str(tmp_path / "journal.sqlite")), FakeSko()
    register(journal, sko, shift_open("o1"))
    return journal, sko, MarkingIndex(journal.raw())


def test_a_registered_sale_marks_its_codes_sold_under_its_number(tmp_path):
    journal, sko, index = setup_journal(tmp_path)
    n = register(journal, sko, priced(Sale, "s1", [si("AAAAAAAAAAAA1"), si("AAAAAAAAAAAA2")]))
    assert index.sold_in(code_key("si", si("AAAAAAAAAAAA1"))) == n
    assert index.sold_in("04811234567896AAAAAAAAAAAA2") == n
    assert index.sold_in("04811234567896AAAAAAAAAAAA3") is None


def test_a_pending_sale_marks_nothing(tmp_path):
    journal, sko, index = setup_journal(tmp_path)
    journal.add_pending(priced(Sale, "s1", [si("AAAAAAAAAAAA1")]))
    assert index.count() == 0


def test_a_refund_returns_the_code_and_its_annulment_sells_it_again(tmp_path):
    journal, sko, index = setup_journal(tmp_path)
    n = register(journal, sko, priced(Sale, "s1", [si("AAAAAAAAAAAA1")]))
    r = register(journal, sko, priced(Refund, "r1", [si("AAAAAAAAAAAA1")], kind=RefundKind.BY_RECEIPT, original_number=n))
    key = "04811234567896AAAAAAAAAAAA1"
    assert index.state(key).state == "returned" and index.sold_in(key) is None
    refund = journal.by_number(r).doc
    register(journal, sko, Annulment(op_id="a1", shift=1, cashier="Иванова", created="2026-01-15T10:01:00+03:00",
                                     target_number=r, target_uid="u", target_type=DocType.REFUND,
                                     total_due=refund.total_due, payments=refund.payments))
    assert index.sold_in(key) == n


def test_an_annulled_sale_frees_its_codes(tmp_path):
    journal, sko, index = setup_journal(tmp_path)
    sale = priced(Sale, "s1", [si("AAAAAAAAAAAA1")])
    n = register(journal, sko, sale)
    register(journal, sko, Annulment(op_id="a1", shift=1, cashier="Иванова", created="2026-01-15T10:01:00+03:00",
                                     target_number=n, target_uid="u", target_type=DocType.SALE,
                                     total_due=sale.total_due, payments=sale.payments))
    assert index.state("04811234567896AAAAAAAAAAAA1") is None


def test_the_index_rebuilt_from_the_documents_is_the_same(tmp_path):
    journal, sko, index = setup_journal(tmp_path)
    n = register(journal, sko, priced(Sale, "s1", [si("AAAAAAAAAAAA1"), si("AAAAAAAAAAAA2")]))
    register(journal, sko, priced(Refund, "r1", [si("AAAAAAAAAAAA2")], kind=RefundKind.BY_RECEIPT, original_number=n))
    before = list(index.rows())
    assert rebuild(journal.raw()) == 2
    assert list(index.rows()) == before


def test_a_code_that_no_longer_parses_is_keyed_by_its_text_and_never_breaks_a_registration(tmp_path):
    journal, sko, index = setup_journal(tmp_path)
    register(journal, sko, priced(Sale, "s1", ["not a code"]))
    assert index.sold_in("not a code") is not None
