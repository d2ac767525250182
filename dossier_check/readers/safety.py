"""Safe access to zip containers and XML parts.

Everything is checked from the zip central directory *before* a part is
inflated: entry count, declared sizes, compression ratio. Parts are then read
through a capped stream, so a directory that lies about sizes cannot make us
inflate more than the limit. Media entries (images) are never inflated.
XML is parsed by lxml with entities, DTD loading and network access off.
"""
from __future__ import annotations

import io
import zipfile

from lxml import etree

from ..limits import LIMIT_LABELS, Limits, format_bytes
from ..problems import CORRUPT_FILE, ENCRYPTED, TOO_LARGE, ReadError


def _too_large(limit: str, value: str, message_what: str) -> ReadError:
    return ReadError(
        TOO_LARGE,
        f"Le fichier dépasse la limite « {LIMIT_LABELS[limit]} » ({value}) : {message_what}. "
        "Réduisez la taille des images ou enregistrez une copie allégée du document.",
        limit=limit,
    )


class SafeZip:
    """A zip container opened with limits checked up front."""

    def __init__(self, data: bytes, limits: Limits):
        self.limits = limits
        self._read_total = 0
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
            raise ReadError(
                CORRUPT_FILE,
                "Le fichier est endommagé (archive illisible). Ouvrez-le dans votre traitement de "
                "texte et enregistrez-le de nouveau.",
                reason=str(exc)[:200],
            ) from None
        if len(infos) > limits.max_zip_entries:
            raise _too_large("max_zip_entries", str(limits.max_zip_entries),
                             f"l'archive contient {len(infos)} éléments")
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
                data = fh.read(min(cap, remaining_total) + 1)
        except RuntimeError as exc:  # encrypted entries
            raise ReadError(ENCRYPTED, "Le fichier est protégé par un mot de passe. "
                            "Enregistrez une copie sans mot de passe pour la vérifier.") from None
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
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


def parse_xml(data: bytes, part: str = "", limits: Limits | None = None) -> etree._Element:
    """Parse an XML part safely. A document type declaration with entity
    definitions is refused outright (billion laughs, external entities)."""
    head = data[:4096]
    if b"<!ENTITY" in data[:65536] or (b"<!DOCTYPE" in head and b"[" in head.split(b"<!DOCTYPE", 1)[1][:2048]):
        raise ReadError(CORRUPT_FILE, "Le fichier contient des déclarations XML non autorisées "
                        "(entités). Enregistrez-le de nouveau depuis votre traitement de texte.",
                        part=part, reason="entity declaration")
    try:
        root = etree.fromstring(data, xml_parser(limits))
    except etree.XMLSyntaxError as exc:
        raise ReadError(CORRUPT_FILE, "Le fichier est endommagé (XML invalide). Ouvrez-le dans "
                        "votre traitement de texte et enregistrez-le de nouveau.",
                        part=part, reason=str(exc)[:200]) from None
    if limits is not None:
        _check_depth(root, limits.max_xml_depth, part)
    return root


def _check_depth(root, max_depth: int, part: str) -> None:
    # iterwalk-free depth check: walk with an explicit stack.
    stack = [(root, 1)]
    while stack:
        el, d = stack.pop()
        if d > max_depth:
            raise _too_large("max_xml_depth", str(max_depth), f"la partie {part} est trop imbriquée")
        stack.extend((child, d + 1) for child in el)
