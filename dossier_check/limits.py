"""Resource limits, in one place. Every reader and the sandbox take them from here.

Each limit has a French name used in messages (``LIMIT_LABELS``), so that a file
refused for size says which limit it hit.

Where each limit is enforced:

==========================  ==================================================
``max_file_bytes``          ``read_document`` and the sandbox, before parsing
``max_zip_entries``         ``safety.SafeZip`` (zip central directory)
``max_xml_part_bytes``      ``safety.SafeZip.read`` (declared and real size)
``max_xml_total_bytes``     ``safety.SafeZip.read`` (sum over parts read)
``max_compression_ratio``   ``safety.SafeZip.read`` (XML parts over 1 MB)
``max_xml_depth``           ``safety.parse_xml``
``max_pdf_pages``           the PDF reader
``max_pdf_objects``         the PDF reader
``timeout_seconds``         ``sandbox.ReaderPool`` (wall clock, from task start)
``max_memory_bytes``        ``sandbox.ReaderPool`` (RLIMIT_AS of the worker, POSIX)
==========================  ==================================================

Configuration: ``Limits.from_env()`` reads ``DOSSIER_CHECK_<NAME>`` variables
(``DOSSIER_CHECK_TIMEOUT_SECONDS=30``, ``DOSSIER_CHECK_MAX_FILE_BYTES=80M``);
``Limits.from_mapping({...})`` takes the same names as a dict (CLI options,
web settings). Sizes accept ``K``/``M``/``G`` suffixes (also ``Ko``/``Mo``/``Go``).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, fields, replace
from typing import Mapping

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    # Whole file on disk / uploaded. A photo-heavy 60 MB production is legitimate.
    max_file_bytes: int = 100 * MB
    # Zip containers (DOCX, ODT): entry count and inflated size of the parts we parse.
    max_zip_entries: int = 2000
    max_xml_part_bytes: int = 64 * MB  # one XML part, inflated
    max_xml_total_bytes: int = 160 * MB  # all XML parts read, inflated
    max_compression_ratio: float = 200.0  # per XML entry, inflated / compressed
    # XML parsing.
    max_xml_depth: int = 256
    # PDF.
    max_pdf_pages: int = 2000
    max_pdf_objects: int = 500_000
    # Per file, whole read (enforced by the sandbox).
    timeout_seconds: float = 60.0
    max_memory_bytes: int = 2048 * MB

    def with_overrides(self, **kwargs) -> "Limits":
        known = {f.name for f in fields(self)}
        return replace(self, **{k: v for k, v in kwargs.items() if k in known and v is not None})

    @classmethod
    def from_mapping(cls, overrides: Mapping[str, object] | None = None,
                     base: "Limits | None" = None) -> "Limits":
        """Limits from a dict of overrides (names as the fields; values as numbers
        or strings such as ``"80M"``). ``None`` values are ignored. An unknown name
        or a bad value raises ``ValueError`` with a French message."""
        base = base or cls()
        if not overrides:
            return base
        types = {f.name: f.type for f in fields(cls)}
        values = {}
        for name, raw in overrides.items():
            if raw is None:
                continue
            if name not in types:
                raise ValueError(f"Limite inconnue\u00a0: «\u00a0{name}\u00a0». Limites connues\u00a0: "
                                 + ", ".join(sorted(types)) + ".")
            values[name] = _parse_value(name, raw, float if "float" in str(types[name]) else int)
        return replace(base, **values)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None,
                 base: "Limits | None" = None) -> "Limits":
        """Limits from ``DOSSIER_CHECK_<FIELD NAME IN CAPITALS>`` environment
        variables, e.g. ``DOSSIER_CHECK_TIMEOUT_SECONDS=30``. Empty values are ignored."""
        environ = os.environ if environ is None else environ
        overrides = {}
        for f in fields(cls):
            raw = environ.get(ENV_PREFIX + f.name.upper())
            if raw is not None and str(raw).strip():
                overrides[f.name] = raw
        return cls.from_mapping(overrides, base=base)

    def describe(self) -> list[tuple[str, str, str]]:
        """``(name, French label, French value)`` for every limit, for docs and reports."""
        return [(f.name, LIMIT_LABELS[f.name], format_limit(f.name, getattr(self, f.name)))
                for f in fields(self)]


DEFAULT_LIMITS = Limits()

LIMIT_LABELS = {
    "max_file_bytes": "taille maximale du fichier",
    "max_zip_entries": "nombre maximal d'éléments dans l'archive",
    "max_xml_part_bytes": "taille décompressée maximale d'une partie XML",
    "max_xml_total_bytes": "taille décompressée maximale des parties XML",
    "max_compression_ratio": "taux de compression maximal",
    "max_xml_depth": "profondeur XML maximale",
    "max_pdf_pages": "nombre maximal de pages PDF",
    "max_pdf_objects": "nombre maximal d'objets PDF",
    "timeout_seconds": "durée maximale de lecture",
    "max_memory_bytes": "mémoire maximale",
}


ENV_PREFIX = "DOSSIER_CHECK_"

# Limits whose value is a size in bytes (formatted as Mo/Go, parsed with K/M/G).
BYTE_LIMITS = frozenset({"max_file_bytes", "max_xml_part_bytes", "max_xml_total_bytes",
                         "max_memory_bytes"})

_SUFFIXES = {"": 1, "b": 1, "o": 1, "k": 1024, "ko": 1024, "kb": 1024, "kib": 1024,
             "m": MB, "mo": MB, "mb": MB, "mib": MB,
             "g": 1024**3, "go": 1024**3, "gb": 1024**3, "gib": 1024**3}


def _parse_value(name: str, raw: object, kind: type) -> int | float:
    if isinstance(raw, bool):
        raise ValueError(f"Valeur invalide pour la limite «\u00a0{name}\u00a0»\u00a0: {raw!r}.")
    if isinstance(raw, (int, float)):
        value = raw
    else:
        text = str(raw).strip().replace("\u00a0", "").replace(" ", "").replace("_", "")
        m = re.fullmatch(r"(\d+(?:[.,]\d+)?)([a-zA-Z]*)", text)
        if not m or m.group(2).lower() not in _SUFFIXES or (m.group(2) and name not in BYTE_LIMITS):
            raise ValueError(f"Valeur invalide pour la limite «\u00a0{name}\u00a0»\u00a0: «\u00a0{raw}\u00a0».")
        value = float(m.group(1).replace(",", ".")) * _SUFFIXES[m.group(2).lower()]
    if value <= 0:
        raise ValueError(f"La limite «\u00a0{name}\u00a0» doit être positive (reçu\u00a0: {raw}).")
    return float(value) if kind is float else int(value)


def format_limit(name: str, value: float) -> str:
    """A limit's value in French: '100\u00a0Mo', '60\u00a0s', '2\u00a0000'."""
    if name in BYTE_LIMITS:
        return format_bytes(value)
    if name == "timeout_seconds":
        return f"{format_number(value)}\u00a0s"
    return format_number(value)


