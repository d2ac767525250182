"""Which competence is each file: user, confident content, file name, one-to-one, duplicates."""
from __future__ import annotations

from dossier_check.analyse.assign import AssignInput, assign, filename_competence
from dossier_check.analyse.results import FileAnalysis
from dossier_check.rulepack import builtin_packs

NTC = builtin_packs()["ntc"]
CC = builtin_packs()["cc"]


def fa(scores: dict, confident: bool = True) -> FileAnalysis:
    best = max(scores, key=scores.get) if scores else None
    return FileAnalysis(scores=scores, best=best, confident=confident, elements={}, company_experience=None)


VEILLE = fa({"veille": 0.95, "plan-actions": 0.3, "fidelisation": 0.2})
PLAN = fa({"veille": 0.3, "plan-actions": 0.9, "fidelisation": 0.4})
FIDEL = fa({"veille": 0.2, "plan-actions": 0.4, "fidelisation": 1.0})
VAGUE = fa({"veille": 0.35, "plan-actions": 0.33, "fidelisation": 0.3}, confident=False)


def test_filename_hints_are_accent_and_case_insensitive():
    assert filename_competence("Dossier_FIDÉLISATION_v2.docx", NTC) == "fidelisation"
    assert filename_competence("Veille concurrentielle.pdf", NTC) == "veille"
    assert filename_competence("mon-PAC-final.odt", NTC) == "plan-actions"
    assert filename_competence("impact.docx", NTC) is None  # « pac » only as a whole word
    assert filename_competence("production-2.docx", NTC) is None
    assert filename_competence("Téléprospection.docx", CC) == "prospection-distance"


def test_content_beats_filename_and_user_beats_content_with_a_mismatch():
    out, dups = assign([AssignInput("fidelisation.docx", VEILLE, None),
                        AssignInput("doc2.docx", PLAN, "fidelisation")], None, NTC)
    assert (out[0].competence, out[0].source, out[0].mismatch) == ("veille", "content", None)
    assert (out[1].competence, out[1].source, out[1].mismatch) == ("fidelisation", "user", "plan-actions")
    assert dups == []


def test_filename_used_when_content_is_not_confident():
    out, _ = assign([AssignInput("ma-veille.docx", VAGUE, None)], None, NTC)
    assert (out[0].competence, out[0].source) == ("veille", "filename")
    out, _ = assign([AssignInput("document.docx", VAGUE, None)], None, NTC)
    assert (out[0].competence, out[0].source) == ("veille", "content")
    out, _ = assign([AssignInput("document.docx", None, None)], None, NTC)
    assert (out[0].competence, out[0].source) == (None, None)


def test_one_to_one_when_as_many_files_as_expected():
    # two vague files: the one-to-one assignment uses what is left
    v2 = fa({"veille": 0.4, "plan-actions": 0.38, "fidelisation": 0.1}, confident=False)
    v3 = fa({"veille": 0.41, "plan-actions": 0.2, "fidelisation": 0.39}, confident=False)
    inputs = [AssignInput("a.docx", v2, None), AssignInput("b.docx", v3, None), AssignInput("c.docx", VEILLE, None)]
    out, dups = assign(inputs, ["veille", "plan-actions", "fidelisation"], NTC)
    assert [a.competence for a in out] == ["plan-actions", "fidelisation", "veille"]
    assert [a.source for a in out] == ["content", "content", "content"]
    assert dups == []


def test_duplicate_only_on_strong_evidence():
    inputs = [AssignInput("a.docx", VEILLE, None), AssignInput("b.docx", VEILLE, None),
              AssignInput("c.docx", PLAN, None)]
    out, dups = assign(inputs, ["veille", "plan-actions", "fidelisation"], NTC)
    assert [a.competence for a in out] == ["veille", "veille", "plan-actions"]
    assert dups == [("veille", [0, 1])]
    # a vague second file is not called a duplicate: it takes the free slot
    inputs[1] = AssignInput("b.docx", VAGUE, None)
    out, dups = assign(inputs, ["veille", "plan-actions", "fidelisation"], NTC)
    assert [a.competence for a in out] == ["veille", "fidelisation", "plan-actions"]
    assert dups == []


def test_user_given_competences_count_as_strong_for_duplicates():
    inputs = [AssignInput("a.docx", FIDEL, "fidelisation"), AssignInput("b.docx", FIDEL, "fidelisation")]
    out, dups = assign(inputs, ["veille", "plan-actions", "fidelisation"], NTC)
    assert dups == [("fidelisation", [0, 1])]
