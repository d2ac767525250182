"""Measure the counted region: characters (with a breakdown a candidate can
reconcile with their word processor) and pages (from the PDF itself, a real
layout, the file's stored statistics, or an estimate — in that order).
"""
from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field

from .locate import BODY, COVER, TOC, Location
from .model import Block, BlockKind, Container, Document, PageText, counted_len

# Estimate when nothing better exists: characters (plus 40 a paragraph for its
# spacing) that fill one A4 page in 11 pt Calibri with normal margins, headings,
# lists, tables and a few images. Calibrated against LibreOffice's layout of the
# 12 DOCX samples (scripts/calibrate_estimate.py: total error 4 pages with 3 000,
# 12 with 2 600); an estimate stays approximate and is reported as such.
CHARS_PER_PAGE_ESTIMATE = 3000

# Programs that write documents without laying them out: their page counts are not real.
GENERATOR_HINTS = ("python-docx", "docx4j", "openpyxl", "pandoc", "aspose", "phpword", "docxtemplater",
                   "libreoffice-convert", "unoconv")


@dataclass
class PageMeasure:
    total: int | None
    counted: int | None
    excluded: list[dict]  # [{"page": 1, "reason": "cover"}]
    source: str  # pdf | layout | metadata | estimate
    application: str | None = None
    explanations: list[str] = field(default_factory=list)  # French lines for the report
    notes: list[str] = field(default_factory=list)


def characters(doc: Document, loc: Location) -> dict:
    """The characters block of report-v1 (without min/max/ok)."""
    breakdown = {c.value: 0 for c in Container}
    excluded = {"cover": 0, "toc": 0, "headers_footers": 0}
    total = 0
    for b, role in zip(doc.blocks, loc.roles):
        n = counted_len(b.text)
        total += n
        if role == BODY:
            breakdown[b.container.value] += n
        elif role == COVER:
            excluded["cover"] += n
        elif role == TOC:
            excluded["toc"] += n
    hf = sum(counted_len(t) for t in doc.headers_footers) + doc.removed_header_footer_chars
    excluded["headers_footers"] = hf
    counted = sum(breakdown.values())
    stored = None
    if doc.stored.characters_with_spaces is not None:
        stored = {"value": doc.stored.characters_with_spaces, "application": doc.stored.application}
    return {
        "counted": counted,
        "total": total,
        "stored": stored,
        "breakdown": {**breakdown, "excluded": excluded},
    }


# --- pages ---------------------------------------------------------------------------

def _alnum(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in t if ch.isalnum())


