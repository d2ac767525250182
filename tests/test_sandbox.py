"""The reader sandbox: timeouts, memory cap, crashes, queue time, pool survival.

The readers used here are small module-level functions, so the sandbox is tested
on behaviour it must contain (loops, allocation, crashes) independently of the
real document readers; one test runs the real ``read_document`` on a DOCX.
"""
from __future__ import annotations

import io
import os
import time

import pytest

from dossier_check import sandbox
from dossier_check.limits import Limits
from dossier_check.model import Block, BlockKind, Document
from dossier_check.problems import CORRUPT_FILE, TIMEOUT, TOO_LARGE, ReadError

posix_memory = pytest.mark.skipif(not sandbox.memory_limit_supported(),
                                  reason="RLIMIT_AS not enforced on this platform")


# Readers run in the worker processes (imported from this module by name).
def echo_reader(data: bytes, filename: str, limits: Limits) -> Document:
    """Reads 'sleep:SECONDS' or plain text; returns one paragraph block."""
    text = data.decode()
    if text.startswith("sleep:"):
        time.sleep(float(text.split(":", 1)[1]))
    return Document(format="txt", blocks=[Block(BlockKind.PARAGRAPH, text)],
                    notes=[f"pid={os.getpid()}"])


def looping_reader(data, filename, limits):
    while True:  # what pypdf does on some crafted object graphs
        pass


def regex_reader(data, filename, limits):
    import re
    re.match(r"(a+)+$", "a" * 60 + "b")  # catastrophic backtracking, inside C: no signal runs


def hungry_reader(data, filename, limits):
    chunks = []
    while True:
        chunks.append(bytearray(64 * 1024 * 1024))


def buggy_reader(data, filename, limits):
    return {}["missing"]


def refusing_reader(data, filename, limits):
    raise ReadError(CORRUPT_FILE, "Le fichier est endommagé.", part="word/document.xml")


def dying_reader(data, filename, limits):
    os._exit(3)


def writing_reader(data, filename, limits):
    path = data.decode()
    try:
        with open(path, "wb") as fh:
            fh.write(b"x" * 10)
            fh.flush()
    except OSError as exc:
        raise ReadError(CORRUPT_FILE, "écriture refusée", errno=exc.errno)
    return Document(format="txt")


FAST = Limits(timeout_seconds=1.5, max_memory_bytes=768 * 1024 * 1024)


def reader_name(fn) -> str:
    return f"{fn.__module__}:{fn.__name__}"


@pytest.fixture(scope="module")
def pool():
    with sandbox.ReaderPool(FAST, workers=2, max_tasks=0, reader=echo_reader) as p:
        yield p


def test_read_returns_the_document(pool):
    doc = pool.read(b"Bonjour le jury", "a.txt")
    assert isinstance(doc, Document)
    assert doc.blocks[0].text == "Bonjour le jury"


def test_timeout_is_reported_with_the_limit_named_and_the_pool_survives():
    with sandbox.ReaderPool(FAST, workers=1, reader=looping_reader) as p:
        start = time.monotonic()
        out = p.run(b"x", "boucle.pdf")
        elapsed = time.monotonic() - start
        assert isinstance(out.result, ReadError)
        assert out.result.code == TIMEOUT
        assert "durée maximale de lecture" in out.result.message
        assert "1,5\u00a0s" in out.result.message
        assert out.killed
        assert elapsed < 1.5 + 5
        # The worker was replaced: the next task runs (and times out) again.
        assert p.read(b"x", "boucle2.pdf").code == TIMEOUT


def test_a_worker_stuck_inside_c_code_is_killed_too():
    limits = Limits(timeout_seconds=1)
    start = time.monotonic()
    out = sandbox.run_isolated(b"x", "regex.docx", limits, reader=regex_reader)
    assert out.result.code == TIMEOUT and "(1\u00a0s)" in out.result.message
    assert time.monotonic() - start < 1 + 8  # terminate, then SIGKILL


def test_queue_time_does_not_count_against_the_limit(pool):
    # One worker, three 1-second tasks with a 1.5 s limit: the third waits 2 s in
    # the queue, yet none times out.
    with sandbox.ReaderPool(FAST, workers=1, max_tasks=0, reader=echo_reader) as p:
        futures = [p.submit(b"sleep:1", f"{i}.txt") for i in range(3)]
        results = [f.result() for f in futures]
    assert all(isinstance(r, Document) for r in results), results


@posix_memory
def test_memory_cap_gives_too_large_naming_the_limit():
    limits = Limits(timeout_seconds=20, max_memory_bytes=384 * 1024 * 1024)
    start = time.monotonic()
    out = sandbox.run_isolated(b"x", "bombe.docx", limits, reader=hungry_reader)
    assert isinstance(out.result, ReadError)
    assert out.result.code == TOO_LARGE
    assert "mémoire maximale" in out.result.message
    assert "384\u00a0Mo" in out.result.message
    assert out.peak_rss_bytes <= limits.max_memory_bytes
    assert time.monotonic() - start < 15


def test_reader_bug_becomes_corrupt_file_and_is_flagged():
    out = sandbox.run_isolated(b"x", "bug.docx", FAST, reader=buggy_reader)
    assert out.result.code == CORRUPT_FILE
    assert out.result.detail["internal_error"] is True
    assert "KeyError" in out.result.detail["reason"]


def test_read_error_crosses_the_process_boundary_intact():
    err = sandbox.read_isolated(b"x", "x.docx", FAST, reader=refusing_reader)
    assert isinstance(err, ReadError)
    assert (err.code, err.message, err.detail) == (
        CORRUPT_FILE, "Le fichier est endommagé.", {"part": "word/document.xml"})


