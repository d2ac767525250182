#!/usr/bin/env python3
"""Build the bundled sample productions of dossier-check from their sources.

Usage (from the repository root)::

    .venv/bin/python scripts/make_samples.py

Reads ``samples/sources/*.md`` (YAML front matter + a tiny Markdown-like body,
syntax documented in ``samples/README.md``), writes for each source a DOCX built
with python-docx (plus raw WordprocessingML for the sommaire field, footnotes and
text boxes), then converts every DOCX to ODT and PDF with LibreOffice (one
``soffice`` call per target format for all files) and writes
``samples/expected.json``: the exact character counts computed from the source
text, and the pages LibreOffice renders.

The text and the counts are deterministic; the DOCX files are byte-identical from
one run to the next (fixed zip timestamps and metadata); so are the ODT and PDF
files, once LibreOffice's timestamps, rsids, list ids and PDF file ID are
replaced by fixed values (same LibreOffice version and fonts assumed).
"""
from __future__ import annotations

import copy
import io
import json
import math
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SOURCES = SAMPLES / "sources"

NSDECL = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:wp14="http://schemas.microsoft.com/office/word/2010/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:w10="urn:schemas-microsoft-com:office:word" '
    'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"'
)

TITLES = {
    "ntc": {
        "name": "Négociateur technico-commercial",
        "code": "TP-00338",
        "documents": ["veille", "plan-actions", "fidelisation"],
        "competences": {
            "veille": "Assurer une veille commerciale pour analyser l'état du marché",
            "plan-actions": "Organiser un plan d'actions commerciales",
            "fidelisation": "Mettre en œuvre des actions de fidélisation",
        },
    },
    "cc": {
        "name": "Conseiller commercial",
        "code": "TP-00115",
        "documents": ["veille", "plan-actions", "prospection-distance", "fidelisation"],
        "competences": {
            "veille": "Assurer une veille professionnelle et commerciale",
            "plan-actions": "Mettre en œuvre un plan d'actions commerciales et organiser son activité",
            "prospection-distance": "Prospecter à distance",
            "fidelisation": "Fidéliser son portefeuille client",
        },
    },
}

# Fixed timestamp for every zip entry and core.xml date: byte-identical DOCX.
ZIP_DATE = (2026, 3, 20, 18, 30, 0)
NBSP = "\u00a0"


# --------------------------------------------------------------------------
# Source model
# --------------------------------------------------------------------------

@dataclass
class Block:
    kind: str  # heading, paragraph, bullet, table, textbox, pagebreak, image
    level: int = 0
    segments: list = field(default_factory=list)  # text with ("b", str) bold and ("fn", key)
    rows: list = field(default_factory=list)  # table rows (first = header)
    paragraphs: list = field(default_factory=list)  # text box paragraphs
    title: str = ""  # text box title (its first paragraph, bold); image kind
    height_cm: float = 0.0  # image

    @property
    def text(self) -> str:
        """The counted text: footnote marks are not characters."""
        return "".join(s if isinstance(s, str) else (s[1] if s[0] == "b" else "")
                       for s in self.segments)


@dataclass
class Source:
    meta: dict
    blocks: list
    footnotes: dict  # key -> text
    path: Path

    @property
    def id(self) -> str:
        return self.meta["id"]


INLINE_RE = re.compile(r"\*\*(.+?)\*\*|\[\^([\w-]+)\]")


def parse_inline(text: str) -> list:
    segs: list = []
    pos = 0
    for m in INLINE_RE.finditer(text):
        if m.start() > pos:
            segs.append(text[pos:m.start()])
        if m.group(1) is not None:
            segs.append(("b", m.group(1)))
        else:
            segs.append(("fn", m.group(2)))
        pos = m.end()
    if pos < len(text):
        segs.append(text[pos:])
    return segs


def typography(text: str) -> str:
    """French typography the way Word's French autocorrect types it: a no-break
    space inside « » and before : ; ! ?, and between digit groups (12 000)."""
    text = text.replace("'", "’")
    text = re.sub(r"«\s*", "«" + NBSP, text)
    text = re.sub(r"\s*»", NBSP + "»", text)
    text = re.sub(r"\s+([:;!?])", NBSP + r"\1", text)
    text = re.sub(r"(?<=\d) (?=\d{3}\b)", NBSP, text)
    text = re.sub(r"(?<=\d) (?=(%|€|k€)(\W|$))", NBSP, text)
    return text


def load_source(path: Path, all_paths: dict) -> Source:
    raw = path.read_text(encoding="utf-8")
    m = re.match(r"^---\n(.*?)\n---\n(.*)$", raw, re.S)
    if not m:
        raise SystemExit(f"{path}: missing YAML front matter")
    meta = yaml.safe_load(m.group(1))
    blocks: list = []
    footnotes: dict = {}
    lines = m.group(2).split("\n")
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        i += 1
        if not line.strip() or line.startswith("<!--"):
            continue
        if line.startswith("!include "):
            other = load_source(all_paths[line.split()[1]], all_paths)
            blocks.extend(other.blocks)
            footnotes.update(other.footnotes)
            continue
        if line.strip() == "\\saut-de-page":
            blocks.append(Block("pagebreak"))
            continue
        if line.startswith("!image "):
            parts = line.split()
            blocks.append(Block("image", height_cm=float(parts[1]),
                                title=parts[2] if len(parts) > 2 else "barres"))
            continue
        fm = re.match(r"^\[\^([\w-]+)\]:\s*(.*)$", line)
        if fm:
            footnotes[fm.group(1)] = typography(fm.group(2))
            continue
        hm = re.match(r"^(#{1,3}) (.*)$", line)
        if hm:
            blocks.append(Block("heading", level=len(hm.group(1)),
                                segments=[typography(hm.group(2))]))
            continue
        if line.startswith("- "):
            blocks.append(Block("bullet", segments=parse_inline(typography(line[2:]))))
            continue
        if line.startswith("|"):
            rows = []
            while True:
                cells = [typography(c.strip()) for c in line.strip().strip("|").split("|")]
                rows.append(cells)
                if i < len(lines) and lines[i].startswith("|"):
                    line = lines[i].rstrip()
                    i += 1
                else:
                    break
            if len({len(r) for r in rows}) != 1:
                raise SystemExit(f"{path}: table rows of unequal length near {rows[0]}")
            blocks.append(Block("table", rows=rows))
            continue
        if line.startswith("::: "):
            title = typography(line[4:].strip())
            paras = []
            while lines[i].rstrip() != ":::":
                if lines[i].strip():
                    paras.append(typography(lines[i].strip()))
                i += 1
            i += 1
            blocks.append(Block("textbox", title=title, paragraphs=paras))
            continue
        blocks.append(Block("paragraph", segments=parse_inline(typography(line.strip()))))
    src = Source(meta, blocks, footnotes, path)
    used = [s[1] for b in blocks for s in b.segments if isinstance(s, tuple) and s[0] == "fn"]
    if sorted(used) != sorted(footnotes):
        raise SystemExit(f"{path}: footnote references {used} vs definitions {list(footnotes)}")
    return src


