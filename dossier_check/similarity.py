"""Very similar passages between documents of different candidates.

Method (documented for trainers in README.md (section « Vérifier toute une classe »)):

* each document's counted text (cover and sommaire left out) is cut into
  words; case and accents are ignored; every run of 5 consecutive words is a
  *shingle*;
* shingles found in more than half of the class's documents of the same
  competence (and in at least five, in groups of six or more) are template text — the référentiel's
  wording, a plan given by the trainer, common headings — and are ignored;
* two documents are compared on their shared shingles. The reported
  **similarity** is the share of the shorter document's shingles that are also
  in the other one (containment: it catches a copied half of a document as well
  as a whole copy); the Jaccard index (shared / union) is given too;
* a pair is flagged when the similarity reaches the threshold
  (:data:`DEFAULT_THRESHOLD`, 30 %, ``--seuil-similarite``) and at least
  :data:`MIN_SHARED_SHINGLES` shingles are shared. Two independent documents on
  the same subject share well under 5 % of their 5-word runs; a copy edited here
  and there stays far above 30 %.

Within a class, documents of the same competence are compared (a document whose
competence is unknown is compared with all); former documents
(``--compare-with``) are compared with every document of the class.

Exact comparison, no sampling (MinHash would only pay off for much larger
corpora): each pair is a set intersection of shingle ids, a few microseconds;
a class of 60 documents takes a few hundredths of a second, plus some
milliseconds per former document. The wording is never « plagiat »: the report says « passages très
similaires » and quotes them, and the trainer judges.
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

SHINGLE_WORDS = 5
DEFAULT_THRESHOLD = 0.30
MIN_SHARED_SHINGLES = 15
MAX_PASSAGES = 3
MAX_PASSAGE_CHARS = 400

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class DocSide:
    candidate: str | None  # None: a former document (--compare-with)
    file: str
    competence: str | None


@dataclass
class SimilarPair:
    a: DocSide
    b: DocSide
    similarity: float  # containment, 0..1
    jaccard: float
    shared_words: int  # words of A inside shared passages
    passages: list[str] = field(default_factory=list)  # quoted from A

    @property
    def percent(self) -> int:
        return round(self.similarity * 100)

    def to_dict(self) -> dict:
        return {
            "a": self.a.__dict__, "b": self.b.__dict__, "similarity": round(self.similarity, 3),
            "jaccard": round(self.jaccard, 3), "shared_words": self.shared_words, "passages": self.passages,
        }


def _fold(word: str) -> str:
    norm = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in norm if not unicodedata.combining(ch)).casefold()


def _build_fold_table() -> dict[int, str]:
    """Accented letters -> their base letter, one character for one (offsets kept)."""
    table = {}
    for code in range(0xC0, 0x250):
        ch = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        if len(base) == 1 and base != ch:
            table[code] = base
    table.update({ord("œ"): "œ", ord("æ"): "æ", ord("’"): "'"})
    return table


_FOLD_TABLE = _build_fold_table()


def _fold_text(text: str) -> str:
    """Lower case without accents, same length as ``text`` (so that word offsets
    found in the result point into the original)."""
    low = text.lower()
    if len(low) != len(text):  # rare: a character whose lower case is longer
        return "".join(_fold(ch)[:1] or ch for ch in text)
    return low.translate(_FOLD_TABLE)


@dataclass
class _Prepared:
    side: DocSide
    text: str
    spans: list[tuple[int, int]] | None  # word spans in text, computed when quoting
    shingles: list[int]  # shingle id at each start position
    set: frozenset


def _prepare(doc: dict, vocab: dict[str, int]) -> _Prepared:
    text = doc.get("text") or ""
    words = _WORD.findall(_fold_text(text))
    shingles = []
    get = vocab.get
    for i in range(len(words) - SHINGLE_WORDS + 1):
        key = " ".join(words[i:i + SHINGLE_WORDS])
        sid = get(key)
        if sid is None:
            sid = vocab[key] = len(vocab)
        shingles.append(sid)
    side = DocSide(doc.get("candidate"), doc.get("file", ""), doc.get("competence"))
    return _Prepared(side, text, None, shingles, frozenset(shingles))


def _passages(p: _Prepared, shared: set[int]) -> tuple[list[str], int]:
    """Quotes (longest first) of the runs of ``p`` made of shared shingles, and
    the number of words they cover."""
    runs: list[tuple[int, int]] = []  # word index ranges [start, end)
    start = None
    for i, sid in enumerate(p.shingles + [-1]):
        if sid in shared:
            if start is None:
                start = i
        elif start is not None:
            end = i - 1 + SHINGLE_WORDS
            if runs and start <= runs[-1][1]:
                runs[-1] = (runs[-1][0], end)
            else:
                runs.append((start, end))
            start = None
    words = sum(e - s for s, e in runs)
    if p.spans is None:
        p.spans = [m.span() for m in _WORD.finditer(_fold_text(p.text))]
    runs.sort(key=lambda r: r[1] - r[0], reverse=True)
    quotes = []
    for s, e in runs[:MAX_PASSAGES]:
        quote = " ".join(p.text[p.spans[s][0]:p.spans[e - 1][1]].split())
        if len(quote) > MAX_PASSAGE_CHARS:
            cut = quote.rfind(" ", 0, MAX_PASSAGE_CHARS)
            quote = quote[:cut if cut > 0 else MAX_PASSAGE_CHARS] + " […]"
        quotes.append(quote)
    return quotes, words


def find_similar(documents: list[dict], former: list[dict] | None = None,
                 threshold: float = DEFAULT_THRESHOLD, min_shared: int = MIN_SHARED_SHINGLES) -> list[SimilarPair]:
    """Pairs of very similar documents, most similar first.

    ``documents``: the class, dicts with ``candidate``, ``file``, ``competence``
    and ``text``. Two documents of the same candidate are never compared.
    ``former``: documents of former classes (``candidate`` None), compared with
    every class document.
    """
    former = former or []
    vocab: dict[str, int] = {}
    cls = [_prepare(d, vocab) for d in documents if d.get("text")]
    old = [_prepare(d, vocab) for d in former if d.get("text")]
    allp = cls + old

    # Template text: per competence, shingles present in more than half of the
    # class's documents of that competence (and in at least five).
    groups: dict[str | None, list[_Prepared]] = defaultdict(list)
    for p in cls:
        groups[p.side.competence].append(p)
    common: dict[str | None, set[int]] = {}
    for comp, members in groups.items():
        df: dict[int, int] = defaultdict(int)
        for p in members:
            for sid in p.set:
                df[sid] += 1
        n = len(members)
        # Below six documents "most of the class" is two or three candidates,
        # who may well have copied from each other: no template filtering then.
        common[comp] = {sid for sid, c in df.items() if c > max(4, n // 2)} if n >= 6 else set()

    def ignored(ca: str | None, cb: str | None) -> set[int]:
        out = common.get(ca, set())
        if cb != ca and cb in common:
            out = out | common[cb]
        return out

    pairs: list[SimilarPair] = []
    for i, pa in enumerate(cls):
        for j in range(i + 1, len(allp)):
            pb = allp[j]
            ca, cb = pa.side.competence, pb.side.competence
            if j < len(cls):
                if pa.side.candidate == pb.side.candidate:
                    continue
                if ca and cb and ca != cb:
                    continue
            # C-level set intersection: thousands of pairs per second.
            if len(pa.set & pb.set) < min_shared:
                continue
            skip = ignored(ca, cb if j < len(cls) else ca)
            shared = (pa.set & pb.set) - skip
            if len(shared) < min_shared:
                continue
            sa = len(pa.set - skip)
            sb = len(pb.set - skip)
            if not sa or not sb:
                continue
            containment = len(shared) / min(sa, sb)
            if containment < threshold:
                continue
            union = len((pa.set | pb.set) - skip)
            quotes, words = _passages(pa, shared)
            pairs.append(SimilarPair(pa.side, pb.side, containment, len(shared) / union if union else 0.0,
                                     words, quotes))
    pairs.sort(key=lambda p: (-p.similarity, p.a.candidate or "", p.a.file))
    return pairs
