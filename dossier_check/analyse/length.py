"""Where to cut or what to write when a document is too long or too short."""
from __future__ import annotations

from .results import MISSING, WEAK, FileAnalysis
from .typo import fr_typo, percent, thousands

BRIEF_SHARE = 0.10  # a section the référentiel wants brief is pointed at from this share

_FEMININE_ENDINGS = ("tion", "sion", "ité", "ure", "ance", "ence", "ique", "ie", "ation", "ode")


def _element_phrase(label: str) -> str:
    """« Présentation du service commercial » → « la présentation du service commercial »."""
    first = label.split()[0] if label.split() else ""
    low = first.lower()
    rest = label[len(first):]
    if low.endswith(_FEMININE_ENDINGS):
        return "la " + low + rest
    if low and low[0] in "aeiouéèêh":
        return "l'" + low + rest
    return f"la partie « {label} »"


def _bounds(bounds) -> tuple[int, int]:
    if hasattr(bounds, "min"):
        return int(bounds.min), int(bounds.max)
    lo, hi = bounds
    return int(lo), int(hi)


def _top_level(sections):
    if not sections:
        return []
    levels = [s.level for s in sections]
    top = min(levels)
    return [s for s in sections if s.level == top]


def advise_length(fa: FileAnalysis, competence, counted: int, bounds) -> list[str]:
    """French sentences for the judge's « trop long / trop court » advice.

    Too long: the largest sections, and any section holding an element the référentiel wants
    brief (``competence.brief_elements``). Too short: the missing and thin elements."""
    lo, hi = _bounds(bounds)
    out: list[str] = []
    if fa is None:
        return out
    cid = competence.id
    labels = {e.id: e.label for e in competence.elements}
    if counted > hi:
        results = {r.id: r for r in fa.elements.get(cid, [])}
        for eid in competence.brief_elements:
            r = results.get(eid)
            if r is None:
                continue
            # the section whose heading is evidence for the element (never a guess)
            titles = {e.text.strip() for e in r.evidence if e.in_heading}
            cands = [s for s in fa.outline if s.level > 0 and s.title.strip() in titles]
            if not cands:
                continue
            sec = max(cands, key=lambda s: s.characters)
            if sec.share < BRIEF_SHARE:
                continue
            out.append(fr_typo(
                f"{_element_phrase(labels.get(eid, eid)).capitalize()} fait {thousands(sec.characters)} "
                f"caractères, soit {percent(sec.share)} : le référentiel la demande brève."))
        tops = sorted((s for s in _top_level(fa.outline) if s.characters > 0),
                      key=lambda s: -s.characters)[:3]
        if tops:
            parts = [f"« {s.title} » ({thousands(s.characters)} caractères, {percent(s.share)})" for s in tops]
            if len(parts) == 1:
                out.append(fr_typo(f"La partie la plus longue : {parts[0]}."))
            else:
                out.append(fr_typo(f"Les parties les plus longues : {', '.join(parts)}."))
    elif counted < lo:
        results = fa.elements.get(cid, [])
        missing = [r.label for r in results if r.status == MISSING]
        weak = [r.label for r in results if r.status == WEAK]
        if missing:
            out.append(fr_typo("Éléments attendus non trouvés, à rédiger : "
                               + ", ".join(f"« {m} »" for m in missing) + "."))
        if weak:
            out.append(fr_typo("Éléments peu développés, à approfondir : "
                               + ", ".join(f"« {w} »" for w in weak) + "."))
        if not missing and not weak:
            tops = sorted((s for s in _top_level(fa.outline) if s.characters > 0),
                          key=lambda s: s.characters)[:2]
            if tops:
                out.append(fr_typo("Les parties les plus courtes, à développer : "
                                   + ", ".join(f"« {s.title} » ({thousands(s.characters)} caractères)"
                                               for s in tops) + "."))
    return out
