"""``dossier-check serve``: the upload page and JSON API (dossier_check.web)."""
from __future__ import annotations

import click

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _size(ctx, param, value):
    if value is None:
        return None
    from .web.app import parse_size

    try:
        return parse_size(value, param.opts[0])
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command(context_settings=CONTEXT)
@click.option("--host", default="127.0.0.1", show_default=True, metavar="HÔTE",
              help="Adresse d'écoute (0.0.0.0 pour toutes les interfaces, derrière un proxy).")
@click.option("--port", default=8000, show_default=True, type=int, metavar="PORT", help="Port d'écoute.")
@click.option("--workers", default=0, type=click.IntRange(0, 256), metavar="N",
              help="Processus de vérification (0 = un par cœur). Chacun charge le modèle de langue une fois.")
@click.option("--max-request-size", callback=_size, metavar="TAILLE",
              help="Taille maximale d'un envoi (défaut 400M).")
@click.option("--max-file-size", callback=_size, metavar="TAILLE",
              help="Taille maximale d'un fichier (défaut 100M) ; au-delà, le fichier est signalé « too-large ».")
@click.option("--max-files", type=click.IntRange(1, 1000), metavar="N",
              help="Nombre maximal de fichiers par envoi (défaut 12).")
@click.option("--check-timeout", type=float, metavar="SECONDES",
              help="Durée maximale de la vérification d'un envoi (défaut 600).")
@click.option("--rules", "rules_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Pack de règles supplémentaire (YAML), répétable.")
@click.option("--soffice", metavar="CHEMIN", help="Chemin de LibreOffice (soffice), « none » pour s'en passer.")
@click.option("--no-analysis", is_flag=True, help="Ne vérifie que les longueurs (pas d'analyse du contenu).")
@click.option("--access-log/--no-access-log", default=True, show_default=True,
              help="Journal des requêtes (méthode, adresse, statut ; jamais le contenu des documents).")
def serve(host, port, workers, max_request_size, max_file_size, max_files, check_timeout, rules_files, soffice,
          no_analysis, access_log):
    """Lance le service web : page d'envoi sur http://HÔTE:PORT/ et API JSON
    (POST /api/v1/check, GET /api/v1/titles, GET /healthz, /openapi.json).

    Aucun document n'est conservé. Les limites se règlent aussi par les variables
    DOSSIER_CHECK_WEB_* et DOSSIER_CHECK_* (voir README.md, section « Web service »).
    """
    import logging

    import uvicorn

    from .rulepack import RulePackError
    from .web.app import WebSettings, create_app

    try:
        settings = WebSettings.from_env(
            workers=workers or None, max_request_bytes=max_request_size, max_file_bytes=max_file_size,
            max_files=max_files, check_timeout=check_timeout, rules=tuple(rules_files) or None,
            soffice=soffice, analysis=False if no_analysis else None)
        app = create_app(settings)
    except (ValueError, RulePackError) as exc:
        raise click.UsageError(str(exc)) from None
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(name)s %(message)s")
    click.echo(f"dossier-check : service sur http://{host}:{port}/ "
               f"({settings.effective_workers} processus de vérification)", err=True)
    uvicorn.run(app, host=host, port=port, access_log=access_log, log_level="info",
                timeout_graceful_shutdown=15)
