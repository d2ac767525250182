"""The judge: rule pack + measures + analysis → problems, verdicts, report-v1.

Knows nothing of file formats. Severities follow report-v1.md: the length rule
is an error when the count is reliable; what comes from content heuristics is a
warning unless ``strict``.
"""
from __future__ import annotations

from . import __version__
from .measure import fmt_int
from .problems import (
    CHARS_TOO_FEW, CHARS_TOO_MANY, COMMENTS, COMPETENCE_MISMATCH, DOCUMENT_DUPLICATE, DOCUMENT_MISSING,
    ELEMENT_MISSING, ERROR, EXPERIENCE_ENTREPRISE, LAYOUT_FALLBACK, MERGED_DOCUMENTS, PAGES_BORDERLINE,
    PAGES_TOO_FEW, PAGES_TOO_MANY, TRACKED_CHANGES, UNEXPECTED_DOCUMENT, WARNING, Problem,
)
from .rulepack import RulePack

SCHEMA = "dossier-check/report/v1"
HEURISTIC_CODES = {ELEMENT_MISSING, COMPETENCE_MISMATCH, EXPERIENCE_ENTREPRISE, MERGED_DOCUMENTS}

SOURCE_LABELS = {
    "pdf": "pages du PDF",
    "layout": "mise en page LibreOffice",
    "metadata": "statistiques enregistrées par le traitement de texte",
    "estimate": "estimation d'après la longueur du texte",
}


def _plural(n: int, word: str) -> str:
    return f"{fmt_int(n)}\u00a0{word}{'s' if abs(n) > 1 else ''}"


def _heuristic(severity: str, strict: bool) -> str:
    return ERROR if strict else severity


def judge_pages(pages: dict, pack: RulePack) -> tuple[dict, list[Problem], bool]:
    """Returns the report pages block (with min/max/ok), problems, borderline."""
    lo, hi = pack.pages.min, pack.pages.max
    counted = pages["counted"]
    ok = lo <= counted <= hi
    out = {**pages, "min": lo, "max": hi, "ok": ok}
    problems: list[Problem] = []
    source = pages["source"]
    near = counted in (lo - 1, lo, lo + 1, hi - 1, hi, hi + 1)
    borderline = source != "pdf" and near
    if not ok:
        if source == "estimate" or (source == "metadata" and near):
            severity = WARNING
        else:
            severity = ERROR
        how = SOURCE_LABELS[source]
        if counted < lo:
            missing = lo - counted
            msg = (f"{_plural(counted, 'page')} comptée{'s' if counted > 1 else ''} ({how}) : il en faut au "
                   f"moins {lo}. Il manque environ {_plural(missing, 'page')}.")
            problems.append(Problem(PAGES_TOO_FEW, severity, msg, {"missing": missing, "source": source}))
        else:
            excess = counted - hi
            msg = (f"{_plural(counted, 'page')} comptées ({how}) : {hi} au maximum. Retirez environ "
                   f"{_plural(excess, 'page')}.")
            problems.append(Problem(PAGES_TOO_MANY, severity, msg, {"excess": excess, "source": source}))
    if borderline:
        problems.append(Problem(
            PAGES_BORDERLINE, WARNING,
            f"Nombre de pages à la limite ({counted}, {SOURCE_LABELS[source]}) : Word et LibreOffice ne "
            "coupent pas toujours les pages au même endroit. Exportez votre document en PDF depuis votre "
            "traitement de texte et vérifiez ce PDF pour en être sûr.",
            {"counted": counted, "source": source}))
    return out, problems, borderline


def judge_characters(chars: dict, pack: RulePack) -> tuple[dict, list[Problem]]:
    lo, hi = pack.characters.min, pack.characters.max
    counted = chars["counted"]
    ok = lo <= counted <= hi
    out = {**chars, "min": lo, "max": hi, "ok": ok}
    problems = []
    if counted < lo:
        missing = lo - counted
        problems.append(Problem(
            CHARS_TOO_FEW, ERROR,
            f"Il manque {_plural(missing, 'caractère')} : le texte compté fait {_plural(counted, 'caractère')} "
            f"(espaces compris), le minimum est de {fmt_int(lo)}.",
            {"missing": missing}))
    elif counted > hi:
        excess = counted - hi
        problems.append(Problem(
            CHARS_TOO_MANY, ERROR,
            f"Retirez environ {_plural(excess, 'caractère')} : le texte compté fait "
            f"{_plural(counted, 'caractère')} (espaces compris), le maximum est de {fmt_int(hi)}.",
            {"excess": excess}))
    return out, problems


