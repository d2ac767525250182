"""The bundled samples (samples/) match their sources and samples/expected.json.

These tests read the generated files with lxml, zipfile and pypdf only, never
with dossier_check's readers: expected.json is the reference the readers are
tested against elsewhere, so it is checked here independently of them.
Regenerate with `.venv/bin/python scripts/make_samples.py`.
"""
from __future__ import annotations

import importlib.util
import json
import re
import sys
import zipfile
from functools import lru_cache
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
EXPECTED = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))
FILES = EXPECTED["files"]

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
NS = {"w": W, "mc": MC}
ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def _load_generator():
    spec = importlib.util.spec_from_file_location("make_samples", ROOT / "scripts" / "make_samples.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["make_samples"] = mod
    spec.loader.exec_module(mod)
    return mod


gen = _load_generator()
SOURCES = {s.id: s for s in gen.load_all()}


def files_of(fmt: str) -> list[str]:
    return sorted(rel for rel, e in FILES.items() if e["format"] == fmt)


@lru_cache(maxsize=None)
def docx_xml(rel: str, part: str):
    with zipfile.ZipFile(SAMPLES / rel) as z:
        if part not in z.namelist():
            return None
        return etree.fromstring(z.read(part))


def para_text(p) -> str:
    """Text of a w:p as Word counts it: w:t and w:tab, without the VML
    fallback copy of text boxes, without nested text-box paragraphs."""
    out = []
    for el in p.iter(f"{{{W}}}t", f"{{{W}}}tab"):
        # Skip text that belongs to a nested text box or to a VML fallback.
        anc = el.getparent()
        skip = False
        while anc is not None and anc is not p:
            if anc.tag in (f"{{{W}}}txbxContent", f"{{{MC}}}Fallback"):
                skip = True
                break
            anc = anc.getparent()
        if skip:
            continue
        if el.tag == f"{{{W}}}tab":
            # A tab stop definition (w:tabs/w:tab) is not a character.
            if el.getparent().tag != f"{{{W}}}tabs":
                out.append("\t")
        else:
            out.append(el.text or "")
    return "".join(out)


def docx_regions(rel: str) -> dict:
    """Split document.xml into cover, sommaire and counted region, the way the
    generator lays them out (cover, page break, sommaire sdt, page break, body
    starting with a heading), and count each region's characters."""
    body = docx_xml(rel, "word/document.xml").find("w:body", NS)
    children = [c for c in body if c.tag != f"{{{W}}}sectPr"]
    first_heading = next(i for i, c in enumerate(children)
                         if c.tag == f"{{{W}}}p" and c.find("w:pPr/w:pStyle", NS) is not None
                         and c.find("w:pPr/w:pStyle", NS).get(f"{{{W}}}val").startswith("Heading"))
    front, counted = children[:first_heading], children[first_heading:]
    toc_chars = sum(len(para_text(p)) for c in front if c.tag == f"{{{W}}}sdt"
                    for p in c.iter(f"{{{W}}}p"))
    cover_chars = sum(len(para_text(c)) for c in front if c.tag == f"{{{W}}}p")
    paras, tables, boxes = [], [], []
    for c in counted:
        if c.tag == f"{{{W}}}p":
            paras.append(para_text(c))
            for box in c.findall(".//mc:Choice//w:txbxContent", NS):
                boxes += [para_text(p) for p in box.findall("w:p", NS)]
        elif c.tag == f"{{{W}}}tbl":
            tables += [para_text(p) for p in c.iter(f"{{{W}}}p")]
    notes = []
    fn = docx_xml(rel, "word/footnotes.xml")
    if fn is not None:
        for note in fn.findall("w:footnote", NS):
            if int(note.get(f"{{{W}}}id")) > 0:
                notes += [para_text(p) for p in note.findall("w:p", NS)]
    return {"paras": paras, "tables": tables, "boxes": boxes, "notes": notes,
            "cover": cover_chars, "toc": toc_chars}


# ---------------------------------------------------------------------------
# expected.json and the files on disk
# ---------------------------------------------------------------------------

def test_every_source_gives_three_files_and_every_listed_file_exists():
    for sid, src in SOURCES.items():
        for fmt in ("docx", "odt", "pdf"):
            rel = f"{src.meta['output']}.{fmt}"
            assert rel in FILES, f"{rel} missing from expected.json"
            assert FILES[rel]["sample"] == sid
    for rel in FILES:
        assert (SAMPLES / rel).is_file(), rel
    assert len(FILES) == 3 * len(SOURCES)


def test_layout_and_dossiers():
    """Complete dossiers per title, in the documented folders."""
    def compliant(title):
        return sorted(e["competence"] for rel, e in FILES.items()
                      if rel.startswith(f"{title}/conforme/") and e["format"] == "docx")
    assert compliant("ntc") == sorted(["veille", "plan-actions", "fidelisation"])
    assert compliant("cc") == sorted(["veille", "plan-actions", "prospection-distance", "fidelisation"])
    cc_in_company = [e for rel, e in FILES.items()
                     if rel.startswith("cc/conforme/") and e["format"] == "docx" and e["company_experience"]]
    assert len(cc_in_company) >= 2
    defects = {d for e in FILES.values() for d in e["defects"]}
    assert {"chars-too-few", "chars-too-many", "pages-too-many"} <= defects
    feats = {f for e in FILES.values() for f in e["features"]}
    assert {"no-cover", "no-toc", "footnotes", "text-boxes", "python-docx-metadata"} <= feats


@pytest.mark.parametrize("rel", sorted(FILES))
def test_counts_in_expected_json_are_those_of_the_source(rel):
    e = FILES[rel]
    src = SOURCES[e["sample"]]
    rc = gen.region_counts(src)
    c = e["characters"]
    assert c["counted"] == rc["counted"]
    assert c["breakdown"]["body"] + c["breakdown"]["tables"] + c["breakdown"]["text_boxes"] \
        + c["breakdown"]["notes"] == c["counted"]
    assert c["total"] == c["counted"] + c["breakdown"]["excluded"]["cover"] + c["breakdown"]["excluded"]["toc"]


@pytest.mark.parametrize("rel", sorted(FILES))
def test_limits_match_the_declared_defects(rel):
    e = FILES[rel]
    chars, pages = e["characters"]["counted"], e["pages"]["counted"]
    found = []
    if chars < 7000:
        found.append("chars-too-few")
    if chars > 12000:
        found.append("chars-too-many")
    if pages < 3:
        found.append("pages-too-few")
    if pages > 8:
        found.append("pages-too-many")
    assert sorted(found) == sorted(e["defects"])
    assert e["compliant"] == (not e["defects"])
    if rel.split("/")[1:2] == ["conforme"]:
        # Compliant samples sit well inside the rule, not on its edges.
        assert 7500 <= chars <= 11000 and 4 <= pages <= 7
    assert pages == e["pages"]["total"] - len(e["pages"]["excluded"])


# ---------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("rel", files_of("docx"))
def test_docx_text_is_the_source_text(rel):
    e = FILES[rel]
    src = SOURCES[e["sample"]]
    got = docx_regions(rel)
    # Paragraph by paragraph, in order (empty paragraphs: table spacers,
    # text-box and picture anchors).
    want_paras = [b.text for b in src.blocks if b.kind in ("heading", "paragraph", "bullet")]
    assert [p for p in got["paras"] if p] == want_paras
    assert got["tables"] == [c for b in src.blocks if b.kind == "table" for r in b.rows for c in r]
    assert got["boxes"] == [t for b in src.blocks if b.kind == "textbox" for t in [b.title] + b.paragraphs]
    assert got["notes"] == [" " + t for t in src.footnotes.values()]
    counted = sum(len(t) for k in ("paras", "tables", "boxes", "notes") for t in got[k])
    assert counted == e["characters"]["counted"]
    assert got["cover"] == e["characters"]["breakdown"]["excluded"]["cover"]
    assert got["toc"] == e["characters"]["breakdown"]["excluded"]["toc"]


@pytest.mark.parametrize("rel", files_of("docx"))
def test_docx_is_built_like_word(rel):
    e = FILES[rel]
    doc = docx_xml(rel, "word/document.xml")
    xml = etree.tostring(doc, encoding="unicode")
    sdts = doc.findall(".//w:sdt", NS)
    if "no-toc" in e["features"]:
        assert not sdts and "TOC \\o" not in xml
    else:
        gallery = doc.find(".//w:sdt/w:sdtPr/w:docPartObj/w:docPartGallery", NS)
        assert gallery.get(f"{{{W}}}val") == "Table of Contents"
        instr = "".join(t.text for t in sdts[0].iter(f"{{{W}}}instrText"))
        assert 'TOC \\o "1-3" \\h \\z \\u' in instr
        # Cached entries: heading text, dot-leader tab, the page LibreOffice renders.
        entries = [para_text(p) for p in sdts[0].findall(".//w:p", NS)
                   if p.find("w:pPr/w:pStyle", NS) is not None
                   and p.find("w:pPr/w:pStyle", NS).get(f"{{{W}}}val").startswith("TOC")
                   and p.find("w:pPr/w:pStyle", NS).get(f"{{{W}}}val") != "TOCHeading"]
        # (with a section restarting the numbering, the numbers shown are offset)
        assert entries == [f"{h}\t{page - e['page_offset']}" for h, page in e["pages"]["headings"].items()]
        assert sdts[0].find(".//w:tabs/w:tab", NS).get(f"{{{W}}}leader") == "dot"
    # Text boxes: DrawingML with a VML fallback holding the same text.
    choices = doc.findall(".//mc:AlternateContent/mc:Choice//w:txbxContent", NS)
    fallbacks = doc.findall(".//mc:AlternateContent/mc:Fallback//w:txbxContent", NS)
    assert ("text-boxes" in e["features"]) == bool(choices)
    assert [etree.tostring(c) for c in choices] == [etree.tostring(f) for f in fallbacks]
    # Footnotes, header with the candidate's name, footer with a PAGE field.
    assert ("footnotes" in e["features"]) == (docx_xml(rel, "word/footnotes.xml") is not None)
    with zipfile.ZipFile(SAMPLES / rel) as z:
        header = "".join(n for n in z.namelist() if n.startswith("word/header"))
        assert header, "no header part"
        htext = "".join(etree.fromstring(z.read(n)).xpath("string(.)")
                        for n in z.namelist() if n.startswith("word/header"))
        assert e["header"] in htext
        ftext = "".join(etree.tostring(etree.fromstring(z.read(n)), encoding="unicode")
                        for n in z.namelist() if n.startswith("word/footer"))
        assert " PAGE " in ftext
        assert (" NUMPAGES " in ftext) == (e["page_offset"] == 0)


@pytest.mark.parametrize("rel", files_of("docx"))
def test_docx_last_rendered_page_breaks(rel):
    """Like a file Word saved, each page after the first begins with a
    w:lastRenderedPageBreak (from LibreOffice's rendering); counting them gives
    every heading's page. The python-docx-made sample has none."""
    e = FILES[rel]
    doc = docx_xml(rel, "word/document.xml")
    marks = doc.findall(".//w:lastRenderedPageBreak", NS)
    if "python-docx-metadata" in e["features"]:
        assert not marks
        return
    assert len(marks) == e["pages"]["total"] - 1
    got = []
    for p in doc.iter(f"{{{W}}}p"):
        style = p.find("w:pPr/w:pStyle", NS)
        if style is None or not style.get(f"{{{W}}}val").startswith("Heading"):
            continue
        before = int(p.xpath("count(preceding::w:lastRenderedPageBreak)", namespaces=NS))
        first_run = p.find("w:r", NS)
        at_start = first_run is not None and first_run.find("w:lastRenderedPageBreak", NS) is not None \
            and first_run.find("w:t", NS) is not None \
            and first_run.index(first_run.find("w:lastRenderedPageBreak", NS)) \
            < first_run.index(first_run.find("w:t", NS))
        got.append(1 + before + at_start)
    assert got == list(e["pages"]["headings"].values())


@pytest.mark.parametrize("rel", files_of("docx"))
def test_docx_metadata(rel):
    e = FILES[rel]
    with zipfile.ZipFile(SAMPLES / rel) as z:
        app = z.read("docProps/app.xml").decode("utf-8")

    def field(name):
        return re.search(f"<{name}>([^<]*)</{name}>", app).group(1)

    if "python-docx-metadata" in e["features"]:
        assert e["app_xml"] == "python-docx-template"
        assert field("Pages") == "1" and field("CharactersWithSpaces") == "0"
        assert field("Application") == "Microsoft Macintosh Word"
    else:
        assert e["app_xml"] == "word"
        assert field("Application") == "Microsoft Office Word"
        assert int(field("Pages")) == e["pages"]["total"]
        # Whole file as Word stores it: above the counted region (cover,
        # sommaire, bullets, headers and footers), within 15 %.
        stored = int(field("CharactersWithSpaces"))
        assert e["characters"]["total"] < stored < 1.15 * e["characters"]["total"]


def test_docx_bytes_are_reproducible_from_the_sources():
    """Rebuilding each DOCX from its source and the page numbers in
    expected.json gives the committed file, byte for byte."""
    for rel in files_of("docx"):
        e = FILES[rel]
        src = SOURCES[e["sample"]]
        heading_pages = dict(enumerate(e["pages"]["headings"].values()))
        marks = {tuple(m["unit"]): m["offset"] for m in e["page_starts"]}
        data = gen.final_docx(src, heading_pages, e["pages"]["total"], marks)
        assert data == (SAMPLES / rel).read_bytes(), rel


# ---------------------------------------------------------------------------
# ODT
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("rel", files_of("odt"))
def test_odt_statistic_matches_the_source(rel):
    """LibreOffice's own count (meta:character-count, recomputed when it wrote
    the ODT) is the whole file + 1 per bullet and per note mark + the header
    and the footer as shown on the last page, once per page style (two styles
    carry the header when the body is its own section): it must equal what
    expected.json derives from the source, to the character."""
    e = FILES[rel]
    with zipfile.ZipFile(SAMPLES / rel) as z:
        meta = z.read("meta.xml").decode("utf-8")
        content = etree.fromstring(z.read("content.xml"))
    lo = int(re.search(r'meta:character-count="(\d+)"', meta).group(1))
    c = e["characters"]
    n = e["pages"]["total"]
    if e["page_offset"]:
        headers_footers = 2 * len(e["header"]) + len(f"Page {n - e['page_offset']}")
    else:
        headers_footers = len(e["header"]) + len(f"Page {n} / {n}")
    assert lo == c["total"] + c["bullets"] + c["note_marks"] + headers_footers
    # The text survived the conversion: every heading is an ODT heading.
    heads = ["".join(h.itertext()) for h in content.iter(f"{{{ODF_TEXT}}}h")]
    for h in e["pages"]["headings"]:
        assert h in heads
    toc = list(content.iter(f"{{{ODF_TEXT}}}table-of-content"))
    assert bool(toc) == ("no-toc" not in e["features"])


# ---------------------------------------------------------------------------
# PDF and pages
# ---------------------------------------------------------------------------

def _norm(s: str) -> str:
    s = s.replace("\u00a0", " ").replace("’", "'")
    return re.sub(r"\s+", " ", s).strip()


@pytest.mark.parametrize("rel", files_of("pdf"))
def test_pdf_pages(rel):
    e = FILES[rel]
    src = SOURCES[e["sample"]]
    pages = [_norm(p.extract_text() or "") for p in PdfReader(str(SAMPLES / rel)).pages]
    assert len(pages) == e["pages"]["total"]
    docx = FILES[rel[:-4] + ".docx"]
    assert docx["pages"]["total"] == e["pages"]["total"]
    excluded = {x["page"]: x["reason"] for x in e["pages"]["excluded"]}
    if "no-cover" in e["features"]:
        assert "cover" not in excluded.values()
    else:
        assert excluded[1] == "cover"
        cover = _norm(" ".join(t for _, t in gen.cover_lines(src)))
        assert pages[0] == cover  # the cover page holds the cover, nothing else
    if "no-toc" in e["features"]:
        assert "toc" not in excluded.values()
    else:
        toc_page = next(p for p, r in excluded.items() if r == "toc")
        # The running header, then the sommaire and nothing else but the footer.
        toc_text = pages[toc_page - 1]
        assert toc_text.startswith(_norm(e["header"]) + " Sommaire ")
        for heading in e["pages"]["headings"]:
            assert _norm(heading) in toc_text
        if not e["page_offset"]:
            assert toc_text.endswith(f"Page {toc_page} / {len(pages)}")
        else:  # no page number on the sommaire page
            assert "Page" not in toc_text.split("Sommaire", 1)[1]
    for heading, page in e["pages"]["headings"].items():
        assert _norm(heading) in pages[page - 1], (heading, page)
    # The footer numbers every page but the cover (or, in a body section
    # numbered from 1, every body page).
    offset = e["page_offset"]
    first = 1 + len(excluded) if offset else (2 if "cover" in excluded.values() else 1)
    for k in range(first, len(pages) + 1):
        if offset:
            assert re.search(rf"Page {k - offset}(?! /)(\D|$)", pages[k - 1]), k
        else:
            assert f"Page {k} / {len(pages)}" in pages[k - 1]


def test_odt_renders_like_its_docx():
    for rel in files_of("odt"):
        assert FILES[rel]["pages"]["total"] == FILES[rel[:-4] + ".docx"]["pages"]["total"], rel
