"""Fuzzing (issue 6, point 3): a time-boxed run of scripts/fuzz.py, the regression
corpus of inputs that once failed, and hypothesis-generated text in documents.

The bounded run lasts ``FUZZ_SECONDS`` (default 15 s so the suite stays fast; CI
sets FUZZ_SECONDS=150). It runs in a child process whose address space is capped
(RLIMIT_AS), readers in-process, LibreOffice off.
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dossier_check.limits import Limits
from dossier_check.model import Document, counted_len
from dossier_check.problems import UNREADABLE_CODES, ReadError
from dossier_check.readers import read_document

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parent / "corpus"
FUZZ_SECONDS = float(os.environ.get("FUZZ_SECONDS", "15"))

_spec = importlib.util.spec_from_file_location("fuzz", ROOT / "scripts" / "fuzz.py")
fuzz = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("fuzz", fuzz)
_spec.loader.exec_module(fuzz)

LIMITS = Limits()


def test_bounded_fuzz_run_has_no_uncaught_exception_and_no_limit_breach(tmp_path):
    save = tmp_path / "failures"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "fuzz.py"), "--seconds", str(FUZZ_SECONDS),
         "--json", "--save", str(save), "--memory-mb", "2048", "--timeout", "10"],
        capture_output=True, text=True, timeout=FUZZ_SECONDS + 120, cwd=tmp_path)
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"\nfuzz: {summary['cases']} cases ({summary['generated_cases']} generated) in "
          f"{summary['seconds']} s; outcomes {summary['outcomes']}; failures {summary['failures']}; "
          f"slowest {summary['slowest_seconds']} s; peak RSS {summary['peak_rss_bytes'] >> 20} MiB")
    # Enough cases ran to mean something, over the three formats.
    assert summary["cases"] >= FUZZ_SECONDS
    assert summary["outcomes"].get("document", 0) > 0
    assert summary["outcomes"].get("corrupt-file", 0) > 0
    breaches = {k: v for k, v in summary["failures"].items() if k != "hidden-crash"}
    assert breaches == {}, (summary["signatures"], sorted(os.listdir(save)) if save.exists() else [])
    assert summary["slowest_seconds"] < 10
    assert proc.returncode == 0, proc.stderr[-2000:]
    hidden = {s: i for s, i in summary["signatures"].items() if i["kind"] == "hidden-crash"}
    if hidden:  # reader bugs that read_document's catch-all reported as corrupt-file
        warnings.warn(f"fuzz: reader exceptions turned into corrupt-file: {hidden}")


def _corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.suffix.lower() in (".docx", ".odt", ".pdf"))


@pytest.mark.parametrize("path", _corpus_files(), ids=lambda p: p.name)
def test_input_that_once_failed_now_gets_a_clean_result(path):
    meta_path = path.with_suffix(path.suffix + ".json")
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    res = fuzz.check_case(path.read_bytes(), path.name, LIMITS, timeout=10)
    assert res.failure is None, (res.signature, res.trace)
    if "expected" in meta:
        assert res.outcome == meta["expected"]


def test_regression_corpus_is_not_empty():
    # Every input that ever failed is kept (the first: an inflate error in SafeZip).
    assert any(p.name == "zlib-error-styles.docx" for p in _corpus_files())


# ------------------------------------------------------------------ generated text

# Text a word processor can store in XML 1.0: no C0 controls but tab and newline,
# no surrogates.
def _blank(paragraphs: list[str]) -> bool:
    return not any(counted_len(p.strip()) for p in paragraphs)


xml_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters=[
        chr(c) for c in range(32) if c not in (9, 10)] + ["\ufffe", "\uffff", "\x7f"]),
    max_size=80)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(xml_text, max_size=8))
def test_docx_with_generated_text_reads_back_exactly(paragraphs):
    data = fuzz.docx_from_paragraphs(paragraphs)
    if _blank(paragraphs):
        with pytest.raises(ReadError) as exc:
            read_document(data, "genere.docx", LIMITS)
        assert exc.value.code == "no-text"
        return
    doc = read_document(data, "genere.docx", LIMITS)
    # python-docx writes "\r" as a line break, like "\n"; empty paragraphs give no block.
    assert [b.text for b in doc.blocks] == [p.replace("\r", "\n") for p in paragraphs if p]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(xml_text, max_size=8))
def test_odt_with_generated_text_reads_back_with_odf_spaces(paragraphs):
    # ODF collapses runs of spaces, tabs and newlines typed as plain characters.
    data = fuzz.odt_from_paragraphs(paragraphs)
    doc = read_document(data, "genere.odt", LIMITS)  # the builder adds a list and a table
    got = [" ".join(b.text.split()) for b in doc.blocks][: len(paragraphs)]
    assert got == [" ".join(p.split()) for p in paragraphs]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(xml_text, max_size=30))
def test_pdf_with_generated_text_ends_in_a_document_or_a_known_code(paragraphs):
    data = fuzz.pdf_from_paragraphs(paragraphs or [""])
    try:
        doc = read_document(data, "genere.pdf", LIMITS)
    except ReadError as err:
        assert err.code in UNREADABLE_CODES
    else:
        assert isinstance(doc, Document) and doc.page_count >= 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=2**32 - 1), st.sampled_from(["docx", "odt", "pdf"]))
def test_mutated_seed_property(rng_seed, fmt):
    import random

    seeds = [s for s in _seeds() if s.fmt == fmt]
    rng = random.Random(rng_seed)
    data, what = fuzz.Mutator(rng).mutate(rng.choice(seeds))
    res = fuzz.check_case(data, f"x.{fmt}", LIMITS, timeout=10)
    assert res.failure in (None, "hidden-crash"), (what, res.signature, res.trace)


_SEEDS: list = []


def _seeds():
    if not _SEEDS:
        _SEEDS.extend(fuzz.build_seeds())
    return _SEEDS
