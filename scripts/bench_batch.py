#!/usr/bin/env python3
"""Benchmark of ``dossier-check batch`` (issue 4): a class of 20 candidates × 3
documents built from samples/, timed cold and with a warm cache, with and without
LibreOffice, with ``--jobs 1`` and ``--jobs 2``.

    .venv/bin/python scripts/bench_batch.py            # all eight runs, a Markdown table
    .venv/bin/python scripts/bench_batch.py --no-lo    # without LibreOffice only
    .venv/bin/python scripts/bench_batch.py --keep DIR # keep the class and reports in DIR

Each candidate gets the three NTC documents (veille, plan d'actions,
fidélisation) in rotating formats (DOCX, ODT, PDF); a few candidates get the
non-compliant samples instead. Every copy is made byte-distinct (a ZIP comment or
a PDF comment) so that no two files share a cache entry. The texts are the
samples' own, so every pair of candidates is flagged as very similar: the worst
case for the similarity step and for the report's size.

Each run is a fresh process (``python -m dossier_check.cli batch``), timed from
start to exit, so imports and model loading count. "cold": empty cache
directory; "warm": the same command again.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
COMPETENCES = ["veille", "plan-actions", "fidelisation"]
FORMATS = ["docx", "odt", "pdf"]
SURNAMES = ["BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND", "LEROY", "MOREAU", "SIMON",
            "LAURENT", "LEFEBVRE", "MICHEL", "GARCIA", "DAVID", "BERTRAND", "ROUX", "VINCENT", "FOURNIER", "MOREL"]
FIRST = ["Camille", "Léa", "Hugo", "Manon", "Lucas", "Chloé", "Nathan", "Inès", "Enzo", "Jade",
         "Louis", "Emma", "Jules", "Sarah", "Théo", "Zoé", "Adam", "Lina", "Arthur", "Rose"]
# candidate index -> (competence -> non-compliant sample stem)
DEFECTS = {4: {"plan-actions": "non-conformes/ntc-plan-actions-trop-court"},
           9: {"fidelisation": "non-conformes/ntc-fidelisation-trop-de-pages"},
           14: {"plan-actions": "non-conformes/ntc-plan-actions-sans-sommaire"}}


def sample_path(stem: str, fmt: str) -> Path:
    return SAMPLES / f"{stem}.{fmt}"


def distinct_copy(src: Path, dst: Path, tag: str) -> None:
    data = src.read_bytes()
    dst.parent.mkdir(parents=True, exist_ok=True)
    if src.suffix == ".pdf":
        dst.write_bytes(data + f"\n% bench {tag}\n".encode())
        return
    shutil.copyfile(src, dst)
    with zipfile.ZipFile(dst, "a") as zf:
        zf.comment = f"bench {tag}".encode()


def build_class(dest: Path, n: int = 20) -> int:
    count = 0
    for i in range(n):
        name = f"{SURNAMES[i % len(SURNAMES)]} {FIRST[i % len(FIRST)]}"
        for k, comp in enumerate(COMPETENCES):
            fmt = FORMATS[(i + k) % 3]
            stem = DEFECTS.get(i, {}).get(comp, f"ntc/conforme/ntc-{comp}")
            src = sample_path(stem, fmt)
            if not src.is_file():
                sys.exit(f"missing sample {src}: run the sample generator first (scripts/make_samples.py)")
            distinct_copy(src, dest / name / f"{comp}.{fmt}", f"{i}-{comp}")
            count += 1
    return count


def run_batch(cls: Path, out: Path, cache: Path, jobs: int, lo: bool, rules: Path) -> tuple[float, int, str]:
    env = dict(os.environ, DOSSIER_CHECK_CACHE_DIR=str(cache))
    cmd = [sys.executable, "-m", "dossier_check.cli", "batch", str(cls), "--title", "ntc", "--session", "titre",
           "-o", str(out), "--jobs", str(jobs), "--rules", str(rules)]
    if not lo:
        cmd.append("--no-layout")
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    elapsed = time.perf_counter() - t
    if proc.returncode not in (0, 1):
        sys.stderr.write(proc.stdout + proc.stderr)
        sys.exit(f"batch failed with exit code {proc.returncode}")
    last = [ln for ln in proc.stdout.splitlines() if ln.startswith("Durée")]
    if not last:  # exit code 1 with a traceback: not a measure
        sys.stderr.write(proc.stderr[-3000:])
        sys.exit("batch did not finish normally")
    return elapsed, proc.returncode, last[-1]


def profile() -> None:
    """Cost of each step for one document, in this process (what bounds the totals)."""
    sys.path.insert(0, str(ROOT))
    t = time.perf_counter()
    from dossier_check.limits import DEFAULT_LIMITS
    from dossier_check.pipeline import CheckOptions, _pdf_pages, finish_file
    from dossier_check.readers import read_document
    from dossier_check.rulepack import all_packs
    imports = time.perf_counter() - t
    t = time.perf_counter()
    pack = all_packs()["ntc"]
    packs_s = time.perf_counter() - t
    t = time.perf_counter()
    from dossier_check.analyse import get_analyser
    analyser = get_analyser(pack)
    if hasattr(analyser, "warm_up"):
        analyser.warm_up()
    load = time.perf_counter() - t
    print(f"imports {imports:.2f} s, rule packs {packs_s:.2f} s, analyser load {load:.2f} s")
    print("| file | read (s) | LibreOffice page text (s) | measure (s) | analysis (s) |")
    print("|---|---|---|---|---|")
    for f in sorted((SAMPLES / "ntc" / "conforme").iterdir()):
        data = f.read_bytes()
        t = time.perf_counter()
        doc = read_document(data, f.name, DEFAULT_LIMITS)
        read_s = time.perf_counter() - t
        pdf_s = ""
        if f.suffix == ".pdf":
            t = time.perf_counter()
            _pdf_pages(data)
            pdf_s = f"{time.perf_counter() - t:.2f}"
        t = time.perf_counter()
        finish_file(f.name, doc, None, pack, CheckOptions(soffice="none", analysis=False))
        measure_s = time.perf_counter() - t
        t = time.perf_counter()
        finish_file(f.name, doc, None, pack, CheckOptions(soffice="none"), analyser)
        an_s = time.perf_counter() - t - measure_s
        print(f"| {f.name} | {read_s:.2f} | {pdf_s} | {measure_s:.3f} | {an_s:.2f} |")
    print("(LibreOffice page text: pypdf text extraction of a PDF, the cost paid per DOCX/ODT "
          "after LibreOffice renders it; shown on the PDF samples)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--no-lo", action="store_true", help="skip the LibreOffice runs")
    ap.add_argument("--jobs", type=int, nargs="*", default=[1, 2])
    ap.add_argument("--keep", type=Path, help="build the class and write reports here (kept)")
    ap.add_argument("--profile", action="store_true", help="only time each step on the NTC samples")
    args = ap.parse_args()
    if args.profile:
        profile()
        return
    work = args.keep or Path(tempfile.mkdtemp(prefix="dossier-check-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    cls = work / "classe"
    if cls.exists():
        shutil.rmtree(cls)
    n = build_class(cls)
    # A snapshot of the rule pack: the cache key holds its hash, so an edit of
    # rules/ntc.yaml during the benchmark would turn the warm runs cold.
    rules = work / "ntc.yaml"
    shutil.copyfile(ROOT / "rules" / "ntc.yaml", rules)
    print(f"Class: 20 candidates, {n} documents in {cls}", file=sys.stderr)
    rows = []
    for lo in ([False] if args.no_lo else [False, True]):
        for jobs in args.jobs:
            cache = work / f"cache-{'lo' if lo else 'nolo'}-{jobs}"
            shutil.rmtree(cache, ignore_errors=True)
            out = work / f"rapports-{'lo' if lo else 'nolo'}-{jobs}"
            cold, rc, detail = run_batch(cls, out, cache, jobs, lo, rules)
            print(f"  LibreOffice={lo} jobs={jobs} cold: {cold:.1f} s  ({detail})", file=sys.stderr)
            warm, rc2, detail2 = run_batch(cls, out, cache, jobs, lo, rules)
            print(f"  LibreOffice={lo} jobs={jobs} warm: {warm:.1f} s  ({detail2})", file=sys.stderr)
            rows.append((lo, jobs, cold, warm))
    print(f"\n| LibreOffice | --jobs | cold (s) | per document (s) | warm cache (s) |")
    print("|---|---|---|---|---|")
    for lo, jobs, cold, warm in rows:
        print(f"| {'yes' if lo else 'no'} | {jobs} | {cold:.1f} | {cold / n:.2f} | {warm:.1f} |")
    print(f"\n{os.cpu_count()} CPU(s), load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}; "
          f"Python {sys.version.split()[0]}; "
          + (subprocess.run(["soffice", "--version"], capture_output=True, text=True).stdout.strip()
             if shutil.which("soffice") else "no LibreOffice"))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
