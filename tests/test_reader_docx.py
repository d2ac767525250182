"""DOCX reader: exact texts and counts on DOCX files built from known text,
one WordprocessingML construct at a time."""
from __future__ import annotations

import io
import shutil
import subprocess
import zipfile

import docx as pydocx
import pytest

from dossier_check.limits import DEFAULT_LIMITS, Limits
from dossier_check.model import BlockKind, counted_len
from dossier_check.problems import CORRUPT_FILE, ENCRYPTED, NO_TEXT, TOO_LARGE, ReadError
from dossier_check.readers import docx as docx_reader

from docx_builder import (build_docx, complex_field, footnote_ref, note_par, page_break, par,
                          picture, raw_run, rendered, run, section_break, text_box, toc_sdt)

LOREM = ("La prospection commerciale s'appuie sur un fichier clients qualifié et sur un plan "
         "d'action annuel partagé avec la direction des ventes.")
INS = 'w:id="{}" w:author="Formateur" w:date="2026-11-20T10:00:00Z"'


def read(body: str = "", **kw):
    return docx_reader.read(build_docx(body, **kw), DEFAULT_LIMITS)


def read_bytes(data: bytes):
    return docx_reader.read(data, DEFAULT_LIMITS)


def counted(doc) -> int:
    return sum(counted_len(b.text) for b in doc.blocks)


def texts(doc, kind=None):
    return [b.text for b in doc.blocks if kind is None or b.kind == kind]


def saved(document) -> bytes:
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


# --------------------------------------------------------------- python-docx documents


def test_python_docx_document_kinds_levels_labels_and_exact_count():
    d = pydocx.Document()
    d.add_heading("Contexte de l'entreprise", 1)
    d.add_paragraph(LOREM)
    d.add_heading("Mon rôle", 2)
    p = d.add_paragraph("Prix\t: 12\u00a0000\u00a0€")
    p.add_run().add_break()  # a manual line break: kept as \n, not counted
    p.add_run("fin de ligne")
    d.add_paragraph("Prospecter", style="List Bullet")
    d.add_paragraph("Qualifier", style="List Bullet")
    d.add_paragraph("Premier point", style="List Number")
    d.add_paragraph("Deuxième point", style="List Number")
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text = "Client"
    t.cell(0, 1).text = "CA"
    t.cell(1, 0).text = "Dupont SA"
    inner = t.cell(1, 1).add_table(rows=1, cols=1)
    inner.cell(0, 0).text = "45 k€"
    d.add_heading("Bilan", 3)
    doc = read_bytes(saved(d))

    kinds = [(b.kind, b.text, b.level, b.list_label) for b in doc.blocks]
    assert kinds == [
        (BlockKind.HEADING, "Contexte de l'entreprise", 1, None),
        (BlockKind.PARAGRAPH, LOREM, None, None),
        (BlockKind.HEADING, "Mon rôle", 2, None),
        (BlockKind.PARAGRAPH, "Prix\t: 12\u00a0000\u00a0€\nfin de ligne", None, None),
        (BlockKind.LIST_ITEM, "Prospecter", None, "•"),
        (BlockKind.LIST_ITEM, "Qualifier", None, "•"),
        (BlockKind.LIST_ITEM, "Premier point", None, "1."),
        (BlockKind.LIST_ITEM, "Deuxième point", None, "2."),
        (BlockKind.TABLE_CELL, "Client", None, None),
        (BlockKind.TABLE_CELL, "CA", None, None),
        (BlockKind.TABLE_CELL, "Dupont SA", None, None),
        (BlockKind.TABLE_CELL, "45 k€", None, None),
        (BlockKind.HEADING, "Bilan", 3, None),
    ]
    assert doc.blocks[0].style == "Heading 1"
    assert doc.blocks[11].extra["nested"] == 1
    expected = ("Contexte de l'entreprise" + LOREM + "Mon rôle" + "Prix\t: 12\u00a0000\u00a0€fin de ligne"
                + "Prospecter" + "Qualifier" + "Premier point" + "Deuxième point"
                + "Client" + "CA" + "Dupont SA" + "45 k€" + "Bilan")
    assert counted(doc) == len(expected)
    # python-docx's own template statistics come through as stored (generator values).
    assert doc.stored.pages == 1 and doc.stored.characters_with_spaces == 0
    assert doc.stored.application.startswith("Microsoft Macintosh Word")


