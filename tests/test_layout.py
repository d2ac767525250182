"""LibreOffice rendering: found or not, hanging or failing, the check goes on."""
import os
import shutil
import stat
import sys
from pathlib import Path

import docx
import pytest

from dossier_check.layout import find_soffice, render_pdfs
from dossier_check.pipeline import CheckOptions, InputFile, check
from dossier_check.rulepack import builtin_packs

NTC = builtin_packs()["ntc"]
HAS_SOFFICE = shutil.which("soffice") is not None


def _doc(tmp_path: Path, pages: int) -> Path:
    d = docx.Document()
    for i in range(pages):
        d.add_heading(f"Partie {i + 1}", 1)
        d.add_paragraph("Texte de la partie, assez court pour tenir sur une page. " * 5)
        if i < pages - 1:
            d.add_page_break()
    p = tmp_path / f"doc{pages}.docx"
    d.save(p)
    return p


def _fake_soffice(tmp_path: Path, body: str) -> str:
    p = tmp_path / "soffice"
    p.write_text(f"#!{sys.executable}\nimport sys, time\n{body}\n", encoding="utf-8")
    p.chmod(p.stat().st_mode | stat.S_IXUSR)
    return str(p)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX fake executable")
def test_hanging_libreoffice_times_out_and_falls_back(tmp_path):
    fake = _fake_soffice(tmp_path, "time.sleep(60)")
    opts = CheckOptions(soffice=fake, layout_timeout=1.5, analysis=False)
    r = check([InputFile("doc5.docx", path=_doc(tmp_path, 5))], NTC, None, opts)
    d = r["documents"][0]
    assert d["pages"]["source"] == "estimate"  # python-docx metadata is not trusted
    assert d["pages"]["total"] == 5  # five segments between hard page breaks
    fallback = [p for p in d["problems"] if p["code"] == "layout-fallback"]
    assert fallback and "n'a pas fini la mise en page en 1 s" in fallback[0]["message"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX fake executable")
def test_failing_libreoffice_falls_back(tmp_path):
    fake = _fake_soffice(tmp_path, "sys.exit(1)")
    results = render_pdfs([("docx", b"x")], fake, timeout=10)
    assert results[0].pdf is None and "n'a pas pu mettre ce fichier en page" in results[0].error


def test_soffice_none_disables_and_env_var_is_honoured(monkeypatch, tmp_path):
    assert find_soffice("none") is None
    fake = _fake_soffice(tmp_path, "pass")
    monkeypatch.setenv("DOSSIER_CHECK_SOFFICE", fake)
    assert find_soffice() == fake


def test_missing_explicit_soffice_says_so(tmp_path):
    opts = CheckOptions(soffice=str(tmp_path / "nowhere" / "soffice"), analysis=False)
    r = check([InputFile("doc3.docx", path=_doc(tmp_path, 3))], NTC, None, opts)
    d = r["documents"][0]
    assert d["pages"]["source"] == "estimate"
    assert any("LibreOffice introuvable" in p["message"] for p in d["problems"])


@pytest.mark.layout
@pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice (soffice) absent")
def test_several_files_in_one_call_get_their_own_pages(tmp_path):
    files = [InputFile(f"doc{n}.docx", path=_doc(tmp_path, n)) for n in (3, 4, 9)]
    r = check(files, NTC, None, CheckOptions(analysis=False))
    got = [(d["pages"]["source"], d["pages"]["total"]) for d in r["documents"]]
    assert got == [("layout", 3), ("layout", 4), ("layout", 9)]
    too_many = [p for p in r["documents"][2]["problems"] if p["code"] == "pages-too-many"]
    assert too_many and too_many[0]["severity"] == "error"