# --------------------------------------------------------------------------
# Text of each region (what expected.json counts)
# --------------------------------------------------------------------------

def cover_lines(src: Source) -> list[tuple[str, str]]:
    """(style, text) of the cover page; empty texts are spacing paragraphs."""
    m = src.meta
    t = TITLES[m["title"]]
    n = t["documents"].index(m["competence"]) + 1
    total = len(t["documents"])
    return [
        ("cover-small", "Titre professionnel"),
        ("Title", t["name"]),
        ("cover-small", f"{t['code']} — {m['session']}"),
        ("", ""),
        ("cover-mid", f"Dossier de production — document {n} sur {total}"),
        ("cover-big", typography(f"« {t['competences'][m['competence']]} »")),
        ("", ""),
        ("", ""),
        ("cover-line", typography(f"Candidate : {m['candidate']} (candidate fictive)")
         if m.get("candidate_gender") == "f"
         else typography(f"Candidat : {m['candidate']} (candidat fictif)")),
        ("cover-line", typography(f"Entreprise : {m['company']}")),
        ("cover-line", typography(m["context_line"])),
        ("cover-line", typography(f"Session : {m['session_date']}")),
    ]


def header_text(src: Source) -> str:
    m = src.meta
    return typography(f"{m['candidate']} — {TITLES[m['title']]['name']} — {m['short_title']}")


def footer_text(page: int, pages: int) -> str:
    return f"Page {page} / {pages}"


def region_counts(src: Source) -> dict:
    body = tables = boxes = notes = 0
    bullets = 0
    for b in src.blocks:
        if b.kind in ("heading", "paragraph", "bullet"):
            body += len(b.text)
            bullets += b.kind == "bullet"
        elif b.kind == "table":
            tables += sum(len(c) for r in b.rows for c in r)
        elif b.kind == "textbox":
            boxes += len(b.title) + sum(len(p) for p in b.paragraphs)
    # Each footnote is written as Word does: the reference mark (not a
    # character), one space, the note text.
    for text in src.footnotes.values():
        notes += 1 + len(text)
    return {"body": body, "tables": tables, "text_boxes": boxes, "notes": notes,
            "counted": body + tables + boxes + notes, "bullets": bullets,
            "note_marks": len(src.footnotes)}


def headings(src: Source) -> list[Block]:
    return [b for b in src.blocks if b.kind == "heading" and b.level <= 3]


def page_offset(src: Source) -> int:
    """Physical page minus the number shown in the footer and the sommaire:
    non-zero when the body is its own section with numbering restarted at 1."""
    if src.meta.get("body_section") != "restart-numbering":
        return 0
    return int(src.meta.get("cover", True)) + int(src.meta.get("sommaire", True))


def sommaire_entries(src: Source, pages: dict[int, int]) -> list[tuple[int, str, str]]:
    """(level, heading, page number shown) for each sommaire entry; ``pages``
    maps heading index to physical page."""
    off = page_offset(src)
    return [(b.level, b.text, str(pages[i] - off) if i in pages else "")
            for i, b in enumerate(headings(src))]


SOMMAIRE_TITLE = "Sommaire"


def sommaire_count(src: Source, pages: dict[int, int]) -> int:
    # "Sommaire" + each entry: its text, one tab (dot leader), the page number.
    return len(SOMMAIRE_TITLE) + sum(len(t) + 1 + len(p) for _, t, p in sommaire_entries(src, pages))


# --------------------------------------------------------------------------
# DOCX writer
# --------------------------------------------------------------------------

EXTRA_STYLES = """
<w:styles {ns}>
<w:style w:type="paragraph" w:styleId="TOC1"><w:name w:val="toc 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:autoRedefine/><w:uiPriority w:val="39"/><w:unhideWhenUsed/><w:pPr><w:spacing w:after="100"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="TOC2"><w:name w:val="toc 2"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:autoRedefine/><w:uiPriority w:val="39"/><w:unhideWhenUsed/><w:pPr><w:spacing w:after="100"/><w:ind w:left="220"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="TOC3"><w:name w:val="toc 3"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:autoRedefine/><w:uiPriority w:val="39"/><w:unhideWhenUsed/><w:pPr><w:spacing w:after="100"/><w:ind w:left="440"/></w:pPr></w:style>
<w:style w:type="character" w:styleId="Hyperlink"><w:name w:val="Hyperlink"/><w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/><w:rPr><w:color w:val="0563C1" w:themeColor="hyperlink"/><w:u w:val="single"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="FootnoteText"><w:name w:val="footnote text"/><w:basedOn w:val="Normal"/><w:link w:val="FootnoteTextChar"/><w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:rPr><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr></w:style>
<w:style w:type="character" w:customStyle="1" w:styleId="FootnoteTextChar"><w:name w:val="Note de bas de page Car"/><w:basedOn w:val="DefaultParagraphFont"/><w:link w:val="FootnoteText"/><w:uiPriority w:val="99"/><w:semiHidden/><w:rPr><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr></w:style>
<w:style w:type="character" w:styleId="FootnoteReference"><w:name w:val="footnote reference"/><w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/><w:rPr><w:vertAlign w:val="superscript"/></w:rPr></w:style>
</w:styles>
""".format(ns=NSDECL)


def setup_styles(doc, meta: dict) -> None:
    styles_el = doc.styles.element
    # Document defaults: Calibri 11 pt, French, Word 2013+ spacing.
    rpr = styles_el.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    for att in list(fonts.attrib):
        del fonts.attrib[att]
    for att in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{att}"), "Calibri")
    rpr.find(qn("w:lang")).set(qn("w:val"), "fr-FR")
    ppr = styles_el.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
    sp = ppr.find(qn("w:spacing"))
    layout = meta.get("layout", {})
    sp.set(qn("w:after"), str(layout.get("space_after_twips", 200)))
    sp.set(qn("w:line"), str(int(240 * layout.get("line_spacing", 1.15))))
    normal = doc.styles["Normal"]
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    for name, size in (("Heading 1", 14), ("Heading 2", 12), ("Heading 3", 11), ("Title", 26)):
        st = doc.styles[name]
        st.font.name = "Calibri"
        st.font.size = Pt(size)
        st.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
        st_rpr = st.element.get_or_add_rPr()
        rf = st_rpr.find(qn("w:rFonts"))
        for att in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
            if rf is not None and rf.get(qn(f"w:{att}")) is not None:
                del rf.attrib[qn(f"w:{att}")]
    doc.styles["Heading 1"].paragraph_format.space_before = Pt(18)
    doc.styles["Heading 1"].paragraph_format.space_after = Pt(6)
    doc.styles["Heading 2"].paragraph_format.space_before = Pt(10)
    doc.styles["Heading 2"].paragraph_format.space_after = Pt(4)
    doc.styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for el in parse_xml(EXTRA_STYLES):
        styles_el.append(el)


