"""The reader sandbox: document readers run in worker processes that can be stopped.

Parsing a hostile file can loop (pypdf on a crafted object graph), or blow up in
memory (a huge XML part). Every read therefore runs in a worker process of a
pebble ``ProcessPool`` with:

* a wall-clock limit (``Limits.timeout_seconds``) that starts when the worker
  starts the task, never while the file waits in the queue;
* a memory cap (``Limits.max_memory_bytes``) set with ``resource.setrlimit(RLIMIT_AS)``
  in the worker, on Linux and other POSIX systems. Where the platform does not
  support it (Windows has no ``resource`` module; macOS accepts but does not enforce
  ``RLIMIT_AS``), reads still run isolated and time-limited, without the memory cap
  (``memory_limit_supported()`` says which);
* no file writes (``RLIMIT_FSIZE`` = 0) and no core dumps (``RLIMIT_CORE`` = 0), POSIX only.

A worker that times out or dies is killed and replaced by pebble; the pool stays
usable and the other files go on. Results are never exceptions: every read ends in a
:class:`~dossier_check.model.Document` or a :class:`~dossier_check.problems.ReadError`
(``timeout`` or ``too-large`` naming the limit in French, ``corrupt-file`` when the
worker crashed).

The spaCy analysis never runs here: these workers import the readers only, so a
killed worker costs no model reload. Importing this module is cheap (pebble and the
readers are imported on first use).

Usage::

    with ReaderPool(limits, workers=2) as pool:
        doc_or_error = pool.read(data, "veille.docx")
        futures = [pool.submit(d, name) for d, name in files]   # Future[Document | ReadError]
        results = list(pool.map(files))                          # in input order

    result = read_isolated(data, "veille.docx", limits)          # one-shot, fresh worker
"""
from __future__ import annotations

import importlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Union

from .limits import DEFAULT_LIMITS, LIMIT_LABELS, Limits, file_size_error, format_bytes, format_limit
from .problems import CORRUPT_FILE, TIMEOUT, TOO_LARGE, UNREADABLE_CODES, ReadError

DEFAULT_READER = "dossier_check.readers:read_document"
_READER_MODULES = ("dossier_check.readers.docx", "dossier_check.readers.odt",
                   "dossier_check.readers.pdf")

Reader = Union[str, Callable]


@dataclass
class ReadOutcome:
    """What one sandboxed read gave, with what it cost."""

    result: object  # Document | ReadError
    filename: str
    seconds: float | None = None  # wall clock inside the worker (or the limit, on timeout)
    peak_rss_bytes: int | None = None  # the worker's peak resident memory so far (POSIX)
    killed: bool = False  # the worker was killed (timeout) or died
    detail: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not isinstance(self.result, ReadError)


# --------------------------------------------------------------------------- errors

def _over_limit(code: str, limit: str, shown: str, value, what_to_do: str) -> ReadError:
    return ReadError(
        code,
        f"La lecture du fichier a dépassé la limite «\u00a0{LIMIT_LABELS[limit]}\u00a0» ({shown})\u00a0: "
        + what_to_do,
        limit=limit, value=value)


def timeout_error(limits: Limits, filename: str = "") -> ReadError:
    return _over_limit(
        TIMEOUT, "timeout_seconds", format_limit("timeout_seconds", limits.timeout_seconds), limits.timeout_seconds,
        "le fichier est anormalement complexe. Ouvrez-le dans votre traitement de texte et enregistrez-le de "
        "nouveau, ou exportez-le en PDF.")


def memory_error(limits: Limits, filename: str = "") -> ReadError:
    return _over_limit(
        TOO_LARGE, "max_memory_bytes", format_bytes(limits.max_memory_bytes), limits.max_memory_bytes,
        "le fichier est trop volumineux ou anormalement construit. Réduisez la taille des images ou "
        "enregistrez une copie allégée du document.")


def crash_error(reason: str) -> ReadError:
    return ReadError(
        CORRUPT_FILE,
        "Le fichier n'a pas pu être lu (le lecteur s'est arrêté sur une erreur). Ouvrez-le dans "
        "votre traitement de texte et enregistrez-le de nouveau.",
        reason=reason[:300], internal_error=True)


def _error_state(err: ReadError) -> tuple:
    return (err.code, err.message, dict(err.detail))


def _error_from_state(state: tuple) -> ReadError:
    code, message, detail = state
    return ReadError(code, message, **detail)


# --------------------------------------------------------------------------- platform

def memory_limit_supported() -> bool:
    """True where ``RLIMIT_AS`` exists and is enforced (Linux and most POSIX, not macOS)."""
    if sys.platform == "darwin" or os.name != "posix":
        return False
    try:
        import resource
        return hasattr(resource, "RLIMIT_AS")
    except ImportError:  # pragma: no cover - Windows
        return False


