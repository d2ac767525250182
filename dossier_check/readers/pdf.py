"""PDF reader (pypdf): pages as laid out, and paragraphs rebuilt from the lines.

A PDF has no paragraphs, only positioned lines. The reader:

1. extracts every page's text with pypdf, keeping each line's position, font
   size and weight (through pypdf's ``visitor_text`` callback, whose pieces
   concatenate to exactly the extracted text);
2. drops running headers and footers — lines found at the top or bottom of
   most pages once digits are normalised — and lone page numbers (« 3 »,
   « Page 3 / 10 », « 3/10 », « - 3 - »), recording their characters;
3. rebuilds paragraphs: a line break inside a paragraph becomes one space,
   a hyphen at a line end followed by a lower-case word is joined
   (« commer-\\ncial » → « commercial »), the doubled spaces of justified
   lines are collapsed; bullet glyphs at line start make list items whose
   label is not counted; larger or bold short lines and numbered titles make
   headings; « Introduction ........ 3 » lines are kept as sommaire lines;
4. finds table columns and tab stops from where the pieces of a line start
   (glyph widths from the fonts, left edges shared by several lines; evenly
   spaced words are justified text): a table row becomes one TABLE_CELL
   block whose cells are separated by an uncounted ``\n``, a label drawn
   before a tab stop (« 1. », « • », Word's « o ») is a list label; small
   raised digits (footnote marks) are dropped, as Word does not count them.

The count comes within about ±1 % of the word processor's (within 0.05 % on
LibreOffice exports of the samples): a PDF cannot say for sure whether a line
end is a paragraph end or a wrap, whether a typed « 1. » is automatic
numbering, or whether a gap is a tab (one character) or a cell boundary.
``Document.headers_footers`` stays empty: ``removed_header_footer_chars``
counts every removed running line.
"""
from __future__ import annotations

import io
import logging
import math
import re
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass

from ..limits import LIMIT_LABELS, Limits, format_number, format_bytes
from ..model import Block, BlockKind, Document, PageText, StoredStats
from ..problems import CORRUPT_FILE, ENCRYPTED, NO_TEXT, TOO_LARGE, ReadError

TOC_SIGNAL_LEADERS = "lignes de sommaire (points de conduite)"

_CORRUPT_MSG = ("Le PDF est endommagé ou incomplet et ne peut pas être lu. Exportez-le de nouveau "
                "depuis votre traitement de texte («\u00a0Fichier > Exporter au format PDF\u00a0»).")
_ENCRYPTED_MSG = ("Le PDF est protégé par un mot de passe. Exportez-le de nouveau sans mot de passe "
                  "depuis votre traitement de texte pour le vérifier.")
_NO_TEXT_MSG = ("Le PDF ne contient aucun texte lisible\u00a0: il semble numérisé (scanné) ou composé "
                "d'images. Exportez votre document en PDF depuis votre traitement de texte "
                "(«\u00a0Fichier > Exporter au format PDF\u00a0») au lieu de le scanner, ou envoyez le fichier "
                ".docx ou .odt.")

_UNSUPPORTED_CRYPT_MSG = ("Le PDF est protégé (chiffré) avec un algorithme que l'outil ne sait pas "
                          "ouvrir. Exportez-le de nouveau sans protection depuis votre traitement de "
                          "texte pour le vérifier.")
_UNMAPPED_MSG = ("Le texte de ce PDF ne peut pas être extrait\u00a0: ses polices ne disent pas à quels "
                 "caractères correspondent leurs dessins. Exportez de nouveau le PDF depuis votre "
                 "traitement de texte («\u00a0Fichier > Exporter au format PDF\u00a0»), ou envoyez le fichier .docx "
                 "ou .odt.")

# Bullet glyphs found at the start of list lines: Symbol/Wingdings private-use
# code points (U+F0B7 is Word's default bullet), and the usual Unicode ones.
_BULLET_CHARS = set("•▪▫◦●○■□►▶➢➤✓✔❖◆◇–—-*·⁃∙") | {chr(c) for c in range(0xF020, 0xF100)}
_GLYPH_BULLETS_BEFORE_TAB = set("oØ§üŸ>»")
_PAGE_NUMBER_RE = re.compile(
    r"^(?:page|p\.|pg\.?)?\s*[-–—]?\s*\d{1,4}\s*[-–—]?\s*(?:(?:/|sur|of|de|\|)\s*\d{1,4})?\s*$",
    re.IGNORECASE)
_LEADER_RE = re.compile(r"^(?P<entry>.*?\S)\s*(?:(?:\.\s?){4,}|(?:…\s?){2,}|(?:_\s?){4,}|(?:·\s?){4,})\s*"
                        r"(?P<page>\d{1,4}|[ivxlcdm]{1,6})\s*$", re.IGNORECASE)
