"""ODT reader: exact counts on hand-built ODT files, one construct at a time."""
from __future__ import annotations

import io
import shutil
import subprocess
import zipfile

import pytest

from dossier_check.limits import DEFAULT_LIMITS, Limits
from dossier_check.model import BlockKind, counted_len
from dossier_check.problems import CORRUPT_FILE, ENCRYPTED, TOO_LARGE, UNSUPPORTED_FORMAT, ReadError
from dossier_check.readers import odt

from odt_builder import build_odt, esc, h, meta_xml, p

LOREM = ("La prospection commerciale s'appuie sur un fichier clients qualifié et sur un plan "
         "d'action annuel partagé avec la direction des ventes.")


def read(body: str, **kw):
    return odt.read(build_odt(body, **kw), DEFAULT_LIMITS)


def counted(doc) -> int:
    return sum(counted_len(b.text) for b in doc.blocks)


def test_plain_paragraphs_and_heading_levels():
    doc = read(h("Présentation de l'entreprise", 1) + p(LOREM) + h("Le marché", 2) + p(LOREM))
    kinds = [(b.kind, b.level) for b in doc.blocks]
    assert kinds == [(BlockKind.HEADING, 1), (BlockKind.PARAGRAPH, None),
                     (BlockKind.HEADING, 2), (BlockKind.PARAGRAPH, None)]
    assert doc.blocks[0].style == "Heading 1"
    assert counted(doc) == 2 * len(LOREM) + len("Présentation de l'entreprise") + len("Le marché")


def test_whitespace_rules_spaces_tabs_and_line_breaks():
    # Leading blanks dropped, runs collapsed (across spans), text:s literal,
    # tab is one character, line break kept but not counted.
    body = ('<text:p text:style-name="Standard">  Un   deux\n trois <text:span> quatre</text:span></text:p>'
            '<text:p text:style-name="Standard">A<text:s/> B<text:s text:c="3"/>C<text:tab/>D'
            '<text:line-break/>E</text:p>')
    doc = read(body)
    assert doc.blocks[0].text == "Un deux trois quatre"
    assert doc.blocks[1].text == "A  B   C\tD\nE"
    assert counted(doc) == len("Un deux trois quatre") + len("A  B   C\tDE")


def test_fields_links_and_spans_are_text():
    body = ('<text:p text:style-name="Standard">Voir <text:a xlink:href="https://example.fr">le site</text:a>, '
            'édité le <text:date text:date-value="2026-03-01">01/03/2026</text:date> par '
            '<text:author-name>Camille Martin</text:author-name>'
            '<text:bookmark text:name="x"/>.</text:p>')
    doc = read(body)
    assert doc.blocks[0].text == "Voir le site, édité le 01/03/2026 par Camille Martin."


def test_list_items_labels_not_counted():
    body = ('<text:list text:style-name="Bullets">'
            '<text:list-item><text:p text:style-name="Standard">Premier point</text:p></text:list-item>'
            '<text:list-item><text:p text:style-name="Standard">Second point</text:p>'
            '<text:list><text:list-item><text:p text:style-name="Standard">Sous-point</text:p>'
            '</text:list-item></text:list></text:list-item>'
            '</text:list>'
            '<text:list text:style-name="Numbering_20_123">'
            '<text:list-item><text:p text:style-name="Standard">Étape un</text:p></text:list-item>'
            '<text:list-item><text:p text:style-name="Standard">Étape deux</text:p></text:list-item>'
            '</text:list>')
    doc = read(body)
    assert [b.kind for b in doc.blocks] == [BlockKind.LIST_ITEM] * 5
    assert [b.list_label for b in doc.blocks] == ["•", "•", "◦", "1.", "2."]
    assert counted(doc) == len("Premier pointSecond pointSous-pointÉtape unÉtape deux")


