"""The French text report printed by ``dossier-check check``."""
from __future__ import annotations

from ..measure import fmt_int

NB = "\u00a0"  # no-break space before « : » etc.
OK, KO, WEAK, WARN = "✓", "✗", "~", "!"

SOURCE_LABELS = {
    "pdf": "pages du PDF",
    "layout": "mise en page LibreOffice",
    "metadata": "nombre enregistré par {app}",
    "estimate": "estimation d'après la longueur du texte, approximative",
}
COMP_SOURCE = {"content": "reconnu d'après le contenu", "filename": "d'après le nom du fichier",
               "user": "indiqué par vous"}
STATUS = {"present": OK, "weak": WEAK, "missing": KO}


class _Style:
    def __init__(self, color: bool):
        self.color = color

    def __call__(self, text: str, fg: str | None = None, bold: bool = False) -> str:
        if not self.color:
            return text
        import click

        return click.style(text, fg=fg, bold=bold)


def _mark(ok: bool, st: _Style) -> str:
    return st(OK, "green", True) if ok else st(KO, "red", True)


def render(report: dict, color: bool = False, verbose: bool = False) -> str:
    st = _Style(color)
    ref = report["referentiel"]
    lines: list[str] = []
    head = f"Titre professionnel {ref['name']} ({ref['code']})"
    if report.get("session_name"):
        head += f" — {report['session_name']}"
    else:
        head += " — vérification document par document"
    lines += [st(head, bold=True), ""]
    for d in report["documents"]:
        lines += _document(d, st, verbose)
        lines.append("")
    lines += _dossier(report, st)
    return "\n".join(lines) + "\n"


def _document(d: dict, st: _Style, verbose: bool) -> list[str]:
    out = []
    title = f"━━ {d['file']}"
    if d.get("competence_name"):
        title += f" — « {d['competence_name']} »"
        if d.get("competence_source") in COMP_SOURCE:
            title += f" ({COMP_SOURCE[d['competence_source']]})"
    elif d.get("format"):
        title += " — compétence non reconnue"
    out.append(st(title, bold=True))
    problems = d.get("problems", [])
    if d["pages"] is None:
        for p in problems:
            out.append(f"  {st(KO, 'red', True)} {p['message']}")
        out.append(f"  Verdict{NB}: {st('non conforme', 'red', True)} {KO}")
        return out
    pg, ch = d["pages"], d["characters"]
    src = SOURCE_LABELS[pg["source"]].format(app=f"« {pg.get('application') or 'le traitement de texte'} »")
    out.append(f"  Pages{NB}: {pg['counted']} comptée{'s' if pg['counted'] > 1 else ''} sur {pg['total']} "
               f"({src}) — attendu {pg['min']} à {pg['max']} {_mark(pg['ok'], st)}")
    for e in pg.get("explanations", []):
        out.append(f"      exclue{NB}: {e}")
    if not pg["excluded"]:
        out.append("      aucune page exclue")
    out.append(f"  Caractères{NB}: {fmt_int(ch['counted'])} (espaces compris) — attendu "
               f"{fmt_int(ch['min'])} à {fmt_int(ch['max'])} {_mark(ch['ok'], st)}")
    b = ch["breakdown"]
    out.append(f"      comptés{NB}: corps {fmt_int(b['body'])} · tableaux {fmt_int(b['tables'])} · "
               f"zones de texte et formes {fmt_int(b['text_boxes'])} · notes {fmt_int(b['notes'])}")
    ex = b["excluded"]
    out.append(f"      non comptés{NB}: page de garde {fmt_int(ex['cover'])} · sommaire {fmt_int(ex['toc'])} · "
               f"en-têtes et pieds de page {fmt_int(ex['headers_footers'])}")
    whole = f"      fichier entier (page de garde et sommaire inclus){NB}: {fmt_int(ch['total'])}"
    if ch.get("stored"):
        app = ch["stored"].get("application") or "le traitement de texte"
        whole += f" · chiffre enregistré dans le fichier par « {app} »{NB}: {fmt_int(ch['stored']['value'])}"
    out.append(whole)
    for note in d.get("notes", []):
        out.append(f"  {st('ℹ', 'blue')} {note}")
    if d.get("elements"):
        out.append(f"  Éléments attendus{NB}:")
        for e in d["elements"]:
            mark = {"present": st(OK, "green", True), "weak": st(WEAK, "yellow", True),
                    "missing": st(KO, "red", True)}[e["status"]]
            label = e["label"]
            if e["status"] == "present" and e["evidence"]:
                ev = e["evidence"][0]
                where = f" (p.{NB}{ev['page']})" if ev.get("page") else ""
                out.append(f"    {mark} {label} — « {ev['text']} »{where}")
            elif e["status"] == "weak":
                ev = e["evidence"][0] if e["evidence"] else None
                q = f" — « {ev['text']} »" if ev else ""
                out.append(f"    {mark} {label} (peu développé, à vérifier){q}")
                if e.get("advice"):
                    out.append(f"        → {e['advice']}")
            elif e["status"] == "missing":
                out.append(f"    {mark} {label} — non trouvé")
            else:
                out.append(f"    {mark} {label}")
    if d.get("company_experience") is not None:
        out.append(f"  Expérience en entreprise{NB}: {'oui' if d['company_experience'] else 'non repérée'}")
    if verbose and d.get("outline"):
        out.append(f"  Plan du document{NB}:")
        for s in d["outline"]:
            indent = "  " * max(0, (s.get("level") or 1) - 1)
            out.append(f"    {indent}{s['title'][:60]} — {fmt_int(s['characters'])} car. "
                       f"({round(100 * s['share'])}{NB}%)")
    for adv in d.get("length_advice") or []:
        out.append(f"  → {adv}")
    if problems:
        out.append(f"  À corriger{NB}:")
        for p in problems:
            if p["severity"] == "error":
                out.append(f"    {st(KO, 'red', True)} {p['message']}")
            else:
                out.append(f"    {st(WARN, 'yellow', True)} {p['message']}")
    verdict = st("conforme", "green", True) + f" {OK}" if d["compliant"] else st("non conforme", "red", True) + f" {KO}"
    out.append(f"  Verdict{NB}: {verdict}")
    return out


