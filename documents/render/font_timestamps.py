"""Pin the modification time inside embedded font subsets.

When HarfBuzz-subset is not installed, WeasyPrint subsets fonts with fontTools, which stamps
each subset's ``head.modified`` with the current time; two renders a second apart then differ.
A WeasyPrint ``finisher`` calls :func:`pin_font_timestamps` to set ``modified`` back to the
font's own ``created`` time and recompute the checksums, so the embedded bytes are stable.
"""

from __future__ import annotations

import struct
from typing import Any

_HEAD_CHECKSUM_ADJUSTMENT = 8
_HEAD_CREATED = 20
_HEAD_MODIFIED = 28
_MAGIC = 0xB1B0AFBA


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF


def _tables(font: bytes) -> dict[bytes, tuple[int, int, int]]:
    """Table tag -> (directory entry offset, table offset, table length)."""
    (count,) = struct.unpack_from(">H", font, 4)
    tables = {}
    for index in range(count):
        entry = 12 + 16 * index
        tag, _, offset, length = struct.unpack_from(">4sIII", font, entry)
        tables[tag] = (entry, offset, length)
    return tables


def pin_modified(font: bytes) -> bytes:
    """``font`` (TrueType/OpenType, not a collection) with head.modified = head.created."""
    if font[:4] not in (b"\0\1\0\0", b"OTTO", b"true"):
        return font
    tables = _tables(font)
    if b"head" not in tables:
        return font
    entry, head, length = tables[b"head"]
    data = bytearray(font)
    data[head + _HEAD_MODIFIED : head + _HEAD_MODIFIED + 8] = font[
        head + _HEAD_CREATED : head + _HEAD_CREATED + 8
    ]
    struct.pack_into(">I", data, head + _HEAD_CHECKSUM_ADJUSTMENT, 0)
    struct.pack_into(">I", data, entry + 4, _checksum(bytes(data[head : head + length])))
    adjustment = (_MAGIC - _checksum(bytes(data))) & 0xFFFFFFFF
    struct.pack_into(">I", data, head + _HEAD_CHECKSUM_ADJUSTMENT, adjustment)
    return bytes(data)


def pin_font_timestamps(document: Any, pdf: Any) -> None:
    """WeasyPrint finisher: pin the timestamps of every embedded font file in ``pdf``."""
    for obj in pdf.objects:
        extra = getattr(obj, "extra", None)
        chunks = getattr(obj, "stream", None)
        if not extra or chunks is None or "Length1" not in extra:
            continue
        font = b"".join(chunk if isinstance(chunk, bytes) else bytes(chunk) for chunk in chunks)
        obj.stream = [pin_modified(font)]
