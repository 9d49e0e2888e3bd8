"""Scanner drivers: serial mode against the simulated scanner over a pty (framing only), HID key mapping."""
import pytest

from fiscal.identifiers import ean_check_digit
from hal.errors import ScannerError
from hal.scanner import HidScanner, SerialScanner, keys_to_text
from hal.transport import open_transport
from sim.scanner import SimScanner


def with_check(digits: str) -> str:
    return digits + str(ean_check_digit(digits))


@pytest.fixture
def rig():
    sim = SimScanner().start()
    scanner = SerialScanner(open_transport(sim.address))
    yield sim, scanner
    scanner.close()
    sim.stop()


def test_ean13_scan_is_read_as_it_was_sent(rig):
    sim, scanner = rig
    sim.scan("4006381333931")
    assert scanner.read(1.0).code == "4006381333931"


def test_two_quick_scans_come_out_one_by_one(rig):
    sim, scanner = rig
    sim.scan(with_check("481000000001"))
    sim.scan(with_check("4810000"))
    assert scanner.read(1.0).code == with_check("481000000001")
    assert scanner.read(1.0).code == with_check("4810000")


def test_no_scan_returns_none_within_the_timeout(rig):
    _, scanner = rig
    assert scanner.read(0.05) is None


def test_a_bad_check_digit_is_framed_as_sent_and_judged_by_the_register(rig):
    sim, scanner = rig
    sim.scan("4810000000013")
    assert scanner.read(1.0).code == "4810000000013"


def test_datamatrix_keeps_group_separators(rig):
    sim, scanner = rig
    code = "0104810000000015215'Abc9\x1d91EE06\x1d92abcd=="
    sim.scan(code)
    r = scanner.read(1.0)
    assert r.code == code


def test_crlf_suffix_and_non_ascii_bytes(rig):
    sim, scanner = rig
    sim.send(b"ABC-123\r\n")
    assert scanner.read(1.0).code == "ABC-123"
    sim.send(b"\xff\xfe\r")
    with pytest.raises(ScannerError) as e:
        scanner.read(1.0)
    assert e.value.code == "SCANNER_BAD_DATA"


def test_endless_data_without_suffix_is_reported(rig):
    sim, scanner = rig
    sim.send(b"1" * 600)
    with pytest.raises(ScannerError) as e:
        scanner.read(1.0)
    assert e.value.code == "SCANNER_BAD_DATA"


EV_KEY, SHIFT = 1, 42


def keys(*codes, shift_for=()):
    out = []
    for c in codes:
        if c in shift_for:
            out.append((EV_KEY, SHIFT, 1))
        out += [(EV_KEY, c, 1), (EV_KEY, c, 0)]
        if c in shift_for:
            out.append((EV_KEY, SHIFT, 0))
    return out


def test_keys_to_text_maps_digits_and_enter():
    events = [(4, 4, 458783)] + keys(5, 11, 2, 28)   # MSC_SCAN noise, then 4 0 1 Enter
    assert keys_to_text(events) == "401\r"


def test_keys_to_text_tracks_shift_and_ignores_unknown_keys():
    events = keys(30, 48, 12, 125, shift_for=(30, 12)) + keys(28)
    assert keys_to_text(events) == "Ab_\r"


def test_keys_to_text_accepts_event_objects():
    class Ev:
        def __init__(self, t, c, v):
            self.type, self.code, self.value = t, c, v
    assert keys_to_text([Ev(1, 2, 1), Ev(1, 2, 0), Ev(1, 96, 1)]) == "1\r"


def test_hid_scanner_without_evdev_or_device_is_a_clear_error():
    with pytest.raises(ScannerError) as e:
        HidScanner("/dev/input/nonexistent-event-kbd")
    assert e.value.code in ("SCANNER_NOT_AVAILABLE", "SCANNER_NOT_CONNECTED")
    assert "scanner:" in e.value.detail
