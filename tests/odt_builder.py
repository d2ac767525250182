"""Build small ODT files from hand-written XML, for tests.

``build_odt(body)`` wraps ``body`` (the children of ``office:text``) into a
valid ODT package: ``mimetype`` first and stored, then content.xml,
styles.xml, meta.xml and META-INF/manifest.xml. Every namespace a test may
need is declared on the root elements, so snippets can use the usual
prefixes (text:, table:, draw:, style:, fo:, svg:, office:, dc:, meta:,
xlink:, loext:).

Helpers ``p``, ``h``, ``esc`` keep test bodies short; anything more specific
is written as XML in the test itself so the expected count is visible.
"""
from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "xlink": "http://www.w3.org/1999/xlink",
    "dc": "http://purl.org/dc/elements/1.1/",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
    "number": "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0",
    "svg": "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0",
    "loext": "urn:org:documentfoundation:names:experimental:office:xmlns:loext:1.0",
    "manifest": "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0",
}

_DECLS = " ".join(f'xmlns:{k}="{v}"' for k, v in NS.items() if k != "manifest")

MIMETYPE = "application/vnd.oasis.opendocument.text"

# Common styles as LibreOffice names them (internal names, display names).
DEFAULT_STYLES = """
<style:style style:name="Standard" style:family="paragraph" style:class="text">
  <style:paragraph-properties fo:margin-bottom="0.2cm" fo:text-align="justify"/>
  <style:text-properties fo:font-size="11pt"/>
</style:style>
<style:style style:name="Text_20_body" style:display-name="Text body" style:family="paragraph"
  style:parent-style-name="Standard"/>
<style:style style:name="Heading" style:family="paragraph" style:parent-style-name="Standard"
  style:next-style-name="Text_20_body">
  <style:paragraph-properties fo:margin-top="0.4cm" fo:margin-bottom="0.2cm" fo:text-align="start"
    fo:keep-with-next="always"/>
  <style:text-properties fo:font-size="14pt" fo:font-weight="bold"/>
</style:style>
<style:style style:name="Heading_20_1" style:display-name="Heading 1" style:family="paragraph"
  style:parent-style-name="Heading" style:default-outline-level="1">
  <style:text-properties fo:font-size="16pt" fo:font-weight="bold"/>
</style:style>
<style:style style:name="Heading_20_2" style:display-name="Heading 2" style:family="paragraph"
  style:parent-style-name="Heading" style:default-outline-level="2">
  <style:text-properties fo:font-size="13pt" fo:font-weight="bold"/>
</style:style>
<style:style style:name="Title" style:family="paragraph" style:parent-style-name="Heading"/>
<style:style style:name="Index" style:family="paragraph" style:parent-style-name="Standard"/>
<style:style style:name="Contents_20_Heading" style:display-name="Contents Heading"
  style:family="paragraph" style:parent-style-name="Heading"/>
<style:style style:name="Contents_20_1" style:display-name="Contents 1" style:family="paragraph"
  style:parent-style-name="Index">
  <style:paragraph-properties fo:text-align="start"><style:tab-stops><style:tab-stop style:position="17cm"
    style:type="right" style:leader-style="dotted" style:leader-text="."/></style:tab-stops>
  </style:paragraph-properties>
</style:style>
<style:style style:name="Contents_20_2" style:display-name="Contents 2" style:family="paragraph"
  style:parent-style-name="Index">
  <style:paragraph-properties fo:margin-left="0.5cm" fo:text-align="start"><style:tab-stops>
    <style:tab-stop style:position="16.5cm" style:type="right" style:leader-style="dotted"
    style:leader-text="."/></style:tab-stops></style:paragraph-properties>
</style:style>
<style:style style:name="Footnote" style:family="paragraph" style:parent-style-name="Standard"/>
<style:style style:name="Header" style:family="paragraph" style:parent-style-name="Standard"/>
<style:style style:name="Footer" style:family="paragraph" style:parent-style-name="Standard"/>
<style:style style:name="Page_20_break" style:display-name="Page break" style:family="paragraph"
  style:parent-style-name="Text_20_body">
  <style:paragraph-properties fo:break-before="page"/>
</style:style>
<style:style style:name="Hidden_20_char" style:display-name="Hidden char" style:family="text">
  <style:text-properties text:display="none"/>
</style:style>
<text:list-style style:name="Bullets">
  <text:list-level-style-bullet text:level="1" text:bullet-char="•">
    <style:list-level-properties text:list-level-position-and-space-mode="label-alignment">
      <style:list-level-label-alignment text:label-followed-by="listtab" text:list-tab-stop-position="1cm"
        fo:text-indent="-0.5cm" fo:margin-left="1cm"/></style:list-level-properties></text:list-level-style-bullet>
  <text:list-level-style-bullet text:level="2" text:bullet-char="◦">
    <style:list-level-properties text:list-level-position-and-space-mode="label-alignment">
      <style:list-level-label-alignment text:label-followed-by="listtab" text:list-tab-stop-position="1.5cm"
        fo:text-indent="-0.5cm" fo:margin-left="1.5cm"/></style:list-level-properties></text:list-level-style-bullet>
</text:list-style>
<text:list-style style:name="Numbering_20_123" style:display-name="Numbering 123">
  <text:list-level-style-number text:level="1" style:num-suffix="." style:num-format="1">
    <style:list-level-properties text:list-level-position-and-space-mode="label-alignment">
      <style:list-level-label-alignment text:label-followed-by="listtab" text:list-tab-stop-position="1cm"
        fo:text-indent="-0.5cm" fo:margin-left="1cm"/></style:list-level-properties></text:list-level-style-number>
</text:list-style>
"""

