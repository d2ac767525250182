"""What the content analysis returns. Plain, picklable dataclasses, so a worker
process can compute them and the judge (in another process) can consume them."""
from __future__ import annotations

from dataclasses import dataclass, field

PRESENT = "present"
WEAK = "weak"
MISSING = "missing"


@dataclass
class Evidence:
    text: str  # a short quote (≤ 160 characters) from the document
    page: int | None = None
    in_heading: bool = False


@dataclass
class ElementResult:
    id: str
    label: str
    status: str  # PRESENT | WEAK | MISSING
    evidence: list[Evidence] = field(default_factory=list)
    advice: str | None = None  # French; set for MISSING (and may be for WEAK)
    score: float = 0.0


@dataclass
class Section:
    """One entry of the outline: a heading (or a paragraph's first words when the
    document has no headings) with the characters of the section it opens."""

    title: str
    level: int  # 1 = top; 0 for a pseudo-section (no headings)
    characters: int
    share: float  # characters / counted characters, 0..1
    page: int | None = None
    # element ids found in this section, per competence id
    elements: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class FileAnalysis:
    """Everything the judge needs from the content of one file, computed for
    every competence of the title, so that the dossier-level assignment can pick."""

    scores: dict[str, float]  # competence id -> score (higher = more likely)
    best: str | None  # competence the content points to, or None when not confident
    confident: bool
    elements: dict[str, list[ElementResult]]  # competence id -> results in pack order
    company_experience: bool | None
    company_evidence: list[Evidence] = field(default_factory=list)
    outline: list[Section] = field(default_factory=list)
    # Competences that each look fully covered in this one file (a merged dossier):
    # more than one entry means "one file per competence, please".
    merged: list[str] = field(default_factory=list)
    # French notes about the analysis itself (e.g. only the beginning of a huge text analysed).
    notes: list[str] = field(default_factory=list)
