"""Cover page and sommaire location on in-memory documents (any format)."""
from dossier_check.locate import BODY, COVER, TOC, is_toc_title, locate, looks_like_toc_entry
from dossier_check.model import Block, BlockKind, Document

P, H, L, F = BlockKind.PARAGRAPH, BlockKind.HEADING, BlockKind.LIST_ITEM, BlockKind.FOOTNOTE
PROSE = "Au sein de l'agence, j'ai mené une action de prospection auprès des artisans du secteur nord. " * 4


def doc(*blocks, fmt="docx", rendered=False):
    return Document(format=fmt, blocks=list(blocks), has_rendered_page_breaks=rendered)


def test_cover_before_first_page_break_and_toc_field():
    d = doc(
        Block(P, "Titre professionnel Négociateur technico-commercial"),
        Block(P, "Dossier de production — Veille commerciale"),
        Block(P, "Sommaire", page_break_before=True, toc_signal="bloc sommaire Word"),
        Block(P, "1. Introduction\t3", toc_signal="champ TOC Word"),
        Block(P, "2. Les sources\t4", toc_signal="champ TOC Word"),
        Block(H, "Introduction", level=1, page_break_before=True),
        Block(P, PROSE),
    )
    loc = locate(d)
    assert loc.roles == [COVER, COVER, TOC, TOC, TOC, BODY, BODY]
    assert loc.cover_reason == "avant le premier saut de page"
    assert loc.toc_reason == "bloc sommaire Word"


def test_no_cover_no_toc_says_so_and_counts_everything():
    d = doc(Block(H, "Introduction", level=1), Block(P, PROSE), Block(P, PROSE, page_break_before=True))
    loc = locate(d)
    assert loc.roles == [BODY, BODY, BODY]
    assert any("Aucune page de garde" in n for n in loc.notes)
    assert any("Aucun sommaire" in n for n in loc.notes)


def test_first_page_with_prose_is_not_a_cover():
    d = doc(Block(H, "Introduction", level=1), Block(P, PROSE * 2), Block(P, PROSE, page_break_before=True))
    assert locate(d).roles[0] == BODY


def test_hand_typed_sommaire_without_field():
    d = doc(
        Block(P, "Ma production"),
        Block(P, "Sommaire", page_break_before=True),
        Block(P, "Présentation de l'entreprise ........ 3"),
        Block(P, "Le système de veille ........ 4"),
        Block(P, "Bilan\t7"),
        Block(H, "Présentation de l'entreprise", level=1, page_break_before=True),
        Block(P, PROSE),
    )
    loc = locate(d)
    assert loc.roles == [COVER, TOC, TOC, TOC, TOC, BODY, BODY]
    assert "Sommaire" in loc.toc_reason


def test_sommaire_sharing_page_with_introduction():
    # Cover, then « Sommaire » + entries, then the introduction on the same page.
    d = doc(
        Block(P, "Titre"),
        Block(P, "Sommaire", page_break_before=True),
        Block(P, "Introduction ..... 2"),
        Block(P, "Bilan ..... 5"),
        Block(H, "Introduction", level=1),
        Block(P, PROSE),
    )
    loc = locate(d)
    assert loc.roles == [COVER, TOC, TOC, TOC, BODY, BODY]


def test_annexes_are_counted_and_noted():
    d = doc(Block(H, "Introduction", level=1), Block(P, PROSE), Block(H, "Annexes", level=1),
            Block(P, "Annexe 1 : grille tarifaire"))
    loc = locate(d)
    assert all(r == BODY for r in loc.roles)
    assert loc.annex_headings == ["Annexes"]
    assert any("sont comptés" in n for n in loc.notes)


def test_pdf_cover_is_first_page_without_prose():
    d = doc(
        Block(P, "Titre professionnel Conseiller commercial", page=1),
        Block(P, "Jean Fictif — session 2026", page=1),
        Block(P, "Sommaire", page=2),
        Block(P, "Introduction ........ 3", page=2, toc_signal="lignes de sommaire (points de conduite)"),
        Block(P, "Bilan ........ 6", page=2, toc_signal="lignes de sommaire (points de conduite)"),
        Block(H, "Introduction", level=1, page=3),
        Block(P, PROSE, page=3),
        fmt="pdf",
    )
    loc = locate(d)
    assert loc.roles == [COVER, COVER, TOC, TOC, TOC, BODY, BODY]
    assert loc.cover_reason == "première page, sans texte courant"


def test_toc_entry_shapes():
    assert looks_like_toc_entry("1. Introduction ........ 3")
    assert looks_like_toc_entry("Les résultats obtenus\t12")
    assert not looks_like_toc_entry("Nous avons rencontré les clients pendant 3 semaines, soit 12")
    assert is_toc_title("Table des matières")
    assert is_toc_title("SOMMAIRE")
    assert not is_toc_title("Sommaire de nos actions commerciales en 2025")
