"""The analyser's API as the pipeline uses it: caching, batches, huge texts, a trainer's own pack."""
from __future__ import annotations

import pytest

from dossier_check.analyse import get_analyser
from dossier_check.analyse.patterns import DetectError, validate_detect
from dossier_check.analyse.results import MISSING, PRESENT, WEAK
from dossier_check.analyse.textdoc import blocks_from_text, counted_chars
from dossier_check.model import Block, BlockKind
from dossier_check.rulepack import builtin_packs, parse_pack

NTC = builtin_packs()["ntc"]


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    """Packs that are not built in keep their lemmas in the user's cache: not during tests."""
    monkeypatch.setenv("DOSSIER_CHECK_CACHE_DIR", str(tmp_path / "cache"))
TEXT = ("# Les objectifs\nMon objectif : signer 6 commandes en huit semaines, du 12 janvier au 6 mars.\n"
        "# Les résultats obtenus\nNous avons obtenu 7 commandes pour un objectif de 6.\n")


def test_analyser_is_built_once_per_pack_and_batches_equal_single_calls():
    an = get_analyser(NTC)
    assert get_analyser(builtin_packs()["ntc"]) is an
    b1 = blocks_from_text(TEXT)
    b2 = blocks_from_text("# Le système de veille\nJ'ai mis en place des alertes Google.")
    single = [an.analyse(b1, counted_chars(b1)), an.analyse(b2, counted_chars(b2))]
    assert an.analyse_many([(b1, counted_chars(b1)), (b2, counted_chars(b2))]) == single
    assert an.analyse([], 0).elements["veille"][0].status == MISSING


def test_huge_text_is_cut_with_a_note_and_keeps_its_outline():
    para = "Nous avons obtenu 7 commandes pour un objectif de 6 grâce au CRM. " * 300  # 20 100 chars
    blocks = [Block(BlockKind.HEADING, "Résultats", level=1)] + [Block(BlockKind.PARAGRAPH, para)] * 10
    fa = get_analyser(NTC).analyse(blocks, counted_chars(blocks))
    assert fa.notes == ["Texte très long\u00a0: seuls les 150\u00a0000 premiers caractères ont été analysés "
                        "pour les éléments attendus."]
    assert fa.outline[0].characters == counted_chars(blocks)
    assert next(r for r in fa.elements["veille"] if r.id == "resultats").status == PRESENT


PACK = """
schema: dossier-check/rules/v1
title: {id: demo, name: Titre de démonstration, code: TP-0, millesime: "01"}
length: {source: « … », pages: {min: 3, max: 8}, characters: {min: 7000, max: 12000}}
sessions:
  - {id: titre, name: session du titre, documents: [vente]}
detect:
  patterns:
    panier:
      weight: 2
      tokens:
        - [{LEMMA: panier}, {LOWER: moyen}]
competences:
  - id: vente
    name: Vendre
    source: « Le candidat décrit sa vente et le panier moyen obtenu. »
    detect: {phrases: [vente]}
    elements:
      - id: panier
        label: Panier moyen
        advice: Donnez le panier moyen.
        detect: {headings: [panier moyen], patterns: [panier]}
"""


def test_a_trainers_pack_compiles_without_cache():
    pack = parse_pack(PACK, "demo.yaml")
    assert validate_detect(pack) == []
    fa = get_analyser(pack).analyse(blocks_from_text("Le PANIER MOYEN atteint 45 €."), 28)
    (r,) = fa.elements["vente"]
    assert r.status != MISSING and r.evidence[0].text == "Le PANIER MOYEN atteint 45 €."
    fa = get_analyser(pack).analyse(blocks_from_text("Rien à voir."), 12)
    assert fa.elements["vente"][0].advice == (
        "Donnez le panier moyen. Le référentiel demande\u00a0: «\u00a0Le candidat décrit sa vente et le panier "
        "moyen obtenu\u00a0». Expressions cherchées sans succès\u00a0: «\u00a0panier moyen\u00a0».")


