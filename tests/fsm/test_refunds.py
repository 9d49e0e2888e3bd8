"""fsm.refunds: money goes back per tender no more than that tender paid, the way it came; the manual's three refunds."""
import pytest

from fiscal.documents import RefundKind
from fiscal.receipt import PaymentType
from fsm.errors import OperationError
from fsm.refunds import kind_name, split_like


def sold(reg, codes, pay, terminal=None):
    for c in codes:
        reg.sale.add_item(c)
    out = reg.checkout.pay(pay, terminal=terminal)
    return out.registration.number


def refused(fn, *a, **kw):
    with pytest.raises(OperationError) as e:
        fn(*a, **kw)
    return e.value


@pytest.fixture
def shift(register_as):
    reg, hub = register_as("ivanova", "2580")
    reg.shifts.open_shift()
    reg.shifts.cash_in("50.00")
    return reg, hub


def test_a_card_refund_above_what_the_card_paid_is_refused_before_the_terminal_is_asked(shift):
    reg, hub = shift
    n = sold(reg, ["9", "5"], {"card": "6.75", "cash": "5.00"})      # 5.59 + 4.99 = 10.58: card 6.75, cash 3.83
    card_before = hub.card_net()
    before = reg.stores.journal.last_number()
    e = refused(reg.refunds.refund, n, None, {"card": None})          # the whole 10.58 to the card
    assert e.code == "REFUND_OVER_PAYMENT" and e.params["max"] == "6.75"
    assert hub.card_net() == card_before and reg.stores.journal.last_number() == before


def test_cash_can_give_back_only_what_stayed_in_the_drawer_after_the_change(shift):
    reg, _ = shift
    n = sold(reg, ["13"], {"cash": "1.00"})                          # 0.25 paid with 1.00: 0.75 change
    e = refused(reg.refunds.refund, n, None, {"cash": "0.26"})
    assert e.code in ("REFUND_OVER_PAYMENT", "CASHLESS_OVERFLOW")
    reg.refunds.refund(n, None, {"cash": "0.25"})


def test_earlier_refunds_take_their_share_of_the_tender(shift):
    reg, _ = shift
    n = sold(reg, ["2", "2", "2"], {"card": "7.47"})            # the same goods merge: one line of 3
    reg.refunds.refund(n, [{"line": 1, "qty": "1"}], {"card": None})
    reg.refunds.refund(n, [{"line": 1, "qty": "1"}], {"card": None})
    assert reg.refunds.refundable(reg.stores.journal.by_number(n)) == {PaymentType.CARD: 249}
    reg.refunds.refund(n, [{"line": 1, "qty": "1"}], {"card": "2.49"})
    assert reg.refunds.refundable(reg.stores.journal.by_number(n)) == {PaymentType.CARD: 0}


def test_the_refund_proposes_the_split_the_original_payment_had(shift):
    reg, _ = shift
    n = sold(reg, ["9", "5"], {"card": "6.75", "cash": "5.00"})
    assert reg.refunds.proposed_payments(n) == {"card": "6.75", "cash": "3.83"}      # all of it
    proposal = reg.refunds.proposed_payments(n, [{"line": 1, "qty": None}])          # 5.59 of 10.58
    assert proposal == {"card": "3.57", "cash": "2.02"}
    out = reg.refunds.refund(n, [{"line": 1, "qty": None}])                          # no pay: the proposal
    refund = reg.stores.journal.by_number(out.registration.number).doc
    assert {p.type.value: p.amount for p in refund.payments} == {"card": 357, "cash": 202}
    assert reg.refunds.proposed_payments(n) == {"card": "3.18", "cash": "1.81"}      # what is left: 4.99


def test_the_split_never_gives_a_tender_more_than_it_has():
    for total in range(1, 400):
        shares = split_like(total, {PaymentType.CARD: 150, PaymentType.CASH: 99, PaymentType.OPLATI: 150})
        assert sum(shares.values()) == total
        assert shares.get(PaymentType.CASH, 0) <= 99 and shares.get(PaymentType.CARD, 0) <= 150


