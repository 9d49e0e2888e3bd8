"""hal.sko.answers: the published answer shapes (fixtures/ikassa) read into registrations, cheques and reports."""
import pytest
from ikassa_replay import published

from hal.errors import SkoError
from hal.sko import answers as A


def test_a_sale_answer_gives_the_skos_number_uid_time_and_computed_cheque():
    reg = A.registration(published("sale.json"), "AVQ-config", "createSale")
    assert (reg.number, reg.uid, reg.sko_serial) == (42, "461F60C220B2010407CF1091", "AVQ11169990670")
    assert reg.time == "2026-01-15T09:00:05+03:00"          # no offset in the answer: the SKO's Minsk time
    assert reg.signature == ""                               # no published answer carries a signature
    c = reg.cheque
    assert (c.subtotal, c.positions_discount, c.cheque_discount, c.discount, c.total) == (1700, -100, 0, -100, 1800)
    assert (c.cash, c.cashless, c.other, c.change) == (2000, 600, 0, 800)
    assert [(ln.price, ln.qty, ln.total_price, ln.discount, ln.result) for ln in c.lines] == [
        (700, 1000, 700, 0, 700), (1000, 1000, 1000, -100, 1100)]


def test_refund_rollback_and_deposit_answers_give_their_figures():
    back = A.registration(published("moneyback.json"), "", "createMoneyBack")
    assert back.number == 43 and (back.cheque.cash, back.cheque.cashless, back.cheque.total) == (1100, 0, 1100)
    roll = A.registration(published("rollback.json"), "", "createRollback")
    assert roll.number == 44 and roll.cheque.total == 700            # the annulled cheque's figures
    dep = A.registration(published("deposit.json"), "", "createDeposit")
    assert dep.cheque.total == 5000 and dep.time == "2026-01-15T09:00:00+03:00"   # epoch milliseconds


def test_the_token_and_the_drawer_are_read_as_published():
    info = A.token_info(published("token.json"))
    assert (info.serial, info.org_name, info.unp, info.ksa_number) == ("AVQ11169990670", "ООО «Ромашка»", "191234566", "")
    assert info.versions["manufacturer"] == "AVEST" and info.public_key_pem == ""
    assert A.cash_in_token(published("cash_in_token.json")) == 1250     # a float rounded to the kopeck


def test_x_and_z_reports_give_the_shift_figures():
    x = A.shift_report(published("x_report.json"))
    assert x.open and x.shift_number == 3 and (x.first_sale_number, x.last_sale_number) == (42, 42)
    assert (x.sales_sum, x.sales_cash, x.deposits_sum) == (1800, 1200, 5000)
    z = A.shift_report(published("close_shift.json"), "closeShift")
    assert not z.open and z.uid == "1234567890ABCDEF12345678" and z.withdraws_sum == 6200


@pytest.mark.parametrize("breakage", [
    lambda a: a.pop("header"),
    lambda a: a["header"].pop("uid"),
    lambda a: a["header"].update(documentNumber="сорок два"),
    lambda a: a["header"].update(created="вчера"),
    lambda a: a["totals"].update(sum="много"),
    lambda a: a.update(items={"not": "a list"}),
])
def test_a_malformed_answer_is_sko_bad_answer_never_sko_error(breakage):
    answer = published("sale.json")
    breakage(answer)
    with pytest.raises(SkoError) as e:
        A.registration(answer, "", "createSale")
    assert e.value.code == "SKO_BAD_ANSWER"


def test_a_number_answer_must_be_an_integer():
    assert A.integer(42, "nextChequeNumber") == 42
    with pytest.raises(SkoError) as e:
        A.integer({"n": 1}, "nextChequeNumber")
    assert e.value.code == "SKO_BAD_ANSWER"
