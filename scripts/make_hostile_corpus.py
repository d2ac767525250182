#!/usr/bin/env python3
"""Build the hostile-input corpus (issue 6) into a directory.

    python scripts/make_hostile_corpus.py OUT_DIR [--only NAME ...] [--list]

Every file is generated (nothing hostile is committed to the repository): a
decompression bomb, billion laughs, external entities pointing at a local secret
file, ``../`` entry names, thousands of zip entries, a self-referencing PDF,
10 000 blank pages, a ~50 MB image-only PDF, a zip that is not a DOCX and a valid
DOCX declared in ISO-8859-1. ``CASES`` says what each one must give; the tests
(tests/test_hostile.py) import this module and build the corpus in a temporary
directory. Building everything takes a few seconds.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import struct
import sys
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

# The secret a file must never leak: written to a local file that external
# entities point at; it must appear nowhere in what the reader returns.
SECRET_MARKER = "SECRET-7f3a9c-NE-DOIT-JAMAIS-SORTIR"

DOCUMENT = "document"  # expected outcome: read normally into a Document

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/>'
    '</Types>')
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>')

# Text of the benign paragraphs, so a test can check the exact text read.
GOOD_PARAGRAPHS = [
    "Présentation de l'entreprise et de son marché.",
    "J'ai mené une veille concurrentielle pendant trois semaines.",
]


def document_xml(paragraphs: list[str], *, prolog: str = "", declaration: str | None = None,
                 encoding: str = "utf-8") -> bytes:
    decl = declaration if declaration is not None else \
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    body = "".join(f"<w:p><w:r><w:t xml:space=\"preserve\">{p}</w:t></w:r></w:p>" for p in paragraphs)
    return (decl + prolog + f'<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>'
            ).encode(encoding)


def docx_bytes(document: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("word/document.xml", document)
        for name, data in (extra or {}).items():
            zf.writestr(zipfile.ZipInfo(name), data)
    return buf.getvalue()


ODT_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
    'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    '</manifest:manifest>')


def odt_content(paragraphs: list[str], prolog: str = "") -> bytes:
    body = "".join(f"<text:p>{p}</text:p>" for p in paragraphs)
    return ('<?xml version="1.0" encoding="UTF-8"?>' + prolog +
            '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
            f'<office:body><office:text>{body}</office:text></office:body>'
            '</office:document-content>').encode()


def odt_bytes(content: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text",
                    compress_type=zipfile.ZIP_STORED)
        zf.writestr("META-INF/manifest.xml", ODT_MANIFEST)
        zf.writestr("content.xml", content)
    return buf.getvalue()


# --------------------------------------------------------------------------- raw zip writer

def _raw_zip(entries: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip from pre-compressed entries: (name, deflated bytes, crc, declared size, method)."""
    out = io.BytesIO()
    central = []
    for name, payload, crc, size, method in entries:
        offset = out.tell()
        fname = name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc,
                              len(payload), size, len(fname), 0))
        out.write(fname)
        out.write(payload)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21,
                                   crc, len(payload), size, len(fname), 0, 0, 0, 0, 0, offset)
                       + fname)
    cd_start = out.tell()
    for c in central:
        out.write(c)
    cd_size = out.tell() - cd_start
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), cd_size,
                          cd_start, 0))
    return out.getvalue()


def _deflated(data: bytes) -> tuple[bytes, int, int, int]:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(), zlib.crc32(data), len(data), 8


