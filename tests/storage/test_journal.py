"""The fiscal journal: idempotent pending, gap-free registration, forward-only status, queries, intents, draft."""
from __future__ import annotations

import sqlite3

import pytest
from storage_helpers import FakeSko, cash_in, sale, shift_open

from fiscal.documents import DocType, Registration
from fiscal.receipt import PaymentType
from storage.errors import StorageError
from storage.journal import Journal
from storage.journal_schema import IntentStatus, Status


@pytest.fixture
def journal(tmp_path):
    j = Journal(str(tmp_path / "journal.sqlite"))
    yield j
    j.close()


def commit(j: Journal, sko: FakeSko, doc) -> None:
    j.add_pending(doc)
    j.mark_registered(doc.op_id, sko.register(doc))


def test_journal_runs_in_wal_mode_with_full_sync(journal):
    assert journal.raw().execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert journal.raw().execute("PRAGMA synchronous").fetchone()[0] == 2


def test_writing_the_same_operation_twice_is_one_document(journal):
    doc = sale("op-1")
    journal.add_pending(doc)
    entry = journal.add_pending(doc)
    assert entry.status is Status.PENDING and entry.doc == doc
    assert len(journal.pending()) == 1


def test_same_op_id_with_other_content_is_a_conflict(journal):
    journal.add_pending(sale("op-1"))
    with pytest.raises(StorageError) as e:
        journal.add_pending(sale("op-1", price=999))
    assert e.value.code == "OP_ID_CONFLICT"


def test_registration_stores_the_sko_answer_and_chains_hashes(journal):
    sko = FakeSko()
    commit(journal, sko, shift_open("o1"))
    commit(journal, sko, sale("s1"))
    first, second = journal.by_number(1), journal.by_number(2)
    assert second.prev_hash == first.hash and len(second.hash) == 64
    assert second.registration.uid and second.status is Status.REGISTERED
    assert journal.last_number() == 2 and journal.count() == 2
    assert journal.verify(sko.public_pem).ok


def test_a_number_that_is_not_the_next_one_is_refused(journal):
    sko = FakeSko(start=2)
    journal.add_pending(sale("s1"))
    with pytest.raises(StorageError) as e:
        journal.mark_registered("s1", sko.register(sale("s1")))
    assert e.value.code == "NUMBER_GAP"
    assert journal.get("s1").status is Status.PENDING


def test_registering_again_with_the_same_answer_is_idempotent_but_another_answer_is_refused(journal):
    sko = FakeSko()
    doc = sale("s1")
    journal.add_pending(doc)
    reg = sko.register(doc)
    journal.mark_registered("s1", reg)
    assert journal.mark_registered("s1", reg).number == 1
    other = Registration(number=1, uid="f" * 24, time=reg.time, signature=reg.signature)
    with pytest.raises(StorageError) as e:
        journal.mark_registered("s1", other)
    assert e.value.code == "ALREADY_REGISTERED"


def test_status_only_moves_forward(journal):
    sko = FakeSko()
    doc = sale("s1")
    journal.add_pending(doc)
    with pytest.raises(StorageError) as e:
        journal.mark_printed("s1")
    assert e.value.code == "BAD_STATUS"
    journal.mark_registered("s1", sko.register(doc))
    assert journal.mark_print_failed("s1", "paper out").fail_reason == "paper out"
    assert [x.op_id for x in journal.not_printed()] == ["s1"]
    assert journal.mark_printed("s1", "2024-03-01T10:05:00+03:00").status is Status.PRINTED
    assert journal.not_printed() == []
    with pytest.raises(StorageError):
        journal.mark_print_failed("s1", "again")


def test_unknown_operation_is_reported(journal):
    with pytest.raises(StorageError) as e:
        journal.mark_registered("nope", FakeSko().register(sale("nope")))
    assert e.value.code == "UNKNOWN_OP"


