"""The simulated scanner writes each code plus its suffix to the pty, byte for byte."""
from hal.transport import open_transport, read_exact
from sim.scanner import SimScanner


def test_scan_writes_code_and_cr_with_gs_intact():
    sim = SimScanner().start()
    port = open_transport(sim.address)
    try:
        sim.scan("01046\x1d93ab")
        assert read_exact(port, 11, 1) == b"01046\x1d93ab\r"
        port.write(b"\x16")           # bytes from the host are ignored, not echoed
        sim.scan("1")
        assert read_exact(port, 2, 1) == b"1\r"
    finally:
        port.close()
        sim.stop()


def test_suffix_is_configurable():
    sim = SimScanner(suffix=b"\r\n").start()
    port = open_transport(sim.address)
    try:
        sim.scan("42")
        assert read_exact(port, 4, 1) == b"42\r\n"
    finally:
        port.close()
        sim.stop()
