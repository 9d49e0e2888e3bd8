"""storage.journal_verify: SKO signatures are optional; the chain over the SKO's uid and number is always checked."""
from storage_helpers import FakeSko, sale, shift_open

from fiscal.documents import Registration
from storage.journal import Journal


def unsigned(number: int, uid: str) -> Registration:
    """What the iKassa SKO gives: a number, a uid (none for a shift open) and a time; no signature."""
    return Registration(number=number, uid=uid, time="2024-03-01T10:00:01+03:00", sko_serial="AVQ11169990670")


def test_a_journal_without_sko_signatures_verifies_even_with_a_pinned_key(tmp_path):
    with Journal(str(tmp_path / "j.sqlite")) as j:
        for n, doc in enumerate([shift_open("o1"), sale("s1"), sale("s2")], start=1):
            j.add_pending(doc)
            j.mark_registered(doc.op_id, unsigned(n, "" if n == 1 else f"{n:024X}"))
        assert j.verify().ok and j.verify(FakeSko().public_pem).count == 3


def test_an_unsigned_documents_uid_is_still_covered_by_the_chain(tmp_path):
    with Journal(str(tmp_path / "j.sqlite")) as j:
        for n in (1, 2):
            doc = sale(f"s{n}")
            j.add_pending(doc)
            j.mark_registered(doc.op_id, unsigned(n, f"{n:024X}"))
        j.raw().execute("UPDATE documents SET uid = ? WHERE number = 2", ("F" * 24,))
        result = j.verify()
    assert not result.ok and result.broken_number == 2 and "chain" in result.reason


def test_signed_documents_after_unsigned_ones_are_checked_with_the_key(tmp_path):
    sko = FakeSko(start=2)
    with Journal(str(tmp_path / "j.sqlite")) as j:
        first = shift_open("o1")
        j.add_pending(first)
        j.mark_registered(first.op_id, unsigned(1, ""))
        doc = sale("s1")
        j.add_pending(doc)
        j.mark_registered(doc.op_id, sko.register(doc))
        assert j.verify(sko.public_pem).ok
        assert not j.verify(FakeSko().public_pem).ok