def set_page(section) -> None:
    # A4, Word's "Normal" margins in a French install: 2.5 cm all round.
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = section.bottom_margin = Cm(2.5)
    section.header_distance = section.footer_distance = Cm(1.25)


def fld(instr: str, result: str) -> list:
    """Runs of a complex field with its cached result."""
    return [
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>',
        f'<w:r><w:instrText xml:space="preserve"> {instr} </w:instrText></w:r>',
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>',
        f'<w:r><w:t>{result}</w:t></w:r>',
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
    ]


def xml_text(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def run_xml(text: str, bold: bool = False) -> str:
    rpr = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{xml_text(text)}</w:t></w:r>'


def toc_sdt(src: Source, pages: dict[int, int]) -> str:
    entries = sommaire_entries(src, pages)
    parts = [f'<w:sdt {NSDECL}><w:sdtPr><w:id w:val="-1229994161"/>'
             '<w:docPartObj><w:docPartGallery w:val="Table of Contents"/><w:docPartUnique/>'
             '</w:docPartObj></w:sdtPr><w:sdtEndPr><w:rPr><w:b/><w:bCs/></w:rPr></w:sdtEndPr><w:sdtContent>',
             f'<w:p><w:pPr><w:pStyle w:val="TOCHeading"/></w:pPr>{run_xml(SOMMAIRE_TITLE)}</w:p>']
    for k, (level, text, page) in enumerate(entries):
        runs = []
        if k == 0:
            runs += fld('TOC \\o "1-3" \\h \\z \\u', "")[:3]
        anchor = f"_Toc{190000000 + k}"
        link = [run_xml(text), "<w:r><w:webHidden/><w:tab/></w:r>"]
        link += fld(f"PAGEREF {anchor} \\h", page)
        runs.append(f'<w:hyperlink w:anchor="{anchor}" w:history="1">{"".join(link)}</w:hyperlink>')
        parts.append(
            f'<w:p><w:pPr><w:pStyle w:val="TOC{level}"/><w:tabs>'
            f'<w:tab w:val="right" w:leader="dot" w:pos="9060"/></w:tabs><w:rPr><w:noProof/></w:rPr></w:pPr>'
            f'{"".join(runs)}</w:p>')
    parts.append('<w:p><w:r><w:rPr><w:b/><w:bCs/></w:rPr><w:fldChar w:fldCharType="end"/></w:r></w:p>')
    parts.append("</w:sdtContent></w:sdt>")
    return "".join(parts)


def textbox_xml(block: Block, shape_id: int) -> str:
    paras = [(block.title, True)] + [(p, False) for p in block.paragraphs]
    # Height as Word would store it after fitting the text: about 92
    # characters a line at 11 pt in the 15.3 cm between the insets.
    lines = sum(max(1, math.ceil(len(p) / 92)) for p, _ in paras)
    height_emu = int((lines * 0.46 + 0.45 + 0.1 * len(paras)) * 360000)
    width_emu = int(15.9 * 360000)
    w_cm, h_cm = width_emu / 360000, height_emu / 360000
    content = "".join(
        f'<w:p><w:pPr><w:spacing w:after="60" w:line="240" w:lineRule="auto"/><w:jc w:val="left"/></w:pPr>'
        f'{run_xml(p, bold)}</w:p>' for p, bold in paras)
    return (
        f'<w:r {NSDECL}><w:rPr><w:noProof/></w:rPr><mc:AlternateContent><mc:Choice Requires="wps">'
        f'<w:drawing><wp:anchor distT="45720" distB="45720" distL="114300" distR="114300" simplePos="0" '
        f'relativeHeight="{251659264 + shape_id}" behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1">'
        f'<wp:simplePos x="0" y="0"/><wp:positionH relativeFrom="margin"><wp:align>center</wp:align></wp:positionH>'
        f'<wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV>'
        f'<wp:extent cx="{width_emu}" cy="{height_emu}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:wrapTopAndBottom/><wp:docPr id="{shape_id}" name="Zone de texte {shape_id}"/>'
        f'<wp:cNvGraphicFramePr/><a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f'<wps:wsp><wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{width_emu}" cy="{height_emu}"/></a:xfrm>'
        f'<a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:solidFill><a:srgbClr val="EAF1FB"/></a:solidFill>'
        f'<a:ln w="9525"><a:solidFill><a:srgbClr val="2F5496"/></a:solidFill><a:miter lim="800000"/></a:ln></wps:spPr>'
        f'<wps:txbx><w:txbxContent>{content}</w:txbxContent></wps:txbx>'
        f'<wps:bodyPr rot="0" vert="horz" wrap="square" lIns="108000" tIns="72000" rIns="108000" bIns="72000" anchor="t" anchorCtr="0">'
        f'<a:spAutoFit/></wps:bodyPr></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>'
        f'<mc:Fallback><w:pict><v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
        f'<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
        f'<v:shape id="Zone de texte {shape_id}" o:spid="_x0000_s{1025 + shape_id}" type="#_x0000_t202" '
        f'style="position:absolute;margin-left:0;margin-top:0;width:{w_cm:.2f}cm;height:{h_cm:.2f}cm;z-index:251659264;'
        f'mso-wrap-style:square;mso-position-horizontal:center;mso-position-horizontal-relative:margin;'
        f'mso-position-vertical-relative:text" fillcolor="#eaf1fb" strokecolor="#2f5496">'
        f'<v:textbox style="mso-fit-shape-to-text:t"><w:txbxContent>{content}</w:txbxContent></v:textbox>'
        f'<w10:wrap type="topAndBottom" anchorx="margin"/></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>'
    )


def image_png(width_px: int, height_px: int, kind: str = "barres") -> bytes:
    """A plain schematic picture without text (a bar chart, a positioning map
    or a sector map), drawn with Pillow: deterministic bytes."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (width_px, height_px), (244, 247, 252))
    d = ImageDraw.Draw(img)
    d.rectangle([4, 4, width_px - 5, height_px - 5], outline=(47, 84, 150), width=4)
    if kind == "carte":
        cx, cy = width_px // 2, height_px // 2
        d.line([60, cy, width_px - 60, cy], fill=(80, 80, 80), width=3)
        d.line([cx, 40, cx, height_px - 40], fill=(80, 80, 80), width=3)
        spots = [(0.2, 0.3, 60), (0.75, 0.25, 45), (0.55, 0.6, 70), (0.3, 0.75, 40),
                 (0.8, 0.7, 55), (0.45, 0.4, 85)]
        for k, (x, y, r) in enumerate(spots):
            px, py = int(x * width_px), int(y * height_px)
            fill = (220, 90, 60) if k == len(spots) - 1 else (47, 84, 150 + 15 * k)
            d.ellipse([px - r, py - r, px + r, py + r], fill=fill, outline=(30, 30, 30), width=2)
    elif kind == "secteur":
        pts = [(0.08, 0.35), (0.3, 0.12), (0.62, 0.1), (0.92, 0.3), (0.88, 0.8), (0.5, 0.92), (0.12, 0.75)]
        poly = [(int(x * width_px), int(y * height_px)) for x, y in pts]
        d.polygon(poly, fill=(214, 226, 244), outline=(47, 84, 150))
        d.line([width_px // 2, 60, width_px // 2, height_px - 60], fill=(47, 84, 150), width=5)
        d.line([80, height_px // 2, width_px - 80, height_px // 2], fill=(47, 84, 150), width=5)
        for k, (x, y) in enumerate([(0.3, 0.3), (0.7, 0.3), (0.3, 0.7), (0.7, 0.7), (0.45, 0.55)]):
            px, py = int(x * width_px), int(y * height_px)
            d.ellipse([px - 18, py - 18, px + 18, py + 18], fill=(220, 90, 60) if k == 4 else (47, 84, 150))
    else:
        for k in range(6):
            x0 = 60 + k * (width_px - 120) // 6
            h = (k + 2) * (height_px - 160) // 9
            d.rectangle([x0, height_px - 80 - h, x0 + (width_px - 120) // 8, height_px - 80],
                        fill=(47, 84, 150 + 15 * k))
        d.line([40, height_px - 80, width_px - 40, height_px - 80], fill=(60, 60, 60), width=3)
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()


def footer_fields(p, numpages: bool = True) -> None:
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    xml = [run_xml("Page ")] + fld("PAGE \\* MERGEFORMAT", "1")
    if numpages:
        xml += [run_xml(" / ")] + fld("NUMPAGES \\* MERGEFORMAT", "1")
    for r in xml:
        p._p.append(parse_xml(nsify(r)))


def add_header_footer(doc, src: Source, with_cover: bool) -> None:
    section = doc.sections[0]
    section.different_first_page_header_footer = with_cover
    hp = section.header.paragraphs[0]
    hp.text = header_text(src)
    hp.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for r in hp.runs:
        r.font.size = Pt(9)
        r.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
    if not page_offset(src):
        footer_fields(section.footer.paragraphs[0])
    # else: no page number on the sommaire; the body section numbers its own
    # pages from 1 (see body_section_break).


def body_section_break(doc) -> None:
    """End the front matter with a "next page" section break, as candidates do
    to number the body from 1: the body section keeps the header (linked),
    has its own footer "Page N" and restarts numbering at 1."""
    new = doc.add_section(WD_SECTION.NEW_PAGE)
    new.different_first_page_header_footer = False
    new.footer.is_linked_to_previous = False
    footer_fields(new.footer.paragraphs[0], numpages=False)
    num = parse_xml(f'<w:pgNumType {NSDECL} w:start="1"/>')
    cols = new._sectPr.find(qn("w:cols"))
    if cols is not None:
        cols.addprevious(num)
    else:
        new._sectPr.append(num)


def nsify(frag: str) -> str:
    """Declare the namespaces on the fragment's first element."""
    m = re.match(r"<([\w:]+)", frag)
    return frag[:m.end()] + " " + NSDECL + frag[m.end():] if "xmlns:w=" not in frag[:200] else frag


def build_docx(src: Source, pages: dict[int, int], total_pages: int, word_meta: dict | None,
               marks: dict | None = None) -> bytes:
    meta = src.meta
    marks = marks or {}
    doc = Document()
    setup_styles(doc, meta)
    set_page(doc.sections[0])
    with_cover = meta.get("cover", True)
    with_toc = meta.get("sommaire", True)
    add_header_footer(doc, src, with_cover)
    body = doc.element.body
    sectpr = body[-1]

    def append(frag: str):
        sectpr.addprevious(parse_xml(nsify(frag)))

    def page_break_paragraph():
        append('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')

    if with_cover:
        for style, text in cover_lines(src):
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            if style == "Title":
                p.style = doc.styles["Title"]
            if text:
                r = p.add_run(text)
                if style != "Title":  # the Title style gives its own 26 pt
                    r.font.size = Pt({"cover-small": 12, "cover-mid": 14, "cover-big": 18,
                                      "cover-line": 12}.get(style, 11))
                r.bold = style in ("cover-big",)
            p.paragraph_format.space_after = Pt(36 if style in ("", "cover-big") else 10)
        page_break_paragraph()
    if with_toc:
        append(toc_sdt(src, pages))
        if ("toc-title",) in marks:
            sdt = sectpr.getprevious()
            mark_page_start(sdt.find(".//" + qn("w:p")), marks[("toc-title",)])
        if not page_offset(src):
            page_break_paragraph()
    elif page_offset(src):
        raise SystemExit(f"{src.id}: body_section needs a sommaire")
    if page_offset(src):
        body_section_break(doc)
        sectpr = body[-1]

    layout = meta.get("layout", {})
    note_ids = {key: k + 1 for k, key in enumerate(src.footnotes)}
    heading_k = 0
    shape_id = 1
    for n, b in enumerate(src.blocks):
        if b.kind == "heading":
            p = doc.add_paragraph(b.text, style=f"Heading {b.level}")
            if n > 0 and layout.get("page_break_before_headings") \
                    and b.level <= layout["page_break_before_headings"]:
                p.paragraph_format.page_break_before = True
            name = f"_Toc{190000000 + heading_k}"
            bs = parse_xml(f'<w:bookmarkStart {NSDECL} w:id="{heading_k}" w:name="{name}"/>')
            be = parse_xml(f'<w:bookmarkEnd {NSDECL} w:id="{heading_k}"/>')
            p._p.insert(1, bs)
            p._p.append(be)
            heading_k += 1
        elif b.kind in ("paragraph", "bullet"):
            p = doc.add_paragraph(style="List Bullet" if b.kind == "bullet" else None)
            for s in b.segments:
                if isinstance(s, str):
                    p.add_run(s)
                elif s[0] == "b":
                    p.add_run(s[1]).bold = True
                else:
                    p._p.append(parse_xml(
                        f'<w:r {NSDECL}><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr>'
                        f'<w:footnoteReference w:id="{note_ids[s[1]]}"/></w:r>'))
        elif b.kind == "table":
            t = doc.add_table(rows=len(b.rows), cols=len(b.rows[0]))
            table_index = n
            t.style = doc.styles["Table Grid"]
            for r_i, row in enumerate(b.rows):
                for c_i, cell_text in enumerate(row):
                    cp = t.cell(r_i, c_i).paragraphs[0]
                    cp.alignment = WD_ALIGN_PARAGRAPH.LEFT
                    cp.paragraph_format.space_after = Pt(0)
                    run = cp.add_run(cell_text)
                    run.font.size = Pt(10)
                    run.bold = r_i == 0
                    if ("cell", table_index, r_i, c_i) in marks:
                        mark_page_start(cp._p, marks[("cell", table_index, r_i, c_i)])
            doc.add_paragraph()  # Word always keeps a paragraph after a table
        elif b.kind == "textbox":
            p = doc.add_paragraph()
            p._p.append(parse_xml(textbox_xml(b, shape_id)))
            shape_id += 1
        elif b.kind == "pagebreak":
            page_break_paragraph()
        elif b.kind == "image":
            png = image_png(1600, int(1600 * b.height_cm / 16), b.title)
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.add_run().add_picture(io.BytesIO(png), width=Cm(16), height=Cm(b.height_cm))
        key = {"heading": ("block", n), "paragraph": ("block", n), "bullet": ("block", n),
               "textbox": ("box", n), "image": ("image", n)}.get(b.kind)
        if key in marks:
            mark_page_start(p._p, marks[key])

    if src.footnotes:
        add_footnotes(doc, src, note_ids)

    buf = io.BytesIO()
    doc.save(buf)
    return finish_package(buf.getvalue(), src, word_meta)


def add_footnotes(doc, src: Source, note_ids: dict) -> None:
    notes = [
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
        'w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>',
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" '
        'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>',
    ]
    for key, text in src.footnotes.items():
        notes.append(
            f'<w:footnote w:id="{note_ids[key]}"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr>'
            '<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteRef/></w:r>'
            f'<w:r><w:t xml:space="preserve"> </w:t></w:r>{run_xml(text)}</w:p></w:footnote>')
    xml = (f"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n<w:footnotes {NSDECL}>"
           + "".join(notes) + "</w:footnotes>")
    part = Part(PackURI("/word/footnotes.xml"),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
                xml.encode("utf-8"), doc.part.package)
    doc.part.relate_to(part, RT.FOOTNOTES)
    settings = doc.settings.element
    fpr = parse_xml(f'<w:footnotePr {NSDECL}><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>')
    # footnotePr goes after w:characterSpacingControl-ish elements; before w:compat is safe.
    compat = settings.find(qn("w:compat"))
    if compat is not None:
        compat.addprevious(fpr)
    else:
        settings.append(fpr)


APP_XML = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><Template>Normal.dotm</Template><TotalTime>{total_time}</TotalTime><Pages>{pages}</Pages><Words>{words}</Words><Characters>{chars}</Characters><Application>Microsoft Office Word</Application><DocSecurity>0</DocSecurity><Lines>{lines}</Lines><Paragraphs>{paragraphs}</Paragraphs><ScaleCrop>false</ScaleCrop><HeadingPairs><vt:vector size="2" baseType="variant"><vt:variant><vt:lpstr>Titre</vt:lpstr></vt:variant><vt:variant><vt:i4>1</vt:i4></vt:variant></vt:vector></HeadingPairs><TitlesOfParts><vt:vector size="1" baseType="lpstr"><vt:lpstr></vt:lpstr></vt:vector></TitlesOfParts><Company></Company><LinksUpToDate>false</LinksUpToDate><CharactersWithSpaces>{chars_ws}</CharactersWithSpaces><SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged><AppVersion>16.0000</AppVersion></Properties>"""

CORE_XML = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title></dc:title><dc:subject></dc:subject><dc:creator>{author}</dc:creator><cp:keywords></cp:keywords><dc:description></dc:description><cp:lastModifiedBy>{author}</cp:lastModifiedBy><cp:revision>{revision}</cp:revision><dcterms:created xsi:type="dcterms:W3CDTF">{created}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{modified}</dcterms:modified></cp:coreProperties>"""


def word_statistics(src: Source, pages: dict[int, int], total_pages: int) -> dict:
    """Plausible docProps/app.xml statistics, as Word would store them after a
    save. These are GENERATOR values (computed here from the source text, not
    by a word processor): whole file = cover + sommaire + counted region +
    one character per bullet and per note mark + header and footer text."""
    texts: list[str] = []
    if src.meta.get("cover", True):
        texts += [t for _, t in cover_lines(src) if t]
    if src.meta.get("sommaire", True):
        texts.append(SOMMAIRE_TITLE)
        texts += [f"{t}\t{p}" for _, t, p in sommaire_entries(src, pages)]
    for b in src.blocks:
        if b.kind in ("heading", "paragraph", "bullet"):
            texts.append(b.text)
        elif b.kind == "table":
            texts += [c for r in b.rows for c in r]
        elif b.kind == "textbox":
            texts += [b.title] + b.paragraphs
    texts += [" " + t for t in src.footnotes.values()]
    texts += [header_text(src), footer_text(total_pages, total_pages)]
    rc = region_counts(src)
    chars_ws = sum(len(t) for t in texts) + rc["bullets"] + rc["note_marks"]
    words = sum(len(t.split()) for t in texts)
    chars = sum(len(re.sub(r"\s", "", t)) for t in texts)
    lines = sum(max(1, math.ceil(len(t) / 95)) for t in texts)
    return {"pages": total_pages, "words": words, "chars": chars, "chars_ws": chars_ws,
            "lines": lines, "paragraphs": len([t for t in texts if t.strip()])}


def finish_package(data: bytes, src: Source, word_meta: dict | None) -> bytes:
    """Rewrite the zip with fixed timestamps; make it look Word-saved unless
    the sample must keep python-docx's template metadata."""
    zin = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    meta = src.meta
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            blob = zin.read(info.filename)
            name = info.filename
            if word_meta is not None:
                if name == "docProps/thumbnail.jpeg":
                    continue
                if name == "_rels/.rels":
                    blob = re.sub(rb'<Relationship [^>]*Target="docProps/thumbnail.jpeg"/>', b"", blob)
                elif name == "docProps/app.xml":
                    blob = APP_XML.format(**word_meta).encode("utf-8")
                elif name == "docProps/core.xml":
                    blob = CORE_XML.format(
                        author=xml_text(meta["candidate"]), revision=meta.get("revision", 12),
                        created=meta.get("created", "2026-03-02T08:15:00Z"),
                        modified=meta.get("modified", "2026-03-20T18:30:00Z")).encode("utf-8")
            zi = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zout.writestr(zi, blob)
    return out.getvalue()


def final_docx(src: Source, heading_pages: dict[int, int], total_pages: int,
               marks: dict | None = None) -> bytes:
    """The DOCX as committed: sommaire page numbers and app.xml statistics from
    LibreOffice's rendering (or python-docx's template app.xml when the source
    says ``metadata: python-docx``)."""
    word_meta = None
    if src.meta.get("metadata", "word") == "word":
        word_meta = word_statistics(src, heading_pages, total_pages)
        word_meta["total_time"] = src.meta.get("total_time", 540)
    return build_docx(src, heading_pages, total_pages, word_meta, marks)


def load_all() -> list[Source]:
    """Every source that yields a sample (those with an ``output``)."""
    paths = {p.stem: p for p in sorted(SOURCES.glob("*.md"))}
    sources = []
    for sid, p in paths.items():
        src = load_source(p, paths)
        if src.meta.get("output"):
            if src.id != sid:
                raise SystemExit(f"{p}: id {src.id!r} differs from the file name")
            sources.append(src)
    return sources


# --------------------------------------------------------------------------
# LibreOffice
# --------------------------------------------------------------------------

def soffice_convert(files: list[Path], fmt: str, outdir: Path, profile: Path) -> None:
    cmd = ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
           "--convert-to", fmt, "--outdir", str(outdir)] + [str(f) for f in files]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    for f in files:
        target = outdir / (f.stem + "." + fmt)
        if not target.exists():
            raise SystemExit(f"soffice did not write {target}:\n{res.stdout}\n{res.stderr}")


