"""hal.sko.link: pings answered by the reader while idle, replies routed by replyAddress, the end of a link explained."""
import socket
import struct
import threading
import time

import pytest
from ikassa_replay import ReplayService

from hal.errors import TransportError
from hal.protocols.ikassa import Envelope, FrameCodec, MessageType
from hal.sko.link import Link, LinkClosed


def test_every_ping_is_answered_within_two_seconds_while_nobody_calls():
    with ReplayService(ping_every=0.3) as svc:
        host, port = svc.address.split(":")
        link = Link(host, int(port), FrameCodec(), 2.0)
        try:
            time.sleep(1.2)
            assert len(svc.pongs) >= 3 and link.pings >= 3
            for (at, pong), sent in zip(svc.pongs, svc.pings_sent):
                assert pong == {"type": "pong", "address": "ik.pong.1", "headers": {}} and at - sent < 2.0
        finally:
            link.close()


def test_a_reply_is_the_message_sent_to_the_requests_reply_address():
    with ReplayService({"nextChequeNumber": 7}) as svc:
        host, port = svc.address.split(":")
        link = Link(host, int(port), FrameCodec(), 2.0)
        try:
            env = Envelope(MessageType.SEND, "ik.service.token", {"action": "nextChequeNumber"}, None, "me.1")
            assert link.call(env, 2.0).data == 7
        finally:
            link.close()


def _server(script):
    """A one-shot service whose behaviour after reading one request is `script(conn, request)`."""
    ls = socket.create_server(("127.0.0.1", 0))

    def run():
        c, _ = ls.accept()
        size = struct.unpack(">i", c.recv(4))[0]
        req = c.recv(size)
        script(c, req)
    threading.Thread(target=run, daemon=True).start()
    return ls.getsockname()[1]


def test_an_answer_for_another_reply_address_is_not_taken_for_ours():
    codec = FrameCodec()

    def stale(c, req):
        c.sendall(codec.encode(Envelope(MessageType.SEND, "someone.else", {}, 99)))
        time.sleep(1.5)                    # the link stays up: the request simply gets no answer
    port = _server(stale)
    link = Link("127.0.0.1", port, codec, 1.0)
    with pytest.raises(TransportError) as e:
        link.call(Envelope(MessageType.SEND, "ik.service.token", {"action": "nextChequeNumber"}, None, "me.1"), 0.5)
    assert e.value.code == "NO_ANSWER"
    link.close()


def test_a_garbled_frame_ends_the_link_and_says_so():
    port = _server(lambda c, req: c.sendall(b"\x00\x00\x00\x05{{{{{"))
    link = Link("127.0.0.1", port, FrameCodec(), 1.0)
    with pytest.raises(LinkClosed) as e:
        link.call(Envelope(MessageType.SEND, "a", {"action": "x"}, None, "me.1"), 2.0)
    assert e.value.garbled is not None and not link.alive
    link.close()


def test_an_error_to_the_default_error_address_before_the_close_is_kept_as_the_reason():
    codec = FrameCodec()

    def busy(c, req):
        c.sendall(codec.encode(Envelope(MessageType.ERROR, "topics.default.error", {}, {"code": 40})))
        c.close()
    link = Link("127.0.0.1", _server(busy), codec, 1.0)
    with pytest.raises(LinkClosed) as e:
        link.call(Envelope(MessageType.SEND, "a", {"action": "x"}, None, "me.1"), 2.0)
    assert e.value.service_error.data == {"code": 40} and e.value.heard
    link.close()


def test_nothing_listening_is_not_connected():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    with pytest.raises(TransportError) as e:
        Link("127.0.0.1", port, FrameCodec(), 0.5)
    assert e.value.code == "NOT_CONNECTED"
