"""DOCX reader: WordprocessingML parts → :class:`~dossier_check.model.Document`.

The zip is opened with :class:`~.safety.SafeZip` (sizes checked from the
central directory before anything is inflated) and every part is parsed with
:func:`~.safety.parse_xml` (entities off). python-docx is never used here: it
would inflate a decompression bomb entirely before failing, and it misses text
Word counts (content controls, text boxes, notes, field results).

What goes into ``Block.text`` (what Word counts as « Caractères (espaces
compris) », text boxes and notes included):

* run text ``w:t``; ``w:tab``/``w:ptab`` → ``\\t``; ``w:noBreakHyphen`` → ``-``;
  ``w:sym`` → its one character; no-break spaces as they are;
* ``w:br`` (text wrapping) and ``w:cr`` → ``\\n``, kept but not counted
  (:func:`~dossier_check.model.counted_len`);
* text inside ``w:ins``, ``w:moveTo``, ``w:hyperlink``, ``w:smartTag``,
  ``w:customXml``, ``w:fldSimple``, inline and block ``w:sdt``, ``w:dir``/``w:bdo``;
  math (``m:t``);
* complex fields: only the result (between ``separate`` and ``end``).

Not counted: ``w:del``/``w:delText``, ``w:moveFrom``, field codes
(``w:instrText``), hidden text (``w:vanish`` on the run, its character style or
the paragraph style), comments, soft hyphens, note reference marks, the VML
fallback copy of a text box (``mc:Fallback``), the automatic list label (kept
in ``Block.list_label``), headers and footers (kept in
``Document.headers_footers``).

Block order: body blocks in reading order; the paragraphs of a text box
(``TEXT_BOX``) right after the paragraph anchoring it; table cells one block per
paragraph (``TABLE_CELL``, nested tables too); then, after the whole body, the
footnotes (``FOOTNOTE``) and endnotes (``ENDNOTE``) actually referenced, in
order of first reference, one block per note paragraph; ``page`` is the page of
the reference and ``extra["ref_block"]`` the index of the block holding it.

Pages: hard breaks (``w:br w:type="page"``, ``w:pageBreakBefore`` in the
paragraph or its style, a section break to a new page in a paragraph's
``w:sectPr``) set ``page_break_before`` on the next block; a paragraph whose
text goes on after a hard page break is split into two blocks (the second has
``extra["continued"] = True``). When the file holds ``w:lastRenderedPageBreak``
(the page ends of the last Word/LibreOffice layout), ``Block.page`` is filled
from hard breaks plus rendered breaks (a rendered break right after a hard
break is the same page start) and ``Document.has_rendered_page_breaks`` is
True; ``extra["page_end"]`` gives the page where a block ends when it runs onto
the next page. Without rendered breaks, ``Block.page`` is None (hard breaks
alone only give a lower bound, kept in ``extra["hard_page"]``).
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field, replace

from ..limits import Limits
from ..model import Block, BlockKind, Document, StoredStats, counted_len
from ..problems import CORRUPT_FILE, NO_TEXT, ReadError
from .safety import SafeZip, parse_xml

W_TRANSITIONAL = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_STRICT = "http://purl.oclc.org/ooxml/wordprocessingml/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
MATH = "http://schemas.openxmlformats.org/officeDocument/2006/math"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_NS = "http://www.w3.org/XML/1998/namespace"

# Sommaire signals (Block.toc_signal), strongest first.
TOC_FIELD = "champ TOC Word"
TOC_SDT = "bloc sommaire Word"
TOC_STYLE = "style TOC"

_TOC_STYLE_RE = re.compile(
    r"^(toc|contents|table des mati[eè]res|tm|sommaire)\s*([1-9]|heading)$", re.IGNORECASE)
_HEADING_NAME_RE = re.compile(r"^(heading|titre)\s*([1-9])$", re.IGNORECASE)
_NEW_PAGE_SECTIONS = {"nextPage", "oddPage", "evenPage"}


def _local(el) -> str:
    tag = el.tag
    if not isinstance(tag, str):  # comments, processing instructions
        return ""
    return tag.rsplit("}", 1)[-1]


def _ns(el) -> str:
    tag = el.tag
    if isinstance(tag, str) and tag.startswith("{"):
        return tag[1:].split("}", 1)[0]
    return ""


def _on(el, w: str) -> bool:
    """A toggle property (w:vanish, w:pageBreakBefore…): present and not false."""
    if el is None:
        return False
    val = el.get(f"{{{w}}}val")
    return val is None or val.lower() not in ("0", "false", "off")


# --------------------------------------------------------------------------- styles


@dataclass
class _Style:
    style_id: str
    name: str
    type: str
    based_on: str | None
    outline: int | None = None  # w:outlineLvl value (0–9)
    num_id: str | None = None
    ilvl: int | None = None
    page_break_before: bool | None = None
    vanish: bool | None = None


class _Styles:
    def __init__(self, root, w: str):
        self.w = w
        self.by_id: dict[str, _Style] = {}
        self.default_para: str | None = None
        self.default_vanish = False
        self._memo: dict = {}
        if root is None:
            return
        q = lambda n: f"{{{w}}}{n}"  # noqa: E731
        dd = root.find(q("docDefaults"))
        if dd is not None:
            v = dd.find(f"{q('rPrDefault')}/{q('rPr')}/{q('vanish')}")
            self.default_vanish = _on(v, w) if v is not None else False
        for st in root.iter(q("style")):
            sid = st.get(q("styleId")) or ""
            name_el = st.find(q("name"))
            name = name_el.get(q("val")) if name_el is not None else sid
            based = st.find(q("basedOn"))
            s = _Style(sid, name or sid, st.get(q("type")) or "paragraph",
                       based.get(q("val")) if based is not None else None)
            ppr = st.find(q("pPr"))
            if ppr is not None:
                ol = ppr.find(q("outlineLvl"))
                if ol is not None:
                    try:
                        s.outline = int(ol.get(q("val")))
                    except (TypeError, ValueError):
                        pass
                num = ppr.find(q("numPr"))
                if num is not None:
                    nid = num.find(q("numId"))
                    il = num.find(q("ilvl"))
                    if nid is not None:
                        s.num_id = nid.get(q("val"))
                    if il is not None:
                        s.ilvl = _int(il.get(q("val")))
                pbb = ppr.find(q("pageBreakBefore"))
                if pbb is not None:
                    s.page_break_before = _on(pbb, w)
            rpr = st.find(q("rPr"))
            if rpr is not None:
                v = rpr.find(q("vanish"))
                if v is not None:
                    s.vanish = _on(v, w)
            self.by_id.setdefault(sid, s)
            if s.type == "paragraph" and st.get(q("default")) in ("1", "true", "on"):
                self.default_para = sid

    def chain(self, sid: str | None):
        seen = set()
        while sid and sid not in seen and len(seen) < 32:
            seen.add(sid)
            s = self.by_id.get(sid)
            if s is None:
                return
            yield s
            sid = s.based_on

    def first(self, sid: str | None, attr: str):
        key = (sid, attr)
        if key in self._memo:
            return self._memo[key]
        found = None
        for s in self.chain(sid):
            v = getattr(s, attr)
            if v is not None:
                found = v
                break
        self._memo[key] = found
        return found

    def is_toc(self, sid: str | None) -> bool:
        """A sommaire entry style: TOC1…9, Contents1…, « toc 1 », « TOC 1 »,
        « Table des matières 1 », and the TOC Heading/Contents Heading title."""
        key = (sid, "#toc")
        if key not in self._memo:
            s = self.by_id.get(sid) if sid else None
            self._memo[key] = any(_TOC_STYLE_RE.match(x or "") for x in (sid, s.name if s else None))
        return self._memo[key]

    def name(self, sid: str | None) -> str | None:
        if not sid:
            return None
        s = self.by_id.get(sid)
        return _display_name(s.name if s else sid)


def _display_name(name: str) -> str:
    # Word stores built-in names in lower case ("heading 1", "toc 1").
    m = re.match(r"^toc (\d)$", name)
    if m:
        return f"TOC {m.group(1)}"
    return name[:1].upper() + name[1:] if name else name


def _int(v, default=None):
    try:
        return int(v)
    except (TypeError, ValueError):
        return default


# ------------------------------------------------------------------------ numbering


def _roman(n: int) -> str:
    vals = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
            (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    out = []
    for v, s in vals:
        while n >= v:
            out.append(s)
            n -= v
    return "".join(out)


def _letters(n: int) -> str:
    # Word: a…z, aa…zz, aaa…
    if n <= 0:
        return ""
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _fmt_number(n: int, fmt: str) -> str:
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n)
    if fmt == "upperRoman":
        return _roman(n).upper()
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "none":
        return ""
    return str(n)


class _Numbering:
    """Computes list labels ("•", "1.", "a)") the way Word numbers paragraphs."""

    def __init__(self, root, w: str):
        self.w = w
        self.abstract: dict[str, dict[int, tuple[str, str, int]]] = {}  # id → ilvl → (fmt, text, start)
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}  # numId → (abstractId, start overrides)
        self.counters: dict[str, list[int | None]] = {}
        self.started_nums: set[str] = set()
        if root is None:
            return
        q = lambda n: f"{{{w}}}{n}"  # noqa: E731
        for an in root.iter(q("abstractNum")):
            aid = an.get(q("abstractNumId"))
            levels = {}
            for lvl in an.findall(q("lvl")):
                il = _int(lvl.get(q("ilvl")), 0)
                fmt_el, text_el, start_el = lvl.find(q("numFmt")), lvl.find(q("lvlText")), lvl.find(q("start"))
                levels[il] = (fmt_el.get(q("val")) if fmt_el is not None else "decimal",
                              text_el.get(q("val")) if text_el is not None else f"%{il + 1}.",
                              _int(start_el.get(q("val")), 1) if start_el is not None else 1)
            self.abstract[aid] = levels
        for num in root.iter(q("num")):
            nid = num.get(q("numId"))
            a = num.find(q("abstractNumId"))
            overrides = {}
            for ov in num.findall(q("lvlOverride")):
                so = ov.find(q("startOverride"))
                if so is not None:
                    overrides[_int(ov.get(q("ilvl")), 0)] = _int(so.get(q("val")), 1)
            self.nums[nid] = (a.get(q("val")) if a is not None else None, overrides)

    def label(self, num_id: str, ilvl: int) -> str | None:
        """The label of the next item of list ``num_id`` at level ``ilvl``,
        or None when the paragraph shows no label."""
        if num_id not in self.nums:
            return None
        aid, overrides = self.nums[num_id]
        levels = self.abstract.get(aid)
        if not levels:
            return None
        ilvl = max(0, min(ilvl, 8))
        counters = self.counters.setdefault(aid, [None] * 9)
        if num_id not in self.started_nums:
            self.started_nums.add(num_id)
            for lv, start in overrides.items():
                if 0 <= lv <= 8:
                    counters[lv] = start - 1
                    for deeper in range(lv + 1, 9):
                        counters[deeper] = None
        fmt, text, start = levels.get(ilvl, ("decimal", f"%{ilvl + 1}.", 1))
        cur = counters[ilvl]
        counters[ilvl] = start if cur is None else cur + 1
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = None
        if fmt == "bullet":
            return "•"

        def repl(m):
            lv = int(m.group(1)) - 1
            if not 0 <= lv <= 8:
                return ""
            lf, _, ls = levels.get(lv, ("decimal", "", 1))
            n = counters[lv] if counters[lv] is not None else ls
            return _fmt_number(n, "decimal" if lf == "bullet" else lf)

        label = re.sub(r"%(\d)", repl, text or "")
        if fmt == "none" and not label.strip():
            return None
        return label


# --------------------------------------------------------------------------- walker


@dataclass
class _Field:
    instr: str = ""
    result: bool = False  # past w:separate
    toc: bool = False


@dataclass
class _Story:
    """One text flow: the body, a text box, a note, a header."""

    main: bool
    kind: BlockKind | None = None  # forced kind (text box, note), None for the body
    page: int | None = None  # fixed page for non-main stories
    sink: list | None = None  # where blocks go (None: the document's blocks)
    fields: list = field(default_factory=list)
    # Kept in step with ``fields`` so that each run is O(1) even with a
    # crafted, deeply nested field stack.
    in_code: int = 0  # fields on the stack still in their code part
    in_toc: int = 0  # TOC fields on the stack, in their result part

    def push(self, f: "_Field") -> None:
        self.fields.append(f)
        if not f.result:
            self.in_code += 1
        elif f.toc:
            self.in_toc += 1

    def separate(self) -> None:
        if not self.fields or self.fields[-1].result:
            return
        f = self.fields[-1]
        f.result = True
        f.toc = f.instr.strip().upper().startswith("TOC")
        self.in_code -= 1
        if f.toc:
            self.in_toc += 1

    def pop(self) -> None:
        if not self.fields:
            return
        f = self.fields.pop()
        if not f.result:
            self.in_code -= 1
        elif f.toc:
            self.in_toc -= 1


@dataclass
class _Ctx:
    story: _Story
    table_depth: int = 0
    table: int | None = None
    row: int | None = None
    col: int | None = None
    toc_sdt: bool = False
    gallery: str | None = None  # docPartGallery of the enclosing sdt
    para_style: str | None = None


@dataclass
class _Seg:
    text: list = field(default_factory=list)
    page: int | None = None
    page_end: int | None = None
    break_before: bool = False
    has_text: bool = False
    toc_field: bool = False
    refs: list = field(default_factory=list)
    hard_page: int | None = None


class _Reader:
    def __init__(self, data: bytes, limits: Limits):
        self.limits = limits
        self.z = SafeZip(data, limits)
        self.blocks: list[Block] = []
        self.page = 1
        self.hard_page = 1
        self.pending_break = False
        self.fresh_page = True
        self.rendered_seen = False
        self.paragraphs_seen = 0
        self.note_refs: list[tuple[str, str, int | None, int | None]] = []  # kind, id, page, block
        self.images = 0
        self.notes_fr: list[str] = []

    # -- parts -------------------------------------------------------------

    def _xml(self, name: str):
        return parse_xml(self.z.read(name), name, self.limits)

    def _rels(self, part: str) -> dict[str, str]:
        """Relationship type suffix → resolved part name (first of each type)
        and rId → part name."""
        d, base = posixpath.split(part)
        rels_name = posixpath.join(d, "_rels", base + ".rels")
        out: dict[str, str] = {}
        if not self.z.has(rels_name):
            return out
        try:
            root = self._xml(rels_name)
        except ReadError as exc:
            if exc.code == CORRUPT_FILE:
                return out
            raise
        for rel in root:
            if _local(rel) != "Relationship" or rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target") or ""
            if target.startswith("/"):
                name = target.lstrip("/")
            else:
                name = posixpath.normpath(posixpath.join(d, target))
            rtype = (rel.get("Type") or "").rsplit("/", 1)[-1]
            out.setdefault("type:" + rtype, name)
            out.setdefault("all:" + rtype + ":" + name, name)
            if rel.get("Id"):
                out["id:" + rel.get("Id")] = name
        return out

    def _optional(self, name: str | None):
        if not name or not self.z.has(name):
            return None
        try:
            return self._xml(name)
        except ReadError as exc:
            if exc.code == CORRUPT_FILE:
                self.notes_fr.append(f"La partie {name} du fichier est illisible et a été ignorée.")
                return None
            raise

    def read(self) -> Document:
        pkg = self._rels("")
        main = pkg.get("type:officeDocument")
        if not main or not self.z.has(main):
            main = "word/document.xml"
        if not self.z.has(main):
            raise ReadError(CORRUPT_FILE, "Le fichier n’est pas un document Word valide (la partie "
                            "principale word/document.xml est absente). Ouvrez-le dans votre traitement "
                            "de texte et enregistrez-le de nouveau au format .docx.", part=main)
        root = self._xml(main)
        self.w = _ns(root) if _ns(root) in (W_TRANSITIONAL, W_STRICT) else W_TRANSITIONAL
        w = self.w
        rels = self._rels(main)
        self.styles = _Styles(self._optional(rels.get("type:styles") or "word/styles.xml"), w)
        self.numbering = _Numbering(self._optional(rels.get("type:numbering") or "word/numbering.xml"), w)
        footnotes = self._optional(rels.get("type:footnotes"))
        endnotes = self._optional(rels.get("type:endnotes"))
        comments = self._optional(rels.get("type:comments"))

        body = root.find(self.q("body"))
        if body is None:
            raise ReadError(CORRUPT_FILE, "Le fichier n’est pas un document Word valide (corps du "
                            "document absent). Ouvrez-le dans votre traitement de texte et "
                            "enregistrez-le de nouveau.", part=main)
        self._blocks(body, _Ctx(_Story(main=True)))
        self._notes(footnotes, endnotes)

        doc = Document(format="docx", blocks=self.blocks)
        doc.has_rendered_page_breaks = self.rendered_seen
        if not self.rendered_seen:
            for b in doc.blocks:
                b.page = None
                b.extra.pop("page_end", None)
        doc.images = self.images  # body, text boxes and notes; not header/footer logos
        doc.headers_footers = self._headers_footers(rels)
        doc.stored = self._stats(pkg)
        revision_tags = {self.q(t) for t in ("ins", "del", "moveFrom", "moveTo")}
        doc.tracked_changes = sum(
            1 for part in (root, footnotes, endnotes) if part is not None
            for el in part.iter() if el.tag in revision_tags)
        if comments is not None:
            doc.comments = sum(1 for _ in comments.iter(self.q("comment")))
        doc.notes.extend(self.notes_fr)
        if not any(counted_len(b.text.strip()) for b in doc.blocks):
            what = f" ({doc.images} image(s) seulement)" if doc.images else ""
            raise ReadError(NO_TEXT, f"Le document ne contient aucun texte{what}. Si votre production "
                            "a été scannée ou collée en image, saisissez-la dans un traitement de texte.",
                            images=doc.images)
        return doc

    def q(self, name: str) -> str:
        return f"{{{self.w}}}{name}"

    def val(self, el, name: str = "val"):
        return None if el is None else el.get(self.q(name))

    # -- block level -------------------------------------------------------

    def _blocks(self, container, ctx: _Ctx) -> None:
        for ch in container:
            tag = _local(ch)
            ns = _ns(ch)
            if ns == MC and tag == "AlternateContent":
                self._blocks(self._choice(ch), ctx)
                continue
            if ns != self.w:
                continue
            if tag == "p":
                self._paragraph(ch, ctx)
            elif tag == "tbl":
                self._table(ch, ctx)
            elif tag == "sdt":
                content, sub = self._sdt(ch, ctx)
                if content is not None:
                    self._blocks(content, sub)
            elif tag in ("customXml", "ins", "moveTo"):
                self._blocks(ch, ctx)
            elif tag == "altChunk":
                self.notes_fr.append("Le document contient un contenu importé (altChunk) que l’outil "
                                     "ne lit pas\u00a0: enregistrez-le de nouveau depuis Word pour l’intégrer.")

    def _choice(self, alt):
        """mc:AlternateContent: the first mc:Choice (the DrawingML text box),
        never the mc:Fallback (its VML copy would count the text twice)."""
        for ch in alt:
            if _ns(ch) == MC and _local(ch) == "Choice":
                return ch
        for ch in alt:
            if _ns(ch) == MC and _local(ch) == "Fallback":
                return ch
        return []

    def _sdt(self, sdt, ctx: _Ctx):
        pr = sdt.find(self.q("sdtPr"))
        sub = ctx
        if pr is not None:
            gal = pr.find(f"{self.q('docPartObj')}/{self.q('docPartGallery')}")
            if gal is None:
                gal = pr.find(f"{self.q('docPartList')}/{self.q('docPartGallery')}")
            if gal is not None:
                g = self.val(gal) or ""
                sub = replace(ctx, gallery=g, toc_sdt=ctx.toc_sdt or g.lower() == "table of contents")
        return sdt.find(self.q("sdtContent")), sub

    def _unwrapped(self, container, ctx: _Ctx):
        """The children of a table or a row, seen through the content controls (``w:sdt``) and
        ``w:customXml`` wrappers that may hold its rows or cells."""
        for ch in container:
            tag = _local(ch)
            if tag == "sdt":
                content, _ = self._sdt(ch, ctx)
                if content is not None:
                    yield from self._unwrapped(content, ctx)
            elif tag == "customXml":
                yield from self._unwrapped(ch, ctx)
            else:
                yield ch

    def _table(self, tbl, ctx: _Ctx) -> None:
        self._table_counter = getattr(self, "_table_counter", -1) + 1
        tid = self._table_counter
        trs = (ch for ch in self._unwrapped(tbl, ctx) if _local(ch) == "tr")
        for row, tr in enumerate(trs):
            tcs = (c for c in self._unwrapped(tr, ctx) if _local(c) == "tc")
            for col, tc in enumerate(tcs):
                self._blocks(tc, replace(ctx, table_depth=ctx.table_depth + 1, table=tid, row=row, col=col))

    # -- paragraph ---------------------------------------------------------

    def _hard_break(self, story: _Story) -> None:
        if not story.main:
            return
        self.page += 1
        self.hard_page += 1
        self.pending_break = True
        self.fresh_page = True

    def _paragraph(self, p, ctx: _Ctx) -> None:
        w = self.w
        story = ctx.story
        # pPr is the paragraph's first child; read it in one pass (lxml's find()
        # is slow enough to matter on very long documents).
        ppr = p[0] if len(p) and p[0].tag == self.q("pPr") else p.find(self.q("pPr"))
        style_id = None
        pbb = None
        num_id = ilvl = outline = None
        sect = None
        if ppr is not None:
            for el in ppr:
                tag = _local(el)
                if tag == "pStyle":
                    style_id = self.val(el)
                elif tag == "pageBreakBefore":
                    pbb = _on(el, w)
                elif tag == "numPr":
                    for sub in el:
                        if _local(sub) == "numId":
                            num_id = self.val(sub)
                        elif _local(sub) == "ilvl":
                            ilvl = _int(self.val(sub), 0)
                elif tag == "outlineLvl":
                    outline = _int(self.val(el))
                elif tag == "sectPr":
                    sect = el
        if style_id is None:
            style_id = self.styles.default_para
        styles = self.styles

        if pbb is None:
            pbb = bool(styles.first(style_id, "page_break_before"))
        if story.main and ctx.table_depth == 0:
            if pbb and self.paragraphs_seen > 0:
                self._hard_break(story)
            self.paragraphs_seen += 1

        # Heading level.
        if outline is None:
            outline = styles.first(style_id, "outline")
        level = None
        if outline is not None:
            if 0 <= outline <= 8:
                level = outline + 1
        else:
            sname = styles.by_id.get(style_id).name if style_id in styles.by_id else (style_id or "")
            m = _HEADING_NAME_RE.match(sname or "") or _HEADING_NAME_RE.match(style_id or "")
            if m:
                level = int(m.group(2))

        # List label.
        label = None
        if num_id is None:
            num_id = styles.first(style_id, "num_id")
        if num_id is not None and num_id != "0":
            if ilvl is None:
                ilvl = styles.first(style_id, "ilvl") or 0
            label = self.numbering.label(num_id, ilvl)

        # Kind.
        if story.kind is not None:
            kind = story.kind
        elif ctx.table_depth:
            kind = BlockKind.TABLE_CELL
        elif level is not None:
            kind = BlockKind.HEADING
        elif label is not None:
            kind = BlockKind.LIST_ITEM
        else:
            kind = BlockKind.PARAGRAPH

        # Sommaire signals that do not depend on the text.
        style_name = styles.name(style_id)
        style_toc = styles.is_toc(style_id)

        tokens: list = []
        pctx = replace(ctx, para_style=style_id)
        self._inline(p, pctx, tokens, hidden=False)

        # Assemble segments (a hard page break inside the paragraph splits it).
        segs = [_Seg()]
        boxes = []
        for tok in tokens:
            kind_t = tok[0]
            seg = segs[-1]
            if kind_t == "text":
                _, text, toc_field = tok
                if counted_len(text) > 0:
                    if not seg.has_text:
                        seg.has_text = True
                        if story.main:
                            seg.page = self.page
                            seg.hard_page = self.hard_page
                            seg.break_before = self.pending_break
                            self.pending_break = False
                        else:
                            seg.page = story.page
                    if story.main:
                        self.fresh_page = False
                    if toc_field:
                        seg.toc_field = True
                seg.text.append(text)
                if story.main:
                    seg.page_end = self.page
            elif kind_t == "page":
                if story.main:
                    self._hard_break(story)
                    if seg.has_text or seg.text:
                        segs.append(_Seg())
            elif kind_t == "rendered":
                if story.main:
                    self.rendered_seen = True
                    if self.fresh_page:
                        self.fresh_page = False
                    else:
                        self.page += 1
                        self.fresh_page = False
            elif kind_t == "box":
                boxes.append((tok[1], self.page if story.main else story.page))
                if story.main:
                    self.fresh_page = False
            elif kind_t == "ref":
                seg.refs.append((tok[1], tok[2], self.page if story.main else story.page))
            elif kind_t == "drawing":
                if story.main:
                    self.fresh_page = False

        sink = story.sink if story.sink is not None else self.blocks
        first = True
        for seg in segs:
            text = "".join(seg.text)
            index = None
            if counted_len(text) > 0:
                signals = []
                if seg.toc_field:
                    signals.append(TOC_FIELD)
                if ctx.toc_sdt:
                    signals.append(TOC_SDT)
                if style_toc:
                    signals.append(TOC_STYLE)
                extra = {}
                if ctx.table is not None:
                    extra.update(table=ctx.table, row=ctx.row, col=ctx.col)
                    if ctx.table_depth > 1:
                        extra["nested"] = ctx.table_depth - 1
                if ctx.gallery:
                    extra["sdt_gallery"] = ctx.gallery
                if len(signals) > 1:
                    extra["toc_signals"] = signals
                if not first:
                    extra["continued"] = True
                if story.main:
                    extra["hard_page"] = seg.hard_page
                    if seg.page_end is not None and seg.page is not None and seg.page_end != seg.page:
                        extra["page_end"] = seg.page_end
                b = Block(kind=kind, text=text, level=level if kind == BlockKind.HEADING else None,
                          style=style_name, page=seg.page, page_break_before=seg.break_before,
                          toc_signal=signals[0] if signals else None,
                          list_label=label if first else None, extra=extra)
                sink.append(b)
                index = len(sink) - 1 if sink is self.blocks else None
                first = False
            for note_kind, note_id, page in seg.refs:
                self.note_refs.append((note_kind, note_id, page, index))

        for box, page in boxes:
            self._blocks(box, _Ctx(_Story(main=False, kind=BlockKind.TEXT_BOX, page=page,
                                          sink=story.sink), toc_sdt=ctx.toc_sdt, gallery=ctx.gallery))

        # A section break to a new page ends this paragraph's page.
        if sect is not None and story.main and ctx.table_depth == 0:
            stype = self.val(sect.find(self.q("type")))
            if stype is None or stype in _NEW_PAGE_SECTIONS:
                self._hard_break(story)
                # Word inserts a blank page to start an odd/even section on the right side.
                if (stype == "oddPage" and self.page % 2 == 0) or (stype == "evenPage" and self.page % 2 == 1):
                    self.page += 1
                    self.hard_page += 1

    # -- inline level ------------------------------------------------------

    def _counting(self, story: _Story) -> bool:
        return story.in_code == 0

    def _emit(self, ctx: _Ctx, out: list, text: str) -> None:
        if self._counting(ctx.story):
            out.append(("text", text, ctx.story.in_toc > 0))

    def _inline(self, container, ctx: _Ctx, out: list, hidden: bool) -> None:
        for ch in container:
            ns, tag = _ns(ch), _local(ch)
            if ns == MC and tag == "AlternateContent":
                self._inline(self._choice(ch), ctx, out, hidden)
                continue
            if ns == MATH:
                if tag == "t":
                    if not hidden:
                        self._emit(ctx, out, ch.text or "")
                else:
                    self._inline(ch, ctx, out, hidden)
                continue
            if ns != self.w:
                continue
            if tag == "r":
                self._run(ch, ctx, out)
            elif tag in ("ins", "moveTo", "hyperlink", "smartTag", "customXml", "dir", "bdo"):
                self._inline(ch, ctx, out, hidden)
            elif tag == "fldSimple":
                instr = (self.val(ch, "instr") or "").strip()
                ctx.story.push(_Field(instr=instr, result=True, toc=instr.upper().startswith("TOC")))
                try:
                    self._inline(ch, ctx, out, hidden)
                finally:
                    ctx.story.pop()
            elif tag == "sdt":
                content, sub = self._sdt(ch, ctx)
                if content is not None:
                    self._inline(content, sub, out, hidden)
            # del, moveFrom, pPr, bookmarks, comment ranges, proofErr…: nothing counted.

    def _run_hidden(self, rpr, ctx: _Ctx) -> bool:
        if rpr is not None:
            v = rpr.find(self.q("vanish"))
            if v is not None:
                return _on(v, self.w)
            rs = rpr.find(self.q("rStyle"))
            if rs is not None:
                h = self.styles.first(self.val(rs), "vanish")
                if h is not None:
                    return h
        h = self.styles.first(ctx.para_style, "vanish")
        if h is not None:
            return h
        return self.styles.default_vanish

    def _run(self, r, ctx: _Ctx, out: list) -> None:
        w = self.w
        rpr = r[0] if len(r) and r[0].tag == self.q("rPr") else r.find(self.q("rPr"))
        hidden = self._run_hidden(rpr, ctx)
        story = ctx.story
        for ch in r:
            ns, tag = _ns(ch), _local(ch)
            if ns == MC and tag == "AlternateContent":
                self._objects(self._choice(ch), ctx, out)
                continue
            if ns != w:
                continue
            if tag == "t":
                if not hidden:
                    self._emit(ctx, out, ch.text or "")
            elif tag in ("tab", "ptab"):
                if not hidden:
                    self._emit(ctx, out, "\t")
            elif tag == "br":
                btype = self.val(ch, "type")
                if btype == "page":
                    if not hidden:
                        out.append(("page",))
                elif btype == "column":
                    pass
                elif not hidden:
                    self._emit(ctx, out, "\n")
            elif tag == "cr":
                if not hidden:
                    self._emit(ctx, out, "\n")
            elif tag == "noBreakHyphen":
                if not hidden:
                    self._emit(ctx, out, "-")
            elif tag == "sym":
                code = self.val(ch, "char")
                if not hidden and code:
                    try:
                        c = int(code, 16)
                        # Symbol-font codes are often given in the F000 private area.
                        self._emit(ctx, out, chr(c))
                    except (ValueError, OverflowError):
                        self._emit(ctx, out, "\ufffd")
            elif tag == "fldChar":
                ftype = self.val(ch, "fldCharType")
                if ftype == "begin":
                    story.push(_Field())
                elif ftype == "separate":
                    story.separate()
                elif ftype == "end":
                    story.pop()
            elif tag == "instrText":
                if story.fields and not story.fields[-1].result and len(story.fields[-1].instr) < 256:
                    story.fields[-1].instr += ch.text or ""
            elif tag == "lastRenderedPageBreak":
                out.append(("rendered",))
            elif tag in ("footnoteReference", "endnoteReference"):
                nid = self.val(ch, "id")
                if nid is not None and not hidden:
                    out.append(("ref", tag[:-9], nid))
            elif tag in ("drawing", "pict", "object"):
                self._objects(ch, ctx, out)
            # delText, delInstrText, commentReference, footnoteRef, softHyphen,
            # separator marks, pgNum…: not counted.

    def _objects(self, el, ctx: _Ctx, out: list) -> None:
        """Drawings, VML pictures, shapes: count pictures and queue text boxes
        (w:txbxContent), skipping mc:Fallback copies and nested boxes (a box's
        own walk finds them)."""
        stack = [el]
        found_drawing = False
        while stack:
            cur = stack.pop()
            for ch in reversed(list(cur)):
                ns, tag = _ns(ch), _local(ch)
                if ns == MC and tag == "AlternateContent":
                    stack.append(self._choice(ch))
                    continue
                if ns == self.w and tag == "txbxContent":
                    out.append(("box", ch))
                    continue
                if tag == "pic" and ns.endswith("/picture"):
                    self.images += 1
                    found_drawing = True
                elif tag == "imagedata" and ns == "urn:schemas-microsoft-com:vml":
                    self.images += 1
                    found_drawing = True
                elif tag == "chart" and ns.endswith("/chart"):
                    self.images += 1
                    found_drawing = True
                elif tag == "relIds" and ns.endswith("/diagram"):
                    self.images += 1
                    found_drawing = True
                stack.append(ch)
        if found_drawing:
            out.append(("drawing",))

    # -- notes, headers, stats --------------------------------------------

    def _notes(self, footnotes, endnotes) -> None:
        parts = {"footnote": footnotes, "endnote": endnotes}
        index = {}
        for kind, root in parts.items():
            if root is None:
                continue
            for note in root.findall(self.q(kind)):
                ntype = self.val(note, "type")
                if ntype in ("separator", "continuationSeparator", "continuationNotice"):
                    continue
                index.setdefault((kind, self.val(note, "id")), note)
        seen = set()
        for kind in ("footnote", "endnote"):
            bkind = BlockKind.FOOTNOTE if kind == "footnote" else BlockKind.ENDNOTE
            for note_kind, nid, page, ref_block in list(self.note_refs):
                if note_kind != kind or (kind, nid) in seen:
                    continue
                seen.add((kind, nid))
                note = index.get((kind, nid))
                if note is None:
                    continue
                start = len(self.blocks)
                story = _Story(main=False, kind=bkind, page=page)
                self._blocks(note, _Ctx(story))
                for b in self.blocks[start:]:
                    b.extra["note_id"] = nid
                    if ref_block is not None:
                        b.extra["ref_block"] = ref_block

    def _headers_footers(self, rels: dict) -> list[str]:
        names = []
        for key, name in rels.items():
            if key.startswith("all:header:") or key.startswith("all:footer:"):
                names.append(name)
        if not names:
            names = [n for n in self.z.names() if re.fullmatch(r"word/(header|footer)\d*\.xml", n)]
        out = []
        for name in sorted(set(names)):
            root = self._optional(name)
            if root is None:
                continue
            sink: list[Block] = []
            self._blocks(root, _Ctx(_Story(main=False, kind=BlockKind.PARAGRAPH, sink=sink)))
            text = "\n".join(b.text for b in sink)
            if text.strip():
                out.append(text)
        return out

    def _stats(self, pkg: dict) -> StoredStats:
        name = pkg.get("type:extended-properties") or "docProps/app.xml"
        root = self._optional(name)
        stats = StoredStats()
        if root is None:
            return stats
        vals = {_local(el): (el.text or "").strip() for el in root}
        stats.characters_with_spaces = _int(vals.get("CharactersWithSpaces"))
        stats.pages = _int(vals.get("Pages"))
        app = vals.get("Application") or None
        if app and vals.get("AppVersion") and not re.search(r"\d", app):
            # "Microsoft Office Word" + "16.0000"; LibreOffice already names its
            # version in Application (and writes a meaningless AppVersion).
            app = f"{app} {vals['AppVersion']}"
        stats.application = app
        return stats


def read(data: bytes, limits: Limits) -> Document:
    """Read a DOCX (or DOCM/DOTX) file. Raises :class:`ReadError`."""
    return _Reader(data, limits).read()
