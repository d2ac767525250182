"""PDF reader: counts within ±1 % of the known text, running headers, page
numbers, hyphens, bullets, headings and sommaire lines, and bad PDFs."""
from __future__ import annotations

import io
import shutil
import zipfile

import pytest

from dossier_check.limits import DEFAULT_LIMITS, Limits
from dossier_check.model import BlockKind, counted_len
from dossier_check.problems import CORRUPT_FILE, ENCRYPTED, NO_TEXT, TOO_LARGE, ReadError
from dossier_check.readers import pdf

from pdf_builder import (HEADER, SENTENCES, Line, canvas_pdf, flow, image_only_pdf, paragraph,
                         justified_words, production_odt, soffice_pdf, wrap)

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")


def counted(blocks) -> int:
    return sum(counted_len(b.text) for b in blocks)


def read(data: bytes, limits: Limits = DEFAULT_LIMITS):
    return pdf.read(data, limits)


def _items(n_sections: int = 4) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    k = 0
    for s in range(1, n_sections + 1):
        items.append(("h1", f"{s}. {['Contexte commercial', 'Analyse du marché', 'Plan d’action', 'Résultats obtenus'][(s - 1) % 4]}"))
        for _ in range(3):
            items.append(("p", paragraph(k, 4)))
            k += 1
        if s == 2:
            items += [("bullet", "segmentation du portefeuille selon le potentiel de chaque client et la "
                                 "fréquence de ses commandes sur les trois dernières années"),
                      ("bullet", "plan de tournée hebdomadaire"), ("bullet", "suivi des relances dans le CRM"),
                      ("p", SENTENCES[5])]
    return items


@pytest.fixture(scope="module")
def running_pdf():
    pages, exact = flow(_items())
    data = canvas_pdf(pages, header="Camille Martin — Dossier NTC", footer="Page {n} / {total}")
    return data, exact, len(pages)


def test_paragraphs_rebuilt_within_one_percent_headers_and_page_numbers_removed(running_pdf):
    data, exact, n_pages = running_pdf
    doc = read(data)
    assert n_pages >= 3 and doc.page_count == n_pages
    assert len(doc.pages_text) == n_pages and doc.pages_text[0].number == 1
    total = counted(doc.blocks)
    assert abs(total - exact) / exact <= 0.01, (total, exact)
    assert "Camille Martin — Dossier NTC" not in doc.text
    assert "Page 1 /" not in doc.text and "Page 2 /" not in doc.text
    assert doc.headers_footers == []  # accounted for in removed_header_footer_chars only
    assert doc.removed_header_footer_chars == n_pages * (len("Camille Martin — Dossier NTC")
                                                         + len(f"Page 1 / {n_pages}"))
    # Each source paragraph is one block, its line breaks turned into spaces.
    assert paragraph(0, 4) in [b.text for b in doc.blocks]


def test_headings_and_levels_from_font_and_numbering(running_pdf):
    doc = read(running_pdf[0])
    heads = [(b.text, b.level) for b in doc.blocks if b.kind == BlockKind.HEADING]
    assert heads == [("1. Contexte commercial", 1), ("2. Analyse du marché", 1), ("3. Plan d’action", 1),
                     ("4. Résultats obtenus", 1)]


def test_bullets_are_list_items_label_not_counted(running_pdf):
    doc = read(running_pdf[0])
    items = [b for b in doc.blocks if b.kind == BlockKind.LIST_ITEM]
    assert [b.text for b in items] == [
        "segmentation du portefeuille selon le potentiel de chaque client et la fréquence de ses "
        "commandes sur les trois dernières années", "plan de tournée hebdomadaire",
        "suivi des relances dans le CRM"]
    assert {b.list_label for b in items} == {"•"}
    # The paragraph after the list is a paragraph again.
    after = doc.blocks[doc.blocks.index(items[-1]) + 1]
    assert (after.kind, after.text) == (BlockKind.PARAGRAPH, SENTENCES[5])