def normalize_odt(path: Path) -> None:
    """Make LibreOffice's ODT reproducible: fixed zip timestamps, fixed rsids,
    list xml:ids renumbered in order of appearance. Text and layout untouched."""
    zin = zipfile.ZipFile(path)
    members = [(i, zin.read(i.filename)) for i in zin.infolist()]
    zin.close()
    ids: dict[bytes, bytes] = {}

    def renumber(m):
        key = m.group(0)
        if key not in ids:
            ids[key] = b"list%d" % (len(ids) + 1)
        return ids[key]

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zout:
        for info, blob in members:
            if info.filename.endswith(".xml"):
                blob = re.sub(rb"\blist\d{6,}\b", renumber, blob)
            if info.filename == "settings.xml":
                blob = re.sub(rb'(config:name="Rsid(?:Root)?" config:type="int">)\d+', rb"\g<1>1000000", blob)
            zi = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            zi.compress_type = info.compress_type
            zi.external_attr = info.external_attr
            zout.writestr(zi, blob)
    path.write_bytes(out.getvalue())


def normalize_pdf(path: Path) -> None:
    """Make LibreOffice's PDF reproducible: the creation date, the file ID and
    LibreOffice's checksum are replaced by fixed values of the same length
    (so every byte offset, and the xref table, stays valid)."""
    data = path.read_bytes()
    data = re.sub(rb"/CreationDate\(D:\d{14}", b"/CreationDate(D:20260320183000", data)
    data = re.sub(rb"<[0-9A-F]{32}>", lambda m: b"<" + b"0" * 32 + b">", data)
    data = re.sub(rb"/DocChecksum /[0-9A-F]{32}", b"/DocChecksum /" + b"0" * 32, data)
    path.write_bytes(data)


