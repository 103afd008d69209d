"""Frames: 4-byte big-endian length + msgpack body, read back exactly; corrupt streams are coded errors."""

import io
import struct

import pytest

from factrecall_worker.errors import BadFrameError
from factrecall_worker.framing import MAX_FRAME_BYTES, encode_frame, read_frame, write_frame


def test_a_sequence_of_frames_round_trips_and_ends_cleanly():
    values = [
        {"id": 1, "method": "generate", "params": {"prompts": ["Who?", [1, 2, 3]], "top_p": 0.9}},
        {"id": None, "event": "progress", "loss": 1.25},
        {"bytes": b"\x00\xff", "nested": [[], {}, None, True, -7, 2**40]},
    ]
    buf = io.BytesIO()
    for v in values:
        write_frame(buf, v)
    buf.seek(0)
    assert [read_frame(buf) for _ in values] == values
    assert read_frame(buf) is None


def test_the_header_is_the_big_endian_body_length():
    frame = encode_frame({"a": 1})
    (length,) = struct.unpack(">I", frame[:4])
    assert length == len(frame) - 4


def test_a_stream_cut_inside_a_header_or_body_is_a_bad_frame():
    frame = encode_frame({"id": 1, "method": "info"})
    with pytest.raises(BadFrameError, match="header"):
        read_frame(io.BytesIO(frame[:2]))
    with pytest.raises(BadFrameError, match="body bytes"):
        read_frame(io.BytesIO(frame[:-1]))


def test_an_oversized_length_or_a_non_msgpack_body_is_a_bad_frame():
    with pytest.raises(BadFrameError, match="exceeds"):
        read_frame(io.BytesIO(struct.pack(">I", MAX_FRAME_BYTES + 1)))
    with pytest.raises(BadFrameError, match="msgpack"):
        read_frame(io.BytesIO(struct.pack(">I", 2) + b"\xc1\xc1"))
    assert BadFrameError("x").to_wire()["code"] == "FR_ERR_WORKER_BAD_FRAME"
