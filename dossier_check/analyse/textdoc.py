"""Blocks from plain, Markdown-like text (tests, fixtures, the quality script).

``# Titre`` / ``## Sous-titre`` → headings (level = number of #), ``- item`` or ``* item`` →
list items, ``**bold**`` and ``*italics*`` unmarked, a YAML front matter skipped,
``| a | b |`` → table cells, ``[page N]`` on its own line → the following blocks are
on page N, any other non-empty line → a paragraph."""
from __future__ import annotations

import re

from ..model import Block, BlockKind, counted_len


def blocks_from_text(text: str, first_page: int = 1) -> list[Block]:
    blocks: list[Block] = []
    page = first_page
    if text.startswith("---\n"):  # YAML front matter
        end = text.find("\n---", 4)
        if end > 0:
            text = text[end + 4:]
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)  # bold
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)  # italics
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        m = re.fullmatch(r"\[page (\d+)\]", line)
        if m:
            page = int(m.group(1))
            continue
        h = re.match(r"^(#{1,6})\s+(.*)$", line)
        if h:
            blocks.append(Block(BlockKind.HEADING, h.group(2).strip(), level=len(h.group(1)), page=page))
        elif re.match(r"^[-*•]\s+", line):
            blocks.append(Block(BlockKind.LIST_ITEM, re.sub(r"^[-*•]\s+", "", line), page=page))
        elif line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
                continue
            for c in cells:
                if c:
                    blocks.append(Block(BlockKind.TABLE_CELL, c, page=page))
        else:
            blocks.append(Block(BlockKind.PARAGRAPH, line, page=page))
    return blocks


def counted_chars(blocks: list[Block]) -> int:
    return sum(counted_len(b.text) for b in blocks)