def test_heading_from_style_chain_direct_outline_level_and_title_is_not_a_heading():
    styles = ('<w:style w:type="paragraph" w:customStyle="1" w:styleId="MonTitre">'
              '<w:name w:val="Mon titre"/><w:basedOn w:val="Heading2"/></w:style>'
              '<w:style w:type="paragraph" w:customStyle="1" w:styleId="Titre1">'
              '<w:name w:val="Titre 1"/><w:basedOn w:val="Normal"/></w:style>')
    doc = read(par("Partie A", style="MonTitre")
               + par("Partie B", ppr='<w:outlineLvl w:val="3"/>')
               + par("Partie C", style="Titre1")
               + par("Dossier professionnel", style="Title")
               + par("Corps", style="Heading1", ppr='<w:outlineLvl w:val="9"/>'),
               styles_extra=styles)
    assert [(b.kind, b.text, b.level, b.style) for b in doc.blocks] == [
        (BlockKind.HEADING, "Partie A", 2, "Mon titre"),
        (BlockKind.HEADING, "Partie B", 4, "Normal"),
        (BlockKind.HEADING, "Partie C", 1, "Titre 1"),
        (BlockKind.PARAGRAPH, "Dossier professionnel", None, "Title"),
        (BlockKind.PARAGRAPH, "Corps", None, "Heading 1"),  # outline level 9 = body text
    ]


def test_numbering_multilevel_labels_never_in_text():
    numbering_par = lambda text, ilvl: par(text, ppr=f'<w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="5"/></w:numPr>')  # noqa: E731
    doc = read(numbering_par("Un", 0) + numbering_par("Deux", 0) + par("Sans numéro")
               + numbering_par("Trois", 0)
               + par("Retiré", style="ListNumber", ppr='<w:numPr><w:numId w:val="0"/></w:numPr>'))
    assert [(b.kind, b.text, b.list_label) for b in doc.blocks] == [
        (BlockKind.LIST_ITEM, "Un", "1."), (BlockKind.LIST_ITEM, "Deux", "2."),
        (BlockKind.PARAGRAPH, "Sans numéro", None), (BlockKind.LIST_ITEM, "Trois", "3."),
        (BlockKind.PARAGRAPH, "Retiré", None)]
    assert counted(doc) == len("UnDeuxSans numéroTroisRetiré")


# ------------------------------------------------------------------------ inline text


def test_special_characters_tab_breaks_hyphens_symbol_and_no_break_spaces():
    inner = ('<w:t>a</w:t><w:tab/><w:t>b</w:t><w:br/><w:t>c</w:t><w:cr/><w:t>d</w:t>'
             '<w:noBreakHyphen/><w:t>e</w:t><w:softHyphen/><w:t>f</w:t>'
             '<w:sym w:font="Wingdings" w:char="F0E0"/><w:br w:type="column"/>')
    doc = read(par(raw_run(inner), run(" 12\u00a0000\u202f€ ;")))
    assert texts(doc) == ["a\tb\nc\nd-ef\uf0e0 12\u00a0000\u202f€ ;"]
    assert counted(doc) == len("a\tbcd-ef\uf0e0 12\u00a0000\u202f€ ;")


