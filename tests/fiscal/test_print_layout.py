"""fiscal.layout: every document at every width, within the width, with every requisite."""
from __future__ import annotations

from pathlib import Path

import pytest
from fiscal_samples import (
    CASHIER,
    REQ,
    SAMPLE_REG,
    annulment_of,
    cash_in,
    cash_out,
    refund,
    reg,
    sale,
    sample_sale,
    shift_close,
    shift_open,
)

from fiscal.documents import RefundKind
from fiscal.layout import PAYMENT_LABELS, WIDTHS, plain_text, qr_payload, render, render_x_report, wrap
from fiscal.receipt import Adjustment, ItemInput, Payment, PaymentType
from fiscal.reports import aggregate, counters_to_dict

SAMPLE_FILE = Path(__file__).resolve().parents[2] / "docs" / "sample-receipt-42.txt"


def z_doc():
    entries = [(shift_open(7), reg(1)), (cash_in(10_000, shift=7), reg(2)), (sample_sale(), reg(3))]
    return shift_close(counters_to_dict(aggregate(entries)))


def every_document():
    s = sample_sale()
    return [shift_open(), s, refund(), refund(kind=RefundKind.NO_RECEIPT), refund(kind=RefundKind.FUNDS),
            annulment_of(s, 1042), cash_in(10_000), cash_out(5_000), z_doc()]


CASES = [(d, w) for d in every_document() for w in WIDTHS]


def columns(line) -> int:
    return len(line.text) * (2 if line.double else 1)


@pytest.mark.parametrize("doc, width", CASES, ids=[f"{d.type.value}-{w}" for d, w in CASES])
def test_no_line_is_wider_than_the_paper(doc, width):
    printed = render(doc, SAMPLE_REG, REQ, width)
    assert printed.width == width
    assert all(columns(ln) <= width for ln in printed.lines), [ln.text for ln in printed.lines if columns(ln) > width]
    assert not any(ln.text.endswith(" ") for ln in printed.lines)


@pytest.mark.parametrize("doc, width", CASES, ids=[f"{d.type.value}-{w}" for d, w in CASES])
def test_every_requisite_is_printed(doc, width):
    text = render(doc, SAMPLE_REG, REQ, width).text()
    flat = " ".join(text.split())
    for needle in ["Магазин «Лянок» №1", "ООО «Ромашка»", "УНП: 200988541", "г. Мінск, вул. Незалежнасці, 1",
                   "123456789", "Рег.№ КСА:", "Зав.№ СКО:", "AVQ11169990670", "№ 1042", "Смена № ",
                   "Валюта: BYN", "15.01.2026 12:34:56", f"Кассир: {CASHIER}", SAMPLE_REG.uid,
                   "Проверка чека покупателем"]:
        assert needle in flat, needle


@pytest.mark.parametrize("doc, title", [
    (shift_open(), "ОТКРЫТИЕ СМЕНЫ"), (sale(), "ЧЕК ПРОДАЖИ"), (refund(), "ЧЕК ВОЗВРАТА"),
    (annulment_of(sale(), 7), "ДОКУМЕНТ АННУЛИРОВАНИЯ"), (cash_in(100), "ВНЕСЕНИЕ"), (cash_out(100), "ИЗЪЯТИЕ"),
    (z_doc(), "Z-ОТЧЕТ (ЗАКРЫТИЕ СМЕНЫ)"),
])
def test_each_document_carries_its_title_and_qr(doc, title):
    printed = render(doc, SAMPLE_REG, REQ, 42)
    assert printed.title == title
    assert any(ln.text.strip() == title and ln.bold for ln in printed.lines)
    assert printed.qr == "uid=461F60C220B2010407CF1091&date=2026-01-15T12:34:56"


def test_qr_payload_is_uid_and_local_registration_time():
    assert qr_payload(reg(255, "2026-03-01T23:59:01+03:00")) == "uid=0000000000000000000000FF&date=2026-03-01T23:59:01"


