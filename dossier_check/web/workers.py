"""The check workers of the web service.

Each check runs in a process of a pebble ``ProcessPool`` (a killable
``ProcessPoolExecutor``): the event loop only awaits it, so ``/healthz`` and the
page answer while checks run. Every worker loads the rule packs and the
language model once, in its initializer, and keeps them for all its checks.

Inside a worker, each file is read in the reader sandbox (a ``ReaderPool`` of
one process, per-file time and memory limits), so a hostile file gets its own
``timeout``/``too-large``/``corrupt-file`` code while the other files of the
request are checked. LibreOffice runs from the worker for the page count.

Temporary files: the workers' ``TMPDIR`` is a private directory of the
service (``WebSettings.tmp_dir``): LibreOffice's copies of the documents and its
profile live there for the duration of one call and are removed by it; the
service removes the whole directory when it stops and sweeps stale entries
when a worker had to be killed.
"""
from __future__ import annotations

import logging
import os
import tempfile
import time
import traceback
from dataclasses import dataclass

log = logging.getLogger("dossier_check.web")


@dataclass
class WorkerConfig:
    rules: tuple[str, ...]  # extra rule pack files
    tmp_dir: str
    limits: object  # dossier_check.limits.Limits
    soffice: str | None
    layout_timeout: float | None
    sandbox: bool
    analysis: bool
    job: str = "dossier_check.web.workers:run_check"  # tests swap it for a fake


@dataclass
class FileJob:
    name: str
    data: bytes | None  # None: over the per-file limit
    size: int
    competence: str | None = None


_STATE: dict = {}


def init_worker(config: WorkerConfig) -> None:
    """Runs once per worker process: private temp dir, rule packs, language model."""
    # Library logs and warnings (pypdf, spaCy) would go to the service's stderr
    # through logging's last-resort handler: drop them here. Errors come back to
    # the main process as values (run_job_safe), which logs them without text.
    import warnings

    logging.getLogger().addHandler(logging.NullHandler())
    warnings.simplefilter("ignore")
    os.environ["TMPDIR"] = config.tmp_dir
    tempfile.tempdir = config.tmp_dir
    _STATE["config"] = config
    from ..rulepack import all_packs

    packs = all_packs(list(config.rules))
    _STATE["packs"] = packs
    _STATE["analysers"] = {}
    if config.sandbox:
        # Start the reader sandbox now, not during the first check.
        _reader_pool().read(b"", "warm-up")
    if config.analysis:
        from ..pipeline import _analyser

        for pid, pack in packs.items():
            try:
                an = _analyser(pack)
                if an is not None and hasattr(an, "warm_up"):
                    an.warm_up()
            except Exception as exc:  # noqa: BLE001 - report at check time, not here
                log.error("analyser for %s failed to load: %s", pid, type(exc).__name__)
                an = None
            _STATE["analysers"][pid] = an


def _reader_pool():
    pool = _STATE.get("readers")
    if pool is None:
        from ..sandbox import ReaderPool

        pool = ReaderPool(_STATE["config"].limits, workers=1)
        _STATE["readers"] = pool
    return pool


def run_job(job_path: str, *args):
    """Worker entry point: dispatch to the configured job function."""
    import importlib

    module, _, fn = job_path.partition(":")
    return getattr(importlib.import_module(module), fn)(*args)


def run_check(title: str, session: str | None, files: list[FileJob], strict: bool) -> dict:
    """One request's check, in the worker: read (sandboxed), render, measure,
    analyse, judge. Returns the report-v1 dict. Logs sizes and timings only."""
    from ..pipeline import CheckOptions, InputFile, check
    from ..sandbox import file_size_error

    config: WorkerConfig = _STATE["config"]
    pack = _STATE["packs"][title]
    options = CheckOptions(strict=strict, soffice=config.soffice, layout_timeout=config.layout_timeout,
                           limits=config.limits, sandbox=False, analysis=config.analysis)
    start = time.perf_counter()
    inputs = [
        InputFile(name=f.name, data=f.data or b"", competence=f.competence,
                  error=(file_size_error(config.limits, f.size)
                         if f.data is None or f.size > config.limits.max_file_bytes else None))
        for f in files
    ]
    analyser = _STATE["analysers"].get(title) if config.analysis else None
    report = check(inputs, pack, session, options, reader=_reader_pool().read if config.sandbox else None,
                   analyser=analyser)
    log.info("check title=%s session=%s files=%d bytes=%d seconds=%.2f compliant=%s", title, session,
             len(files), sum(f.size for f in files), time.perf_counter() - start, report.get("compliant"))
    return report


def safe_traceback(exc: BaseException) -> str:
    """Where an error happened, without its message (it may quote document text)."""
    frames = traceback.extract_tb(exc.__traceback__)[-6:]
    where = " <- ".join(f"{os.path.basename(f.filename)}:{f.lineno}:{f.name}" for f in reversed(frames))
    return f"{type(exc).__name__} at {where}"


def run_job_safe(job_path: str, *args):
    """Like run_job, but an exception comes back as ("error", description without message)."""
    try:
        return ("ok", run_job(job_path, *args))
    except Exception as exc:  # noqa: BLE001
        return ("error", safe_traceback(exc))