def _element_dicts(results) -> list[dict]:
    out = []
    for r in results:
        d = {"id": r.id, "label": r.label, "status": r.status,
             "evidence": [{"text": e.text, "page": e.page} for e in r.evidence]}
        if r.advice:
            d["advice"] = r.advice
        out.append(d)
    return out


def _outline_dicts(analysis, competence: str | None) -> list[dict]:
    out = []
    for s in getattr(analysis, "outline", None) or []:
        out.append({"title": s.title, "level": s.level, "characters": s.characters,
                    "share": round(s.share, 4), "page": s.page,
                    "elements": list(s.elements.get(competence, [])) if competence else []})
    return out


def build_document(res, pack: RulePack, competence: str | None, competence_source: str | None,
                   mismatch: str | None, options, session=None) -> dict:
    strict = bool(getattr(options, "strict", False))
    doc: dict = {
        "file": res.name,
        "format": res.format,
        "competence": competence,
        "competence_source": competence_source,
        "competence_name": pack.competences[competence].name if competence in pack.competences else None,
        "compliant": False,
        "pages": None,
        "characters": None,
        "elements": [],
        "company_experience": None,
        "problems": [],
        "notes": [],
    }
    problems: list[Problem] = []
    if res.error:
        problems.append(Problem(res.error["code"], ERROR, res.error["message"],
                                {k: v for k, v in (res.error.get("detail") or {}).items()
                                 if isinstance(v, (str, int, float, bool))}))
        doc["problems"] = [p.to_dict() for p in problems]
        return doc
    pages, pp, borderline = judge_pages(res.pages, pack)
    pages["explanations"] = res.page_explanations
    pages["borderline"] = borderline
    chars, cp = judge_characters(res.characters, pack)
    doc["pages"], doc["characters"] = pages, chars
    problems += cp + pp
    for note in res.page_notes:
        problems.append(Problem(LAYOUT_FALLBACK, WARNING, note))
    if res.tracked_changes:
        problems.append(Problem(
            TRACKED_CHANGES, WARNING,
            f"Le document contient {_plural(res.tracked_changes, 'modification')} suivie{'s' if res.tracked_changes > 1 else ''} : "
            "le compte les considère comme acceptées. Acceptez ou refusez-les (Révision > Accepter) avant de déposer.",
            {"count": res.tracked_changes}))
    if res.comments:
        problems.append(Problem(
            COMMENTS, WARNING,
            f"Le document contient {_plural(res.comments, 'commentaire')} (non compté{'s' if res.comments > 1 else ''}) : "
            "supprimez-les avant de déposer.", {"count": res.comments}))
    doc["notes"] = list(res.location_notes)
    an = res.analysis
    if an is not None:
        doc["company_experience"] = an.company_experience
        doc["notes"] += list(getattr(an, "notes", None) or [])
        if competence and competence in an.elements:
            doc["elements"] = _element_dicts(an.elements[competence])
            for r in an.elements[competence]:
                if r.status == "missing":
                    problems.append(Problem(
                        ELEMENT_MISSING, _heuristic(WARNING, strict),
                        f"Élément attendu non trouvé : {r.label}. {r.advice or ''}".strip(),
                        {"element": r.id}))
        doc["outline"] = _outline_dicts(an, competence)
        if len(getattr(an, "merged", []) or []) > 1:
            names = ", ".join(f"« {pack.competences[c].name} »" for c in an.merged if c in pack.competences)
            problems.append(Problem(
                MERGED_DOCUMENTS, _heuristic(WARNING, strict),
                f"Ce fichier semble contenir plusieurs productions ({names}). Déposez un fichier par compétence.",
                {"competences": list(an.merged)}))
        if competence and (not chars["ok"]):
            try:
                from .analyse import advise_length

                doc["length_advice"] = advise_length(an, pack.competences[competence], chars["counted"],
                                                     pack.characters)
            except (ImportError, AttributeError, KeyError):
                pass
    if mismatch and mismatch in pack.competences:
        problems.append(Problem(
            COMPETENCE_MISMATCH, _heuristic(WARNING, strict),
            f"Vous avez indiqué « {pack.competences[competence].name} », mais le contenu correspond plutôt à "
            f"« {pack.competences[mismatch].name} ». Vérifiez que c'est le bon fichier.",
            {"expected": competence, "found": mismatch}))
    if session is not None and session.company_experience_per_document and an is not None \
            and an.company_experience is not True:
        problems.append(Problem(
            EXPERIENCE_ENTREPRISE, _heuristic(WARNING, strict),
            "Cette production doit décrire une action menée en entreprise "
            f"({session.company_experience_source or 'référentiel'}) : le document ne le montre pas clairement. "
            "Précisez l'entreprise et votre rôle (stage, alternance, emploi).",
            {}))
    doc["problems"] = [p.to_dict() for p in problems]
    doc["compliant"] = not any(p.severity == ERROR for p in problems)
    return doc