def test_rendered_numbers_of_numbered_headings_not_counted():
    body = ('<text:list text:style-name="Numbering_20_123"><text:list-item>'
            '<text:h text:style-name="Heading_20_1" text:outline-level="1"><text:number>1.</text:number>'
            'Contexte</text:h></text:list-item></text:list>'
            '<text:h text:style-name="Heading_20_2" text:outline-level="2"><text:number>1.1</text:number>'
            'Le marché</text:h>'
            '<text:numbered-paragraph text:level="1"><text:number>a)</text:number>'
            '<text:p text:style-name="Standard">premier point</text:p></text:numbered-paragraph>')
    doc = read(body)
    assert [(b.kind, b.text, b.level, b.list_label) for b in doc.blocks] == [
        (BlockKind.HEADING, "Contexte", 1, "1."), (BlockKind.HEADING, "Le marché", 2, "1.1"),
        (BlockKind.LIST_ITEM, "premier point", None, None)]


def test_soft_page_breaks_inside_tables_and_lists():
    body = (p("Un")
            + '<table:table table:name="T"><table:table-row><table:table-cell><text:p>A</text:p>'
              '</table:table-cell></table:table-row><text:soft-page-break/><table:table-row>'
              '<table:table-cell><text:p>B</text:p></table:table-cell></table:table-row></table:table>'
            + '<text:list text:style-name="Bullets"><text:list-item><text:p>C</text:p></text:list-item>'
              '<text:soft-page-break/><text:list-item><text:p>D</text:p></text:list-item></text:list>')
    doc = read(body)
    assert [(b.text, b.page) for b in doc.blocks] == [("Un", 1), ("A", 1), ("B", 2), ("C", 2), ("D", 3)]


def test_table_cells_one_block_per_paragraph():
    body = ('<table:table table:name="T1"><table:table-column table:number-columns-repeated="2"/>'
            '<table:table-header-rows><table:table-row>'
            '<table:table-cell><text:p text:style-name="Standard">Client</text:p></table:table-cell>'
            '<table:table-cell><text:p text:style-name="Standard">Chiffre</text:p></table:table-cell>'
            '</table:table-row></table:table-header-rows>'
            '<table:table-row>'
            '<table:table-cell><text:p text:style-name="Standard">Dupont SA</text:p>'
            '<text:p text:style-name="Standard">Lyon</text:p></table:table-cell>'
            '<table:table-cell><text:p text:style-name="Standard">12 500 €</text:p></table:table-cell>'
            '</table:table-row></table:table>')
    doc = read(p("Avant") + body + p("Après"))
    assert [b.text for b in doc.blocks] == ["Avant", "Client", "Chiffre", "Dupont SA", "Lyon", "12 500 €", "Après"]
    assert [b.kind for b in doc.blocks[1:6]] == [BlockKind.TABLE_CELL] * 5
    assert counted(doc) == len("AvantClientChiffreDupont SALyon12 500 €Après")


def test_text_box_and_shape_text_counted_once_images_counted():
    body = ('<text:p text:style-name="Standard">Légende : '
            '<draw:frame draw:name="Cadre1" text:anchor-type="paragraph" svg:width="5cm">'
            '<draw:text-box><text:p text:style-name="Standard">Texte du cadre</text:p></draw:text-box>'
            '</draw:frame>'
            '<draw:frame draw:name="Image1" text:anchor-type="char" svg:width="5cm">'
            '<draw:image xlink:href="Pictures/a.png"/><svg:title>titre</svg:title></draw:frame>'
            '<draw:custom-shape draw:name="Forme"><text:p text:style-name="Standard">Dans la forme</text:p>'
            '<draw:enhanced-geometry draw:type="rectangle"/></draw:custom-shape>'
            '</text:p>')
    doc = read(body)
    assert [(b.kind, b.text) for b in doc.blocks] == [
        (BlockKind.PARAGRAPH, "Légende : "),
        (BlockKind.TEXT_BOX, "Texte du cadre"),
        (BlockKind.TEXT_BOX, "Dans la forme"),
    ]
    assert doc.images == 1


