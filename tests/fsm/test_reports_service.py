"""fsm.reports: each report refused like the operation it previews; the last Z always a copy."""
import pytest

from fsm.errors import OperationError


def test_an_unknown_report_kind_is_one_clear_refusal(register_as):
    reg, _ = register_as("ivanova", "2580")
    with pytest.raises(OperationError) as e:
        reg.reports.document("y")
    assert e.value.code == "BAD_FIELD"


def test_the_x_preview_is_the_x_that_prints(register_as):
    reg, hub = register_as("ivanova", "2580")
    reg.shifts.open_shift()
    reg.shifts.cash_in("3.00")
    preview = reg.reports.document("x").text()
    reg.reports.print_report("x")
    assert "X-ОТЧЕТ" in preview and "Наличных в кассе" in preview
    assert hub.printer.last_text().count("3.00") >= 2


def test_with_no_z_yet_the_z_report_says_so(register_as):
    reg, _ = register_as("ivanova", "2580")
    assert reg.reports.document("z").lines
