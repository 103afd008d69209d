"""Deadlines and lost connections on both bindings, against servers that misbehave on purpose."""
from __future__ import annotations

import threading
import time
from concurrent import futures

import grpc
import pytest
from websockets.sync.server import serve

from factrecall_client import ProtocolError, connect
from factrecall_client._proto import factrecall_pb2_grpc


class _SilentServicer(factrecall_pb2_grpc.FactRecallServicer):
    """Reads every request of the Session stream and never answers (or ends it at once)."""

    def __init__(self, hang_up: bool) -> None:
        self.hang_up = hang_up

    def Session(self, request_iterator, context):  # noqa: N802 (gRPC's name)
        if self.hang_up:
            return
        for _ in request_iterator:
            pass
        yield from ()


def _grpc_server(hang_up: bool):
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    factrecall_pb2_grpc.add_FactRecallServicer_to_server(_SilentServicer(hang_up), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    return server, f"grpc://127.0.0.1:{port}"


def _ws_server(hang_up: bool):
    def handler(ws):
        if hang_up:
            ws.close()
            return
        for _ in ws:
            pass

    server = serve(handler, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"ws://127.0.0.1:{server.socket.getsockname()[1]}/v1/ws"


@pytest.mark.parametrize("binding", ["ws", "grpc"])
def test_a_server_that_never_answers_gives_a_coded_deadline_error_in_time(binding):
    server, url = (_ws_server if binding == "ws" else _grpc_server)(hang_up=False)
    try:
        started = time.monotonic()
        with pytest.raises(ProtocolError) as e:
            connect(url, timeout=0.5)
        assert e.value.code == "FR_ERR_PROTO_DEADLINE"
        assert e.value.retryable
        assert time.monotonic() - started < 5
    finally:
        server.shutdown() if binding == "ws" else server.stop(0)


@pytest.mark.parametrize("binding", ["ws", "grpc"])
def test_a_server_that_hangs_up_gives_a_coded_connection_lost_error(binding):
    server, url = (_ws_server if binding == "ws" else _grpc_server)(hang_up=True)
    try:
        with pytest.raises(ProtocolError) as e:
            connect(url, timeout=5)
        assert e.value.code == "FR_ERR_PROTO_CONNECTION_LOST"
    finally:
        server.shutdown() if binding == "ws" else server.stop(0)
