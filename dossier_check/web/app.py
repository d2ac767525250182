"""The web service: upload page and JSON API (``dossier-check serve``).

Endpoints:

* ``GET /``                 the upload page (French, works offline, no CDN);
* ``POST /api/v1/check``    multipart: ``title``, optional ``session``, files in
  ``files`` (competence found from the content) or ``doc.<competence>`` (one slot
  per competence), optional ``strict``; answers the report-v1 JSON;
* ``GET /api/v1/titles``    titles, sessions, expected documents, upload limits;
* ``GET /healthz``          liveness, workers, checks running;
* ``GET /openapi.json``     the OpenAPI description.

Errors answer a JSON problem: ``{"status", "code", "severity", "message", "detail"}``
with a French ``message``. Nothing is kept: uploads stay in memory (see
:mod:`.upload`), the checks run in worker processes (see :mod:`.workers`) whose
temporary directory is private to the service and removed when it stops.

Build an app with :func:`create_app` (``WebSettings``) or, for an ASGI server,
:func:`create_app_from_env` (``DOSSIER_CHECK_WEB_*`` variables).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from .. import __version__
from ..limits import MB, Limits, format_bytes, format_number
from ..rulepack import RulePack, all_packs
from .upload import UploadError, parse_multipart
from .workers import FileJob, WorkerConfig, init_worker, run_job_safe

log = logging.getLogger("dossier_check.web")

NB = "\u00a0"
HERE = Path(__file__).parent
ENV_PREFIX = "DOSSIER_CHECK_WEB_"
TRUE = {"1", "true", "on", "oui", "yes"}


@dataclass(frozen=True)
class WebSettings:
    """Service settings. Sizes in bytes; ``from_env`` accepts 400M, 1G…"""

    workers: int = 0  # check worker processes; 0 = CPU count
    max_request_bytes: int = 400 * MB  # whole upload: four 60 MB photo-heavy documents fit
    max_files: int = 12  # files per request (a titre CC dossier has 4)
    max_file_bytes: int | None = None  # per file; None = Limits.max_file_bytes (100 Mo)
    max_pending: int = 200  # checks queued or running before answering 503
    check_timeout: float = 600.0  # whole check of one request, seconds
    rules: tuple[str, ...] = ()  # extra rule pack files
    soffice: str | None = None  # LibreOffice path, "none" to disable
    layout_timeout: float | None = None
    sandbox: bool = True  # read each file in the reader sandbox (per-file timeout, memory cap)
    analysis: bool = True  # content analysis (spaCy)
    tmp_dir: str | None = None  # parent of the service's private temp dir (default: system temp)
    limits: Limits = field(default_factory=Limits.from_env)
    job: str = "dossier_check.web.workers:run_check"  # tests use a fake

    @property
    def file_limit(self) -> int:
        return self.max_file_bytes or self.limits.max_file_bytes

    @property
    def effective_workers(self) -> int:
        return self.workers or os.cpu_count() or 1

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> "WebSettings":
        """Settings from ``DOSSIER_CHECK_WEB_<NAME>`` variables (e.g.
        ``DOSSIER_CHECK_WEB_MAX_REQUEST_BYTES=200M``), then ``overrides``."""
        environ = os.environ if environ is None else environ
        values: dict = {}
        for f in fields(cls):
            raw = environ.get(ENV_PREFIX + f.name.upper())
            if raw is None or not str(raw).strip() or f.name in ("limits", "job"):
                continue
            if f.name in ("max_request_bytes", "max_file_bytes"):
                values[f.name] = parse_size(raw, ENV_PREFIX + f.name.upper())
            elif f.name in ("workers", "max_files", "max_pending"):
                values[f.name] = int(raw)
            elif f.name in ("check_timeout", "layout_timeout"):
                values[f.name] = float(raw)
            elif f.name in ("sandbox", "analysis"):
                values[f.name] = str(raw).strip().lower() in TRUE
            elif f.name == "rules":
                values[f.name] = tuple(p for p in str(raw).split(os.pathsep) if p)
            else:
                values[f.name] = str(raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)


def parse_size(raw, name: str) -> int:
    """A size such as 400M, 1G, 52428800 (bytes), for settings and CLI options."""
    from ..limits import _parse_value

    try:
        return _parse_value("max_file_bytes", raw, int)
    except ValueError:
        raise ValueError(f"Taille invalide pour {_q(name)}{NB}: {_q(str(raw))} (exemples{NB}: 400M, 1G).") from None


# --------------------------------------------------------------------------- problems

def problem(status: int, code: str, message: str, headers: dict | None = None, **detail) -> JSONResponse:
    body = {"status": status, "code": code, "severity": "error", "message": message, "detail": detail}
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store", **(headers or {})})


def _q(text: str) -> str:
    return f"«{NB}{text}{NB}»"


def _too_large_message(limit: int) -> str:
    return (f"L'envoi dépasse la limite {_q('taille maximale d’un envoi')} ({format_bytes(limit)}){NB}: "
            "envoyez moins de fichiers à la fois, ou réduisez la taille des images de vos documents "
            "(compression des images dans votre traitement de texte).")


def _too_many_message(limit: int) -> str:
    return (f"L'envoi dépasse la limite {_q('nombre maximal de fichiers')} ({format_number(limit)}){NB}: "
            "envoyez vos documents en plusieurs fois.")


PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["status", "code", "severity", "message", "detail"],
    "properties": {
        "status": {"type": "integer"},
        "code": {"type": "string"},
        "severity": {"type": "string", "enum": ["error"]},
        "message": {"type": "string"},
        "detail": {"type": "object"},
    },
}

REPORT_SCHEMA = {
    "type": "object",
    "description": "Rapport dossier-check/report/v1 (voir report-v1.md).",
    "required": ["schema", "tool_version", "title", "session", "referentiel", "compliant", "documents",
                 "dossier"],
    "properties": {
        "schema": {"type": "string", "enum": ["dossier-check/report/v1"]},
        "tool_version": {"type": "string"},
        "title": {"type": "string"},
        "session": {"type": ["string", "null"]},
        "referentiel": {"type": "object"},
        "compliant": {"type": "boolean"},
        "documents": {"type": "array", "items": {
            "type": "object",
            "required": ["file", "format", "competence", "compliant", "pages", "characters", "problems"],
            "properties": {
                "file": {"type": "string"},
                "compliant": {"type": "boolean"},
                "pages": {"type": ["object", "null"]},
                "characters": {"type": ["object", "null"]},
                "problems": {"type": "array", "items": {"type": "object"}},
            }}},
        "dossier": {"type": "object"},
    },
}


def _problem_responses(*codes: int) -> dict:
    text = {400: "Requête mal formée", 413: "Envoi trop volumineux ou trop de fichiers",
            422: "Titre, session ou compétence inconnus, ou aucun fichier", 503: "Service occupé",
            504: "Vérification trop longue"}
    return {c: {"description": text[c], "content": {"application/json": {"schema": PROBLEM_SCHEMA}}}
            for c in codes}


# --------------------------------------------------------------------------- titles

def titles_payload(packs: dict[str, RulePack], settings: WebSettings) -> dict:
    titles = []
    for pack in packs.values():
        titles.append({
            "id": pack.id, "name": pack.name, "code": pack.code, "millesime": pack.millesime,
            "pages": {"min": pack.pages.min, "max": pack.pages.max},
            "characters": {"min": pack.characters.min, "max": pack.characters.max},
            "sessions": [{
                "id": s.id, "name": s.name,
                "documents": [{"id": d, "name": pack.competences[d].name} for d in s.documents],
                "no_production": s.no_production,
            } for s in pack.sessions.values()],
            "competences": [{"id": c.id, "name": c.name,
                             "elements": [{"id": e.id, "label": e.label} for e in c.elements]}
                            for c in pack.competences.values()],
        })
    return {
        "titles": titles,
        "limits": {"max_request_bytes": settings.max_request_bytes, "max_files": settings.max_files,
                   "max_file_bytes": settings.file_limit,
                   "max_request": format_bytes(settings.max_request_bytes),
                   "max_file": format_bytes(settings.file_limit)},
        "tool_version": __version__,
    }


# --------------------------------------------------------------------------- service state

class Service:
    """The worker pool and its private temporary directory."""

    def __init__(self, settings: WebSettings):
        self.settings = settings
        self.pool = None
        self.tmp_dir: str | None = None
        self.pending = 0
        self.done = 0
        self.started = time.time()

    def start(self) -> None:
        self.tmp_dir = tempfile.mkdtemp(prefix="dossier-check-web-", dir=self.settings.tmp_dir)
        os.chmod(self.tmp_dir, 0o700)
        config = WorkerConfig(rules=tuple(self.settings.rules), tmp_dir=self.tmp_dir,
                              limits=self.settings.limits.with_overrides(max_file_bytes=self.settings.file_limit),
                              soffice=self.settings.soffice, layout_timeout=self.settings.layout_timeout,
                              sandbox=self.settings.sandbox, analysis=self.settings.analysis,
                              job=self.settings.job)
        self.config = config
        methods = multiprocessing.get_all_start_methods()
        method = "forkserver" if sys.platform.startswith("linux") and "forkserver" in methods else "spawn"
        self._method = method
        self._new_pool()

    def _new_pool(self) -> None:
        from pebble import ProcessPool

        self.pool = ProcessPool(max_workers=self.settings.effective_workers, initializer=init_worker,
                                initargs=(self.config,), context=multiprocessing.get_context(self._method))
        # Start the workers now (model loaded before the first request, not during it).
        self.warmup = [self.pool.schedule(_noop) for _ in range(self.settings.effective_workers)]

    @property
    def ready(self) -> bool:
        """True once the workers have loaded the rule packs and the language model."""
        return self.pool is not None and all(f.done() for f in getattr(self, "warmup", []))

    def restart_pool(self) -> None:
        """Replace a broken pool (pebble replaces single dead workers by itself)."""
        old, self.pool = self.pool, None
        if old is not None:
            with contextlib.suppress(Exception):
                old.stop()
        self.sweep_tmp(0)
        self._new_pool()

    def schedule(self, *args, timeout: float):
        try:
            return self.pool.schedule(run_job_safe, args=args, timeout=timeout)
        except RuntimeError:  # the pool is no longer running
            log.error("check pool not running: restarting it")
            self.restart_pool()
            return self.pool.schedule(run_job_safe, args=args, timeout=timeout)

    def stop(self) -> None:
        if self.pool is not None:
            self.pool.stop()
            self.pool.join(timeout=10)
            self.pool = None
        if self.tmp_dir:
            shutil.rmtree(self.tmp_dir, ignore_errors=True)
            self.tmp_dir = None

    def sweep_tmp(self, older_than: float) -> None:
        """Remove what a killed worker left in the private temp dir."""
        if not self.tmp_dir:
            return
        limit = time.time() - older_than
        with contextlib.suppress(OSError):
            for entry in os.scandir(self.tmp_dir):
                with contextlib.suppress(OSError):
                    if entry.stat(follow_symlinks=False).st_mtime < limit:
                        if entry.is_dir(follow_symlinks=False):
                            shutil.rmtree(entry.path, ignore_errors=True)
                        else:
                            os.unlink(entry.path)


def _noop() -> None:
    return None


# --------------------------------------------------------------------------- app

def create_app(settings: WebSettings | None = None) -> FastAPI:
    settings = settings or WebSettings()
    packs = all_packs(list(settings.rules))
    service = Service(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        await asyncio.get_running_loop().run_in_executor(None, service.start)
        try:
            yield
        finally:
            await asyncio.get_running_loop().run_in_executor(None, service.stop)

    app = FastAPI(
        title="dossier-check",
        version=__version__,
        description=("Vérifie les productions écrites des titres professionnels NTC et CC : pages et "
                     "caractères hors page de garde et sommaire, éléments attendus. Aucun fichier n'est "
                     "conservé."),
        docs_url=None, redoc_url=None,  # Swagger UI and ReDoc load from a CDN: not offline
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.service = service
    app.state.packs = packs
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    from jinja2 import Environment, FileSystemLoader, select_autoescape

    jinja = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape())

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Content-Security-Policy",
                                    "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                                    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        messages = {404: "Adresse inconnue.", 405: "Méthode non permise pour cette adresse."}
        return problem(exc.status_code, "http-error", messages.get(exc.status_code, "Requête refusée."),
                       dict(exc.headers or {}))  # keeps Allow on 405

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        return problem(422, "invalid-request", "Requête invalide.")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def index() -> HTMLResponse:
        html = jinja.get_template("index.html").render(
            version=__version__, titles=[(p.id, f"{p.name} ({p.id.upper()}, {p.code})") for p in packs.values()],
            max_request=format_bytes(settings.max_request_bytes),
            max_file=format_bytes(settings.file_limit), max_files=settings.max_files)
        return HTMLResponse(html)

    @app.get("/healthz", summary="État du service",
             responses={200: {"content": {"application/json": {"schema": {
                 "type": "object", "required": ["status"],
                 "properties": {"status": {"type": "string", "enum": ["ok"]}}}}}}})
    async def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok", "ready": service.ready, "version": __version__,
                             "workers": settings.effective_workers,
                             "checks_in_progress": service.pending, "checks_done": service.done},
                            headers={"Cache-Control": "no-store"})

    @app.get("/api/v1/titles", summary="Titres, sessions et documents attendus",
             responses={200: {"content": {"application/json": {"schema": {
                 "type": "object", "required": ["titles", "limits"],
                 "properties": {"titles": {"type": "array"}, "limits": {"type": "object"}}}}}}})
    async def titles() -> JSONResponse:
        return JSONResponse(titles_payload(packs, settings))

    competence_ids = sorted({c for p in packs.values() for c in p.competences})
    session_ids = sorted({s for p in packs.values() for s in p.sessions})
    form_schema = {
        "type": "object",
        "required": ["title", "files"],
        "description": (
            "Les fichiers vont dans «\u00a0files\u00a0» (compétence reconnue au contenu) ou, un par compétence, "
            "dans «\u00a0doc.<compétence>\u00a0» (par ex. «\u00a0doc.veille\u00a0»\u00a0; compétences\u00a0: "
            + ", ".join(competence_ids) + "). Au moins un fichier, au plus "
            f"{settings.max_files} au total."),
        "properties": {
            "title": {"type": "string", "enum": sorted(packs), "description": "Titre professionnel."},
            "session": {"type": "string", "enum": session_ids,
                        "description": "Session ; absente : chaque document est vérifié seul."},
            "strict": {"type": "boolean", "description": "Les avertissements de contenu deviennent des erreurs."},
            "files": {"type": "array", "minItems": 1, "maxItems": settings.max_files,
                      "items": {"type": "string", "format": "binary"},
                      "description": "Documents (DOCX, ODT, PDF)."},
        },
    }

    @app.post(
        "/api/v1/check", summary="Vérifier des documents",
        openapi_extra={"requestBody": {"required": True,
                                       "content": {"multipart/form-data": {"schema": form_schema}}}},
        responses={200: {"description": "Rapport report-v1",
                         "content": {"application/json": {"schema": REPORT_SCHEMA}}},
                   **_problem_responses(400, 413, 422, 503, 504)},
    )
    async def check(request: Request) -> Response:
        return await _check(request, settings, service, packs)

    return app


def _allowed(values) -> str:
    return ", ".join(_q(v) for v in values)


async def _check(request: Request, settings: WebSettings, service: Service, packs: dict) -> Response:
    close = {"Connection": "close"}
    length = request.headers.get("content-length")
    if length is not None:
        try:
            announced = int(length)
        except ValueError:
            return problem(400, "bad-request", "En-tête Content-Length invalide.", close)
        if announced > settings.max_request_bytes:
            # Refused before reading a byte of the body.
            return problem(413, "request-too-large", _too_large_message(settings.max_request_bytes), close,
                           limit="max_request_bytes", value=settings.max_request_bytes, announced=announced)
    if service.pending >= settings.max_pending:
        return problem(503, "busy", "Le service est très sollicité : réessayez dans une minute.",
                       {"Retry-After": "30", **close})
    try:
        upload = await parse_multipart(request.headers.get("content-type", ""), request.stream(),
                                       max_request_bytes=settings.max_request_bytes,
                                       max_files=settings.max_files, max_file_bytes=settings.file_limit)
    except UploadError as exc:
        if exc.code == "request-too-large":
            msg = _too_large_message(settings.max_request_bytes)
            detail = {"limit": "max_request_bytes", "value": settings.max_request_bytes}
        elif exc.code == "too-many-files":
            msg = _too_many_message(settings.max_files)
            detail = {"limit": "max_files", "value": settings.max_files}
        else:
            msg, detail = str(exc) or "Requête mal formée.", {}
        return problem(exc.status, exc.code, msg, close, **detail)
    except ClientDisconnect:
        log.info("client went away during upload")
        return Response(status_code=400)

    fields_ = upload.fields
    title = fields_.get("title", "").strip().lower()
    if title not in packs:
        return problem(422, "unknown-title",
                       (f"Titre inconnu{NB}: {_q(title)}. " if title else f"Titre absent{NB}: ")
                       + f"choisissez parmi {_allowed(packs)}.", field="title", allowed=sorted(packs))
    pack: RulePack = packs[title]
    session = fields_.get("session", "").strip().lower() or None
    if session is not None and session not in pack.sessions:
        return problem(422, "unknown-session",
                       f"Session inconnue pour le titre {pack.id.upper()}{NB}: {_q(session)}. "
                       f"Choisissez parmi {_allowed(pack.sessions)}, ou aucune pour vérifier chaque "
                       "document seul.", field="session", allowed=list(pack.sessions))
    for name in fields_:
        if name in ("files", "file") or name.startswith("doc."):
            # A text value where a file was expected: curl -F files=a.docx (without @).
            return problem(422, "not-a-file",
                           f"Le champ {_q(name)} doit contenir un fichier, pas un texte (avec curl{NB}: "
                           f"-F {name}=@chemin/du/fichier.docx).", field=name)
    strict = fields_.get("strict", "").strip().lower()
    if strict not in ("", "true", "false"):
        return problem(422, "invalid-field", f"Valeur invalide pour {_q('strict')}{NB}: {_q(strict)} "
                       f"(true ou false).", field="strict", allowed=["true", "false"])
    strict = strict == "true"
    jobs: list[FileJob] = []
    for f in upload.files:
        comp = None
        if f.field.startswith("doc."):
            comp = f.field[4:]
            if comp not in pack.competences:
                return problem(422, "unknown-competence",
                               f"Compétence inconnue pour le titre {pack.id.upper()}{NB}: {_q(comp)}. "
                               f"Choisissez parmi {_allowed(pack.competences)}.",
                               field=f.field, allowed=list(pack.competences))
        elif f.field not in ("files", "file"):
            return problem(422, "unknown-field",
                           f"Champ de fichier inconnu{NB}: {_q(f.field)}. Utilisez {_q('files')} ou "
                           f"{_q('doc.<compétence>')}.", field=f.field)
        data = None if f.data is None else bytes(f.data)
        f.data = None
        jobs.append(FileJob(name=f.name, data=data, size=f.size, competence=comp))
    if not jobs:
        return problem(422, "no-file", "Aucun fichier reçu : joignez au moins un document (DOCX, ODT ou PDF).")

    service.pending += 1
    start = time.perf_counter()
    try:
        return await _run(request, settings, service, title, session, jobs, strict)
    finally:
        service.pending -= 1
        service.done += 1
        log.info("POST /api/v1/check files=%d bytes=%d seconds=%.2f", len(jobs), upload.received_bytes,
                 time.perf_counter() - start)


async def _run(request, settings, service, title, session, jobs, strict) -> Response:
    from concurrent.futures import TimeoutError as FutureTimeout
    from concurrent.futures.process import BrokenProcessPool

    from pebble import ProcessExpired

    pool_future = service.schedule(settings.job, title, session, jobs, strict, timeout=settings.check_timeout)
    fut = asyncio.wrap_future(pool_future)
    watcher = asyncio.ensure_future(_wait_disconnect(request))
    try:
        done, _ = await asyncio.wait({fut, watcher}, return_when=asyncio.FIRST_COMPLETED)
        if fut not in done:
            # The client left before its check ran: drop it if it has not started.
            if not pool_future.running():
                pool_future.cancel()
            log.info("client went away during check")
            return Response(status_code=499)
        try:
            kind, payload = fut.result()
        except (FutureTimeout, asyncio.TimeoutError):
            service.sweep_tmp(settings.check_timeout)
            return problem(504, "check-timeout",
                           f"La vérification a dépassé {format_number(settings.check_timeout)}{NB}s{NB}: "
                           "réessayez avec moins de fichiers à la fois.")
        except BrokenProcessPool:
            log.error("check pool broken: restarting it")
            await asyncio.get_running_loop().run_in_executor(None, service.restart_pool)
            return problem(503, "worker-died", "La vérification s'est arrêtée de façon inattendue : "
                                               "réessayez, ou envoyez les fichiers un par un.")
        except ProcessExpired:
            service.sweep_tmp(settings.check_timeout)
            log.error("check worker died")
            return problem(503, "worker-died", "La vérification s'est arrêtée de façon inattendue : "
                                               "réessayez, ou envoyez les fichiers un par un.")
        if kind != "ok":
            log.error("check failed: %s", payload)
            return problem(500, "internal-error", "Erreur interne pendant la vérification : réessayez, "
                                                  "ou envoyez les fichiers un par un.")
        return JSONResponse(payload, headers={"Cache-Control": "no-store"})
    finally:
        watcher.cancel()
        with contextlib.suppress(BaseException):
            await watcher


async def _wait_disconnect(request: Request) -> None:
    while True:
        message = await request.receive()
        if message.get("type") == "http.disconnect":
            return


def create_app_from_env() -> FastAPI:
    """App factory for ASGI servers: ``uvicorn --factory dossier_check.web.app:create_app_from_env``."""
    return create_app(WebSettings.from_env())
