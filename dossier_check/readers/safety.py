"""Safe access to zip containers and XML parts.

Everything is checked from the zip central directory *before* a part is
inflated: entry count, declared sizes, compression ratio. Parts are then read
through a capped stream, so a directory that lies about sizes cannot make us
inflate more than the limit. Media entries (images) are never inflated.
XML is parsed by lxml with entities, DTD loading and network access off.
"""
from __future__ import annotations

import io
import struct
import zipfile

from lxml import etree

from ..limits import LIMIT_LABELS, Limits, format_bytes, format_number
from ..problems import CORRUPT_FILE, ENCRYPTED, TOO_LARGE, ReadError


def _too_large(limit: str, value: str, message_what: str) -> ReadError:
    return ReadError(
        TOO_LARGE,
        f"Le fichier dépasse la limite «\u00a0{LIMIT_LABELS[limit]}\u00a0» ({value})\u00a0: {message_what}. "
        "Réduisez la taille des images ou enregistrez une copie allégée du document.",
        limit=limit,
    )


def _declared_entry_count(data: bytes) -> int | None:
    """Total entries announced by the zip's end-of-central-directory record
    (zip64 included), or None when it cannot be found."""
    tail_start = max(0, len(data) - (22 + 65535))
    pos = data.rfind(b"PK\x05\x06", tail_start)
    if pos < 0 or pos + 22 > len(data):
        return None
    total = struct.unpack_from("<H", data, pos + 10)[0]
    if total == 0xFFFF and pos >= 20 and data[pos - 20:pos - 16] == b"PK\x06\x07":
        eocd64 = struct.unpack_from("<Q", data, pos - 12)[0]
        if eocd64 + 56 <= len(data) and data[eocd64:eocd64 + 4] == b"PK\x06\x06":
            total = struct.unpack_from("<Q", data, eocd64 + 32)[0]
    return total


class SafeZip:
    """A zip container opened with limits checked up front."""

    def __init__(self, data: bytes, limits: Limits):
        self.limits = limits
        self._read_total = 0
        # Count entries from the end-of-central-directory record first, so an
        # archive with millions of entries is refused before zipfile parses them all.
        declared = _declared_entry_count(data)
        if declared is not None and declared > limits.max_zip_entries:
            raise _too_large("max_zip_entries", format_number(limits.max_zip_entries),
                             f"l'archive contient {format_number(declared)} éléments")
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zf.infolist()
        except MemoryError:
            raise
        except Exception as exc:  # BadZipFile, struct/zlib errors, bad encodings...
            raise ReadError(
                CORRUPT_FILE,
                "Le fichier est endommagé (archive illisible). Ouvrez-le dans votre traitement de "
                "texte et enregistrez-le de nouveau.",
                reason=str(exc)[:200],
            ) from None
        if len(infos) > limits.max_zip_entries:
            raise _too_large("max_zip_entries", format_number(limits.max_zip_entries),
                             f"l'archive contient {format_number(len(infos))} éléments")
        self.infos = {}
        for info in infos:
            # Names are only ever used as keys, never as paths on disk.
            self.infos.setdefault(info.filename, info)

    def names(self) -> list[str]:
        return list(self.infos)

    def has(self, name: str) -> bool:
        return name in self.infos

    def is_encrypted(self, name: str) -> bool:
        info = self.infos.get(name)
        return bool(info and info.flag_bits & 0x1)

    def read(self, name: str, *, xml: bool = True) -> bytes:
        """Read one part, capped. ``xml=False`` parts (e.g. ``mimetype``) are
        tiny and capped at 1 MB."""
        info = self.infos.get(name)
        if info is None:
            raise KeyError(name)
        if info.flag_bits & 0x1:
            raise ReadError(ENCRYPTED, "Le fichier est protégé par un mot de passe. "
                            "Enregistrez une copie sans mot de passe pour la vérifier.")
        cap = self.limits.max_xml_part_bytes if xml else 1024 * 1024
        if info.file_size > cap:
            raise _too_large("max_xml_part_bytes", format_bytes(cap),
                             f"la partie {name} fait {format_bytes(info.file_size)} une fois décompressée")
        if info.compress_size and info.file_size / max(info.compress_size, 1) > self.limits.max_compression_ratio \
                and info.file_size > 1024 * 1024:
            raise _too_large("max_compression_ratio", f"{self.limits.max_compression_ratio:g}",
                             f"la partie {name} est anormalement compressée (bombe de décompression)")
        remaining_total = self.limits.max_xml_total_bytes - self._read_total
        if info.file_size > remaining_total:
            raise _too_large("max_xml_total_bytes", format_bytes(self.limits.max_xml_total_bytes),
                             "le contenu textuel décompressé est trop volumineux")
        try:
            with self.zf.open(info) as fh:
                # Never ask zlib for more than the entry declares: a directory that
                # understates a bomb's size then fails its CRC check, cheaply.
                data = fh.read(min(cap, remaining_total, info.file_size) + 1)
        except RuntimeError:  # encrypted entries
            raise ReadError(ENCRYPTED, "Le fichier est protégé par un mot de passe. "
                            "Enregistrez une copie sans mot de passe pour la vérifier.") from None
        except MemoryError:
            raise
        except Exception as exc:  # BadZipFile, zlib.error, CRC mismatch, unsupported method...
            raise ReadError(CORRUPT_FILE, "Le fichier est endommagé (une partie de l'archive est "
                            "illisible). Ouvrez-le dans votre traitement de texte et enregistrez-le de nouveau.",
                            part=name, reason=str(exc)[:200]) from None
        if len(data) > min(cap, remaining_total):
            # The directory lied about the size.
            raise _too_large("max_xml_part_bytes", format_bytes(cap),
                             f"la partie {name} est plus grande que ce que l'archive annonce")
        self._read_total += len(data)
        return data