_LIST_LABEL_RE = re.compile(r"^(?:\(?\d{1,3}[.)]|\d{1,2}(?:\.\d{1,2}){1,4}\.?|\(?[a-zA-Z][.)]|"
                            r"\(?[ivxIVX]{1,5}[.)])$")
_NUMBERED_TITLE_RE = re.compile(r"^(?P<num>(?:\d{1,2}|[IVX]{1,5}|[A-Z])(?:\.\d{1,2}){0,4})[.)]?\s+\S")
_WS_RUN = re.compile(r"[ \u00a0\t]{2,}")
_NBSP_WORD = re.compile(r"(?<=[\w’'.,)\]-])\u00a0(?=[\w’'(\[-])")
COL = "\x1f"  # marks a table column gap inside an extracted line
_BOLD_RE = re.compile(r"bold|black|heavy|semibold|demi|,b$", re.IGNORECASE)
_END_PUNCT = tuple(".!?:;»)…\"")
# Compound-word first halves that keep their hyphen at a line end (French).
_HYPHEN_PREFIXES = {"technico", "c'est", "peut", "après", "avant", "arrière", "grand", "grande",
                    "porte", "demi", "mi", "semi", "non", "sous", "vis", "au", "là", "celui", "celle",
                    "ceux", "celles", "ex", "anti", "auto", "extra", "post", "pré", "quasi", "multi",
                    "bien", "mal", "hors", "contre", "entre", "sur", "vice", "libre", "self", "e",
                    "check", "week", "start", "social", "socio", "micro", "macro", "inter", "intra",
                    "chef", "sud", "nord", "est", "ouest", "saint", "sainte", "rendez", "va", "faire",
                    "savoir", "lui", "moi", "toi", "eux", "nous", "vous", "elle", "elles", "dit",
                    "dites", "quelques", "plus", "moins", "trente", "vingt", "dix", "quatre", "cinq",
                    "six", "sept", "huit", "neuf", "trois", "deux", "soixante", "quatre-vingt", "cent"}
_HYPHEN_SUFFIXES = {"ci", "là", "même", "mêmes", "être", "t-il", "t-elle", "t-on", "il", "elle", "on",
                    "ils", "elles", "je", "tu", "nous", "vous", "moi", "toi", "lui", "leur", "y", "en",
                    "le", "la", "les", "dire", "vente", "ventes", "commercial", "commerciale",
                    "commerciaux", "commerciales", "clé", "clés", "deux", "trois", "quatre", "cinq",
                    "six", "sept", "huit", "neuf", "dix", "un", "une"}


@dataclass
class _Line:
    text: str
    x: float | None
    y: float | None
    size: float
    bold: bool
    page: int
    gap: float | None = None  # vertical distance from the previous line on the page


@contextmanager
def _quiet_pypdf():
    """pypdf logs warnings about every odd object; they mean nothing to a candidate."""
    logger = logging.getLogger("pypdf")
    old = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(old)


def _too_large(limit: str, value, what: str) -> ReadError:
    return ReadError(TOO_LARGE, f"Le fichier dépasse la limite «\u00a0{LIMIT_LABELS[limit]}\u00a0» ({value})\u00a0: "
                     f"{what}. Exportez uniquement votre production, sans annexes volumineuses.",
                     limit=limit)


def _mat_mul(m, n):
    return [m[0] * n[0] + m[1] * n[2], m[0] * n[1] + m[1] * n[3],
            m[2] * n[0] + m[3] * n[2], m[2] * n[1] + m[3] * n[3],
            m[4] * n[0] + m[5] * n[2] + n[4], m[4] * n[1] + m[5] * n[3] + n[5]]


def _font_widths(font_dict) -> tuple[dict[str, float], float] | None:
    """Glyph widths (1/1000 em) by Unicode character, from the font's /Widths
    or /W and its ToUnicode map or encoding; None when unknown."""
    try:
        from pypdf.generic._font import Font

        font = Font.from_font_resource(font_dict)
        widths = font.character_widths
        by_char: dict[str, float] = {}
        cmap = font.character_map if isinstance(font.character_map, dict) else {}
        for code, uni in cmap.items():
            if isinstance(code, str) and isinstance(uni, str) and code in widths:
                by_char.setdefault(uni, float(widths[code]))
        if isinstance(font.encoding, dict):
            for code, uni in font.encoding.items():
                key = chr(code) if isinstance(code, int) else code
                if isinstance(uni, str) and key in widths:
                    by_char.setdefault(uni, float(widths[key]))
        if len(by_char) < 3:
            return None
        return by_char, float(widths.get("default", 500) or 500)
    except Exception:  # noqa: BLE001 - widths are a refinement only
        return None