@pytest.mark.parametrize("glyph", ["\uf0b7", "▪", "–"])
def test_other_bullet_glyphs(glyph):
    pages, exact = flow([("p", SENTENCES[0]), ("bullet", "premier point de la liste"),
                         ("bullet", "second point"), ("p", SENTENCES[1])], bullet=glyph)
    doc = read(canvas_pdf(pages))
    items = [b for b in doc.blocks if b.kind == BlockKind.LIST_ITEM]
    assert [b.text for b in items] == ["premier point de la liste", "second point"]
    assert counted(doc.blocks) == exact


def test_hyphenated_line_ends_joined_compound_words_kept():
    lines = ["La prospection du service commer-",
             "cial a permis de conquérir de nouveaux",
             "comptes. Le profil technico-",
             "commercial est recherché, c'est-à-",
             "dire polyvalent."]
    doc = read(canvas_pdf([lines]))
    assert [b.text for b in doc.blocks] == [
        "La prospection du service commercial a permis de conquérir de nouveaux comptes. Le profil "
        "technico-commercial est recherché, c'est-à-dire polyvalent."]


def test_ligatures_count_as_their_letters():
    doc = read(canvas_pdf([["Une réﬂexion efﬁcace sur le ﬁchier clients."]]))
    assert doc.blocks[0].text == "Une réflexion efficace sur le fichier clients."


def test_justified_double_spaces_collapsed():
    lines = ["Les  résultats  obtenus  sur  le  semestre  sont  encourageants  pour",
             "toute l'équipe."]
    doc = read(canvas_pdf([lines]))
    assert doc.blocks[0].text == "Les résultats obtenus sur le semestre sont encourageants pour toute l'équipe."


@pytest.mark.parametrize("footer", ["{n}", "{n}/{total}", "- {n} -", "Page {n} sur {total}"])
def test_lone_page_numbers_removed(footer):
    pages, exact = flow([("p", paragraph(i, 4)) for i in range(12)], lines_per_page=30)
    doc = read(canvas_pdf(pages, footer=footer))
    assert len(pages) >= 2
    assert abs(counted(doc.blocks) - exact) <= exact * 0.01
    for b in doc.blocks:
        assert b.text.strip() not in {str(n) for n in range(1, 10)}
    assert doc.removed_header_footer_chars == sum(len(footer.format(n=n, total=len(pages)))
                                                  for n in range(1, len(pages) + 1))


def test_header_missing_on_cover_still_removed_elsewhere():
    pages, _ = flow([("p", paragraph(i, 4)) for i in range(14)], lines_per_page=30)
    cover = [Line("Dossier professionnel", size=20, bold=True), Line("Camille Martin")]
    doc = read(canvas_pdf([cover] + pages, header="Camille Martin, NTC — {n}", header_on_first=False))
    assert "Camille Martin, NTC" not in doc.text
    n = len(pages) + 1
    assert doc.removed_header_footer_chars == sum(len(f"Camille Martin, NTC — {k}") for k in range(2, n + 1))
    assert doc.blocks[0].page == 1 and doc.blocks[0].text == "Dossier professionnel"


def test_paragraph_split_by_page_break_is_joined():
    lines1 = ["Première ligne d'un paragraphe qui se poursuit sur la page suivante avec le"]
    lines2 = ["reste de la phrase."]
    doc = read(canvas_pdf([lines1, lines2]))
    assert [b.text for b in doc.blocks] == [
        "Première ligne d'un paragraphe qui se poursuit sur la page suivante avec le reste de la phrase."]
    assert doc.blocks[0].page == 1


def test_dot_leader_sommaire_lines():
    toc = [Line("Sommaire", size=16, bold=True),
           Line("Introduction ........................................ 3"),
           Line("1. Présentation de l'entreprise .................... 4"),
           Line("Conclusion …………… 9"),
           Line("Le respect de la politique commerciale de l'entreprise et des attentes des"),
           Line("clients du secteur ........................................ 10")]
    body, _ = flow([("h1", "Introduction"), ("p", paragraph(0, 4))])
    doc = read(canvas_pdf([toc] + body))
    toc_blocks = [b for b in doc.blocks if b.toc_signal]
    assert [(b.text, b.page) for b in toc_blocks] == [
        ("Introduction\t3", 1), ("1. Présentation de l'entreprise\t4", 1), ("Conclusion\t9", 1),
        ("Le respect de la politique commerciale de l'entreprise et des attentes des clients du secteur\t10", 1)]
    assert {b.toc_signal for b in toc_blocks} == {"lignes de sommaire (points de conduite)"}
    assert doc.blocks[0].kind == BlockKind.HEADING and doc.blocks[0].text == "Sommaire"
    assert "Sommaire" in doc.pages_text[0].text and "Introduction" in doc.pages_text[1].text


