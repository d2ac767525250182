"""Quality targets on the hand-labelled set (eval/, see eval/README.md).

Same figures as ``scripts/eval_quality.py``. Targets from issue 3: no element labelled present is
reported missing, competence accuracy 100 %, F1 ≥ 0.90 for detecting missing elements."""
from __future__ import annotations

from pathlib import Path

import pytest

from dossier_check.analyse.quality import evaluate, report

EVAL = Path(__file__).parent.parent / "eval"

pytestmark = pytest.mark.skipif(not (EVAL / "labels.yaml").is_file(), reason="no labelled set")


@pytest.fixture(scope="module")
def quality():
    return evaluate(EVAL)


def test_no_present_element_reported_missing(quality):
    assert quality.false_missing == [], report(quality, verbose=True)


def test_competence_accuracy_is_100_percent(quality):
    assert quality.competence_accuracy == 1.0, report(quality, verbose=True)


def test_company_experience_is_right_on_every_document(quality):
    assert quality.company_accuracy == 1.0, report(quality, verbose=True)


def test_precision_of_missing_is_high(quality):
    # the tool must not cry wolf: what it calls missing is missing
    assert quality.precision >= 0.90, report(quality, verbose=True)


def test_f1_of_missing_elements_reaches_target(quality):
    assert quality.f1 >= 0.90, report(quality, verbose=True)


def test_recall_does_not_regress(quality):
    # the figure measured when this test was written; raise it when recall improves
    assert quality.recall >= 0.83, report(quality, verbose=True)


def test_a_second_set_may_name_its_files_relative_to_eval(tmp_path):
    # eval/README.md: « file: path relative to eval/ »; a set in eval/heldout/ names « heldout/x.txt »
    sub = tmp_path / "eval" / "heldout"
    sub.mkdir(parents=True)
    (sub / "d1.txt").write_text(
        "# Les résultats obtenus\nJ'ai obtenu 12 rendez-vous pour un objectif de 10, soit un taux de 24 %.\n",
        encoding="utf-8")
    (sub / "labels.yaml").write_text(
        "documents:\n  - file: heldout/d1.txt\n    title: cc\n    competence: prospection-distance\n"
        "    elements: {resultats: present, canaux: missing}\n", encoding="utf-8")
    q = evaluate(sub)
    assert (q.documents, q.elements, q.tp, q.fn, q.fp, q.tn) == (1, 2, 1, 0, 0, 1)


def test_no_clearly_present_excerpt_of_the_dev_probe_is_reported_missing():
    """eval/probe/dev-*.yaml: excerpts in which a jury would tick the element without hesitation,
    written in many styles; a « manquant » on any of them is the error users forgive least."""
    from dossier_check.analyse.quality import evaluate_probe, probe_files, probe_report

    p = evaluate_probe(probe_files(EVAL / "probe", "dev"))
    assert p.total >= 400
    missed = {(c["file"], c["element"], c["text"].strip()[:20]) for c in p.missed}
    assert missed <= KNOWN_PROBE_MISSES, probe_report(p, verbose=True)


# Known limits, each a case the keyword detector cannot read (README, « Quality »):
KNOWN_PROBE_MISSES = {
    # sources and reasons written as « type d'information → source : raison », with no word of choice
    ("dev-cc-2.yaml", "selection-sources", "- Tarifs concu → cat"),
    # steps as a table numbered « N° | Ce qui a été fait », without a word of sequence or of step
    ("dev-cc-4.yaml", "etapes", "| N° | Ce qui a été "),
}


def test_most_hollow_sections_of_the_dev_decoys_are_reported_missing():
    """eval/probe/decoy-dev-*.yaml: a heading naming an element over a body that does not give it
    (platitudes, « comme d'habitude », « aucune offre cette fois », « seront définis plus tard »…).
    The figures measured when this test was written (121 of 209 missing, 36 present); a drop means
    a change made hollow sections count again."""
    from dossier_check.analyse.quality import evaluate_probe, probe_files, probe_report

    p = evaluate_probe(probe_files(EVAL / "probe", "decoy-dev"))
    assert p.decoy_total >= 200
    assert p.decoys["missing"] / p.decoy_total >= 0.55, probe_report(p)
    assert p.decoys["present"] / p.decoy_total <= 0.20, probe_report(p)
