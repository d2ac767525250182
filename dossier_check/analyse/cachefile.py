"""The container of the binary caches in ``models/``: a magic line, a JSON header, a zlib body.

    MAGIC | u32 little-endian header length | JSON header | zlib-compressed body

Used by the precompiled-regex cache (:mod:`.nlp`) and the compact lemmatizer tables
(:mod:`.lemma_tables`); each says what its header and body hold."""
from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path


def write(path: Path, magic: bytes, header: dict, body: bytes) -> Path:
    raw = json.dumps(header, ensure_ascii=False).encode("utf-8")
    path.write_bytes(magic + struct.pack("<I", len(raw)) + raw + zlib.compress(body, 6))
    return path


def read_header(path: Path, magic: bytes) -> tuple[dict, bytes] | None:
    """``(header, compressed body)``, or None when the file is absent, of another kind or damaged."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if not data.startswith(magic):
        return None
    try:
        (n,) = struct.unpack_from("<I", data, len(magic))
        start = len(magic) + 4
        header = json.loads(data[start:start + n])
    except (struct.error, ValueError):
        return None
    return (header, data[start + n:]) if isinstance(header, dict) else None


def body(compressed: bytes) -> bytes | None:
    try:
        return zlib.decompress(compressed)
    except zlib.error:
        return None