def norm(s: str) -> str:
    s = s.replace(NBSP, " ").replace("\u202f", " ").replace("’", "'")
    return re.sub(r"\s+", " ", s).strip()


def pdf_layout(pdf: Path, src: Source) -> dict:
    """Pages of the rendered PDF: total, cover and sommaire pages, and the page
    where each heading (sommaire entry) lands."""
    reader = PdfReader(str(pdf))
    texts = [norm(p.extract_text() or "") for p in reader.pages]
    cover = [1] if src.meta.get("cover", True) else []
    toc = []
    start = len(cover)
    if src.meta.get("sommaire", True):
        toc = [start + 1]
        start += 1
        assert SOMMAIRE_TITLE in texts[toc[0] - 1], f"{pdf}: no sommaire on page {toc[0]}"
    heading_pages: dict[int, int] = {}
    page = start  # 0-based index of the first body page
    for k, h in enumerate(headings(src)):
        key = norm(h.text)
        while page < len(texts) and key not in texts[page]:
            page += 1
        if page >= len(texts):
            raise SystemExit(f"{pdf}: heading {h.text!r} not found in the rendered PDF")
        heading_pages[k] = page + 1
    first = src.blocks[0]
    if first.kind == "heading" and heading_pages.get(0) != start + 1:
        raise SystemExit(f"{pdf}: the body does not start on page {start + 1}")
    if cover:
        cover_text = norm(" ".join(t for _, t in cover_lines(src)))
        # The cover page holds the cover and nothing else (no header/footer).
        assert norm(texts[0]) == cover_text, f"{pdf}: page 1 is not just the cover:\n{texts[0]}"
    return {"total": len(texts), "cover": cover, "toc": toc, "headings": heading_pages}


