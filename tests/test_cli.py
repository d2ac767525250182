"""The command line end to end: French output, report-v1 JSON, exit codes, bad
files reported with their code while the other files are still checked."""
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from pypdf import PdfWriter

from dossier_check.cli import cli

from contract import assert_report_v1

SENTENCE = ("Au sein de l'entreprise Thermaflux, j'ai mis en place une veille sur les concurrents "
            "pendant trois semaines afin d'augmenter nos ventes de 10 %. ")  # 143 characters


def make_docx(path: Path, paragraphs: int, cover: bool = True) -> int:
    """A DOCX with an optional cover page; returns the counted characters."""
    d = docx.Document()
    if cover:
        d.add_paragraph("Dossier de production — veille commerciale")
        d.add_paragraph("Candidat fictif")
        d.add_page_break()
    d.add_heading("Introduction", 1)
    for _ in range(paragraphs):
        d.add_paragraph(SENTENCE * 3)
    d.save(path)
    return len("Introduction") + paragraphs * len(SENTENCE * 3)


def run(*args):
    r = CliRunner().invoke(cli, list(map(str, args)))
    assert r.exception is None or isinstance(r.exception, SystemExit), r.output
    return r


@pytest.fixture()
def good(tmp_path):
    p = tmp_path / "veille.docx"
    n = make_docx(p, 20)
    return p, n


def test_json_report_follows_the_contract_and_counts_exactly(good):
    path, n = good
    r = run("check", "--title", "ntc", "--format", "json", "--no-layout", "--no-analysis", path)
    report = json.loads(r.output)  # nothing else on stdout
    assert_report_v1(report)
    d = report["documents"][0]
    assert d["characters"]["counted"] == n
    assert d["characters"]["breakdown"]["excluded"]["cover"] == len("Dossier de production — veille commerciale") + len("Candidat fictif")
    assert d["pages"]["excluded"] == [{"page": 1, "reason": "cover"}]
    assert report["session"] is None
    assert r.exit_code == 0 if report["compliant"] else 1


def test_text_report_is_french_and_says_how_far_off(tmp_path):
    p = tmp_path / "court.docx"
    n = make_docx(p, 10)
    r = run("check", "--title", "ntc", "--no-layout", "--no-analysis", p)
    assert r.exit_code == 1
    missing = 7000 - n
    assert f"Il manque {missing:,}".replace(",", "\u202f") in r.output
    assert "Caractères\u00a0: " in r.output
    assert "non conforme" in r.output


def test_too_long_says_how_much_to_remove(tmp_path):
    p = tmp_path / "long.docx"
    n = make_docx(p, 30)
    r = run("check", "--title", "cc", "--no-layout", "--no-analysis", "--format", "json", p)
    (prob,) = [x for x in json.loads(r.output)["documents"][0]["problems"] if x["code"] == "chars-too-many"]
    assert prob["detail"] == {"excess": n - 12000}
    assert r.exit_code == 1


def _bad_files(tmp: Path) -> dict[str, str]:
    files = {}
    # An OLE2 compound file whose directory names a WordDocument stream, as Word 97-2003 writes.
    (tmp / "ancien.doc").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504
                                     + "WordDocument".encode("utf-16-le") + b"\0" * 512)
    files["ancien.doc"] = "legacy-doc"
    (tmp / "casse.docx").write_bytes(b"PK\x03\x04 not really a zip")
    files["casse.docx"] = "corrupt-file"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document><unclosed>")
    (tmp / "xml-invalide.docx").write_bytes(buf.getvalue())
    files["xml-invalide.docx"] = "corrupt-file"
    w = PdfWriter()
    w.add_blank_page(595, 842)
    w.encrypt("secret")
    out = io.BytesIO()
    w.write(out)
    (tmp / "protege.pdf").write_bytes(out.getvalue())
    files["protege.pdf"] = "encrypted"
    w = PdfWriter()
    for _ in range(4):
        w.add_blank_page(595, 842)
    out = io.BytesIO()
    w.write(out)
    (tmp / "scan.pdf").write_bytes(out.getvalue())
    files["scan.pdf"] = "no-text"
    (tmp / "notes.txt").write_text("Bonjour, voici mon texte.", encoding="utf-8")
    files["notes.txt"] = "unsupported-format"
    (tmp / "vide.docx").write_bytes(b"")
    files["vide.docx"] = None  # empty: corrupt-file or no-text
    return files


def test_bad_files_get_their_code_and_the_good_one_is_still_checked(tmp_path, good):
    path, n = good
    bad = _bad_files(tmp_path)
    r = run("check", "--title", "ntc", "--format", "json", "--no-layout", "--no-analysis", path,
            *[tmp_path / f for f in bad])
    assert r.exit_code == 1
    report = json.loads(r.output)
    assert_report_v1(report)
    by_file = {d["file"]: d for d in report["documents"]}
    assert by_file["veille.docx"]["characters"]["counted"] == n
    for name, code in bad.items():
        d = by_file[name]
        assert d["pages"] is None and d["compliant"] is False
        got = d["problems"][0]["code"]
        if code is None:
            assert got in ("corrupt-file", "no-text")
        else:
            assert got == code, (name, d["problems"])
        msg = d["problems"][0]["message"]
        assert msg and "Traceback" not in msg
    assert "Traceback" not in r.output


