"""Hostile inputs (issue 6, point 4): each file of the generated corpus gets its
expected code, within time and memory bounds, leaks nothing and writes nothing.

The corpus is built by scripts/make_hostile_corpus.py into a temporary directory
and read through the reader sandbox (real ``read_document``, one fresh worker per
file so the peak memory measured is that file's).
"""
from __future__ import annotations

import importlib.util
import io
import re
import sys
import time
import zipfile
from pathlib import Path

import pytest

from dossier_check import sandbox
from dossier_check.limits import Limits
from dossier_check.model import Document
from dossier_check.problems import CORRUPT_FILE, TOO_LARGE, UNREADABLE_CODES, ReadError
from dossier_check.readers import read_document
from dossier_check.readers.safety import SafeZip, parse_xml

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("make_hostile_corpus",
                                               ROOT / "scripts" / "make_hostile_corpus.py")
corpus = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("make_hostile_corpus", corpus)
_spec.loader.exec_module(corpus)

# Test limits: the defaults, with a tighter clock and memory so a breach shows.
LIMITS = Limits(timeout_seconds=20, max_memory_bytes=1024 * 1024 * 1024)
MAX_SECONDS = 15  # per file, measured inside the worker
MAX_RSS = 768 * 1024 * 1024  # peak resident memory of the worker that read the file

GOOD_DOCX_TEXT = ["Mon plan d'actions commerciales sur le secteur de Lyon.",
                  "Objectif : vingt rendez-vous qualifiés en six semaines."]
GOOD_ODT_TEXT = ["Fidélisation du portefeuille clients.", "Bilan chiffré de l'opération."]
EVIL_NAMES = ("evil_dotdot.txt", "evil_absolute.txt", "evil_nested.txt", "evil_windows.txt")


