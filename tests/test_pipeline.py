"""pipeline.check on a cold start: the files are read in forked workers while the language model
loads, and the report is the one an in-process read gives, whatever happens to a worker."""
import os
import sys
from pathlib import Path

import docx
import pytest

from dossier_check import pipeline
from dossier_check.locate import locate
from dossier_check.measure import characters
from dossier_check.model import Document
from dossier_check.problems import ReadError
from dossier_check.rulepack import builtin_packs

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked reads are Linux-only")

SENTENCE = ("Au sein de l'entreprise Thermaflux, j'ai suivi nos concurrents pendant trois semaines afin "
            "d'augmenter nos ventes de 10 %. ")


def make_docx(path: Path, paragraphs: int) -> int:
    d = docx.Document()
    d.add_heading("Les objectifs", 1)
    for _ in range(paragraphs):
        d.add_paragraph(SENTENCE)
    d.save(path)
    return len("Les objectifs") + paragraphs * len(SENTENCE)


@pytest.fixture()
def inputs(tmp_path):
    a, b = tmp_path / "veille.docx", tmp_path / "plan.docx"
    na, nb = make_docx(a, 12), make_docx(b, 30)
    bad = tmp_path / "abime.docx"
    bad.write_bytes(b"PK\x03\x04 pas vraiment un zip")
    files = [pipeline.InputFile(p.name, path=p) for p in (a, b, bad, tmp_path / "absent.pdf")]
    return files, [na, nb]


def counted(doc) -> int:
    return characters(doc, locate(doc))["counted"]


def test_forked_reads_give_what_an_in_process_read_gives(inputs):
    files, expected = inputs
    options = pipeline.CheckOptions(analysis=False)
    forked = pipeline._ForkedReads(files, options)
    assert forked.pool is not None and len(forked.futures) == 3  # the absent file is never sent
    got = forked.results(lambda step, name: None)
    here = pipeline._read_all(files, options, lambda step, name: None)
    assert [counted(d) for d, _ in got[:2]] == [counted(d) for d, _ in here[:2]] == expected
    assert isinstance(got[2][0], ReadError) and got[2][0].code == here[2][0].code == "corrupt-file"
    assert isinstance(got[3][0], ReadError) and got[3][0].message == here[3][0].message
    assert "introuvable" in got[3][0].message


def _dying_read(name, data, options):
    """Reads normally in the test process; kills the worker process it runs in."""
    if os.getpid() != _PARENT[0]:
        os._exit(3)
    return _ORIGINAL_READ(name, data, options)


_PARENT = [os.getpid()]
_ORIGINAL_READ = pipeline.read_file


def test_a_worker_that_dies_has_its_files_read_again_in_the_sandbox(inputs, monkeypatch):
    files, expected = inputs
    _PARENT[0] = os.getpid()
    monkeypatch.setattr(pipeline, "read_file", _dying_read)
    from dossier_check import sandbox

    isolated = []
    real = sandbox.read_isolated

    def spy(data, name, limits=None, **kw):
        isolated.append(name)
        return real(data, name, limits, **kw)

    monkeypatch.setattr(sandbox, "read_isolated", spy)
    forked = pipeline._ForkedReads(files[:2], pipeline.CheckOptions(analysis=False))
    got = forked.results(lambda step, name: None)
    assert isolated == [f.name for f in files[:2]]
    assert [counted(d) for d, _ in got] == expected
    assert all(isinstance(d, Document) for d, _ in got)


def test_cold_check_uses_forked_reads_and_reports_like_a_warm_one(inputs, monkeypatch):
    files, expected = inputs
    pack = builtin_packs()["ntc"]
    made = []
    real = pipeline._ForkedReads

    class Spy(real):
        def __init__(self, *a, **k):
            made.append(1)
            super().__init__(*a, **k)

    monkeypatch.setattr(pipeline, "_ForkedReads", Spy)
    options = pipeline.CheckOptions(soffice="none")
    steps = []
    monkeypatch.setattr(pipeline, "_analyser_ready", lambda pack: False)
    cold = pipeline.check(files, pack, "titre", options, progress=lambda s, n: steps.append((s, n)))
    assert made == [1]
    assert [n for s, n in steps if s == "lecture"] == [f.name for f in files]
    monkeypatch.setattr(pipeline, "_analyser_ready", lambda pack: True)
    warm = pipeline.check(files, pack, "titre", options)
    assert made == [1]  # warm: read here
    assert cold["documents"] == warm["documents"]
    assert [d["characters"]["counted"] for d in cold["documents"][:2]] == expected
    assert cold["documents"][0]["elements"], "the analysis ran on the forked reads"