def _page_lines(page, number: int) -> tuple[str, list[_Line]]:
    """Extract one page's text and its lines with position and font."""
    pieces: list[tuple[str, float | None, float | None, float, bool, float | None]] = []
    fonts: dict[int, tuple[dict[str, float], float] | None] = {}

    def visitor(text, cm, tm, font_dict, font_size):
        if not text:
            return
        x = y = width = None
        size = 0.0
        bold = False
        if text.strip():
            try:
                m = _mat_mul([float(v) for v in tm], [float(v) for v in cm])
                x, y = m[4], m[5]
                scale = math.sqrt(abs(m[0] * m[3] - m[1] * m[2])) or 1.0
                size = float(font_size or 0) * scale
            except (TypeError, ValueError, IndexError):
                pass
            try:
                base = str(font_dict.get("/BaseFont", "")) if font_dict else ""
            except Exception:  # noqa: BLE001 - a broken font dict must not stop the read
                base = ""
            bold = bool(_BOLD_RE.search(base))
            if font_dict is not None and size:
                key = id(font_dict)
                if key not in fonts:
                    fonts[key] = _font_widths(font_dict) if len(fonts) < 200 else None
                fw = fonts[key]
                if fw is not None:
                    by_char, default = fw
                    width = sum(by_char.get(ch, default) for ch in text.strip()) / 1000.0 * size
        pieces.append((text, x, y, size, bold, width))

    text = page.extract_text(visitor_text=visitor)
    joined = "".join(pc[0] for pc in pieces)
    lines: list[_Line] = []
    if joined != text:
        # The visitor did not see the same text: fall back to bare lines.
        for raw in text.split("\n"):
            lines.append(_Line(raw, None, None, 0.0, False, number))
        return text, lines
    # Each line as segments (text, x, gap), gap being (em, points, exact) from
    # the previous visible piece's end or None; joined once the page is known.
    cur: list[tuple[str, float | None, tuple | None]] = []
    attrs: list[tuple[float | None, float | None, float, bool, int]] = []
    segs_of: list[list[tuple[str, float | None, tuple | None]]] = []

    meta: list[tuple[float | None, float, int] | None] = []  # (y, size, chars) of each segment

    def flush():
        xs = [a for a in attrs if a[0] is not None]
        _drop_note_marks(cur, meta)
        raw = "".join(seg[0] for seg in cur)
        if xs:
            first = xs[0]
            weight = sum(a[4] for a in xs) or 1
            size = max((a[2] for a in xs if a[4] >= weight * 0.3), default=first[2])
            bold = all(a[3] for a in xs)
            lines.append(_Line(raw, first[0], first[1], size, bold, number))
        else:
            lines.append(_Line(raw, None, None, 0.0, False, number))
        segs_of.append(list(cur))
        cur.clear()
        attrs.clear()
        meta.clear()

    last: list = []  # previous visible piece on the current line: (x, y, size, text, width)
    pending = False  # pypdf ended the line; maybe only to draw more on the same baseline
    for txt, x, y, size, bold, width in pieces:
        parts = txt.split("\n")
        for i, part in enumerate(parts):
            if i > 0:
                pending = True
            if not part:
                continue
            if pending:
                if not part.strip():
                    continue
                # Same line when it goes on to the right at (about) the same
                # height: superscripts and subscripts sit up to ~0.4 em off.
                same_baseline = (x is not None and y is not None and last and last[1] is not None
                                 and abs(last[1] - y) <= max(1.0, 0.45 * max(size, last[2]))
                                 and x > last[0])
                if same_baseline:
                    cur.append((" ", None, None))
                    meta.append(None)
                else:
                    flush()
                    last.clear()
                pending = False
            gap = _gap(last, x, y, size) if part.strip() and x is not None and last else None
            cur.append((part, x if part.strip() else None, gap))
            meta.append((y, size, len(part.strip())) if part.strip() else None)
            if part.strip():
                attrs.append((x, y, size, bold, len(part.strip())))
                if x is not None:
                    w = width if (width is not None and sum(1 for q in parts if q.strip()) == 1) else None
                    last[:] = [x, y, size, part, w]
    flush()
    _mark_columns(lines, segs_of)
    return text, lines


def _drop_note_marks(cur: list, meta: list) -> None:
    """Remove footnote marks: a few digits set smaller and above the line's
    baseline. Word counts neither the mark in the text nor the one starting
    the note."""
    visible = [(i, m) for i, m in enumerate(meta) if m is not None and m[0] is not None and m[1]]
    if len(visible) < 2:
        return
    main_y, main_size, _ = max((m for _, m in visible), key=lambda m: m[2])
    for i, (y, size, _) in visible:
        text = cur[i][0].strip()
        if text.isdigit() and len(text) <= 3 and size < main_size * 0.85 and y - main_y > 1:
            cur[i] = ("", None, None)
            meta[i] = None