def test_footnotes_and_endnotes_citation_not_counted():
    body = ('<text:p text:style-name="Standard">Le chiffre d\'affaires<text:note text:id="ftn1" '
            'text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body>'
            '<text:p text:style-name="Footnote">Source : bilan 2025.</text:p></text:note-body></text:note>'
            ' a progressé<text:note text:id="edn1" text:note-class="endnote"><text:note-citation>i'
            '</text:note-citation><text:note-body><text:p text:style-name="Standard">Voir annexe.</text:p>'
            '</text:note-body></text:note>.</text:p>')
    doc = read(body)
    assert doc.blocks[0].text == "Le chiffre d'affaires a progressé."
    assert [(b.kind, b.text) for b in doc.blocks[1:]] == [
        (BlockKind.FOOTNOTE, "Source : bilan 2025."), (BlockKind.ENDNOTE, "Voir annexe.")]


def test_comments_counted_apart_not_in_text():
    body = ('<text:p text:style-name="Standard">Objectif<office:annotation><dc:creator>Formateur</dc:creator>'
            '<text:p>À préciser avec des chiffres</text:p></office:annotation> atteint.</text:p>'
            '<text:p text:style-name="Standard"><office:annotation office:name="c2"><text:p>Autre</text:p>'
            '</office:annotation>Vu<office:annotation-end office:name="c2"/></text:p>')
    doc = read(body)
    assert [b.text for b in doc.blocks] == ["Objectif atteint.", "Vu"]
    assert doc.comments == 2


def test_tracked_changes_deleted_text_not_counted_inserted_counted():
    body = ('<text:tracked-changes>'
            '<text:changed-region text:id="ct1"><text:deletion><office:change-info>'
            '<dc:creator>A</dc:creator><dc:date>2026-01-01T10:00:00</dc:date></office:change-info>'
            '<text:p>texte supprimé </text:p></text:deletion></text:changed-region>'
            '<text:changed-region text:id="ct2"><text:insertion><office:change-info>'
            '<dc:creator>A</dc:creator><dc:date>2026-01-01T10:00:00</dc:date></office:change-info>'
            '</text:insertion></text:changed-region>'
            '</text:tracked-changes>'
            '<text:p text:style-name="Standard">Début <text:change text:change-id="ct1"/>'
            '<text:change-start text:change-id="ct2"/>ajouté <text:change-end text:change-id="ct2"/>fin.</text:p>')
    doc = read(body)
    assert [b.text for b in doc.blocks] == ["Début ajouté fin."]
    assert doc.tracked_changes == 2


def test_hidden_paragraph_section_and_text_not_counted():
    body = (p("Visible.")
            + '<text:p text:style-name="Standard"><text:hidden-paragraph text:condition="ooow:1" '
              'text:is-hidden="true"/>Paragraphe masqué</text:p>'
            + '<text:section text:name="S1" text:display="none">' + p("Section masquée") + '</text:section>'
            + '<text:section text:name="S2">' + p("Section visible") + '</text:section>'
            + '<text:p text:style-name="Standard">A<text:hidden-text text:condition="ooow:1" '
              'text:string-value="caché" text:is-hidden="true">caché</text:hidden-text>B'
              '<text:span text:style-name="Hidden_20_char">masqué</text:span>C</text:p>')
    doc = read(body)
    assert [b.text for b in doc.blocks] == ["Visible.", "Section visible", "ABC"]


