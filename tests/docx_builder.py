"""Build DOCX files from known text, for tests.

python-docx gives the base package (styles with outline levels, numbering for
« List Bullet »/« List Number », docProps); the body and the extra parts are
then written as raw WordprocessingML, so tests can use what python-docx cannot
write (text boxes in mc:AlternateContent, notes, fields, sdt, tracked changes,
rendered page breaks, section breaks, headers/footers).

    body = par(run("Bonjour"), style="Heading1") + par(run("Texte"))
    data = build_docx(body, footnotes={1: par(run("Note."))})
"""
from __future__ import annotations

import functools
import io
import re
import zipfile
from xml.sax.saxutils import escape

NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "v": "urn:schemas-microsoft-com:vml",
    "o": "urn:schemas-microsoft-com:office:office",
    "w14": "http://schemas.microsoft.com/office/word/2010/wordml",
    "m": "http://schemas.openxmlformats.org/officeDocument/2006/math",
}
NS_DECL = " ".join(f'xmlns:{k}="{v}"' for k, v in NS.items()) + ' mc:Ignorable="w14"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CT_W = "application/vnd.openxmlformats-officedocument.wordprocessingml"


def esc(text: str) -> str:
    return escape(text)


def run(text: str = "", rpr: str = "") -> str:
    """A run holding ``text``; ``\\t`` becomes w:tab and ``\\n`` a w:br."""
    parts = []
    for piece in re.split(r"([\t\n])", text):
        if piece == "\t":
            parts.append("<w:tab/>")
        elif piece == "\n":
            parts.append("<w:br/>")
        elif piece:
            parts.append(f'<w:t xml:space="preserve">{esc(piece)}</w:t>')
    return f"<w:r>{f'<w:rPr>{rpr}</w:rPr>' if rpr else ''}{''.join(parts)}</w:r>"


def raw_run(inner: str, rpr: str = "") -> str:
    return f"<w:r>{f'<w:rPr>{rpr}</w:rPr>' if rpr else ''}{inner}</w:r>"


def par(*runs: str, style: str | None = None, ppr: str = "") -> str:
    """A paragraph. ``runs`` are XML strings (or plain text, wrapped in a run)."""
    body = "".join(r if r.lstrip().startswith("<") else run(r) for r in runs)
    pstyle = f'<w:pStyle w:val="{style}"/>' if style else ""
    props = f"<w:pPr>{pstyle}{ppr}</w:pPr>" if (pstyle or ppr) else ""
    return f"<w:p>{props}{body}</w:p>"


def page_break() -> str:
    return '<w:r><w:br w:type="page"/></w:r>'


def rendered() -> str:
    return "<w:r><w:lastRenderedPageBreak/></w:r>"


def section_break(kind: str | None = "nextPage") -> str:
    """A paragraph property ending a section (put it in ``par(ppr=...)``)."""
    t = f'<w:type w:val="{kind}"/>' if kind else ""
    return f'<w:sectPr>{t}<w:pgSz w:w="11906" w:h="16838"/></w:sectPr>'


