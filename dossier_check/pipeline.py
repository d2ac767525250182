"""The pipeline, step by step: read → layout → locate → measure → analyse → judge.

Front ends (CLI, batch, web) call :func:`check` for a whole call, or the steps
one by one when they spread the work over processes (batch) or cache it:

    doc = read_file(name, data, options)            # Document | ReadError
    layouts = render_layouts([(doc, data), ...], options)   # one soffice call
    result = finish_file(name, doc, layout, pack, options)  # FileResult (picklable)
    report = build_report(pack, session_id, results, options)

Everything here works on bytes and in-memory objects; reading files from disk
is :meth:`InputFile.load`'s job, at the edge.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import __version__
from .layout import find_soffice, render_pdfs, soffice_version
from .limits import DEFAULT_LIMITS, Limits, file_size_error
from .locate import locate
from .measure import characters, measure_pages
from .model import Document, PageText
from .problems import CORRUPT_FILE, ReadError
from .rulepack import RulePack, RulePackError


@dataclass
class InputFile:
    """One file to check. ``name`` is for display only and never used as a path."""

    name: str
    data: bytes | None = None
    path: Path | None = None
    competence: str | None = None  # said by the user (--doc veille=FILE, upload slot)
    error: ReadError | None = None  # already refused before the check (e.g. an upload over the limit)

    def load(self, limits: Limits) -> bytes:
        if self.error is not None:
            raise self.error
        if self.data is not None:
            if len(self.data) > limits.max_file_bytes:
                raise file_size_error(limits, len(self.data))
            return self.data
        assert self.path is not None
        try:
            size = self.path.stat().st_size
            if size > limits.max_file_bytes:
                raise file_size_error(limits, size)
            return self.path.read_bytes()
        except FileNotFoundError:
            raise ReadError(CORRUPT_FILE, "Fichier introuvable : vérifiez le chemin.") from None
        except IsADirectoryError:
            raise ReadError(CORRUPT_FILE, "C'est un dossier, pas un fichier.") from None
        except PermissionError:
            raise ReadError(CORRUPT_FILE, "Fichier illisible : accès refusé.") from None
        except OSError as exc:
            raise ReadError(CORRUPT_FILE, f"Fichier illisible ({exc.strerror or exc}).") from None


@dataclass
class CheckOptions:
    strict: bool = False
    soffice: str | None = None  # path; "none" disables LibreOffice
    layout_timeout: float | None = None
    limits: Limits = DEFAULT_LIMITS
    sandbox: bool = False  # read each file in an isolated, killable worker process
    analysis: bool = True


@dataclass
class LayoutInfo:
    pages: list[PageText] | None
    error: str | None
    version: str | None


@dataclass
class FileResult:
    """Everything measured and analysed about one file, before the dossier-level
    judgement. Picklable (batch workers, cache)."""

    name: str
    format: str | None
    error: dict | None = None  # {"code", "message", "detail"} when unreadable
    pages: dict | None = None  # report-v1 pages, without min/max/ok
    page_explanations: list[str] = field(default_factory=list)
    page_notes: list[str] = field(default_factory=list)
    characters: dict | None = None
    location_notes: list[str] = field(default_factory=list)
    tracked_changes: int = 0
    comments: int = 0
    analysis: object | None = None  # analyse.results.FileAnalysis
    layout_version: str | None = None
    user_competence: str | None = None


def read_file(name: str, data: bytes, options: CheckOptions) -> Document | ReadError:
    from .readers import read_document

    if options.sandbox:
        from .sandbox import read_isolated

        return read_isolated(data, name, options.limits)
    try:
        return read_document(data, name, options.limits)
    except ReadError as exc:
        return exc


def pdf_page_texts(pdf: bytes) -> list[PageText]:
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return [PageText(i + 1, p.extract_text() or "") for i, p in enumerate(reader.pages)]


def render_layouts(items: list[tuple[Document | ReadError, bytes]], options: CheckOptions) -> list[LayoutInfo | None]:
    """Render every readable DOCX/ODT in one LibreOffice call. None for files
    that need no rendering (PDF, unreadable) or when LibreOffice is absent."""
    out: list[LayoutInfo | None] = [None] * len(items)
    soffice = find_soffice(options.soffice)
    wanted = [i for i, (doc, _d) in enumerate(items) if isinstance(doc, Document) and doc.format in ("docx", "odt")]
    if not wanted:
        return out
    if soffice is None:
        if options.soffice and options.soffice.lower() not in ("none", "off", "0", "non"):
            for i in wanted:
                out[i] = LayoutInfo(None, f"LibreOffice introuvable à « {options.soffice} » : le nombre de "
                                          "pages vient d'une autre source.", None)
        return out
    version = soffice_version(soffice)
    rendered = render_pdfs([(items[i][0].format, items[i][1]) for i in wanted], soffice, options.layout_timeout)
    for i, r in zip(wanted, rendered):
        if r.pdf is None:
            out[i] = LayoutInfo(None, r.error, version)
            continue
        try:
            out[i] = LayoutInfo(pdf_page_texts(r.pdf), None, version)
        except Exception:  # noqa: BLE001 - a bad render must never break the check
            out[i] = LayoutInfo(None, "La mise en page produite par LibreOffice est illisible : le nombre "
                                      "de pages vient d'une autre source.", version)
    return out


def _analyser(pack: RulePack):
    """The content analyser for this pack (loaded once per process). A pack whose
    detection patterns are invalid is a pack error, reported like one."""
    try:
        from .analyse import get_analyser
    except ImportError:  # analysis not installed: length checks still work
        return None
    try:
        return get_analyser(pack)
    except RulePackError:
        raise
    except (ValueError, KeyError, TypeError) as exc:
        raise RulePackError(f"Pack de règles invalide ({pack.path}) : {exc}") from None


def finish_file(name: str, doc: Document | ReadError, layout: LayoutInfo | None, pack: RulePack,
                options: CheckOptions, analyser=None) -> FileResult:
    if isinstance(doc, ReadError):
        return FileResult(name=name, format=None,
                          error={"code": doc.code, "message": doc.message, "detail": doc.detail})
    loc = locate(doc)
    chars = characters(doc, loc)
    pm = measure_pages(doc, loc, chars, layout.pages if layout else None, layout.error if layout else None)
    pages = {"total": pm.total, "counted": pm.counted, "excluded": pm.excluded, "source": pm.source}
    if pm.application:
        pages["application"] = pm.application
    res = FileResult(
        name=name, format=doc.format, pages=pages, page_explanations=pm.explanations, page_notes=pm.notes,
        characters=chars, location_notes=loc.notes + list(doc.notes), tracked_changes=doc.tracked_changes,
        comments=doc.comments, layout_version=layout.version if layout else None,
    )
    if options.analysis:
        an = analyser if analyser is not None else _analyser(pack)
        if an is not None:
            try:
                res.analysis = an.analyse(loc.counted_blocks(doc), chars["counted"])
            except Exception as exc:  # noqa: BLE001 - one odd text must not lose the file's measures
                res.location_notes.append(
                    "L'analyse du contenu n'a pas pu être faite sur ce fichier "
                    f"({type(exc).__name__}) : seuls les pages et les caractères sont vérifiés.")
    return res


def _read_all(inputs: list[InputFile], options: CheckOptions, say, reader=None) -> list[tuple]:
    """Read every input here (or in the reader sandbox): ``[(Document | ReadError, data)]``."""
    pool = None
    if reader is None and options.sandbox and len(inputs) > 1:
        # One pool of isolated readers for the whole call, not one process per file.
        import os

        from .sandbox import ReaderPool

        pool = ReaderPool(options.limits, workers=min(len(inputs), os.cpu_count() or 1))
    items: list = []
    try:
        for inp in inputs:
            say("lecture", inp.name)
            try:
                data = inp.load(options.limits)
            except ReadError as exc:
                items.append((exc, b""))
                continue
            if pool is not None:
                items.append((pool.submit(data, inp.name), data))  # read in parallel
            else:
                items.append((reader(data, inp.name) if reader else read_file(inp.name, data, options), data))
        if pool is not None:
            items = [(d.result() if hasattr(d, "result") else d, data) for d, data in items]
    finally:
        if pool is not None:
            pool.close()
    return items


def _analyser_ready(pack: RulePack) -> bool:
    import sys

    mod = sys.modules.get("dossier_check.analyse")
    return mod is not None and pack.sha256 in getattr(mod, "_ANALYSERS", {})


def _can_fork() -> bool:
    import multiprocessing
    import sys

    # fork is cheap and safe here only on Linux (macOS' system libraries do not support it well;
    # Windows has none); elsewhere the files are read in this process, before the model loads.
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


class _ForkedReads:
    """Reads the files in forked worker processes, so that this process can load the language model
    meanwhile (about a second on a cold start). Create it before starting any thread: the workers
    fork in the constructor. :meth:`results` gives what :func:`_read_all` gives; when a worker
    dies, the files it held are read again in the reader sandbox (:mod:`.sandbox`)."""

    def __init__(self, inputs: list[InputFile], options: CheckOptions):
        import multiprocessing
        import os
        from concurrent.futures import ProcessPoolExecutor

        self.inputs, self.options = inputs, options
        self.loaded: list = []
        for inp in inputs:
            try:
                self.loaded.append(inp.load(options.limits))
            except ReadError as exc:
                self.loaded.append(exc)
        todo = [i for i, d in enumerate(self.loaded) if isinstance(d, bytes)]
        self.futures: dict = {}
        self.pool = None
        if todo:
            self.pool = ProcessPoolExecutor(max_workers=max(1, min(len(todo), os.cpu_count() or 1)),
                                            mp_context=multiprocessing.get_context("fork"))
            for i in todo:
                self.futures[i] = self.pool.submit(read_file, inputs[i].name, self.loaded[i], options)

    def results(self, say) -> list[tuple]:
        items: list = []
        done = False
        try:
            for i, (inp, data) in enumerate(zip(self.inputs, self.loaded)):
                say("lecture", inp.name)
                if not isinstance(data, bytes):
                    items.append((data, b""))
                    continue
                try:
                    doc = self.futures[i].result()
                except Exception:  # noqa: BLE001 - a worker died (a file crashed it, or it was killed):
                    # every file it still held is read again in the reader sandbox, where the culprit
                    # gets its own error instead of taking this process down
                    from .sandbox import read_isolated

                    doc = read_isolated(data, inp.name, self.options.limits)
                items.append((doc, data))
            done = True
        finally:
            if self.pool is not None:  # idle workers once every read is back: joined at once
                self.pool.shutdown(wait=done, cancel_futures=True)
        return items


def check(inputs: list[InputFile], pack: RulePack, session_id: str | None, options: CheckOptions | None = None,
          progress: Callable[[str, str], None] | None = None,
          reader: Callable[[bytes, str], Document | ReadError] | None = None, analyser=None) -> dict:
    """Check files and return the report-v1 dictionary.

    ``reader(data, name)`` replaces the in-process read (the web service passes
    its long-lived reader sandbox); ``analyser`` an already loaded analyser."""
    from .judge import build_report

    options = options or CheckOptions()
    say = progress or (lambda step, name: None)
    forked = None
    items: list = []
    if reader is None and not options.sandbox and analyser is None and options.analysis \
            and not _analyser_ready(pack) and _can_fork():
        forked = _ForkedReads(inputs, options)  # cold start: read in parallel with the model loading
    else:
        items = _read_all(inputs, options, say, reader)

    # LibreOffice renders (and forked reads finish) in the background while the language model loads.
    layouts: list[LayoutInfo | None] = [None] * len(inputs)
    failure: list[BaseException] = []

    def _background():
        try:
            if forked is not None:
                items[:] = forked.results(say)
            layouts[:] = render_layouts(items, options)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
            failure.append(exc)

    worker = threading.Thread(target=_background, daemon=True)
    worker.start()
    try:
        if analyser is None and options.analysis:
            analyser = _analyser(pack)
        if analyser is not None and hasattr(analyser, "warm_up"):
            analyser.warm_up()
    finally:
        worker.join()
    if failure:
        raise failure[0]

    results = []
    for inp, (doc, _data), layout in zip(inputs, items, layouts):
        say("analyse", inp.name)
        r = finish_file(inp.name, doc, layout, pack, options, analyser)
        r.user_competence = inp.competence
        results.append(r)
    return build_report(pack, session_id, results, options)


def tool_version() -> str:
    return __version__