def test_text_in_ins_hyperlink_smarttag_inline_sdt_customxml_counts_deleted_does_not():
    body = par(
        run("Le client "),
        f'<w:ins {INS.format(1)}><w:r><w:t xml:space="preserve">fidèle </w:t></w:r></w:ins>',
        f'<w:del {INS.format(2)}><w:r><w:delText xml:space="preserve">ancien </w:delText></w:r></w:del>',
        '<w:hyperlink r:id="rIdX" w:history="1"><w:r><w:t>signe</w:t></w:r></w:hyperlink>',
        '<w:smartTag w:uri="urn:schemas-microsoft-com:office:smarttags" w:element="City">'
        '<w:r><w:t xml:space="preserve"> à Paris</w:t></w:r></w:smartTag>',
        '<w:sdt><w:sdtPr><w:alias w:val="Date"/></w:sdtPr><w:sdtContent>'
        '<w:r><w:t xml:space="preserve"> le 3 mars</w:t></w:r></w:sdtContent></w:sdt>',
        '<w:customXml w:element="montant"><w:r><w:t xml:space="preserve"> pour 8 k€</w:t></w:r></w:customXml>',
        f'<w:moveFrom {INS.format(3)}><w:r><w:t>déplacé</w:t></w:r></w:moveFrom>',
        f'<w:moveTo {INS.format(4)}><w:r><w:t>.</w:t></w:r></w:moveTo>',
        '<w:commentRangeStart w:id="0"/><w:commentRangeEnd w:id="0"/>'
        '<w:r><w:commentReference w:id="0"/></w:r>',
    ) + ('<w:sdt><w:sdtPr><w:alias w:val="Bloc"/></w:sdtPr><w:sdtContent>'
         + par("Paragraphe dans un contrôle de contenu.") + '</w:sdtContent></w:sdt>')
    doc = read(body, comments=("Développez ce point.",))
    expected = ["Le client fidèle signe à Paris le 3 mars pour 8 k€.",
                "Paragraphe dans un contrôle de contenu."]
    assert texts(doc) == expected
    assert counted(doc) == sum(map(len, expected))
    assert doc.tracked_changes == 4  # ins, del, moveFrom, moveTo
    assert doc.comments == 1
    assert all(b.toc_signal is None for b in doc.blocks)


def test_fields_count_only_their_result():
    body = par(run("Mis à jour le "),
               complex_field(r"DATE \@ dd/MM/yyyy", run("23/11/2026")),
               run(", version "),
               '<w:fldSimple w:instr=" DOCPROPERTY Version "><w:r><w:t>3</w:t></w:r></w:fldSimple>',
               # A field never updated: code only, no result.
               '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> AUTHOR </w:instrText></w:r>'
               '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
               # Nested field in the code of an IF: its result is part of the code.
               '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> IF </w:instrText></w:r>'
               + complex_field("PAGE", run("7")) +
               '<w:r><w:instrText xml:space="preserve"> = 1 "un" "autre" </w:instrText></w:r>'
               '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t xml:space="preserve"> (autre)</w:t></w:r>'
               '<w:r><w:fldChar w:fldCharType="end"/></w:r>',
               run("."))
    doc = read(body)
    assert texts(doc) == ["Mis à jour le 23/11/2026, version 3 (autre)."]


def test_hidden_text_direct_character_style_and_paragraph_style():
    styles = ('<w:style w:type="character" w:customStyle="1" w:styleId="Cache"><w:name w:val="Caché"/>'
              '<w:rPr><w:vanish/></w:rPr></w:style>'
              '<w:style w:type="paragraph" w:customStyle="1" w:styleId="NotePerso"><w:name w:val="Note perso"/>'
              '<w:basedOn w:val="Normal"/><w:rPr><w:vanish/></w:rPr></w:style>')
    body = (par(run("Visible"), run(" masqué", "<w:vanish/>"), run(" aussi", '<w:rStyle w:val="Cache"/>'),
                run(" montré", '<w:vanish w:val="0"/>'))
            + par("Tout ce paragraphe est masqué.", style="NotePerso")
            + par(run("Sauf ceci", '<w:vanish w:val="false"/>'), style="NotePerso"))
    doc = read(body, styles_extra=styles)
    assert texts(doc) == ["Visible montré", "Sauf ceci"]


def test_math_text_counts():
    doc = read(par(run("Marge "), '<m:oMath><m:r><m:t>x=2</m:t></m:r></m:oMath>'))
    assert texts(doc) == ["Marge x=2"]


# ------------------------------------------------------------------------- text boxes


