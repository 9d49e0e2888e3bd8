"""EscPosPrinter against the VirtualPrinter over a real pty and TCP: printing, faults, recovery, drawer, silence, garbage."""
import threading
import time

import pygame
import pytest

from fiscal.layout import Align, PrintedDocument, PrintLine
from hal.errors import PrinterError
from hal.interfaces import JobOutcome
from hal.printer import DrawerSettings, EscPosPrinter, PrintInterrupted, open_printer, printer_from_config
from hal.printer_profiles import get_profile
from hal.transport import SerialTransport
from sim.printer import VirtualPrinter
from sim.ptyport import PtyPort

LINES = (
    PrintLine("ООО «Ромашка»", bold=True, align=Align.CENTER),
    PrintLine("КАССОВЫЙ ЧЕК № 17", double=True, align=Align.CENTER),
    PrintLine("Хлеб «Белорусский»".ljust(40) + "2,35".rjust(8)),
    PrintLine("Ўсё і ўсё".ljust(40) + "1,00".rjust(8)),
    PrintLine("ИТОГО".ljust(16) + "3,35".rjust(8), bold=True, double=True),
    PrintLine("Спасибо за покупку!", align=Align.CENTER),
)
DOC = PrintedDocument("Продажа", 48, LINES, qr="https://check.example.by/?n=17", barcode="4006381333931")
COPY = PrintedDocument("Продажа", 48, (PrintLine("КОПИЯ", bold=True),) + LINES)


def until(check, timeout: float = 2.0) -> bool:
    """A drawer opens, or a byte crosses the pty, a moment after the command: wait for it, briefly."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def originals(vp) -> int:
    """Pages that carry the receipt's number and are not marked as a copy."""
    return sum("КАССОВЫЙ ЧЕК № 17" in p.text and "КОПИЯ" not in p.text for p in vp.documents)


@pytest.fixture
def vp(tmp_path):
    printer = VirtualPrinter(tmp_path / "paper").start()
    yield printer
    printer.stop()


@pytest.fixture
def driver(vp):
    d = open_printer(vp.address, "tm-t20iii")
    yield d
    d.close()


def test_a_document_prints_with_its_lines_qr_barcode_and_a_576_dot_png(vp, driver):
    result = driver.print_document(DOC)
    assert result.outcome is JobOutcome.PRINTED and result.confirmed      # the Epson's GS r end marker came back
    assert vp.wait_for_documents(1, timeout=5)       # the picture is drawn off the line thread
    [page] = vp.documents
    assert page.cut and page.qr == DOC.qr and page.barcodes == ("4006381333931",)
    for line in ("ООО «Ромашка»", "КАССОВЫЙ ЧЕК № 17", "Ўсё і ўсё", "Спасибо за покупку!"):
        assert line in page.text
    assert page.png is not None and page.png.exists()
    assert pygame.image.load(str(page.png)).get_width() == 576
    assert (page.png.parent / "0001.txt").read_text(encoding="utf-8") == page.text


def test_the_job_starts_with_init_fs_dot_and_the_profile_code_page(driver):
    job = driver.document_bytes(PrintedDocument("t", 48, (PrintLine("Ўі"),)))
    assert job == b"\x1b@\x1c.\x1bt\x2e" + bytes((0xA1, 0xB3)) + b"\n\x1bd\x04\x1dV\x01"


def test_styled_lines_switch_only_what_changes_and_keep_the_layouts_padding(driver):
    # fiscal.layout pads lines to the width itself, so `align` sends no ESC a (no double centring).
    job = driver.document_bytes(PrintedDocument("t", 48, (
        PrintLine("A", bold=True, align=Align.CENTER), PrintLine("B", bold=True, double=True, align=Align.CENTER),
        PrintLine("C"))))
    assert job == (b"\x1b@\x1c.\x1bt\x2e" + b"\x1bE\x01A\n" + b"\x1d!\x11B\n"
                   + b"\x1bE\x00\x1d!\x00C\n" + b"\x1bd\x04\x1dV\x01")