def test_words_drawn_one_by_one_justified_are_not_a_table():
    texts = [paragraph(i, 4) for i in range(8)]
    pages: list[list[Line]] = [[]]
    for t in texts:
        lines = wrap(t)
        for k, ln in enumerate(lines):
            last = k == len(lines) - 1
            cells = [(0, ln)] if last else justified_words(ln)
            if len(pages[-1]) >= 44:
                pages.append([])
            pages[-1].append(Line("", cells=cells, gap_before=6 if k == 0 else 0))
    doc = read(canvas_pdf(pages))
    assert [b.kind for b in doc.blocks] == [BlockKind.PARAGRAPH] * len(texts)
    assert [b.text for b in doc.blocks] == texts


def test_first_line_indent_paragraphs_without_spacing():
    items = [("p", paragraph(i, 3)) for i in range(4)]
    pages, exact = flow(items, indent_first=True)
    doc = read(canvas_pdf(pages))
    assert [b.text for b in doc.blocks] == [t for _, t in items]
    assert counted(doc.blocks) == exact


def test_table_rows_cells_not_joined_by_counted_spaces():
    rows = [Line("", size=10, cells=[(0, "Indicateur"), (160, "Objectif"), (320, "Réalisé")]),
            Line("", size=10, cells=[(0, "Nouveaux comptes"), (160, "12"), (320, "14")]),
            Line("", size=10, cells=[(0, "Chiffre d'affaires"), (160, "90 000 €"), (320, "104 500 €")]),
            Line("", size=10, cells=[(0, "Rendez-vous"), (160, "40 visites"), (320, "46 visites dont")]),
            Line("", size=10, cells=[(320, "12 prospects")])]
    cells = ["Indicateur", "Objectif", "Réalisé", "Nouveaux comptes", "12", "14", "Chiffre d'affaires",
             "90 000 €", "104 500 €", "Rendez-vous", "40 visites", "46 visites dont 12 prospects"]
    before = [Line(t) for t in wrap(paragraph(0, 3))]
    after = Line("Le tableau montre des résultats supérieurs aux objectifs.", gap_before=10)
    doc = read(canvas_pdf([[*before, *rows, after]]))
    table = [b for b in doc.blocks if b.kind == BlockKind.TABLE_CELL]
    assert len(table) == 4
    assert table[0].text.split("\n") == ["Indicateur", "Objectif", "Réalisé"]
    assert table[-1].text.split("\n") == ["Rendez-vous", "40 visites", "46 visites dont 12 prospects"]
    assert counted(table) == sum(map(len, cells))
    assert doc.blocks[-1].text == after.text and doc.blocks[-1].kind == BlockKind.PARAGRAPH


def test_labels_drawn_apart_from_their_text_word_style():
    """Word draws a list label, then the text at the tab stop: the label is
    not counted, numbered titles keep their level."""
    lines = [Line("", size=16, bold=True, cells=[(0, "1."), (28, "Présentation du service commercial")]),
             Line(SENTENCES[0][:90], gap_before=6),
             Line("", cells=[(18, "1."), (36, "réaliser un diagnostic")], gap_before=6),
             Line("", cells=[(18, "2."), (36, "remettre les propositions")]),
             Line("", cells=[(18, "•"), (36, "suivre les relances")]),
             Line("", cells=[(18, "–"), (36, "mettre à jour le CRM")]),
             Line("", cells=[(36, "o"), (54, "chaque vendredi")]),
             Line("", size=13, bold=True, cells=[(0, "1.1"), (28, "Les objectifs")], gap_before=10),
             Line(SENTENCES[1][:90], gap_before=6)]
    doc = read(canvas_pdf([lines]))
    got = [(b.kind, b.text, b.level, b.list_label) for b in doc.blocks]
    assert got == [
        (BlockKind.HEADING, "Présentation du service commercial", 1, "1."),
        (BlockKind.PARAGRAPH, SENTENCES[0][:90], None, None),
        (BlockKind.LIST_ITEM, "réaliser un diagnostic", None, "1."),
        (BlockKind.LIST_ITEM, "remettre les propositions", None, "2."),
        (BlockKind.LIST_ITEM, "suivre les relances", None, "•"),
        (BlockKind.LIST_ITEM, "mettre à jour le CRM", None, "–"),
        (BlockKind.LIST_ITEM, "chaque vendredi", None, "o"),
        (BlockKind.HEADING, "Les objectifs", 2, "1.1"),
        (BlockKind.PARAGRAPH, SENTENCES[1][:90], None, None),
    ]


