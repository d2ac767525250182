"""Streaming multipart parser that keeps uploads in memory and enforces the limits.

Why not ``request.form()``: Starlette's parser spools every file part over 1 MB
to a ``SpooledTemporaryFile`` in the system temporary directory (an unnamed
``O_TMPFILE`` on Linux, a named file elsewhere), and it only knows one size limit
for text fields. Here nothing touches the disk: file parts are collected in
memory, and

* the whole body is counted as it arrives: past ``max_request_bytes`` parsing
  stops at once (:class:`RequestTooLarge`), whatever ``Content-Length`` said
  (a chunked body has none; a lying one is cut at the limit);
* past ``max_files`` file parts parsing stops (:class:`TooManyFiles`);
* a file part past ``max_file_bytes`` stops being kept: only its size is
  counted, and the check reports that file ``too-large`` while the other files
  are checked;
* text fields are capped (``MAX_FIELD_BYTES``) and counted.

Client file names are display strings only: path components and control
characters are removed, and they are never used to build a path.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import AsyncIterator

from python_multipart.multipart import MultipartParser, parse_options_header

MAX_FIELD_BYTES = 4096
MAX_FIELDS = 50
MAX_NAME_CHARS = 200


class UploadError(Exception):
    """The request cannot be accepted; ``status`` and ``code`` say how to answer."""

    status = 400
    code = "bad-request"

    def __init__(self, message: str = "", **detail):
        super().__init__(message)
        self.detail = detail


class RequestTooLarge(UploadError):
    status = 413
    code = "request-too-large"


class TooManyFiles(UploadError):
    status = 413
    code = "too-many-files"


class BadMultipart(UploadError):
    status = 400
    code = "bad-request"


@dataclass
class UploadedFile:
    field: str  # form field name: "files" or "doc.<competence>"
    name: str  # cleaned display name
    size: int = 0
    data: bytearray | None = field(default_factory=bytearray)  # None once over the per-file limit
    content_type: str = ""

    @property
    def too_large(self) -> bool:
        return self.data is None


@dataclass
class ParsedUpload:
    fields: dict[str, str]
    files: list[UploadedFile]
    received_bytes: int


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean_filename(raw: str) -> str:
    """A client file name made safe to display (never used as a path)."""
    name = unicodedata.normalize("NFC", raw)
    name = _CONTROL.sub("", name)
    name = re.split(r"[\\/]", name)[-1].strip()  # "C:\\fakepath\\a.docx", "../../a.docx"
    name = name.lstrip(".") or "fichier"
    if len(name) > MAX_NAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        ext = ext[:10] if dot else ""
        name = (stem if dot else name)[: MAX_NAME_CHARS - len(ext) - 1] + ("…." + ext if ext else "…")
    return name


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


class _Collector:
    def __init__(self, max_files: int, max_file_bytes: int):
        self.max_files = max_files
        self.max_file_bytes = max_file_bytes
        self.fields: dict[str, str] = {}
        self.files: list[UploadedFile] = []
        self._header_name = b""
        self._header_value = b""
        self._disposition = b""
        self._ctype = b""
        self._file: UploadedFile | None = None
        self._file_unnamed = False
        self._field_name: str | None = None
        self._field_data = bytearray()
        self._nfields = 0

    # python-multipart callbacks
    def on_part_begin(self) -> None:
        self._disposition = b""
        self._ctype = b""
        self._file = None
        self._field_name = None
        self._field_data = bytearray()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]
        if len(self._header_value) > MAX_FIELD_BYTES:
            raise BadMultipart("En-tête de partie trop long.")

    def on_header_end(self) -> None:
        name = self._header_name.lower()
        if name == b"content-disposition":
            self._disposition = self._header_value
        elif name == b"content-type":
            self._ctype = self._header_value
        self._header_name = b""
        self._header_value = b""

    def on_headers_finished(self) -> None:
        _disp, options = parse_options_header(self._disposition)
        if b"name" not in options:
            raise BadMultipart("Partie sans nom de champ (Content-Disposition « name » absent).")
        fname = _decode(options[b"name"])
        if b"filename" in options:
            if len(self.files) >= self.max_files:
                raise TooManyFiles(limit=self.max_files)
            raw_name = _decode(options[b"filename"])
            self._file = UploadedFile(field=fname, name=clean_filename(raw_name),
                                      content_type=_decode(self._ctype)[:100])
            self._file_unnamed = not raw_name.strip()
            self.files.append(self._file)
        else:
            self._nfields += 1
            if self._nfields > MAX_FIELDS:
                raise BadMultipart("Trop de champs dans le formulaire.")
            self._field_name = fname

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        n = end - start
        f = self._file
        if f is not None:
            f.size += n
            if f.data is not None:
                if f.size > self.max_file_bytes:
                    f.data = None  # drop what we had: the file is reported too-large
                else:
                    f.data += data[start:end]
        else:
            if len(self._field_data) + n > MAX_FIELD_BYTES:
                raise BadMultipart(f"Champ « {self._field_name} » trop long.")
            self._field_data += data[start:end]

    def on_part_end(self) -> None:
        if self._file is not None and self._file_unnamed and self._file.size == 0:
            # What a browser sends for a file input left empty: not a file.
            self.files.remove(self._file)
        if self._file is None and self._field_name is not None:
            self.fields[self._field_name] = _decode(bytes(self._field_data)).strip()
        self._file = None
        self._field_name = None


async def parse_multipart(content_type: str, stream: AsyncIterator[bytes], *, max_request_bytes: int,
                          max_files: int, max_file_bytes: int) -> ParsedUpload:
    """Parse a multipart/form-data body from ``stream`` under the limits."""
    ctype, params = parse_options_header(content_type or "")
    if ctype != b"multipart/form-data" or b"boundary" not in params:
        raise BadMultipart("Le corps de la requête doit être en multipart/form-data.")
    col = _Collector(max_files, max_file_bytes)
    callbacks = {
        "on_part_begin": col.on_part_begin,
        "on_part_data": col.on_part_data,
        "on_part_end": col.on_part_end,
        "on_header_field": col.on_header_field,
        "on_header_value": col.on_header_value,
        "on_header_end": col.on_header_end,
        "on_headers_finished": col.on_headers_finished,
    }
    try:
        parser = MultipartParser(params[b"boundary"], callbacks)
    except Exception as exc:  # noqa: BLE001 - bad boundary
        raise BadMultipart("Délimiteur multipart invalide.") from exc
    received = 0
    try:
        async for chunk in stream:
            received += len(chunk)
            if received > max_request_bytes:
                raise RequestTooLarge(limit=max_request_bytes, received_at_least=received)
            parser.write(chunk)
        parser.finalize()
    except UploadError:
        _drop(col)
        raise
    except Exception as exc:  # noqa: BLE001 - python-multipart's own errors
        _drop(col)
        if type(exc).__name__ in ("ClientDisconnect",):
            raise
        raise BadMultipart("Corps multipart invalide.") from exc
    except BaseException:
        _drop(col)
        raise
    return ParsedUpload(col.fields, col.files, received)


def _drop(col: _Collector) -> None:
    """Release the bytes already received as soon as the request fails."""
    for f in col.files:
        f.data = None
    col.files.clear()