def test_table_of_content_index_body_only():
    body = (p("Page de garde")
            + '<text:table-of-content text:name="Sommaire1">'
              '<text:table-of-content-source text:outline-level="2">'
              '<text:index-title-template text:style-name="Contents_20_Heading">Table des matières'
              '</text:index-title-template>'
              '<text:table-of-content-entry-template text:outline-level="1" text:style-name="Contents_20_1">'
              '<text:index-entry-text/><text:index-entry-tab-stop style:type="right" style:leader-char="."/>'
              '<text:index-entry-page-number/></text:table-of-content-entry-template>'
              '</text:table-of-content-source>'
              '<text:index-body>'
              '<text:index-title text:name="Sommaire1_Head">'
              '<text:p text:style-name="Contents_20_Heading">Sommaire</text:p></text:index-title>'
              '<text:p text:style-name="Contents_20_1"><text:a xlink:href="#__RefHeading1">Introduction'
              '<text:tab/>3</text:a></text:p>'
              '<text:p text:style-name="Contents_20_2">Le marché<text:tab/>4</text:p>'
              '</text:index-body></text:table-of-content>'
            + h("Introduction") + p(LOREM))
    doc = read(body)
    toc = [(b.text, b.toc_signal) for b in doc.blocks if b.toc_signal]
    assert toc == [("Sommaire", "index sommaire ODT"), ("Introduction\t3", "index sommaire ODT"),
                   ("Le marché\t4", "index sommaire ODT")]
    assert "Table des matières" not in doc.text
    assert doc.blocks[0].toc_signal is None and doc.blocks[-1].toc_signal is None


def test_contents_styles_without_index_give_style_signal():
    auto = ('<style:style style:name="P1" style:family="paragraph" style:parent-style-name="Contents_20_1">'
            '<style:paragraph-properties><style:tab-stops/></style:paragraph-properties></style:style>')
    body = ('<text:p text:style-name="P1">1. Contexte<text:tab/>3</text:p>'
            '<text:p text:style-name="Contents_20_2">1.1 Marché<text:tab/>3</text:p>' + p("Texte"))
    doc = read(body, automatic_styles=auto)
    assert [b.toc_signal for b in doc.blocks] == ["style Table des matières"] * 2 + [None]
    assert doc.blocks[0].style == "Contents 1"


def test_hard_page_breaks_from_styles_and_master_pages():
    auto = ('<style:style style:name="P1" style:family="paragraph" style:parent-style-name="Standard" '
            'style:master-page-name="Standard"/>'
            '<style:style style:name="P2" style:family="paragraph" style:parent-style-name="Standard">'
            '<style:paragraph-properties fo:break-before="page"/></style:style>'
            '<style:style style:name="P3" style:family="paragraph" style:parent-style-name="Page_20_break">'
            '<style:paragraph-properties fo:break-before="auto"/></style:style>'
            '<style:style style:name="P4" style:family="paragraph" style:parent-style-name="Standard">'
            '<style:paragraph-properties fo:break-after="page"/></style:style>'
            '<style:style style:name="P5" style:family="paragraph" style:parent-style-name="Standard" '
            'style:master-page-name="Standard"/>')
    body = (p("Garde", "P1") + p("Sommaire", "P2") + p("Pas de saut", "P3") + p("Saut après", "P4")
            + p("Nouvelle page") + p("Page de style", "P5") + p("Hérité", "Page_20_break"))
    doc = read(body, automatic_styles=auto)
    assert [b.page_break_before for b in doc.blocks] == [False, True, False, False, True, True, True]
    # No LibreOffice layout in the file: page numbers unknown.
    assert not doc.has_rendered_page_breaks
    assert all(b.page is None for b in doc.blocks)


def test_soft_page_breaks_give_pages():
    auto = ('<style:style style:name="P2" style:family="paragraph" style:parent-style-name="Standard">'
            '<style:paragraph-properties fo:break-before="page"/></style:style>')
    body = (p("Garde") + p("Sommaire", "P2") + p("Un")
            + '<text:p text:style-name="Standard">Deux qui continue<text:soft-page-break/> sur la page 3</text:p>'
            + p("Trois") + '<text:soft-page-break/>' + p("Quatre")
            + '<text:p text:style-name="Standard"><text:soft-page-break/>Cinq</text:p>')
    doc = read(body, automatic_styles=auto)
    assert doc.has_rendered_page_breaks
    assert [(b.text, b.page) for b in doc.blocks] == [
        ("Garde", 1), ("Sommaire", 2), ("Un", 2), ("Deux qui continue sur la page 3", 2),
        ("Trois", 3), ("Quatre", 4), ("Cinq", 5)]


