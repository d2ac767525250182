"""Commands ``dossier-check batch`` (a whole class folder) and ``dossier-check cache``.

Registered by :mod:`dossier_check.cli`. Output is French; the class report goes
to files, a short summary to stdout, the progress bar to stderr.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from .cli import CONTEXT, EXIT_NOT_COMPLIANT, EXIT_OK, EXIT_USAGE, _packs, _resolve

NNBSP = "\u202f"
NBSP = "\u00a0"

PROBLEM_SHORT = {
    "pages-too-few": "trop peu de pages",
    "pages-too-many": "trop de pages",
    "chars-too-few": "trop peu de caractères",
    "chars-too-many": "trop de caractères",
    "corrupt-file": "fichier endommagé",
    "encrypted": "protégé par mot de passe",
    "no-text": "aucun texte extractible",
    "legacy-doc": "ancien format .doc",
    "unsupported-format": "format non pris en charge",
    "too-large": "fichier trop volumineux",
    "timeout": "lecture trop longue",
    "document-duplicate": "plusieurs fichiers pour une compétence",
    "unexpected-document": "document non attendu",
    "experience-entreprise": "expérience en entreprise insuffisante",
    "element-missing": "éléments attendus non trouvés",
    "competence-mismatch": "compétence à vérifier",
}


def _n(v: int) -> str:
    return f"{int(v):,}".replace(",", NNBSP)


def _secs(s: float) -> str:
    return f"{s:.1f}".replace(".", ",") + f"{NBSP}s"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{_n(n)} {word if n <= 1 else (plural or word + 's')}"


class _RichProgress:
    """A rich progress bar on stderr: phase, files done / total, file in hand."""

    def __init__(self, enabled: bool):
        self.progress = None
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        console = Console(stderr=True)
        if not console.is_terminal:
            return
        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description:<13}"), BarColumn(),
                                 MofNCompleteColumn(), TimeElapsedColumn(),
                                 TextColumn("[dim]{task.fields[current]}"), console=console, transient=True)
        self.task = None

    def __enter__(self):
        if self.progress is not None:
            self.progress.__enter__()
            self.task = self.progress.add_task("préparation", total=None, current="")
        return self

    def __exit__(self, *exc):
        if self.progress is not None:
            self.progress.__exit__(*exc)

    def __call__(self, phase: str, done: int, total: int, current: str) -> None:
        if self.progress is None:
            return
        cur = current if len(current) <= 50 else "…" + current[-49:]
        self.progress.update(self.task, description=phase, completed=done, total=total or None, current=cur)


def _candidate_reasons(cr, labels: dict) -> str:
    rep = cr.report
    parts = []
    for d in rep.get("documents", []):
        if d.get("compliant"):
            continue
        what = labels.get(d.get("competence"), d.get("file"))
        errs = []
        for p in d.get("problems", []):
            if p.get("severity") != "error":
                continue
            label = PROBLEM_SHORT.get(p["code"], p["code"])
            if p["code"].startswith("chars-") and d.get("characters"):
                label += f" ({_n(d['characters']['counted'])})"
            elif p["code"].startswith("pages-") and d.get("pages"):
                label += f" ({d['pages']['counted']})"
            if label not in errs:
                errs.append(label)
        parts.append(f"{what}{NBSP}: {', '.join(errs) or 'non conforme'}")
    for p in (rep.get("dossier") or {}).get("problems", []):
        if p.get("severity") == "error" and p.get("code") == "document-missing":
            comp = (p.get("detail") or {}).get("competence")
            parts.append(f"{labels.get(comp, comp)}{NBSP}: absent")
        elif p.get("severity") == "error" and p.get("code") not in ("unexpected-document",):
            parts.append(PROBLEM_SHORT.get(p["code"], p["code"]))
    return " ; ".join(parts)


@click.command(context_settings=CONTEXT)
@click.argument("class_dir", metavar="DOSSIER_CLASSE",
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--title", "-t", required=True, metavar="TITRE",
              help="Titre professionnel : ntc (Négociateur technico-commercial) ou cc (Conseiller commercial).")
@click.option("--session", "-s", required=True, metavar="SESSION", help="Session : titre, ccp1 ou ccp2.")
@click.option("--output", "-o", "out_dir", type=click.Path(file_okay=False, path_type=Path), metavar="DOSSIER",
              help="Où écrire les rapports (par défaut : ./rapports-NOM_DU_DOSSIER).")
@click.option("--jobs", "-j", type=click.IntRange(0, 64), default=0, show_default=True, metavar="N",
              help="Nombre de processus de travail (0 : autant que de cœurs).")
@click.option("--no-cache", is_flag=True,
              help="Ne réutilise pas (et n'enregistre pas) les résultats des fichiers déjà vérifiés.")
@click.option("--compare-with", "compare_with", multiple=True, metavar="DOSSIER",
              type=click.Path(exists=True, path_type=Path),
              help="Compare aussi les documents avec ceux de sessions précédentes rangés dans DOSSIER (répétable).")
@click.option("--seuil-similarite", "threshold", type=click.FloatRange(0.05, 1.0), default=None, metavar="X",
              help="Part du texte en commun (0 à 1) à partir de laquelle deux documents sont signalés "
                   "(par défaut 0,30).")
@click.option("--strict", is_flag=True,
              help="Traite les avertissements de l'analyse du contenu comme des erreurs.")
@click.option("--rules", "rules_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              metavar="FICHIER", help="Pack de règles supplémentaire (YAML).")
@click.option("--soffice", metavar="CHEMIN",
              help="Chemin de LibreOffice (soffice) pour compter les pages ; « none » pour ne pas l'utiliser.")
@click.option("--no-layout", is_flag=True, help="N'utilise pas LibreOffice (identique à --soffice none).")
@click.option("--timeout", type=float, metavar="SECONDES", help="Durée maximale de lecture d'un fichier.")
@click.option("--quiet", "-q", is_flag=True, help="N'affiche ni la barre de progression ni le résumé.")
def batch(class_dir, title, session, out_dir, jobs, no_cache, compare_with, threshold, strict, rules_files,
          soffice, no_layout, timeout, quiet):
    """Vérifie toute une classe : un sous-dossier par candidat, ou un seul dossier dont les noms de
    fichiers portent le nom du candidat (DUPONT_Marie_veille.docx).

    Écrit dans le dossier de sortie : rapport-classe.html (synthèse et détail), synthese.csv
    (tableur, séparateur point-virgule) et, dans candidats/, un rapport HTML et un rapport JSON par
    candidat, à lui transmettre.

    Code de sortie : 0 si tous les candidats sont prêts, 1 sinon, 2 en cas d'erreur d'utilisation.

    \b
    Exemples :
      dossier-check batch classe-2026/ --title ntc --session titre -o rapports/
      dossier-check batch envois/ -t cc -s titre --compare-with archives-2025/
    """
    from .batch import BatchOptions, discover, run_batch, write_outputs
    from .limits import DEFAULT_LIMITS
    from .pipeline import CheckOptions
    from .report.html import SHORT_LABELS

    packs = _packs(rules_files)
    pack = _resolve(packs, title, session)
    out = out_dir or Path.cwd() / f"rapports-{class_dir.resolve().name}"
    try:
        disc = discover(class_dir, pack, exclude=[out, out / "candidats"])
    except OSError as exc:
        raise click.UsageError(f"impossible de lire le dossier « {class_dir} » ({exc.strerror or exc}).") from None
    if not disc.candidates:
        raise click.UsageError(f"aucun document DOCX, ODT ou PDF trouvé dans « {class_dir} » "
                               f"({_plural(len(disc.skipped), 'fichier ignoré', 'fichiers ignorés')}).")
    limits = DEFAULT_LIMITS.with_overrides(timeout_seconds=timeout)
    options = CheckOptions(strict=strict, soffice="none" if no_layout else soffice, limits=limits)
    bopts = BatchOptions(jobs=jobs, use_cache=not no_cache, compare_with=list(compare_with),
                         similarity_threshold=threshold)
    say = (lambda *a, **k: None) if quiet else (lambda msg="": click.echo(msg))
    layout_label = {"folders": "un sous-dossier par candidat",
                    "flat": "noms des candidats dans les noms de fichiers",
                    "mixed": "sous-dossiers et noms de fichiers"}.get(disc.layout, disc.layout)
    say(f"Classe «{NBSP}{class_dir.resolve().name}{NBSP}»{NBSP}: "
        f"{_plural(len(disc.candidates), 'candidat')}, {_plural(disc.file_count, 'fichier')} ({layout_label})"
        + (f", {_plural(len(disc.skipped), 'fichier ignoré', 'fichiers ignorés')}" if disc.skipped else "") + ".")
    sess = pack.sessions[session]
    if not sess.documents and sess.no_production:
        say(sess.no_production)
    start = time.perf_counter()
    try:
        with _RichProgress(not quiet) as progress:
            result = run_batch(disc, pack, session, options, bopts, progress)
            progress("rapports", 0, 0, "écriture")
            write_outputs(result, out, options)
    except OSError as exc:
        if getattr(exc, "filename", None) is None and not isinstance(exc, PermissionError):
            raise
        click.echo(f"\nImpossible d'écrire les rapports dans « {out} » ({exc.strerror or exc}) : "
                   "choisissez un autre dossier avec -o.", err=True)
        sys.exit(EXIT_USAGE)
    except KeyboardInterrupt:
        click.echo(f"\nInterrompu{NBSP}: aucun nouveau rapport n'a été écrit "
                   "(les rapports précédents, s'il y en a, sont intacts).", err=True)
        sys.exit(130)
    elapsed = time.perf_counter() - start

    labels = {cid: SHORT_LABELS.get(cid, c.name) for cid, c in pack.competences.items()}
    width = max(len(c.candidate.name) for c in result.candidates)
    say("")
    for cr in result.candidates:
        mark = "✓ prêt    " if cr.compliant else "✗ non prêt"
        line = f"  {cr.candidate.name:<{width}}  {mark}"
        if not cr.compliant:
            line += "  " + _candidate_reasons(cr, labels)
        say(line)
        if cr.candidate.source == "filename":
            say(f"  {'':<{width}}    ← " + ", ".join(f.name for f in cr.candidate.files))
    if disc.skipped:
        say(f"\nFichiers ignorés{NBSP}:")
        for s in disc.skipped:
            say(f"  {s.path}{NBSP}: {s.reason}")
    if result.similar:
        say(f"\nPassages très similaires{NBSP}: {_plural(len(result.similar), 'paire')} de documents "
            "(détail et passages cités dans le rapport de classe)")
        for p in result.similar:
            other = f"{p.b.candidate} ({p.b.file})" if p.b.candidate else f"session précédente ({p.b.file})"
            say(f"  {p.a.candidate} ({p.a.file}) et {other}{NBSP}: {p.percent}{NNBSP}% en commun")
    n_ok = sum(1 for c in result.candidates if c.compliant)
    st = result.stats
    say(f"\n{n_ok} candidat{'s' if n_ok > 1 else ''} prêt{'s' if n_ok > 1 else ''} sur {len(result.candidates)}.")
    say(f"Rapports écrits dans {out}{NBSP}: rapport-classe.html, synthese.csv, candidats/ "
        f"({_plural(len(result.candidates), 'rapport')} HTML et JSON).")
    cache_note = (f", {st.get('cache_hits', 0)} repris du cache" if bopts.use_cache else ", sans cache")
    say(f"Durée{NBSP}: {_secs(elapsed)} ({_plural(st.get('checked', 0), 'fichier vérifié', 'fichiers vérifiés')}"
        f"{cache_note}, {st.get('jobs')} processus, LibreOffice{NBSP}: {st.get('libreoffice')}).")
    sys.exit(EXIT_OK if result.compliant else EXIT_NOT_COMPLIANT)


@click.group(context_settings=CONTEXT)
def cache():
    """Cache des résultats du mode classe (extraits des documents des candidats)."""


@cache.command("clear", context_settings=CONTEXT)
def cache_clear():
    """Vide le cache (il contient des extraits des documents des candidats)."""
    from .cache import ResultCache

    store = ResultCache()
    n, size = store.clear()
    from .limits import format_bytes

    click.echo(f"Cache vidé{NBSP}: {_plural(n, 'entrée')} supprimée{'s' if n > 1 else ''} "
               f"({format_bytes(size)}) dans {store.dir}.")


@cache.command("info", context_settings=CONTEXT)
def cache_info():
    """Affiche l'emplacement et la taille du cache."""
    from .cache import ResultCache
    from .limits import format_bytes

    store = ResultCache()
    n, size = store.stats()
    click.echo(f"Cache{NBSP}: {store.dir} — {_plural(n, 'entrée')}, {format_bytes(size)}.")