def test_text_box_counted_once_not_its_vml_fallback_and_placed_after_its_paragraph():
    box = par("Chiffre d'affaires : 1,2 M€") + par("Objectif 2026")
    body = (par("Avant la zone. ", text_box(box)) + par("Après.")
            + par("Zone VML seule", '<w:r><w:pict><v:shape id="s1"><v:textbox><w:txbxContent>'
                  + par("Ancienne zone") + "</w:txbxContent></v:textbox></v:shape></w:pict></w:r>")
            + par(text_box(par("Forme sans texte autour"))))
    doc = read(body)
    assert [(b.kind, b.text) for b in doc.blocks] == [
        (BlockKind.PARAGRAPH, "Avant la zone. "),
        (BlockKind.TEXT_BOX, "Chiffre d'affaires : 1,2 M€"),
        (BlockKind.TEXT_BOX, "Objectif 2026"),
        (BlockKind.PARAGRAPH, "Après."),
        (BlockKind.PARAGRAPH, "Zone VML seule"),
        (BlockKind.TEXT_BOX, "Ancienne zone"),
        (BlockKind.TEXT_BOX, "Forme sans texte autour"),
    ]
    assert counted(doc) == len("Avant la zone. Chiffre d'affaires : 1,2 M€Objectif 2026Après."
                               "Zone VML seuleAncienne zoneForme sans texte autour")
    assert doc.images == 0  # text boxes are not pictures


def test_pictures_are_counted_as_images_not_text_header_logo_apart():
    doc = read(par("Organigramme :", picture()) + par(picture()) + par("Fin."),
               headers=(par(picture(), "Logo"),))
    assert doc.images == 2
    assert doc.headers_footers == ["Logo"]
    assert texts(doc) == ["Organigramme :", "Fin."]


# ------------------------------------------------------------------------------ notes


def test_footnotes_and_endnotes_referenced_only_after_body_with_reference_page():
    body = (par("Page de garde") + par(page_break())
            + par(rendered(), "Le marché", footnote_ref(2), " progresse", footnote_ref(1), ".")
            + par("Sans note.", footnote_ref(1, "endnote")))
    doc = read(body,
               footnotes={1: note_par("Source : INSEE 2025."), 2: note_par("Voir annexe."),
                          3: note_par("Note jamais appelée.")},
               endnotes={1: note_par("Fin de document.", "endnote") + par("Suite de la note.")})
    assert [(b.kind, b.text, b.page) for b in doc.blocks] == [
        (BlockKind.PARAGRAPH, "Page de garde", 1),
        (BlockKind.PARAGRAPH, "Le marché progresse.", 2),
        (BlockKind.PARAGRAPH, "Sans note.", 2),
        (BlockKind.FOOTNOTE, " Voir annexe.", 2),  # in order of first reference
        (BlockKind.FOOTNOTE, " Source : INSEE 2025.", 2),
        (BlockKind.ENDNOTE, " Fin de document.", 2),
        (BlockKind.ENDNOTE, "Suite de la note.", 2),
    ]
    assert doc.blocks[3].extra["ref_block"] == 1 and doc.blocks[3].extra["note_id"] == "2"
    assert doc.blocks[5].extra["ref_block"] == 2
    assert counted(doc) == len("Page de gardeLe marché progresse.Sans note. Voir annexe. Source : INSEE 2025."
                               " Fin de document.Suite de la note.")


# --------------------------------------------------------------------------- sommaire


