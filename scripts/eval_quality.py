#!/usr/bin/env python3
"""Quality of the content analysis on the labelled set.

    .venv/bin/python scripts/eval_quality.py [EVAL_DIR] [-v]

Prints precision / recall / F1 for detecting missing elements (missing = positive class),
the share of elements judged « weak », competence-assignment accuracy and company-experience
accuracy. Exit code 1 when below the targets (F1 ≥ 0.90, competence accuracy 100 %, no present
element reported missing)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dossier_check.analyse.quality import evaluate, report  # noqa: E402


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    eval_dir = Path(args[0]) if args else Path(__file__).resolve().parent.parent / "eval"
    q = evaluate(eval_dir)
    print(report(q, verbose="-v" in sys.argv or "--verbose" in sys.argv))
    ok = q.f1 >= 0.90 and q.competence_accuracy == 1.0 and not q.false_missing
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
