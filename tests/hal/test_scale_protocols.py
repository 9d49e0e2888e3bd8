"""Scale wire formats: byte-exact frames and fuzzing of the CAS, Massa-K and Toledo 8217 parsers."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hal.errors import DeviceError, ProtocolError
from hal.protocols import cas, massak, mt8217


def test_cas_stable_1234_g_frame_is_byte_exact():
    assert cas.encode_frame(1234).hex(" ") == "01 02 53 20 30 31 2e 32 33 34 6b 67 65 03 04"


def test_cas_frame_decodes_weight_without_floats():
    r = cas.decode_frame(bytes.fromhex("01 02 53 20 30 31 2e 32 33 34 6b 67 65 03 04"))
    assert (r.weight_g, r.stable, r.overload, r.negative) == (1234, True, False, False)


def test_cas_unstable_negative_and_overload_flags_decode():
    assert cas.decode_frame(cas.encode_frame(-250, stable=False)).weight_g == -250
    assert cas.decode_frame(cas.encode_frame(-250, stable=False)).negative
    assert not cas.decode_frame(cas.encode_frame(5, stable=False)).stable
    assert cas.decode_frame(cas.encode_frame(0, overload=True)).overload


def test_cas_bad_bcc_is_a_checksum_error():
    with pytest.raises(ProtocolError) as e:
        cas.decode_frame(cas.encode_frame(1234, corrupt=True))
    assert e.value.code == "SCALE_BAD_CHECKSUM"


def test_kg_text_parses_to_grams_exactly():
    assert cas.kg_text_to_grams("01.234") == 1234
    assert cas.kg_text_to_grams(" 0.5") == 500
    assert cas.kg_text_to_grams("12") == 12000
    with pytest.raises(ProtocolError):
        cas.kg_text_to_grams("1.2345")


def test_massak_get_massa_request_is_byte_exact():
    assert massak.encode(massak.Cmd.GET_MASSA).hex(" ") == "f8 55 ce 01 00 23 23 00"


def test_massak_weight_answer_round_trips_and_divisions_scale():
    r = massak.to_reading(massak.decode(massak.encode_weight(1234)))
    assert (r.weight_g, r.stable) == (1234, True)
    data = massak.AckMassa.build({"weight": 12345, "division": 0, "stable": 1, "net": 0, "zero": 0, "tare": None})
    assert massak.to_reading(massak.Message(massak.Cmd.ACK_MASSA, data)).weight_g == 1234
    data = massak.AckMassa.build({"weight": -3, "division": 2, "stable": 0, "net": 0, "zero": 0, "tare": 0})
    r = massak.to_reading(massak.Message(massak.Cmd.ACK_MASSA, data))
    assert (r.weight_g, r.negative, r.stable) == (-30, True, False)


def test_massak_bad_crc_and_overload_error():
    with pytest.raises(ProtocolError) as e:
        massak.decode(massak.encode_weight(10, corrupt=True))
    assert e.value.code == "SCALE_BAD_CHECKSUM"
    assert massak.to_reading(massak.decode(massak.encode_error(massak.ErrorCode.OVERLOAD))).overload


def test_mt8217_weight_and_status_frames():
    assert mt8217.encode_weight(1234) == b"\x0201.234\r"
    assert mt8217.decode(b"\x0201.234\r").weight_g == 1234
    motion = mt8217.encode_status(mt8217.Status(motion=True))
    assert motion[:2] == b"\x02?" and motion[2] & 0x61 == 0x61
    assert not mt8217.decode(motion).stable
    assert mt8217.decode(mt8217.encode_status(mt8217.Status(over_capacity=True))).overload
    assert mt8217.decode(mt8217.encode_status(mt8217.Status(under_zero=True))).negative


def test_mt8217_status_byte_has_even_parity():
    for s in (mt8217.Status(), mt8217.Status(motion=True), mt8217.Status(True, True, True, True, True)):
        assert bin(s.to_byte()).count("1") % 2 == 0


@settings(max_examples=300)
@given(st.binary(max_size=40))
def test_cas_parser_gives_a_reading_or_a_protocol_error(data):
    try:
        cas.decode_frame(data)
    except ProtocolError:
        pass


@settings(max_examples=300)
@given(st.binary(max_size=15, min_size=15))
def test_cas_parser_on_exact_size_garbage_never_crashes(data):
    try:
        assert cas.decode_frame(data).weight_g <= cas.MAX_GRAMS
    except ProtocolError:
        pass


@settings(max_examples=300)
@given(st.one_of(st.binary(max_size=40), st.binary(max_size=30).map(lambda b: massak.HEADER + b)))
def test_massak_parser_gives_a_reading_or_a_device_error(data):
    try:
        massak.to_reading(massak.decode(data))
    except DeviceError:
        pass


@settings(max_examples=300)
@given(st.binary(max_size=30))
def test_massak_any_body_with_a_good_crc_parses_or_is_a_protocol_error(body):
    try:
        massak.to_reading(massak.decode(massak.Frame.build({"body": body})))
    except ProtocolError:
        pass


@settings(max_examples=300)
@given(st.one_of(st.binary(max_size=20), st.binary(max_size=8).map(lambda b: b"\x02" + b + b"\r")))
def test_mt8217_parser_gives_a_reading_or_a_protocol_error(data):
    try:
        mt8217.decode(data)
    except ProtocolError:
        pass


@settings(max_examples=100)
@given(st.integers(min_value=-99_999, max_value=99_999), st.booleans())
def test_cas_encode_decode_round_trips(weight, stable):
    r = cas.decode_frame(cas.encode_frame(weight, stable))
    assert (r.weight_g, r.stable, r.negative) == (weight, stable, weight < 0)
