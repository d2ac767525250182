"""Outline with lengths, length advice, company experience, merged files."""
from __future__ import annotations

import pytest

from dossier_check.analyse import advise_length, get_analyser
from dossier_check.analyse.textdoc import blocks_from_text, counted_chars
from dossier_check.model import Block, BlockKind
from dossier_check.rulepack import builtin_packs

NTC = builtin_packs()["ntc"]
CC = builtin_packs()["cc"]
NB = "\u00a0"


def analyse(pack, blocks, counted=None):
    return get_analyser(pack).analyse(blocks, counted if counted is not None else counted_chars(blocks))


SERVICE = ("Thermaflux Industrie emploie 38 salariés. Le service commercial compte quatre technico-commerciaux, "
           "deux commerciaux sédentaires et une assistante, sous la responsabilité du directeur commercial. ")
VEILLE = ("J'ai mis en place des alertes Google et un flux RSS ; chaque lundi je complète le tableau de veille "
          "partagé avec l'équipe. ")


def test_outline_sections_characters_shares_and_elements():
    blocks = [
        Block(BlockKind.HEADING, "Le service commercial", level=1, page=3),
        Block(BlockKind.PARAGRAPH, SERVICE * 10, page=3),
        Block(BlockKind.HEADING, "Le système de veille", level=1, page=4),
        Block(BlockKind.HEADING, "Les outils", level=2, page=4),
        Block(BlockKind.PARAGRAPH, VEILLE * 4, page=4),
    ]
    total = counted_chars(blocks)
    fa = analyse(NTC, blocks, total)
    titles = [(s.title, s.level, s.characters, s.page) for s in fa.outline]
    n_service = len("Le service commercial") + len(SERVICE * 10)
    n_outils = len("Les outils") + len(VEILLE * 4)
    assert titles == [("Le service commercial", 1, n_service, 3),
                      ("Le système de veille", 1, len("Le système de veille") + n_outils, 4),
                      ("Les outils", 2, n_outils, 4)]
    assert fa.outline[0].share == round(n_service / total, 4)
    assert "service-commercial" in fa.outline[0].elements["veille"]
    assert "systeme-veille" in fa.outline[1].elements["veille"]
    assert "service-commercial" not in fa.outline[2].elements["veille"]


def test_outline_without_headings_uses_first_words_of_paragraphs():
    text = ("Je travaille depuis deux ans chez Agrilis, négoce agricole de la Sarthe. " * 3 + "\n"
            + "Pour suivre nos concurrents, j'ai mis en place des alertes Google et une fiche de veille. " * 3)
    blocks = blocks_from_text(text)
    fa = analyse(NTC, blocks)
    assert [s.title for s in fa.outline] == ["Je travaille depuis deux ans chez Agrilis, négoce…",
                                             "Pour suivre nos concurrents, j'ai mis en place…"]
    assert [s.level for s in fa.outline] == [0, 0]
    assert sum(s.characters for s in fa.outline) == counted_chars(blocks)


def test_numbered_paragraphs_are_read_as_headings():
    text = ("1. Présentation du service commercial\n" + SERVICE * 3 + "\n"
            "2. LE SYSTÈME DE VEILLE\n" + VEILLE * 3)
    fa = analyse(NTC, blocks_from_text(text))
    assert [s.title for s in fa.outline] == ["1. Présentation du service commercial", "2. LE SYSTÈME DE VEILLE"]
    sc = next(r for r in fa.elements["veille"] if r.id == "service-commercial")
    assert sc.evidence[0].in_heading


def test_too_long_points_at_brief_element_and_largest_sections():
    blocks = [Block(BlockKind.HEADING, "Présentation du service commercial", level=1),
              Block(BlockKind.PARAGRAPH, SERVICE * 13),
              Block(BlockKind.HEADING, "Le système de veille", level=1),
              Block(BlockKind.PARAGRAPH, VEILLE * 60)]
    total = counted_chars(blocks)
    fa = analyse(NTC, blocks, total)
    advice = advise_length(fa, NTC.competences["veille"], 12600, NTC.characters)
    sec = fa.outline[0]
    pct = round(sec.share * 100)
    n = f"{sec.characters:,}".replace(",", NB)
    assert advice[0] == (f"La présentation du service commercial fait {n} caractères, soit {pct}{NB}%{NB}: "
                         "le référentiel la demande brève.")
    assert advice[1].startswith(f"Les parties les plus longues{NB}: «{NB}Le système de veille{NB}» (")


