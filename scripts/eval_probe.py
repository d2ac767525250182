#!/usr/bin/env python3
"""False « manquant » on excerpts where an element is clearly present (eval/probe/).

    .venv/bin/python scripts/eval_probe.py [--set dev|heldout] [-v]

``dev`` (the default) is read to improve the detector, ``-v`` lists the excerpts reported missing;
``heldout`` is only measured (do not use ``-v`` on it, so that it stays a measure). Exit code 1 when
an excerpt of the set is reported missing."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dossier_check.analyse.quality import evaluate_probe, probe_files, probe_report  # noqa: E402

PROBE = ROOT / "eval" / "probe"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="False « manquant » on clearly present excerpts.")
    ap.add_argument("--set", choices=["dev", "heldout"], default="dev", dest="which")
    ap.add_argument("-v", "--verbose", action="store_true", help="list the excerpts reported missing")
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
