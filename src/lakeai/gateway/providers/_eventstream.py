"""Decoder for AWS's binary event-stream framing (``application/vnd.amazon.eventstream``).

Bedrock's ``converse-stream`` answers in this format, not SSE: each message is a prelude
(total length, headers length, CRC32), typed headers, a JSON payload and a trailing CRC32. A
frame whose checksum fails means a broken connection, and is reported as such.
"""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Iterator
from typing import Any

# Header value types: 0/1 bool, 2 byte, 3 short, 4 int, 5 long, 6 bytes, 7 string, 8 time, 9 uuid.
_FIXED = {2: 1, 3: 2, 4: 4, 5: 8, 8: 8, 9: 16}


class EventStreamError(ValueError):
    """A frame that does not parse or whose checksum is wrong."""


def _headers(raw: bytes) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    pos = 0
    while pos < len(raw):
        name_len = raw[pos]
        name = raw[pos + 1 : pos + 1 + name_len].decode()
        kind = raw[pos + 1 + name_len]
        pos += 2 + name_len
        if kind in (0, 1):
            headers[name] = kind == 0
        elif kind in (6, 7):
            (size,) = struct.unpack(">H", raw[pos : pos + 2])
            value = raw[pos + 2 : pos + 2 + size]
            headers[name] = value.decode() if kind == 7 else value
            pos += 2 + size
        elif kind in _FIXED:
            headers[name] = raw[pos : pos + _FIXED[kind]]
            pos += _FIXED[kind]
        else:
            raise EventStreamError(f"unknown event-stream header type {kind}")
    return headers


class EventStreamDecoder:
    """Feed bytes as they arrive; iterate complete ``(headers, payload)`` messages."""

    def __init__(self) -> None:
        self._buffer = b""

    def feed(self, data: bytes) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        self._buffer += data
        while len(self._buffer) >= 12:
            total, headers_len, prelude_crc = struct.unpack(">III", self._buffer[:12])
            if zlib.crc32(self._buffer[:8]) != prelude_crc:
                raise EventStreamError("event-stream prelude checksum mismatch")
            if len(self._buffer) < total:
                return
            frame, self._buffer = self._buffer[:total], self._buffer[total:]
            (message_crc,) = struct.unpack(">I", frame[-4:])
            if zlib.crc32(frame[:-4]) != message_crc:
                raise EventStreamError("event-stream message checksum mismatch")
            headers = _headers(frame[12 : 12 + headers_len])
            payload = frame[12 + headers_len : -4]
            yield headers, json.loads(payload) if payload else {}


def encode(headers: dict[str, str], payload: dict[str, Any]) -> bytes:
    """One frame with string headers (what AWS sends; used by the test fake and tests)."""
    raw_headers = b"".join(
        bytes([len(k)]) + k.encode() + b"\x07" + struct.pack(">H", len(v.encode())) + v.encode()
        for k, v in headers.items()
    )
    body = json.dumps(payload).encode()
    total = 12 + len(raw_headers) + len(body) + 4
    prelude = struct.pack(">II", total, len(raw_headers))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    frame = prelude + raw_headers + body
    return frame + struct.pack(">I", zlib.crc32(frame))
