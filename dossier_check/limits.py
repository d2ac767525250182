"""Resource limits, in one place. Every reader and the sandbox take them from here.

Each limit has a French name used in messages (``LIMIT_LABELS``), so that a file
refused for size says which limit it hit.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace

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


def format_bytes(n: float) -> str:
    """French human size: '60 Mo', '1,5 Go'."""
    for unit, size in (("Go", 1024**3), ("Mo", MB), ("Ko", 1024)):
        if n >= size:
            v = n / size
            s = f"{v:.1f}".rstrip("0").rstrip(".").replace(".", ",")
            return f"{s}\u00a0{unit}"
    return f"{int(n)}\u00a0octets"