def _gap(last: list, x: float, y: float | None, size: float) -> tuple[float, float, bool] | None:
    """How far a piece starts right of where the previous piece on the same
    line ended: (em, points, exact). With the font's widths the end is exact;
    without, half an em per character is a generous estimate for proportional
    fonts, so a word space comes out near or below zero."""
    px, py, psize, ptext, pwidth = last
    if py is None or y is None or abs(py - y) > 2:
        return None
    em = max(size, psize, 1.0)
    exact = pwidth is not None
    end = px + (pwidth if exact else len(ptext.strip()) * psize * 0.5)
    return (x - end) / em, x - end, exact


def _mark_columns(lines: list[_Line], segs_of: list) -> None:
    """Insert COL where a line jumps to a table column (or a tab stop): a big
    gap, or a clear gap at an x where other lines of the page also start a
    piece (cells of one column share their left edge). Lines whose gaps are
    all equal are justified text drawn word by word, not a table."""
    starts: Counter = Counter()
    for segs in segs_of:
        seen = set()
        for k, (_, x, gap) in enumerate(segs):
            if x is None:
                continue
            if (gap is not None and gap[0] > 0.6) or not any(s[1] is not None for s in segs[:k]):
                seen.add(round(x))
        for x in seen:
            starts[x] += 1
    for line, segs in zip(lines, segs_of):
        gaps = [g for _, _, g in segs if g is not None]
        if not any(g[0] > 0.3 for g in gaps):
            continue
        exact = [g for g in gaps if g[2]]
        if len(exact) >= 2 and len(exact) == len(gaps) and min(g[1] for g in exact) > 0 and \
                max(g[0] for g in exact) < 3 and \
                max(g[1] for g in exact) - min(g[1] for g in exact) <= max(0.6, 0.04 * max(g[1] for g in exact)):
            continue  # evenly spaced words: justified text
        out = []
        visible = [seg for seg in segs if seg[1] is not None]
        head = visible[0][0].strip() if visible else ""
        label_first = bool(head) and (_LIST_LABEL_RE.match(head) is not None or _bullet(head) is not None
                                      or head in _GLYPH_BULLETS_BEFORE_TAB)
        for text, x, gap in segs:
            after_label = label_first and len(visible) > 1 and visible[1][1] == x and visible[1][0] == text
            if gap is not None and x is not None:
                em = gap[0]
                if em > 2.5 or (em > 0.3 and after_label) or (em > 0.6 and max(
                        starts[round(x) + d] for d in (-1, 0, 1)) >= 3):
                    out.append(COL)
            out.append(text)
        line.text = "".join(out)


_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi",
                            "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st"})


def _clean(text: str) -> str:
    # A ligature glyph is two or three characters for a word processor.
    text = text.replace("\u00ad", "").translate(_LIGATURES)
    # pypdf gives some word spaces as no-break spaces: keep those that French
    # typography puts before : ; ! ? » and after «, make the others spaces.
    text = _NBSP_WORD.sub(" ", text)
    text = _WS_RUN.sub(" ", text)
    text = re.sub(r"\s*\x1f\s*", COL, text)
    return text.strip(" \t\u00a0\x1f")


def _norm(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"[\s\x1f]+", " ", text)).strip().lower()


def _remove_running(pages: list[list[_Line]], heights: list[float]) -> tuple[list[list[_Line]], int]:
    """Drop running headers/footers and page numbers. Returns kept lines and removed chars."""
    n = len(pages)
    edge: list[list[int]] = []
    band: list[set[int]] = []
    for lines, height in zip(pages, heights):
        idx = [i for i, ln in enumerate(lines) if ln.text.strip()]
        cand = set(idx[:2] + idx[-2:])
        in_band = set()
        for i in idx:
            y = lines[i].y
            if y is not None and height and (y > height * 0.9 or y < height * 0.1):
                in_band.add(i)
        cand |= in_band
        edge.append(sorted(cand))
        band.append(in_band)
    counts: Counter = Counter()
    for lines, cand in zip(pages, edge):
        counts.update({_norm(lines[i].text) for i in cand})
    threshold = max(2, math.ceil(0.4 * n))
    repeated = {t for t, c in counts.items() if c >= threshold and t}
    removed = 0
    out: list[list[_Line]] = []
    for lines, cand, in_band in zip(pages, edge, band):
        drop = set()
        idx = [i for i, ln in enumerate(lines) if ln.text.strip()]
        outer = set(idx[:1] + idx[-1:])
        for i in cand:
            t = lines[i].text
            if _norm(t) in repeated:
                drop.add(i)
            elif _PAGE_NUMBER_RE.match(t.strip()) and (i in outer or i in in_band):
                drop.add(i)
        # A page number line next to a dropped header/footer line.
        for i in cand:
            if i not in drop and _PAGE_NUMBER_RE.match(lines[i].text.strip()):
                rest = [j for j in idx if j not in drop]
                if rest and (i == rest[0] or i == rest[-1]):
                    drop.add(i)
        removed += sum(len(_clean(lines[i].text).replace(COL, " ")) for i in drop)
        out.append([ln for i, ln in enumerate(lines) if i not in drop])
    return out, removed