def xml_parser(limits: Limits | None = None) -> etree.XMLParser:
    """An lxml parser that never expands entities, loads a DTD or touches the network."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
        recover=False,
    )


_FORBIDDEN_MARKUP = (b"<!DOCTYPE", b"<!ENTITY")


def _declarations_error(part: str, reason: str) -> ReadError:
    return ReadError(CORRUPT_FILE, "Le fichier contient des déclarations XML non autorisées "
                     "(entités). Enregistrez-le de nouveau depuis votre traitement de texte.",
                     part=part, reason=reason)


def parse_xml(data: bytes, part: str = "", limits: Limits | None = None) -> etree._Element:
    """Parse an XML part safely. Office and OpenDocument parts never carry a
    document type declaration: any DOCTYPE or entity declaration is refused
    outright (billion laughs, external entities), wherever it is in the part and
    whatever the encoding (a second check runs on the parsed tree). The parser
    itself never expands entities, loads a DTD or touches the network."""
    for marker in _FORBIDDEN_MARKUP:
        if marker in data:
            raise _declarations_error(part, "entity declaration")
    try:
        root = etree.fromstring(data, xml_parser(limits))
    except etree.XMLSyntaxError as exc:
        reason = str(exc)[:200]
        if "depth" in reason.lower() and limits is not None:
            raise _too_large("max_xml_depth", format_number(limits.max_xml_depth),
                             f"la partie {part} est trop imbriquée") from None
        if "amplification" in reason.lower() or "entity" in reason.lower():
            raise _declarations_error(part, reason) from None
        raise ReadError(CORRUPT_FILE, "Le fichier est endommagé (XML invalide). Ouvrez-le dans "
                        "votre traitement de texte et enregistrez-le de nouveau.",
                        part=part, reason=reason) from None
    except (ValueError, TypeError) as exc:  # e.g. unknown encoding, str with a declaration
        raise ReadError(CORRUPT_FILE, "Le fichier est endommagé (XML invalide). Ouvrez-le dans "
                        "votre traitement de texte et enregistrez-le de nouveau.",
                        part=part, reason=str(exc)[:200]) from None
    if root is None:
        raise ReadError(CORRUPT_FILE, "Le fichier est endommagé (partie XML vide). Ouvrez-le dans "
                        "votre traitement de texte et enregistrez-le de nouveau.", part=part)
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise _declarations_error(part, "document type declaration")
    if limits is not None:
        _check_depth(root, limits.max_xml_depth, part)
    return root


def _check_depth(root, max_depth: int, part: str) -> None:
    # iterwalk-free depth check: walk with an explicit stack.
    stack = [(root, 1)]
    while stack:
        el, d = stack.pop()
        if d > max_depth:
            raise _too_large("max_xml_depth", format_number(max_depth),
                             f"la partie {part} est trop imbriquée")
        stack.extend((child, d + 1) for child in el)