def flow_units(src: Source) -> list[tuple[tuple, str]]:
    """The text flow in reading order, as (unit key, text): where a page can
    start. Text boxes and pictures are keyed to their anchor paragraph."""
    units: list[tuple[tuple, str]] = []
    if src.meta.get("cover", True):
        units += [(("cover", i), t) for i, (_, t) in enumerate(cover_lines(src)) if t]
    if src.meta.get("sommaire", True):
        units.append((("toc-title",), SOMMAIRE_TITLE))
        units += [(("toc", k), f"{t} {p}") for k, (_, t, p) in enumerate(sommaire_entries(src, {}))]
    for bi, b in enumerate(src.blocks):
        if b.kind in ("heading", "paragraph", "bullet"):
            units.append((("block", bi), b.text))
        elif b.kind == "table":
            units += [(("cell", bi, r, c), t) for r, row in enumerate(b.rows) for c, t in enumerate(row)]
        elif b.kind == "textbox":
            units += [(("box", bi), t) for t in [b.title] + b.paragraphs]
        elif b.kind == "image":
            units.append((("image", bi), ""))
    return units


def _flat(s: str) -> str:
    # One character for one: the offsets in the flow stay those of the source.
    return s.replace(NBSP, " ").replace("\u202f", " ")


def _images_drawn(page) -> int:
    """Image XObjects actually painted on a PDF page (LibreOffice shares one
    resource dictionary between pages, so page.images is no help)."""
    def count(stream_data: bytes, resources) -> int:
        n = 0
        xobjs = resources.get("/XObject", {}) if resources else {}
        for name in re.findall(rb"/([^\s/\[\]<>()]+)\s+Do\b", stream_data):
            xo = xobjs.get("/" + name.decode("latin-1"))
            if xo is None:
                continue
            xo = xo.get_object()
            if xo.get("/Subtype") == "/Image":
                n += 1
            elif xo.get("/Subtype") == "/Form":
                n += count(xo.get_data(), xo.get("/Resources", resources))
        return n
    contents = page.get_contents()
    return count(contents.get_data(), page.get("/Resources")) if contents is not None else 0


BULLET_RE = re.compile("^[\uf0b7\u2022\u25cf\u25aa\u00b7\u2013\\-]\\s*")


