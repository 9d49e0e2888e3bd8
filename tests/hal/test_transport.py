"""Serial line settings: parsed from a config section, applied to real ports, kept at 8N1 on a pty, refusals named."""
import termios

import pytest
import serial

from hal.errors import TransportError
from hal.transport import EIGHT_N_ONE, SerialParams, SerialTransport, is_pty, open_transport
from sim.ptyport import PtyPort


def test_the_framing_reads_as_on_a_scales_label():
    assert str(SerialParams(9600, 7, "E", 1)) == "9600 7E1"
    assert str(SerialParams(57600)) == "57600 8N1"
    assert str(SerialParams(4800, 8, "N", 2)) == "4800 8N2"


def test_a_config_section_overrides_the_protocol_default_key_by_key():
    default = SerialParams(9600, 7, "E", 1)
    assert SerialParams.from_section({}, default) == default
    assert SerialParams.from_section({"baud": 19200}, default) == SerialParams(19200, 7, "E", 1)
    assert SerialParams.from_section({"parity": "none", "data_bits": 8}, default) == SerialParams(9600, 8, "N", 1)
    assert SerialParams.from_section({"parity": "Odd", "stop_bits": 2}, default) == SerialParams(9600, 7, "O", 2)


@pytest.mark.parametrize("section,word", [
    ({"baud": 9601}, "baud"), ({"data_bits": 9}, "data_bits"), ({"parity": "sideways"}, "parity"),
    ({"stop_bits": 3}, "stop_bits"), ({"baud": "fast"}, "numbers"),
])
def test_a_bad_line_setting_is_one_refusal_naming_the_key(section, word):
    with pytest.raises(TransportError) as e:
        SerialParams.from_section(section, EIGHT_N_ONE)
    assert e.value.code == "BAD_CONFIG" and word in e.value.detail


def test_a_pty_keeps_8n1_and_the_name_says_what_was_not_applied():
    port = PtyPort()
    try:
        assert is_pty(port.path) and not is_pty("/dev/null")
        t = SerialTransport(port.path, SerialParams(9600, 7, "E", 1))
        try:
            assert (t.params.bytesize, t.params.parity) == (8, "N")
            assert t.name == f"{port.path} at 9600 baud (pty: 9600 7E1 not applied)"
            t.write(bytes([0xE1]))                  # all eight bits cross the pty
            assert port.read(1, 1.0) == bytes([0xE1])
        finally:
            t.close()
    finally:
        port.close()


def test_a_non_pty_gets_the_framing_it_asked_for():
    t = open_transport("loop://", SerialParams(9600, 7, "E", 1))
    try:
        assert t.name == "loop:// at 9600 baud 7E1"
    finally:
        t.close()


def test_a_termios_refusal_is_a_transport_error_naming_the_port(monkeypatch):
    def refuse(*args):
        raise termios.error(22, "Invalid argument")
    monkeypatch.setattr(serial.serialposix.termios, "tcsetattr", refuse)
    port = PtyPort()
    try:
        with pytest.raises(TransportError) as e:
            SerialTransport(port.path, SerialParams(9600))
        assert e.value.code == "NOT_CONNECTED" and "termios.error" in e.value.detail and port.path in e.value.detail
    finally:
        port.close()


def test_a_plain_baud_rate_still_means_8n1():
    t = open_transport("loop://", 4800)
    try:
        assert t.name == "loop:// at 4800 baud"
    finally:
        t.close()