def test_word_sommaire_sdt_toc_field_and_toc_styles():
    styles = ('<w:style w:type="paragraph" w:styleId="TOC1"><w:name w:val="toc 1"/>'
              '<w:basedOn w:val="Normal"/></w:style>'
              '<w:style w:type="paragraph" w:customStyle="1" w:styleId="Contents2"><w:name w:val="TOC 2"/>'
              '<w:basedOn w:val="Normal"/></w:style>')

    def entry(title, page, style="TOC1"):
        return par('<w:hyperlink w:anchor="_Toc1" w:history="1">' + run(title + "\t")
                   + complex_field(r"PAGEREF _Toc1 \h", run(page)) + "</w:hyperlink>", style=style)

    toc_begin = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                 r'<w:r><w:instrText xml:space="preserve"> TOC \o "1-3" \h \z \u </w:instrText></w:r>'
                 '<w:r><w:fldChar w:fldCharType="separate"/></w:r>')
    first = par(toc_begin + '<w:hyperlink w:anchor="_Toc0">' + run("Introduction\t")
                + complex_field(r"PAGEREF _Toc0 \h", run("3")) + "</w:hyperlink>", style="TOC1")
    toc = toc_sdt(par("Sommaire", style="TOCHeading") + first + entry("Mon entreprise", "4")
                  + entry("Sa clientèle", "4", "Contents2")
                  + par('<w:r><w:fldChar w:fldCharType="end"/></w:r>'))
    body = (par("Dossier de Jean Dupont") + par(page_break()) + toc + par(page_break())
            + par("Introduction", style="Heading1") + par(LOREM)
            + par("Entrée recopiée à la main\t5", style="Contents2"))
    doc = read(body, styles_extra=styles)
    got = [(b.text, b.toc_signal, b.page_break_before) for b in doc.blocks]
    assert got == [
        ("Dossier de Jean Dupont", None, False),
        ("Sommaire", "bloc sommaire Word", True),
        ("Introduction\t3", "champ TOC Word", False),
        ("Mon entreprise\t4", "champ TOC Word", False),
        ("Sa clientèle\t4", "champ TOC Word", False),
        ("Introduction", None, True),
        (LOREM, None, False),
        ("Entrée recopiée à la main\t5", "style TOC", False),
    ]
    assert doc.blocks[2].extra["toc_signals"] == ["champ TOC Word", "bloc sommaire Word", "style TOC"]
    assert doc.blocks[1].extra["sdt_gallery"] == "Table of Contents"
    assert doc.blocks[2].style == "TOC 1" and doc.blocks[4].style == "TOC 2"
    assert doc.blocks[5].kind == BlockKind.HEADING and doc.blocks[5].level == 1


def test_fldsimple_toc_and_libreoffice_contents_style():
    styles = ('<w:style w:type="paragraph" w:customStyle="1" w:styleId="Contents1"><w:name w:val="Contents 1"/>'
              '<w:basedOn w:val="Normal"/></w:style>')
    doc = read(par('<w:fldSimple w:instr=" TOC \\o &quot;1-3&quot; "><w:r><w:t>Partie 1</w:t></w:r></w:fldSimple>')
               + par("Partie 2", style="Contents1") + par("Texte."), styles_extra=styles)
    assert [(b.text, b.toc_signal) for b in doc.blocks] == [
        ("Partie 1", "champ TOC Word"), ("Partie 2", "style TOC"), ("Texte.", None)]


# ------------------------------------------------------------------------------ pages


def _paged_body(with_rendered: bool) -> str:
    rb = rendered() if with_rendered else ""
    return (par("Page de garde")
            + par(page_break())                                            # Ctrl+Entrée, own paragraph
            + par(rb, "Sommaire")
            + par("Fin du sommaire", ppr=section_break("nextPage"))       # section break, new page
            + par(rb, "Introduction", style="Heading1")
            + par("Début d'un long paragraphe ", rb, "qui continue page suivante.")
            + par("Suite", ppr=section_break("continuous"))               # no new page
            + par(rb, "Nouveau chapitre", style="Heading1", ppr="<w:pageBreakBefore/>")
            + par("Avant le saut", page_break(), rb, "après le saut")    # split in two blocks
            + par("Fin", ppr=section_break(None)))                       # no type = next page


def test_pages_from_hard_and_rendered_breaks():
    doc = read(_paged_body(True) + par(rendered(), "Annexe"))
    assert doc.has_rendered_page_breaks is True
    got = [(b.text, b.page, b.page_break_before, b.extra.get("page_end")) for b in doc.blocks]
    assert got == [
        ("Page de garde", 1, False, None),
        ("Sommaire", 2, True, None),
        ("Fin du sommaire", 2, False, None),
        ("Introduction", 3, True, None),
        ("Début d'un long paragraphe qui continue page suivante.", 3, False, 4),
        ("Suite", 4, False, None),
        ("Nouveau chapitre", 5, True, None),
        ("Avant le saut", 5, False, None),
        ("après le saut", 6, True, None),
        ("Fin", 6, False, None),
        ("Annexe", 7, True, None),
    ]
    assert doc.blocks[8].extra["continued"] is True
    assert doc.blocks[8].kind == BlockKind.PARAGRAPH