DEFAULT_PAGE_LAYOUT = """
<style:page-layout style:name="pm1">
  <style:page-layout-properties fo:page-width="21.001cm" fo:page-height="29.7cm"
    fo:margin-top="2cm" fo:margin-bottom="2cm" fo:margin-left="2cm" fo:margin-right="2cm"/>
  <style:header-style><style:header-footer-properties fo:min-height="0cm" fo:margin-bottom="0.5cm"/></style:header-style>
  <style:footer-style><style:header-footer-properties fo:min-height="0cm" fo:margin-top="0.5cm"/></style:footer-style>
</style:page-layout>
"""


def esc(text: str) -> str:
    return escape(text)


def p(text: str = "", style: str = "Standard") -> str:
    return f'<text:p text:style-name="{style}">{esc(text)}</text:p>'


def h(text: str, level: int = 1, style: str | None = None) -> str:
    style = style or f"Heading_20_{level}"
    return f'<text:h text:style-name="{style}" text:outline-level="{level}">{esc(text)}</text:h>'


def content_xml(body: str, automatic_styles: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<office:document-content {_DECLS} office:version="1.3">'
        f"<office:automatic-styles>{automatic_styles}</office:automatic-styles>"
        f"<office:body><office:text>{body}</office:text></office:body>"
        "</office:document-content>"
    )


def styles_xml(styles: str = "", master_pages: str | None = None, automatic_styles: str = "") -> str:
    if master_pages is None:
        master_pages = '<style:master-page style:name="Standard" style:page-layout-name="pm1"/>'
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<office:document-styles {_DECLS} office:version="1.3">'
        f"<office:styles>{DEFAULT_STYLES}{styles}</office:styles>"
        f"<office:automatic-styles>{DEFAULT_PAGE_LAYOUT}{automatic_styles}</office:automatic-styles>"
        f"<office:master-styles>{master_pages}</office:master-styles>"
        "</office:document-styles>"
    )


def meta_xml(character_count: int | None = None, page_count: int | None = None,
             generator: str | None = "LibreOffice/7.4.7.2$Linux_X86_64 LibreOffice_project/40$Build-2") -> str:
    stats = ""
    attrs = []
    if character_count is not None:
        attrs.append(f'meta:character-count="{character_count}"')
    if page_count is not None:
        attrs.append(f'meta:page-count="{page_count}"')
    if attrs:
        stats = f"<meta:document-statistic {' '.join(attrs)}/>"
    gen = f"<meta:generator>{esc(generator)}</meta:generator>" if generator else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<office:document-meta {_DECLS} office:version="1.3">'
        f"<office:meta>{gen}{stats}</office:meta></office:document-meta>"
    )


def manifest_xml(encrypted_content: bool = False, extra_entries: str = "") -> str:
    enc = ""
    if encrypted_content:
        enc = (
            '<manifest:encryption-data manifest:checksum-type="urn:oasis:names:tc:opendocument:xmlns:'
            'manifest:1.0#sha256-1k" manifest:checksum="AAAA">'
            '<manifest:algorithm manifest:algorithm-name="http://www.w3.org/2001/04/xmlenc#aes256-cbc" '
            'manifest:initialisation-vector="AAAA"/>'
            '<manifest:start-key-generation manifest:start-key-generation-name="http://www.w3.org/2000/09/'
            'xmldsig#sha256" manifest:key-size="32"/>'
            '<manifest:key-derivation manifest:key-derivation-name="PBKDF2" manifest:key-size="32" '
            'manifest:iteration-count="100000" manifest:salt="AAAA"/>'
            "</manifest:encryption-data>"
        )
    size = ' manifest:size="1000"' if encrypted_content else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<manifest:manifest xmlns:manifest="{NS["manifest"]}" manifest:version="1.3">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{MIMETYPE}"/>'
        f'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"'
        f'{size}>{enc}</manifest:file-entry>'
        '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
        '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
        f"{extra_entries}</manifest:manifest>"
    )


def build_odt(body: str, *, automatic_styles: str = "", styles: str = "",
              master_pages: str | None = None, styles_automatic: str = "",
              meta: str | None = None, encrypted: bool = False,
              extra_files: dict[str, bytes] | None = None) -> bytes:
    """Return the bytes of an ODT whose body is ``body``.

    ``automatic_styles`` go into content.xml, ``styles``/``master_pages``/
    ``styles_automatic`` into styles.xml. ``encrypted=True`` writes a manifest
    declaring content.xml encrypted (and garbage as its content, like a real
    encrypted package).
    """
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), MIMETYPE, compress_type=zipfile.ZIP_STORED)
        if encrypted:
            zf.writestr("content.xml", bytes(range(256)) * 4)
        else:
            zf.writestr("content.xml", content_xml(body, automatic_styles))
        zf.writestr("styles.xml", styles_xml(styles, master_pages, styles_automatic))
        zf.writestr("meta.xml", meta if meta is not None else meta_xml())
        zf.writestr("META-INF/manifest.xml", manifest_xml(encrypted))
        for name, data in (extra_files or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()
