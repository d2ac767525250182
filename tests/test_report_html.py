"""Class and candidate HTML reports, rendered from known report-v1 dictionaries."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from dossier_check.batch import BatchResult, Candidate, CandidateReport, Discovery, Skipped
from dossier_check.pipeline import InputFile
from dossier_check.report.html import environment, gauge_geometry, render_candidate, render_class, render_report
from dossier_check.rulepack import all_packs
from dossier_check.similarity import DocSide, SimilarPair

PACK = all_packs()["ntc"]
NNBSP = "\u202f"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DOSSIER_CHECK_CACHE_DIR", str(tmp_path / "cache"))


def doc(file, comp, pages, chars, compliant=True, missing=(), problems=(), fmt="docx"):
    return {
        "file": file, "format": fmt, "competence": comp, "competence_source": "content",
        "competence_name": PACK.competences[comp].name if comp else None, "compliant": compliant,
        "pages": None if pages is None else {"total": pages + 2, "counted": pages, "source": "layout",
                                             "excluded": [{"page": 1, "reason": "cover"}, {"page": 2, "reason": "toc"}],
                                             "min": 3, "max": 8, "ok": 3 <= pages <= 8},
        "characters": None if chars is None else {
            "counted": chars, "total": chars + 500, "stored": None,
            "breakdown": {"body": chars - 100, "tables": 100, "text_boxes": 0, "notes": 0,
                          "excluded": {"cover": 200, "toc": 300, "headers_footers": 0}},
            "min": 7000, "max": 12000, "ok": 7000 <= chars <= 12000},
        "elements": [{"id": "objectifs", "label": "Objectifs", "status": "present",
                      "evidence": [{"text": "Mon objectif était de gagner dix clients", "page": 3}]}]
                    + [{"id": m, "label": lab, "status": "missing", "evidence": [], "advice": f"Ajoutez {lab}."}
                       for m, lab in missing],
        "company_experience": True,
        "problems": list(problems),
    }


def report(documents, compliant, missing=()):
    return {"schema": "dossier-check/report/v1", "tool_version": "0.1.0", "title": "ntc", "session": "titre",
            "referentiel": PACK.referentiel, "compliant": compliant, "documents": documents,
            "dossier": {"expected": list(PACK.sessions["titre"].documents), "missing": list(missing),
                        "duplicates": [],
                        "problems": [{"code": "document-missing", "severity": "error",
                                      "message": f"Document manquant : « {PACK.competences[m].name} ».",
                                      "detail": {"competence": m}} for m in missing]}}


def make_result(tmp_path) -> BatchResult:
    marie = Candidate("DUPONT Marie", "dir:dupont marie", [InputFile(n) for n in ("a.docx", "b.docx", "c.pdf")])
    paul = Candidate("MARTIN Paul", "name:martin paul", [InputFile(n) for n in ("MARTIN_Paul_veille.docx",
                                                                                 "MARTIN_Paul_plan.docx")],
                     source="filename")
    r_marie = report([doc("a.docx", "veille", 5, 9100), doc("b.docx", "plan-actions", 4, 8000),
                      doc("c.pdf", "fidelisation", 6, 11000, fmt="pdf")], True)
    r_paul = report([
        doc("MARTIN_Paul_veille.docx", "veille", 9, 12480, compliant=False, missing=[("durees", "Durées")],
            problems=[{"code": "chars-too-many", "severity": "error", "message": "Retirez environ 480 caractères.",
                       "detail": {}},
                      {"code": "pages-too-many", "severity": "error", "message": "Une page de trop.", "detail": {}}]),
        doc("MARTIN_Paul_plan.docx", None, None, None, compliant=False,
            problems=[{"code": "encrypted", "severity": "error",
                       "message": "Le fichier est protégé par un mot de passe : enregistrez-le sans.", "detail": {}}]),
    ], False, missing=["fidelisation"])
    disc = Discovery(tmp_path, "mixed", [marie, paul], [Skipped("notes.txt", "pas un document (DOCX, ODT ou PDF attendu)")])
    pair = SimilarPair(DocSide("DUPONT Marie", "a.docx", "veille"), DocSide("MARTIN Paul", "MARTIN_Paul_veille.docx", "veille"),
                       0.87, 0.74, 1450, ["Chaque lundi je relevais les prix des concurrents dans un tableau partagé"])
    return BatchResult(disc, "ntc", "titre", PACK, [CandidateReport(marie, r_marie, []), CandidateReport(paul, r_paul, [])],
                       [pair], stats={"similarity_threshold": 0.3})


def test_gauge_places_the_value_against_the_bounds():
    g = gauge_geometry(9000, 7000, 12000, width=160)
    # Scale 0..15 000 over 152 px starting at 4 px.
    assert (g["lo_x"], g["hi_x"], g["value_x"]) == (74.9, 125.6, 95.2)
    assert g["ok"] and not g["low"] and not g["high"]
    over = gauge_geometry(20000, 7000, 12000)
    # Past the maximum the scale stretches: the value stays drawn, near the right end.
    assert over["high"] and over["value_x"] == 148.8 and over["hi_x"] == 90.9
    assert gauge_geometry(2, 3, 8)["low"]


def test_class_report_content(tmp_path):
    html = render_class(make_result(tmp_path), {"DUPONT Marie": "candidats/DUPONT_Marie.html",
                                                "MARTIN Paul": "candidats/MARTIN_Paul.html"})
    assert html.startswith("<!DOCTYPE html>") and '<html lang="fr">' in html
    # Self-contained: inline style, no script, no external resource.
    assert "<style>" in html and "@page { size: A4 landscape" in html
    assert "<script" not in html and "<link" not in html and not re.search(r'(src|href)="https?:', html)
    summary = html.split('id="synthese"', 1)[1].split("</table>", 1)[0]
    assert [h for h in re.findall(r"<th scope=\"col\">(.*?)</th>", summary)] == \
        ["Candidat", "Veille", "Plan d&#39;actions", "Fidélisation", "Autres fichiers", "Dossier"]
    # Verdicts in words, not only colours.
    body = summary.split("<tbody>", 1)[1]
    assert body.count("✓ conforme") == 3 and "✗ non conforme" in summary
    assert "✗ absent" in summary  # Paul's fidélisation
    assert "✗ protégé par mot de passe" in summary
    assert "Non trouvés&#160;: Durées" in summary
    # Gauges: accessible names say the value, the range and where it falls.
    assert f'aria-label="Caractères comptés&#160;: 12{NNBSP}480 car., attendu de 7{NNBSP}000 à 12{NNBSP}000, au-dessus du maximum"' in summary
    assert 'aria-label="Pages comptées&#160;: 5 p., attendu de 3 à 8, dans les limites"' in summary
    assert summary.count("<svg") == 2 * 4  # Paul's encrypted file has no gauge
    assert "✓ prêt" in summary and "✗ non prêt" in summary
    # Similar passages, quoted, never called plagiarism.
    assert "87&#160;% du texte en commun" in html
    assert "«&#160;Chaque lundi je relevais les prix des concurrents dans un tableau partagé&#160;»" in html
    assert "plagiat" not in html.lower()
    # Discovery explained.
    assert "notes.txt&#160;: pas un document" in html
    assert "MARTIN_Paul_veille.docx<br>MARTIN_Paul_plan.docx" in html


def test_candidate_report_shows_only_that_candidate(tmp_path):
    res = make_result(tmp_path)
    html = render_candidate(res, res.candidates[1])
    assert "MARTIN Paul" in html and "DUPONT" not in html and "similaires" not in html
    assert "✗ dossier non conforme" in html
    assert "@page { size: A4 portrait" in html
    assert "Retirez environ 480 caractères." in html
    assert "Document manquant : « Mettre en œuvre des actions de fidélisation »." in html
    assert f"Total compté</th><th class=\"num\">12{NNBSP}480</th>" in html
    assert "Page 1 exclue&#160;: page de garde." in html


def test_render_report_for_a_single_check(tmp_path):
    res = make_result(tmp_path)
    html = render_report(res.candidates[0].report, PACK)
    assert "✓ dossier conforme" in html and html.count("<svg") == 2 * 3 * 2  # table + cards


def test_document_macros_are_importable_by_other_pages():
    tmpl = environment().from_string('{% import "_document.html.j2" as d %}{{ d.gauge(4, 3, 8, "p.", "Pages") }}')
    out = tmpl.render()
    assert "<svg" in out and "✓&#160;4&#160;p." in out


@pytest.mark.browser
def test_chromium_screenshot_of_class_report(tmp_path):
    chromium = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if not chromium:
        pytest.skip("chromium not installed")
    page = tmp_path / "rapport-classe.html"
    page.write_text(render_class(make_result(tmp_path)), encoding="utf-8")
    png = tmp_path / "shot.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,900",
                    f"--screenshot={png}", page.as_uri()], capture_output=True, timeout=120)
    assert png.is_file() and png.stat().st_size > 10_000
    from PIL import Image

    img = Image.open(png).convert("RGB")
    colours = img.getcolors(maxcolors=1 << 20)
    counts = {c: n for n, c in colours}
    # The gauges' green band (#cfe8d4) and the red of the failing cells' background (#fdf1f0) are drawn.
    assert counts.get((0xCF, 0xE8, 0xD4), 0) > 500
    assert counts.get((0xFD, 0xF1, 0xF0), 0) > 5000