def test_footnote_marks_not_counted():
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from pdf_builder import _fonts

    font = _fonts()[0]
    left = "Le chiffre d'affaires"
    w = stringWidth(left, font, 11)
    body = Line("", cells=[(0, left), (w, "1", 7, 4), (w + 4, " a progressé de 7 %.")])
    note = Line("", size=9, cells=[(0, "1", 6, 3), (5, "Source : bilan 2025.")], gap_before=300)
    doc = read(canvas_pdf([[body, note]]))
    assert [b.text for b in doc.blocks] == ["Le chiffre d'affaires a progressé de 7 %.", "Source : bilan 2025."]


def test_metadata_and_stored_pages():
    doc = read(canvas_pdf([["Un texte suffisant pour être lu par le lecteur de PDF."]]))
    assert doc.format == "pdf"
    assert doc.stored.pages == 1
    assert doc.stored.application  # reportlab writes a producer


# ----- bad PDFs ------------------------------------------------------------------------


def test_user_password_is_encrypted():
    data = canvas_pdf([["Texte confidentiel de la production."] * 3], encrypt_user_password="secret")
    with pytest.raises(ReadError) as exc:
        read(data)
    assert exc.value.code == ENCRYPTED
    assert "mot de passe" in exc.value.message


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-128", "AES-256"])
def test_empty_user_password_reads(algorithm):
    """A PDF protected only against editing or printing opens without a password: Acrobat and the
    online « protect PDF » tools use AES for that, which pypdf decrypts with ``cryptography``."""
    data = canvas_pdf([["Texte protégé contre la modification seulement, lisible par tous."]],
                      encrypt_user_password="", encrypt_algorithm=algorithm)
    doc = read(data)
    assert doc.blocks[0].text == "Texte protégé contre la modification seulement, lisible par tous."


@pytest.mark.parametrize("algorithm", ["AES-128", "AES-256"])
def test_aes_user_password_is_encrypted(algorithm):
    data = canvas_pdf([["Texte confidentiel de la production."] * 3], encrypt_user_password="secret",
                      encrypt_algorithm=algorithm)
    with pytest.raises(ReadError) as exc:
        read(data)
    assert exc.value.code == ENCRYPTED
    assert "mot de passe" in exc.value.message


def test_scanned_pdf_has_no_text():
    with pytest.raises(ReadError) as exc:
        read(image_only_pdf(2))
    assert exc.value.code == NO_TEXT
    assert "scann" in exc.value.message


def test_text_without_unicode_mapping_is_no_text():
    """Glyphs whose ToUnicode map says nothing useful (here: all U+0001)."""
    import re

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("Garbled", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pageCompression=0)
    c.setFont("Garbled", 11)
    for i, line in enumerate(wrap(paragraph(0, 3))):
        c.drawString(57, 760 - 15 * i, line)
    c.showPage()
    c.save()
    data = re.sub(rb"(<[0-9A-F]{2}> )<[0-9A-F]{4}>", rb"\1<0001>", buf.getvalue())
    with pytest.raises(ReadError) as exc:
        read(data)
    assert exc.value.code == NO_TEXT
    assert "polices" in exc.value.message