def test_missing_file_is_reported_not_crashed(tmp_path, good):
    path, _ = good
    r = run("check", "--title", "ntc", "--format", "json", "--no-layout", "--no-analysis", path,
            tmp_path / "absent.docx")
    report = json.loads(r.output)
    assert report["documents"][1]["problems"][0]["code"] == "corrupt-file"
    assert "introuvable" in report["documents"][1]["problems"][0]["message"]


@pytest.mark.parametrize("args, words", [
    (["check", "--title", "xyz", "a.docx"], "titre inconnu « xyz »"),
    (["check", "--title", "ntc", "--session", "ccp9", "a.docx"], "session inconnue « ccp9 »"),
    (["check", "--title", "ntc"], "aucun fichier à vérifier"),
    (["check", "--title", "ntc", "--doc", "inconnue=a.docx"], "compétence inconnue « inconnue »"),
    (["check", "--title", "ntc", "--nimporte", "a.docx"], "Option inconnue"),
    (["check", "--title", "ntc", "--no-layout=3", "a.docx"], "L'option « --no-layout » ne prend pas de valeur"),
    (["batch", "--title", "ntc", "--session", "titre", "--jobs", "100", "."],
     "100 n'est pas dans l'intervalle 0<=x<=64"),
    (["batch", "--title", "ntc", "--session", "titre", "dossier-absent-xyz"],
     "Dossier « dossier-absent-xyz » introuvable"),
])
def test_usage_errors_exit_2_in_french(args, words):
    r = subprocess.run([sys.executable, "-m", "dossier_check.cli", *args], capture_output=True, text=True)
    assert r.returncode == 2
    assert words in r.stderr
    assert "Erreur" in r.stderr and r.stdout == ""


def test_session_without_production(good):
    path, _ = good
    r = run("check", "--title", "ntc", "--session", "ccp2", "--format", "json", "--no-layout", "--no-analysis",
            path)
    assert r.exit_code == 1
    report = json.loads(r.output)
    assert [p["code"] for p in report["dossier"]["problems"]] == ["unexpected-document"]
    assert "pas de production écrite" in report["dossier"]["problems"][0]["message"]


def test_titles_lists_sessions_and_documents():
    r = run("titles", "--format", "json")
    data = {t["id"]: t for t in json.loads(r.output)}
    cc_titre = next(s for s in data["cc"]["sessions"] if s["id"] == "titre")
    assert cc_titre["documents"] == ["veille", "plan-actions", "prospection-distance", "fidelisation"]
    r = run("titles")
    assert "Négociateur technico-commercial" in r.output and "pas de production écrite" in r.output


def test_help_is_french():
    r = run("check", "--help")
    assert "Utilisation\u00a0:" in r.output or "Utilisation :" in r.output
    assert "Titre professionnel" in r.output and "Affiche cette aide" in r.output
    assert "default" not in run("batch", "--help").output  # click's « [default: 0] » too


def test_sandbox_reads_give_the_same_counts(tmp_path, good):
    path, n = good
    other = tmp_path / "autre.docx"
    m = make_docx(other, 25)
    r = subprocess.run([sys.executable, "-m", "dossier_check.cli", "check", "--title", "ntc", "--format", "json",
                        "--no-layout", "--no-analysis", "--sandbox", str(path), str(other),
                        str(tmp_path / "absent.docx")], capture_output=True, text=True)
    report = json.loads(r.stdout)
    assert [d["characters"] and d["characters"]["counted"] for d in report["documents"]] == [n, m, None]
    assert report["documents"][2]["problems"][0]["code"] == "corrupt-file"


def test_text_report_says_why_an_element_is_only_weak(tmp_path):
    """A section of its own that says nothing, the element only hinted at elsewhere: « à vérifier »,
    and the line beneath names the empty section."""
    p = tmp_path / "fidelisation.docx"
    d = docx.Document()
    d.add_heading("La politique de fidélisation", 1)
    d.add_paragraph("Depuis 2022, l'entreprise propose à ses clients professionnels un programme de fidélité gratuit, "
                    "avec la livraison offerte dès 60 € de commande et un interlocuteur unique par client.")
    d.add_heading("Les offres promotionnelles", 1)
    d.add_paragraph("Côté offres, on a proposé ce qui se fait d'habitude dans le programme, rien de particulier "
                    "à signaler pour cette action.")
    d.save(p)
    r = run("check", "--title", "cc", "--no-layout", p)
    line = next(x for x in r.output.splitlines() if "Offres promotionnelles proposées" in x)
    assert "(peu développé, à vérifier)" in line
    after = r.output.splitlines()[r.output.splitlines().index(line) + 1]
    assert after.strip().startswith("→ La partie «\u00a0Les offres promotionnelles\u00a0» n'en donne rien de concret")
