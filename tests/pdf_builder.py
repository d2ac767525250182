"""Build PDFs with known text, for tests.

Two ways:

* :func:`canvas_pdf` draws given lines with reportlab, page by page, with an
  optional running header and footer (``{n}`` and ``{total}`` are replaced by
  the page number and count): full control over line breaks, hyphens and
  bullets, so each reader heuristic can be tested alone.
* :func:`production_odt` builds a realistic production (cover page, ODT
  sommaire with dot leaders, numbered headings, justified paragraphs, bullets,
  a table, header and « Page N / M » footer) as an ODT, and
  :func:`soffice_pdf` exports it with LibreOffice: the PDF a candidate would
  send. Both return the exact counted text so tests can measure the error.
"""
from __future__ import annotations

import io
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from odt_builder import build_odt, esc, h, p

SENTENCES = [
    "L'entreprise Rhône Équipements distribue du matériel de cuisine professionnelle auprès des "
    "restaurateurs, des collectivités et des hôtels de la région lyonnaise.",
    "Créée en 1998, elle emploie aujourd'hui quarante-deux salariés, dont huit commerciaux itinérants "
    "et trois technico-commerciaux sédentaires.",
    "Son chiffre d'affaires a atteint 6,4 millions d'euros l'an dernier, en progression de 7 % par "
    "rapport à l'exercice précédent.",
    "J'ai rejoint l'équipe commerciale en septembre, avec pour mission de développer le secteur nord "
    "du département et de fidéliser les comptes existants.",
    "Mon portefeuille compte cent vingt clients actifs, classés selon leur potentiel et la fréquence "
    "de leurs commandes.",
    "Pour préparer ma prospection, j'ai d'abord analysé le fichier clients extrait du CRM, puis "
    "croisé ces données avec les annuaires professionnels et les sites des chambres consulaires.",
    "Cette analyse a fait apparaître une trentaine d'établissements non démarchés depuis plus de deux "
    "ans, alors même qu'ils correspondaient à notre cœur de cible.",
    "J'ai ensuite construit un plan de tournée hebdomadaire qui regroupe les visites par zone afin de "
    "limiter les trajets et d'augmenter le nombre de rendez-vous utiles.",
    "Chaque entretien commençait par une phase de découverte structurée : activité, équipement actuel, "
    "projets d'investissement, interlocuteurs décisionnaires et calendrier budgétaire.",
    "À l'issue de ces rendez-vous, je rédigeais un compte rendu dans le CRM et planifiais la relance "
    "adaptée, par téléphone ou par courriel.",
    "La négociation portait le plus souvent sur les délais de livraison, l'extension de garantie et "
    "les conditions de paiement plutôt que sur le prix catalogue.",
    "Face à l'objection du prix, je reformulais le besoin exprimé puis présentais le coût global "
    "d'utilisation, maintenance et consommation d'énergie comprises.",
    "Les résultats obtenus sur le semestre sont encourageants : quatorze nouveaux comptes ouverts pour "
    "un objectif de douze, et un panier moyen en hausse de 9 %.",
    "Cette expérience m'a appris à hiérarchiser mes actions et à mesurer régulièrement leur "
    "rentabilité à l'aide d'indicateurs simples et partagés avec mon responsable.",
]

BULLETS = [
    "analyse du portefeuille et segmentation ABC des clients",
    "construction d'un plan de tournée par zone géographique",
    "préparation des entretiens et des argumentaires",
    "suivi des relances et mise à jour du CRM",
]

HEADER = "Camille Martin — Dossier professionnel NTC"


def paragraph(i: int, n: int = 3) -> str:
    return " ".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(n))


@dataclass
class Production:
    """A realistic production: its ODT, and what a word processor counts
    in its body (everything after the cover and the sommaire)."""

    odt: bytes
    body_chars: int
    body_texts: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)