def _body_metrics(lines: list[_Line]) -> tuple[float, float, float]:
    """Dominant body font size, usual line spacing and left margin."""
    sizes: Counter = Counter()
    for ln in lines:
        if ln.size:
            sizes[round(ln.size * 2) / 2] += len(ln.text)
    body = sizes.most_common(1)[0][0] if sizes else 0.0
    gaps: Counter = Counter()
    xs: Counter = Counter()
    for ln in lines:
        if ln.gap is not None and ln.size and abs(ln.size - body) < 0.6 and 0 < ln.gap < body * 3:
            gaps[round(ln.gap, 0)] += 1
        if ln.x is not None and ln.size and abs(ln.size - body) < 0.6:
            xs[round(ln.x)] += 1
    spacing = gaps.most_common(1)[0][0] if gaps else (body * 1.2 if body else 0.0)
    left = min((x for x, c in xs.items() if c >= max(2, xs.most_common(1)[0][1] * 0.2)), default=0.0) \
        if xs else 0.0
    return body, spacing, left


def _bullet(text: str) -> tuple[str, str] | None:
    """(label, rest) when the line starts with a bullet glyph."""
    s = text.lstrip()
    if not s:
        return None
    ch = s[0]
    if ch in _BULLET_CHARS and (len(s) == 1 or s[1].isspace() or ord(ch) >= 0xF020 and ord(ch) < 0xF100
                                or ch in "•▪◦●■►➢➤✓✔❖◆"):
        if ch in "-*" and (len(s) < 2 or not s[1].isspace()):
            return None
        return ch, s[1:].strip()
    return None


def _join_hyphen(left: str, right: str, vocabulary: set[str]) -> str:
    """Join two lines of one paragraph, handling a hyphen at the end of ``left``."""
    if not left:
        return right
    if not right:
        return left
    if left.endswith("-") and len(left) >= 2 and left[-2].isalpha() and right[:1].islower():
        m = re.search(r"([\w'’-]+)-$", left)
        first = (m.group(1) if m else "").lower()
        second = re.match(r"[\w'’-]+", right)
        second_w = second.group(0).lower() if second else ""
        whole = (first.split("-")[-1] + second_w).lower()
        hyphenated = f"{first}-{second_w}"
        last_part = first.split("-")[-1].split("'")[-1].split("’")[-1]
        if hyphenated in vocabulary and whole not in vocabulary:
            return left + right
        if whole in vocabulary and hyphenated not in vocabulary:
            return left[:-1] + right
        if last_part in _HYPHEN_PREFIXES or second_w.split("-")[0] in _HYPHEN_SUFFIXES or "-" in first:
            return left + right
        return left[:-1] + right
    return left + " " + right


@dataclass
class _Para:
    kind: BlockKind
    text: str
    page: int
    level: int | None = None
    label: str | None = None
    toc: str | None = None
    size: float = 0.0
    bold: bool = False
    x: float | None = None  # x of the text after any bullet
    open: bool = True  # may continue on the next line


def _ends_paragraph(text: str) -> bool:
    return text.rstrip().endswith(_END_PUNCT)