def format_number(v: float) -> str:
    """French number: thousands separated by a no-break space, decimal comma."""
    if float(v).is_integer():
        return f"{int(v):,}".replace(",", "\u00a0")
    return f"{v:,.1f}".replace(",", "\u00a0").replace(".", ",")


def format_bytes(n: float) -> str:
    """French human size: '60 Mo', '1,5 Go'."""
    for unit, size in (("Go", 1024**3), ("Mo", MB), ("Ko", 1024)):
        if n >= size:
            v = n / size
            s = f"{v:.1f}".rstrip("0").rstrip(".").replace(".", ",")
            return f"{s}\u00a0{unit}"
    return f"{int(n)}\u00a0octets"


def file_size_error(limits: Limits, size: int):
    """The French refusal of a file over ``max_file_bytes`` (code too-large)."""
    from .problems import TOO_LARGE, ReadError

    return ReadError(
        TOO_LARGE,
        f"Le fichier dépasse la limite «\u00a0{LIMIT_LABELS['max_file_bytes']}\u00a0» "
        f"({format_bytes(limits.max_file_bytes)})\u00a0: il fait {format_bytes(size)}. "
        "Réduisez la taille des images (compression des images dans votre traitement de texte) "
        "ou enregistrez une copie allégée du document.",
        limit="max_file_bytes", value=limits.max_file_bytes, size=size)