def production_odt(sections: int = 5, paragraphs_per_section: int = 3) -> Production:
    auto = (
        '<style:style style:name="PCover" style:family="paragraph" style:parent-style-name="Title" '
        'style:master-page-name="Cover"><style:paragraph-properties fo:text-align="center" '
        'fo:margin-top="3cm"/><style:text-properties fo:font-size="20pt"/></style:style>'
        '<style:style style:name="PCoverText" style:family="paragraph" style:parent-style-name="Standard">'
        '<style:paragraph-properties fo:text-align="center" fo:margin-top="1cm"/>'
        '<style:text-properties fo:font-size="14pt"/></style:style>'
        '<style:style style:name="PTocTitle" style:family="paragraph" '
        'style:parent-style-name="Contents_20_Heading" style:master-page-name="Standard"/>'
        '<style:style style:name="PBreak" style:family="paragraph" style:parent-style-name="Heading_20_1">'
        '<style:paragraph-properties fo:break-before="page"/></style:style>'
    )
    cover = (f'<text:p text:style-name="PCover">Titre professionnel Négociateur technico-commercial</text:p>'
             f'<text:p text:style-name="PCoverText">Dossier de production n° 1</text:p>'
             f'<text:p text:style-name="PCoverText">Prospecter et développer un portefeuille clients</text:p>'
             f'<text:p text:style-name="PCoverText">Camille Martin — Session 2026</text:p>')
    headings = []
    body = ""
    texts: list[str] = []
    counter = 0
    for s in range(1, sections + 1):
        title = f"{s}. {['Présentation de l’entreprise', 'Analyse du portefeuille', 'Organisation de la prospection', 'Conduite des entretiens', 'Bilan et perspectives', 'Annexes commerciales'][(s - 1) % 6]}"
        headings.append(title)
        style = "PBreak" if s == 1 else "Heading_20_1"
        body += f'<text:h text:style-name="{style}" text:outline-level="1">{esc(title)}</text:h>'
        texts.append(title)
        for k in range(paragraphs_per_section):
            if k == 1:
                sub = f"{s}.1 Démarche suivie"
                headings.append(sub)
                body += h(sub, 2)
                texts.append(sub)
            t = paragraph(counter)
            counter += 1
            body += p(t, "Text_20_body")
            texts.append(t)
        if s == 2:
            body += '<text:list text:style-name="Bullets">' + "".join(
                f'<text:list-item><text:p text:style-name="Text_20_body">{esc(b)}</text:p></text:list-item>'
                for b in BULLETS) + "</text:list>"
            texts.extend(BULLETS)
        if s == 3:
            rows = [("Indicateur", "Objectif", "Réalisé"), ("Nouveaux comptes", "12", "14"),
                    ("Rendez-vous", "90", "104"), ("Panier moyen", "2 300 €", "2 510 €")]
            body += '<table:table table:name="Tableau1"><table:table-column table:number-columns-repeated="3"/>'
            for row in rows:
                body += "<table:table-row>" + "".join(
                    f'<table:table-cell office:value-type="string"><text:p text:style-name="Standard">'
                    f'{esc(c)}</text:p></table:table-cell>' for c in row) + "</table:table-row>"
                texts.extend(row)
            body += "</table:table>"
    toc = ('<text:table-of-content text:name="Sommaire1"><text:table-of-content-source text:outline-level="2"/>'
           '<text:index-body><text:index-title text:name="Sommaire1_Head">'
           '<text:p text:style-name="PTocTitle">Sommaire</text:p></text:index-title>'
           + "".join(f'<text:p text:style-name="Contents_20_{1 if t[1:3] == ". " else 2}">'
                     f'{esc(t)}<text:tab/>{3 + i // 3}</text:p>' for i, t in enumerate(headings))
           + "</text:index-body></text:table-of-content>")
    masters = (
        '<style:master-page style:name="Standard" style:page-layout-name="pm1">'
        f'<style:header><text:p text:style-name="Header">{esc(HEADER)}</text:p></style:header>'
        '<style:footer><text:p text:style-name="Footer">Page <text:page-number text:select-page="current">1'
        '</text:page-number> / <text:page-count>1</text:page-count></text:p></style:footer>'
        '</style:master-page>'
        '<style:master-page style:name="Cover" style:page-layout-name="pm1" style:next-style-name="Standard"/>'
    )
    odt = build_odt(cover + toc + body, automatic_styles=auto, master_pages=masters)
    return Production(odt=odt, body_chars=sum(len(t) for t in texts), body_texts=texts,
                      bullets=list(BULLETS), headings=headings)


def soffice_pdf(odt: bytes, tmp_path: Path, name: str = "production") -> bytes:
    """Export an ODT to PDF with LibreOffice (own profile, so it can run beside others)."""
    src = tmp_path / f"{name}.odt"
    src.write_bytes(odt)
    out = tmp_path / "pdf"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(out), str(src)],
                   check=True, capture_output=True, timeout=180)
    return (out / f"{name}.pdf").read_bytes()


# --------------------------------------------------------------------------------------
# reportlab, line by line


@dataclass
class Line:
    text: str
    size: float = 11
    bold: bool = False
    indent: float = 0  # points from the left margin
    gap_before: float = 0  # extra space before the line, points
    # Pieces drawn side by side: (offset from the left margin, text) or
    # (offset, text, size, rise) for a superscript; ``text`` is then ignored.
    cells: list[tuple] | None = None


_FONT_FILES = {
    "Sans": "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
    "Sans-Bold": "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf",
}


def _fonts() -> tuple[str, str]:
    """Liberation Sans (full Unicode, embedded) when installed, else Helvetica."""
    from pathlib import Path as _P

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if all(_P(f).exists() for f in _FONT_FILES.values()):
        for name, path in _FONT_FILES.items():
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(name, path))
        return "Sans", "Sans-Bold"
    return "Helvetica", "Helvetica-Bold"


PUA_BULLET = "\uf0b7"