def _assign(results, pack: RulePack, expected: list[str] | None):
    try:
        from .analyse.assign import AssignInput, assign
    except ImportError:
        return [(r.user_competence, "user" if r.user_competence else None, None) for r in results], []
    inputs = [AssignInput(filename=r.name, analysis=r.analysis, user_competence=r.user_competence) for r in results]
    assignments, duplicates = assign(inputs, expected, pack)
    return [(a.competence, a.source, a.mismatch) for a in assignments], duplicates


def build_report(pack: RulePack, session_id: str | None, results: list, options=None) -> dict:
    strict = bool(getattr(options, "strict", False))
    session = pack.sessions.get(session_id) if session_id else None
    if session_id and session is None:
        raise KeyError(session_id)
    dossier_problems: list[Problem] = []
    documents: list[dict] = []
    if session is not None and not session.documents:
        # A session without written production: every file is unexpected.
        for r in results:
            d = build_document(r, pack, None, None, None, options, session)
            p = Problem(UNEXPECTED_DOCUMENT, ERROR, session.no_production or "Ce document n'est pas attendu.",
                        {"file": r.name})
            d["problems"].append(p.to_dict())
            d["compliant"] = False
            documents.append(d)
            dossier_problems.append(p)
        expected, missing, dup_list = [], [], []
    else:
        expected = list(session.documents) if session else None
        assigned, duplicates = _assign(results, pack, expected)
        for r, (comp, source, mismatch) in zip(results, assigned):
            documents.append(build_document(r, pack, comp, source, mismatch, options, session))
        missing, dup_list = [], []
        if session is not None:
            present = {d["competence"] for d in documents if d["competence"]}
            for comp in session.documents:
                if comp not in present:
                    missing.append(comp)
                    dossier_problems.append(Problem(
                        DOCUMENT_MISSING, ERROR,
                        f"Document manquant : « {pack.competences[comp].name} ».", {"competence": comp}))
            for comp, idxs in duplicates:
                files = [results[i].name for i in idxs]
                dup_list.append({"competence": comp, "files": files})
                dossier_problems.append(Problem(
                    DOCUMENT_DUPLICATE, ERROR,
                    f"Plusieurs fichiers pour « {pack.competences[comp].name} » : {', '.join(files)}. "
                    "Gardez-en un seul par compétence.", {"competence": comp, "files": files}))
            for d in documents:
                if d["competence"] is None or d["competence"] not in session.documents:
                    if any(d["file"] in x["files"] for x in dup_list):
                        continue
                    p = Problem(UNEXPECTED_DOCUMENT, ERROR,
                                f"Le fichier « {d['file']} » ne correspond à aucun document attendu pour "
                                f"la {session.name}.", {"file": d["file"]})
                    if d["format"] is not None:  # unreadable files already carry their own error
                        dossier_problems.append(p)
            if session.company_experience_min:
                n = sum(1 for d in documents if d.get("company_experience") is True)
                if n < session.company_experience_min:
                    dossier_problems.append(Problem(
                        EXPERIENCE_ENTREPRISE, _heuristic(WARNING, strict),
                        f"{_plural(n, 'document')} seulement relate{'nt' if n > 1 else ''} une expérience en "
                        f"entreprise, il en faut au moins {session.company_experience_min} "
                        f"({session.company_experience_source}). Précisez l'entreprise et votre rôle "
                        "(stage, alternance, emploi) dans vos documents.",
                        {"count": n, "min": session.company_experience_min}))
    compliant = all(d["compliant"] for d in documents) and bool(documents) and \
        not any(p.severity == ERROR for p in dossier_problems)
    return {
        "schema": SCHEMA,
        "tool_version": __version__,
        "title": pack.id,
        "session": session_id,
        "session_name": session.name if session else None,
        "referentiel": pack.referentiel,
        "compliant": compliant,
        "documents": documents,
        "dossier": {
            "expected": expected or [],
            "missing": missing,
            "duplicates": dup_list,
            "problems": [p.to_dict() for p in dossier_problems],
        },
        "strict": strict,
    }