def test_shift_queries_and_last_document(journal):
    sko = FakeSko()
    commit(journal, sko, shift_open("o1", shift=1))
    commit(journal, sko, sale("s1", shift=1))
    commit(journal, sko, cash_in("c1", 1000, shift=1))
    commit(journal, sko, shift_open("o2", shift=2, created="2024-03-02T08:00:00+03:00"))
    assert [e.number for e in journal.shift_documents(1)] == [1, 2, 3]
    assert journal.last_document(types=[DocType.SALE]).op_id == "s1"
    assert journal.last_document(shift=1).op_id == "c1"
    assert journal.last_document().op_id == "o2"
    assert journal.last_document(types=["refund"]) is None
    summary = journal.shifts()
    assert [(s.shift, s.first_number, s.last_number, s.documents) for s in summary] == [(1, 1, 3, 3), (2, 4, 4, 1)]
    assert summary[0].opened == "2024-03-01T08:00:00+03:00" and summary[0].closed is None


def test_period_queries_by_item_and_payment(journal):
    sko = FakeSko()
    commit(journal, sko, sale("s1", price=250, qty=2000, paid=1000))      # cash 10.00, change 5.00
    commit(journal, sko, sale("s2", price=100, qty=1000, pay=PaymentType.CARD))
    commit(journal, sko, sale("s3", created="2024-03-05T10:00:00+03:00"))  # outside the period
    start, end = "2024-03-01T00:00:00+03:00", "2024-03-02T00:00:00+03:00"
    assert [e.op_id for e in journal.documents_between(start, end)] == ["s1", "s2"]
    items = journal.sales_by_item(start, end)
    assert [(i.code, i.sold_qty, i.sold_sum) for i in items] == [("1001", 3000, 600)]
    pays = journal.totals_by_payment(start, end)
    assert pays[PaymentType.CASH].sales == 500 and pays[PaymentType.CARD].sales == 100


def test_report_queries_use_indexes_not_table_scans(journal):
    db = journal.raw()
    for sql, args in [("SELECT * FROM documents WHERE shift=? AND number IS NOT NULL ORDER BY number", (1,)),
                      ("SELECT * FROM documents WHERE created >= ? AND created < ?", ("a", "b")),
                      ("SELECT * FROM documents WHERE status != 'printed' AND status = 'pending'", ()),
                      ("SELECT * FROM doc_lines WHERE created >= ? AND created < ?", ("a", "b"))]:
        plan = " ".join(str(r[-1]) for r in db.execute("EXPLAIN QUERY PLAN " + sql, args))
        assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan


def test_intents_stay_open_until_their_document_settles_them(journal):
    log = journal.intents
    log.add("t1", "card_sale", {"op_id": "s1", "amount": 1000})
    log.add("t1", "card_sale", {"op_id": "s1", "amount": 1000})          # the same intent twice is one
    log.add("t2", "oplati_sale", {"op_id": "s2", "amount": 500})
    log.set("t1", IntentStatus.APPROVED, {"rrn": "123"})
    log.set("t2", "declined", {"code": "05"})
    assert [(i.intent_id, i.status, i.result) for i in log.open()] == [("t1", IntentStatus.APPROVED, {"rrn": "123"})]
    assert [i.intent_id for i in log.for_document("s1")] == ["t1"]
    with pytest.raises(StorageError):
        log.add("t1", "card_sale", {"op_id": "s1", "amount": 1})


def test_old_intent_states_are_read_as_the_machine_names_them(journal):
    journal.intents.add("t1", "card_sale", {"amount": 1})
    journal.raw().execute("UPDATE intents SET status='started'")
    assert journal.intents.get("t1").status is IntentStatus.SENT


def test_the_draft_is_saved_and_cleared(journal):
    assert journal.load_draft() is None
    journal.save_draft({"items": [{"code": "1001", "qty": "1.000"}]})
    assert journal.load_draft() == {"items": [{"code": "1001", "qty": "1.000"}]}
    journal.save_draft(None)
    assert journal.load_draft() is None


def test_meta_values_persist_across_reopening(tmp_path):
    path = str(tmp_path / "j.sqlite")
    with Journal(path) as j:
        j.set_meta("sko_public_key", "PEM")
    with Journal(path) as j:
        assert j.get_meta("sko_public_key") == "PEM" and j.get_meta("absent") is None


