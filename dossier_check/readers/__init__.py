"""Readers: bytes → :class:`~dossier_check.model.Document`, one module per format.

:func:`read_document` is the only entry point the rest of the tool needs. It
sniffs the real format from the bytes (never from the file name), sends the
file to the right reader and turns every failure into a
:class:`~dossier_check.problems.ReadError` with a stable code and a French
message: a reader may raise ``ReadError`` itself (its code is kept); any other
exception becomes ``corrupt-file`` — never a traceback.
"""
from __future__ import annotations

import importlib
import io
import zipfile

from ..limits import DEFAULT_LIMITS, Limits, file_size_error
from ..model import Document
from ..problems import (CORRUPT_FILE, NO_TEXT, ENCRYPTED, LEGACY_DOC, TOO_LARGE, UNSUPPORTED_FORMAT,
                        ReadError)
from .safety import SafeZip, _declared_entry_count

NBSP = "\u00a0"
READABLE_FORMATS = ("docx", "odt", "pdf")

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODT_MIMETYPES = (b"application/vnd.oasis.opendocument.text",
                 b"application/vnd.oasis.opendocument.text-template")
_WORD_MAIN_TYPES = (b"wordprocessingml.document.main", b"wordprocessingml.template.main",
                    b"ms-word.document.macroEnabled.main", b"ms-word.template.macroEnabledTemplate.main")

_FORMAT_NAMES = {"docx": "un document Word (.docx)", "odt": "un document OpenDocument (.odt)",
                 "pdf": "un PDF"}

ACCEPTED = (f"l’outil lit les documents Word (.docx), OpenDocument Texte (.odt) et PDF (.pdf)")

_UNSUPPORTED_HINTS = {
    "xlsx": "Ce fichier est un classeur Excel (.xlsx), pas un document texte",
    "pptx": "Ce fichier est une présentation PowerPoint (.pptx), pas un document texte",
    "ods": "Ce fichier est un classeur OpenDocument (.ods), pas un document texte",
    "odp": "Ce fichier est une présentation OpenDocument (.odp), pas un document texte",
    "opendocument": "Ce fichier est un document OpenDocument qui n’est pas un texte",
    "zip": "Ce fichier est une archive .zip, pas un document",
    "ole2": "Ce fichier est un ancien document Microsoft Office (Excel, PowerPoint ou Outlook), "
            "pas un document Word",
    "rtf": "Ce fichier est au format RTF, que l’outil ne lit pas",
    None: "Ce fichier n’est ni un document Word (.docx), ni un document OpenDocument (.odt), ni un PDF",
}


def _g(text: str) -> str:
    """French guillemets with no-break spaces inside."""
    return f"«{NBSP}{text}{NBSP}»"


def _ole2_streams(data: bytes) -> set[str]:
    """Names of the known streams in an OLE2 compound file. Directory entries
    are 128-byte records starting on 128-byte boundaries (sectors are 512 or
    4096 bytes long), their name first, in UTF-16LE."""
    found = set()
    for name in ("EncryptionInfo", "EncryptedPackage", "WordDocument", "Workbook", "Book",
                 "PowerPoint Document", "__substg1.0_0037001F"):
        needle = name.encode("utf-16-le") + b"\x00\x00"
        start = 0
        while True:
            pos = data.find(needle, start)
            if pos < 0:
                break
            if pos % 128 == 0:
                found.add(name)
                break
            start = pos + 1
    return found


def _zip_kind(data: bytes, limits: Limits) -> str:
    declared = _declared_entry_count(data)
    if declared is not None and declared > limits.max_zip_entries:
        return "zip-too-many"  # never let zipfile parse millions of entries
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = {i.filename: i for i in zf.infolist()}
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - BadZipFile, NotImplementedError ("zip file version"), struct errors...
        return "broken-zip"

    def small(name: str, cap: int = 1024 * 1024) -> bytes:
        info = infos.get(name)
        if info is None or info.file_size > cap or info.flag_bits & 0x1:
            return b""
        try:
            with zf.open(info) as fh:
                return fh.read(cap)
        except Exception:  # noqa: BLE001 - a broken entry just is not evidence
            return b""

    if "word/document.xml" in infos:
        return "docx"
    mimetype = small("mimetype", 4096).strip()
    if mimetype in ODT_MIMETYPES:
        return "odt"
    if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
        return "ods"
    if mimetype.startswith(b"application/vnd.oasis.opendocument.presentation"):
        return "odp"
    if mimetype.startswith(b"application/vnd.oasis.opendocument"):
        return "opendocument"
    content_types = small("[Content_Types].xml")
    if any(t in content_types for t in _WORD_MAIN_TYPES):
        return "docx"
    if "xl/workbook.xml" in infos or b"spreadsheetml" in content_types:
        return "xlsx"
    if "ppt/presentation.xml" in infos or b"presentationml" in content_types:
        return "pptx"
    return "zip"