@pytest.mark.parametrize("bad, message", [
    ("detect: {headings: [panier moyen], patterns: [inconnu]}", "motif « inconnu » inconnu"),
    ("detect: {titres: [panier]}", "clé inconnue « titres »"),
    ("detect: {}", "aucune expression à chercher"),
    ("detect: {phrases: [panier], substance: {patterns: [inconnu]}}", "substance.patterns : motif « inconnu »"),
    ("detect: {phrases: [panier], substance: {phrases: [€], scope: partout}}", "« near » ou « document »"),
    ("detect: {phrases: [panier], substance: {phrases: [€], min: 0}}", "substance.min : au moins 1"),
    ("detect: {phrases: [panier], substance: {hint: Chiffrez.}}", "aucune expression (phrases, patterns ou lists)"),
])
def test_bad_detect_entries_are_explained_in_french(bad, message):
    pack = parse_pack(PACK.replace("detect: {headings: [panier moyen], patterns: [panier]}", bad), "demo.yaml")
    errors = validate_detect(pack)
    assert len(errors) == 1 and message in errors[0] and "élément « panier » (vente)" in errors[0]
    with pytest.raises(DetectError):
        from dossier_check.analyse.analyser import Analyser

        Analyser(pack)


def test_a_weak_element_without_its_substance_is_missing_with_the_packs_hint():
    det = 'detect: {phrases: [panier moyen], substance: {phrases: ["€", euros], hint: "Le panier moyen n\'est pas chiffré."}}'
    pack = parse_pack(PACK.replace("detect: {headings: [panier moyen], patterns: [panier]}", det), "demo3.yaml")
    an = get_analyser(pack)
    (r,) = an.analyse(blocks_from_text("Le panier moyen a beaucoup progressé."), 37).elements["vente"]
    assert r.status == MISSING and r.evidence[0].text == "Le panier moyen a beaucoup progressé."
    assert r.advice.endswith("Le panier moyen n'est pas chiffré.")
    (r,) = an.analyse(blocks_from_text("Le panier moyen a progressé jusqu'à 45 €."), 41).elements["vente"]
    assert r.status == WEAK


def test_a_trainers_pack_is_lemmatised_once_then_read_from_the_user_cache(tmp_path, monkeypatch):
    from dossier_check.analyse import patterns as P
    from dossier_check.analyse.analyser import Analyser

    monkeypatch.setenv("DOSSIER_CHECK_CACHE_DIR", str(tmp_path))
    pack = parse_pack(PACK.replace("Donnez le panier moyen.", "Donnez le panier moyen obtenu."), "demo2.yaml")
    first = Analyser(pack)
    cached = tmp_path / f"phrases-{pack.sha256[:16]}.json"
    assert cached.is_file()
    calls = []
    monkeypatch.setattr(P, "lemmatise_phrases", lambda phrases: calls.append(phrases) or {})
    second = Analyser(pack)
    assert calls == []
    blocks = blocks_from_text("Le panier moyen atteint 45 €.")
    assert first.analyse(blocks, 28) == second.analyse(blocks, 28)


def test_a_patterns_not_after_words_veto_the_match():
    """« sous 48 heures » is a lead time: a pack says so with ``not_after``, on folded words."""
    pattern = "    panier:\n      weight: 2\n      tokens:\n        - [{LEMMA: panier}, {LOWER: moyen}]\n"
    vetoed = pattern.replace("      weight: 2\n", "      weight: 2\n      not_after: [hors, à peine]\n")
    pack = parse_pack(PACK.replace(pattern, vetoed).replace("headings: [panier moyen], ", ""), "demo4.yaml")
    an = get_analyser(pack)

    def status(text):
        return an.analyse(blocks_from_text(text), len(text)).elements["vente"][0].status

    assert status("Le panier moyen a progressé.") != MISSING
    assert status("Hors panier moyen, rien ne change.") == MISSING
    assert status("Nous parlons À PEINE panier moyen.") == MISSING


def test_an_unknown_key_in_a_token_pattern_is_explained():
    pack = parse_pack(PACK.replace("      weight: 2\n", "      weight: 2\n      apres: [sous]\n"), "demo5.yaml")
    assert validate_detect(pack) == ["detect.patterns.panier : clé inconnue « apres » "
                                     "(attendu : not_after, tokens, weight)"]