def _rebuild(pages: list[list[_Line]], vocabulary: set[str]) -> list[Block]:
    all_lines = [ln for lines in pages for ln in lines]
    body, spacing, left = _body_metrics(all_lines)
    # Typical length of a full body line, to tell a short last line.
    lengths = sorted(len(_clean(ln.text)) for ln in all_lines
                     if ln.size and abs(ln.size - body) < 0.6 and len(_clean(ln.text)) > 20)
    full = lengths[int(len(lengths) * 0.8)] if lengths else 80

    def is_heading(ln: _Line, text: str, prev_gap_big: bool) -> bool:
        if len(text) > 160 or not text:
            return False
        if _LEADER_RE.match(text):
            return False
        if body and ln.size >= body + 1.0 and len(text) <= 160:
            return True
        if ln.bold and len(text) <= 120 and not text.endswith((".", ",", ";")):
            return True
        if _NUMBERED_TITLE_RE.match(text) and len(text) <= 100 and not text.endswith((".", ",", ";", ":")) \
                and prev_gap_big and text[:1].isdigit():
            return True
        return False

    paras: list[_Para] = []
    prev_line: _Line | None = None
    for page_lines in pages:
        for ln in page_lines:
            text = _clean(ln.text)
            if not text:
                continue
            new_page = prev_line is None or prev_line.page != ln.page
            gap_big = (ln.gap is not None and spacing and ln.gap > spacing * 1.25) or new_page
            cur = paras[-1] if paras else None
            flat = text.replace(COL, " ")
            leader = _LEADER_RE.match(flat)
            bullet = _bullet(flat) if text.count(COL) <= 1 else None
            if bullet and COL in text and not text.startswith(bullet[0]):
                bullet = None
            if not bullet and text.count(COL) == 1 and text[:1] in _GLYPH_BULLETS_BEFORE_TAB \
                    and text[1:2] == COL:
                # Word's « o » (Courier New) level-2 bullet, or a Wingdings glyph without
                # a Unicode mapping, drawn before the tab stop.
                bullet = (text[0], text[2:].strip())
            numbered = None
            if not bullet and not leader and text.count(COL) == 1:
                first, rest = text.split(COL)
                if _LIST_LABEL_RE.match(first) and rest:
                    numbered = (first, rest)
            if numbered:
                # « 1.<tab>Texte »: an automatic number (not counted), then the text.
                label, rest = numbered
                if is_heading(ln, rest, True):
                    digits = label.strip("().")
                    level = digits.count(".") + 1 if digits[:1].isdigit() else None
                    paras.append(_Para(BlockKind.HEADING, rest, ln.page, label=label, size=ln.size,
                                       bold=ln.bold, level=level))
                else:
                    paras.append(_Para(BlockKind.LIST_ITEM, rest, ln.page, label=label, size=ln.size,
                                       x=None, open=True))
            elif (cur is not None and cur.kind == BlockKind.TABLE_CELL and cur.open and not new_page
                    and ln.gap is not None and ln.gap <= 1 and not leader):
                # Back up to the row's first line: the next cell of the same row.
                cur.text += "\n" + text.replace(COL, "\n")
            elif (cur is not None and cur.kind == BlockKind.TABLE_CELL and cur.open and not new_page
                  and COL not in text and not leader and not bullet and ln.gap is not None
                  and 0 < ln.gap <= max(ln.size, 1) * 1.6
                  and (not ln.size or not cur.size or abs(ln.size - cur.size) < 0.6)):
                # A wrapped cell line right under its row.
                cur.text = _join_hyphen(cur.text, text, vocabulary)
            elif COL in text and not leader and not bullet:
                # A table row (cells side by side): cells separated by an
                # uncounted line break so words do not run together.
                paras.append(_Para(BlockKind.TABLE_CELL, text.replace(COL, "\n"), ln.page, size=ln.size,
                                   x=ln.x, open=True))
            elif leader:
                entry = _clean(leader.group("entry"))
                if (cur is not None and cur.open and cur.toc is None and not new_page
                        and cur.kind in (BlockKind.PARAGRAPH, BlockKind.HEADING) and len(paras) >= 2
                        and paras[-2].toc == TOC_SIGNAL_LEADERS and ln.gap is not None
                        and 0 < ln.gap <= max(ln.size, 1) * 1.6):
                    # A long entry wrapped before its leader: one sommaire line.
                    paras.pop()
                    entry = _join_hyphen(cur.text, entry, vocabulary)
                paras.append(_Para(BlockKind.PARAGRAPH, f"{entry}\t{leader.group('page')}", ln.page,
                                   toc=TOC_SIGNAL_LEADERS, open=False))
            elif bullet:
                label, rest = bullet
                x = ln.x
                paras.append(_Para(BlockKind.LIST_ITEM, rest, ln.page, label=label, size=ln.size,
                                   x=(x + 8) if x is not None else None, open=True))
            elif is_heading(ln, text, gap_big or (cur is not None and not cur.open)):
                if (cur and cur.kind == BlockKind.HEADING and cur.open and not new_page
                        and abs(cur.size - ln.size) < 0.6 and cur.bold == ln.bold
                        and not (ln.gap and ln.gap > max(ln.size, 1) * 1.6)):
                    cur.text = _join_hyphen(cur.text, text, vocabulary)
                else:
                    paras.append(_Para(BlockKind.HEADING, text, ln.page, size=ln.size, bold=ln.bold))
            else:
                cont = False
                if cur is not None and cur.open and cur.kind in (BlockKind.PARAGRAPH, BlockKind.LIST_ITEM):
                    prev_text = _clean(prev_line.text) if prev_line else ""
                    same_font = (not ln.size or not cur.size or abs(ln.size - cur.size) < 0.6)
                    short_prev = len(prev_text) < full * 0.8 and _ends_paragraph(prev_text)
                    if new_page:
                        cont = text[:1].islower() and not _ends_paragraph(cur.text)
                    elif not same_font:
                        cont = False
                    elif ln.gap is not None and spacing and ln.gap > spacing * 1.3:
                        cont = False
                    elif short_prev:
                        cont = False
                    elif (cur.kind == BlockKind.LIST_ITEM and ln.x is not None and cur.x is not None
                          and ln.x < cur.x - 12):
                        cont = False  # back at the margin: the list ended
                    elif (cur.kind == BlockKind.PARAGRAPH and ln.x is not None and left
                          and ln.x > left + 8 and prev_line is not None and prev_line.x is not None
                          and prev_line.x <= left + 2 and _ends_paragraph(prev_text)):
                        cont = False  # first-line indent
                    else:
                        cont = True
                if cont:
                    cur.text = _join_hyphen(cur.text, text, vocabulary)
                else:
                    paras.append(_Para(BlockKind.PARAGRAPH, text, ln.page, size=ln.size, x=ln.x))
            # A heading line followed by a non-heading closes the heading.
            if len(paras) >= 2 and paras[-1].kind != BlockKind.HEADING:
                for para in (paras[-2], paras[-3] if len(paras) >= 3 else paras[-2]):
                    if para.kind == BlockKind.HEADING:
                        para.open = False
            prev_line = ln

    # Heading levels: from the numbering, else from the size rank.
    heading_sizes = sorted({round(p.size * 2) / 2 for p in paras if p.kind == BlockKind.HEADING},
                           reverse=True)
    blocks: list[Block] = []
    for para in paras:
        level = None
        if para.kind == BlockKind.HEADING and para.level:
            level = para.level
        elif para.kind == BlockKind.HEADING:
            m = _NUMBERED_TITLE_RE.match(para.text)
            if m and m.group("num")[:1].isdigit():
                level = m.group("num").rstrip(".").count(".") + 1
            else:
                rank = heading_sizes.index(round(para.size * 2) / 2) if heading_sizes else 0
                level = rank + 1
        if level is not None:
            level = max(1, min(level, 9))
        blocks.append(Block(kind=para.kind, text=para.text, level=level, page=para.page,
                            toc_signal=para.toc, list_label=para.label))
    return blocks