def test_headers_footers_read_apart():
    masters = ('<style:master-page style:name="Standard" style:page-layout-name="pm1">'
               '<style:header><text:p text:style-name="Header">Camille Martin — NTC</text:p></style:header>'
               '<style:footer><text:p text:style-name="Footer">Page <text:page-number text:select-page="current">'
               '2</text:page-number> / <text:page-count>7</text:page-count></text:p></style:footer>'
               '<style:footer-left style:display="false"><text:p>caché</text:p></style:footer-left>'
               '</style:master-page>')
    doc = read(p(LOREM), master_pages=masters)
    assert doc.headers_footers == ["Camille Martin — NTC", "Page 2 / 7"]
    assert counted(doc) == len(LOREM)


def test_meta_statistics_become_stored_stats():
    doc = read(p(LOREM), meta=meta_xml(character_count=9876, page_count=6,
                                        generator="LibreOffice/7.4.7.2$Linux_X86_64"))
    assert doc.stored.characters_with_spaces == 9876
    assert doc.stored.pages == 6
    assert doc.stored.application == "LibreOffice/7.4.7.2$Linux_X86_64"
    assert doc.format == "odt" and doc.page_count is None


def test_encrypted_manifest_is_refused_with_french_message():
    with pytest.raises(ReadError) as exc:
        odt.read(build_odt(p(LOREM), encrypted=True), DEFAULT_LIMITS)
    assert exc.value.code == ENCRYPTED
    assert "mot de passe" in exc.value.message


def test_missing_content_and_broken_xml_are_corrupt():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
    with pytest.raises(ReadError) as exc:
        odt.read(buf.getvalue(), DEFAULT_LIMITS)
    assert exc.value.code == CORRUPT_FILE
    with pytest.raises(ReadError) as exc:
        odt.read(build_odt("<text:p>pas fermé"), DEFAULT_LIMITS)
    assert exc.value.code == CORRUPT_FILE
    with pytest.raises(ReadError) as exc:
        odt.read(b"PK\x03\x04 truncated", DEFAULT_LIMITS)
    assert exc.value.code == CORRUPT_FILE


def test_spreadsheet_is_not_a_text_document():
    buf = io.BytesIO()
    src = zipfile.ZipFile(io.BytesIO(build_odt("")))
    with zipfile.ZipFile(buf, "w") as zf:
        for info in src.infolist():
            content = src.read(info)
            if info.filename == "content.xml":
                content = content.replace(b"<office:text></office:text>", b"<office:spreadsheet/>")
            zf.writestr(info, content)
    with pytest.raises(ReadError) as exc:
        odt.read(buf.getvalue(), DEFAULT_LIMITS)
    assert exc.value.code == UNSUPPORTED_FORMAT


def test_entity_declarations_refused():
    data = build_odt(p("x"))
    buf = io.BytesIO()
    src = zipfile.ZipFile(io.BytesIO(data))
    with zipfile.ZipFile(buf, "w") as zf:
        for info in src.infolist():
            content = src.read(info)
            if info.filename == "content.xml":
                content = content.replace(b"<office:document-content",
                                          b'<!DOCTYPE x [<!ENTITY a "aaaa">]><office:document-content', 1)
            zf.writestr(info, content)
    with pytest.raises(ReadError) as exc:
        odt.read(buf.getvalue(), DEFAULT_LIMITS)
    assert exc.value.code == CORRUPT_FILE


def test_crafted_counts_do_not_blow_up():
    body = ('<text:p text:style-name="Standard">a<text:s text:c="999999999999"/>b</text:p>'
            '<text:list text:style-name="Numbering_20_123"><text:list-item text:start-value="999999999999">'
            '<text:p>x</text:p></text:list-item></text:list>')
    doc = read(body)
    assert doc.blocks[0].text == "a" + " " * 1000 + "b"
    assert doc.blocks[1].text == "x"


