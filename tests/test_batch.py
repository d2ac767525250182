"""Batch mode end to end: a class folder in, class report, CSV and per-candidate reports out."""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from dossier_check.batch import candidate_from_filename, discover, pack_doc_words
from dossier_check.cli import cli
from dossier_check.report.csv import COLUMNS
from dossier_check.rulepack import all_packs

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "samples" / "sources"
PACK = all_packs()["ntc"]

# --------------------------------------------------------------------------- test documents


def md_paragraphs(name: str) -> list[tuple[str, str]]:
    """(kind, text) of a sample source: headings, then plain paragraphs (list items,
    table rows flattened, ** removed). Skips the test when the samples are absent."""
    path = SOURCES / f"{name}.md"
    if not path.is_file():
        pytest.skip(f"sample source {path.name} not available")
    text = path.read_text(encoding="utf-8")
    if text.startswith("---"):
        text = text.split("---", 2)[2]
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or re.fullmatch(r"\|?[-| :]+\|?", line):
            continue
        if line.startswith("#"):
            out.append(("heading", line.lstrip("#").strip()))
            continue
        line = line.removeprefix("- ").replace("**", "")
        line = re.sub(r"\[\^\d+\]", "", line)
        if line.startswith("|"):
            line = " ; ".join(c.strip() for c in line.strip("|").split("|"))
        if line.startswith("[^"):
            continue
        out.append(("paragraph", line))
    return out