def test_truncated_pdf_is_corrupt_or_readable():
    pages, _ = flow([("p", paragraph(i, 4)) for i in range(6)])
    data = canvas_pdf(pages)
    for cut in (len(data) // 2, len(data) - 200, 100):
        try:
            doc = read(data[:cut])
        except ReadError as exc:
            assert exc.code in (CORRUPT_FILE, NO_TEXT)
            assert exc.message
        else:
            assert doc.page_count >= 1


def test_garbage_is_corrupt():
    with pytest.raises(ReadError) as exc:
        read(b"%PDF-1.7\n" + bytes(range(256)) * 20)
    assert exc.value.code == CORRUPT_FILE


def test_page_and_object_limits():
    pages, _ = flow([("p", paragraph(i, 4)) for i in range(12)], lines_per_page=20)
    data = canvas_pdf(pages)
    with pytest.raises(ReadError) as exc:
        read(data, Limits(max_pdf_pages=2))
    assert exc.value.code == TOO_LARGE and "pages" in exc.value.message
    with pytest.raises(ReadError) as exc:
        read(data, Limits(max_pdf_objects=5))
    assert exc.value.code == TOO_LARGE and "objets" in exc.value.message


# ----- a real word-processor PDF -----------------------------------------------------


@pytest.fixture(scope="module")
def libreoffice_pdf(tmp_path_factory):
    prod = production_odt(sections=6, paragraphs_per_section=3)
    return prod, soffice_pdf(prod.odt, tmp_path_factory.mktemp("lo"))


@pytest.mark.layout
@needs_soffice
def test_libreoffice_export_within_one_percent(libreoffice_pdf):
    prod, data = libreoffice_pdf
    doc = read(data)
    body = [b for b in doc.blocks if b.page and b.page >= 3]
    error = (counted(body) - prod.body_chars) / prod.body_chars
    assert abs(error) <= 0.01, f"{counted(body)} vs {prod.body_chars} ({error:+.2%})"
    # Running header and « Page N / M » footer gone, and accounted for.
    assert HEADER not in doc.text and "Page 3 /" not in doc.text
    assert doc.headers_footers == []
    n = doc.page_count
    assert doc.removed_header_footer_chars == (n - 1) * (len(HEADER) + len(f"Page 2 / {n}"))


@pytest.mark.layout
@needs_soffice
def test_libreoffice_export_without_paragraph_spacing(tmp_path):
    """Paragraphs told apart only by their short last line and first-line indent."""
    prod = production_odt(sections=4, paragraphs_per_section=3)
    buf = io.BytesIO()
    src = zipfile.ZipFile(io.BytesIO(prod.odt))
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "styles.xml":
                data = data.replace(b'fo:margin-bottom="0.2cm" fo:text-align="justify"',
                                    b'fo:margin-bottom="0cm" fo:text-indent="0.8cm" fo:text-align="justify"')
            zf.writestr(info, data)
    doc = read(soffice_pdf(buf.getvalue(), tmp_path))
    body = [b for b in doc.blocks if b.page and b.page >= 3]
    assert abs(counted(body) - prod.body_chars) <= 0.01 * prod.body_chars
    # Every paragraph, heading and bullet rebuilt whole; table cells found in their rows.
    texts = {b.text for b in body} | {cell for b in body if b.kind == BlockKind.TABLE_CELL
                                      for cell in b.text.split("\n")}
    assert [t for t in prod.body_texts if t not in texts] == []


@pytest.mark.layout
@needs_soffice
def test_libreoffice_export_structure(libreoffice_pdf):
    prod, data = libreoffice_pdf
    doc = read(data)
    assert doc.blocks[0].page == 1 and doc.blocks[0].text.startswith("Titre professionnel")
    toc = [b for b in doc.blocks if b.toc_signal]
    assert toc and {b.page for b in toc} == {2}
    assert len(toc) == len(prod.headings)
    heads = [(b.text, b.level) for b in doc.blocks if b.kind == BlockKind.HEADING and b.page >= 3]
    assert heads == [(t, 2 if t[1] == "." and t[2] != " " else 1) for t in prod.headings]
    items = [b.text for b in doc.blocks if b.kind == BlockKind.LIST_ITEM]
    assert items == prod.bullets
    body = [b for b in doc.blocks if b.page >= 3]
    texts = {b.text for b in body} | {cell for b in body if b.kind == BlockKind.TABLE_CELL
                                      for cell in b.text.split("\n")}
    assert [t for t in prod.body_texts if t not in texts] == []
