"""Which competence is each file of a dossier? (no spaCy here: works on FileAnalysis results)

Precedence: what the user said, then confident content, then the file name (the competences'
``filename_hints``, accent- and case-insensitive), then the content's best guess. When the
session expects as many documents as there are files, the files that the user did not assign
are matched one to one, maximising the total content score (plus a bonus for filename hints),
unless a file's content points elsewhere so strongly that it must be a duplicate.
"""
from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

from .results import FileAnalysis

STRONG_SCORE = 0.45  # a confident content score at least this high is "strong evidence"


@dataclass
class AssignInput:
    filename: str
    analysis: FileAnalysis | None
    user_competence: str | None = None


@dataclass
class Assignment:
    competence: str | None
    source: str | None  # "user" | "content" | "filename" | None
    mismatch: str | None = None  # competence the content points to when it differs from the user's


def _fold(s: str) -> str:
    s = unicodedata.normalize("NFD", s.lower())
    return "".join(c for c in s if not unicodedata.combining(c))


def filename_competence(filename: str, pack, candidates: list[str] | None = None) -> str | None:
    """The competence the file name points to, or None (no hint, or a tie)."""
    stem = _fold(PurePath(filename).stem)
    stem_words = re.sub(r"[^a-z0-9]+", " ", stem)
    best: list[tuple[int, str]] = []
    for cid, comp in pack.competences.items():
        if candidates is not None and cid not in candidates:
            continue
        longest = 0
        for hint in comp.filename_hints:
            h = _fold(hint)
            if len(h) <= 3:  # short hints (« pac ») only as a whole word
                if re.search(rf"(?:^| ){re.escape(h)}(?: |$)", stem_words):
                    longest = max(longest, len(h))
            elif h in stem or h.replace("-", " ") in stem_words:
                longest = max(longest, len(h))
        if longest:
            best.append((longest, cid))
    if not best:
        return None
    best.sort(reverse=True)
    if len(best) > 1 and best[0][0] == best[1][0]:
        return None
    return best[0][1]


def _strong(fa: FileAnalysis | None) -> bool:
    return bool(fa and fa.confident and fa.best and fa.scores.get(fa.best, 0.0) >= STRONG_SCORE)


def assign(inputs: list[AssignInput], expected: list[str] | None, pack):
    """-> (assignments in input order, duplicates [(competence id, [input indices])])."""
    n = len(inputs)
    out: list[Assignment | None] = [None] * n
    cands = list(expected) if expected else list(pack.competences)
    hints = [filename_competence(i.filename, pack, cands) for i in inputs]

    for k, inp in enumerate(inputs):
        fa = inp.analysis
        if inp.user_competence:
            mismatch = None
            if fa and fa.confident and fa.best and fa.best != inp.user_competence:
                mismatch = fa.best
            out[k] = Assignment(inp.user_competence, "user", mismatch)

    free = [k for k in range(n) if out[k] is None]
    one_to_one = bool(expected) and n == len(expected) and free
    if one_to_one:
        taken = {out[k].competence for k in range(n) if out[k] is not None}
        remaining = [c for c in expected if c not in taken]
        if len(remaining) == len(free) and len(free) <= 7:
            def value(k, c):
                fa = inputs[k].analysis
                v = fa.scores.get(c, 0.0) if fa else 0.0
                if fa and fa.confident and fa.best == c:
                    v += 1.0
                if hints[k] == c:
                    v += 0.5
                return v

            best_perm, best_val = None, None
            for perm in itertools.permutations(remaining):
                val = sum(value(k, c) for k, c in zip(free, perm))
                if best_val is None or val > best_val + 1e-9:
                    best_perm, best_val = perm, val
            for k, c in zip(free, best_perm):
                fa = inputs[k].analysis
                if _strong(fa) and fa.best != c and fa.scores.get(c, 0.0) < 0.5 * fa.scores[fa.best]:
                    out[k] = Assignment(fa.best, "content")  # the content insists: keep it
                elif fa and fa.confident and fa.best == c:
                    out[k] = Assignment(c, "content")
                elif hints[k] == c:
                    out[k] = Assignment(c, "filename")
                else:
                    out[k] = Assignment(c, "content" if fa else None)
            free = []

    for k in free:
        fa = inputs[k].analysis
        if fa and fa.confident and fa.best:
            out[k] = Assignment(fa.best, "content")
        elif hints[k]:
            out[k] = Assignment(hints[k], "filename")
        elif fa and fa.best:
            out[k] = Assignment(fa.best, "content")
        else:
            out[k] = Assignment(None, None)

    groups: dict[str, list[int]] = {}
    for k, a in enumerate(out):
        if a.competence:
            groups.setdefault(a.competence, []).append(k)
    duplicates = []
    for cid, idx in groups.items():
        if len(idx) < 2:
            continue
        sure = [k for k in idx if out[k].source == "user"
                or (out[k].source == "content" and _strong(inputs[k].analysis)
                    and inputs[k].analysis.best == cid)]
        if len(sure) >= 2:
            duplicates.append((cid, sure))
    return out, duplicates