def test_a_sale_paid_with_two_cards_is_refunded_against_each_card_in_turn(shift):
    reg, hub = shift
    from fsm.fiscal_path import PowerLoss
    reg.sale.add_item("9")
    reg.sale.add_item("5")
    reg.path.crash.armed = "after_payment"      # the first card is charged, then the power goes
    with pytest.raises(PowerLoss):
        reg.checkout.pay({"card": "5.00", "cash": "5.58"}, terminal="Беларусбанк")
    out = reg.checkout.pay({"card": "10.58"}, terminal="Приорбанк")  # the rest goes on another card
    n = out.registration.number
    sale = reg.stores.journal.by_number(n).doc
    assert [p.amount for p in sale.payments if p.type is PaymentType.CARD] == [500, 558]
    out = reg.refunds.refund(n, None, {"card": None})
    refund = reg.stores.journal.by_number(out.registration.number).doc
    assert [(p.amount, p.terminal) for p in refund.payments] == [(500, "Беларусбанк"), (558, "Приорбанк")]
    assert hub.card_net() == 0


def test_an_annulled_refund_gives_its_share_back_to_the_tender(shift):
    reg, _ = shift
    n = sold(reg, ["2"], {"cash": "2.49"})
    reg.refunds.refund(n, None, {"cash": None})
    reg.docs.annul_last()                                            # the refund was a mistake
    assert reg.refunds.refunded_qty(n) == {}
    reg.refunds.refund(n, None, {"cash": None})                      # it can be made again


def test_an_annulled_sale_cannot_be_refunded(shift):
    reg, _ = shift
    n = sold(reg, ["2"], {"cash": "2.49"})
    reg.docs.annul_last()
    e = refused(reg.refunds.refund, n, None, {"cash": None})
    assert e.code == "NOT_ALLOWED" and str(n) in e.message


def test_a_refund_to_oplati_prints_its_reference_and_a_copy_prints_too(shift):
    reg, hub = shift
    n = sold(reg, ["2", "2"], {"oplati": "4.98"})
    out = reg.refunds.refund(n, [{"line": 1, "qty": None}], {"oplati": None})
    assert out.printed
    assert "ЧЕК ВОЗВРАТА" in hub.printer.last_text() and "ID операции" in hub.printer.last_text()
    assert reg.docs.copy(out.registration.number).printed
    assert not reg.stores.journal.not_printed()


def test_piece_goods_are_refunded_in_whole_pieces(shift):
    reg, _ = shift
    n = sold(reg, ["2", "2"], {"cash": "4.98"})
    e = refused(reg.refunds.refund, n, [{"line": 1, "qty": "0.500"}], {"cash": None})
    assert e.code == "QTY_RANGE" and "штучный" in e.message


def test_the_goods_refund_without_a_receipt_takes_catalog_vat_and_puts_the_stock_back(shift):
    reg, _ = shift
    before = reg.goods.item("8").stock
    out = reg.refunds.refund_goods([{"code": "8", "qty": "2.000"}, {"code": "2"}])
    doc = reg.stores.journal.by_number(out.registration.number).doc
    assert doc.kind is RefundKind.NO_RECEIPT and doc.total_due == 2 * 349 + 249
    assert dict(doc.vat) == {"20": 116, "10": 23}
    assert reg.goods.item("8").stock == before + 2000
    assert kind_name(doc.kind) == "Возврат без чека"


def test_the_refund_of_funds_is_money_only_and_named_as_the_manual_names_it(shift):
    reg, _ = shift
    out = reg.refunds.refund_free("3.00", {"cash": None}, vat="20")
    doc = reg.stores.journal.by_number(out.registration.number).doc
    assert doc.kind is RefundKind.FUNDS and dict(doc.vat) == {"20": 50} and doc.lines[0].code is None
    assert kind_name(RefundKind.FUNDS) == "Возврат средств (без дифференцированного учёта)"
    assert kind_name(RefundKind.BY_RECEIPT) == "Возврат (с дифференцированным учётом)"


def test_the_refund_screen_gets_the_three_refunds_with_their_names_and_rows(shift):
    reg, _ = shift
    kinds = reg.refunds.kinds()
    assert [k for k, _, _ in kinds] == [RefundKind.BY_RECEIPT, RefundKind.FUNDS, RefundKind.NO_RECEIPT]
    assert [reg.session.allowed(op) for _, _, op in kinds] == [None, None, None]
    assert kinds[2][1] == "Возврат без чека" and kinds[1][1].startswith("Возврат средств")


def test_the_rest_of_nothing_on_a_second_tender_is_no_payment(shift):
    reg, _ = shift
    n = sold(reg, ["2"], {"cash": "2.49"})
    out = reg.refunds.refund(n, None, {"cash": None, "card": None})
    refund = reg.stores.journal.by_number(out.registration.number).doc
    assert [(p.type.value, p.amount) for p in refund.payments] == [("cash", 249)]