def test_without_rendered_breaks_pages_are_unknown_but_hard_breaks_are_kept():
    doc = read(_paged_body(False))
    assert doc.has_rendered_page_breaks is False
    assert all(b.page is None for b in doc.blocks)
    got = [(b.text, b.page_break_before, b.extra["hard_page"]) for b in doc.blocks]
    assert got == [
        ("Page de garde", False, 1), ("Sommaire", True, 2), ("Fin du sommaire", False, 2),
        ("Introduction", True, 3), ("Début d'un long paragraphe qui continue page suivante.", False, 3),
        ("Suite", False, 3), ("Nouveau chapitre", True, 4), ("Avant le saut", False, 4),
        ("après le saut", True, 5), ("Fin", False, 5)]


def test_odd_page_section_break_adds_the_blank_page_word_inserts():
    doc = read(par("Page de garde", ppr=section_break("oddPage")) + par(rendered(), "Sommaire")
               + par("Fin du sommaire", ppr=section_break("oddPage")) + par(rendered(), "Introduction"))
    assert [(b.text, b.page) for b in doc.blocks] == [
        ("Page de garde", 1), ("Sommaire", 3), ("Fin du sommaire", 3), ("Introduction", 5)]


def test_page_break_before_in_style_and_not_before_the_first_paragraph():
    styles = ('<w:style w:type="paragraph" w:customStyle="1" w:styleId="Chapitre"><w:name w:val="Chapitre"/>'
              '<w:basedOn w:val="Heading1"/><w:pPr><w:pageBreakBefore/></w:pPr></w:style>')
    doc = read(par("Un", style="Chapitre") + par(LOREM) + par("Deux", style="Chapitre"), styles_extra=styles)
    assert [(b.text, b.page_break_before, b.extra["hard_page"], b.level) for b in doc.blocks] == [
        ("Un", False, 1, 1), (LOREM, False, 1, None), ("Deux", True, 2, 1)]


# ------------------------------------------------------------- headers, stats, counts


def test_headers_and_footers_kept_apart_stats_comments_tracked_changes():
    footer = par(run("Page "), complex_field("PAGE", run("1")), run(" / "),
                 complex_field("NUMPAGES", run("6")))
    doc = read(par("Corps du texte.") + par(f'<w:ins {INS.format(5)}>' + run("Ajout.") + "</w:ins>"),
               headers=(par("Jean Dupont — NTC session 2026"),), footers=(footer,),
               comments=("Relire.", "Ajouter un chiffre."),
               app={"Template": "Normal.dotm", "Pages": 7, "Words": 1500, "Characters": 8000,
                    "Application": "Microsoft Office Word", "CharactersWithSpaces": 9412,
                    "AppVersion": "16.0000"})
    assert texts(doc) == ["Corps du texte.", "Ajout."]
    assert doc.headers_footers == ["Page 1 / 6", "Jean Dupont — NTC session 2026"]
    assert doc.stored.characters_with_spaces == 9412
    assert doc.stored.pages == 7
    assert doc.stored.application == "Microsoft Office Word 16.0000"
    assert doc.comments == 2
    assert doc.tracked_changes == 1


def test_realistic_document_sum_equals_known_text():
    """Every construct together: the counted sum is the text the test put in."""
    counted_parts = []

    def t(s):
        counted_parts.append(s)
        return s

    body = (par(t("Dossier professionnel — NTC"), style="Title")
            + par(t("Introduction"), style="Heading1")
            + par(t(LOREM), footnote_ref(1))
            + par(t("Étapes"), t("\t"), text_box(par(t("Encadré : 3 visites par jour"))), style="Heading2")
            + par(t("Appeler"), style="ListBullet") + par(t("Relancer"), style="ListBullet")
            + "<w:tbl><w:tr><w:tc>" + par(t("Cellule A")) + par(t("Seconde ligne A")) + "</w:tc><w:tc>"
            + par(t("Cellule B")) + "</w:tc></w:tr></w:tbl>"
            + par(run(t("Conclusion ")), f'<w:del {INS.format(9)}><w:r><w:delText>supprimé</w:delText></w:r></w:del>',
                  complex_field("DATE", run(t("2026"))), run("caché", "<w:vanish/>")))
    doc = read(body, footnotes={1: note_par("Note.")})
    t(" Note.")
    assert counted(doc) == len("".join(counted_parts))
    assert [b.kind for b in doc.blocks] == [
        BlockKind.PARAGRAPH, BlockKind.HEADING, BlockKind.PARAGRAPH, BlockKind.HEADING, BlockKind.TEXT_BOX,
        BlockKind.LIST_ITEM, BlockKind.LIST_ITEM, BlockKind.TABLE_CELL, BlockKind.TABLE_CELL,
        BlockKind.TABLE_CELL, BlockKind.PARAGRAPH, BlockKind.FOOTNOTE]


