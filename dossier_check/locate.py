"""Locate the cover page (page de garde), the sommaire and the counted region.

Works on any :class:`~dossier_check.model.Document`, whatever its format. Each
block gets a role: ``cover``, ``toc`` or ``body``. The rule excludes only the
cover and the sommaire; annexes, bibliography and glossary stay counted, and we
note when we see them because candidates often believe otherwise.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .model import Block, BlockKind, Document, counted_len

COVER = "cover"
TOC = "toc"
BODY = "body"

# A cover page holds a title, names, a session, a logo: short lines, no prose.
COVER_MAX_CHARS = 1200
COVER_MAX_PARAGRAPH = 320

_TOC_TITLE = re.compile(
    r"^\s*(sommaire|table des mati[eè]res|plan( du (document|dossier|rapport))?|contents|table of contents)\s*:?\s*$",
    re.IGNORECASE,
)
# "1. Introduction ........ 3", "Introduction\t3", "Présentation 4", "Annexes ..... 12"
_TOC_ENTRY = re.compile(r"^(?P<label>.{2,160}?)(?:\s*[.·…_\-]{3,}\s*|\t+\s*|\s{2,}|\s)(?P<page>\d{1,3}|[ivxlc]{1,6})\s*$",
                        re.IGNORECASE)
_LEADER = re.compile(r"[.·…_]{4,}|\t")
_ANNEX = re.compile(r"^\s*(\d+[.)]?\s*)?(annexes?|bibliographie|sitographie|webographie|glossaire|lexique)\b",
                    re.IGNORECASE)


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def is_toc_title(text: str) -> bool:
    return bool(_TOC_TITLE.match(_norm(text)))


def looks_like_toc_entry(text: str) -> bool:
    t = _norm(text)
    if not t or len(t) > 200:
        return False
    m = _TOC_ENTRY.match(t)
    if not m:
        return False
    # A plain sentence ending with a number ("nous avons visité 12") is not an
    # entry: require a leader, a tab, or a short label starting with a capital / digit.
    if _LEADER.search(t):
        return True
    label = m.group("label").strip()
    return (len(label) <= 80 and len(label.split()) <= 10 and "," not in label
            and not label.endswith((".", ",", ";", ":")) and (label[:1].isupper() or label[:1].isdigit()))


@dataclass
class Location:
    """Roles of the blocks, and why."""

    roles: list[str]
    cover_reason: str | None = None  # French, e.g. "avant le premier saut de page"
    toc_reason: str | None = None  # French, e.g. "champ TOC Word"
    annex_headings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def blocks(self, doc: Document, role: str) -> list[Block]:
        return [b for b, r in zip(doc.blocks, self.roles) if r == role]

    def counted_blocks(self, doc: Document) -> list[Block]:
        return self.blocks(doc, BODY)


def _find_toc(blocks: list[Block]) -> tuple[set[int], str | None]:
    """Indices of sommaire blocks and the French name of the signal used."""
    idx: set[int] = set()
    reason = None
    signalled = [i for i, b in enumerate(blocks) if b.toc_signal and b.kind is not BlockKind.FOOTNOTE]
    if signalled:
        idx.update(signalled)
        reason = blocks[signalled[0]].toc_signal
        # The « Sommaire » title just before the field, when outside it.
        first = min(signalled)
        j = first - 1
        while j >= 0 and not blocks[j].text.strip():
            j -= 1
        if j >= 0 and is_toc_title(blocks[j].text):
            idx.add(j)
        # Empty paragraphs inside the run belong to it.
        lo, hi = min(idx), max(idx)
        for k in range(lo, hi + 1):
            if not blocks[k].text.strip() or blocks[k].toc_signal:
                idx.add(k)
        return idx, reason
    # No reader signal: a « Sommaire » / « Table des matières » title followed by entries.
    for i, b in enumerate(blocks):
        if b.kind not in (BlockKind.HEADING, BlockKind.PARAGRAPH, BlockKind.LIST_ITEM) or not is_toc_title(b.text):
            continue
        entries = []
        k = i + 1
        while k < len(blocks):
            t = blocks[k].text.strip()
            if not t:
                k += 1
                continue
            if blocks[k].kind in (BlockKind.PARAGRAPH, BlockKind.LIST_ITEM, BlockKind.HEADING, BlockKind.TABLE_CELL) \
                    and looks_like_toc_entry(t):
                entries.append(k)
                k += 1
                continue
            break
        if len(entries) >= 2:
            idx = {i, *range(i + 1, entries[-1] + 1)}
            return idx, "titre « " + _norm(b.text).rstrip(" :") + " » suivi d'entrées avec numéros de page"
    return idx, None


def _segments_by_hard_break(blocks: list[Block]) -> list[list[int]]:
    segs: list[list[int]] = [[]]
    for i, b in enumerate(blocks):
        if b.page_break_before and segs[-1]:
            segs.append([])
        segs[-1].append(i)
    return segs


def _looks_like_cover(blocks: list[Block], ids: list[int]) -> bool:
    body_kinds = (BlockKind.HEADING, BlockKind.PARAGRAPH, BlockKind.LIST_ITEM, BlockKind.TABLE_CELL,
                  BlockKind.TEXT_BOX)
    texts = [blocks[i].text.strip() for i in ids if blocks[i].kind in body_kinds]
    texts = [t for t in texts if t]
    if not texts:
        return False
    total = sum(counted_len(t) for t in texts)
    if total > COVER_MAX_CHARS or max(counted_len(t) for t in texts) > COVER_MAX_PARAGRAPH:
        return False
    # A page that already holds prose (a paragraph of several sentences) starts
    # the body: it is not a cover, whatever its length.
    for i in ids:
        b = blocks[i]
        if b.kind in (BlockKind.PARAGRAPH, BlockKind.LIST_ITEM) and _is_prose(b.text):
            return False
    return True


_SENTENCE_END = re.compile(r"[.!?…]\s+[A-ZÀ-ÖØ-Þ]")


def _is_prose(text: str) -> bool:
    t = text.strip()
    return len(t) >= 150 and bool(_SENTENCE_END.search(t))


def locate(doc: Document) -> Location:
    blocks = doc.blocks
    roles = [BODY] * len(blocks)
    loc = Location(roles=roles)
    if not blocks:
        return loc

    toc_idx, toc_reason = _find_toc(blocks)
    for i in toc_idx:
        roles[i] = TOC
    loc.toc_reason = toc_reason

    # Cover: what comes before the first page break (or before the sommaire), at the very start.
    first_content = next((i for i, b in enumerate(blocks) if b.text.strip()), None)
    cover_ids: list[int] = []
    if first_content is not None and roles[first_content] != TOC:
        if doc.format == "pdf" or (doc.has_rendered_page_breaks and blocks[first_content].page):
            first_page = blocks[first_content].page
            cand = [i for i, b in enumerate(blocks) if b.page == first_page and roles[i] == BODY
                    and b.kind not in (BlockKind.FOOTNOTE, BlockKind.ENDNOTE)]
            more_after = any(b.page and first_page and b.page > first_page for b in blocks)
            if cand and more_after and _looks_like_cover(blocks, cand):
                cover_ids = cand
                loc.cover_reason = "première page, sans texte courant"
        if not cover_ids:
            segs = _segments_by_hard_break(blocks)
            if len(segs) > 1:
                first_seg = [i for i in segs[0] if roles[i] == BODY
                             and blocks[i].kind not in (BlockKind.FOOTNOTE, BlockKind.ENDNOTE)]
                if first_seg and _looks_like_cover(blocks, first_seg):
                    cover_ids = first_seg
                    loc.cover_reason = "avant le premier saut de page"
        if not cover_ids and toc_idx:
            before = [i for i in range(0, min(toc_idx)) if roles[i] == BODY
                      and blocks[i].kind not in (BlockKind.FOOTNOTE, BlockKind.ENDNOTE)]
            if before and _looks_like_cover(blocks, before):
                cover_ids = before
                loc.cover_reason = "avant le sommaire"
    for i in cover_ids:
        roles[i] = COVER

    for i, b in enumerate(blocks):
        if roles[i] == BODY and b.kind in (BlockKind.HEADING, BlockKind.PARAGRAPH) and len(b.text) < 80 \
                and _ANNEX.match(b.text) and (b.kind is BlockKind.HEADING or len(b.text.split()) <= 4):
            loc.annex_headings.append(_norm(b.text))
    if not cover_ids:
        loc.notes.append("Aucune page de garde repérée : rien n'est exclu à ce titre.")
    if not toc_idx:
        loc.notes.append("Aucun sommaire repéré : rien n'est exclu à ce titre.")
    if loc.annex_headings:
        shown = ", ".join(f"« {h} »" for h in loc.annex_headings[:4])
        loc.notes.append(
            f"Annexes, bibliographie ou glossaire repérés ({shown}) : ils sont comptés, car le "
            "référentiel n'exclut que la page de garde et le sommaire.")
    return loc