def test_part_size_limit():
    with pytest.raises(ReadError) as exc:
        odt.read(build_odt(p(LOREM * 50)), Limits(max_xml_part_bytes=2000))
    assert exc.value.code == TOO_LARGE


def _realistic_body() -> tuple[str, str, str, int, int, int]:
    """A production-like ODT body. Returns (automatic styles, body, master pages,
    exact counted chars, labels, note marks)."""
    auto = ('<style:style style:name="P1" style:family="paragraph" style:parent-style-name="Standard">'
            '<style:paragraph-properties fo:break-before="page"/></style:style>')
    paras = [
        "Dans le cadre de mon alternance chez Rhône Équipements, j'ai conduit la prospection d'un "
        "secteur de quarante communes autour de Villefranche-sur-Saône, avec un portefeuille de "
        "cent vingt clients professionnels.",
        "Mon objectif était de conquérir douze nouveaux comptes en six mois, tout en fidélisant les "
        "clients existants par des visites régulières et un suivi rigoureux dans le CRM.",
    ]
    bullets = ["analyse du fichier clients", "segmentation ABC du portefeuille",
               "plan de tournée hebdomadaire"]
    body = (p("Dossier professionnel — Camille Martin")
            + h("Introduction", 1)
            + "".join(p(t) for t in paras * 6)
            + '<text:list text:style-name="Bullets">'
            + "".join(f'<text:list-item><text:p text:style-name="Standard">{esc(b)}</text:p></text:list-item>'
                      for b in bullets) + "</text:list>"
            + '<text:p text:style-name="Standard">Résultat<text:note text:id="n1" text:note-class="footnote">'
              '<text:note-citation>1</text:note-citation><text:note-body>'
              '<text:p text:style-name="Footnote">Chiffres au 31 décembre.</text:p></text:note-body>'
              '</text:note> : objectif atteint.</text:p>'
            + '<table:table table:name="T"><table:table-column table:number-columns-repeated="2"/>'
              '<table:table-row><table:table-cell office:value-type="string"><text:p>Comptes</text:p>'
              '</table:table-cell><table:table-cell office:value-type="string"><text:p>14</text:p>'
              '</table:table-cell></table:table-row></table:table>')
    exact = (len("Dossier professionnel — Camille Martin") + len("Introduction") + 6 * sum(map(len, paras))
             + sum(map(len, bullets)) + len("Résultat : objectif atteint.") + len("Chiffres au 31 décembre.")
             + len("Comptes14"))
    masters = ('<style:master-page style:name="Standard" style:page-layout-name="pm1">'
               '<style:header><text:p text:style-name="Header">Camille Martin</text:p></style:header>'
               '</style:master-page>')
    return auto, body, masters, exact, len(bullets), 1


def test_realistic_document_exact_count():
    auto, body, masters, exact, _, _ = _realistic_body()
    doc = read(body, automatic_styles=auto, master_pages=masters)
    assert counted(doc) == exact
    assert doc.headers_footers == ["Camille Martin"]


@pytest.mark.layout
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_matches_libreoffice_statistic_after_round_trip(tmp_path):
    """LibreOffice's own character-count = exact + 1 per list label + 1 per
    note mark + headers/footers (measured-facts.md); our read of the
    LibreOffice-saved copy gives the exact count and finds its soft page breaks."""
    auto, body, masters, exact, labels, notes = _realistic_body()
    src = tmp_path / "in.odt"
    src.write_bytes(build_odt(body, automatic_styles=auto, master_pages=masters))
    out = tmp_path / "out"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "odt", "--outdir", str(out), str(src)],
                   check=True, capture_output=True, timeout=120)
    doc = odt.read((out / "in.odt").read_bytes(), DEFAULT_LIMITS)
    assert counted(doc) == exact
    header = len("Camille Martin")
    assert doc.stored.characters_with_spaces == exact + labels + notes + header
    assert doc.stored.application.startswith("LibreOffice")