# ------------------------------------------------------------------------ bad files


def _set_encrypted_flag(data: bytes, name: str) -> bytes:
    """Mark one entry as encrypted (general purpose bit 0) in its local and central headers."""
    buf = bytearray(data)
    zf = zipfile.ZipFile(io.BytesIO(data))
    info = zf.getinfo(name)
    buf[info.header_offset + 6] |= 0x01
    pos = 0
    encoded = name.encode()
    while True:
        pos = buf.find(b"PK\x01\x02", pos)
        assert pos >= 0
        if buf[pos + 46:pos + 46 + len(encoded)] == encoded:
            buf[pos + 8] |= 0x01
            return bytes(buf)
        pos += 4


def test_encrypted_zip_entry_is_encrypted():
    data = _set_encrypted_flag(build_docx(par("Secret")), "word/document.xml")
    with pytest.raises(ReadError) as exc:
        read_bytes(data)
    assert exc.value.code == ENCRYPTED
    assert "mot de passe" in exc.value.message


def test_missing_document_part_and_invalid_xml_are_corrupt():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/styles.xml", "<x/>")
    with pytest.raises(ReadError) as exc:
        read_bytes(buf.getvalue())
    assert exc.value.code == CORRUPT_FILE and "word/document.xml" in exc.value.message

    with pytest.raises(ReadError) as exc:
        read_bytes(build_docx("", document_xml="<w:document><w:body><w:p></w:body>"))
    assert exc.value.code == CORRUPT_FILE


def test_document_without_text_is_no_text():
    with pytest.raises(ReadError) as exc:
        read(par("") + par(picture()) + par(run("\n")))
    assert exc.value.code == NO_TEXT
    assert "aucun texte" in exc.value.message


def test_inflated_document_part_over_the_limit_is_too_large():
    data = build_docx(par("x" * 300_000))
    with pytest.raises(ReadError) as exc:
        docx_reader.read(data, Limits(max_xml_part_bytes=100_000))
    assert exc.value.code == TOO_LARGE


def test_entity_declaration_is_refused():
    xml = ('<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">]>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           '<w:body><w:p><w:r><w:t>&a;</w:t></w:r></w:p></w:body></w:document>')
    with pytest.raises(ReadError) as exc:
        read_bytes(build_docx("", document_xml=xml))
    assert exc.value.code == CORRUPT_FILE


def test_strict_ooxml_namespace_is_read():
    xml = ('<w:document xmlns:w="http://purl.oclc.org/ooxml/wordprocessingml/main"><w:body>'
           '<w:p><w:r><w:t xml:space="preserve">Texte strict</w:t><w:tab/><w:t>OK</w:t></w:r></w:p>'
           '</w:body></w:document>')
    doc = read_bytes(build_docx("", document_xml=xml))
    assert texts(doc) == ["Texte strict\tOK"]


# --------------------------------------------------------------- LibreOffice round trip


@pytest.mark.layout
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_docx_saved_by_libreoffice_reads_the_same_text(tmp_path):
    d = pydocx.Document()
    d.add_paragraph("Page de garde — Jean Dupont")
    d.add_page_break()
    d.add_heading("Introduction", 1)
    d.add_paragraph(LOREM)
    d.add_paragraph("Premier argument", style="List Bullet")
    d.add_paragraph("Deuxième\targument", style="List Number")
    t = d.add_table(rows=1, cols=2)
    t.cell(0, 0).text = "Client"
    t.cell(0, 1).text = "Chiffre : 12\u00a0000 €"
    d.add_heading("Conclusion", 2)
    d.add_paragraph("Fin.")
    src = tmp_path / "source.docx"
    src.write_bytes(saved(d))
    original = read_bytes(src.read_bytes())

    out = tmp_path / "out"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "docx", "--outdir", str(out), str(src)],
                   check=True, capture_output=True, timeout=120)
    converted = read_bytes((out / "source.docx").read_bytes())

    assert texts(converted) == texts(original)
    assert [(b.kind, b.level, b.list_label) for b in converted.blocks] == \
        [(b.kind, b.level, b.list_label) for b in original.blocks]
    assert counted(converted) == counted(original)
    assert converted.blocks[1].page_break_before is True
    assert converted.stored.application.startswith("LibreOffice")