def complex_field(instr: str, result_runs: str) -> str:
    """begin / instrText / separate / result / end, as Word writes fields."""
    return (f'<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {esc(instr)} </w:instrText></w:r>'
            f'<w:r><w:fldChar w:fldCharType="separate"/></w:r>{result_runs}'
            f'<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def text_box(paragraphs: str, *, vml_fallback: bool = True) -> str:
    """A Word 2010+ text box: DrawingML in mc:Choice and, like Word, the same
    paragraphs again in a VML mc:Fallback. Returns a run."""
    choice = (
        '<mc:Choice Requires="wps"><w:drawing><wp:anchor distT="0" distB="0" distL="0" distR="0" '
        'simplePos="0" relativeHeight="1" behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1">'
        '<wp:simplePos x="0" y="0"/><wp:positionH relativeFrom="column"><wp:posOffset>0</wp:posOffset>'
        '</wp:positionH><wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV>'
        '<wp:extent cx="1828800" cy="914400"/><wp:wrapSquare wrapText="bothSides"/>'
        '<wp:docPr id="1" name="Zone de texte 1"/><a:graphic><a:graphicData '
        'uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp>'
        '<wps:cNvSpPr txBox="1"/><wps:spPr/>'
        f'<wps:txbx><w:txbxContent>{paragraphs}</w:txbxContent></wps:txbx><wps:bodyPr/></wps:wsp>'
        '</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>')
    fallback = ('<mc:Fallback><w:pict><v:shape id="tb1" type="#_x0000_t202" style="width:144pt;height:72pt">'
                f'<v:textbox><w:txbxContent>{paragraphs}</w:txbxContent></v:textbox></v:shape></w:pict>'
                '</mc:Fallback>') if vml_fallback else ""
    return f"<w:r><mc:AlternateContent>{choice}{fallback}</mc:AlternateContent></w:r>"


def picture() -> str:
    """An inline picture run (no image part: the reader never opens media)."""
    return ('<w:r><w:drawing><wp:inline><wp:extent cx="914400" cy="914400"/><wp:docPr id="9" name="Image"/>'
            '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
            '<pic:pic><pic:nvPicPr><pic:cNvPr id="0" name="img.png"/><pic:cNvPicPr/></pic:nvPicPr>'
            '<pic:blipFill><a:blip r:embed="rIdMissing"/></pic:blipFill><pic:spPr/></pic:pic>'
            '</a:graphicData></a:graphic></wp:inline></w:drawing></w:r>')


def toc_sdt(inner: str) -> str:
    """A block content control of the « Table of Contents » gallery, as Word writes its sommaire."""
    return ('<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/>'
            f'<w:docPartUnique/></w:docPartObj></w:sdtPr><w:sdtContent>{inner}</w:sdtContent></w:sdt>')


def footnote_ref(note_id: int, kind: str = "footnote") -> str:
    return (f'<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr>'
            f'<w:{kind}Reference w:id="{note_id}"/></w:r>')


@functools.lru_cache(maxsize=1)
def base_docx() -> bytes:
    import docx  # python-docx: the default template with its styles and numbering

    buf = io.BytesIO()
    docx.Document().save(buf)
    return buf.getvalue()


def _notes_xml(kind: str, notes: dict) -> str:
    seps = (f'<w:{kind} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{kind}>'
            f'<w:{kind} w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/>'
            f'</w:r></w:p></w:{kind}>')
    body = "".join(f'<w:{kind} w:id="{nid}">{xml}</w:{kind}>' for nid, xml in notes.items())
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:{kind}s {NS_DECL}>{seps}{body}</w:{kind}s>'


def note_par(text: str, kind: str = "footnote") -> str:
    """A note paragraph as Word writes it: the mark (w:footnoteRef), a space, the text."""
    return (f'<w:p><w:r><w:{kind}Ref/></w:r>{run(" " + text)}</w:p>')


def build_docx(body: str, *, footnotes: dict | None = None, endnotes: dict | None = None,
               headers: tuple = (), footers: tuple = (), comments: tuple = (),
               styles_extra: str = "", app: dict | None = None, final_sect: bool = True,
               document_xml: str | None = None) -> bytes:
    """A DOCX whose body is ``body`` (raw paragraphs/tables XML).

    ``footnotes``/``endnotes``: id → inner XML (paragraphs). ``headers``/``footers``:
    inner XML of each part. ``comments``: comment texts. ``styles_extra``: extra
    ``w:style`` elements appended to styles.xml. ``app``: values for docProps/app.xml
    (e.g. ``{"CharactersWithSpaces": 9000, "Pages": 6, "Application": "Microsoft Office Word",
    "AppVersion": "16.0000"}``). ``document_xml`` replaces document.xml verbatim.
    """
    src = zipfile.ZipFile(io.BytesIO(base_docx()))
    parts = {i.filename: src.read(i.filename) for i in src.infolist()}
    rels_extra, ct_extra, ref_sect = [], [], ""

    def add(name: str, xml: str, rel_type: str, ct: str, rid: str) -> None:
        parts[f"word/{name}"] = xml.encode("utf-8")
        rels_extra.append(f'<Relationship Id="{rid}" Type="{REL}/{rel_type}" Target="{name}"/>')
        ct_extra.append(f'<Override PartName="/word/{name}" ContentType="{ct}"/>')

    if footnotes is not None:
        add("footnotes.xml", _notes_xml("footnote", footnotes), "footnotes", f"{CT_W}.footnotes+xml", "rIdFn")
    if endnotes is not None:
        add("endnotes.xml", _notes_xml("endnote", endnotes), "endnotes", f"{CT_W}.endnotes+xml", "rIdEn")
    for i, xml in enumerate(headers, 1):
        add(f"header{i}.xml", f'<w:hdr {NS_DECL}>{xml}</w:hdr>', "header", f"{CT_W}.header+xml", f"rIdH{i}")
        ref_sect += f'<w:headerReference w:type="{"default" if i == 1 else "first"}" r:id="rIdH{i}"/>'
    for i, xml in enumerate(footers, 1):
        add(f"footer{i}.xml", f'<w:ftr {NS_DECL}>{xml}</w:ftr>', "footer", f"{CT_W}.footer+xml", f"rIdF{i}")
        ref_sect += f'<w:footerReference w:type="{"default" if i == 1 else "first"}" r:id="rIdF{i}"/>'
    if comments:
        cxml = "".join(f'<w:comment w:id="{i}" w:author="Formateur" w:initials="F">{par(run(t))}</w:comment>'
                       for i, t in enumerate(comments))
        add("comments.xml", f'<w:comments {NS_DECL}>{cxml}</w:comments>', "comments",
            f"{CT_W}.comments+xml", "rIdCm")

    sect = (f'<w:sectPr>{ref_sect}<w:pgSz w:w="11906" w:h="16838"/>'
            '<w:pgMar w:top="1417" w:right="1417" w:bottom="1417" w:left="1417" w:header="708" '
            'w:footer="708" w:gutter="0"/></w:sectPr>') if final_sect else ""
    if document_xml is None:
        document_xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                        f'<w:document {NS_DECL}><w:body>{body}{sect}</w:body></w:document>')
    parts["word/document.xml"] = document_xml.encode("utf-8")

    if rels_extra:
        rels = parts["word/_rels/document.xml.rels"].decode("utf-8")
        parts["word/_rels/document.xml.rels"] = rels.replace(
            "</Relationships>", "".join(rels_extra) + "</Relationships>").encode("utf-8")
        ct = parts["[Content_Types].xml"].decode("utf-8")
        parts["[Content_Types].xml"] = ct.replace("</Types>", "".join(ct_extra) + "</Types>").encode("utf-8")
    if styles_extra:
        st = parts["word/styles.xml"].decode("utf-8")
        parts["word/styles.xml"] = st.replace("</w:styles>", styles_extra + "</w:styles>").encode("utf-8")
    if app is not None:
        props = "".join(f"<{k}>{esc(str(v))}</{k}>" for k, v in app.items())
        parts["docProps/app.xml"] = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns='
            '"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt='
            f'"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">{props}</Properties>'
        ).encode("utf-8")

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return out.getvalue()


def ole2(*stream_names: str) -> bytes:
    """A minimal OLE2 compound file: header sector, then one directory sector
    whose 128-byte entries carry the given stream names (UTF-16LE)."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[0x1A:0x1C] = (0x3E).to_bytes(2, "little")   # minor version
    header[0x1C:0x1E] = (3).to_bytes(2, "little")      # major version 3 (512-byte sectors)
    header[0x1E:0x20] = (0xFFFE).to_bytes(2, "little")  # byte order
    header[0x20:0x22] = (9).to_bytes(2, "little")      # sector shift
    directory = bytearray()
    for name in ("Root Entry",) + stream_names:
        entry = bytearray(128)
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        entry[:len(encoded)] = encoded
        entry[64:66] = len(encoded).to_bytes(2, "little")
        entry[66] = 5 if name == "Root Entry" else 2
        directory += entry
    directory += bytes((-len(directory)) % 512)
    return bytes(header) + bytes(directory)