def test_dead_worker_is_replaced_and_batch_goes_on():
    with sandbox.ReaderPool(FAST, workers=1, max_tasks=0, reader=dying_reader) as p:
        first = p.read(b"x", "a.docx")
        second = p.read(b"x", "b.docx")
    assert first.code == CORRUPT_FILE and second.code == CORRUPT_FILE
    assert first.detail["internal_error"]


def test_batch_with_a_runaway_file_still_reports_every_good_file():
    with sandbox.ReaderPool(FAST, workers=2, max_tasks=0, reader=echo_reader) as p:
        items = [(b"premier", "1.txt"), (b"sleep:30", "piege.txt"), (b"second", "2.txt"),
                 (b"troisieme", "3.txt")]
        results = list(p.map(items))
    assert [getattr(r, "code", None) for r in results] == [None, TIMEOUT, None, None]
    assert [r.blocks[0].text for r in results if isinstance(r, Document)] == [
        "premier", "second", "troisieme"]


def test_file_over_the_size_limit_is_refused_before_any_worker():
    small = Limits(max_file_bytes=1000)
    p = sandbox.ReaderPool(small, reader=echo_reader)
    err = p.read(b"a" * 1001, "gros.docx")
    assert err.code == TOO_LARGE and "taille maximale du fichier" in err.message
    assert p._pool is None  # no process was started
    p.close()


@pytest.mark.skipif(os.name != "posix", reason="RLIMIT_FSIZE is POSIX")
def test_workers_cannot_write_files(tmp_path):
    target = tmp_path / "fuite.txt"
    err = sandbox.read_isolated(str(target).encode(), "x", FAST, reader=writing_reader)
    assert isinstance(err, ReadError)
    assert not target.exists() or target.stat().st_size == 0


def test_outcome_reports_time_and_peak_memory():
    out = sandbox.run_isolated(b"sleep:0.2", "a.txt", FAST, reader=echo_reader)
    assert out.ok
    assert 0.2 <= out.seconds < 2
    if os.name == "posix":
        assert 5 * 1024 * 1024 < out.peak_rss_bytes < FAST.max_memory_bytes


def test_importing_the_sandbox_starts_nothing_and_imports_no_reader():
    import subprocess
    import sys
    code = ("import sys, dossier_check.sandbox; "
            "print('pebble' in sys.modules, 'dossier_check.readers.docx' in sys.modules, "
            "'spacy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "False"]


def test_real_reader_through_the_pool_reads_the_exact_text():
    import zipfile

    body = "".join(f'<w:p><w:r><w:t xml:space="preserve">{t}</w:t></w:r></w:p>'
                   for t in ("Veille concurrentielle", "Douze concurrents suivis."))
    xml = ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
           'openxmlformats.org/wordprocessingml/2006/main"><w:body>' + body + '</w:body></w:document>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.'
                    'openxmlformats.org/package/2006/content-types"/>')
        zf.writestr("word/document.xml", xml)
    with sandbox.ReaderPool(FAST, workers=1) as p:
        doc = p.read(buf.getvalue(), "veille.docx")
        broken = p.read(buf.getvalue()[:200], "tronque.docx")
    assert [b.text for b in doc.blocks] == ["Veille concurrentielle", "Douze concurrents suivis."]
    assert broken.code == CORRUPT_FILE


# ------------------------------------------------------------------ limits configuration

def test_limits_from_env_reads_prefixed_variables_with_units():
    env = {"DOSSIER_CHECK_TIMEOUT_SECONDS": "12.5", "DOSSIER_CHECK_MAX_FILE_BYTES": "80M",
           "DOSSIER_CHECK_MAX_MEMORY_BYTES": "1,5 Go", "DOSSIER_CHECK_MAX_PDF_PAGES": "300",
           "DOSSIER_CHECK_MAX_ZIP_ENTRIES": "", "OTHER": "1"}
    lim = Limits.from_env(env)
    assert lim.timeout_seconds == 12.5
    assert lim.max_file_bytes == 80 * 1024 * 1024
    assert lim.max_memory_bytes == int(1.5 * 1024**3)
    assert lim.max_pdf_pages == 300
    assert lim.max_zip_entries == Limits().max_zip_entries  # empty value: default kept


def test_limits_from_mapping_refuses_unknown_or_bad_values_in_french():
    assert Limits.from_mapping({"timeout_seconds": None}) == Limits()
    assert Limits.from_mapping({"max_pdf_pages": 50}).max_pdf_pages == 50
    with pytest.raises(ValueError, match="Limite inconnue\u00a0: «\u00a0max_pages\u00a0»"):
        Limits.from_mapping({"max_pages": 5})
    with pytest.raises(ValueError, match="Valeur invalide"):
        Limits.from_mapping({"max_pdf_pages": "30M"})  # units only for sizes
    with pytest.raises(ValueError, match="doit être positive"):
        Limits.from_mapping({"timeout_seconds": "0"})


def test_limits_describe_in_french():
    rows = {name: (label, value) for name, label, value in Limits().describe()}
    assert rows["max_file_bytes"] == ("taille maximale du fichier", "100\u00a0Mo")
    assert rows["max_pdf_objects"] == ("nombre maximal d'objets PDF", "500\u00a0000")
    assert rows["timeout_seconds"] == ("durée maximale de lecture", "60\u00a0s")
    assert len(rows) == len(Limits.__dataclass_fields__)
