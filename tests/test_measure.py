"""Character breakdown and page sources on in-memory documents."""
from dossier_check.locate import locate
from dossier_check.measure import align_pages, characters, measure_pages
from dossier_check.model import Block, BlockKind, Document, PageText, StoredStats

P, H, T, X, F = (BlockKind.PARAGRAPH, BlockKind.HEADING, BlockKind.TABLE_CELL, BlockKind.TEXT_BOX,
                 BlockKind.FOOTNOTE)
PROSE = "Nous avons suivi les concurrents chaque semaine grâce à des alertes et des visites. " * 5  # 420


def sample_doc(**kw):
    return Document(
        format="docx",
        blocks=[
            Block(P, "Production veille"),  # cover, 17
            Block(P, "Sommaire", page_break_before=True, toc_signal="champ TOC Word"),  # 8
            Block(P, "Introduction\t3", toc_signal="champ TOC Word"),  # 14
            Block(H, "Introduction", level=1, page_break_before=True),  # 12
            Block(P, PROSE),  # 420
            Block(T, "Concurrent A"),  # 12
            Block(T, "Prix\tbas"),  # 8 (tab counts)
            Block(X, "Zone de texte"),  # 13
            Block(P, "Ligne un\nligne deux"),  # 18: the line break is not counted
            Block(F, "Source : enquête interne."),  # 25
        ],
        headers_footers=["Jean Fictif — NTC", "Page "],
        **kw,
    )


def test_breakdown_counts_each_container_and_leaves_out_cover_toc_headers():
    d = sample_doc()
    ch = characters(d, locate(d))
    b = ch["breakdown"]
    assert b["body"] == 12 + 420 + 18
    assert b["tables"] == 12 + 8
    assert b["text_boxes"] == 13
    assert b["notes"] == 25
    assert ch["counted"] == 12 + 420 + 18 + 20 + 13 + 25
    assert b["excluded"] == {"cover": 17, "toc": 8 + 14, "headers_footers": 17 + 5}
    assert ch["total"] == ch["counted"] + 17 + 22
    assert ch["stored"] is None


def test_stored_value_is_reported_not_judged():
    d = sample_doc(stored=StoredStats(characters_with_spaces=9999, pages=7, application="Microsoft Office Word"))
    ch = characters(d, locate(d))
    assert ch["stored"] == {"value": 9999, "application": "Microsoft Office Word"}


def test_align_pages_finds_each_block_in_the_layout():
    blocks = [Block(P, "Production veille"), Block(P, "Sommaire"), Block(H, "Introduction"),
              Block(P, PROSE), Block(F, "Note"), Block(P, "Bilan final de l'action")]
    pages = [PageText(1, "Production veille"), PageText(2, "Sommaire\nIntroduction .... 3"),
             PageText(3, "Jean Fictif\nIntroduction\n" + PROSE[:200]),
             PageText(4, PROSE[200:] + "\nBilan final de\nl'action\n4")]
    assert align_pages(blocks, pages) == [1, 2, 3, 3, 3, 4]


def test_layout_source_excludes_cover_and_toc_pages():
    d = sample_doc()
    loc = locate(d)
    ch = characters(d, loc)
    layout = [PageText(1, "Production veille"), PageText(2, "Sommaire Introduction 3"),
              PageText(3, "Introduction " + PROSE), PageText(4, "Concurrent A Prix bas Zone de texte "
                                                                 "Ligne un ligne deux Source")]
    pm = measure_pages(d, loc, ch, layout)
    assert pm.source == "layout"
    assert (pm.total, pm.counted) == (4, 2)
    assert pm.excluded == [{"page": 1, "reason": "cover"}, {"page": 2, "reason": "toc"}]
    assert pm.explanations[0].startswith("page 1 : page de garde (avant le premier saut de page, 17")
    assert pm.explanations[1] == "page 2 : sommaire (champ TOC Word)"


def test_metadata_source_from_word_and_distrust_of_generators():
    d = sample_doc(stored=StoredStats(characters_with_spaces=600, pages=3, application="Microsoft Office Word"))
    loc = locate(d)
    pm = measure_pages(d, loc, characters(d, loc))
    assert (pm.source, pm.total, pm.counted, pm.application) == ("metadata", 3, 1, "Microsoft Office Word")
    # python-docx's template: Pages=1, CharactersWithSpaces=0 → not trusted, estimated instead.
    g = sample_doc(stored=StoredStats(characters_with_spaces=0, pages=1, application="Microsoft Macintosh Word"))
    loc = locate(g)
    pm = measure_pages(g, loc, characters(g, loc))
    assert pm.source == "estimate"
    assert pm.total == 3  # three segments between hard page breaks
    assert any("n'est pas fiable" in n for n in pm.notes)


def test_implausible_stored_pages_are_not_used():
    long = Document(format="odt", blocks=[Block(P, PROSE) for _ in range(60)],  # 25 200 characters
                    stored=StoredStats(pages=2, application="LibreOffice/7.4"))
    loc = locate(long)
    pm = measure_pages(long, loc, characters(long, loc))
    assert pm.source == "estimate"
    assert pm.total >= 8


def test_pdf_pages_are_the_files_own():
    d = Document(format="pdf", page_count=5, blocks=[
        Block(P, "Titre de la production", page=1),
        Block(P, "Sommaire", page=2), Block(P, "Intro ....... 3", page=2, toc_signal="points"),
        Block(P, "Bilan ....... 5", page=2, toc_signal="points"),
        Block(H, "Intro", page=3), Block(P, PROSE, page=3), Block(P, PROSE, page=4), Block(P, PROSE, page=5)])
    loc = locate(d)
    pm = measure_pages(d, loc, characters(d, loc))
    assert (pm.source, pm.total, pm.counted) == ("pdf", 5, 3)
    assert [e["reason"] for e in pm.excluded] == ["cover", "toc"]


def test_stored_page_count_from_an_unfinished_layout_is_refused():
    """soffice --convert-to odt writes meta:page-count from an unfinished layout
    (3 instead of 13): too dense to be true, so the estimate is used."""
    d = Document(format="odt", blocks=[Block(P, PROSE) for _ in range(80)],  # 33 600 characters
                 stored=StoredStats(characters_with_spaces=33600, pages=3, application="LibreOffice/7.4"))
    loc = locate(d)
    pm = measure_pages(d, loc, characters(d, loc))
    assert pm.source == "estimate"
    assert pm.total >= 10