def make_docx(path: Path, paragraphs: list[tuple[str, str]]) -> int:
    """Write a DOCX with these paragraphs (no cover, no sommaire); return its
    exact character count (spaces included)."""
    import docx

    d = docx.Document()
    for kind, text in paragraphs:
        if kind == "heading":
            d.add_heading(text, level=1)
        else:
            d.add_paragraph(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    d.save(str(path))
    return sum(len(t) for _k, t in paragraphs)


def edited_copy(paragraphs):
    """A classmate's copy: a few words changed, one sentence added."""
    out = [(k, t.replace("Thermaflux Industrie", "Hydrotherm Services").replace("Olivier Renaud", "Sylvie Morel"))
           for k, t in paragraphs]
    out.insert(3, ("paragraph", "J'ai repris ce travail avec l'accord de mon responsable."))
    return out


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DOSSIER_CHECK_CACHE_DIR", str(tmp_path / "cache"))


def run(args):
    res = CliRunner().invoke(cli, args, catch_exceptions=False)
    return res.exit_code, res.output


def read_csv(path: Path) -> list[dict]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM for Excel"
    return list(csv.DictReader(io.StringIO(raw[3:].decode("utf-8")), delimiter=";"))


# --------------------------------------------------------------------------- discovery


def test_flat_names_give_the_candidate():
    words = pack_doc_words(PACK)
    assert candidate_from_filename("DUPONT_Marie_veille", words) == ("DUPONT Marie", "dupont marie")
    assert candidate_from_filename("Marie DUPONT - plan d'actions", words)[1] == "dupont marie"
    assert candidate_from_filename("DUPONT-Marie-fidelisation", words)[0] == "DUPONT Marie"
    assert candidate_from_filename("LEFEVRE_Jean-Pierre_dossier_2", words)[0] == "LEFEVRE Jean-Pierre"
    assert candidate_from_filename("Élodie MARTIN PAC", words)[0] == "Élodie MARTIN"
    assert candidate_from_filename("veille", words) is None
    assert candidate_from_filename("Dossier NTC - DUPONT Marie - veille", words)[0] == "DUPONT Marie"
    assert candidate_from_filename("veille_DUPONT_Marie", words)[0] == "DUPONT Marie"
    assert candidate_from_filename("NTC_2026_plan_actions", words) is None


def test_discovery_of_both_layouts_and_skipped_files(tmp_path):
    cls = tmp_path / "classe"
    for rel in ["DUPONT Marie/veille.docx", "DUPONT Marie/sous-dossier/plan.odt", "MARTIN Paul/fidelisation.pdf",
                "DURAND_Lea_veille.docx", "Lea Durand - plan.docx", "veille.docx",
                "DUPONT Marie/~$veille.docx", "MARTIN Paul/.~lock.fidelisation.pdf#", "notes.txt",
                ".DS_Store", "MARTIN Paul/photo.jpg", "rapports/rapport-classe.html"]:
        p = cls / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x")
    disc = discover(cls, PACK, exclude=[cls / "rapports"])
    assert disc.layout == "mixed"
    got = {c.name: [f.name for f in c.files] for c in disc.candidates}
    assert got == {
        "DUPONT Marie": ["DUPONT Marie/sous-dossier/plan.odt", "DUPONT Marie/veille.docx"],
        "DURAND Lea": ["DURAND_Lea_veille.docx", "Lea Durand - plan.docx"],
        "MARTIN Paul": ["MARTIN Paul/fidelisation.pdf"],
    }
    reasons = {s.path: s.reason for s in disc.skipped}
    assert "fichier temporaire" in reasons["DUPONT Marie/~$veille.docx"]
    assert "fichier temporaire" in reasons["MARTIN Paul/.~lock.fidelisation.pdf#"]
    assert reasons["notes.txt"].startswith("pas un document")
    assert reasons["MARTIN Paul/photo.jpg"].startswith("pas un document")
    assert reasons[".DS_Store"] == "fichier caché"
    assert reasons["veille.docx"] == "nom du candidat introuvable dans le nom du fichier"
    assert reasons["rapports/"] == "dossier des rapports"


def test_mixed_layout_merges_a_file_named_after_a_folder_candidate(tmp_path):
    cls = tmp_path / "classe"
    for rel in ["Dupont Marie/veille.docx", "DUPONT_Marie_fidelisation.pdf", "MARTIN_Paul_veille.docx"]:
        p = cls / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x")
    disc = discover(cls, PACK)
    got = {c.name: sorted(f.name for f in c.files) for c in disc.candidates}
    assert got == {"Dupont Marie": ["DUPONT_Marie_fidelisation.pdf", "Dupont Marie/veille.docx"],
                   "MARTIN Paul": ["MARTIN_Paul_veille.docx"]}


# --------------------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def folder_class(tmp_path_factory):
    """Three candidates, one subfolder each: Marie complete, Paul copies Marie's
    veille and has a broken file, Léa has one original document only."""
    root = tmp_path_factory.mktemp("classe") / "BTS-2026"
    veille = md_paragraphs("ntc-veille")
    counts = {
        "marie_veille": make_docx(root / "DUPONT Marie" / "veille.docx", veille),
        "marie_plan": make_docx(root / "DUPONT Marie" / "plan-actions.docx", md_paragraphs("ntc-plan-actions")),
        "marie_fid": make_docx(root / "DUPONT Marie" / "fidelisation.docx", md_paragraphs("ntc-fidelisation")),
        "paul_veille": make_docx(root / "MARTIN Paul" / "ma veille.docx", edited_copy(veille)),
        "paul_fid": make_docx(root / "MARTIN Paul" / "fidelisation.docx", md_paragraphs("cc-fidelisation")),
        "lea_veille": make_docx(root / "DURAND Léa" / "veille.docx", md_paragraphs("cc-veille")),
    }
    (root / "MARTIN Paul" / "plan-actions.docx").write_bytes(b"PK\x03\x04 this is not a real zip")
    (root / "DUPONT Marie" / "~$veille.docx").write_bytes(b"lock")
    (root / "notes.txt").write_text("à faire", encoding="utf-8")
    out = root.parent / "rapports"
    code, output = run(["batch", str(root), "--title", "ntc", "--session", "titre", "-o", str(out),
                        "--no-layout", "--jobs", "1"])
    return root, out, counts, code, output


def test_class_report_files_and_exit_code(folder_class):
    root, out, counts, code, output = folder_class
    assert code == 1  # Paul and Léa are not ready
    assert (out / "rapport-classe.html").is_file()
    assert (out / "synthese.csv").is_file()
    names = sorted(p.name for p in (out / "candidats").iterdir())
    assert names == ["DUPONT_Marie.html", "DUPONT_Marie.json", "DURAND_Lea.html", "DURAND_Lea.json",
                     "MARTIN_Paul.html", "MARTIN_Paul.json"]
    assert not [p for p in out.iterdir() if p.name.startswith(".dossier-check")], "no temporary folder left"
    # Summary on stdout: verdicts, the skipped files and the similar pair.
    assert re.search(r"DUPONT Marie\s+✓ prêt", output)
    assert re.search(r"MARTIN Paul\s+✗ non prêt.*Plan d'actions\u00a0: fichier endommagé", output)
    assert "DUPONT Marie/~$veille.docx" in output and "notes.txt" in output


def test_json_per_candidate_is_report_v1(folder_class):
    root, out, counts, *_ = folder_class
    marie = json.loads((out / "candidats" / "DUPONT_Marie.json").read_text(encoding="utf-8"))
    assert marie["schema"] == "dossier-check/report/v1"
    assert marie["candidate"] == "DUPONT Marie"
    assert marie["title"] == "ntc" and marie["session"] == "titre"
    assert marie["compliant"] is True
    by_comp = {d["competence"]: d for d in marie["documents"]}
    assert set(by_comp) == {"veille", "plan-actions", "fidelisation"}
    assert by_comp["veille"]["characters"]["counted"] == counts["marie_veille"]
    assert by_comp["plan-actions"]["characters"]["counted"] == counts["marie_plan"]
    lea = json.loads((out / "candidats" / "DURAND_Lea.json").read_text(encoding="utf-8"))
    assert lea["compliant"] is False
    assert sorted(lea["dossier"]["missing"]) == ["fidelisation", "plan-actions"]


def test_broken_file_is_reported_in_its_row_and_the_rest_is_checked(folder_class):
    root, out, counts, *_ = folder_class
    rows = read_csv(out / "synthese.csv")
    paul = {r["fichier"]: r for r in rows if r["candidat"] == "MARTIN Paul"}
    broken = paul["MARTIN Paul/plan-actions.docx"]
    assert broken["conforme"] == "non"
    assert "corrupt-file" in broken["erreurs"] or "unsupported-format" in broken["erreurs"]
    assert broken["caracteres_comptes"] == ""
    assert broken["messages"]  # the French explanation is in the row
    assert paul["MARTIN Paul/ma veille.docx"]["caracteres_comptes"] == str(counts["paul_veille"])
    assert paul["MARTIN Paul/fidelisation.docx"]["caracteres_comptes"] == str(counts["paul_fid"])


def test_csv_columns_and_rows(folder_class):
    root, out, counts, *_ = folder_class
    raw = (out / "synthese.csv").read_bytes()[3:].decode("utf-8")
    assert raw.splitlines()[0] == ";".join(COLUMNS)
    assert "\r\n" in raw
    rows = read_csv(out / "synthese.csv")
    marie = [r for r in rows if r["candidat"] == "DUPONT Marie"]
    assert {r["competence"] for r in marie} == {"veille", "plan-actions", "fidelisation"}
    assert all(r["conforme"] == "oui" and r["dossier_conforme"] == "oui" for r in marie)
    veille = next(r for r in marie if r["competence"] == "veille")
    assert veille["caracteres_comptes"] == str(counts["marie_veille"])
    assert (veille["caracteres_min"], veille["caracteres_max"], veille["pages_min"], veille["pages_max"]) == \
        ("7000", "12000", "3", "8")
    # A missing document has its own row.
    lea_missing = [r for r in rows if r["candidat"] == "DURAND Léa" and r["fichier"] == ""]
    assert sorted(r["competence"] for r in lea_missing) == ["fidelisation", "plan-actions"]
    assert all(r["erreurs"] == "document-missing" and r["conforme"] == "non" for r in lea_missing)


def test_near_identical_documents_are_flagged_different_ones_not(folder_class):
    root, out, counts, code, output = folder_class
    html = (out / "rapport-classe.html").read_text(encoding="utf-8")
    section = html.split('id="similaires"', 1)[1].split('id="detail"', 1)[0]
    # One pair: Marie's and Paul's veille. Léa's veille (another text) is not flagged.
    assert section.count('class="pair"') == 1
    assert "DUPONT Marie (DUPONT Marie/veille.docx) et MARTIN Paul (MARTIN Paul/ma veille.docx)" in section
    assert "Durand" not in section and "DURAND" not in section
    assert "Passages très similaires" in html
    assert "plagiat" not in html.lower()
    # Shared passages are quoted verbatim from the document (at least 30 words each here).
    import html as html_lib

    quotes = [html_lib.unescape(q).strip("«»\u00a0 ").removesuffix(" […]")
              for q in re.findall(r"<blockquote>(.*?)</blockquote>", section, re.S)]
    original = " ".join(t for _k, t in md_paragraphs("ntc-veille"))
    assert quotes and all(len(q.split()) >= 30 and q in original for q in quotes)
    assert re.search(r"MARTIN Paul \(MARTIN Paul/ma veille.docx\)\u00a0: \d+\u202f% en commun", output)
    rows = read_csv(out / "synthese.csv")
    paul_veille = next(r for r in rows if r["fichier"] == "MARTIN Paul/ma veille.docx")
    assert paul_veille["passages_similaires"].startswith("DUPONT Marie (DUPONT Marie/veille.docx)")
    lea = next(r for r in rows if r["fichier"] == "DURAND Léa/veille.docx")
    assert lea["passages_similaires"] == ""


def test_class_html_summary_and_candidate_html_privacy(folder_class):
    root, out, counts, *_ = folder_class
    html = (out / "rapport-classe.html").read_text(encoding="utf-8")
    summary = html.split('id="synthese"', 1)[1].split("</table>", 1)[0]
    assert summary.count("<svg") == 2 * 6  # a pages and a characters gauge per readable document
    assert "✗ absent" in summary  # Léa's missing documents
    assert '<a href="candidats/DUPONT_Marie.html">' in summary
    assert "<script" not in html and "<link" not in html and 'src="http' not in html
    marie = (out / "candidats" / "DUPONT_Marie.html").read_text(encoding="utf-8")
    assert "✓ dossier conforme" in marie
    assert "MARTIN" not in marie and "Léa" not in marie and "similaires" not in marie


def test_flat_layout_all_compliant_exit_0_and_warm_cache(tmp_path):
    cls = tmp_path / "envois"
    make_docx(cls / "DUPONT_Marie_veille.docx", md_paragraphs("ntc-veille"))
    make_docx(cls / "DUPONT_Marie_plan_actions.docx", md_paragraphs("ntc-plan-actions"))
    make_docx(cls / "Marie Dupont - fidelisation.docx", md_paragraphs("ntc-fidelisation"))
    out = tmp_path / "out"
    args = ["batch", str(cls), "-t", "ntc", "-s", "titre", "-o", str(out), "--no-layout", "--jobs", "1"]
    code, output = run(args)
    assert code == 0, output
    assert "1 candidat, 3 fichiers (noms des candidats dans les noms de fichiers)" in output
    assert "← DUPONT_Marie_plan_actions.docx, DUPONT_Marie_veille.docx, Marie Dupont - fidelisation.docx" in output
    assert "3 fichiers vérifiés, 0 repris du cache" in output
    first_csv = (out / "synthese.csv").read_bytes()
    code2, output2 = run(args)
    assert code2 == 0
    assert "0 fichier vérifié, 3 repris du cache" in output2
    assert (out / "synthese.csv").read_bytes() == first_csv
    # --no-cache checks everything again.
    code3, output3 = run(args + ["--no-cache"])
    assert "3 fichiers vérifiés, sans cache" in output3
    # cache info and cache clear.
    info = run(["cache", "info"])[1]
    assert "3 entrées" in info and "batch" in info
    code4, output4 = run(["cache", "clear"])
    assert code4 == 0 and "3 entrées supprimées" in output4
    assert "0 fichier vérifié" not in run(args)[1]


def test_interrupted_write_keeps_previous_reports(folder_class, monkeypatch):
    from dossier_check import batch as batch_mod
    from dossier_check.report import html as html_mod

    root, out, *_ = folder_class
    before = (out / "rapport-classe.html").read_bytes()
    before_candidates = sorted(p.name for p in (out / "candidats").iterdir())

    class FakeResult:  # write_outputs needs only what the renderers use
        candidates = []

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(html_mod, "render_class", boom)
    with pytest.raises(KeyboardInterrupt):
        batch_mod.write_outputs(FakeResult(), out)
    assert (out / "rapport-classe.html").read_bytes() == before
    assert sorted(p.name for p in (out / "candidats").iterdir()) == before_candidates
    assert not [p for p in out.iterdir() if p.name.startswith(".dossier-check")]


def test_usage_errors_exit_2(tmp_path):
    from dossier_check.cli import main

    blocker = tmp_path / "fichier"
    blocker.write_text("x")
    (tmp_path / "cls" / "DUPONT Marie").mkdir(parents=True)
    (tmp_path / "cls" / "DUPONT Marie" / "veille.docx").write_bytes(b"not a docx")
    with pytest.raises(SystemExit) as exc:  # the output folder cannot be created: a file is in the way
        main(["batch", str(tmp_path / "cls"), "-t", "ntc", "-s", "titre", "--no-layout", "--jobs", "1",
              "-o", str(blocker / "rapports")])
    assert exc.value.code == 2

    (tmp_path / "vide").mkdir()
    (tmp_path / "vide" / "notes.txt").write_text("rien")
    for args in (["batch", str(tmp_path / "vide"), "-t", "ntc", "-s", "titre"],
                 ["batch", str(tmp_path / "vide"), "-t", "xyz", "-s", "titre"],
                 ["batch", str(tmp_path / "absent"), "-t", "ntc", "-s", "titre"]):
        with pytest.raises(SystemExit) as exc:
            main(args)
        assert exc.value.code == 2


@pytest.mark.layout
def test_libreoffice_pages_in_batch(tmp_path):
    from dossier_check.layout import find_soffice

    if find_soffice() is None:
        pytest.skip("LibreOffice not installed")
    cls = tmp_path / "classe"
    make_docx(cls / "DUPONT Marie" / "veille.docx", md_paragraphs("ntc-veille"))
    make_docx(cls / "MARTIN Paul" / "veille.docx", md_paragraphs("cc-veille"))
    out = tmp_path / "out"
    code, output = run(["batch", str(cls), "-t", "ntc", "-s", "titre", "-o", str(out), "--jobs", "2"])
    assert code == 1  # two documents missing for each
    assert "LibreOffice\u00a0: LibreOffice" in output
    for slug in ("DUPONT_Marie", "MARTIN_Paul"):
        rep = json.loads((out / "candidats" / f"{slug}.json").read_text(encoding="utf-8"))
        pages = rep["documents"][0]["pages"]
        assert pages["source"] == "layout" and pages["total"] >= 3


def test_ctrl_c_stops_cleanly_without_a_half_written_report(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    cls = tmp_path / "classe"
    for i, name in enumerate(["ntc-veille", "ntc-plan-actions", "ntc-fidelisation", "cc-veille"]):
        make_docx(cls / f"CANDIDAT{i} Test" / f"{name}.docx", md_paragraphs(name))
    out = tmp_path / "out"
    env = dict(os.environ, DOSSIER_CHECK_CACHE_DIR=str(tmp_path / "cache"))
    proc = subprocess.Popen([sys.executable, "-m", "dossier_check.cli", "batch", str(cls), "-t", "ntc", "-s", "titre",
                             "-o", str(out), "--no-layout", "--jobs", "2"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT, start_new_session=True)
    first = proc.stdout.readline()  # printed once the class is discovered, before any check
    assert first.startswith("Classe «")
    time.sleep(1.0)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole process group
    try:
        _out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    assert proc.returncode == 130, err
    assert "Interrompu\u00a0: aucun nouveau rapport n'a été écrit" in err
    assert "Traceback" not in err
    assert not (out / "rapport-classe.html").exists() and not (out / "synthese.csv").exists()
    assert not out.exists() or not [p for p in out.iterdir() if p.name.startswith(".dossier-check")]
    # No worker process is left behind.
    for _ in range(50):
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("worker processes still running after Ctrl-C")


def test_compare_with_former_sessions(tmp_path):
    cls = tmp_path / "classe"
    make_docx(cls / "DURAND Léa" / "veille.docx", md_paragraphs("cc-veille"))
    make_docx(cls / "MARTIN Paul" / "veille.docx", md_paragraphs("ntc-veille"))
    former = tmp_path / "archives-2025"
    make_docx(former / "promo-2025" / "ancien-veille.docx", edited_copy(md_paragraphs("ntc-veille")))
    make_docx(former / "autre.docx", md_paragraphs("ntc-fidelisation"))
    out = tmp_path / "out"
    code, output = run(["batch", str(cls), "-t", "ntc", "-s", "titre", "-o", str(out), "--no-layout", "--jobs", "1",
                        "--compare-with", str(former)])
    assert re.search(r"MARTIN Paul \(MARTIN Paul/veille.docx\) et session précédente "
                     r"\(archives-2025/promo-2025/ancien-veille.docx\)\u00a0: \d+\u202f% en commun", output)
    assert "DURAND Léa (" not in output.split("Passages très similaires", 1)[1]
    html = (out / "rapport-classe.html").read_text(encoding="utf-8")
    assert "un document d'une session précédente (archives-2025/promo-2025/ancien-veille.docx)" in html
    assert "2 documents de sessions précédentes ont aussi été comparés" in html


def test_an_internal_failure_on_one_file_costs_one_row(tmp_path, monkeypatch):
    from dossier_check import batch as batch_mod

    real = batch_mod.finish_file

    def flaky(name, *a, **k):
        if "plan" in name:
            raise RuntimeError("bug")
        return real(name, *a, **k)

    monkeypatch.setattr(batch_mod, "finish_file", flaky)
    cls = tmp_path / "classe"
    make_docx(cls / "DUPONT Marie" / "veille.docx", md_paragraphs("ntc-veille"))
    make_docx(cls / "DUPONT Marie" / "plan-actions.docx", md_paragraphs("ntc-plan-actions"))
    out = tmp_path / "out"
    code, output = run(["batch", str(cls), "-t", "ntc", "-s", "titre", "-o", str(out), "--no-layout", "--jobs", "1"])
    assert code == 1
    rows = {r["fichier"]: r for r in read_csv(out / "synthese.csv")}
    assert rows["DUPONT Marie/plan-actions.docx"]["erreurs"] == "corrupt-file"
    assert "erreur interne" in rows["DUPONT Marie/plan-actions.docx"]["messages"]
    assert rows["DUPONT Marie/veille.docx"]["conforme"] == "oui"
    # The failure is not cached: fixed tool, right result on the next run.
    monkeypatch.setattr(batch_mod, "finish_file", real)
    run(["batch", str(cls), "-t", "ntc", "-s", "titre", "-o", str(out), "--no-layout", "--jobs", "1"])
    rows = {r["fichier"]: r for r in read_csv(out / "synthese.csv")}
    assert rows["DUPONT Marie/plan-actions.docx"]["erreurs"] == ""


def test_libreoffice_version_is_remembered(tmp_path, monkeypatch):
    from dossier_check import batch as batch_mod
    from dossier_check import layout

    prog = tmp_path / "soffice"
    prog.write_text("#!/bin/sh\necho LibreOffice 9.9\n")
    calls = []
    monkeypatch.setattr(layout, "soffice_version", lambda s: calls.append(s) or "LibreOffice 9.9")
    assert batch_mod._lo_version(str(prog), tmp_path / "c") == "LibreOffice 9.9"
    assert batch_mod._lo_version(str(prog), tmp_path / "c") == "LibreOffice 9.9"
    assert len(calls) == 1
    prog.write_text("#!/bin/sh\necho LibreOffice 10.0 upgraded\n")  # an upgrade changes size and time
    monkeypatch.setattr(layout, "soffice_version", lambda s: calls.append(s) or "LibreOffice 10.0")
    assert batch_mod._lo_version(str(prog), tmp_path / "c") == "LibreOffice 10.0"
    assert batch_mod._lo_version(str(prog), tmp_path / "c", use_cache=False) == "LibreOffice 10.0"
    assert len(calls) == 3


def test_a_judge_failure_on_one_candidate_does_not_stop_the_class(tmp_path, monkeypatch):
    from dossier_check import judge

    real = judge.build_report

    def flaky(pack, session, results, options=None):
        if any("MARTIN" in r.name for r in results):
            raise ValueError("bug")
        return real(pack, session, results, options)

    monkeypatch.setattr(judge, "build_report", flaky)
    cls = tmp_path / "classe"
    make_docx(cls / "DUPONT Marie" / "veille.docx", md_paragraphs("ntc-veille"))
    make_docx(cls / "MARTIN Paul" / "veille.docx", md_paragraphs("cc-veille"))
    out = tmp_path / "out"
    code, output = run(["batch", str(cls), "-t", "ntc", "-s", "titre", "-o", str(out), "--no-layout", "--jobs", "1"])
    assert code == 1
    paul = json.loads((out / "candidats" / "MARTIN_Paul.json").read_text(encoding="utf-8"))
    assert paul["compliant"] is False and paul["dossier"]["problems"][0]["code"] == "internal-error"
    marie = json.loads((out / "candidats" / "DUPONT_Marie.json").read_text(encoding="utf-8"))
    assert marie["documents"][0]["characters"]["counted"] > 7000


def test_class_built_from_the_sample_files_both_layouts(tmp_path):
    """The generated samples (DOCX, ODT, PDF) in a mixed class folder: flat names for
    Marie, a subfolder for Paul; counts as in samples/expected.json."""
    import shutil

    expected_path = ROOT / "samples" / "expected.json"
    if not expected_path.is_file():
        pytest.skip("samples not generated")
    expected = json.loads(expected_path.read_text(encoding="utf-8"))["files"]
    cls = tmp_path / "classe"
    cls.mkdir()
    plan = {
        "DUPONT_Marie_veille.docx": "ntc/conforme/ntc-veille.docx",
        "DUPONT_Marie_plan_actions.odt": "ntc/conforme/ntc-plan-actions.odt",
        "DUPONT_Marie_fidelisation.pdf": "ntc/conforme/ntc-fidelisation.pdf",
        "MARTIN Paul/veille.pdf": "ntc/conforme/ntc-veille.pdf",
        "MARTIN Paul/plan-actions.docx": "non-conformes/ntc-plan-actions-trop-court.docx",
        "MARTIN Paul/fidelisation.odt": "non-conformes/ntc-fidelisation-trop-de-pages.odt",
    }
    for dst, src in plan.items():
        if not (ROOT / "samples" / src).is_file():
            pytest.skip(f"sample {src} missing")
        (cls / dst).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / "samples" / src, cls / dst)
    out = tmp_path / "out"
    code, output = run(["batch", str(cls), "-t", "ntc", "-s", "titre", "-o", str(out), "--no-layout", "--jobs", "1"])
    assert code == 1
    assert "2 candidats, 6 fichiers (sous-dossiers et noms de fichiers)" in output
    rows = {r["fichier"]: r for r in read_csv(out / "synthese.csv")}
    assert set(rows) == set(plan)
    for dst, src in plan.items():
        exp = expected[src]
        got = int(rows[dst]["caracteres_comptes"])
        want = exp["characters"]["counted"]
        if src.endswith(".pdf"):
            assert abs(got - want) <= want * 0.01, (dst, got, want)
        else:
            assert got == want, (dst, got, want)
    assert rows["MARTIN Paul/plan-actions.docx"]["caracteres_ok"] == "non"
    assert "chars-too-few" in rows["MARTIN Paul/plan-actions.docx"]["erreurs"]
    marie = [r for r in rows.values() if r["candidat"] == "DUPONT Marie"]
    assert len(marie) == 3 and all(r["dossier_conforme"] == "oui" for r in marie)
    assert {r["competence"] for r in marie} == {"veille", "plan-actions", "fidelisation"}


def test_identical_files_are_checked_once_and_flagged(tmp_path):
    import shutil

    cls = tmp_path / "classe"
    make_docx(cls / "DUPONT Marie" / "veille.docx", md_paragraphs("ntc-veille"))
    (cls / "MARTIN Paul").mkdir()
    shutil.copyfile(cls / "DUPONT Marie" / "veille.docx", cls / "MARTIN Paul" / "veille-paul.docx")
    out = tmp_path / "out"
    code, output = run(["batch", str(cls), "-t", "ntc", "-s", "titre", "-o", str(out), "--no-layout", "--jobs", "1"])
    assert "1 fichier vérifié, 0 repris du cache" in output
    rows = {r["fichier"]: r for r in read_csv(out / "synthese.csv")}
    a, b = rows["DUPONT Marie/veille.docx"], rows["MARTIN Paul/veille-paul.docx"]
    assert a["caracteres_comptes"] == b["caracteres_comptes"] != ""
    assert b["passages_similaires"].startswith("DUPONT Marie (DUPONT Marie/veille.docx) 100\u202f%")


def test_session_without_production_says_so(tmp_path):
    cls = tmp_path / "classe"
    make_docx(cls / "DUPONT Marie" / "veille.docx", md_paragraphs("ntc-veille"))
    out = tmp_path / "out"
    code, output = run(["batch", str(cls), "-t", "ntc", "-s", "ccp2", "-o", str(out), "--no-layout", "--jobs", "1"])
    assert code == 1
    assert "ne comporte pas de production écrite" in output.splitlines()[1]
    assert "document non attendu" in output
    rows = read_csv(out / "synthese.csv")
    assert [r["erreurs"] for r in rows] == ["unexpected-document"]
