"""OpenDocument Text reader: content.xml, styles.xml and meta.xml, no LibreOffice.

The text of each block is what LibreOffice shows and counts (ODF white-space
rules: runs of spaces, tabs and newlines in the XML collapse to one space,
leading ones at the start of a paragraph are dropped; ``text:s`` gives literal
spaces, ``text:tab`` a tab, ``text:line-break`` a kept but uncounted ``\\n``).

What is not text for the count: list labels, note citations (``text:note-citation``),
comments (``office:annotation``), deleted tracked text (it lives in
``text:tracked-changes``), hidden paragraphs, sections and text, the sources
and templates of indexes. Headers and footers (master pages of styles.xml)
are read apart into ``Document.headers_footers``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..limits import Limits
from ..model import Block, BlockKind, Document, StoredStats
from ..problems import CORRUPT_FILE, ENCRYPTED, UNSUPPORTED_FORMAT, ReadError
from .safety import SafeZip, parse_xml

OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
FO = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
MANIFEST = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
LOEXT = "urn:org:documentfoundation:names:experimental:office:xmlns:loext:1.0"


def _q(ns: str, local: str) -> str:
    return f"{{{ns}}}{local}"


T_P, T_H = _q(TEXT, "p"), _q(TEXT, "h")
T_LIST, T_LIST_ITEM, T_LIST_HEADER = _q(TEXT, "list"), _q(TEXT, "list-item"), _q(TEXT, "list-header")
T_NUMBERED_PARAGRAPH = _q(TEXT, "numbered-paragraph")
T_S, T_TAB, T_LINE_BREAK = _q(TEXT, "s"), _q(TEXT, "tab"), _q(TEXT, "line-break")
T_SOFT_PAGE_BREAK = _q(TEXT, "soft-page-break")
T_NOTE, T_NOTE_BODY, T_NOTE_CITATION = _q(TEXT, "note"), _q(TEXT, "note-body"), _q(TEXT, "note-citation")
T_NUMBER = _q(TEXT, "number")
T_SECTION = _q(TEXT, "section")
T_TOC = _q(TEXT, "table-of-content")
T_INDEX_BODY = _q(TEXT, "index-body")
T_TRACKED_CHANGES, T_CHANGED_REGION = _q(TEXT, "tracked-changes"), _q(TEXT, "changed-region")
T_HIDDEN_PARAGRAPH, T_HIDDEN_TEXT = _q(TEXT, "hidden-paragraph"), _q(TEXT, "hidden-text")
T_SPAN = _q(TEXT, "span")
TABLE_TABLE, TABLE_CELL, TABLE_COVERED = _q(TABLE, "table"), _q(TABLE, "table-cell"), _q(TABLE, "covered-table-cell")
DRAW_FRAME, DRAW_TEXT_BOX, DRAW_IMAGE = _q(DRAW, "frame"), _q(DRAW, "text-box"), _q(DRAW, "image")
OFFICE_ANNOTATION, OFFICE_ANNOTATION_END = _q(OFFICE, "annotation"), _q(OFFICE, "annotation-end")

# Index elements whose index-body is real text (counted); only the
# table-of-content one is the sommaire.
_INDEXES = {_q(TEXT, n) for n in ("table-of-content", "alphabetical-index", "illustration-index",
                                   "table-index", "object-index", "user-index", "bibliography")}
# Body-level elements that hold no counted text.
_SKIP_BLOCK = {_q(TEXT, n) for n in ("tracked-changes", "variable-decls", "sequence-decls",
                                     "user-field-decls", "dde-connection-decls")} | {
    _q(OFFICE, "forms"), OFFICE_ANNOTATION, OFFICE_ANNOTATION_END}
# Inline elements whose content is not counted.
_SKIP_INLINE = {T_NOTE_CITATION, T_NUMBER, OFFICE_ANNOTATION, OFFICE_ANNOTATION_END,
                _q(TEXT, "tracked-changes"), _q(TEXT, "change"), _q(DRAW, "object"),
                _q(DRAW, "object-ole")}
_SVG = "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"

TOC_SIGNAL_INDEX = "index sommaire ODT"
TOC_SIGNAL_STYLE = "style Table des matières"
_TOC_STYLE_RE = re.compile(r"^(contents|toc)_20_(\d+|heading)$", re.IGNORECASE)
_WS_RE = re.compile(r"[ \t\r\n]+")

_ENCRYPTED_MSG = ("Le document ODT est protégé par un mot de passe\u00a0: son contenu est chiffré. "
                  "Enregistrez-en une copie sans mot de passe («\u00a0Fichier > Propriétés > Sécurité\u00a0» dans "
                  "LibreOffice) pour la vérifier.")


def _attr(el, ns: str, local: str, default=None):
    return el.get(_q(ns, local), default)


@dataclass
class _Style:
    name: str
    parent: str | None = None
    display: str | None = None
    automatic: bool = False
    # None: not set on this style (inherit from the parent).
    break_before: bool | None = None
    break_after: bool | None = None
    master_page: str | None = None
    hidden: bool | None = None
    outline_level: int | None = None


def _decode_style_name(name: str) -> str:
    """LibreOffice encodes spaces and other characters as _20_ (hex) in style names."""
    return re.sub(r"_([0-9A-Fa-f]{2})_", lambda m: chr(int(m.group(1), 16)), name)


class _Styles:
    """Style lookup by family, automatic styles shadowing common ones."""

    def __init__(self):
        self.by_family: dict[str, dict[str, _Style]] = {}
        self.list_styles: dict[str, dict[int, str | tuple]] = {}

    def load(self, container, automatic: bool) -> None:
        if container is None:
            return
        for el in container:
            if el.tag == _q(STYLE, "style"):
                name = _attr(el, STYLE, "name")
                if not name:
                    continue
                st = _Style(name=name, parent=_attr(el, STYLE, "parent-style-name"),
                            display=_attr(el, STYLE, "display-name"), automatic=automatic)
                mp = _attr(el, STYLE, "master-page-name")
                st.master_page = mp if mp else None
                lvl = _attr(el, STYLE, "default-outline-level")
                if lvl and lvl.isdigit():
                    st.outline_level = int(lvl)
                for props in el:
                    if props.tag in (_q(STYLE, "paragraph-properties"), _q(STYLE, "table-properties")):
                        bb = props.get(_q(FO, "break-before"))
                        ba = props.get(_q(FO, "break-after"))
                        if bb is not None:
                            st.break_before = bb == "page"
                        if ba is not None:
                            st.break_after = ba == "page"
                    elif props.tag == _q(STYLE, "text-properties"):
                        disp = props.get(_q(TEXT, "display"))
                        if disp is not None:
                            st.hidden = disp == "none"
                family = _attr(el, STYLE, "family", "paragraph")
                self.by_family.setdefault(family, {})[name] = st
            elif el.tag == _q(TEXT, "list-style"):
                name = _attr(el, STYLE, "name")
                if not name:
                    continue
                levels: dict[int, str | tuple] = {}
                for lv in el:
                    level = lv.get(_q(TEXT, "level"), "1")
                    level = int(level) if level.isdigit() else 1
                    if lv.tag == _q(TEXT, "list-level-style-bullet"):
                        levels[level] = lv.get(_q(TEXT, "bullet-char"), "•")
                    elif lv.tag == _q(TEXT, "list-level-style-number"):
                        levels[level] = (lv.get(_q(STYLE, "num-prefix"), ""),
                                         lv.get(_q(STYLE, "num-format"), "1"),
                                         lv.get(_q(STYLE, "num-suffix"), ""))
                self.list_styles[name] = levels

    def chain(self, family: str, name: str | None) -> list[_Style]:
        """The style and its ancestors, nearest first (cycle-safe)."""
        out: list[_Style] = []
        styles = self.by_family.get(family, {})
        seen = set()
        while name and name not in seen and len(out) < 64:
            seen.add(name)
            st = styles.get(name)
            if st is None:
                break
            out.append(st)
            name = st.parent
        return out

    def paragraph_info(self, name: str | None) -> dict:
        chain = self.chain("paragraph", name)
        info = {"break_before": False, "break_after": False, "master_page": None, "hidden": False,
                "outline_level": None, "display": None, "toc": None}
        for key in ("break_before", "break_after", "hidden", "master_page", "outline_level"):
            # The nearest style that sets the property wins (an automatic style
            # saying break-before="auto" cancels its parent's page break).
            value = next((getattr(st, key) for st in chain if getattr(st, key) is not None), None)
            if value is not None:
                info[key] = value
        for st in chain:
            if st.automatic:
                continue
            info["display"] = st.display or _decode_style_name(st.name)
            break
        if info["display"] is None and name:
            info["display"] = _decode_style_name(name)
        for st in chain:
            if _TOC_STYLE_RE.match(st.name or "") or _TOC_STYLE_RE.match((st.display or "").replace(" ", "_20_")):
                info["toc"] = TOC_SIGNAL_STYLE
                break
        return info

    def text_hidden(self, name: str | None) -> bool:
        return bool(next((st.hidden for st in self.chain("text", name) if st.hidden is not None), False))

    def table_info(self, name: str | None) -> tuple[bool, str | None]:
        chain = self.chain("table", name)
        brk = bool(next((st.break_before for st in chain if st.break_before is not None), False))
        mp = next((st.master_page for st in chain if st.master_page), None)
        return brk, mp


def _format_number(n: int, fmt: str) -> str:
    if n > 5000 or n < 1:
        return str(n)
    if fmt == "a":
        return _alpha(n).lower()
    if fmt == "A":
        return _alpha(n)
    if fmt in ("i", "I"):
        r = _roman(n)
        return r.lower() if fmt == "i" else r
    if fmt == "":
        return ""
    return str(n)


def _alpha(n: int) -> str:
    s = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s or "A"


def _roman(n: int) -> str:
    vals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
            (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for v, s in vals:
        while n >= v:
            out += s
            n -= v
    return out


@dataclass
class _Ctx:
    container: BlockKind | None = None  # TABLE_CELL, TEXT_BOX, FOOTNOTE, ENDNOTE
    toc: str | None = None
    list_kind: bool = False
    list_label: str | None = None


class _Walker:
    """Walks office:text (or a header/footer) and emits blocks in order."""

    def __init__(self, styles: _Styles, count_side_effects: bool = True):
        self.styles = styles
        self.blocks: list[Block] = []
        self.page = 1
        self.soft_breaks = 0
        self.pending_break = False  # fo:break-after on the previous paragraph
        self.seen_first = False
        self.comments = 0
        self.images = 0
        self.side = count_side_effects

    # ----- block level -----------------------------------------------------------
    def walk(self, parent, ctx: _Ctx) -> None:
        for el in parent:
            self.block_element(el, ctx)

    def block_element(self, el, ctx: _Ctx) -> None:
        tag = el.tag
        if not isinstance(tag, str):  # comments, processing instructions
            return
        if tag in (T_P, T_H):
            self.paragraph(el, ctx)
        elif tag == T_LIST:
            self.list(el, ctx, level=1, list_style=_attr(el, TEXT, "style-name"))
        elif tag == T_NUMBERED_PARAGRAPH:
            sub = _Ctx(ctx.container, ctx.toc, True, None)
            for child in el:
                if child.tag in (T_P, T_H):
                    self.paragraph(child, sub)
                else:
                    self.block_element(child, ctx)
        elif tag == TABLE_TABLE:
            self.table(el, ctx)
        elif tag == T_SOFT_PAGE_BREAK:
            self.soft_break()
        elif tag == T_SECTION:
            if _attr(el, TEXT, "display") == "none":
                return
            self.walk(el, ctx)
        elif tag in _INDEXES:
            body = el.find(T_INDEX_BODY)
            if body is not None:
                toc = TOC_SIGNAL_INDEX if tag == T_TOC else ctx.toc
                self.walk_index_body(body, _Ctx(ctx.container, toc))
        elif tag in _SKIP_BLOCK:
            return
        elif tag == DRAW_FRAME or (el.tag.startswith("{" + DRAW + "}")):
            self.drawing(el, ctx)
        elif tag.startswith("{" + _SVG + "}"):
            return
        else:
            # Unknown container (e.g. text:index-title, table:table-rows): walk its children.
            self.walk(el, ctx)

    def walk_index_body(self, body, ctx: _Ctx) -> None:
        for el in body:
            self.block_element(el, ctx)

    def soft_break(self) -> None:
        self.page += 1
        self.soft_breaks += 1

    def list(self, el, ctx: _Ctx, level: int, list_style: str | None) -> None:
        list_style = _attr(el, TEXT, "style-name") or list_style
        counter = 0
        for item in el:
            if item.tag == T_LIST_ITEM:
                start = _attr(item, TEXT, "start-value")
                if start and start.isdigit() and len(start) < 7:
                    counter = int(start)
                else:
                    counter += 1
                label = self._label(list_style, level, counter)
                self._list_item(item, ctx, level, list_style, label)
            elif item.tag == T_LIST_HEADER:
                self._list_item(item, ctx, level, list_style, None)
            elif item.tag == T_SOFT_PAGE_BREAK:
                self.soft_break()

    def _label(self, list_style: str | None, level: int, counter: int) -> str | None:
        levels = self.styles.list_styles.get(list_style or "", {})
        spec = levels.get(level)
        if spec is None:
            return None
        if isinstance(spec, str):
            return spec
        prefix, fmt, suffix = spec
        return f"{prefix}{_format_number(counter, fmt)}{suffix}" or None

    def _list_item(self, item, ctx: _Ctx, level: int, list_style: str | None, label: str | None) -> None:
        first = True
        for child in item:
            if child.tag in (T_P, T_H):
                sub = _Ctx(ctx.container, ctx.toc, True, label if first else None)
                self.paragraph(child, sub)
                first = False
            elif child.tag == T_LIST:
                self.list(child, ctx, level + 1, list_style)
                first = False
            else:
                self.block_element(child, ctx)

    def table(self, el, ctx: _Ctx) -> None:
        brk, mp = self.styles.table_info(_attr(el, TABLE, "style-name"))
        if brk or (mp and self.seen_first):
            self.hard_break_next()
        cell_ctx = _Ctx(ctx.container or BlockKind.TABLE_CELL, ctx.toc)
        self._table_rows(el, cell_ctx)

    def _table_rows(self, el, ctx: _Ctx) -> None:
        for child in el:
            tag = child.tag
            if tag in (TABLE_CELL, TABLE_COVERED):
                self.walk(child, ctx)
            elif tag == T_SOFT_PAGE_BREAK:
                self.soft_break()
            elif tag == TABLE_TABLE:
                self.table(child, ctx)
            elif isinstance(tag, str) and tag.startswith("{" + TABLE + "}"):
                self._table_rows(child, ctx)

    def hard_break_next(self) -> None:
        self.pending_break = True

    def drawing(self, el, ctx: _Ctx) -> None:
        """A frame or shape: its text is text-box text, counted once."""
        box_ctx = _Ctx(ctx.container if ctx.container == BlockKind.TEXT_BOX else BlockKind.TEXT_BOX, ctx.toc)
        if el.tag == DRAW_FRAME:
            if self.side and el.find(DRAW_IMAGE) is not None:
                self.images += 1
            for child in el:
                if child.tag == DRAW_TEXT_BOX:
                    self.walk(child, box_ctx)
                elif child.tag == DRAW_FRAME:
                    self.drawing(child, ctx)
            return
        for child in el:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag in (T_P, T_H, T_LIST, TABLE_TABLE):
                self.block_element(child, box_ctx)
            elif tag.startswith("{" + DRAW + "}"):
                self.drawing(child, ctx)

    # ----- paragraphs ----------------------------------------------------------------
    def paragraph(self, el, ctx: _Ctx) -> None:
        style_name = _attr(el, TEXT, "style-name")
        info = self.styles.paragraph_info(style_name)
        deferred: list = []
        state = {"buf": [], "prev_space": True, "start_page": self.page, "label": None}
        hidden = info["hidden"] or self._hidden_paragraph(el)
        if hidden:
            # Still follow soft page breaks so later pages stay right.
            for sp in el.iter(T_SOFT_PAGE_BREAK):
                self.soft_break()
            return
        break_before = self.pending_break or info["break_before"] or (
            bool(info["master_page"]) and self.seen_first)
        self.pending_break = False
        if break_before:
            self.page += 1
            state["start_page"] = self.page
        self._inline(el, state, deferred, ctx)
        text = "".join(state["buf"])
        if el.tag == T_H:
            kind = BlockKind.HEADING
        elif ctx.list_kind:
            kind = BlockKind.LIST_ITEM
        else:
            kind = BlockKind.PARAGRAPH
        level = None
        if el.tag == T_H:
            lvl = _attr(el, TEXT, "outline-level")
            level = int(lvl) if lvl and lvl.isdigit() else (info["outline_level"] or 1)
        extra: dict = {}
        if ctx.container is not None:
            if kind == BlockKind.HEADING:
                extra["heading_level"] = level
                level = None
            kind = ctx.container
        label = state["label"] or ctx.list_label
        self.blocks.append(Block(
            kind=kind, text=text, level=level, style=info["display"], page=state["start_page"],
            page_break_before=break_before, toc_signal=ctx.toc or info["toc"],
            list_label=label if (ctx.list_kind or state["label"]) else None, extra=extra))
        self.seen_first = True
        if info["break_after"]:
            self.pending_break = True
        for kind_el, sub_el, sub_ctx in deferred:
            if kind_el == "note":
                self.walk(sub_el, sub_ctx)
            else:
                self.drawing(sub_el, sub_ctx)

    def _hidden_paragraph(self, el) -> bool:
        for hp in el.iter(T_HIDDEN_PARAGRAPH):
            if _attr(hp, TEXT, "is-hidden") == "true":
                return True
        return False

    def _add(self, state: dict, raw: str | None) -> None:
        if not raw:
            return
        s = _WS_RE.sub(" ", raw)
        if state["prev_space"] and s.startswith(" "):
            s = s[1:]
        if s:
            state["buf"].append(s)
            state["prev_space"] = s.endswith(" ")

    def _literal(self, state: dict, s: str) -> None:
        state["buf"].append(s)
        state["prev_space"] = False

    def _inline(self, el, state: dict, deferred: list, ctx: _Ctx) -> None:
        self._add(state, el.text)
        for child in el:
            tag = child.tag
            if not isinstance(tag, str):
                self._add(state, child.tail)
                continue
            if tag == T_S:
                c = _attr(child, TEXT, "c", "1")
                # Capped: a crafted file must not make us build a huge string.
                self._literal(state, " " * (min(int(c), 1000) if c.isdigit() else 1))
            elif tag == T_TAB:
                self._literal(state, "\t")
            elif tag == T_LINE_BREAK:
                self._literal(state, "\n")
            elif tag == T_SOFT_PAGE_BREAK:
                if not "".join(state["buf"]).strip():
                    # Nothing shown yet: the paragraph starts on the new page.
                    self.soft_break()
                    state["start_page"] = self.page
                else:
                    self.soft_break()
            elif tag == T_NOTE:
                if self.side:
                    cls = _attr(child, TEXT, "note-class", "footnote")
                    kind = BlockKind.ENDNOTE if cls == "endnote" else BlockKind.FOOTNOTE
                    body = child.find(T_NOTE_BODY)
                    if body is not None:
                        deferred.append(("note", body, _Ctx(kind, None)))
            elif tag in (OFFICE_ANNOTATION, OFFICE_ANNOTATION_END):
                if tag == OFFICE_ANNOTATION and self.side:
                    self.comments += 1
            elif tag == T_NUMBER:
                label = "".join(child.itertext()).strip()
                if label:
                    state["label"] = label
            elif tag in _SKIP_INLINE:
                pass
            elif tag == T_HIDDEN_TEXT:
                if _attr(child, TEXT, "is-hidden") != "true":
                    self._inline(child, state, deferred, ctx)
            elif tag == T_SPAN and self.styles.text_hidden(_attr(child, TEXT, "style-name")):
                pass
            elif tag.startswith("{" + DRAW + "}"):
                if self.side:
                    deferred.append(("draw", child, ctx))
            elif tag.startswith("{" + _SVG + "}"):
                pass
            else:
                # text:span, text:a, text:meta, fields (their content is the
                # displayed result), bookmarks and change markers (empty).
                self._inline(child, state, deferred, ctx)
            self._add(state, child.tail)


def _check_encryption(z: SafeZip) -> None:
    if z.is_encrypted("content.xml"):
        raise ReadError(ENCRYPTED, _ENCRYPTED_MSG)
    if not z.has("META-INF/manifest.xml"):
        return
    try:
        manifest = parse_xml(z.read("META-INF/manifest.xml"), "META-INF/manifest.xml", z.limits)
    except ReadError:
        return  # a broken manifest alone does not stop us; content.xml decides
    for entry in manifest.iter(_q(MANIFEST, "file-entry")):
        path = entry.get(_q(MANIFEST, "full-path"), "")
        if path.lstrip("/") == "content.xml" and entry.find(_q(MANIFEST, "encryption-data")) is not None:
            raise ReadError(ENCRYPTED, _ENCRYPTED_MSG)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _read_meta(z: SafeZip) -> StoredStats:
    stats = StoredStats()
    if not z.has("meta.xml"):
        return stats
    try:
        root = parse_xml(z.read("meta.xml"), "meta.xml", z.limits)
    except ReadError:
        return stats
    ds = root.find(f".//{_q(META, 'document-statistic')}")
    if ds is not None:
        stats.characters_with_spaces = _int(ds.get(_q(META, "character-count")))
        stats.pages = _int(ds.get(_q(META, "page-count")))
    gen = root.find(f".//{_q(META, 'generator')}")
    if gen is not None and gen.text:
        stats.application = gen.text.strip()
    return stats


_HF_TAGS = {"header", "footer", "header-left", "footer-left", "header-first", "footer-first"}


def _headers_footers(styles_root, styles: _Styles) -> list[str]:
    out: list[str] = []
    if styles_root is None:
        return out
    master = styles_root.find(_q(OFFICE, "master-styles"))
    if master is None:
        return out
    for mp in master.iter(_q(STYLE, "master-page")):
        for part in mp:
            if not isinstance(part.tag, str):
                continue
            local = part.tag.rsplit("}", 1)[-1]
            if local not in _HF_TAGS or part.tag.split("}")[0][1:] not in (STYLE, LOEXT):
                continue
            if _attr(part, STYLE, "display") == "false":
                continue
            w = _Walker(styles, count_side_effects=False)
            w.walk(part, _Ctx())
            text = "\n".join(b.text for b in w.blocks if b.text.strip()).strip()
            if text and text not in out:
                out.append(text)
    return out


def read(data: bytes, limits: Limits) -> Document:
    """Read an ODT file's bytes into a :class:`Document`. Raises ReadError."""
    z = SafeZip(data, limits)
    _check_encryption(z)
    if not z.has("content.xml"):
        raise ReadError(CORRUPT_FILE, "Le fichier ODT est incomplet (la partie content.xml manque). "
                        "Ouvrez-le dans votre traitement de texte et enregistrez-le de nouveau.")
    content = parse_xml(z.read("content.xml"), "content.xml", limits)
    styles_root = None
    if z.has("styles.xml"):
        try:
            styles_root = parse_xml(z.read("styles.xml"), "styles.xml", limits)
        except ReadError as exc:
            if exc.code != CORRUPT_FILE:
                raise
            styles_root = None  # text stays readable; styles give only signals

    body = content.find(_q(OFFICE, "body"))
    text_root = body.find(_q(OFFICE, "text")) if body is not None else None
    if text_root is None:
        raise ReadError(UNSUPPORTED_FORMAT, "Ce fichier OpenDocument n'est pas un document texte "
                        "(tableur, présentation ou dessin\u00a0?). Enregistrez votre production au format "
                        "ODT, DOCX ou PDF depuis votre traitement de texte.")

    common = _Styles()
    if styles_root is not None:
        common.load(styles_root.find(_q(OFFICE, "styles")), automatic=False)
    body_styles = _Styles()
    body_styles.by_family = {f: dict(d) for f, d in common.by_family.items()}
    body_styles.list_styles = dict(common.list_styles)
    body_styles.load(content.find(_q(OFFICE, "automatic-styles")), automatic=True)
    hf_styles = _Styles()
    hf_styles.by_family = {f: dict(d) for f, d in common.by_family.items()}
    hf_styles.list_styles = dict(common.list_styles)
    if styles_root is not None:
        hf_styles.load(styles_root.find(_q(OFFICE, "automatic-styles")), automatic=True)

    walker = _Walker(body_styles)
    try:
        walker.walk(text_root, _Ctx())
    except RecursionError:
        raise ReadError(CORRUPT_FILE, "Le document est anormalement imbriqué et ne peut pas être lu. "
                        "Ouvrez-le dans votre traitement de texte et enregistrez-le de nouveau.",
                        reason="recursion") from None

    tracked = 0
    for tc in text_root.iter(T_TRACKED_CHANGES):
        tracked += sum(1 for _ in tc.iter(T_CHANGED_REGION))

    doc = Document(format="odt")
    doc.blocks = walker.blocks
    doc.headers_footers = _headers_footers(styles_root, hf_styles)
    doc.stored = _read_meta(z)
    doc.has_rendered_page_breaks = walker.soft_breaks > 0
    if not doc.has_rendered_page_breaks:
        # Without LibreOffice's last layout only hard breaks are known: the
        # page numbers would be a lower bound, so leave them unknown.
        for b in doc.blocks:
            b.page = None
    doc.tracked_changes = tracked
    doc.comments = walker.comments
    doc.images = walker.images
    return doc
