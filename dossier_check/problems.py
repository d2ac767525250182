"""Problem codes and the exception readers raise on files they cannot read."""
from __future__ import annotations

from dataclasses import dataclass, field

ERROR = "error"
WARNING = "warning"

# Stable codes (report-v1.md). Keep the strings; add freely.
PAGES_TOO_FEW = "pages-too-few"
PAGES_TOO_MANY = "pages-too-many"
CHARS_TOO_FEW = "chars-too-few"
CHARS_TOO_MANY = "chars-too-many"
ELEMENT_MISSING = "element-missing"
UNSUPPORTED_FORMAT = "unsupported-format"
LEGACY_DOC = "legacy-doc"
CORRUPT_FILE = "corrupt-file"
ENCRYPTED = "encrypted"
NO_TEXT = "no-text"
TOO_LARGE = "too-large"
TIMEOUT = "timeout"
COMPETENCE_MISMATCH = "competence-mismatch"
DOCUMENT_MISSING = "document-missing"
DOCUMENT_DUPLICATE = "document-duplicate"
UNEXPECTED_DOCUMENT = "unexpected-document"
EXPERIENCE_ENTREPRISE = "experience-entreprise"
# Additional, warning-level codes of this tool.
PAGES_BORDERLINE = "pages-borderline"
TRACKED_CHANGES = "tracked-changes"
COMMENTS = "comments"
LAYOUT_FALLBACK = "layout-fallback"
MERGED_DOCUMENTS = "merged-documents"

# Codes that mean "this file could not be read at all".
UNREADABLE_CODES = frozenset(
    {UNSUPPORTED_FORMAT, LEGACY_DOC, CORRUPT_FILE, ENCRYPTED, NO_TEXT, TOO_LARGE, TIMEOUT}
)


@dataclass
class Problem:
    code: str
    severity: str
    message: str  # French, for the candidate
    detail: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"code": self.code, "severity": self.severity, "message": self.message,
                "detail": self.detail}


class ReadError(Exception):
    """A file that cannot be read. ``code`` is one of UNREADABLE_CODES and
    ``message`` a French sentence for the candidate, saying what to do."""

    def __init__(self, code: str, message: str, **detail):
        super().__init__(message)
        self.code = code
        self.message = message
        self.detail = detail

    def __reduce__(self):  # picklable: reads done in another process come back as they are
        return (self.__class__, (self.code, self.message), {"detail": self.detail})