def test_too_short_names_missing_and_thin_elements():
    blocks = blocks_from_text("# Le système de veille\n" + VEILLE * 5)
    fa = analyse(NTC, blocks)
    advice = advise_length(fa, NTC.competences["veille"], 3000, NTC.characters)
    assert advice[0].startswith(f"Éléments attendus non trouvés, à rédiger{NB}: «{NB}")
    assert f"«{NB}Justification du choix des sources{NB}»" in advice[0]
    assert advise_length(fa, NTC.competences["veille"], 9000, NTC.characters) == []


def test_company_experience():
    stage = blocks_from_text("J'ai effectué mon stage au sein de la société Agrilis. Mon tuteur, le directeur "
                             "commercial, m'a confié le suivi de nos clients.")
    assert analyse(CC, stage).company_experience is True
    school = blocks_from_text("Dans le cadre de ma formation, nous avons mené une étude de cas sur une entreprise "
                              "fictive de vélos électriques.")
    assert analyse(CC, school).company_experience is False
    neutral = blocks_from_text("Le marché du vélo électrique progresse de 10 % par an.")
    assert analyse(CC, neutral).company_experience is None


def test_single_competence_document_is_not_merged():
    blocks = blocks_from_text("# Le système de veille\n" + VEILLE * 5)
    assert analyse(NTC, blocks).merged == []


def test_a_whole_dossier_in_one_file_is_reported_merged():
    from test_analyse_elements import sample_text

    veille = sample_text("ntc-veille")
    fidel = sample_text("ntc-fidelisation")
    body = lambda t: t[t.find("\n---", 4) + 4:]  # noqa: E731
    merged = ("# Production 1 : la veille commerciale\n" + body(veille).replace("\n# ", "\n## ")
              + "\n# Production 2 : la fidélisation\n" + body(fidel).replace("\n# ", "\n## "))
    fa = analyse(NTC, blocks_from_text(merged))
    assert fa.merged == ["veille", "fidelisation"]


def test_too_long_does_not_blame_a_brief_section_that_is_short():
    blocks = [Block(BlockKind.HEADING, "Présentation du service commercial", level=1),
              Block(BlockKind.PARAGRAPH, SERVICE * 2),
              Block(BlockKind.HEADING, "Le système de veille", level=1),
              Block(BlockKind.PARAGRAPH, VEILLE * 100)]
    fa = analyse(NTC, blocks)
    advice = advise_length(fa, NTC.competences["veille"], 13000, NTC.characters)
    assert not any("brève" in a for a in advice)
    assert advice[0].startswith(f"Les parties les plus longues{NB}: «{NB}Le système de veille{NB}»")


@pytest.mark.parametrize("line, following, level", [
    ("Resultats", "- sur fevrier, on a recu 9 commandes des autres EEP contre 3 en janvier", 2),
    ("Le terrain", "Je travaille sur la Loire et la Haute-Loire depuis dix ans, surtout en restauration.", 2),
    ("Partie IV – Qui sont les entreprises de notre secteur ?", "Notre zone de prospection était l'agglomération "
     "nantaise et Saint-Nazaire, avec des profils assez différents.", 1),
    ("2.3 Les moyens", "J'ai disposé d'un véhicule, d'un téléphone et du fichier clients de l'agence.", 2),
    # a table row a PDF gives as a line, a sentence without its full stop, a line over a shorter one
    ("Pompes Ligériennes Distributeur régional, 60 salariés", "Moyen\nStock important à Blois, livraison en 24 heures",
     None),
    ("Merci à toute l'équipe", None, None),
    ("Les clients du secteur", "Peu.", None),
])
def test_headings_typed_as_plain_lines(line, following, level):
    from dossier_check.analyse.analyser import _pseudo_heading_level

    assert _pseudo_heading_level(line, following) == level
