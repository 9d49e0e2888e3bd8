"""Massa-K protocol 100 frames: the published test vector, the three CRC variants, net weight and tare, errors."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hal.errors import DeviceError, ProtocolError
from hal.protocols import massak
from hal.protocols.massak import CrcVariant


def test_get_massa_matches_the_vladstandard_test_vector():
    assert massak.encode(massak.Cmd.GET_MASSA).hex(" ") == "f8 55 ce 01 00 23 23 00"


def test_the_ccitt_variants_give_the_catalogue_check_values():
    # CRC-16/XMODEM and CRC-16/CCITT-FALSE of "123456789" (the CRC catalogue's check values).
    assert massak.crc16_ccitt(b"123456789", 0x0000) == 0x31C3
    assert massak.crc16_ccitt(b"123456789", 0xFFFF) == 0x29B1


def test_each_variant_frames_get_massa_with_its_own_crc():
    frames = {v: massak.encode(massak.Cmd.GET_MASSA, crc=v) for v in CrcVariant}
    assert frames[CrcVariant.CCITT_0000].hex(" ") == "f8 55 ce 01 00 23 01 14"
    assert frames[CrcVariant.CCITT_FFFF].hex(" ") == "f8 55 ce 01 00 23 f1 f5"
    with pytest.raises(ProtocolError) as e:
        massak.decode(frames[CrcVariant.CCITT_FFFF], CrcVariant.VENDOR)
    assert e.value.code == "SCALE_BAD_CHECKSUM"


def test_the_weight_answer_round_trips_and_divisions_scale():
    r = massak.to_reading(massak.decode(massak.encode_weight(1234)))
    assert (r.weight_g, r.stable, r.net, r.tare_g) == (1234, True, False, None)
    data = massak.AckMassa.build({"weight": 12345, "division": 0, "stable": 1, "net": 0, "zero": 0, "tare": None})
    assert massak.to_reading(massak.Message(massak.Cmd.ACK_MASSA, data)).weight_g == 1234
    data = massak.AckMassa.build({"weight": -3, "division": 2, "stable": 0, "net": 0, "zero": 0, "tare": 0})
    r = massak.to_reading(massak.Message(massak.Cmd.ACK_MASSA, data))
    assert (r.weight_g, r.negative, r.stable) == (-30, True, False)


def test_a_net_weight_carries_its_tare():
    frame = bytes.fromhex("f8 55 ce 0d 00 24 d3 04 00 00 01 01 01 00 96 00 00 00")
    frame += massak.crc16(frame[5:]).to_bytes(2, "little")
    r = massak.to_reading(massak.decode(frame))
    assert (r.weight_g, r.net, r.tare_g) == (1235, True, 150)
    assert massak.encode_weight(1235, tare_g=150) == frame


def test_a_bad_crc_and_an_overload_error():
    with pytest.raises(ProtocolError) as e:
        massak.decode(massak.encode_weight(10, corrupt=True))
    assert e.value.code == "SCALE_BAD_CHECKSUM"
    assert massak.to_reading(massak.decode(massak.encode_error(massak.ErrorCode.OVERLOAD))).overload


def test_other_errors_are_refusals_naming_the_code():
    with pytest.raises(ProtocolError) as e:
        massak.to_reading(massak.decode(massak.encode_error(massak.ErrorCode.NO_WEIGHING_MODULE)))
    assert e.value.code == "SCALE_REFUSED" and "0x17 NO_WEIGHING_MODULE" in e.value.detail


@settings(max_examples=300)
@given(st.one_of(st.binary(max_size=40), st.binary(max_size=30).map(lambda b: massak.HEADER + b)))
def test_the_parser_gives_a_reading_or_a_device_error(data):
    try:
        massak.to_reading(massak.decode(data))
    except DeviceError:
        pass


@settings(max_examples=300)
@given(st.binary(max_size=30), st.sampled_from(list(CrcVariant)))
def test_any_body_with_a_good_crc_parses_or_is_a_protocol_error(body, variant):
    try:
        massak.to_reading(massak.decode(massak.FRAMES[variant].build({"body": body}), variant))
    except ProtocolError:
        pass