def _register_pua_bullet_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "PUABullet" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("PUABullet", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"))


def canvas_pdf(pages: list[list[Line | str]], header: str | None = None, footer: str | None = None,
               header_on_first: bool = True, encrypt_user_password: str | None = None,
               encrypt_algorithm: str = "RC4-128") -> bytes:
    """Draw the given lines (top to bottom) on A4 pages with Helvetica.

    ``header``/``footer`` are drawn on every page (not the first one when
    ``header_on_first`` is False); ``{n}`` and ``{total}`` are replaced.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    regular, bold = _fonts()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=0)
    width, height = A4
    total = len(pages)
    for n, lines in enumerate(pages, start=1):
        show_hf = header_on_first or n > 1
        if header and show_hf:
            c.setFont(regular, 9)
            c.drawString(57, height - 40, header.format(n=n, total=total))
        y = height - 80
        for line in lines:
            if isinstance(line, str):
                line = Line(line)
            y -= line.gap_before
            c.setFont(bold if line.bold else regular, line.size)
            if line.cells:
                for cell in line.cells:
                    offset, cell_text = cell[0], cell[1]
                    if len(cell) == 4:  # (offset, text, size, rise): superscripts
                        c.setFont(regular, cell[2])
                        c.drawString(57 + offset, y + cell[3], cell_text)
                        c.setFont(bold if line.bold else regular, line.size)
                    else:
                        c.drawString(57 + offset, y, cell_text)
            elif line.text.startswith(PUA_BULLET):
                # Word's Symbol bullet: a glyph whose ToUnicode says U+F0B7.
                _register_pua_bullet_font()
                c.setFont("PUABullet", line.size)
                c.drawString(57 + line.indent, y, "\u2022")
                c.setFont(bold if line.bold else regular, line.size)
                c.drawString(57 + line.indent + line.size, y, line.text[1:].lstrip())
            else:
                c.drawString(57 + line.indent, y, line.text)
            y -= line.size * 1.35
        if footer and show_hf:
            c.setFont(regular, 9)
            c.drawCentredString(width / 2, 30, footer.format(n=n, total=total))
        c.showPage()
    c.save()
    data = buf.getvalue()
    marker = b"/CMapName /AAAAAA+DejaVuSans def"
    at = data.find(marker)
    if at >= 0:  # same length, offsets unchanged
        end = data.find(b"endbfchar", at)
        data = data[:at] + data[at:end].replace(b"<2022>", b"<F0B7>") + data[end:]
    if encrypt_user_password is not None:
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        writer.encrypt(user_password=encrypt_user_password, owner_password="proprietaire",
                       algorithm=encrypt_algorithm)
        out = io.BytesIO()
        writer.write(out)
        data = out.getvalue()
    return data


def wrap(text: str, size: float = 11, width: float = 480) -> list[str]:
    """Break ``text`` into lines as a word processor would (no hyphenation)."""
    from reportlab.lib.utils import simpleSplit

    return simpleSplit(text, _fonts()[0], size, width)


def image_only_pdf(pages: int = 2) -> bytes:
    """A 'scanned' PDF: one raster image per page, no text."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow comes with reportlab
        raise
    img = Image.new("L", (200, 280), 230)
    for x in range(20, 180):
        for y in range(40, 44):
            img.putpixel((x, y), 20)
    bio = io.BytesIO()
    img.save(bio, format="PNG")
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for _ in range(pages):
        bio.seek(0)
        c.drawImage(ImageReader(io.BytesIO(bio.getvalue())), 0, 0, *A4)
        c.showPage()
    c.save()
    return buf.getvalue()


def flow(items: list[tuple[str, str]], lines_per_page: int = 46, bullet: str = "•",
         indent_first: bool = False) -> tuple[list[list[Line]], int]:
    """Lay out ``(kind, text)`` items — kind "h1", "h2", "p" or "bullet" —
    on pages the way a word processor would (wrapped lines, space between
    paragraphs, bullets hanging). Returns the pages and the exact count of
    what a word processor counts (bullet labels excluded)."""
    pages: list[list[Line]] = [[]]
    used = 0
    exact = 0

    def put(line: Line, height: int = 1):
        nonlocal used
        if used + height > lines_per_page:
            pages.append([])
            used = 0
            line.gap_before = 0
        pages[-1].append(line)
        used += height

    for kind, text in items:
        exact += len(text)
        if kind in ("h1", "h2"):
            size = 16 if kind == "h1" else 13
            put(Line(text, size=size, bold=True, gap_before=10), 2)
        elif kind == "bullet":
            for i, ln in enumerate(wrap(text, width=440)):
                put(Line(f"{bullet} {ln}" if i == 0 else ln, indent=20 if i == 0 else 32))
        else:
            first = True
            for ln in wrap(text, width=470 if indent_first else 480):
                gap = 0 if indent_first else (6 if first else 0)
                put(Line(ln, indent=12 if (indent_first and first) else 0, gap_before=gap))
                first = False
    return pages, exact


def justified_words(line: str, size: float = 11, width: float = 480) -> list[tuple[float, str]]:
    """One cell per word, spread over ``width``: the way some PDF producers
    draw justified lines (each word placed on its own)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    font = _fonts()[0]
    words = line.split()
    if len(words) < 2:
        return [(0, line)]
    total = sum(stringWidth(w, font, size) for w in words)
    space = (width - total) / (len(words) - 1)
    out, x = [], 0.0
    for w in words:
        out.append((x, w))
        x += stringWidth(w, font, size) + space
    return out