def test_the_multiplication_sign_falls_back_to_x(driver):
    job = driver.document_bytes(PrintedDocument("t", 48, (PrintLine("1.000 × 2.49"),)))
    assert b"1.000 x 2.49" in job


def test_a_cp866_printer_gets_latin_i_for_belarusian_i(vp):
    d = open_printer(vp.address, "xp-80t")
    try:
        d.print_document(PrintedDocument("t", 48, (PrintLine("Іванаў і сын"),)))
    finally:
        d.close()
    assert "Iванаў i сын" in vp.last_text()


@pytest.mark.parametrize("fault,code,words", [
    ("paper_out", "PRINTER_PAPER_OUT", "нет бумаги"),
    ("cover_open", "PRINTER_COVER_OPEN", "открыта крышка"),
    ("cutter_jam", "PRINTER_CUTTER_JAM", "отрезчик"),
    ("offline", "PRINTER_OFFLINE", "не в сети"),
])
def test_a_fault_before_printing_raises_its_error_and_prints_nothing(vp, driver, fault, code, words):
    vp.set_fault(fault)
    with pytest.raises(PrinterError) as e:
        driver.print_document(DOC)
    assert e.value.code == code and words in e.value.message and "Повторить" in e.value.message
    assert vp.documents == []


def test_check_ready_passes_on_a_healthy_printer_and_reports_near_end(vp, driver):
    vp.paper_near_end = True
    driver.check_ready()
    assert driver.status().paper_near_end and driver.status().online


def test_paper_near_end_is_reported_with_the_printed_job_without_blocking_it(vp, driver):
    vp.paper_near_end = True
    result = driver.print_document(DOC)
    assert result.outcome is JobOutcome.PRINTED and result.status.paper_near_end and result.status.ready
    assert len(vp.documents) == 1


def test_paper_running_out_mid_print_leaves_a_partial_uncut_page_and_raises_after(vp, driver):
    vp.set_fault("paper_out_mid_print", after_lines=3)
    with pytest.raises(PrintInterrupted) as e:
        driver.print_document(DOC)
    assert e.value.code == "PRINTER_PAPER_OUT"
    [page] = vp.documents
    assert not page.cut and "ООО «Ромашка»" in page.text and "Спасибо" not in page.text
    assert vp.fault == "paper_out"


def test_a_job_cut_short_is_cleared_in_the_printer_and_reported_as_partly_printed(vp, driver):
    vp.set_fault("paper_out_mid_print", after_lines=3)
    with pytest.raises(PrintInterrupted) as e:
        driver.print_document(DOC)
    r = e.value.result
    assert (r.outcome, r.buffer_cleared, r.held) == (JobOutcome.UNKNOWN, True, False)
    assert r.status.paper_end and "1 of 2 job markers" in r.detail and "dle_dc4_8 confirmed" in r.detail
    assert vp.buffer_clears == 1 and vp.held_commands == 0
    vp.set_fault("ok")                              # a new roll: nothing of the old job comes out
    assert len(vp.documents) == 1
    again = driver.recover()                       # checked again before deciding what to reprint
    assert again.status.ready and again.outcome is JobOutcome.UNKNOWN and again.buffer_cleared
    driver.print_document(COPY)                    # (c): the register reprints it as a copy
    assert originals(vp) == 1 and len(vp.documents) == 2


def test_paper_out_before_the_printer_reached_the_job_means_not_printed(vp, driver):
    vp.set_fault("paper_out_mid_print", after_lines=0)     # the roll ends under the previous feed
    with pytest.raises(PrintInterrupted) as e:
        driver.print_document(DOC)
    r = e.value.result
    assert (r.outcome, r.buffer_cleared) == (JobOutcome.NOT_PRINTED, True)
    assert vp.documents == []
    vp.set_fault("ok")
    driver.print_document(DOC)                     # (b): the reprint is the original
    assert originals(vp) == 1 and len(vp.documents) == 1