def _default_start_method() -> str:
    # forkserver: workers are forked from a small clean server process (cheap to
    # replace, no inherited threads, no inherited spaCy model in the address space).
    methods = multiprocessing.get_all_start_methods()
    return "forkserver" if "forkserver" in methods and sys.platform.startswith("linux") else "spawn"


# --------------------------------------------------------------------------- worker side

def _worker_init(max_memory_bytes: int, forbid_file_writes: bool) -> None:
    """Runs once in every worker process, before any task."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ValueError, OSError):  # pragma: no cover
        pass
    if forbid_file_writes and hasattr(resource, "RLIMIT_FSIZE"):
        _quiet_regular_file_outputs()
        try:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes fail with EFBIG instead
            resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
        except (ValueError, OSError, AttributeError):  # pragma: no cover
            pass
    if memory_limit_supported() and max_memory_bytes:
        try:
            _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
            cap = max_memory_bytes if hard == resource.RLIM_INFINITY else min(hard, max_memory_bytes)
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        except (ValueError, OSError):  # pragma: no cover
            pass


def _quiet_regular_file_outputs() -> None:
    """With RLIMIT_FSIZE at 0, writing to a stdout/stderr that is a regular file
    (pytest's capture, ``2>log``) would fail: point those at /dev/null instead.
    Readers print nothing; library warnings (pypdf) are noise here."""
    import stat

    for fd in (1, 2):
        try:
            if stat.S_ISREG(os.fstat(fd).st_mode):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, fd)
                os.close(devnull)
        except OSError:  # pragma: no cover - closed descriptor
            pass


def _resolve_reader(reader: Reader) -> Callable:
    if callable(reader):
        return reader
    module, _, name = reader.partition(":")
    return getattr(importlib.import_module(module), name)


def _peak_rss() -> int | None:
    try:
        import resource
    except ImportError:  # pragma: no cover
        return None
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024


def _run_task(reader: Reader, data: bytes, filename: str, limits: Limits) -> tuple:
    """Worker entry point. Never raises: returns ``(kind, payload, seconds, peak_rss)``."""
    start = time.perf_counter()
    try:
        doc = _resolve_reader(reader)(data, filename, limits)
        out = ("ok", doc)
    except ReadError as err:
        out = ("error", _error_state(err))
    except MemoryError:
        out = ("error", _error_state(memory_error(limits)))
    except RecursionError:
        out = ("error", _error_state(crash_error("RecursionError")))
    except Exception as exc:  # a reader bug: reported, the batch goes on
        import traceback
        out = ("crash", f"{type(exc).__name__}: {exc}"[:300],
               traceback.format_exc(limit=8)[-2000:])
    del data
    return out + (time.perf_counter() - start, _peak_rss())


# --------------------------------------------------------------------------- pool

class ReaderPool:
    """A pool of sandboxed reader processes. Thread-safe; create once, reuse.

    ``workers``: processes (default: CPU count). ``max_tasks``: tasks a worker runs
    before it is replaced (bounds leaks; 0 = never). ``reader``: the function that
    reads, ``"module:function"`` or a module-level callable
    ``(data, filename, limits) -> Document`` (default ``read_document``).
    """

    def __init__(self, limits: Limits | None = None, workers: int | None = None, *,
                 max_tasks: int = 25, reader: Reader = DEFAULT_READER,
                 start_method: str | None = None, forbid_file_writes: bool = True):
        self.limits = limits or DEFAULT_LIMITS
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.max_tasks = max_tasks
        self.reader = reader
        self.start_method = start_method or _default_start_method()
        self.forbid_file_writes = forbid_file_writes
        self._pool = None
        self._lock = threading.Lock()
        self._closed = False

    # -- lifecycle
    def _get_pool(self):
        with self._lock:
            if self._closed:
                raise RuntimeError("ReaderPool is closed")
            if self._pool is None or not self._pool.active:
                from pebble import ProcessPool

                ctx = multiprocessing.get_context(self.start_method)
                if self.start_method == "forkserver" and isinstance(self.reader, str):
                    # Workers fork from a server that already imported the readers
                    # (lxml, pypdf): a replacement worker starts in milliseconds.
                    # No effect if the fork server is already running.
                    ctx.set_forkserver_preload([self.reader.partition(":")[0], *_READER_MODULES])
                self._pool = ProcessPool(
                    max_workers=self.workers, max_tasks=self.max_tasks,
                    initializer=_worker_init,
                    initargs=(self.limits.max_memory_bytes, self.forbid_file_writes),
                    context=ctx)
            return self._pool

    def close(self, timeout: float | None = None) -> None:
        """Finish queued reads (each bounded by its own time limit), then stop the
        workers; with ``timeout``, reads still running after it are cancelled."""
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()
            try:
                pool.join(timeout=timeout)
            except TimeoutError:
                pool.stop()
                pool.join()

    def __enter__(self) -> "ReaderPool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- reading
    def submit_outcome(self, data: bytes, filename: str) -> "Future[ReadOutcome]":
        """Schedule one read; the future gives a :class:`ReadOutcome` and never raises."""
        out: Future = Future()
        if len(data) > self.limits.max_file_bytes:
            out.set_result(ReadOutcome(file_size_error(self.limits, len(data)), filename))
            return out
        try:
            pf = self._get_pool().schedule(
                _run_task, args=(self.reader, data, filename, self.limits),
                timeout=self.limits.timeout_seconds)
        except RuntimeError:
            # The pool was broken or stopped under us: make a new one, once.
            with self._lock:
                self._pool = None
            pf = self._get_pool().schedule(
                _run_task, args=(self.reader, data, filename, self.limits),
                timeout=self.limits.timeout_seconds)
        pf.add_done_callback(lambda f: out.set_result(self._outcome(f, filename)))
        return out

    def submit(self, data: bytes, filename: str) -> "Future":
        """Schedule one read; the future gives ``Document | ReadError`` and never raises."""
        inner = self.submit_outcome(data, filename)
        out: Future = Future()
        inner.add_done_callback(lambda f: out.set_result(f.result().result))
        return out

    def map(self, items: Iterable[tuple[bytes, str]]) -> Iterator:
        """Read ``(data, filename)`` pairs in parallel; yield results in input order."""
        futures = [self.submit(data, name) for data, name in items]
        for f in futures:
            yield f.result()

    def run(self, data: bytes, filename: str) -> ReadOutcome:
        """Read one file and wait: the outcome with time and peak memory."""
        return self.submit_outcome(data, filename).result()

    def read(self, data: bytes, filename: str):
        """Read one file and wait: ``Document | ReadError``."""
        return self.run(data, filename).result

    def _outcome(self, pf, filename: str) -> ReadOutcome:
        from concurrent.futures import CancelledError
        from concurrent.futures import TimeoutError as FutureTimeout

        from pebble import ProcessExpired

        try:
            kind, payload, *rest = pf.result()
        except FutureTimeout:
            return ReadOutcome(timeout_error(self.limits, filename), filename,
                               seconds=self.limits.timeout_seconds, killed=True)
        except ProcessExpired as exc:
            # The worker died: SIGKILL is what the kernel's OOM killer sends.
            code = getattr(exc, "exitcode", None)
            if code == -getattr(signal, "SIGKILL", 9):
                err = memory_error(self.limits, filename)
            else:
                err = crash_error(f"worker exited with code {code}")
            return ReadOutcome(err, filename, killed=True, detail={"exitcode": code})
        except MemoryError:
            return ReadOutcome(memory_error(self.limits, filename), filename, killed=True)
        except CancelledError:
            return ReadOutcome(crash_error("cancelled"), filename)
        except BaseException as exc:  # pebble-side failure (e.g. result could not be pickled)
            return ReadOutcome(crash_error(f"{type(exc).__name__}: {exc}"), filename)
        seconds, peak = rest[-2], rest[-1]
        if kind == "ok":
            return ReadOutcome(payload, filename, seconds=seconds, peak_rss_bytes=peak)
        if kind == "error":
            err = _error_from_state(payload)
            if err.code not in UNREADABLE_CODES:
                err = crash_error(f"unknown code {err.code!r}")
            return ReadOutcome(err, filename, seconds=seconds, peak_rss_bytes=peak)
        # "crash": an unexpected exception in the reader.
        return ReadOutcome(crash_error(payload), filename, seconds=seconds, peak_rss_bytes=peak,
                           detail={"traceback": rest[0]})


def run_isolated(data: bytes, filename: str, limits: Limits | None = None, *,
                 reader: Reader = DEFAULT_READER) -> ReadOutcome:
    """One read in a fresh worker process (then stopped); with time and peak memory."""
    pool = ReaderPool(limits, workers=1, max_tasks=1, reader=reader)
    try:
        return pool.run(data, filename)
    finally:
        pool.close()


def read_isolated(data: bytes, filename: str, limits: Limits | None = None, *,
                  reader: Reader = DEFAULT_READER):
    """One-shot helper: ``Document | ReadError`` from a fresh sandboxed worker."""
    return run_isolated(data, filename, limits, reader=reader).result
