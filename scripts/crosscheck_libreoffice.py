#!/usr/bin/env python3
"""Cross-check dossier-check's character counts against LibreOffice's own statistic.

For each DOCX/ODT given (default: every DOCX and ODT under samples/), LibreOffice
converts the file to ODT (which recomputes meta:character-count) and we compare
its figure with ours. LibreOffice counts the whole file — cover and sommaire
included — plus headers and footers, one character per automatic bullet or
number label and one per footnote mark. So we explain the difference as:

    LibreOffice = our whole-file total + headers/footers + list labels + note marks + line breaks + residual

and print the residual, which should be close to 0 (measured-facts.md: 0 to 0.4 %).

Usage: .venv/bin/python scripts/crosscheck_libreoffice.py [FILES...] [--markdown]
"""
from __future__ import annotations

import argparse
import io
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dossier_check.layout import find_soffice  # noqa: E402
from dossier_check.locate import locate  # noqa: E402
from dossier_check.measure import characters  # noqa: E402
from dossier_check.model import BlockKind, counted_len  # noqa: E402
from dossier_check.readers import read_document  # noqa: E402


def lo_character_count(odt: bytes) -> int | None:
    with zipfile.ZipFile(io.BytesIO(odt)) as z:
        meta = z.read("meta.xml").decode("utf-8")
    m = re.search(r'meta:character-count="(\d+)"', meta)
    return int(m.group(1)) if m else None


def convert_all(files: list[Path], soffice: str) -> dict[Path, bytes]:
    out: dict[Path, bytes] = {}
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        src = t / "in"
        src.mkdir()
        names = {}
        for i, f in enumerate(files):
            p = src / f"{i:04d}{f.suffix}"
            p.write_bytes(f.read_bytes())
            names[p.stem] = f
        subprocess.run([soffice, f"-env:UserInstallation={(t / 'profile').as_uri()}", "--headless",
                        "--convert-to", "odt", "--outdir", str(t / "out"), *map(str, sorted(src.iterdir()))],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
        for p in (t / "out").iterdir():
            out[names[p.stem]] = p.read_bytes()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = ap.parse_args()
    files = args.files or sorted(p for p in (ROOT / "samples").rglob("*") if p.suffix in (".docx", ".odt"))
    soffice = find_soffice()
    if not soffice:
        print("LibreOffice (soffice) not found", file=sys.stderr)
        return 2
    converted = convert_all(files, soffice)
    rows = []
    for f in files:
        doc = read_document(f.read_bytes(), f.name)
        loc = locate(doc)
        ch = characters(doc, loc)
        # LibreOffice counts the label's text (1 for a bullet, 2 for « 1. ») and each manual line break.
        labels = sum(len(b.list_label) for b in doc.blocks if b.list_label)
        breaks = sum(b.text.count("\n") for b in doc.blocks)
        notes = len({(b.kind, b.extra.get("note_id", id(b))) for b in doc.blocks
                     if b.kind in (BlockKind.FOOTNOTE, BlockKind.ENDNOTE)})
        hf = sum(counted_len(t) for t in doc.headers_footers)
        lo = lo_character_count(converted[f]) if f in converted else None
        explained = ch["total"] + hf + labels + notes + breaks
        rows.append((f.relative_to(ROOT) if f.is_relative_to(ROOT) else f, ch["counted"], ch["total"], hf, labels,
                     notes, breaks, lo, None if lo is None else lo - explained))
    head = ("file", "counted", "whole file", "headers/footers", "list labels", "note marks", "line breaks",
            "LibreOffice", "residual")
    if args.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for r in rows:
            print("| " + " | ".join(str(x) for x in r) + " |")
    else:
        print("\t".join(head))
        for r in rows:
            print("\t".join(str(x) for x in r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