def test_without_a_buffer_clear_the_held_job_prints_when_paper_returns(tmp_path):
    # The documented behaviour the recovery exists for: a printer that keeps the rest of the job.
    vp = VirtualPrinter(tmp_path, realtime_clear=()).start()
    d = open_printer(vp.address, "tm-t20iii")
    try:
        vp.set_fault("paper_out_mid_print", after_lines=3)
        with pytest.raises(PrintInterrupted) as e:
            d.print_document(DOC)
        r = e.value.result
        assert (r.outcome, r.buffer_cleared, r.held) == (JobOutcome.UNKNOWN, False, True)
        assert vp.held_commands > 0
        vp.set_fault("ok")
        assert vp.wait_for_documents(2, timeout=5)
        assert "Спасибо за покупку!" in vp.documents[1].text and vp.documents[1].cut
        d.print_document(DOC)                      # reprinting an original now makes two
        assert originals(vp) == 2
    finally:
        d.close()
        vp.stop()


def test_a_clone_whose_dle_enq_2_only_acts_after_a_cutter_error_keeps_the_job_and_says_so(tmp_path):
    vp = VirtualPrinter(tmp_path, model="NT-80-V-UL", realtime_clear=("dle_enq_2",)).start()
    d = open_printer(vp.address, "xp-80t")
    try:
        vp.set_fault("paper_out_mid_print", after_lines=2)
        with pytest.raises(PrintInterrupted) as e:
            d.print_document(DOC)
        r = e.value.result
        assert (r.outcome, r.buffer_cleared, r.held) == (JobOutcome.UNKNOWN, False, True)
        assert "dle_enq_2 sent, not confirmable" in r.detail and "no job markers" in r.detail
        vp.set_fault("ok")                         # the new roll: the held rest comes out, as documented
        assert vp.wait_for_documents(2, timeout=5)
        assert d.recover().held                    # still unconfirmed: a reprint would be a copy
    finally:
        d.close()
        vp.stop()


def test_a_clone_that_always_clears_on_dle_enq_2_discards_the_job(tmp_path):
    vp = VirtualPrinter(tmp_path, model="NT-80-V-UL", realtime_clear=("dle_enq_2",), enq2_clears_any_error=True).start()
    d = open_printer(vp.address, "xp-80t")
    try:
        vp.set_fault("paper_out_mid_print", after_lines=2)
        with pytest.raises(PrintInterrupted):
            d.print_document(DOC)
        assert vp.buffer_clears == 1 and vp.held_commands == 0
        vp.set_fault("ok")
        assert len(vp.documents) == 1
    finally:
        d.close()
        vp.stop()


def test_after_a_new_roll_the_next_document_prints(vp, driver):
    vp.set_fault("paper_out")
    with pytest.raises(PrinterError):
        driver.print_document(DOC)
    vp.set_fault("ok")
    driver.print_document(DOC)
    assert len(vp.documents) == 1 and vp.documents[0].cut


def test_printing_over_tcp_works_like_a_network_printer_on_9100(tmp_path):
    vp = VirtualPrinter(tmp_path, model="RP326").start()
    vp.serve_tcp()
    d = open_printer(vp.tcp_url, "rp326")
    try:
        d.print_document(DOC)
        assert "Хлеб «Белорусский»" in vp.last_text()
        vp.set_fault("cover_open")
        with pytest.raises(PrinterError) as e:
            d.check_ready()
        assert e.value.code == "PRINTER_COVER_OPEN"
    finally:
        d.close()
        vp.stop()