def align_pages(blocks: list[Block], pages: list[PageText]) -> list[int | None]:
    """Page of each block in a rendered layout, found by searching each block's
    text, in order, in the pages' text. Notes and text boxes, which a layout
    places elsewhere, take the page of the block before them."""
    page_texts = [_alnum(p.text) for p in pages]
    starts = []
    pos = 0
    for t in page_texts:
        starts.append(pos)
        pos += len(t)
    whole = "".join(page_texts)

    def page_at(offset: int) -> int:
        lo, hi = 0, len(starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return pages[lo].number

    out: list[int | None] = []
    cursor = 0
    last: int | None = pages[0].number if pages else None
    flow = [i for i, b in enumerate(blocks)
            if b.kind not in (BlockKind.FOOTNOTE, BlockKind.ENDNOTE, BlockKind.TEXT_BOX) and _alnum(b.text)]
    next_flow = {flow[k]: flow[k + 1] for k in range(len(flow) - 1)}
    for i, b in enumerate(blocks):
        if b.kind in (BlockKind.FOOTNOTE, BlockKind.ENDNOTE, BlockKind.TEXT_BOX):
            out.append(last)
            continue
        key = _alnum(b.text)[:40]
        if len(key) < 3:
            out.append(None)
            continue
        found = -1
        if len(key) < 25 and i in next_flow:
            # A short heading also appears in the sommaire: look for it followed
            # by the text that follows it in the document.
            longer = key + _alnum(blocks[next_flow[i]].text)[:20]
            found = whole.find(longer, cursor)
        if found < 0:
            found = whole.find(key, cursor)
        if found < 0 and len(key) > 12:
            found = whole.find(key[:12], cursor)
        if found < 0:
            out.append(None)
            continue
        cursor = found + len(key)
        last = page_at(found)
        out.append(last)
    # Empty or unmatched blocks take the page of the next matched block before them.
    fill = None
    for i in range(len(out) - 1, -1, -1):
        if out[i] is None:
            out[i] = fill
        else:
            fill = out[i]
    return out


def pages_from_breaks(doc: Document, rendered: bool = True) -> list[int]:
    """Page of each block from the page ends the file itself carries: hard
    breaks, and (unless ``rendered`` is False) the last layout's page ends when
    the reader saw them."""
    if rendered and doc.has_rendered_page_breaks and any(b.page for b in doc.blocks):
        out, last = [], 1
        for b in doc.blocks:
            last = b.page or last
            out.append(last)
        return out
    out, page = [], 1
    for i, b in enumerate(doc.blocks):
        if b.page_break_before and i > 0:
            page += 1
        out.append(page)
    return out


def excluded_pages(doc: Document, loc: Location, block_pages: list[int | None]) -> list[dict]:
    """Pages that hold nothing but the cover or the sommaire."""
    per_page: dict[int, set[str]] = {}
    for b, role, p in zip(doc.blocks, loc.roles, block_pages):
        if p is None or not b.text.strip():
            continue
        per_page.setdefault(p, set()).add(role)
    out = []
    for p in sorted(per_page):
        roles = per_page[p]
        if roles == {COVER}:
            out.append({"page": p, "reason": "cover"})
        elif roles == {TOC} or roles == {COVER, TOC}:
            out.append({"page": p, "reason": "toc" if TOC in roles and COVER not in roles else "cover"})
    return out


def _plausible(pages: int, doc: Document, chars_total: int) -> bool:
    hard = sum(1 for b in doc.blocks if b.page_break_before)
    if pages < 1:
        return False
    # A full A4 page of 11 pt text holds about 3 500 characters: a stored count
    # implying much denser pages comes from an unfinished layout (soffice
    # --convert-to odt writes such counts) and is not used.
    low = max(1, math.ceil(chars_total / 4500), hard + 1 if chars_total else 1)
    high = hard + 2 + math.ceil(chars_total / 900) + doc.images
    return low <= pages <= high


def _is_generator(app: str | None, doc: Document) -> bool:
    if not app:
        return True
    a = app.lower()
    if any(h in a for h in GENERATOR_HINTS):
        return True
    # python-docx's template says "Microsoft Macintosh Word" with no characters counted.
    if doc.stored.characters_with_spaces in (0, None) and doc.format == "docx":
        return True
    return False


def estimate_pages(doc: Document, block_pages: list[int]) -> int:
    """Pages from text length, segment by segment between hard breaks."""
    seg_chars: dict[int, int] = {}
    for b, p in zip(doc.blocks, block_pages):
        seg_chars[p] = seg_chars.get(p, 0) + counted_len(b.text) + 40  # paragraph spacing
    images_pages = doc.images * 0.25
    return max(1, sum(max(1, math.ceil(c / CHARS_PER_PAGE_ESTIMATE)) for c in seg_chars.values())
               + math.floor(images_pages))


def _describe_excluded(excl: list[dict], doc: Document, loc: Location, chars: dict) -> list[str]:
    lines = []
    for e in excl:
        if e["reason"] == "cover":
            why = loc.cover_reason or "page de garde"
            lines.append(f"page {e['page']} : page de garde ({why}, "
                         f"{fmt_int(chars['breakdown']['excluded']['cover'])} caractères)")
        else:
            why = loc.toc_reason or "titre « Sommaire »"
            lines.append(f"page {e['page']} : sommaire — {why}" if "(" in why
                         else f"page {e['page']} : sommaire ({why})")
    return lines


def fmt_int(n: int) -> str:
    """12 000 with a no-break space as thousands separator (French)."""
    return f"{n:,}".replace(",", "\u202f")


def measure_pages(doc: Document, loc: Location, chars: dict, layout_pages: list[PageText] | None = None,
                  layout_error: str | None = None) -> PageMeasure:
    notes: list[str] = []
    if doc.format == "pdf":
        pages_text = doc.pages_text
        block_pages = [b.page for b in doc.blocks]
        excl = excluded_pages(doc, loc, block_pages)
        total = doc.page_count or len(pages_text)
        pm = PageMeasure(total=total, counted=total - len(excl), excluded=excl, source="pdf")
    elif layout_pages:
        block_pages = align_pages(doc.blocks, layout_pages)
        excl = excluded_pages(doc, loc, block_pages)
        total = len(layout_pages)
        pm = PageMeasure(total=total, counted=total - len(excl), excluded=excl, source="layout")
    else:
        if layout_error:
            notes.append(layout_error)
        block_pages = pages_from_breaks(doc)
        excl = excluded_pages(doc, loc, block_pages)
        stored = doc.stored.pages
        app = doc.stored.application
        if stored and not _is_generator(app, doc) and _plausible(stored, doc, chars["total"]):
            pm = PageMeasure(total=stored, counted=max(0, stored - len(excl)), excluded=excl,
                             source="metadata", application=app)
        else:
            if stored and app:
                notes.append(f"Le nombre de pages enregistré dans le fichier ({stored}, par « {app} ») "
                             "n'est pas fiable : il n'a pas été utilisé.")
            total = estimate_pages(doc, pages_from_breaks(doc, rendered=False))
            if doc.has_rendered_page_breaks:
                total = max(total, max((p for p in block_pages if p), default=1))
            pm = PageMeasure(total=total, counted=max(0, total - len(excl)), excluded=excl, source="estimate")
    pm.explanations = _describe_excluded(pm.excluded, doc, loc, chars)
    pm.notes = notes
    # Pages of each block, for evidence quotes.
    for b, p in zip(doc.blocks, block_pages):
        if b.page is None and p is not None:
            b.page = p
    return pm