def _text(result) -> str:
    if isinstance(result, Document):
        return "\n".join([result.text, *result.headers_footers, *result.notes,
                          *(p.text for p in result.pages_text)])
    return f"{result.message} {result.detail}"


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Build the corpus and read it, with two good files, as one batch."""
    tmp = tmp_path_factory.mktemp("hostile")
    paths = corpus.build_corpus(tmp)
    built = sorted(p.name for p in tmp.iterdir())
    good = {"bon.docx": corpus.docx_bytes(corpus.document_xml(GOOD_DOCX_TEXT)),
            "bon.odt": corpus.odt_bytes(corpus.odt_content(GOOD_ODT_TEXT))}
    items = [(p.read_bytes(), p.name) for p in paths.values()] + [(d, n) for n, d in good.items()]
    names = list(paths) + list(good)
    start = time.monotonic()
    with sandbox.ReaderPool(LIMITS, workers=2, max_tasks=1) as pool:
        futures = [pool.submit_outcome(data, name) for data, name in items]
        outcomes = dict(zip(names, (f.result() for f in futures)))
    return {"dir": tmp, "paths": paths, "outcomes": outcomes, "built": built,
            "wall": time.monotonic() - start}


def _reader_missing(filename: str) -> bool:
    fmt = filename.rsplit(".", 1)[-1]
    return fmt in ("pdf", "odt") and importlib.util.find_spec(f"dossier_check.readers.{fmt}") is None


@pytest.mark.parametrize("case", corpus.CASES, ids=lambda c: c.name)
def test_hostile_file_gets_its_expected_code_within_limits(batch, case):
    if _reader_missing(case.filename):
        pytest.skip("reader not installed yet")
    out = batch["outcomes"][case.name]
    got = out.result.code if isinstance(out.result, ReadError) else corpus.DOCUMENT
    detail = getattr(out.result, "detail", {})
    assert got in case.expected, f"{case.name}: {got} {detail}"
    assert not detail.get("internal_error"), detail
    if isinstance(out.result, ReadError):
        assert out.result.code in UNREADABLE_CODES
        # A French sentence, never a traceback; guillemets with no-break spaces
        # (checked on the messages of safety.py and the sandbox; the PDF reader's
        # own messages are its tests' business).
        assert "Traceback" not in out.result.message
        if not case.filename.endswith(".pdf"):
            assert "« " not in out.result.message and " »" not in out.result.message
    if out.seconds is not None:
        assert out.seconds < MAX_SECONDS, f"{case.name} took {out.seconds:.1f} s"
    if out.peak_rss_bytes is not None:
        assert out.peak_rss_bytes < MAX_RSS, f"{case.name} peaked at {out.peak_rss_bytes >> 20} MiB"
    assert corpus.SECRET_MARKER not in _text(out.result)
    if case.expected_text:
        texts = [b.text for b in out.result.blocks]
        assert texts == case.expected_text


def test_too_large_messages_name_the_limit(batch):
    labels = {"bomb": "taille décompressée maximale d'une partie XML",
              "bomb_ratio": "taux de compression maximal",
              "many_entries": "nombre maximal d'éléments dans l'archive"}
    for name, label in labels.items():
        err = batch["outcomes"][name].result
        assert err.code == TOO_LARGE
        assert f"«\u00a0{label}\u00a0»" in err.message, err.message
    assert "5\u00a0003 éléments" in batch["outcomes"]["many_entries"].result.message


def test_batch_with_every_hostile_file_still_reports_the_good_files(batch):
    docx = batch["outcomes"]["bon.docx"].result
    assert [b.text for b in docx.blocks] == GOOD_DOCX_TEXT
    if not _reader_missing("bon.odt"):
        odt = batch["outcomes"]["bon.odt"].result
        assert [b.text for b in odt.blocks] == GOOD_ODT_TEXT


def test_nothing_written_outside_the_temporary_directory(batch):
    tmp = batch["dir"]
    # The corpus directory holds exactly what the builder wrote.
    assert sorted(p.name for p in tmp.iterdir()) == batch["built"]
    # No '../' or absolute entry was ever extracted anywhere it could land.
    places = {Path.cwd(), ROOT, Path("/tmp"), Path.home(), *list(tmp.parents)[:4]}
    for place in places:
        for evil in EVIL_NAMES:
            assert not (place / evil).exists(), place / evil


def test_dotdot_entries_are_only_names(batch):
    data = batch["paths"]["dotdot"].read_bytes()
    z = SafeZip(data, LIMITS)
    assert "../../evil_dotdot.txt" in z.names()
    assert z.read("../../evil_dotdot.txt", xml=False) == b"pwned"  # in memory only


# ---------------------------------------------------------------- in-process proofs

def test_billion_laughs_is_refused_quickly_without_expansion(batch):
    data = batch["paths"]["billion_laughs"].read_bytes()
    start = time.perf_counter()
    with pytest.raises(ReadError) as exc:
        read_document(data, "milliard_de_rires.docx", LIMITS)
    assert time.perf_counter() - start < 1.0
    assert exc.value.code == CORRUPT_FILE
    assert "déclarations XML non autorisées" in exc.value.message


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_parse_xml_refuses_entities_wherever_they_are(encoding):
    laughs = corpus.BILLION_LAUGHS.replace("w:document", "r")
    for prolog in (laughs, "<!--" + "x" * 100_000 + "-->" + laughs,
                   '<!DOCTYPE r SYSTEM "file:///etc/passwd">'):
        xml = (f'<?xml version="1.0" encoding="{encoding.upper()}"?>{prolog}<r>&lol9;</r>'
               ).encode(encoding)
        start = time.perf_counter()
        with pytest.raises(ReadError) as exc:
            parse_xml(xml, "word/document.xml", LIMITS)
        assert exc.value.code == CORRUPT_FILE
        assert time.perf_counter() - start < 0.5


def test_external_entity_never_resolved_in_process(batch):
    for name in ("xxe", "xxe_far", "xxe_external_dtd", "xxe_odt", "xinclude"):
        if _reader_missing(batch["paths"][name].name):
            continue
        data = batch["paths"][name].read_bytes()
        try:
            result = read_document(data, batch["paths"][name].name, LIMITS)
        except ReadError as err:
            result = err
        assert corpus.SECRET_MARKER not in _text(result), name


def test_latin1_declaration_reads_accents_exactly(batch):
    doc = read_document(batch["paths"]["latin1"].read_bytes(), "latin1.docx", LIMITS)
    assert [b.text for b in doc.blocks] == corpus.LATIN1_PARAGRAPHS


def test_entry_count_is_checked_before_the_directory_is_parsed():
    # 20 000 entries: refused from the end-of-directory record alone.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for i in range(20_000):
            zf.writestr(f"{i}", b"")
    start = time.perf_counter()
    with pytest.raises(ReadError) as exc:
        SafeZip(buf.getvalue(), LIMITS)
    assert exc.value.code == TOO_LARGE
    assert "20\u00a0000 éléments" in exc.value.message
    assert time.perf_counter() - start < 0.1


def test_no_module_parses_xml_outside_safety():
    """Every XML parse goes through safety.parse_xml (entities off)."""
    pattern = re.compile(r"etree\.(fromstring|parse|XML|iterparse|XMLParser)\(|minidom|"
                         r"xml\.etree|xml\.sax|expat")
    offenders = []
    for path in (ROOT / "dossier_check").rglob("*.py"):
        if path.name == "safety.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line) and not line.lstrip().startswith("#"):
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert offenders == []


def test_check_pipeline_on_the_whole_corpus_reports_every_file(batch):
    """Through ``check`` (sandboxed reads, no LibreOffice, no analysis): one report
    entry per file, the hostile ones unreadable with their code, the good one counted."""
    pipeline = pytest.importorskip("dossier_check.pipeline")
    from dossier_check.rulepack import builtin_packs

    good = corpus.docx_bytes(corpus.document_xml(GOOD_DOCX_TEXT))
    names = ["bomb", "billion_laughs", "xxe", "many_entries", "pdf_self_reference", "zip_not_docx"]
    inputs = [pipeline.InputFile(batch["paths"][n].name, batch["paths"][n].read_bytes()) for n in names]
    inputs.append(pipeline.InputFile("bon.docx", good))
    options = pipeline.CheckOptions(soffice="none", sandbox=True, analysis=False, limits=LIMITS)
    report = pipeline.check(inputs, builtin_packs()["ntc"], None, options)
    docs = {d["file"]: d for d in report["documents"]}
    assert list(docs) == [i.name for i in inputs]
    for n in names:
        codes = {p["code"] for p in docs[batch["paths"][n].name]["problems"]}
        assert codes & corpus.CASES_BY_NAME[n].expected, (n, codes)
    assert docs["bon.docx"]["characters"]["total"] == sum(len(t) for t in GOOD_DOCX_TEXT)
    assert corpus.SECRET_MARKER not in str(report)