def test_drawer_kick_reaches_the_printer_with_pin_and_pulse_from_the_settings(vp):
    d = EscPosPrinter(SerialTransport(vp.address), get_profile("tm-t20iii"),
                      drawer=DrawerSettings(pin=5, pulse_on_ms=120, pulse_off_ms=240, sensor="high_open"))
    try:
        assert d.status().drawer_open is False
        d.kick_drawer()
        assert until(lambda: d.status().drawer_open is True)
        d.kick_drawer(pin=2, pulse_on_ms=60, pulse_off_ms=60)
        assert until(lambda: vp.drawer_kicks == 2) and vp.kicks == [(5, 120, 240), (2, 60, 60)]
        vp.close_drawer()
        assert d.status().drawer_open is False
    finally:
        d.close()


def test_without_a_drawer_sensor_the_drawer_state_is_unknown(vp, driver):
    driver.kick_drawer()
    assert until(lambda: vp.drawer_kicks == 1) and driver.status().drawer_open is None


def test_a_kick_sent_while_a_job_is_held_waits_for_the_paper(tmp_path):
    vp = VirtualPrinter(tmp_path, realtime_clear=()).start()
    d = open_printer(vp.address, "tm-t20iii")
    try:
        vp.set_fault("paper_out_mid_print", after_lines=1)
        with pytest.raises(PrintInterrupted):
            d.print_document(DOC)
        d.kick_drawer()                            # ESC p is buffered: it queues behind the held job
        time.sleep(0.1)
        assert vp.drawer_kicks == 0
        vp.set_fault("ok")
        assert until(lambda: vp.drawer_kicks == 1)
    finally:
        d.close()
        vp.stop()


def test_the_real_time_pulse_opens_the_drawer_at_once_where_configured(vp):
    d = EscPosPrinter(SerialTransport(vp.address), get_profile("tm-t20iii"), drawer=DrawerSettings(realtime=True))
    try:
        d.kick_drawer(pulse_on_ms=200)
        assert until(lambda: vp.kicks == [(2, 200, 200)])
    finally:
        d.close()


def test_the_config_section_gives_model_drawer_and_line_settings(vp):
    d = printer_from_config({"url": vp.address, "drawer_pin": 5, "drawer_pulse_on_ms": 80, "drawer_sensor": "low_open"})
    try:
        assert d.profile.key == "generic-80"                 # no model: generic 80 mm
        assert d.drawer == DrawerSettings(pin=5, pulse_on_ms=80, pulse_off_ms=100, sensor="low_open")
        assert d.status().drawer_open is True                # pin 3 low and a low_open drawer
    finally:
        d.close()
    with pytest.raises(PrinterError) as e:
        printer_from_config({"url": vp.address, "drawer_pin": 3})
    assert e.value.code == "PRINTER_BAD_CONFIG" and "drawer pin 3" in e.value.detail


def test_a_printer_without_native_qr_gets_the_qr_as_a_raster_image(vp):
    d = EscPosPrinter(SerialTransport(vp.address), get_profile("tm-t20iii", qr_native=False))
    try:
        d.print_document(PrintedDocument("t", 48, (PrintLine("QR ниже"),), qr="https://check.example.by/?n=1"))
    finally:
        d.close()
    assert "[image " in vp.last_text() and vp.documents[0].qr is None


def test_a_58mm_printer_without_cutter_prints_and_the_page_is_torn_off(tmp_path):
    vp = VirtualPrinter(tmp_path, columns=32, dots=384).start()
    d = open_printer(vp.address, "generic-58")
    try:
        d.print_document(PrintedDocument("t", 32, (PrintLine("Итог".ljust(24) + "3,35".rjust(8)),)))
        page = vp.tear()
    finally:
        d.close()
        vp.stop()
    assert page is not None and not page.cut and "Итог" in page.text
    assert pygame.image.load(str(page.png)).get_width() == 384