def page_starts(pdf: Path, src: Source) -> dict[tuple, int]:
    """Where each page after the first begins in the source, as Word records it
    with w:lastRenderedPageBreak: {unit key: offset in its text}. Found by
    matching the first text of each rendered page (after the running header)
    in the source's text flow; raises when a page start cannot be placed."""
    reader = PdfReader(str(pdf))
    units = flow_units(src)
    flow, owners = [], []  # flow text and, per character, (unit index, offset)
    for ui, (_, text) in enumerate(units):
        for off, ch in enumerate(_flat(text)):
            flow.append(ch)
            owners.append((ui, off))
        flow.append(" ")
        owners.append((ui, len(text)))
    flow_s = "".join(flow)
    header = norm(header_text(src))
    images_before = 0
    cursor = 0
    marks: dict[tuple, int] = {}
    for k, page in enumerate(reader.pages[1:], start=2):
        images_before += _images_drawn(reader.pages[k - 2])
        lines = [ln.strip() for ln in (page.extract_text() or "").split("\n")]
        lines = [ln for ln in lines if ln]
        if lines and norm(lines[0]) == header:
            lines = lines[1:]
        text = " ".join(BULLET_RE.sub("", _flat(ln)) for ln in lines)
        text = re.sub(r"\s+", " ", text).strip()
        # The footnote mark glued to a word ("énergie1") is not in the flow:
        # try the longest key that matches, down to one short line.
        found = -1
        for size in (60, 40, 25, 15, 8):
            key = text[:size].strip()
            if len(key) < 4:
                continue
            found = flow_s.find(key, cursor)
            if found >= 0:
                break
        if found < 0:
            raise SystemExit(f"{pdf}: cannot place the start of page {k}: {text[:60]!r}")
        ui, off = owners[found]
        # A picture at the top of the page has no text: when the pictures
        # painted so far are fewer than those before the match, the page
        # starts with the first picture not yet painted.
        if off == 0:
            pics = [i for i, (key_, _) in enumerate(units[:ui]) if key_[0] == "image"]
            if len(pics) > images_before:
                ui, off = pics[images_before], 0
        key_ = units[ui][0]
        if key_[0] == "box":
            off = 0  # the anchor paragraph of the text box
        if key_ in marks:
            raise SystemExit(f"{pdf}: two page starts in {key_}")
        marks[key_] = off
        cursor = found + 1
    return marks


