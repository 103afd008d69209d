"""Length-prefixed msgpack frames: a 4-byte big-endian body length, then a msgpack body.

The same framing works over a pipe (stdio) or a socket; this module only needs binary streams
with ``read``/``write``/``flush``.
"""

from __future__ import annotations

import struct
from typing import Any, BinaryIO

import msgpack

from .errors import BadFrameError

HEADER = struct.Struct(">I")
MAX_FRAME_BYTES = 256 * 1024 * 1024
"""Largest body accepted or sent (256 MiB): a larger length is a corrupt or hostile stream."""


def encode_frame(obj: Any) -> bytes:
    """Header + msgpack body of one value (maps, lists, str, int, float, bool, None, bytes)."""
    body = msgpack.packb(obj, use_bin_type=True)
    if len(body) > MAX_FRAME_BYTES:
        raise BadFrameError(f"frame of {len(body)} bytes exceeds {MAX_FRAME_BYTES}")
    return HEADER.pack(len(body)) + body


def decode_body(body: bytes) -> Any:
    """msgpack body -> value; a body that is not one whole msgpack value is a BadFrameError."""
    try:
        return msgpack.unpackb(body, raw=False, strict_map_key=False)
    except Exception as e:  # msgpack raises several unrelated types for corrupt input
        raise BadFrameError(f"body is not valid msgpack: {e}") from e


def _read_exactly(stream: BinaryIO, n: int) -> bytes:
    chunks: list[bytes] = []
    left = n
    while left > 0:
        chunk = stream.read(left)
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_frame(stream: BinaryIO) -> Any | None:
    """Next value from ``stream``; None at a clean end of stream (between frames).

    A stream that ends inside a frame, or announces a body over MAX_FRAME_BYTES, raises
    BadFrameError: the stream cannot be resynchronised after that.
    """
    header = _read_exactly(stream, HEADER.size)
    if not header:
        return None
    if len(header) < HEADER.size:
        raise BadFrameError("stream ended inside a frame header")
    (length,) = HEADER.unpack(header)
    if length > MAX_FRAME_BYTES:
        raise BadFrameError(f"announced frame of {length} bytes exceeds {MAX_FRAME_BYTES}")
    body = _read_exactly(stream, length)
    if len(body) < length:
        raise BadFrameError(f"stream ended after {len(body)} of {length} body bytes")
    return decode_body(body)


def write_frame(stream: BinaryIO, obj: Any) -> None:
    """Write one frame and flush, so the reader sees it at once."""
    stream.write(encode_frame(obj))
    stream.flush()
