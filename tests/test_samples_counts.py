"""The bundled samples, read by the tool, give the counts their generator put in
them (samples/expected.json): exact for DOCX and ODT, within ±1 % for PDF, and
the pages LibreOffice renders minus the excluded ones."""
import json
import shutil
from pathlib import Path

import pytest

from dossier_check.pipeline import CheckOptions, InputFile, check
from dossier_check.rulepack import builtin_packs

from contract import assert_report_v1

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
EXPECTED = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))["files"] \
    if (SAMPLES / "expected.json").exists() else {}
PACKS = builtin_packs()
HAS_SOFFICE = shutil.which("soffice") is not None


def _run(rel: str, layout: bool):
    exp = EXPECTED[rel]
    pack = PACKS[exp["title"]]
    opts = CheckOptions(soffice=None if layout else "none", analysis=False)
    report = check([InputFile(name=Path(rel).name, path=SAMPLES / rel)], pack, None, opts)
    assert_report_v1(report)
    return exp, report["documents"][0]


@pytest.mark.parametrize("rel", sorted(k for k in EXPECTED if not k.endswith(".pdf")))
def test_docx_odt_characters_are_exact(rel):
    exp, d = _run(rel, layout=False)
    ch = d["characters"]
    assert ch["counted"] == exp["characters"]["counted"]
    for key in ("body", "tables", "text_boxes", "notes"):
        assert ch["breakdown"][key] == exp["characters"]["breakdown"][key], key
    for key in ("cover", "toc"):
        assert ch["breakdown"]["excluded"][key] == exp["characters"]["breakdown"]["excluded"][key], key


@pytest.mark.parametrize("rel", sorted(k for k in EXPECTED if k.endswith(".pdf")))
def test_pdf_characters_within_one_percent_and_own_pages(rel):
    exp, d = _run(rel, layout=False)
    want = exp["characters"]["counted"]
    assert abs(d["characters"]["counted"] - want) <= 0.01 * want
    assert d["pages"]["source"] == "pdf"
    assert d["pages"]["total"] == exp["pages"]["total"]
    assert d["pages"]["excluded"] == exp["pages"]["excluded"]


@pytest.mark.layout
@pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice (soffice) absent")
@pytest.mark.parametrize("rel", sorted(k for k in EXPECTED if not k.endswith(".pdf"))[:6])
def test_layout_pages_equal_libreoffice_rendering(rel):
    exp, d = _run(rel, layout=True)
    assert d["pages"]["source"] == "layout"
    assert d["pages"]["total"] == exp["pages"]["total"]
    assert d["pages"]["excluded"] == exp["pages"]["excluded"]
    assert d["pages"]["counted"] == exp["pages"]["counted"]
