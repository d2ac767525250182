#!/usr/bin/env python3
"""Where the content analysis spends its time.

    .venv/bin/python scripts/bench_analysis.py [--runs N]

1. loading, each in a fresh process: ``import spacy``, ``spacy.load`` with and without the
   precompiled-regex cache of models/, building the analyser with and without the phrase cache;
2. analysing one 12 000-character document once loaded (median of N runs), and nlp.pipe batches;
3. the cold ``dossier-check check`` of one PDF (no LibreOffice), with and without the analysis
   (median, best and worst of max(5, N) runs: what a candidate rerunning the command sees).

Wall-clock and CPU seconds are printed: on a busy machine, CPU time is the steadier figure.
"""
from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

LOAD_SNIPPET = r"""
import json, os, sys, time
t0 = time.perf_counter(); c0 = time.process_time()
sys.path.insert(0, %(root)r)
from dossier_check.analyse import nlp as N
N.get_nlp()
t1 = time.perf_counter(); c1 = time.process_time()
out = dict(N.LOAD_SECONDS, total_wall=t1 - t0, total_cpu=c1 - c0)
if os.environ.get("BENCH_ANALYSER"):
    from dossier_check.rulepack import builtin_packs
    from dossier_check.analyse import patterns as P
    if os.environ.get("BENCH_NO_PHRASE_CACHE"):
        P.load_phrase_cache = lambda pack: None
    from dossier_check.analyse.analyser import Analyser
    t2 = time.perf_counter(); c2 = time.process_time()
    Analyser(builtin_packs()["ntc"])
    out.update(analyser_wall=time.perf_counter() - t2, analyser_cpu=time.process_time() - c2)
print(json.dumps(out))
"""


def fresh(env_extra: dict) -> dict:
    env = dict(os.environ, **env_extra)
    r = subprocess.run([PY, "-c", LOAD_SNIPPET % {"root": str(ROOT)}], capture_output=True, text=True, env=env,
                       check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def best_of(n, fn):
    results = [fn() for _ in range(n)]
    return min(results, key=lambda d: d.get("total_cpu", d.get("cpu", 0)))


def twelve_k_document():
    sys.path.insert(0, str(ROOT))
    from dossier_check.analyse.textdoc import blocks_from_text
    from dossier_check.model import counted_len

    src = ROOT / "samples" / "sources"
    text = ""
    for name in ("ntc-veille", "ntc-plan-actions", "ntc-fidelisation"):
        t = (src / f"{name}.md").read_text(encoding="utf-8")
        text += t[t.find("\n---", 4) + 4:] + "\n"
    blocks, n = [], 0
    for b in blocks_from_text(text):
        if n + counted_len(b.text) > 12000:
            break
        blocks.append(b)
        n += counted_len(b.text)
    return blocks, n


# As on a normal install, Python keeps the compiled bytecode of dossier_check between runs (this
# machine's environment sets PYTHONDONTWRITEBYTECODE, which would recompile it every time).
CLI_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_cli(args: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run([str(ROOT / ".venv" / "bin" / "dossier-check"), *args], capture_output=True, check=False,
                   env=CLI_ENV)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 3
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs, {runs} runs each, best kept\n")

    print("1. Loading (fresh process each time)")
    cached = best_of(runs, lambda: fresh({"BENCH_ANALYSER": "1"}))
    nocache = best_of(runs, lambda: fresh({"DOSSIER_CHECK_NO_SRE_CACHE": "1"}))
    nophr = best_of(runs, lambda: fresh({"BENCH_ANALYSER": "1", "BENCH_NO_PHRASE_CACHE": "1"}))
    print(f"   import spacy:                       {cached['import_spacy']:.2f} s wall")
    print(f"   spacy.load, regex cache (models/):  {cached['load_model']:.2f} s wall   "
          f"(import + load: {cached['total_cpu']:.2f} s CPU)")
    print(f"   spacy.load, no regex cache:         {nocache['load_model']:.2f} s wall   "
          f"(import + load: {nocache['total_cpu']:.2f} s CPU)")
    print(f"   analyser for ntc, phrase cache:     {cached['analyser_wall']:.2f} s wall   "
          f"{cached['analyser_cpu']:.2f} s CPU")
    print(f"   analyser for ntc, no phrase cache:  {nophr['analyser_wall']:.2f} s wall   "
          f"{nophr['analyser_cpu']:.2f} s CPU")

    print("\n2. Analysing, model loaded")
    sys.path.insert(0, str(ROOT))
    from dossier_check.analyse import get_analyser
    from dossier_check.rulepack import builtin_packs

    an = get_analyser(builtin_packs()["ntc"])
    blocks, n = twelve_k_document()
    an.analyse(blocks, n)
    walls, cpus = [], []
    for _ in range(max(5, runs)):
        t, c = time.perf_counter(), time.process_time()
        an.analyse(blocks, n)
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    print(f"   one {n}-character document:      {statistics.median(walls):.3f} s wall, "
          f"{statistics.median(cpus):.3f} s CPU (median of {len(walls)})")
    t, c = time.perf_counter(), time.process_time()
    an.analyse_many([(blocks, n)] * 10)
    print(f"   10 such documents, analyse_many:    {time.perf_counter() - t:.3f} s wall, "
          f"{time.process_time() - c:.3f} s CPU")

    print("\n3. Cold `dossier-check check` of one PDF, no LibreOffice (fresh process)")
    pdfs = sorted((ROOT / "samples").glob("**/conforme/*.pdf"))
    if pdfs:
        pdf = pdfs[0]
        print(f"   ({pdf.relative_to(ROOT)})")
        for label, extra in (("with analysis", []), ("--no-analysis", ["--no-analysis"])):
            title = "cc" if pdf.name.startswith("cc") else "ntc"
            run_cli(["check", "--title", title, "--no-layout", *extra, str(pdf)])  # writes the bytecode cache
            res = [run_cli(["check", "--title", title, "--no-layout", *extra, str(pdf)])
                   for _ in range(max(5, runs))]
            walls = sorted(w for w, _ in res)
            print(f"   {label:15} {statistics.median(walls):.2f} s wall median of {len(walls)} "
                  f"(best {walls[0]:.2f} s, worst {walls[-1]:.2f} s), "
                  f"{statistics.median(c for _, c in res):.2f} s CPU median")
    else:
        print("   (no sample PDF: run `make samples`)")


if __name__ == "__main__":
    main()
