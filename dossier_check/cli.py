"""Command line: ``dossier-check check | titles | batch | serve | cache``.

Output and help are French. Exit codes (report-v1.md): 0 compliant, 1 not
compliant (a rule not met, a file unreadable, a dossier error), 2 usage error.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import __version__
from .cli_i18n import install as _install_french

_install_french()

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
EXIT_OK, EXIT_NOT_COMPLIANT, EXIT_USAGE = 0, 1, 2


def _packs(rules_files):
    from .rulepack import RulePackError, all_packs

    try:
        return all_packs(list(rules_files or []))
    except RulePackError as exc:
        raise click.UsageError(str(exc)) from None


def _resolve(packs, title: str, session: str | None):
    if title not in packs:
        raise click.BadParameter(f"titre inconnu « {title} » (titres disponibles : {', '.join(sorted(packs))})",
                                 param_hint="--title")
    pack = packs[title]
    if session is not None and session not in pack.sessions:
        raise click.BadParameter(
            f"session inconnue « {session} » pour {title} (sessions : {', '.join(pack.sessions)})",
            param_hint="--session")
    return pack


class _Progress:
    """One line on stderr per step, only when stderr is a terminal."""

    def __init__(self, enabled: bool):
        self.enabled = enabled and sys.stderr.isatty()

    def __call__(self, step: str, name: str) -> None:
        if self.enabled:
            click.echo(f"\r\033[K{step}\u00a0: {name}", err=True, nl=False)

    def done(self) -> None:
        if self.enabled:
            click.echo("\r\033[K", err=True, nl=False)


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="dossier-check", message="%(prog)s %(version)s")
def cli():
    """Vérifie les productions écrites des titres professionnels NTC et CC avant l'examen :
    pages et caractères hors page de garde et sommaire, éléments attendus par le référentiel.

    Commencez par « dossier-check check --title ntc --session titre FICHIERS… ».
    """


@cli.command(context_settings=CONTEXT)
@click.option("--title", "-t", required=True, metavar="TITRE",
              help="Titre professionnel : ntc (Négociateur technico-commercial) ou cc (Conseiller commercial).")
@click.option("--session", "-s", metavar="SESSION", default=None,
              help="Session : titre, ccp1 ou ccp2. Sans session, chaque fichier est vérifié seul "
                   "(pas de contrôle du dossier).")
@click.option("--doc", "docs", multiple=True, metavar="COMPÉTENCE=FICHIER",
              help="Indique la compétence d'un fichier, par ex. --doc veille=ma-veille.docx (répétable).")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Format du rapport : texte lisible ou JSON (contrat report-v1).")
@click.option("--strict", is_flag=True,
              help="Traite les avertissements issus de l'analyse du contenu (éléments manquants, compétence, "
                   "expérience en entreprise) comme des erreurs.")
@click.option("--rules", "rules_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              metavar="FICHIER", help="Pack de règles supplémentaire (YAML) pour un autre titre professionnel.")
@click.option("--soffice", metavar="CHEMIN",
              help="Chemin de LibreOffice (soffice) pour compter les pages ; « none » pour ne pas l'utiliser.")
@click.option("--no-layout", is_flag=True, help="N'utilise pas LibreOffice (identique à --soffice none).")
@click.option("--sandbox/--no-sandbox", default=False, show_default=True,
              help="Lit chaque fichier dans un processus isolé, avec limites de temps et de mémoire.")
@click.option("--timeout", type=float, metavar="SECONDES", help="Durée maximale de lecture d'un fichier.")
@click.option("--no-analysis", is_flag=True,
              help="Ne vérifie que les pages et les caractères, sans analyser le contenu (plus rapide).")
@click.option("--verbose", "-v", is_flag=True, help="Affiche aussi le plan du document avec la longueur de chaque partie.")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
def check(title, session, docs, fmt, strict, rules_files, soffice, no_layout, sandbox, timeout, no_analysis, verbose,
          files):
    """Vérifie un ou plusieurs documents (DOCX, ODT ou PDF) et affiche le rapport.

    \b
    Exemples :
      dossier-check check --title ntc --session titre veille.docx plan.docx fidelisation.docx
      dossier-check check --title cc ma-veille.pdf
      dossier-check check -t ntc -s titre --doc veille=doc1.docx --doc plan-actions=doc2.odt doc3.pdf
      dossier-check check -t ntc -s titre --format json *.docx > rapport.json
    """
    from .limits import DEFAULT_LIMITS
    from .rulepack import RulePackError
    from .pipeline import CheckOptions, InputFile, check as run_check
    from .report import json as json_report, text as text_report

    packs = _packs(rules_files)
    pack = _resolve(packs, title, session)
    inputs: list[InputFile] = []
    for spec in docs:
        comp, sep, path = spec.partition("=")
        if not sep or not path:
            raise click.BadParameter(f"« {spec} » : écrivez COMPÉTENCE=FICHIER", param_hint="--doc")
        if comp not in pack.competences:
            raise click.BadParameter(f"compétence inconnue « {comp} » (compétences de {title} : "
                                     f"{', '.join(pack.competences)})", param_hint="--doc")
        inputs.append(InputFile(name=Path(path).name, path=Path(path), competence=comp))
    for f in files:
        inputs.append(InputFile(name=f.name, path=f))
    if not inputs:
        raise click.UsageError("aucun fichier à vérifier : donnez au moins un fichier DOCX, ODT ou PDF.")
    limits = DEFAULT_LIMITS.with_overrides(timeout_seconds=timeout)
    options = CheckOptions(strict=strict, soffice="none" if no_layout else soffice, limits=limits,
                           sandbox=sandbox, analysis=not no_analysis)
    progress = _Progress(True)
    try:
        report = run_check(inputs, pack, session, options, progress=progress)
    except RulePackError as exc:
        raise click.UsageError(str(exc)) from None
    progress.done()
    if fmt == "json":
        click.echo(json_report.render(report), nl=False)
    else:
        color = sys.stdout.isatty()
        click.echo(text_report.render(report, color=color, verbose=verbose), nl=False)
    sys.exit(EXIT_OK if report["compliant"] else EXIT_NOT_COMPLIANT)


@cli.command(context_settings=CONTEXT)
@click.option("--rules", "rules_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              metavar="FICHIER", help="Pack de règles supplémentaire (YAML).")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Format de la liste.")
def titles(rules_files, fmt):
    """Liste les titres, leurs sessions et les documents que chacune attend."""
    import json

    from .measure import fmt_int

    packs = _packs(rules_files)
    if fmt == "json":
        data = [{"id": p.id, "name": p.name, "code": p.code, "millesime": p.millesime,
                 "pages": {"min": p.pages.min, "max": p.pages.max},
                 "characters": {"min": p.characters.min, "max": p.characters.max},
                 "sessions": [{"id": s.id, "name": s.name, "documents": list(s.documents)}
                              for s in p.sessions.values()],
                 "competences": [{"id": c.id, "name": c.name} for c in p.competences.values()]}
                for p in packs.values()]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for p in packs.values():
        click.echo(click.style(f"{p.id} — {p.name} ({p.code}, millésime {p.millesime})", bold=True))
        click.echo(f"  {p.pages.min} à {p.pages.max} pages et {fmt_int(p.characters.min)} à "
                   f"{fmt_int(p.characters.max)} caractères (espaces compris) par document, hors page de garde "
                   "et sommaire")
        for s in p.sessions.values():
            click.echo(f"  session {s.id}\u00a0: {s.name}")
            if not s.documents:
                click.echo("      pas de production écrite")
            for d in s.documents:
                click.echo(f"      {d:<22} {p.competences[d].name}")
        click.echo("")


def _register_optional():
    try:
        from .cli_batch import batch, cache

        cli.add_command(batch)
        cli.add_command(cache)
    except ImportError:
        pass
    try:
        from .cli_serve import serve

        cli.add_command(serve)
    except ImportError:
        pass


_register_optional()


def main(argv=None) -> None:
    try:
        rv = cli.main(args=argv, prog_name="dossier-check", standalone_mode=False)
    except click.exceptions.Exit as exc:
        _leave(exc.exit_code, argv)
    except click.Abort:
        click.echo("Interrompu.", err=True)
        _leave(130, argv)
    except click.UsageError as exc:
        exc.show()
        _leave(EXIT_USAGE, argv)
    except click.ClickException as exc:
        exc.show()
        _leave(EXIT_USAGE, argv)
    _leave(rv if isinstance(rv, int) else 0, argv)


def _leave(code: int, argv) -> None:
    """End the command. Once spaCy's model is loaded, the interpreter's own teardown frees millions
    of objects one by one (0.3 s, a sixth of a cold ``check``) for nothing: when run as the
    ``dossier-check`` program (``argv`` None), every output written and flushed, every pool closed,
    the process leaves with ``os._exit``. Called from Python (tests, ``main([...])``), it raises
    SystemExit as usual."""
    if argv is None and "spacy" in sys.modules and os.environ.get("DOSSIER_CHECK_SLOW_EXIT") != "1":
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        else:
            os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    main()