def _dossier(report: dict, st: _Style) -> list[str]:
    out = []
    dossier = report["dossier"]
    if report.get("session"):
        exp = dossier.get("expected") or []
        if exp:
            out.append(st("Dossier", bold=True) + f"{NB}: {len(exp)} document{'s' if len(exp) > 1 else ''} attendu"
                       f"{'s' if len(exp) > 1 else ''} ({', '.join(exp)})")
        else:
            out.append(st("Dossier", bold=True))
        for p in dossier.get("problems", []):
            mark = st(KO, "red", True) if p["severity"] == "error" else st(WARN, "yellow", True)
            out.append(f"  {mark} {p['message']}")
        if not dossier.get("problems"):
            out.append(f"  {st(OK, 'green', True)} tous les documents attendus sont là")
    n = len(report["documents"])
    ok = sum(1 for d in report["documents"] if d["compliant"])
    if report["compliant"]:
        out.append(st(f"Verdict{NB}: CONFORME {OK}", "green", True) + f" ({_count_line(ok, n)})")
    else:
        out.append(st(f"Verdict{NB}: NON CONFORME {KO}", "red", True) + f" ({_count_line(ok, n)})")
    bounds = next((d for d in report["documents"] if d.get("pages")), None)
    if bounds:
        pg, ch = bounds["pages"], bounds["characters"]
        out.append(f"Bornes incluses{NB}: de {pg['min']} à {pg['max']} pages et de {fmt_int(ch['min'])} à "
                   f"{fmt_int(ch['max'])} caractères espaces compris, hors page de garde et sommaire.")
    return out


def _count_line(ok: int, n: int) -> str:
    """« 1 document conforme sur 3 », « 3 documents conformes sur 3 »."""
    s = "s" if ok > 1 else ""
    return f"{ok} document{s} conforme{s} sur {n}"