def bomb_part(inflated_mb: int) -> tuple[bytes, int, int]:
    """A deflate stream of a document.xml that inflates to ``inflated_mb`` MiB of
    (well-formed) XML, built by repeating one compressed block: ~1 KB per MiB."""
    head = (f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}"><w:body>'
            '<w:p><w:r><w:t>').encode()
    tail = b"</w:t></w:r></w:p></w:body></w:document>"
    chunk = b" " * (1 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    seg = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    last = c.compress(tail) + c.flush()
    crc = zlib.crc32(head)
    for _ in range(inflated_mb):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + inflated_mb * len(chunk) + len(tail)
    return first + seg * inflated_mb + last, crc, size


def _docx_skeleton_entries() -> list:
    return [("[Content_Types].xml", *_deflated(CONTENT_TYPES.encode())),
            ("_rels/.rels", *_deflated(ROOT_RELS.encode()))]


# --------------------------------------------------------------------------- PDF writer

def _pdf(objects: list[bytes], root: int = 1, *, trailer_extra: bytes = b"",
         xref: bool = True) -> bytes:
    """A PDF from object bodies (object n is objects[n-1]) with a correct xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    start = out.tell()
    if xref:
        out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
        for off in offsets:
            out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, root, trailer_extra, start))
    return out.getvalue()


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


# --------------------------------------------------------------------------- the cases

@dataclass
class Case:
    name: str
    filename: str
    expected: frozenset  # problem codes, or DOCUMENT for "read normally"
    what: str
    build: Callable[[Path], bytes]
    # Text that must be read exactly (for DOCUMENT cases), in order.
    expected_text: list[str] = field(default_factory=list)


def _secret_file(out_dir: Path) -> Path:
    path = out_dir / "secret.txt"
    if not path.exists():
        path.write_text(SECRET_MARKER + "\n", encoding="utf-8")
    return path


def build_bomb(out_dir: Path) -> bytes:
    payload, crc, size = bomb_part(2048)  # 2 GiB inflated, declared honestly
    return _raw_zip(_docx_skeleton_entries() + [("word/document.xml", payload, crc, size, 8)])


def build_bomb_small(out_dir: Path) -> bytes:
    # Under the part-size limit (60 MiB) but compressed 1 000 to 1: the ratio limit.
    payload, crc, size = bomb_part(60)
    return _raw_zip(_docx_skeleton_entries() + [("word/document.xml", payload, crc, size, 8)])


def build_bomb_lying(out_dir: Path) -> bytes:
    # The central directory claims 20 kB; the stream inflates to 2 GiB.
    payload, crc, _size = bomb_part(2048)
    return _raw_zip(_docx_skeleton_entries() + [("word/document.xml", payload, crc, 20_000, 8)])


BILLION_LAUGHS = ('<!DOCTYPE w:document [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">'
                            for i in range(1, 10))
                  + "]>")


def build_billion_laughs(out_dir: Path) -> bytes:
    return docx_bytes(document_xml(["&lol9;"] + GOOD_PARAGRAPHS, prolog=BILLION_LAUGHS))


def build_billion_laughs_odt(out_dir: Path) -> bytes:
    prolog = BILLION_LAUGHS.replace("w:document", "office:document-content")
    return odt_bytes(odt_content(["&lol9;"], prolog=prolog))


def build_xxe(out_dir: Path) -> bytes:
    uri = _secret_file(out_dir).resolve().as_uri()
    prolog = f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "{uri}">]>'
    return docx_bytes(document_xml(["Début &xxe; fin"] + GOOD_PARAGRAPHS, prolog=prolog))


def build_xxe_far(out_dir: Path) -> bytes:
    # The DOCTYPE comes after 100 kB of comment, past any quick prefix scan.
    uri = _secret_file(out_dir).resolve().as_uri()
    prolog = "<!--" + "x" * 100_000 + f'--><!DOCTYPE w:document [<!ENTITY xxe SYSTEM "{uri}">]>'
    return docx_bytes(document_xml(["Début &xxe; fin"] + GOOD_PARAGRAPHS, prolog=prolog))


def build_xxe_external_dtd(out_dir: Path) -> bytes:
    # No internal subset: an external DTD that would define &xxe; if it were loaded.
    secret = _secret_file(out_dir)
    dtd = out_dir / "evil.dtd"
    dtd.write_text(f'<!ENTITY xxe SYSTEM "{secret.resolve().as_uri()}">', encoding="utf-8")
    prolog = f'<!DOCTYPE w:document SYSTEM "{dtd.resolve().as_uri()}">'
    return docx_bytes(document_xml(["Début &xxe; fin"] + GOOD_PARAGRAPHS, prolog=prolog))


def build_xxe_odt(out_dir: Path) -> bytes:
    uri = _secret_file(out_dir).resolve().as_uri()
    prolog = f'<!DOCTYPE office:document-content [<!ENTITY xxe SYSTEM "{uri}">]>'
    return odt_bytes(odt_content(["Début &xxe; fin"], prolog=prolog))


def build_xinclude(out_dir: Path) -> bytes:
    uri = _secret_file(out_dir).resolve().as_uri()
    inc = (f'<w:p><w:r><w:t><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{uri}" '
           'parse="text"/></w:t></w:r></w:p>')
    doc = document_xml(GOOD_PARAGRAPHS).replace(b"<w:body>", b"<w:body>" + inc.encode())
    return docx_bytes(doc)


def build_dotdot(out_dir: Path) -> bytes:
    evil = {"../../evil_dotdot.txt": b"pwned", "/tmp/evil_absolute.txt": b"pwned",
            "word/../../../evil_nested.txt": b"pwned", "..\\..\\evil_windows.txt": b"pwned"}
    return docx_bytes(document_xml(GOOD_PARAGRAPHS), extra=evil)


def build_many_entries(out_dir: Path) -> bytes:
    extra = {f"word/media/tiny{i:05d}.xml": b"<a/>" for i in range(5000)}
    return docx_bytes(document_xml(GOOD_PARAGRAPHS), extra=extra)


def build_deep_xml(out_dir: Path) -> bytes:
    depth = 50_000
    doc = document_xml(GOOD_PARAGRAPHS).replace(
        b"<w:body>", b"<w:body>" + b"<w:sdt>" * depth + b"</w:sdt>" * depth)
    return docx_bytes(doc)


def build_pdf_self_reference(out_dir: Path) -> bytes:
    # The page tree is its own child, the page is its own parent, the content
    # stream's /Length refers to itself and the outline points back at itself.
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R /Outlines 5 0 R >>",
        b"<< /Type /Pages /Kids [2 0 R 3 0 R 2 0 R] /Count 3 >>",
        b"<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /XObject << /X 3 0 R >> >> >>",
        b"<< /Length 4 0 R >>\nstream\nBT /F1 12 Tf (x) Tj ET\nendstream",
        b"<< /Type /Outlines /First 5 0 R /Last 5 0 R /Next 5 0 R /Count 1 >>",
    ])


def build_pdf_prev_loop(out_dir: Path) -> bytes:
    # The trailer's /Prev points at its own xref table.
    body = _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                 b"<< /Type /Pages /Kids [] /Count 0 >>"])
    start = int(body.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    return body.replace(b"/Root 1 0 R ", b"/Root 1 0 R /Prev %d " % start)


def build_pdf_blank_pages(out_dir: Path) -> bytes:
    n = 10_000
    # 1 catalog, 2 pages root, 3 empty content, 4.. pages
    kids = b" ".join(b"%d 0 R" % (4 + i) for i in range(n))
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % n,
            _stream(b"")]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R >>"
    objs.extend([page] * n)
    return _pdf(objs)


def build_pdf_image_only(out_dir: Path, total_mb: int = 50, pages: int = 5) -> bytes:
    # Random pixels do not compress: ~50 MB on disk, quick to generate.
    w = 2048
    per_page = total_mb * (1 << 20) // pages
    h = per_page // (w * 3)
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", None]
    kids = []
    for p in range(pages):
        img = os.urandom(w * h * 3)
        img_id = len(objs) + 1
        objs.append(_stream(img, b"/Type /XObject /Subtype /Image /Width %d /Height %d "
                                 b"/ColorSpace /DeviceRGB /BitsPerComponent 8 " % (w, h)))
        content = b"q 595 0 0 842 0 0 cm /Im0 Do Q"
        objs.append(_stream(content))
        objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                    b"/Resources << /XObject << /Im0 %d 0 R >> >> >>" % (img_id + 1, img_id))
        kids.append(len(objs))
    objs[1] = (b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids)
               + b"] /Count %d >>" % pages)
    return _pdf(objs)


def build_pdf_flate_bomb(out_dir: Path) -> bytes:
    # A page whose content stream is ~1 MB of zlib that inflates to 1 GiB of
    # text operators: the PDF twin of the DOCX bomb.
    op = b"BT /F1 12 Tf 72 720 Td (bombe) Tj ET\n"
    chunk = op * ((1 << 20) // len(op))
    c = zlib.compressobj(9)
    seg_first = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    seg = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    stream = seg_first + seg * 1023 + c.flush()
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        _stream(stream, b"/Filter /FlateDecode "),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ])


def build_zip_not_docx(out_dir: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("photos/vacances.txt", "Ceci n'est pas un document Word.")
        zf.writestr("tableau.csv", "nom;montant\nDupont;12\n")
    return buf.getvalue()


LATIN1_PARAGRAPHS = ["Négociation réussie : élève, façade, garçon, août.",
                     "Deuxième paragraphe à l'été."]


def build_latin1(out_dir: Path) -> bytes:
    decl = '<?xml version="1.0" encoding="ISO-8859-1" standalone="yes"?>'
    return docx_bytes(document_xml(LATIN1_PARAGRAPHS, declaration=decl, encoding="latin-1"))


CASES: list[Case] = [
    Case("bomb", "bombe.docx", frozenset({"too-large"}),
         "bombe de décompression : 2 Go de XML, ~2 Mo sur disque", build_bomb),
    Case("bomb_ratio", "bombe_taux.docx", frozenset({"too-large"}),
         "60 Mo de XML compressés 1 000 fois", build_bomb_small),
    Case("bomb_lying", "bombe_menteuse.docx", frozenset({"too-large", "corrupt-file"}),
         "bombe dont le répertoire zip annonce 20 ko", build_bomb_lying),
    Case("billion_laughs", "milliard_de_rires.docx", frozenset({"corrupt-file", "too-large"}),
         "billion laughs dans word/document.xml", build_billion_laughs),
    Case("billion_laughs_odt", "milliard_de_rires.odt", frozenset({"corrupt-file", "too-large"}),
         "billion laughs dans content.xml", build_billion_laughs_odt),
    Case("xxe", "entite_externe.docx", frozenset({"corrupt-file", DOCUMENT}),
         "entité externe vers un fichier local", build_xxe),
    Case("xxe_far", "entite_externe_loin.docx", frozenset({"corrupt-file", DOCUMENT}),
         "entité externe après 100 ko de commentaire", build_xxe_far),
    Case("xxe_external_dtd", "dtd_externe.docx", frozenset({"corrupt-file", DOCUMENT}),
         "DTD externe locale", build_xxe_external_dtd),
    Case("xxe_odt", "entite_externe.odt", frozenset({"corrupt-file", DOCUMENT}),
         "entité externe dans content.xml", build_xxe_odt),
    Case("xinclude", "xinclude.docx", frozenset({"corrupt-file", DOCUMENT}),
         "XInclude vers un fichier local", build_xinclude),
    Case("dotdot", "chemins_relatifs.docx", frozenset({DOCUMENT}),
         "entrées zip « ../ » et absolues", build_dotdot, expected_text=GOOD_PARAGRAPHS),
    Case("many_entries", "cinq_mille_entrees.docx", frozenset({"too-large"}),
         "DOCX de 5 000 petites entrées", build_many_entries),
    Case("deep_xml", "xml_profond.docx", frozenset({"too-large", "corrupt-file"}),
         "XML imbriqué sur 50 000 niveaux", build_deep_xml),
    Case("pdf_self_reference", "autoreference.pdf", frozenset({"corrupt-file", "timeout", "no-text"}),
         "PDF dont le graphe d'objets se référence lui-même", build_pdf_self_reference),
    Case("pdf_prev_loop", "boucle_xref.pdf", frozenset({"corrupt-file", "timeout", "no-text"}),
         "PDF dont /Prev pointe sur sa propre table xref", build_pdf_prev_loop),
    Case("pdf_blank_pages", "dix_mille_pages.pdf", frozenset({"too-large", "no-text"}),
         "PDF de 10 000 pages blanches", build_pdf_blank_pages),
    Case("pdf_image_only", "images_seules.pdf", frozenset({"no-text"}),
         "PDF de ~50 Mo fait d'images seules", build_pdf_image_only),
    Case("pdf_flate_bomb", "bombe.pdf", frozenset({"too-large", "corrupt-file", "timeout"}),
         "PDF dont le flux de contenu fait 1 Go une fois décompressé", build_pdf_flate_bomb),
    Case("zip_not_docx", "archive.docx", frozenset({"unsupported-format"}),
         "archive ZIP qui n'est pas un DOCX", build_zip_not_docx),
    Case("latin1", "latin1.docx", frozenset({DOCUMENT}),
         "DOCX dont le XML déclare ISO-8859-1 (valide)", build_latin1,
         expected_text=LATIN1_PARAGRAPHS),
]

CASES_BY_NAME = {c.name: c for c in CASES}


def build_corpus(out_dir: Path, only: list[str] | None = None) -> dict[str, Path]:
    """Write the corpus into ``out_dir``; return ``{case name: path}``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for case in CASES:
        if only and case.name not in only:
            continue
        path = out_dir / case.filename
        path.write_bytes(case.build(out_dir))
        paths[case.name] = path
    return paths


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", nargs="?", type=Path)
    ap.add_argument("--only", nargs="*", help="case names (see --list)")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("--run", action="store_true",
                    help="then read every file through the reader sandbox (one fresh worker per "
                         "file) and print its code, time and peak memory")
    args = ap.parse_args(argv)
    if args.list or args.out_dir is None:
        for c in CASES:
            print(f"{c.name:20} {c.filename:28} {'|'.join(sorted(c.expected)):28} {c.what}")
        return 0
    paths = build_corpus(args.out_dir, args.only)
    manifest = {name: {"file": p.name, "bytes": p.stat().st_size,
                       "expected": sorted(CASES_BY_NAME[name].expected)}
                for name, p in paths.items()}
    (args.out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    for name, info in manifest.items():
        print(f"{info['file']:28} {info['bytes']:>12,} octets  -> {'|'.join(info['expected'])}")
    if args.run:
        return run_corpus(paths)
    return 0


def run_corpus(paths: dict[str, Path]) -> int:
    """Read each file in a fresh sandboxed worker (default limits); print the table."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from dossier_check.limits import Limits
    from dossier_check.problems import ReadError
    from dossier_check.sandbox import ReaderPool

    limits = Limits.from_env()
    bad = 0
    print(f"\n{'file':28} {'result':20} {'seconds':>8} {'peak RSS':>10}  expected")
    with ReaderPool(limits, workers=1, max_tasks=1) as pool:
        for name, path in paths.items():
            out = pool.run(path.read_bytes(), path.name)
            got = out.result.code if isinstance(out.result, ReadError) else DOCUMENT
            ok = got in CASES_BY_NAME[name].expected
            bad += not ok
            secs = f"{out.seconds:.2f}" if out.seconds is not None else "?"
            rss = f"{out.peak_rss_bytes / 2**20:.0f} MiB" if out.peak_rss_bytes else "?"
            print(f"{path.name:28} {got:20} {secs:>8} {rss:>10}  {'ok' if ok else 'UNEXPECTED'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
