"""HTML reports: the class report of the batch mode and one report per candidate.

Jinja2 templates live in ``report/templates/``:

* ``_document.html.j2`` — macros ``gauge(...)`` (an inline SVG picture of a
  value against its bounds), ``document_card(doc, comp_labels)`` (one document in
  full: verdict, gauges, excluded pages, character breakdown, elements,
  problems) and ``document_cell(doc)`` (the compact summary-table cell). The web
  page may import them: ``environment().get_template("_document.html.j2")``.
* ``_style.css.j2`` — the inline style sheet (screen and A4 print).
* ``classe.html.j2`` and ``candidat.html.j2`` — the two pages.

Pages are self-contained (inline CSS and SVG, no script, no external asset),
French, and never show a verdict by colour alone: every ✓/✗ comes with words.
"""
from __future__ import annotations

import datetime as _dt
from functools import lru_cache
from pathlib import Path

import jinja2

from .. import __version__

NNBSP = "\u202f"
MAX_PAIRS_SHOWN = 50  # in the class report; the CSV lists them all
NBSP = "\u00a0"

SHORT_LABELS = {
    "veille": "Veille",
    "plan-actions": "Plan d'actions",
    "fidelisation": "Fidélisation",
    "prospection-distance": "Prospection à distance",
}

PAGE_SOURCES = {
    "pdf": "pages du PDF",
    "layout": "mise en page LibreOffice",
    "metadata": "nombre enregistré par le traitement de texte",
    "estimate": "estimation d'après la longueur du texte",
}

STATUS = {
    "present": ("✓", "présent"),
    "weak": ("~", "à vérifier"),
    "missing": ("✗", "non trouvé"),
}

ERROR_LABELS = {
    "corrupt-file": "fichier endommagé",
    "encrypted": "protégé par mot de passe",
    "no-text": "aucun texte extractible (document scanné ?)",
    "legacy-doc": "ancien format Word .doc",
    "unsupported-format": "format non pris en charge",
    "too-large": "fichier trop volumineux",
    "timeout": "lecture trop longue",
}

LAYOUT_LABELS = {
    "folders": "un sous-dossier par candidat",
    "flat": "un seul dossier, le nom du candidat dans le nom de chaque fichier",
    "mixed": "des sous-dossiers par candidat et des fichiers nommés d'après le candidat",
    "empty": "aucun document trouvé",
}


def fmt_int(n) -> str:
    """12 000 with a narrow no-break space between thousands."""
    if n is None:
        return "—"
    return f"{int(n):,}".replace(",", NNBSP)


def fmt_pct(x) -> str:
    return f"{round(float(x) * 100)}{NNBSP}%"


def gauge_geometry(value, lo, hi, width: int = 160) -> dict:
    """Where to draw the rule's range and the value on a gauge ``width`` px wide.
    The scale runs from 0 to 1.25 × the maximum (or a bit past the value)."""
    value = value or 0
    top = max(hi * 1.25, value * 1.05, 1)
    pad = 4
    usable = width - 2 * pad

    def x(v):
        return round(pad + usable * min(max(v, 0), top) / top, 1)

    return {"width": width, "lo_x": x(lo), "hi_x": x(hi), "value_x": x(value),
            "ok": lo <= value <= hi, "low": value < lo, "high": value > hi}


def comp_label(comp_id, labels: dict | None = None) -> str:
    if not comp_id:
        return "Compétence non reconnue"
    if labels and comp_id in labels:
        return labels[comp_id]
    return SHORT_LABELS.get(comp_id, comp_id)


class _QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept in the user's cache directory (saves about half a
    second per run); an unwritable directory only costs the compilation."""

    def load_bytecode(self, bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001
            bucket.reset()

    def dump_bytecode(self, bucket) -> None:
        try:
            Path(self.directory).mkdir(parents=True, exist_ok=True)
            super().dump_bytecode(bucket)
        except Exception:  # noqa: BLE001
            pass


def _bytecode_cache():
    try:
        from ..cache import cache_root

        return _QuietBytecodeCache(str(cache_root() / "templates"))
    except Exception:  # noqa: BLE001
        return None


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
        bytecode_cache=_bytecode_cache(),
        autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
        trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
    )
    env.filters["n"] = fmt_int
    env.filters["pct"] = fmt_pct
    env.globals.update(gauge_geometry=gauge_geometry, comp_label=comp_label, PAGE_SOURCES=PAGE_SOURCES,
                       STATUS=STATUS, ERROR_LABELS=ERROR_LABELS, tool_version=__version__)
    return env


def _now() -> str:
    return _dt.datetime.now().strftime("%d/%m/%Y à %H:%M")


def _doc_rows(result, cr) -> list:
    """The summary row of a candidate: one cell per expected document, in the
    session's order, then the other files."""
    expected = list(result.pack.sessions[result.session].documents) if result.session in result.pack.sessions else []
    docs = list(cr.report.get("documents", []))
    cells = []
    used = set()
    for comp in expected:
        found = [d for d in docs if d.get("competence") == comp]
        for d in found:
            used.add(id(d))
        cells.append({"competence": comp, "docs": found})
    others = [d for d in docs if id(d) not in used]
    return cells, others


def _context(result) -> dict:
    pack = result.pack
    session = pack.sessions.get(result.session)
    labels = {cid: SHORT_LABELS.get(cid, c.name) for cid, c in pack.competences.items()}
    return {
        "pack": pack, "session": session, "labels": labels, "generated": _now(),
        "bounds": {"pages": pack.pages, "characters": pack.characters},
    }


def render_class(result, links: dict[str, str] | None = None) -> str:
    """``rapport-classe.html``: the summary table, the similar passages, and one
    section per candidate. ``links``: candidate name -> relative URL of their own report."""
    rows = []
    any_others = False
    for cr in result.candidates:
        cells, others = _doc_rows(result, cr)
        any_others = any_others or bool(others)
        prefix = f"{cr.candidate.name}/" if getattr(cr.candidate, "source", "") == "folder" else ""
        rows.append({"cr": cr, "cells": cells, "others": others, "prefix": prefix,
                     "link": (links or {}).get(cr.candidate.name)})
    ctx = _context(result)
    ctx.update(result=result, rows=rows, any_others=any_others, links=links or {},
               n_ok=sum(1 for c in result.candidates if c.compliant), max_pairs=MAX_PAIRS_SHOWN,
               threshold=(getattr(result, "stats", None) or {}).get("similarity_threshold", 0.30),
               layout_label=LAYOUT_LABELS.get(result.discovery.layout, result.discovery.layout))
    return environment().get_template("classe.html.j2").render(ctx)


def render_candidate(result, cr) -> str:
    """One candidate's own report (nobody else's results, no comparison)."""
    ctx = _context(result)
    prefix = f"{cr.candidate.name}/" if getattr(cr.candidate, "source", "") == "folder" else ""
    ctx.update(result=result, cr=cr, prefix=prefix)
    return environment().get_template("candidat.html.j2").render(ctx)


def render_report(report: dict, pack, title: str | None = None) -> str:
    """A report-v1 dictionary on its own (e.g. the ``check`` command or the web page)."""
    from types import SimpleNamespace

    cand = SimpleNamespace(name=title or "", files=[])
    cr = SimpleNamespace(candidate=cand, report=report, compliant=bool(report.get("compliant")))
    result = SimpleNamespace(pack=pack, session=report.get("session"), candidates=[cr])
    ctx = _context(result)
    ctx.update(result=result, cr=cr, prefix="")
    return environment().get_template("candidat.html.j2").render(ctx)