def test_cover_page_content_control_and_numbered_heading():
    cover = ('<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Cover Pages"/><w:docPartUnique/>'
             '</w:docPartObj></w:sdtPr><w:sdtContent>' + par("Négociateur technico-commercial")
             + par(page_break()) + '</w:sdtContent></w:sdt>')
    doc = read(cover + par("Introduction", style="Heading1",
                           ppr='<w:numPr><w:ilvl w:val="0"/><w:numId w:val="5"/></w:numPr>'))
    assert [(b.text, b.extra.get("sdt_gallery"), b.toc_signal) for b in doc.blocks] == [
        ("Négociateur technico-commercial", "Cover Pages", None), ("Introduction", None, None)]
    heading = doc.blocks[1]
    assert (heading.kind, heading.level, heading.list_label, heading.page_break_before) == \
        (BlockKind.HEADING, 1, "1.", True)


@pytest.mark.layout
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_count_reconciles_with_libreoffice_statistic(tmp_path):
    """LibreOffice's character count (ODT meta:character-count after conversion)
    = our count + the list labels' text + 1 per footnote mark + 1 per manual line
    break (LibreOffice counts those; Word does not). Text boxes (once, not their
    VML copy), tables, tabs, no-break spaces, field results and notes agree."""
    body = (par("Introduction", style="Heading1") + par(LOREM, footnote_ref(1))
            + par("Étapes\tclés : 12\u00a0000 €", text_box(par("Encadré : trois visites") + par("Objectif")))
            + par("Appeler", style="ListBullet") + par("Relancer", style="ListNumber")
            + par("Signer", style="ListNumber")
            + '<w:tbl><w:tblGrid><w:gridCol w:w="4000"/><w:gridCol w:w="4000"/></w:tblGrid><w:tr><w:tc>'
            + par("Cellule A") + par("Seconde ligne") + "</w:tc><w:tc>" + par("Cellule B") + "</w:tc></w:tr></w:tbl>"
            + par(run("Rédigé par "), '<w:fldSimple w:instr=" AUTHOR "><w:r><w:t>Jean</w:t></w:r></w:fldSimple>')
            + par("Ligne", run("\n"), "suivante"))
    data = build_docx(body, footnotes={1: note_par("Source : INSEE.")})
    doc = read_bytes(data)
    src = tmp_path / "stat.docx"
    src.write_bytes(data)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "odt", "--outdir", str(tmp_path / "out"), str(src)],
                   check=True, capture_output=True, timeout=120)
    meta = zipfile.ZipFile(tmp_path / "out" / "stat.odt").read("meta.xml").decode()
    libreoffice = int(meta.split('meta:character-count="', 1)[1].split('"', 1)[0])

    labels = sum(len(b.list_label) for b in doc.blocks if b.list_label)   # "•", "1.", "2."
    note_marks = len({b.extra["note_id"] for b in doc.blocks if b.kind == BlockKind.FOOTNOTE})
    line_breaks = sum(b.text.count("\n") for b in doc.blocks)
    assert (labels, note_marks, line_breaks) == (5, 1, 1)
    assert libreoffice == counted(doc) + labels + note_marks + line_breaks
