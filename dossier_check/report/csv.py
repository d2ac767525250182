"""``synthese.csv``: one row per document of the class, for Excel and
LibreOffice Calc in a French locale (semicolon separator, UTF-8 with BOM,
CRLF line ends).

Column names are stable (add columns at the end, never rename); README.md (section « Vérifier toute une classe »)
describes them. Numbers are written without thousands separators so that the
spreadsheet reads them as numbers; yes/no values are ``oui``/``non``; an unknown
value is an empty cell. An expected document that is missing from a
candidate's dossier gets its own row (empty ``fichier``, ``document-missing``).
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

COLUMNS = [
    "candidat",
    "dossier_conforme",
    "competence",
    "competence_libelle",
    "fichier",
    "format",
    "conforme",
    "pages_comptees",
    "pages_total",
    "pages_source",
    "pages_min",
    "pages_max",
    "pages_ok",
    "caracteres_comptes",
    "caracteres_total",
    "caracteres_min",
    "caracteres_max",
    "caracteres_ok",
    "elements_non_trouves",
    "elements_a_verifier",
    "experience_entreprise",
    "erreurs",
    "avertissements",
    "messages",
    "passages_similaires",
]


def _yn(v) -> str:
    if v is None:
        return ""
    return "oui" if v else "non"


def _num(v) -> str:
    return "" if v is None else str(int(v))


def _similar_index(similar) -> dict[tuple, list[str]]:
    out: dict[tuple, list[str]] = {}
    for p in similar or []:
        b_name = f"{p.b.candidate} ({p.b.file})" if p.b.candidate else f"session précédente ({p.b.file})"
        a_name = f"{p.a.candidate} ({p.a.file})"
        out.setdefault((p.a.candidate, p.a.file), []).append(f"{b_name} {p.percent}\u202f%")
        if p.b.candidate:
            out.setdefault((p.b.candidate, p.b.file), []).append(f"{a_name} {p.percent}\u202f%")
    return out


def rows(result) -> list[dict]:
    pack = result.pack
    sim = _similar_index(result.similar)
    out = []
    for cr in result.candidates:
        rep = cr.report
        name = cr.candidate.name
        dossier_ok = _yn(rep.get("compliant"))
        for d in rep.get("documents", []):
            pages = d.get("pages") or {}
            chars = d.get("characters") or {}
            elements = d.get("elements") or []
            problems = d.get("problems") or []
            comp = d.get("competence")
            out.append({
                "candidat": name,
                "dossier_conforme": dossier_ok,
                "competence": comp or "",
                "competence_libelle": pack.competences[comp].name if comp in pack.competences else "",
                "fichier": d.get("file") or "",
                "format": d.get("format") or "",
                "conforme": _yn(d.get("compliant")),
                "pages_comptees": _num(pages.get("counted")),
                "pages_total": _num(pages.get("total")),
                "pages_source": pages.get("source") or "",
                "pages_min": _num(pages.get("min", pack.pages.min)),
                "pages_max": _num(pages.get("max", pack.pages.max)),
                "pages_ok": _yn(pages.get("ok")),
                "caracteres_comptes": _num(chars.get("counted")),
                "caracteres_total": _num(chars.get("total")),
                "caracteres_min": _num(chars.get("min", pack.characters.min)),
                "caracteres_max": _num(chars.get("max", pack.characters.max)),
                "caracteres_ok": _yn(chars.get("ok")),
                "elements_non_trouves": ", ".join(e["label"] for e in elements if e.get("status") == "missing"),
                "elements_a_verifier": ", ".join(e["label"] for e in elements if e.get("status") == "weak"),
                "experience_entreprise": _yn(d.get("company_experience")),
                "erreurs": ", ".join(p["code"] for p in problems if p.get("severity") == "error"),
                "avertissements": ", ".join(p["code"] for p in problems if p.get("severity") != "error"),
                "messages": " | ".join(p["message"] for p in problems if p.get("severity") == "error"),
                "passages_similaires": " ; ".join(sim.get((name, d.get("file")), [])),
            })
        for comp in (rep.get("dossier") or {}).get("missing", []) or []:
            msgs = [p["message"] for p in (rep.get("dossier") or {}).get("problems", [])
                    if p.get("code") == "document-missing" and (p.get("detail") or {}).get("competence") == comp]
            row = {c: "" for c in COLUMNS}
            row.update({
                "candidat": name, "dossier_conforme": dossier_ok, "competence": comp,
                "competence_libelle": pack.competences[comp].name if comp in pack.competences else "",
                "conforme": "non", "erreurs": "document-missing", "messages": " | ".join(msgs),
                "pages_min": _num(pack.pages.min), "pages_max": _num(pack.pages.max),
                "caracteres_min": _num(pack.characters.min), "caracteres_max": _num(pack.characters.max),
            })
            out.append(row)
    return out


def render(result) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    w.writeheader()
    for r in rows(result):
        w.writerow(r)
    return buf.getvalue()


def write_csv(result, path: str | Path) -> None:
    # utf-8-sig writes the BOM Excel needs to read UTF-8.
    Path(path).write_bytes(render(result).encode("utf-8-sig"))