@pytest.mark.parametrize("width", WIDTHS)
def test_sale_shows_the_three_totals_vat_payments_rrn_and_change(width):
    lines = render(sample_sale(), SAMPLE_REG, REQ, width).lines
    text = "\n".join(ln.text for ln in lines)
    for label, value in [("Итого общая стоимость", "40.80"), ("Сумма скидки (надбавки)", "2.80"),
                         ("в т.ч. НДС 10%:", "0.77"), ("в т.ч. НДС 20%:", "2.55"), ("Сумма без НДС:", "14.25"),
                         ("Банковской картой", "20.00"), ("Наличными", "20.00"), ("Сдача", "2.00"),
                         ("RRN:", "512345678901")]:
        line = next(ln.text for ln in lines if ln.text.strip().startswith(label))
        assert line.endswith(value) and len(line) == width, (label, line)
    due = [ln for ln in lines if "38.00" in ln.text]
    assert due and due[-1].double and due[-1].bold and "ИТОГО К ОПЛАТЕ" in text
    assert "  Скидка" in text and "  Надбавка" in text and "1.235 × 3.99" in text


@pytest.mark.parametrize("width", WIDTHS)
def test_item_sums_are_flush_right(width):
    lines = render(sample_sale(), SAMPLE_REG, REQ, width).lines
    for value in ("= 4.98", "= 4.93", "= 12.89", "= 3.00", "= 15.00", "-0.50", "+0.20"):
        line = next(ln.text for ln in lines if ln.text.endswith(value))
        assert len(line) == width


def test_long_names_wrap_and_unbreakable_words_are_cut():
    name = "Шакалад «Камунарка» " + "Ў" * 70 + " горкі 75% какава"
    s = sale(items=[ItemInput(name, 350, 1000, "20")], payments=[Payment(PaymentType.CASH, 350)])
    lines = [ln.text for ln in render(s, SAMPLE_REG, REQ, 32).lines]
    assert "1. Шакалад «Камунарка»" in lines
    assert "Ў" * 32 in lines and "Ў" * 6 + " горкі 75% какава" in lines


def test_belarusian_letters_and_signs_survive():
    text = render(sample_sale(), SAMPLE_REG, REQ, 42).text()
    for s in ("Іваноў Ў.І.", "Мінск", "Бабулін", "№", "×", "«", "»"):
        assert s in text


def test_copy_says_so_at_top_and_bottom():
    printed = render(sample_sale(), SAMPLE_REG, REQ, 32, copy=True)
    assert printed.lines[0].text.strip() == "КОПИЯ" and printed.lines[0].double
    assert printed.lines[-1].text.strip() == "КОПИЯ" and printed.lines[-1].double
    assert printed.title.startswith("КОПИЯ")
    assert "КОПИЯ" not in render(sample_sale(), SAMPLE_REG, REQ, 32).text()


def test_a_pending_document_cannot_be_printed_as_fiscal():
    with pytest.raises(ValueError, match="not registered"):
        render(sale(), None, REQ, 42)


@pytest.mark.parametrize("width", [0, 31, 40, 80])
def test_other_widths_are_refused(width):
    with pytest.raises(ValueError, match="32, 42, 48"):
        render(sale(), SAMPLE_REG, REQ, width)


def test_every_payment_type_prints_in_russian_with_its_reference():
    pays = [Payment(PaymentType.CERTIFICATE, 100), Payment(PaymentType.CASHLESS_OTHER, 100),
            Payment(PaymentType.ADVANCE_OTHER, 100), Payment(PaymentType.OPLATI, 100, ref="OPL-77"),
            Payment(PaymentType.CARD, 100, ref="123456789012")]
    s = sale(items=[ItemInput("Торт", 500, 1000, "20")], payments=pays)
    text = render(s, SAMPLE_REG, REQ, 48).text()
    for label in PAYMENT_LABELS.values():
        if label != "Наличными":
            assert label in text
    assert "OPL-77" in text and "Сдача" not in text


def test_refund_names_its_original_receipt():
    text = render(refund(), SAMPLE_REG, REQ, 42).text()
    assert "Возврат по чеку № 12" in text and "00000000000000000000000C" in text and "Выплачено:" in text


def test_annulment_names_its_target_and_sum():
    text = render(annulment_of(sample_sale(), 1041), SAMPLE_REG, REQ, 42).text()
    assert "Аннулирован: Чек продажи № 1041" in text and "38.00" in text


def test_z_report_prints_its_counters():
    text = render(z_doc(), SAMPLE_REG, REQ, 32).text()
    for s in ("ПРОДАЖИ", "ВОЗВРАТЫ", "АННУЛИРОВАНИЯ", "ВНЕСЕНИЯ", "ИЗЪЯТИЯ", "Наличных в кассе", "118.00",
              "Выручка за смену", "38.00", "Документы №:", "1 – 3"):
        assert s in text, s