def test_a_printer_that_never_answers_is_offline_within_the_timeout():
    port = PtyPort()                      # nobody reads or answers on the master side
    d = EscPosPrinter(SerialTransport(port.path), get_profile("tm-t20iii"), status_timeout=0.3)
    try:
        t0 = time.monotonic()
        with pytest.raises(PrinterError) as e:
            d.print_document(DOC)
        assert time.monotonic() - t0 < 1.5
    finally:
        d.close()
        port.close()
    assert e.value.code == "PRINTER_OFFLINE" and e.value.detail.startswith("printer: no answer on ")


def test_a_printer_answering_too_late_is_offline_not_a_hang():
    port = PtyPort()

    def late_answer() -> None:
        if port.read(3, 2.0):
            time.sleep(0.5)
            port.write(b"\x12")
    t = threading.Thread(target=late_answer)
    t.start()
    d = EscPosPrinter(SerialTransport(port.path), get_profile("tm-t20iii"), status_timeout=0.2)
    try:
        with pytest.raises(PrinterError) as e:
            d.status()
    finally:
        t.join()
        d.close()
        port.close()
    assert e.value.code == "PRINTER_OFFLINE"


def test_the_simulated_no_answer_fault_is_offline(vp):
    d = EscPosPrinter(SerialTransport(vp.address), get_profile("tm-t20iii"), status_timeout=0.2)
    vp.set_fault("no_answer")
    try:
        with pytest.raises(PrinterError) as e:
            d.check_ready()
    finally:
        d.close()
    assert e.value.code == "PRINTER_OFFLINE"


def test_garbage_status_bytes_give_a_clear_error(vp, driver):
    vp.set_fault("garbage")
    with pytest.raises(PrinterError) as e:
        driver.print_document(DOC)
    assert e.value.code == "PRINTER_BAD_STATUS" and "0xFF" in e.value.detail and "baud" in e.value.detail
    assert vp.documents == []


def test_a_bad_barcode_is_refused_before_anything_is_sent(vp, driver):
    with pytest.raises(PrinterError) as e:
        driver.print_document(PrintedDocument("t", 48, (PrintLine("x"),), barcode="Чек"))
    assert e.value.code == "PRINTER_BAD_DATA"
    assert vp.documents == [] and vp.tear() is None


def test_opening_a_printer_on_a_missing_port_is_a_printer_error():
    with pytest.raises(PrinterError) as e:
        open_printer("/dev/nonexistent-printer", "tm-t20iii")
    assert e.value.code == "PRINTER_OFFLINE" and "/dev/nonexistent-printer" in e.value.detail


def test_a_printer_that_falls_silent_mid_job_is_reported_unknown_and_possibly_holding_it():
    port = PtyPort()
    answered = []

    def answer_the_pre_check_only() -> None:
        # DLE EOT 1 and 4 of the pre-check get "fine"; then the printer says nothing more.
        while len(answered) < 2:
            data = port.read(64, 2.0)
            if not data:
                return
            for _ in range(data.count(b"\x10\x04")):
                if len(answered) < 2:
                    answered.append(1)
                    port.write(b"\x12")
        while port.read(4096, 0.5):
            pass
    t = threading.Thread(target=answer_the_pre_check_only)
    t.start()
    d = EscPosPrinter(SerialTransport(port.path), get_profile("tm-t20iii"), status_timeout=0.2, job_timeout=0.5)
    try:
        with pytest.raises(PrintInterrupted) as e:
            d.print_document(DOC)
    finally:
        t.join()
        d.close()
        port.close()
    r = e.value.result
    assert e.value.code == "PRINTER_OFFLINE"
    assert (r.outcome, r.buffer_cleared, r.held) == (JobOutcome.UNKNOWN, False, True)
    assert "0 of 2 job markers" in r.detail and "status unreadable" in r.detail


def test_a_section_without_url_is_a_config_error():
    with pytest.raises(PrinterError) as e:
        printer_from_config({"model": "tm-t88v"})
    assert e.value.code == "PRINTER_BAD_CONFIG" and "needs url" in e.value.detail
