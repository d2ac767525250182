#!/usr/bin/env python3
"""The detector on short excerpts (eval/probe/): false « manquant » where an element is clearly
present, and what it says of decoys (a section about an element that does not give it).

    .venv/bin/python scripts/eval_probe.py [--set dev|heldout|decoy-dev|decoy-heldout] [-v]

``dev`` (the default) and ``decoy-dev`` are read to improve the detector, ``-v`` lists the errors;
``heldout`` and ``decoy-heldout`` are only measured (do not use ``-v`` on them, so that they stay a
measure). Exit code 1 when a clearly present excerpt of the set is reported missing."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dossier_check.analyse.quality import evaluate_probe, probe_files, probe_report  # noqa: E402

PROBE = ROOT / "eval" / "probe"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="The detector on short excerpts: clearly present ones, decoys.")
    ap.add_argument("--set", choices=["dev", "heldout", "decoy-dev", "decoy-heldout"], default="dev",
                    dest="which")
    ap.add_argument("-v", "--verbose", action="store_true", help="list the errors")
    args = ap.parse_args(argv)
    files = probe_files(PROBE, args.which)
    if not files:
        print(f"no probe set: no {PROBE}/{args.which}-*.yaml", file=sys.stderr)
        return 2
    p = evaluate_probe(files)
    print(f"set: {args.which} ({', '.join(f.name for f in files)})")
    print(probe_report(p, verbose=args.verbose))
    return 1 if p.missed else 0


if __name__ == "__main__":
    sys.exit(main())