def test_an_edited_document_breaks_verification_at_that_number(journal):
    sko = FakeSko()
    for i in range(4):
        commit(journal, sko, sale(f"s{i}"))
    journal.raw().execute("UPDATE documents SET body=replace(body, 'Молоко', 'Кефир') WHERE number=3")
    result = journal.verify()
    assert not result.ok and result.broken_number == 3 and result.count == 2


def test_a_forged_signature_is_found_with_the_sko_key(journal):
    sko = FakeSko()
    for i in range(3):
        commit(journal, sko, sale(f"s{i}"))
    assert journal.verify().ok
    result = journal.verify(FakeSko().public_pem)
    assert not result.ok and result.broken_number == 1 and "signature" in result.reason


def test_a_deleted_document_is_reported_as_a_gap(journal):
    sko = FakeSko()
    for i in range(3):
        commit(journal, sko, sale(f"s{i}"))
    journal.raw().execute("DELETE FROM documents WHERE number=2")
    result = journal.verify()
    assert not result.ok and result.broken_number == 2 and "missing" in result.reason


def test_export_lines_carry_the_contract_fields(journal):
    sko = FakeSko()
    commit(journal, sko, sale("s1"))
    journal.add_pending(cash_in("c1", 500))
    rows = list(journal.export_lines())
    assert [r["status"] for r in rows] == ["registered", "pending"]
    need = {"number", "shift", "type", "uid", "op_id", "status", "created", "cashier", "total_due", "payments",
            "change", "lines", "amount", "hash", "prev_hash"}
    assert need <= set(rows[0]) and rows[0]["total_due"] == "4.98" and rows[1]["amount"] == "5.00"


def test_a_corrupt_journal_file_is_reported_and_left_untouched(tmp_path):
    path = tmp_path / "journal.sqlite"
    with Journal(str(path)) as j:
        sko = FakeSko()
        for i in range(50):
            commit(j, sko, sale(f"s{i}"))
        j.raw().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(StorageError) as e:
        Journal(str(path))
    assert e.value.code == "JOURNAL_CORRUPT" and "archive" in e.value.detail
    assert path.stat().st_size == len(data) // 2


def test_garbage_and_empty_journal_files_are_refused(tmp_path):
    path = tmp_path / "journal.sqlite"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StorageError) as e:
        Journal(str(path))
    assert e.value.code == "JOURNAL_CORRUPT"
    path.write_bytes(b"")
    with pytest.raises(StorageError) as e:
        Journal(str(path))
    assert "empty" in e.value.detail and path.read_bytes() == b""


def test_a_foreign_sqlite_file_is_not_taken_for_a_journal(tmp_path):
    path = tmp_path / "journal.sqlite"
    sqlite3.connect(path).executescript("CREATE TABLE x(a); INSERT INTO x VALUES (1);")
    with pytest.raises(StorageError) as e:
        Journal(str(path))
    assert "not a zPOS fiscal journal" in e.value.detail


def test_an_annulled_sale_leaves_the_period_totals_but_a_refund_of_it_does_not_hide_it(journal):
    from fiscal.documents import Annulment, Refund, RefundKind
    sko = FakeSko()
    commit(journal, sko, sale("s1"))
    commit(journal, sko, sale("s2", price=100, qty=1000))
    s1 = journal.by_number(1).doc
    commit(journal, sko, Refund(op_id="r1", shift=1, cashier="Иванова", created="2024-03-01T11:00:00+03:00",
                                lines=s1.lines, total_cost=s1.total_cost, discount_total=s1.discount_total,
                                total_due=s1.total_due, vat=s1.vat, payments=s1.payments, change=0,
                                kind=RefundKind.BY_RECEIPT, original_number=1))
    s2 = journal.by_number(2).doc
    commit(journal, sko, Annulment(op_id="a1", shift=1, cashier="Иванова", created="2024-03-01T11:30:00+03:00",
                                   target_number=2, target_uid="x", target_type=DocType.SALE,
                                   total_due=s2.total_due, payments=s2.payments))
    pays = journal.totals_by_payment("2024-03-01", "2024-03-02")
    assert (pays[PaymentType.CASH].sales, pays[PaymentType.CASH].refunds) == (498, 498)
    items = journal.sales_by_item("2024-03-01", "2024-03-02")
    assert [(i.sold_sum, i.refunded_sum) for i in items] == [(498, 498)]
