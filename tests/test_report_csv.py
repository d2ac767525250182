"""synthese.csv: what Excel and LibreOffice Calc (French locale) read."""
from __future__ import annotations

import csv
import io

from dossier_check.report.csv import COLUMNS, render, write_csv

from test_report_html import make_result


def test_columns_are_stable():
    # Documented in README.md (section « Vérifier toute une classe »): add at the end, never rename.
    assert COLUMNS == [
        "candidat", "dossier_conforme", "competence", "competence_libelle", "fichier", "format", "conforme",
        "pages_comptees", "pages_total", "pages_source", "pages_min", "pages_max", "pages_ok",
        "caracteres_comptes", "caracteres_total", "caracteres_min", "caracteres_max", "caracteres_ok",
        "elements_non_trouves", "elements_a_verifier", "experience_entreprise", "erreurs", "avertissements",
        "messages", "passages_similaires",
    ]


def test_rows_one_per_document_and_per_missing_document(tmp_path):
    path = tmp_path / "synthese.csv"
    write_csv(make_result(tmp_path), path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw[3:].decode("utf-8")
    assert text.count("\r\n") == 1 + 3 + 2 + 1  # header, Marie 3, Paul 2 files + 1 missing
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    marie = [r for r in rows if r["candidat"] == "DUPONT Marie"]
    assert [r["fichier"] for r in marie] == ["a.docx", "b.docx", "c.pdf"]
    assert marie[0]["caracteres_comptes"] == "9100"  # no thousands separator: a number for the spreadsheet
    assert marie[0]["pages_comptees"] == "5" and marie[0]["pages_total"] == "7"
    assert marie[0]["conforme"] == "oui" and marie[0]["dossier_conforme"] == "oui"
    assert marie[0]["competence_libelle"] == "Assurer une veille commerciale pour analyser l'état du marché"
    assert marie[0]["passages_similaires"] == "MARTIN Paul (MARTIN_Paul_veille.docx) 87\u202f%"
    paul = {r["fichier"]: r for r in rows if r["candidat"] == "MARTIN Paul"}
    veille = paul["MARTIN_Paul_veille.docx"]
    assert (veille["caracteres_comptes"], veille["caracteres_ok"], veille["pages_ok"]) == ("12480", "non", "non")
    assert veille["erreurs"] == "chars-too-many, pages-too-many"
    assert veille["elements_non_trouves"] == "Durées"
    assert veille["messages"] == "Retirez environ 480 caractères. | Une page de trop."
    locked = paul["MARTIN_Paul_plan.docx"]
    assert locked["erreurs"] == "encrypted" and locked["caracteres_comptes"] == "" and locked["pages_ok"] == ""
    missing = paul[""]
    assert (missing["competence"], missing["conforme"], missing["erreurs"]) == ("fidelisation", "non",
                                                                               "document-missing")


def test_semicolons_and_quotes_inside_values_are_quoted(tmp_path):
    res = make_result(tmp_path)
    res.candidates[0].report["documents"][0]["file"] = 'rapport "final"; v2.docx'
    rows = list(csv.DictReader(io.StringIO(render(res)), delimiter=";"))
    assert rows[0]["fichier"] == 'rapport "final"; v2.docx'