def detect_format(data: bytes, limits: Limits = DEFAULT_LIMITS) -> str | None:
    """The real format of ``data``, from its bytes.

    Returns ``"docx"``, ``"odt"`` or ``"pdf"`` for the formats the tool reads;
    for files it recognises but cannot read: ``"doc"`` (legacy Word),
    ``"encrypted-ooxml"`` (a password-protected DOCX/XLSX/PPTX: an OLE2 file
    holding ``EncryptionInfo``/``EncryptedPackage``), ``"ole2"`` (other legacy
    Office files), ``"xlsx"``, ``"pptx"``, ``"ods"``, ``"odp"``,
    ``"opendocument"``, ``"zip"`` (any other zip), ``"broken-zip"`` (starts like a
    zip, directory unreadable: truncated), ``"zip-too-many"`` (a zip announcing
    more entries than ``limits.max_zip_entries``: not opened), ``"rtf"``,
    ``"empty"`` (0 bytes or only blanks); None when unknown.
    """
    if not data or not data.strip():
        return "empty"
    if data.startswith(OLE2_MAGIC):
        streams = _ole2_streams(data)
        if streams & {"EncryptionInfo", "EncryptedPackage"}:
            return "encrypted-ooxml"
        if "WordDocument" in streams:
            return "doc"
        return "ole2"
    if data.startswith(b"PK"):
        return _zip_kind(data, limits)
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{\\rtf"):
        return "rtf"
    return None


def _refuse(fmt: str | None, data: bytes) -> ReadError:
    if fmt == "empty":
        return ReadError(
            CORRUPT_FILE,
            f"Le fichier est vide ({len(data)}{NBSP}octet{'s' if len(data) > 1 else ''}){NBSP}: il a "
            "sans doute été mal enregistré ou mal transmis. Enregistrez de nouveau votre production "
            "depuis votre traitement de texte et renvoyez-la.",
            format=fmt)
    if fmt == "doc":
        return ReadError(
            LEGACY_DOC,
            "Ce fichier est un document Word à l’ancien format (.doc), que l’outil ne lit pas. "
            f"Ouvrez-le dans Word et choisissez {_g('Fichier > Enregistrer sous > Document Word (.docx)')}, "
            f"ou dans LibreOffice {_g('Fichier > Enregistrer sous…')} au format ODT (.odt), "
            "puis vérifiez le nouveau fichier.",
            format=fmt)
    if fmt == "encrypted-ooxml":
        return ReadError(
            ENCRYPTED,
            f"Le document est protégé par un mot de passe{NBSP}: l’outil ne peut pas le lire. "
            "Dans Word, retirez le mot de passe "
            f"({_g('Fichier > Informations > Protéger le document > Chiffrer avec mot de passe')}, "
            "puis effacez-le) et enregistrez une copie, ou exportez-la en PDF.",
            format=fmt)
    if fmt == "broken-zip":
        return ReadError(
            CORRUPT_FILE,
            f"Le fichier est endommagé ou incomplet (archive tronquée){NBSP}: il a sans doute été mal "
            "enregistré ou mal transmis. Ouvrez-le dans votre traitement de texte, enregistrez-le de "
            "nouveau et renvoyez-le.",
            format=fmt)
    hint = _UNSUPPORTED_HINTS.get(fmt, _UNSUPPORTED_HINTS[None])
    return ReadError(
        UNSUPPORTED_FORMAT,
        f"{hint}{NBSP}: {ACCEPTED}. Enregistrez votre production dans l’un de ces formats "
        f"(dans Word{NBSP}: {_g('Fichier > Enregistrer sous')}, ou {_g('Exporter en PDF')}).",
        format=fmt)


def _reader(fmt: str):
    return importlib.import_module(f"{__name__}.{fmt}")


def read_document(data: bytes, filename: str = "", limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read one production file. ``filename`` is only used in notes and error
    details (the format comes from the bytes). Raises :class:`ReadError`."""
    if len(data) > limits.max_file_bytes:
        raise file_size_error(limits, len(data))
    fmt = detect_format(data, limits)
    if fmt == "zip-too-many":
        SafeZip(data, limits)  # raises too-large, naming the entry-count limit
    if fmt not in READABLE_FORMATS:
        raise _refuse(fmt, data)
    try:
        module = _reader(fmt)
    except ImportError as exc:
        raise ReadError(UNSUPPORTED_FORMAT, f"La lecture des fichiers {fmt.upper()} n’est pas "
                        "disponible dans cette installation de l’outil.", format=fmt,
                        reason=str(exc)[:200]) from None
    try:
        doc = module.read(data, limits)
    except ReadError as exc:
        exc.detail.setdefault("format", fmt)
        raise
    except MemoryError:
        raise ReadError(TOO_LARGE, f"Le fichier demande trop de mémoire pour être lu{NBSP}: "
                        "enregistrez une copie allégée (images compressées) et réessayez.",
                        format=fmt) from None
    except Exception as exc:  # noqa: BLE001 - any reader failure is a damaged file for the user
        raise ReadError(
            CORRUPT_FILE,
            f"Le fichier semble être {_FORMAT_NAMES[fmt]} mais il est endommagé ou d’une forme que "
            f"l’outil ne sait pas lire{NBSP}: ouvrez-le dans votre traitement de texte, enregistrez-le "
            "de nouveau (ou exportez-le en PDF) et réessayez.",
            format=fmt, reason=f"{type(exc).__name__}: {exc}"[:200]) from None
    doc.format = fmt
    if not any(b.text.strip() for b in doc.blocks):
        raise ReadError(
            NO_TEXT,
            f"Le document ne contient aucun texte{NBSP}: il est vide ou n’est fait que d’images. "
            "Vérifiez que vous avez envoyé la bonne version de votre production.",
            format=fmt, images=doc.images)
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext in READABLE_FORMATS and ext != fmt:
        doc.notes.append(f"Le fichier porte l’extension .{ext} mais c’est {_FORMAT_NAMES[fmt]}{NBSP}: "
                         f"il a été lu comme tel.")
    return doc


__all__ = ["read_document", "detect_format", "READABLE_FORMATS"]
