#!/usr/bin/env python3
"""Quality of the content analysis on a labelled set.

    .venv/bin/python scripts/eval_quality.py [EVAL_DIR] [--set main|heldout|dev2|heldout2…heldout6] [-v]

``--set main`` (the default) reads eval/labels.yaml, ``--set heldout`` eval/heldout/labels.yaml,
``--set dev2`` and ``heldout2`` to ``heldout6`` their directory's labels-*.yaml (same format,
eval/README.md: each document's ``file`` is relative to eval/); EVAL_DIR names any other such
directory. heldout6 is the never-read set: print its summary, not ``-v``.

Prints precision / recall / F1 for detecting missing elements (missing = positive class),
the share of elements judged « weak », competence-assignment accuracy and company-experience
accuracy. Exit code 1 when below the targets (F1 ≥ 0.90, competence accuracy 100 %, no present
element reported missing), 2 when the set is not there."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dossier_check.analyse.quality import evaluate, label_files, report  # noqa: E402

SETS = {"main": ROOT / "eval", "heldout": ROOT / "eval" / "heldout", "dev2": ROOT / "eval" / "dev2",
        "heldout2": ROOT / "eval" / "heldout2", "heldout3": ROOT / "eval" / "heldout3",
        "heldout4": ROOT / "eval" / "heldout4", "heldout5": ROOT / "eval" / "heldout5",
        "heldout6": ROOT / "eval" / "heldout6"}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Quality of the content analysis on a labelled set.")
    ap.add_argument("eval_dir", nargs="?", type=Path, help="directory holding labels.yaml")
    ap.add_argument("--set", choices=sorted(SETS), default="main", dest="which",
                    help="main: eval/ (default); heldout, dev2, heldout2 … heldout6: eval/<name>/")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every error")
    args = ap.parse_args(argv)
    eval_dir = args.eval_dir or SETS[args.which]
    if not label_files(eval_dir):
        print(f"no labelled set: no {eval_dir / 'labels.yaml'} (nor labels-*.yaml)", file=sys.stderr)
        return 2
    q = evaluate(eval_dir)
    print(f"set: {eval_dir}")
    print(report(q, verbose=args.verbose))
    ok = q.f1 >= 0.90 and q.competence_accuracy == 1.0 and not q.false_missing
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
