"""read_document: the format comes from the bytes, every unreadable file gets
its code and a French message, never a traceback."""
from __future__ import annotations

import io
import os
import sys
import types
import zipfile

import pytest

from docx_builder import ole2
from dossier_check.limits import DEFAULT_LIMITS, Limits
from dossier_check.model import Block, BlockKind, Document
from dossier_check.problems import (CORRUPT_FILE, ENCRYPTED, LEGACY_DOC, NO_TEXT, TOO_LARGE,
                                    UNSUPPORTED_FORMAT, ReadError)
from dossier_check.readers import detect_format, read_document

from docx_builder import build_docx, par

NBSP = "\u00a0"




def zip_of(entries: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def refused(data: bytes, filename: str = "production.docx", limits: Limits = DEFAULT_LIMITS) -> ReadError:
    with pytest.raises(ReadError) as exc:
        read_document(data, filename, limits)
    err = exc.value
    assert err.message and err.message == str(err)
    return err


# ------------------------------------------------------------------ unreadable files


def test_legacy_doc_says_how_to_convert():
    err = refused(ole2("WordDocument", "1Table", "\x05SummaryInformation"), "production.doc")
    assert err.code == LEGACY_DOC
    assert f"«{NBSP}Fichier > Enregistrer sous > Document Word (.docx){NBSP}»" in err.message
    assert "LibreOffice" in err.message and "ODT" in err.message


def test_password_protected_docx_is_encrypted_not_legacy():
    # Word saves a password-protected DOCX as an OLE2 file with these two streams.
    err = refused(ole2("EncryptionInfo", "EncryptedPackage", "\x06DataSpaces"))
    assert err.code == ENCRYPTED
    assert "mot de passe" in err.message


def test_other_legacy_office_file_is_unsupported():
    err = refused(ole2("Workbook"), "production.doc")
    assert err.code == UNSUPPORTED_FORMAT


def test_xlsx_and_plain_zip_are_unsupported_and_named():
    xlsx = zip_of({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"})
    err = refused(xlsx, "production.docx")
    assert err.code == UNSUPPORTED_FORMAT and "Excel" in err.message
    assert ".docx" in err.message and ".odt" in err.message and "PDF" in err.message

    err = refused(zip_of({"notes.txt": "bonjour"}))
    assert err.code == UNSUPPORTED_FORMAT and "archive" in err.message


def test_ods_is_unsupported():
    ods = zip_of({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"})
    assert refused(ods, "production.odt").code == UNSUPPORTED_FORMAT


def test_random_bytes_and_plain_text_are_unsupported():
    err = refused(os.urandom(4096) .replace(b"%PDF-", b"xxxxx"), "production.pdf")
    assert err.code == UNSUPPORTED_FORMAT
    assert f"{NBSP}:" in err.message  # French typography before the colon
    assert refused("Mon dossier, en texte brut.".encode(), "dossier.txt").code == UNSUPPORTED_FORMAT
    assert refused(b"{\\rtf1\\ansi Bonjour}", "dossier.rtf").code == UNSUPPORTED_FORMAT


def test_empty_file_is_corrupt_with_a_clear_message():
    err = refused(b"", "production.docx")
    assert err.code == CORRUPT_FILE
    assert "vide" in err.message
    assert refused(b" \n\t", "production.docx").code == CORRUPT_FILE


def test_truncated_zip_is_corrupt():
    data = build_docx(par("Texte complet du document."))
    err = refused(data[: len(data) // 2])
    assert err.code == CORRUPT_FILE
    assert "endommagé" in err.message


def test_invalid_xml_in_document_part_is_corrupt():
    data = build_docx("", document_xml="<w:document><w:body><w:p>texte</w:body>")
    err = refused(data)
    assert err.code == CORRUPT_FILE
    assert err.detail["format"] == "docx"


def test_file_over_the_size_limit_is_too_large_and_names_the_limit():
    data = build_docx(par("Texte."))
    err = refused(data, limits=Limits(max_file_bytes=1024))
    assert err.code == TOO_LARGE
    assert f"«{NBSP}taille maximale du fichier{NBSP}»" in err.message
    assert "1\u00a0Ko" in err.message


def test_docx_without_text_is_no_text():
    assert refused(build_docx(par(""))).code == NO_TEXT


# ----------------------------------------------------------------------- readable


def test_docx_read_whatever_the_extension_with_a_note():
    data = build_docx(par("Bonjour."))
    doc = read_document(data, "production.pdf")
    assert doc.format == "docx"
    assert [b.text for b in doc.blocks] == ["Bonjour."]
    assert any("extension .pdf" in n for n in doc.notes)
    assert read_document(data, "production.docx").notes == []


def test_docx_found_by_content_type_when_main_part_is_elsewhere():
    data = build_docx(par("x"))
    zf = zipfile.ZipFile(io.BytesIO(data))
    entries = {n: zf.read(n) for n in zf.namelist()}
    entries["word/main.xml"] = entries.pop("word/document.xml")
    entries["word/_rels/main.xml.rels"] = entries.pop("word/_rels/document.xml.rels")
    entries["_rels/.rels"] = entries["_rels/.rels"].replace(b"word/document.xml", b"word/main.xml")
    entries["[Content_Types].xml"] = entries["[Content_Types].xml"].replace(
        b"/word/document.xml", b"/word/main.xml")
    moved = zip_of(entries)
    assert detect_format(moved) == "docx"
    assert [b.text for b in read_document(moved, "a.docx").blocks] == ["x"]


@pytest.fixture
def fake_readers(monkeypatch):
    calls = []

    def make(fmt, behaviour):
        mod = types.ModuleType(f"dossier_check.readers.{fmt}")

        def read(data, limits):
            calls.append((fmt, len(data), limits))
            return behaviour(data)

        mod.read = read
        monkeypatch.setitem(sys.modules, f"dossier_check.readers.{fmt}", mod)

    return make, calls


def test_pdf_and_odt_are_sent_to_their_readers(fake_readers):
    make, calls = fake_readers
    ok = lambda data: Document(format="?", blocks=[Block(BlockKind.PARAGRAPH, "texte")])  # noqa: E731
    make("pdf", ok)
    make("odt", ok)
    pdf = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF"
    odt = zip_of({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"})
    limits = Limits(max_pdf_pages=10)
    assert read_document(pdf, "a.pdf", limits).format == "pdf"
    assert read_document(odt, "a.odt", limits).format == "odt"
    assert calls == [("pdf", len(pdf), limits), ("odt", len(odt), limits)]
    assert detect_format(b"\xef\xbb\xbf  %PDF-1.4 ...") == "pdf"  # junk before the header


def test_unexpected_reader_exception_becomes_corrupt_file_but_read_errors_keep_their_code(fake_readers):
    make, _ = fake_readers

    def boom(data):
        raise KeyError("/Root")

    make("pdf", boom)
    err = refused(b"%PDF-1.4\n", "a.pdf")
    assert err.code == CORRUPT_FILE
    assert "PDF" in err.message and "KeyError" in err.detail["reason"]

    def locked(data):
        raise ReadError(ENCRYPTED, "Le PDF est protégé par un mot de passe.")

    make("pdf", locked)
    err = refused(b"%PDF-1.4\n", "a.pdf")
    assert err.code == ENCRYPTED and err.detail["format"] == "pdf"

    def deep(data):
        def f(n):
            return f(n + 1)
        return f(0)

    make("pdf", deep)
    assert refused(b"%PDF-1.4\n", "a.pdf").code == CORRUPT_FILE


@pytest.mark.parametrize("data, expected", [
    (b"", "empty"),
    (b"%PDF-1.7", "pdf"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "ole2"),
    (b"PK\x03\x04garbage", "broken-zip"),
    (b"GIF89a", None),
])
def test_detect_format_values(data, expected):
    assert detect_format(data) == expected


def test_zip_with_too_many_entries_is_refused_before_parsing_its_directory():
    many = zip_of({f"word/media/{i}.txt": "" for i in range(50)} | {"word/document.xml": "<x/>"})
    assert detect_format(many, Limits(max_zip_entries=10)) == "zip-too-many"
    err = refused(many, limits=Limits(max_zip_entries=10))
    assert err.code == TOO_LARGE
    assert "nombre maximal d'éléments dans l'archive" in err.message


def test_an_odt_without_any_text_is_no_text():
    """An empty document gets the same code whatever its format."""
    import pytest

    from dossier_check.problems import ReadError
    from dossier_check.readers import read_document
    from odt_builder import build_odt

    with pytest.raises(ReadError) as e:
        read_document(build_odt(""), "vide.odt")
    assert e.value.code == "no-text"
    assert "aucun texte" in e.value.message
