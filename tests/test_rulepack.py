"""Rule packs: the shipped ones match competences.md; errors name file and line."""
import pytest

from dossier_check.rulepack import RulePackError, builtin_packs, load_pack, parse_pack


def test_shipped_packs_have_the_catalogue_ids():
    packs = builtin_packs()
    ntc, cc = packs["ntc"], packs["cc"]
    assert (ntc.code, ntc.millesime, cc.code, cc.millesime) == ("TP-00338", "06", "TP-00115", "08")
    assert ntc.sessions["titre"].documents == ("veille", "plan-actions", "fidelisation")
    assert ntc.sessions["ccp2"].documents == ()
    assert cc.sessions["titre"].documents == ("veille", "plan-actions", "prospection-distance", "fidelisation")
    assert cc.sessions["ccp1"].documents == ("veille", "plan-actions", "prospection-distance")
    assert cc.sessions["ccp2"].documents == ("fidelisation",)
    assert cc.sessions["titre"].company_experience_min == 2
    assert cc.sessions["ccp2"].company_experience_per_document
    ids = lambda p, c: [e.id for e in p.competences[c].elements]  # noqa: E731
    assert ids(ntc, "veille") == ["objectifs", "etapes", "actions", "durees", "moyens", "resultats",
                                  "service-commercial", "systeme-veille", "sources", "concurrents",
                                  "selection-sources"]
    assert ids(cc, "plan-actions") == ["action-menee", "moyens", "resultats", "cas-precis", "plan-action",
                                       "politique-commerciale", "specificites-clients", "etapes", "actions",
                                       "durees"]
    # resultats once in a cc prospection-distance document
    assert ids(cc, "prospection-distance").count("resultats") == 1
    for p in packs.values():
        assert (p.pages.min, p.pages.max, p.characters.min, p.characters.max) == (3, 8, 7000, 12000)


MINIMAL = """\
schema: dossier-check/rules/v1
title: {id: tpx, name: Titre X, code: TP-99999, millesime: "01"}
length:
  pages: {min: 2, max: 5}
  characters: {min: 3000, max: 6000}
sessions:
  - id: titre
    name: session du titre
    documents: [rapport]
competences:
  - id: rapport
    name: Rédiger un rapport
    source: « Le candidat rédige un rapport. »
    elements:
      - id: contexte
        label: Contexte
        advice: Présentez le contexte.
"""


def test_a_trainer_pack_for_another_title_loads(tmp_path):
    f = tmp_path / "tpx.yaml"
    f.write_text(MINIMAL, encoding="utf-8")
    p = load_pack(f)
    assert (p.id, p.pages.max, p.characters.min) == ("tpx", 5, 3000)
    assert [e.id for e in p.competences["rapport"].elements] == ["contexte"]


@pytest.mark.parametrize("broken, line, words", [
    (MINIMAL.replace("documents: [rapport]", "documents: [rapport, annexe]"), 9, "« annexe » inconnu"),
    (MINIMAL.replace("        label: Contexte\n", ""), 15, "« label » absente"),
    (MINIMAL.replace("max: 5", "max: 1"), 4, "min ≤ max"),
    (MINIMAL.replace("  - id: rapport\n    name: Rédiger", "  - id: rapport\n    name: [Rédiger"), 12, "YAML invalide"),
])
def test_errors_name_file_line_and_fault(tmp_path, broken, line, words):
    f = tmp_path / "tpx.yaml"
    f.write_text(broken, encoding="utf-8")
    with pytest.raises(RulePackError) as e:
        load_pack(f)
    msg = str(e.value)
    assert str(f) in msg and f"ligne {line}" in msg and words in msg


def test_wrong_schema_is_refused():
    with pytest.raises(RulePackError, match="schema"):
        parse_pack("schema: other\n", "x.yaml")