@pytest.mark.parametrize("width", WIDTHS)
def test_x_report_has_counters_but_no_uid_or_qr(width):
    c = aggregate([(shift_open(7), reg(1)), (sample_sale(), reg(2))])
    printed = render_x_report(c, REQ, width, "2026-01-15T15:00:00+03:00", CASHIER)
    text = printed.text()
    assert printed.qr is None and "УИД" not in text and "X-ОТЧЕТ" in text and "15.01.2026 15:00:00" in text
    assert all(columns(ln) <= width for ln in printed.lines)


def test_a_huge_receipt_still_fits_32_columns():
    big = ItemInput("Х", 99_999_999_999_99 // 10_000, 9_999_999, "20", discount=Adjustment(amount=1))
    s = sale(items=[big], payments=[Payment(PaymentType.CASH, 99_999_999_999_99)])
    printed = render(s, SAMPLE_REG, REQ, 32)
    assert all(columns(ln) <= 32 for ln in printed.lines)


def test_wrap_keeps_every_character_of_the_words():
    assert wrap("", 10) == [""]
    assert wrap("a  b\tc", 10) == ["a b c"]
    assert "".join(wrap("abcdefghij klm", 4)).replace(" ", "") == "abcdefghijklm"


def test_the_sample_receipt_in_docs_is_the_current_rendering():
    expected = plain_text(render(sample_sale(), SAMPLE_REG, REQ, 42))
    assert SAMPLE_FILE.read_text(encoding="utf-8") == expected


def test_a_line_with_marking_codes_prints_a_short_mark_after_its_name_and_never_the_code():
    from fiscal.receipt import Marking
    code = "0104811234567896" "21ABCdef123+-_%\x1d91EE05\x1d92" + "q" * 44
    doc = sale(items=[ItemInput("Молоко", 249, 1000, "10", markings=(Marking("si", code),)),
                      ItemInput("Хлеб", 150, 1000, "10")])
    text = render(doc, SAMPLE_REG, REQ, 42).text()
    assert "1. Молоко [М]\n" in text and "2. Хлеб\n" in text
    assert "ABCdef" not in text and "qqqq" not in text
    assert "1. Молоко\n" in render(doc, SAMPLE_REG, REQ, 42, marking_mark="").text()


def _amounts_after(text: str, heading: str) -> list[str]:
    rows = text.splitlines()
    i = next(k for k, ln in enumerate(rows) if ln.startswith(heading))
    out = []
    for ln in rows[i + 1:]:
        if not ln.startswith("  "):
            break
        out.append(" ".join(ln.split()))
    return out


def test_an_annulment_prints_what_goes_back_by_tender_not_the_cash_handed_over():
    s = sale(items=[ItemInput("Пакет", 25, 1000, "20")], payments=[Payment(PaymentType.CASH, 100)])  # change 0.75
    text = render(annulment_of(s, 7), SAMPLE_REG, REQ, 42).text()
    assert _amounts_after(text, "Возвращено покупателю:") == ["Наличными 0.25"]
    assert "Сдача" not in text and "1.00" not in text
    mixed = render(annulment_of(sample_sale(), 1041), SAMPLE_REG, REQ, 42).text()   # card 20 + cash 20 − change 2
    assert _amounts_after(mixed, "Возвращено покупателю:") == ["Банковской картой 20.00", "Наличными 18.00"]
    assert "УИД чека:" in mixed


def test_an_annulled_refund_brings_its_money_back_to_the_register():
    text = render(annulment_of(refund(), 9), SAMPLE_REG, REQ, 32).text()
    assert "Аннулирован: Чек возврата № 9" in text and _amounts_after(text, "Возвращено в кассу:") == ["Наличными 1.50"]


def test_a_reference_stored_as_a_number_prints():
    s = sale(items=[ItemInput("Торт", 500, 1000, "20")], payments=[Payment(PaymentType.OPLATI, 500, ref=1003)])
    assert "1003" in render(s, SAMPLE_REG, REQ, 32).text()


def test_a_receipt_discount_is_printed_on_each_line_as_its_share():
    s = sale(items=[ItemInput("А", 1000, 1000, "20"), ItemInput("Б", 3000, 1000, "20")],
             payments=[Payment(PaymentType.CASH, 4000)], discount=Adjustment(percent=1000))
    text = render(s, SAMPLE_REG, REQ, 42).text()
    shares = [ln.split()[-1] for ln in text.splitlines() if ln.startswith("  Скидка на чек")]
    totals = [ln.split()[-1] for ln in text.splitlines() if ln.startswith("  Итог по позиции")]
    assert shares == ["-1.00", "-3.00"] and totals == ["9.00", "27.00"]


def test_the_unit_follows_the_quantity_and_a_line_without_one_prints_none():
    s = sale(items=[ItemInput("Яблоки", 299, 1235, "10", unit="кг"), ItemInput("Хлеб", 150, 2000, "10", unit="шт"),
                    ItemInput("Услуга", 500, 1000, "none")], payments=[Payment(PaymentType.CASH, 2000)])
    text = render(s, SAMPLE_REG, REQ, 42).text()
    assert "1.235 кг × 2.99 = 3.69" in text and "2.000 шт × 1.50 = 3.00" in text and "1.000 × 5.00 = 5.00" in text


def test_a_document_without_a_uid_prints_no_qr_and_no_check_text():
    from fiscal.documents import Registration
    r = Registration(number=3, uid="", time="2026-01-15T09:00:00+03:00")
    printed = render(shift_open(), r, REQ, 32)
    assert printed.qr is None and "УИД" not in printed.text() and "Проверьте" not in printed.text()
    assert "Дата:" in printed.text()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_card_slip_prints_the_terminals_lines_within_the_width(width):
    from fiscal.layout import render_card_slip
    slip = ["ОПЛАТА", "Терминал: T1", "Сумма: 2.49 BYN", "", "Очень длинная строка слипа " * 3, "ОДОБРЕНО"]
    p = render_card_slip(slip, width, document="к чеку продажи № 5")
    text = p.text()
    assert all(columns(ln) <= width for ln in p.lines) and "КАРТ-ЧЕК" in text and "Экземпляр покупателя" in text
    assert "к чеку продажи № 5" in text and "ОДОБРЕНО" in text and "КОПИЯ" not in text and p.qr is None
    assert "" in [ln.text for ln in p.lines]                    # the terminal's blank line stays
    again = render_card_slip(slip, width, copy_of="merchant", reprint=True)
    assert again.lines[0].text.strip() == again.lines[-1].text.strip() == "КОПИЯ"
    assert "Экземпляр кассира" in again.text() and again.title.startswith("КОПИЯ")


def test_the_refund_kinds_are_named_on_paper_as_the_manual_names_them():
    assert "Возврат без чека" in render(refund(kind=RefundKind.NO_RECEIPT), SAMPLE_REG, REQ, 42).text()
    assert "Возврат средств" in render(refund(kind=RefundKind.FUNDS), SAMPLE_REG, REQ, 42).text()
    assert "ИТОГО К ВЫПЛАТЕ" in render(refund(), SAMPLE_REG, REQ, 42).text()


def test_the_z_labels_the_gross_sum_and_the_net_turnover():
    text = render(z_doc(), SAMPLE_REG, REQ, 42).text()
    for label in ("Сумма (с аннулированными)", "Аннулировано (0)", "Сумма за вычетом аннулир.",
                  "Оборот за вычетом аннулир.:", "Наличных на начало смены"):
        assert label in text, label


@pytest.mark.parametrize("width", WIDTHS)
def test_the_shops_footer_closes_a_sale_and_a_refund_but_not_a_cash_in(width):
    footer = "Спасибо за покупку!\nОбмен и возврат в течение 14 дней при наличии чека и упаковки"
    for doc in (sample_sale(), refund()):
        lines = [ln.text.strip() for ln in render(doc, SAMPLE_REG, REQ, width, footer=footer).lines]
        assert "Спасибо за покупку!" in lines
        at = lines.index("Спасибо за покупку!")
        assert any(ln.startswith("Дата:") for ln in lines[:at])        # below the fiscal part
        assert "".join(lines[at + 1:]).replace(" ", "").startswith("Обменивозврат")
        assert all(columns(ln) <= width for ln in render(doc, SAMPLE_REG, REQ, width, footer=footer).lines)
    assert "Спасибо за покупку!" not in plain_text(render(cash_in(10_000), SAMPLE_REG, REQ, width, footer=footer))