def mark_page_start(p_el, offset: int) -> None:
    """Insert <w:lastRenderedPageBreak/> at the given character offset of a
    paragraph (counted over its w:t text), splitting a w:t when needed."""
    pos = 0
    for r in p_el.iter(qn("w:r")):
        for t in r.findall(qn("w:t")):
            n = len(t.text or "")
            if pos <= offset < pos + n or (offset == pos and n == 0):
                brk = parse_xml(f'<w:lastRenderedPageBreak {NSDECL}/>')
                cut = offset - pos
                if cut == 0:
                    t.addprevious(brk)
                else:
                    rest = copy.deepcopy(t)
                    t.text, rest.text = t.text[:cut], t.text[cut:]
                    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                    rest.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                    t.addnext(brk)
                    brk.addnext(rest)
                return
            pos += n
    # No text at that offset (a picture or text-box anchor): first run.
    r = p_el.find(qn("w:r"))
    if r is None:
        r = parse_xml(f"<w:r {NSDECL}/>")
        p_el.append(r)
    rpr = r.find(qn("w:rPr"))
    brk = parse_xml(f'<w:lastRenderedPageBreak {NSDECL}/>')
    if rpr is not None:
        rpr.addnext(brk)
    else:
        r.insert(0, brk)


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def main() -> int:
    if not shutil.which("soffice"):
        raise SystemExit("LibreOffice (soffice) is required: apt-get install libreoffice-writer-nogui "
                         "fonts-crosextra-carlito fonts-crosextra-caladea fonts-liberation2")
    sources = load_all()
    lo_version = subprocess.run(["soffice", "--version"], capture_output=True, text=True).stdout.strip()

    with tempfile.TemporaryDirectory(prefix="make-samples-") as tmp:
        tmp = Path(tmp)
        profile = tmp / "profile"
        # Pass 1: provisional sommaire page numbers (single digits, like the
        # final ones, so the layout of the body does not change), render to PDF.
        p1 = tmp / "pass1"
        p1.mkdir()
        for src in sources:
            provisional = {k: 3 for k in range(len(headings(src)))}
            (p1 / f"{src.id}.docx").write_bytes(build_docx(src, provisional, 9, None))
        soffice_convert(sorted(p1.glob("*.docx")), "pdf", p1, profile)
        layouts = {src.id: pdf_layout(p1 / f"{src.id}.pdf", src) for src in sources}
        # Word records where each page began at its last layout
        # (w:lastRenderedPageBreak); a python-docx file never was laid out.
        marks = {src.id: page_starts(p1 / f"{src.id}.pdf", src)
                 if src.meta.get("metadata", "word") == "word" else {} for src in sources}
        for src in sources:
            if marks[src.id] and len(marks[src.id]) != layouts[src.id]["total"] - 1:
                raise SystemExit(f"{src.id}: {len(marks[src.id])} page starts for "
                                 f"{layouts[src.id]['total']} pages")

        # Pass 2: final DOCX with the real page numbers and statistics.
        p2 = tmp / "pass2"
        p2.mkdir()
        for src in sources:
            lay = layouts[src.id]
            (p2 / f"{src.id}.docx").write_bytes(
                final_docx(src, lay["headings"], lay["total"], marks[src.id]))
        docx_files = sorted(p2.glob("*.docx"))
        soffice_convert(docx_files, "odt", p2, profile)
        soffice_convert(docx_files, "pdf", p2, profile)
        for f in p2.glob("*.odt"):
            normalize_odt(f)
        for f in p2.glob("*.pdf"):
            normalize_pdf(f)
        # Check: the ODT renders like the DOCX it comes from.
        p3 = tmp / "odt-pdf"
        p3.mkdir()
        soffice_convert(sorted(p2.glob("*.odt")), "pdf", p3, profile)

        for d in ("ntc/conforme", "cc/conforme", "non-conformes"):
            for old in (SAMPLES / d).glob("*") if (SAMPLES / d).exists() else []:
                if old.suffix in (".docx", ".odt", ".pdf"):
                    old.unlink()
        files: dict = {}
        failures: list[str] = []
        for src in sources:
            lay = layouts[src.id]
            final = pdf_layout(p2 / f"{src.id}.pdf", src)
            odt_lay = pdf_layout(p3 / f"{src.id}.pdf", src)
            if final["total"] != lay["total"] or final["headings"] != lay["headings"]:
                raise SystemExit(f"{src.id}: layout changed between passes: {lay} vs {final}")
            rc = region_counts(src)
            toc_chars = sommaire_count(src, lay["headings"]) if src.meta.get("sommaire", True) else 0
            cover_chars = sum(len(t) for _, t in cover_lines(src)) if src.meta.get("cover", True) else 0
            out_base = SAMPLES / src.meta["output"]
            out_base.parent.mkdir(parents=True, exist_ok=True)
            for fmt, pages in (("docx", final), ("odt", odt_lay), ("pdf", final)):
                shutil.copyfile(p2 / f"{src.id}.{fmt}", out_base.with_suffix("." + fmt))
                rel = str(out_base.with_suffix("." + fmt).relative_to(SAMPLES))
                excluded = [{"page": p, "reason": "cover"} for p in pages["cover"]] + \
                           [{"page": p, "reason": "toc"} for p in pages["toc"]]
                entry = {
                    "sample": src.id,
                    "source": str(src.path.relative_to(SAMPLES)),
                    "format": fmt,
                    "title": src.meta["title"],
                    "competence": src.meta["competence"],
                    "compliant": not src.meta.get("defects"),
                    "defects": src.meta.get("defects", []),
                    "features": features(src),
                    "company_experience": src.meta["company_experience"],
                    "characters": {
                        "counted": rc["counted"],
                        "total": rc["counted"] + cover_chars + toc_chars,
                        "breakdown": {
                            "body": rc["body"], "tables": rc["tables"],
                            "text_boxes": rc["text_boxes"], "notes": rc["notes"],
                            "excluded": {"cover": cover_chars, "toc": toc_chars},
                        },
                        "bullets": rc["bullets"],
                        "note_marks": rc["note_marks"],
                    },
                    "pages": {
                        "total": pages["total"],
                        "counted": pages["total"] - len(excluded),
                        "excluded": excluded,
                        "source": "pdf" if fmt == "pdf" else "layout",
                        "headings": {h.text: pages["headings"][k]
                                     for k, h in enumerate(headings(src))},
                    },
                    "header": header_text(src),
                    # Footer text of the body pages; page_offset: physical page
                    # minus the number the footer and the sommaire show.
                    "footer": "Page {PAGE}" if page_offset(src) else "Page {PAGE} / {NUMPAGES}",
                    "page_offset": page_offset(src),
                }
                if fmt == "docx":
                    entry["page_starts"] = [
                        {"unit": list(k), "offset": o} for k, o in marks[src.id].items()]
                    entry["app_xml"] = ("word" if src.meta.get("metadata", "word") == "word"
                                        else "python-docx-template")
                files[rel] = entry
            failures += check_targets(src, rc["counted"],
                                      final["total"] - len(final["cover"]) - len(final["toc"]))
            if odt_lay["total"] != final["total"]:
                print(f"note: {src.id}: the ODT renders {odt_lay['total']} pages, the DOCX {final['total']}",
                      file=sys.stderr)

    expected = {
        "generator": "scripts/make_samples.py",
        "libreoffice": lo_version,
        "counting": ("characters.counted: characters, spaces included, of the counted region "
                     "(body without cover and sommaire): headings, paragraphs, list item text, table "
                     "cells, text boxes, footnotes (each written as Word does: mark, one space, text; "
                     "the mark is not counted, the space is); paragraph marks, automatic bullets and "
                     "headers/footers not counted. characters.bullets and note_marks are what "
                     "LibreOffice adds to its own statistic. pages: LibreOffice's rendering "
                     "(soffice --convert-to pdf), ODT pages from converting the ODT itself."),
        "files": dict(sorted(files.items())),
    }
    update_readme(sources, files)
    (SAMPLES / "expected.json").write_text(
        json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    for rel, e in sorted(files.items()):
        if e["format"] == "docx":
            print(f"{rel:58} {e['characters']['counted']:6} car. "
                  f"{e['pages']['counted']:2}/{e['pages']['total']:2} p. "
                  f"{'conforme' if e['compliant'] else ','.join(e['defects'])}")
    if failures:
        print("\n".join(failures), file=sys.stderr)
        return 1
    return 0


DEFECTS_FR = {"chars-too-few": "trop peu de caractères", "chars-too-many": "trop de caractères",
              "pages-too-few": "trop peu de pages", "pages-too-many": "trop de pages"}


def fr_int(n: int) -> str:
    return f"{n:,}".replace(",", NBSP)


def update_readme(sources: list[Source], files: dict) -> None:
    """Rewrite the table of samples in samples/README.md from the results."""
    readme = SAMPLES / "README.md"
    text = readme.read_text(encoding="utf-8")
    order = {"ntc/conforme": 0, "cc/conforme": 1, "non-conformes": 2}
    rows = ["| fichier (sans extension) | caractères comptés | pages comptées / total | pages exclues "
            "| page de garde (car.) | sommaire (car.) | défauts | particularités |",
            "|---|---|---|---|---|---|---|---|"]
    for src in sorted(sources, key=lambda s: (order[s.meta["output"].rsplit("/", 1)[0]],
                                               s.meta["output"])):
        e = files[src.meta["output"] + ".docx"]
        c, p = e["characters"], e["pages"]
        excluded = ", ".join(f"{x['page']} ({'page de garde' if x['reason'] == 'cover' else 'sommaire'})"
                             for x in p["excluded"]) or "aucune"
        defects = ", ".join(DEFECTS_FR[d] for d in e["defects"]) or "—"
        rows.append(f"| `{src.meta['output']}` | {fr_int(c['counted'])} | {p['counted']} / {p['total']} "
                    f"| {excluded} | {fr_int(c['breakdown']['excluded']['cover'])} "
                    f"| {fr_int(c['breakdown']['excluded']['toc'])} | {defects} "
                    f"| {typography(src.meta.get('readme_note', '—'))} |")
    start, end = "<!-- table:start -->", "<!-- table:end -->"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        readme.write_text(head + start + "\n" + "\n".join(rows) + "\n" + end + tail, encoding="utf-8")


def actual_defects(chars: int, pages: int) -> list[str]:
    out = []
    if chars < 7000:
        out.append("chars-too-few")
    if chars > 12000:
        out.append("chars-too-many")
    if pages < 3:
        out.append("pages-too-few")
    if pages > 8:
        out.append("pages-too-many")
    return out


def check_targets(src: Source, chars: int, pages: int) -> list[str]:
    """Compliant samples stay well inside the rule (7 500–11 000 characters,
    4–7 pages); each defective one shows exactly the defects it declares."""
    declared = sorted(src.meta.get("defects", []))
    actual = sorted(actual_defects(chars, pages))
    problems = []
    if declared != actual:
        problems.append(f"declares {declared} but has {actual} ({chars} characters, {pages} pages)")
    if not declared:
        if not 7500 <= chars <= 11000:
            problems.append(f"{chars} characters, outside 7500-11000")
        if not 4 <= pages <= 7:
            problems.append(f"{pages} counted pages, outside 4-7")
    return [f"{src.id}: " + "; ".join(problems)] if problems else []


def features(src: Source) -> list[str]:
    """What the sample exercises, for the tests and the README."""
    out = []
    if not src.meta.get("cover", True):
        out.append("no-cover")
    if not src.meta.get("sommaire", True):
        out.append("no-toc")
    if src.meta.get("metadata", "word") != "word":
        out.append("python-docx-metadata")
    kinds = {b.kind for b in src.blocks}
    if src.footnotes:
        out.append("footnotes")
    if "textbox" in kinds:
        out.append("text-boxes")
    if "image" in kinds:
        out.append("images")
    if page_offset(src):
        out.append("section-break")
    if src.meta.get("layout", {}).get("page_break_before_headings") or "pagebreak" in kinds:
        out.append("page-breaks")
    if any(b.text.startswith("Annexe") for b in src.blocks if b.kind == "heading"):
        out.append("annexes")
    return out


if __name__ == "__main__":
    sys.exit(main())