def _vocabulary(pages: list[list[_Line]]) -> set[str]:
    words: set[str] = set()
    for lines in pages:
        for ln in lines:
            for w in re.findall(r"[\w'’]+(?:-[\w'’]+)*", ln.text.lower()):
                words.add(w)
    return words


def _count_images(page) -> int:
    try:
        res = page.get("/Resources")
        res = res.get_object() if res is not None else None
        xobj = res.get("/XObject") if res is not None else None
        xobj = xobj.get_object() if xobj is not None else None
        if not xobj:
            return 0
        n = 0
        for key in list(xobj.keys())[:1000]:
            obj = xobj[key].get_object()
            if obj.get("/Subtype") == "/Image":
                n += 1
        return n
    except Exception:  # noqa: BLE001 - images are informative only
        return 0


def read(data: bytes, limits: Limits) -> Document:
    """Read a PDF's bytes into a :class:`Document`. Raises ReadError."""
    with _quiet_pypdf():
        try:
            return _read(data, limits)
        except ReadError:
            raise
        except RecursionError:
            raise ReadError(CORRUPT_FILE, _CORRUPT_MSG, reason="recursion") from None
        except MemoryError:
            raise _too_large("max_memory_bytes", format_bytes(limits.max_memory_bytes),
                             "le PDF demande trop de mémoire") from None
        except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on broken files
            from pypdf.errors import DependencyError, FileNotDecryptedError

            if isinstance(exc, FileNotDecryptedError):
                raise ReadError(ENCRYPTED, _ENCRYPTED_MSG) from None
            if isinstance(exc, DependencyError):  # AES without a crypto library
                raise ReadError(ENCRYPTED, _UNSUPPORTED_CRYPT_MSG, reason=str(exc)[:200]) from None
            raise ReadError(CORRUPT_FILE, _CORRUPT_MSG, reason=f"{type(exc).__name__}: {exc}"[:200]) from None


