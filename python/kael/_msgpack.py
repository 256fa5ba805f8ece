"""A msgpack decoder (decoding only): frames announce themselves in msgpack, and the client should
need nothing but pika. Everything the client sends is JSON, which frames accept and answer in kind.
"""

import struct
from datetime import datetime, timedelta, timezone

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class _Reader:
    __slots__ = ("data", "pos")

    def __init__(self, data):
        self.data = data
        self.pos = 0

    def take(self, n):
        start = self.pos
        self.pos += n
        if self.pos > len(self.data):
            raise ValueError("msgpack data ends early")
        return self.data[start : self.pos]

    def unpack(self, fmt):
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]


def unpackb(data):
    """Decodes one msgpack value. Timestamps become aware datetimes; other extensions ``(type, bytes)``.

    :raises ValueError: the data is not one complete msgpack value.
    """
    reader = _Reader(memoryview(data).tobytes())
    value = _read(reader)
    if reader.pos != len(reader.data):
        raise ValueError("extra bytes after the msgpack value")
    return value


_FIXED = {
    0xC0: None,
    0xC2: False,
    0xC3: True,
}
_NUMBERS = {
    0xCA: ">f", 0xCB: ">d",
    0xCC: ">B", 0xCD: ">H", 0xCE: ">I", 0xCF: ">Q",
    0xD0: ">b", 0xD1: ">h", 0xD2: ">i", 0xD3: ">q",
}
_LENGTHS = {  # type byte -> (length format, kind)
    0xD9: (">B", "str"), 0xDA: (">H", "str"), 0xDB: (">I", "str"),
    0xC4: (">B", "bin"), 0xC5: (">H", "bin"), 0xC6: (">I", "bin"),
    0xDC: (">H", "array"), 0xDD: (">I", "array"),
    0xDE: (">H", "map"), 0xDF: (">I", "map"),
    0xC7: (">B", "ext"), 0xC8: (">H", "ext"), 0xC9: (">I", "ext"),
}
_FIXEXT = {0xD4: 1, 0xD5: 2, 0xD6: 4, 0xD7: 8, 0xD8: 16}


def _read(r):
    b = r.take(1)[0]
    if b <= 0x7F:
        return b
    if b >= 0xE0:
        return b - 0x100
    if 0xA0 <= b <= 0xBF:
        return _sized(r, b & 0x1F, "str")
    if 0x90 <= b <= 0x9F:
        return _sized(r, b & 0x0F, "array")
    if 0x80 <= b <= 0x8F:
        return _sized(r, b & 0x0F, "map")
    if b in _FIXED:
        return _FIXED[b]
    if b in _NUMBERS:
        return r.unpack(_NUMBERS[b])
    if b in _LENGTHS:
        fmt, kind = _LENGTHS[b]
        return _sized(r, r.unpack(fmt), kind)
    if b in _FIXEXT:
        return _ext(r, _FIXEXT[b])
    raise ValueError("unknown msgpack type byte 0x%02x" % b)


def _sized(r, n, kind):
    if kind == "str":
        return r.take(n).decode("utf-8")
    if kind == "bin":
        return r.take(n)
    if kind == "array":
        return [_read(r) for _ in range(n)]
    if kind == "map":
        out = {}
        for _ in range(n):
            key = _read(r)
            out[key] = _read(r)
        return out
    return _ext(r, n)


def _ext(r, n):
    code = r.unpack(">b")
    data = r.take(n)
    if code != -1:
        return (code, data)
    if n == 4:
        seconds, nanos = struct.unpack(">I", data)[0], 0
    elif n == 8:
        packed = struct.unpack(">Q", data)[0]
        seconds, nanos = packed & 0x3FFFFFFFF, packed >> 34
    elif n == 12:
        nanos, seconds = struct.unpack(">Iq", data)
    else:
        raise ValueError("bad msgpack timestamp length %d" % n)
    return _EPOCH + timedelta(seconds=seconds, microseconds=nanos // 1000)
