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


def test_a_datamatrix_reaches_the_serial_driver_with_its_gs_or_without_them_for_the_repair_path():
    from fiscal.marking import GS, parse_code
    from hal.scanner import SerialScanner
    from sim.scanner import belarusian_si
    sim = SimScanner().start()
    driver = SerialScanner(open_transport(sim.address))
    try:
        code = belarusian_si("4811234567896", "2AAAAAAAAAAA1")
        sim.scan_marking(code, aim=True)
        read = driver.read(2).code
        assert read == "]d2" + code and parse_code(read).code == code
        sim.scan_marking(code, keep_gs=False)
        read = driver.read(2).code
        assert GS not in read
        m = parse_code(read)
        assert m.repaired and m.code == code
    finally:
        driver.close()
        sim.stop()


def test_belarusian_codes_are_valid_and_footwear_has_the_long_crypto_code():
    from fiscal.marking import parse_code
    from sim.scanner import belarusian_si
    shoe = parse_code(belarusian_si("481000000010", "2BBBBBBBBBBB1", footwear=True))
    assert shoe.gtin == "04810000000100" and len(shoe.code.split("\x1d")[-1]) == 90
    assert belarusian_si("4811234567896", "2AAAAAAAAAAA1") == belarusian_si("04811234567896", "2AAAAAAAAAAA1")
