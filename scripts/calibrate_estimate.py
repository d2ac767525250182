#!/usr/bin/env python3
"""Compare the `estimate` page source with LibreOffice's layout on the samples.

For each DOCX sample, the page count estimated from the text alone (what the
tool says when neither LibreOffice nor trustworthy stored statistics are
available) is printed beside the pages LibreOffice rendered (samples/expected.json),
for several characters-per-page constants. measure.CHARS_PER_PAGE_ESTIMATE is
the constant in use.

Usage: .venv/bin/python scripts/calibrate_estimate.py
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dossier_check import measure  # noqa: E402
from dossier_check.readers import read_document  # noqa: E402


def main() -> int:
    expected = json.loads((ROOT / "samples" / "expected.json").read_text(encoding="utf-8"))["files"]
    rows = []
    for rel, exp in sorted(expected.items()):
        if not rel.endswith(".docx"):
            continue
        doc = read_document((ROOT / "samples" / rel).read_bytes(), rel)
        # Only hard page breaks, as in a file without last-layout page ends.
        rows.append((rel, exp["pages"]["total"], doc, measure.pages_from_breaks(doc, rendered=False)))
    constants = (2200, 2400, 2600, 2800, 3000)
    print("sample\tlayout\t" + "\t".join(f"est@{c}" for c in constants))
    errors = {c: 0 for c in constants}
    for rel, real, doc, pages in rows:
        ests = []
        for c in constants:
            measure.CHARS_PER_PAGE_ESTIMATE = c
            e = measure.estimate_pages(doc, pages)
            errors[c] += abs(e - real)
            ests.append(e)
        print(f"{rel}\t{real}\t" + "\t".join(map(str, ests)))
    print("total absolute error\t\t" + "\t".join(str(errors[c]) for c in constants))
    return 0


if __name__ == "__main__":
    sys.exit(main())