def _read(data: bytes, limits: Limits) -> Document:
    from pypdf import PdfReader
    from pypdf import PasswordType
    from pypdf.errors import DependencyError, FileNotDecryptedError

    reader = PdfReader(io.BytesIO(data), strict=False)
    try:
        size = int(reader.trailer.get("/Size", 0) or 0)
    except (TypeError, ValueError):
        size = 0
    try:  # the trailer may lie: count the cross-reference entries too
        size = max(size, sum(len(v) for v in reader.xref.values()) + len(reader.xref_objStm))
    except (AttributeError, TypeError):
        pass
    if size > limits.max_pdf_objects:
        raise _too_large("max_pdf_objects", f"{limits.max_pdf_objects:,}".replace(",", "\u00a0"),
                         f"le PDF déclare {size:,} objets".replace(",", "\u00a0"))
    if reader.is_encrypted:
        try:
            ok = reader.decrypt("")
        except (DependencyError, NotImplementedError):
            raise ReadError(ENCRYPTED, _UNSUPPORTED_CRYPT_MSG, reason="unsupported encryption") from None
        if ok == PasswordType.NOT_DECRYPTED:
            raise ReadError(ENCRYPTED, _ENCRYPTED_MSG)
    try:
        n_pages = len(reader.pages)
    except FileNotDecryptedError:
        raise ReadError(ENCRYPTED, _ENCRYPTED_MSG) from None
    if n_pages > limits.max_pdf_pages:
        raise _too_large("max_pdf_pages", format_number(limits.max_pdf_pages),
                         f"le PDF compte {format_number(n_pages)} pages")
    if n_pages == 0:
        raise ReadError(CORRUPT_FILE, _CORRUPT_MSG, reason="no pages")

    doc = Document(format="pdf", page_count=n_pages)
    page_lines: list[list[_Line]] = []
    heights: list[float] = []
    failed: list[int] = []
    over_limit: list[int] = []
    images = 0
    for number, page in enumerate(reader.pages, start=1):
        try:
            box = page.mediabox
            heights.append(float(box.top) - float(box.bottom))
        except Exception:  # noqa: BLE001
            heights.append(0.0)
        try:
            text, lines = _page_lines(page, number)
        except (RecursionError, MemoryError):
            raise
        except Exception as exc:  # noqa: BLE001 - one broken page must not lose the others
            text, lines = "", []
            failed.append(number)
            if type(exc).__name__ == "LimitReachedError":  # pypdf's decompression cap
                over_limit.append(number)
        for i, ln in enumerate(lines):
            prev = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].text.strip()), None)
            if prev is not None and prev.y is not None and ln.y is not None:
                ln.gap = prev.y - ln.y
        doc.pages_text.append(PageText(number=number, text=text))
        page_lines.append(lines)
        images += _count_images(page)
    if failed and len(failed) == n_pages:
        if over_limit:
            raise ReadError(
                TOO_LARGE, "Le contenu du PDF est anormalement volumineux une fois décompressé (bombe de "
                "décompression)\u00a0: exportez de nouveau votre document en PDF depuis votre traitement de texte.",
                limit="max_xml_total_bytes", reason="pypdf decompression limit")
        raise ReadError(CORRUPT_FILE, _CORRUPT_MSG, reason="no page could be read")
    visible = "".join("".join(pt.text.split()) for pt in doc.pages_text)
    if len(visible) < 20:
        raise ReadError(NO_TEXT, _NO_TEXT_MSG, pages=n_pages, images=images)
    letters = sum(1 for ch in visible if ch.isalpha())
    if letters < 0.3 * len(visible):
        # Glyph codes without a Unicode mapping come out as control
        # characters or symbols: there is text, but not readable text.
        raise ReadError(NO_TEXT, _UNMAPPED_MSG, pages=n_pages, letters=letters, characters=len(visible))

    kept, removed = _remove_running(page_lines, heights)
    doc.removed_header_footer_chars = removed
    # Document.headers_footers stays empty for a PDF: the running lines were
    # removed once per page, and removed_header_footer_chars accounts for
    # every one of them (measure adds both figures).
    doc.blocks = _rebuild(kept, _vocabulary(kept))
    doc.images = images
    meta = None
    try:
        meta = reader.metadata
    except Exception:  # noqa: BLE001
        meta = None
    app = None
    if meta:
        creator = _meta_str(meta, "/Creator")
        producer = _meta_str(meta, "/Producer")
        app = " / ".join(dict.fromkeys(v for v in (creator, producer) if v)) or None
    doc.stored = StoredStats(characters_with_spaces=None, pages=n_pages, application=app)
    if failed:
        pages = ", ".join(str(n) for n in failed)
        doc.notes.append(f"Le texte de certaines pages n'a pas pu être lu (page{'s' if len(failed) > 1 else ''} "
                         f"{pages})\u00a0: le décompte des caractères peut être sous-estimé.")
    return doc


def _meta_str(meta, key: str) -> str | None:
    try:
        v = meta.get(key)
        return str(v).strip() or None if v is not None else None
    except Exception:  # noqa: BLE001
        return None
