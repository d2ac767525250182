"""The document model every reader returns and every later step consumes.

A reader turns bytes into a :class:`Document`: an ordered list of :class:`Block`
objects (what a word processor would count), the headers and footers kept apart,
and what the file itself says about its statistics. Nothing here knows about
rules, competences or reports.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class BlockKind(str, Enum):
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"
    TABLE_CELL = "table_cell"
    TEXT_BOX = "text_box"  # text boxes and text typed inside shapes
    FOOTNOTE = "footnote"
    ENDNOTE = "endnote"


class Container(str, Enum):
    """Where a block's characters go in the breakdown."""

    BODY = "body"
    TABLE = "tables"
    TEXT_BOX = "text_boxes"
    NOTE = "notes"


CONTAINER_OF_KIND = {
    BlockKind.HEADING: Container.BODY,
    BlockKind.PARAGRAPH: Container.BODY,
    BlockKind.LIST_ITEM: Container.BODY,
    BlockKind.TABLE_CELL: Container.TABLE,
    BlockKind.TEXT_BOX: Container.TEXT_BOX,
    BlockKind.FOOTNOTE: Container.NOTE,
    BlockKind.ENDNOTE: Container.NOTE,
}


@dataclass
class Block:
    """One paragraph-like unit of text, in reading order.

    ``text`` is the text a word processor counts: runs, tabs (``\\t``), no-break
    spaces, field results, hyperlink text, inserted (tracked) text; never the
    paragraph mark, never the automatic list label, never deleted or hidden text.
    A manual line break inside the paragraph is kept as ``\\n`` (so words do not
    run together for the analysis) and is *not* counted: see :func:`counted_len`.
    A table cell with several paragraphs gives one block per paragraph.
    """

    kind: BlockKind
    text: str
    level: int | None = None  # heading level (1 = top), None otherwise
    style: str | None = None  # the paragraph style name (as the user sees it)
    page: int | None = None  # 1-based page where the block starts, when known
    # A hard page break (page break, section break to a new page,
    # "page break before") comes just before this block.
    page_break_before: bool = False
    # Reader-side sommaire evidence: inside a Word TOC field or a
    # docPartGallery="Table of Contents" sdt, an ODT text:table-of-content,
    # or a TOC/Contents paragraph style. The value names the signal in French
    # for the report, e.g. "champ TOC Word", "style TOC 1". None when absent.
    toc_signal: str | None = None
    list_label: str | None = None  # the automatic bullet/number, not counted
    # Free-form, reader-specific details (e.g. "in_sdt": True, "table": 0).
    extra: dict = field(default_factory=dict)

    @property
    def container(self) -> Container:
        return CONTAINER_OF_KIND[self.kind]


def counted_len(text: str) -> int:
    """Characters, spaces included, as Word counts them: line breaks and
    paragraph marks are not characters."""
    return len(text) - text.count("\n") - text.count("\r")


@dataclass
class PageText:
    """Text of one page as laid out (a PDF page, or a rendered layout page)."""

    number: int  # 1-based
    text: str


@dataclass
class StoredStats:
    """Statistics the word processor saved in the file at its last save."""

    characters_with_spaces: int | None = None
    pages: int | None = None
    application: str | None = None  # e.g. "Microsoft Office Word", "LibreOffice/7.4..."


@dataclass
class Document:
    """What a reader returns. In-memory, format-independent."""

    format: str  # "docx" | "odt" | "pdf"
    blocks: list[Block] = field(default_factory=list)
    headers_footers: list[str] = field(default_factory=list)  # kept apart, never counted
    stored: StoredStats = field(default_factory=StoredStats)
    # Page count the file itself gives: a PDF's pages. None for DOCX/ODT.
    page_count: int | None = None
    # For PDFs: the text of every page (used by locate to find cover/sommaire pages).
    pages_text: list[PageText] = field(default_factory=list)
    # True when the reader saw last-layout page ends (w:lastRenderedPageBreak,
    # text:soft-page-break) and filled Block.page from them.
    has_rendered_page_breaks: bool = False
    # Things the candidate should fix before submitting but that do not stop the check.
    tracked_changes: int = 0  # number of w:ins / w:del (or ODT text:changed-region)
    comments: int = 0
    images: int = 0
    # Characters removed by the reader for the breakdown (e.g. PDF running headers).
    removed_header_footer_chars: int = 0
    notes: list[str] = field(default_factory=list)  # French notes for the report

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)
