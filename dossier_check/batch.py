"""Batch mode: check a whole class folder in one call.

Steps (see README.md (section « Vérifier toute une classe ») for the user-facing rules):

1. :func:`discover` walks the class folder, skips hidden, temporary and
   non-document files (each listed with its reason) and groups the documents by
   candidate: one subfolder per candidate, or candidate names carried by the
   file names of a flat folder (``DUPONT_Marie_veille.docx``).
2. :func:`run_batch` checks every file. Cached results are reused (see
   :mod:`dossier_check.cache`); the others are read in a pool of sandboxed reader
   processes, rendered by LibreOffice in a few ``soffice`` calls for the whole
   class, then measured and analysed in a pool of ``jobs`` workers that each load
   the language model once. One report-v1 dictionary is built per candidate, and
   the documents of the same competence are compared (:mod:`dossier_check.similarity`).
3. :func:`write_outputs` writes the class report, the CSV and one HTML and one
   JSON report per candidate, atomically (everything goes to a temporary folder
   inside OUT_DIR first).

Nothing here prints: progress goes through the ``progress`` callback.
"""
from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import shutil
import signal
import tempfile
import threading
import time
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .pipeline import CheckOptions, FileResult, InputFile, LayoutInfo, finish_file, render_layouts
from .problems import CORRUPT_FILE, TIMEOUT, ReadError
from .rulepack import RulePack

# --------------------------------------------------------------------------- discovery

#: Extensions handed to the readers. Anything else is skipped and listed.
#: ``.doc`` and ``.rtf`` are documents the candidate meant to send: the reader
#: reports them (legacy-doc, unsupported-format) in the candidate's row.
DOCUMENT_EXTENSIONS = frozenset({".docx", ".odt", ".pdf", ".doc", ".docm", ".rtf", ".ott", ".dotx"})

#: Words that, in a flat folder's file names, start the document part of the
#: name (after the candidate's name). Compared accent- and case-insensitively.
GENERIC_DOC_WORDS = frozenset({
    "production", "productions", "dossier", "doc", "document", "documents", "ecrit", "ecrits",
    "ntc", "cc", "tp", "ccp", "ccp1", "ccp2", "titre", "competence", "comp", "c1", "c2", "c3",
    "c4", "final", "finale", "v1", "v2", "v3", "version", "rapport", "projet", "annexe",
    "action", "actions", "commercial", "commerciale", "commerciales", "distance", "client", "clients",
    "clientele", "concurrence", "strategie", "entreprise", "stage", "synthese", "copie", "brouillon",
    "corrige", "definitif", "definitive", "rendu", "ok",
})

SKIP_HIDDEN = "fichier caché"
SKIP_TEMP = "fichier temporaire (traitement de texte ouvert ou brouillon)"
SKIP_NOT_DOCUMENT = "pas un document (DOCX, ODT ou PDF attendu)"
SKIP_NO_NAME = "nom du candidat introuvable dans le nom du fichier"
SKIP_OUTPUT = "dossier des rapports"
SKIP_UNREADABLE_DIR = "dossier illisible"


@dataclass
class Skipped:
    path: str  # relative to the class folder, with "/"
    reason: str  # French


@dataclass
class Candidate:
    name: str  # as shown: the folder name, or the name words of the file names
    key: str  # grouping key (folded, order-insensitive for flat names)
    files: list[InputFile] = field(default_factory=list)
    source: str = "folder"  # "folder" | "filename"

    @property
    def slug(self) -> str:
        return slugify(self.name)


@dataclass
class Discovery:
    root: Path
    layout: str  # "folders" | "flat" | "mixed" | "empty"
    candidates: list[Candidate]
    skipped: list[Skipped]

    @property
    def file_count(self) -> int:
        return sum(len(c.files) for c in self.candidates)


def fold(text: str) -> str:
    """Lower case, without accents (for comparisons)."""
    norm = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in norm if not unicodedata.combining(ch)).casefold()


def slugify(name: str) -> str:
    """A safe file name stem for a candidate: ASCII letters, digits, ``_`` and ``-``."""
    norm = unicodedata.normalize("NFKD", name)
    ascii_ = "".join(ch for ch in norm if not unicodedata.combining(ch)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9-]+", "_", ascii_).strip("_-")
    return slug[:80] or "candidat"


def _skip_reason(name: str) -> str | None:
    if name.startswith("~$") or name.startswith(".~lock") or name.startswith("~") or name.endswith(("~", ".tmp", ".bak")):
        return SKIP_TEMP
    if name.startswith("."):
        return SKIP_HIDDEN
    if name in ("Thumbs.db", "desktop.ini", "Desktop.ini"):
        return SKIP_HIDDEN
    if Path(name).suffix.lower() not in DOCUMENT_EXTENSIONS:
        return SKIP_NOT_DOCUMENT
    return None


def _name_tokens(stem: str) -> list[str]:
    """Words of a file name stem. ``_``, spaces and dots separate words; hyphens
    too when the name has no other separator (``DUPONT-Marie-veille``), otherwise
    a hyphen joins a compound first name (``Jean-Pierre``)."""
    if re.search(r"[_\s.]", stem):
        parts = re.split(r"[_\s.]+", stem)
        parts = [p.strip("-") for p in parts]
    else:
        parts = stem.split("-")
    return [p for p in parts if p]


def candidate_from_filename(stem: str, doc_words: set[str]) -> tuple[str, str] | None:
    """(display name, key) of the candidate a flat-folder file belongs to, or None.

    Words that name the document are a competence word of the rule pack
    (``veille``, ``plan``, ``fidelisation``…), a generic word (``dossier``,
    ``production``, ``ntc``…), a word containing a digit or a single letter. The
    candidate's name is the first run of other words, at most three: those
    before the first document word (``DUPONT_Marie_veille``), or after leading
    document words (``NTC - DUPONT Marie - veille``, ``veille_DUPONT_Marie``).
    When no word names the document, the first two words are the name
    (``NOM Prénom``). At least one name word is needed.
    The key ignores case, accents and word order: ``DUPONT_Marie`` and
    ``Marie Dupont`` are the same candidate.
    """
    tokens = _name_tokens(stem)

    def is_doc_word(tok: str) -> bool:
        f = fold(tok)
        return (f in GENERIC_DOC_WORDS or any(ch.isdigit() for ch in f) or len(f) < 2
                or any(f.startswith(w) for w in doc_words))

    # Document words before the name ("NTC_DUPONT_Marie_veille", "veille - DUPONT Marie") are skipped.
    start = 0
    while start < len(tokens) and is_doc_word(tokens[start]):
        start += 1
    name: list[str] = []
    for tok in tokens[start:]:
        if is_doc_word(tok):
            break
        name.append(tok)
    else:
        if start == 0:
            name = tokens[:2]
    if len(name) > 3:
        name = name[:3]
    if not name:
        return None
    key = " ".join(sorted(fold(t) for t in name))
    return " ".join(name), key


def pack_doc_words(pack: RulePack | None) -> set[str]:
    """Stems that mark the document part of a file name: the pack's filename hints
    and competence ids."""
    words = {"veille", "plan", "pac", "fidelis", "prospection", "prospect"}
    if pack is not None:
        for comp in pack.competences.values():
            words.add(fold(comp.id).split("-")[0])
            for hint in comp.filename_hints:
                h = fold(hint).strip("-_ ")
                if len(h) >= 3:
                    words.add(h)
    return words


def _walk_documents(base: Path, root: Path, skipped: list[Skipped], exclude: set[Path]) -> list[Path]:
    """Every document under ``base`` (recursively), sorted; skips are recorded."""
    out: list[Path] = []
    try:
        entries = sorted(base.iterdir(), key=lambda p: p.name.casefold())
    except OSError:
        skipped.append(Skipped(_rel(base, root) + "/", SKIP_UNREADABLE_DIR))
        return out
    for p in entries:
        rel = _rel(p, root)
        if p.is_dir():
            if p.resolve() in exclude:
                continue
            if p.name.startswith((".", "~", "__")):
                skipped.append(Skipped(rel + "/", SKIP_HIDDEN))
                continue
            out.extend(_walk_documents(p, root, skipped, exclude))
            continue
        reason = _skip_reason(p.name)
        if reason:
            skipped.append(Skipped(rel, reason))
        else:
            out.append(p)
    return out


def _rel(p: Path, root: Path) -> str:
    try:
        return p.relative_to(root).as_posix()
    except ValueError:
        return p.as_posix()


def discover(class_dir: str | Path, pack: RulePack | None = None, exclude: list[Path] | None = None) -> Discovery:
    """Find the candidates and their documents in a class folder.

    Every subfolder of ``class_dir`` is a candidate (named after the folder; its
    documents are searched recursively). Documents lying directly in
    ``class_dir`` are grouped by the candidate name their file names carry
    (:func:`candidate_from_filename`). Both may be mixed.
    """
    root = Path(class_dir)
    excl = {p.resolve() for p in (exclude or [])}
    skipped: list[Skipped] = []
    doc_words = pack_doc_words(pack)
    candidates: dict[str, Candidate] = {}
    folders = flat = 0
    for p in sorted(root.iterdir(), key=lambda p: p.name.casefold()):
        if p.is_dir():
            if p.resolve() in excl:
                skipped.append(Skipped(p.name + "/", SKIP_OUTPUT))
                continue
            if p.name.startswith((".", "~", "__")):
                skipped.append(Skipped(p.name + "/", SKIP_HIDDEN))
                continue
            docs = _walk_documents(p, root, skipped, excl)
            if not docs:
                continue
            key = "cand:" + " ".join(sorted(fold(t) for t in _name_tokens(p.name))) if _name_tokens(p.name) \
                else "dir:" + fold(p.name)
            cand = candidates.setdefault(key, Candidate(name=p.name, key=key, source="folder"))
            if cand.source != "folder":  # files named after this candidate came first: the folder names them
                cand.name, cand.source = p.name, "folder"
            cand.files.extend(InputFile(name=_rel(d, root), path=d) for d in docs)
            folders += 1
            continue
        reason = _skip_reason(p.name)
        if reason:
            skipped.append(Skipped(p.name, reason))
            continue
        found = candidate_from_filename(p.stem, doc_words)
        if found is None:
            skipped.append(Skipped(p.name, SKIP_NO_NAME))
            continue
        display, key = found
        key = "cand:" + key  # the same key as a folder of that name: mixed layouts merge
        cand = candidates.setdefault(key, Candidate(name=display, key=key, source="filename"))
        cand.files.append(InputFile(name=p.name, path=p))
        flat += 1
    layout = "mixed" if folders and flat else "folders" if folders else "flat" if flat else "empty"
    ordered = sorted(candidates.values(), key=lambda c: fold(c.name))
    _dedupe_slugs(ordered)
    return Discovery(root=root, layout=layout, candidates=ordered, skipped=skipped)


def _dedupe_slugs(cands: list[Candidate]) -> None:
    seen: dict[str, int] = {}
    for c in cands:
        s = c.slug.casefold()
        if s in seen:
            seen[s] += 1
            c.name = f"{c.name} ({seen[s]})"
        else:
            seen[s] = 1


# --------------------------------------------------------------------------- results

@dataclass
class FileOutcome:
    """One file of the class, checked."""

    candidate: str
    file: InputFile
    result: FileResult
    text: str = ""  # counted-region text, for the similarity comparison
    sha256: str = ""
    cached: bool = False


@dataclass
class CandidateReport:
    candidate: Candidate
    report: dict  # report-v1
    outcomes: list[FileOutcome]

    @property
    def compliant(self) -> bool:
        return bool(self.report.get("compliant"))


@dataclass
class BatchResult:
    discovery: Discovery
    title: str
    session: str
    pack: RulePack
    candidates: list[CandidateReport]
    similar: list  # similarity.SimilarPair
    stats: dict = field(default_factory=dict)  # timings, cache hits, jobs…
    compared_with: int = 0  # former documents compared

    @property
    def compliant(self) -> bool:
        return bool(self.candidates) and all(c.compliant for c in self.candidates)


ProgressFn = Callable[[str, int, int, str], None]  # (phase, done, total, current file)


def _no_progress(phase: str, done: int, total: int, current: str) -> None:
    pass


# --------------------------------------------------------------------------- workers

_W: dict = {}


def _finish_init(pack: RulePack, options: CheckOptions) -> None:
    """Runs once per analysis worker: Ctrl-C is the parent's business; load the
    language model now so that every task finds it ready."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _W["pack"] = pack
    _W["options"] = options
    _W["analyser"] = _load_analyser(pack, options)


def _load_analyser(pack: RulePack, options: CheckOptions):
    if not options.analysis:
        return None
    try:
        from .analyse import get_analyser
    except ImportError:
        return None
    an = get_analyser(pack)
    if an is not None and hasattr(an, "warm_up"):
        an.warm_up()
    return an


def counted_text(doc) -> str:
    """The counted region's text (cover and sommaire left out), for similarity."""
    from .locate import locate

    try:
        loc = locate(doc)
        return "\n".join(b.text for b in loc.counted_blocks(doc))
    except Exception:  # noqa: BLE001 - similarity is a bonus, never a failure
        return doc.text


@dataclass
class RenderedPdf:
    """A LibreOffice rendering not yet turned into page texts: the PDF text
    extraction (about a second per document with pypdf) runs in the analysis
    workers, in parallel, rather than in the parent process."""

    pdf: bytes
    version: str | None


BAD_RENDER = ("La mise en page produite par LibreOffice est illisible : le nombre "
              "de pages vient d'une autre source.")


def _layout_info(layout) -> LayoutInfo | None:
    if not isinstance(layout, RenderedPdf):
        return layout
    from .pipeline import pdf_page_texts

    try:
        return LayoutInfo(pdf_page_texts(layout.pdf), None, layout.version)
    except Exception:  # noqa: BLE001 - a bad render must never break the check
        return LayoutInfo(None, BAD_RENDER, layout.version)


def _finish_task(name: str, doc, layout) -> tuple[FileResult, str]:
    layout = _layout_info(layout)
    res = finish_file(name, doc, layout, _W["pack"], _W["options"], _W["analyser"])
    text = counted_text(doc) if not isinstance(doc, ReadError) else ""
    return res, text


def _error_result(name: str, err: ReadError) -> FileResult:
    return FileResult(name=name, format=None, error={"code": err.code, "message": err.message, "detail": err.detail})


# --------------------------------------------------------------------------- run

@dataclass
class BatchOptions:
    jobs: int = 0  # 0: number of cores
    use_cache: bool = True
    cache_dir: Path | None = None  # default: cache.default_cache_dir()
    compare_with: list[Path] = field(default_factory=list)
    similarity_threshold: float | None = None  # None: similarity.DEFAULT_THRESHOLD
    render_batch: int = 0  # files per soffice call; 0: split the class over `jobs` calls
    reader_pool: bool = True  # read in the sandboxed ReaderPool (False: in this process, no isolation)


def _jobs(n: int) -> int:
    return max(1, n or os.cpu_count() or 1)


def _load_all(files: list[InputFile], options: CheckOptions) -> list[bytes | ReadError]:
    out: list[bytes | ReadError] = []
    for f in files:
        try:
            out.append(f.load(options.limits))
        except ReadError as exc:
            out.append(exc)
    return out


def _read_many(items: list[tuple[str, bytes]], options: CheckOptions, jobs: int, use_pool: bool,
               progress: ProgressFn) -> list:
    """Read files (Document | ReadError each), in the sandboxed reader pool when
    there is more than one file to read."""
    total = len(items)
    if not items:
        return []
    if not use_pool:
        from .pipeline import read_file

        out = []
        for i, (name, data) in enumerate(items):
            progress("lecture", i, total, name)
            out.append(read_file(name, data, CheckOptions(**{**options.__dict__, "sandbox": False})))
        progress("lecture", total, total, "")
        return out
    from .sandbox import ReaderPool

    out: list = [None] * total
    done = 0
    lock = threading.Lock()
    pool = ReaderPool(options.limits, workers=min(jobs, total))
    try:
        futures = [pool.submit(data, name) for name, data in items]
        for i, fut in enumerate(futures):
            while True:
                try:
                    out[i] = fut.result(timeout=0.2)  # short waits keep Ctrl-C responsive
                    break
                except FutureTimeout:
                    continue
            with lock:
                done += 1
                progress("lecture", done, total, items[i][0])
    except BaseException:
        inner = getattr(pool, "_pool", None)
        if inner is not None:
            inner.stop()  # interrupted: do not wait for the queued reads
        raise
    finally:
        pool.close()
    return out


def _render_many(items: list[tuple[object, bytes]], options: CheckOptions, jobs: int, batch_size: int,
                 progress: ProgressFn) -> list:
    """Render the class's DOCX/ODT with LibreOffice: ``jobs`` concurrent soffice
    calls (each with its own profile), each converting a share of the files."""
    out: list = [None] * len(items)  # LayoutInfo | RenderedPdf | None
    wanted = [i for i, (doc, _d) in enumerate(items)
              if not isinstance(doc, ReadError) and getattr(doc, "format", None) in ("docx", "odt")]
    if not wanted:
        return out
    from .layout import find_soffice

    if find_soffice(options.soffice) is None:
        # render_layouts knows what to say when LibreOffice was asked for and is missing.
        return render_layouts(items, options)
    n = len(wanted)
    if batch_size <= 0:
        calls = min(jobs, max(1, n // 4)) if n >= 8 else 1
        batch_size = -(-n // calls)
    chunks = [wanted[i:i + batch_size] for i in range(0, n, batch_size)]
    progress("mise en page", 0, n, f"LibreOffice ({n} fichiers)")
    done = [0]
    lock = threading.Lock()

    from .layout import render_pdfs, soffice_version

    soffice = find_soffice(options.soffice)
    version = soffice_version(soffice)

    def work(chunk: list[int]) -> None:
        files = [(items[i][0].format, items[i][1]) for i in chunk]
        res = render_pdfs(files, soffice, options.layout_timeout)
        for i, r in zip(chunk, res):
            out[i] = RenderedPdf(r.pdf, version) if r.pdf is not None else LayoutInfo(None, r.error, version)
        with lock:
            done[0] += len(chunk)
            progress("mise en page", done[0], n, f"LibreOffice ({n} fichiers)")

    threads = [threading.Thread(target=work, args=(c,), daemon=True) for c in chunks]
    for t in threads:
        t.start()
    try:
        for t in threads:
            while t.is_alive():
                t.join(0.2)  # short joins keep the main thread responsive to Ctrl-C
    except BaseException:
        # Interrupted: stop our LibreOffice processes (they run in their own
        # session, so Ctrl-C does not reach them) and let the threads remove
        # their temporary copies of the candidates' files.
        _stop_our_soffice()
        for t in threads:
            t.join(5)
        raise
    return out


def _stop_our_soffice() -> None:
    """Kill the LibreOffice conversions this process started (Linux: /proc)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return
    me = os.getpid()
    for d in proc.iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid != me:
                continue
            cmd = (d / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if b"dossier-check-lo-" in cmd:
            try:
                os.killpg(int(d.name), signal.SIGKILL)  # its own session: the group is the conversion
            except (OSError, ProcessLookupError):
                pass


def _internal_error(exc: BaseException) -> ReadError:
    return ReadError(CORRUPT_FILE, "L'analyse de ce fichier a échoué (erreur interne de l'outil) : le reste "
                                   f"de la classe a été vérifié. ({type(exc).__name__})", internal=True)


class _AnalysisPool:
    """``jobs`` analysis workers, started early (the model loads while
    LibreOffice renders), or the current process when one worker is enough."""

    def __init__(self, pack: RulePack, options: CheckOptions, workers: int):
        self.pack, self.options, self.workers = pack, options, workers
        self.executor: ProcessPoolExecutor | None = None
        if workers > 1:
            import multiprocessing

            from .sandbox import _default_start_method

            ctx = multiprocessing.get_context(_default_start_method())
            self.executor = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_finish_init,
                                                initargs=(pack, options))
            # Start the workers now so the model loads in the background.
            for _ in range(workers):
                self.executor.submit(int, 0)
        self._local_ready = False
        self._loader: threading.Thread | None = None
        self._load_error: BaseException | None = None
        self.failed: set[int] = set()  # task indexes whose worker failed
        if self.executor is None:
            # One worker: this process. Load the model in a thread while the
            # reader processes read (the main thread only waits on them).
            self._loader = threading.Thread(target=self._load_local, daemon=True)
            self._loader.start()

    def _load_local(self) -> None:
        try:
            _W["pack"], _W["options"] = self.pack, self.options
            _W["analyser"] = _load_analyser(self.pack, self.options)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread
            self._load_error = exc

    def _local(self):
        if not self._local_ready:
            if self._loader is not None:
                while self._loader.is_alive():
                    self._loader.join(0.2)  # short joins keep Ctrl-C responsive
                self._loader = None
            else:
                self._load_local()
            if self._load_error is not None:
                raise self._load_error
            self._local_ready = True

    def run(self, tasks: list[tuple[str, object, LayoutInfo | None]], progress: ProgressFn) -> list[tuple[FileResult, str]]:
        total = len(tasks)
        out: list = [None] * total
        if self.executor is None:
            self._local()
            for i, (name, doc, layout) in enumerate(tasks):
                progress("analyse", i, total, name)
                if isinstance(doc, ReadError):
                    out[i] = (_error_result(name, doc), "")
                    continue
                try:
                    out[i] = _finish_task(name, doc, layout)
                except Exception as exc:  # noqa: BLE001 - one file's failure costs one row, not the class
                    self.failed.add(i)
                    out[i] = (_error_result(name, _internal_error(exc)), "")
            progress("analyse", total, total, "")
            return out
        futures = {}
        for i, (name, doc, layout) in enumerate(tasks):
            if isinstance(doc, ReadError):  # nothing to analyse (and exceptions pickle badly)
                out[i] = (_error_result(name, doc), "")
            else:
                futures[self.executor.submit(_finish_task, name, doc, layout)] = i
        from concurrent.futures import FIRST_COMPLETED, wait

        pending = set(futures)
        done = total - len(futures)
        progress("analyse", 0, total, tasks[0][0] if tasks else "")
        while pending:
            finished, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            for fut in finished:
                i = futures[fut]
                name = tasks[i][0]
                try:
                    out[i] = fut.result()
                except Exception as exc:  # noqa: BLE001 - a worker crash costs one row, not the class
                    self.failed.add(i)
                    out[i] = (_error_result(name, _internal_error(exc)), "")
                done += 1
                progress("analyse", done, total, name)
        return out

    def close(self, cancel: bool = False) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=not cancel, cancel_futures=cancel)
            self.executor = None


def run_batch(discovery: Discovery, pack: RulePack, session_id: str, options: CheckOptions | None = None,
              batch: BatchOptions | None = None, progress: ProgressFn | None = None) -> BatchResult:
    """Check every candidate of ``discovery``; return the reports and the similar pairs."""
    from . import cache as cache_mod
    from .judge import build_report
    from .layout import find_soffice
    from .pipeline import tool_version
    from .similarity import DEFAULT_THRESHOLD, find_similar

    options = options or CheckOptions()
    batch = batch or BatchOptions()
    say = progress or _no_progress
    jobs = _jobs(batch.jobs)
    t0 = time.perf_counter()
    stats: dict = {"jobs": jobs}

    # Every file of the class, in candidate order.
    entries: list[tuple[Candidate, InputFile]] = [(c, f) for c in discovery.candidates for f in c.files]
    for c, f in entries:
        f.competence = None
    datas = _load_all([f for _c, f in entries], options)

    soffice = find_soffice(options.soffice)
    lo_version = (_lo_version(soffice, batch.cache_dir, batch.use_cache) or "unknown") if soffice else "none"
    stats["libreoffice"] = lo_version
    store = cache_mod.ResultCache(batch.cache_dir) if batch.use_cache else None
    keys: list[str | None] = []
    outcomes: list[FileOutcome | None] = [None] * len(entries)
    hits = 0
    for i, ((cand, f), data) in enumerate(zip(entries, datas)):
        if isinstance(data, ReadError):
            outcomes[i] = FileOutcome(cand.name, f, _error_result(f.name, data))
            keys.append(None)
            continue
        digest = hashlib.sha256(data).hexdigest()
        key = cache_mod.cache_key(digest, tool_version(), pack.sha256, lo_version, pack.id, session_id, options)
        keys.append(key)
        if store is not None:
            got = store.get(key)
            if got is not None:
                res, text = got
                res.name = f.name
                outcomes[i] = FileOutcome(cand.name, f, res, text, digest, cached=True)
                hits += 1
                datas[i] = b""  # not needed any more: keep memory for the files to check
                continue
        outcomes[i] = FileOutcome(cand.name, f, None, "", digest)  # type: ignore[arg-type]
    stats["cache_hits"] = hits
    # The same bytes twice in the class (a file sent twice, or shared): checked once.
    first_of: dict[str, int] = {}
    copies: dict[int, int] = {}
    todo = []
    for i, o in enumerate(outcomes):
        if o is None or o.result is not None:
            continue
        if o.sha256 in first_of:
            copies[i] = first_of[o.sha256]
        else:
            first_of[o.sha256] = i
            todo.append(i)
    stats["checked"] = len(todo)

    # Compare-with corpus: former documents, text only.
    former = _former_files(batch.compare_with)
    former_datas = _load_all(former, options)

    pool: _AnalysisPool | None = None
    try:
        if todo:
            workers = min(jobs, len(todo))
            pool = _AnalysisPool(pack, options, workers)  # models load while we read and render
            t = time.perf_counter()
            docs = _read_many([(entries[i][1].name, datas[i]) for i in todo], options, jobs,
                              batch.reader_pool, say)
            stats["read_s"] = round(time.perf_counter() - t, 2)
            t = time.perf_counter()
            layouts = _render_many([(d, datas[i]) for d, i in zip(docs, todo)], options, jobs,
                                   batch.render_batch, say)
            stats["render_s"] = round(time.perf_counter() - t, 2)
            t = time.perf_counter()
            results = pool.run([(entries[i][1].name, d, lay) for i, d, lay in zip(todo, docs, layouts)], say)
            failed = {todo[j] for j in pool.failed}

            def name_failed(i: int) -> bool:  # an internal failure is not cached
                return i in failed
            stats["analyse_s"] = round(time.perf_counter() - t, 2)
            for i, doc, (res, text) in zip(todo, docs, results):
                o = outcomes[i]
                o.result, o.text = res, text
                transient = (isinstance(doc, ReadError) and doc.code == TIMEOUT) or name_failed(i)
                if store is not None and keys[i] and not transient:
                    store.put(keys[i], (res, text))
            for i, j in copies.items():
                res = copy.copy(outcomes[j].result)
                res.name = entries[i][1].name
                outcomes[i].result, outcomes[i].text = res, outcomes[j].text
        former_texts = _former_texts(former, former_datas, options, jobs, batch, store, say)
    except BaseException:
        if pool is not None:
            pool.close(cancel=True)
            pool = None
        raise
    finally:
        if pool is not None:
            pool.close()

    # Reports, one per candidate.
    say("rapports", 0, len(discovery.candidates), "")
    reports: list[CandidateReport] = []
    k = 0
    for cand in discovery.candidates:
        outs = outcomes[k:k + len(cand.files)]
        k += len(cand.files)
        try:
            rep = build_report(pack, session_id, [o.result for o in outs], options)
        except Exception as exc:  # noqa: BLE001 - one candidate's failure never stops the class
            rep = _fallback_report(pack, session_id, outs, exc)
        reports.append(CandidateReport(cand, rep, outs))  # type: ignore[arg-type]

    # Similarity between candidates, per competence.
    docs_for_sim = []
    for cr in reports:
        comp_of = {d.get("file"): d.get("competence") for d in cr.report.get("documents", [])}
        for o in cr.outcomes:
            if o.text:
                docs_for_sim.append({"candidate": cr.candidate.name, "file": o.file.name,
                                     "competence": comp_of.get(o.file.name), "text": o.text})
    t = time.perf_counter()
    threshold = batch.similarity_threshold if batch.similarity_threshold is not None else DEFAULT_THRESHOLD
    similar = find_similar(docs_for_sim, former_texts, threshold=threshold)
    stats["similarity_threshold"] = threshold
    stats["similarity_s"] = round(time.perf_counter() - t, 2)
    stats["total_s"] = round(time.perf_counter() - t0, 2)
    return BatchResult(discovery=discovery, title=pack.id, session=session_id, pack=pack, candidates=reports,
                       similar=similar, stats=stats, compared_with=len(former_texts))


def _fallback_report(pack: RulePack, session_id: str, outs: list[FileOutcome], exc: Exception) -> dict:
    """A report-v1 dictionary saying the tool failed on this candidate's dossier."""
    from .pipeline import tool_version

    msg = ("La vérification de ce dossier a échoué (erreur interne de l'outil) : les autres candidats ont été "
           f"vérifiés. ({type(exc).__name__})")
    problem = {"code": "internal-error", "severity": "error", "message": msg, "detail": {}}
    return {
        "schema": "dossier-check/report/v1", "tool_version": tool_version(), "title": pack.id,
        "session": session_id, "referentiel": pack.referentiel, "compliant": False,
        "documents": [{"file": o.file.name, "format": o.result.format if o.result else None, "competence": None,
                       "competence_source": None, "compliant": False, "pages": None, "characters": None,
                       "elements": [], "company_experience": None, "problems": [problem]} for o in outs],
        "dossier": {"expected": list(pack.sessions[session_id].documents) if session_id in pack.sessions else [],
                    "missing": [], "duplicates": [], "problems": [problem]},
    }


def _lo_version(soffice: str, cache_dir: Path | None, use_cache: bool = True) -> str | None:
    """LibreOffice's version (part of the cache key). ``soffice --version`` takes
    about half a second, so the answer is remembered next to the cache, keyed by
    the program's path, size and modification time (an upgrade changes them)."""
    from . import cache as cache_mod
    from .layout import soffice_version

    if not use_cache:
        return soffice_version(soffice)
    try:
        real = Path(soffice).resolve()
        st = real.stat()
        stamp = [str(real), st.st_size, st.st_mtime_ns]
    except OSError:
        return soffice_version(soffice)
    memo = Path(cache_dir or cache_mod.default_cache_dir()) / "libreoffice-version.json"  # inside batch/
    try:
        known = json.loads(memo.read_text(encoding="utf-8"))
        if known.get("stamp") == stamp and known.get("version"):
            return known["version"]
    except (OSError, ValueError, AttributeError):
        pass
    version = soffice_version(soffice)
    if version:
        try:
            memo.parent.mkdir(parents=True, exist_ok=True)
            tmp = memo.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"stamp": stamp, "version": version}), encoding="utf-8")
            os.replace(tmp, memo)
        except OSError:
            pass
    return version


def _former_files(dirs: list[Path]) -> list[InputFile]:
    out = []
    for d in dirs:
        d = Path(d)
        if d.is_file():
            out.append(InputFile(name=d.name, path=d))
            continue
        skipped: list[Skipped] = []
        for p in _walk_documents(d, d, skipped, set()):
            out.append(InputFile(name=f"{d.name}/{_rel(p, d)}", path=p))
    return out


def _former_texts(files: list[InputFile], datas: list, options: CheckOptions, jobs: int, batch: BatchOptions,
                  store, say: ProgressFn) -> list[dict]:
    """Counted text of each former document (read only: no layout, no analysis)."""
    from . import cache as cache_mod
    from .pipeline import tool_version

    out: list[dict] = []
    todo: list[tuple[int, str, bytes, str]] = []
    texts: list[str | None] = [None] * len(files)
    for i, (f, data) in enumerate(zip(files, datas)):
        if isinstance(data, ReadError):
            continue
        key = cache_mod.text_key(hashlib.sha256(data).hexdigest(), tool_version(), options)
        got = store.get(key) if store is not None else None
        if isinstance(got, str):
            texts[i] = got
        else:
            todo.append((i, f.name, data, key))
    if todo:
        docs = _read_many([(name, data) for _i, name, data, _k in todo], options, jobs, batch.reader_pool,
                          lambda ph, d, t, c: say("archives", d, t, c))
        for (i, _name, _data, key), doc in zip(todo, docs):
            if isinstance(doc, ReadError):
                continue
            texts[i] = counted_text(doc)
            if store is not None:
                store.put(key, texts[i])
    for f, text in zip(files, texts):
        if text:
            out.append({"candidate": None, "file": f.name, "competence": None, "text": text})
    return out


# --------------------------------------------------------------------------- outputs

def write_outputs(result: BatchResult, out_dir: str | Path, options: CheckOptions | None = None) -> dict[str, Path]:
    """Write the class report, the CSV and the per-candidate HTML and JSON into
    ``out_dir``. Everything is written to a temporary folder inside ``out_dir``
    and moved into place at the end: an interruption leaves the previous reports
    (or nothing), never a half-written one. Returns the written paths."""
    from .report.csv import write_csv
    from .report.html import render_candidate, render_class

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".dossier-check-tmp-", dir=out))
    try:
        cdir = tmp / "candidats"
        cdir.mkdir()
        links = {}
        for cr in result.candidates:
            slug = cr.candidate.slug
            links[cr.candidate.name] = f"candidats/{slug}.html"
            data = {**cr.report, "candidate": cr.candidate.name}  # report-v1 plus who it is about
            (cdir / f"{slug}.json").write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n",
                                               encoding="utf-8")
            (cdir / f"{slug}.html").write_text(render_candidate(result, cr), encoding="utf-8")
        (tmp / "rapport-classe.html").write_text(render_class(result, links), encoding="utf-8")
        write_csv(result, tmp / "synthese.csv")
        # Move into place: the candidates' folder first (old one swapped out), then the class files.
        final_c = out / "candidats"
        old = None
        if final_c.exists():
            old = out / f".dossier-check-old-{os.getpid()}"
            os.replace(final_c, old)
        os.replace(cdir, final_c)
        for name in ("synthese.csv", "rapport-classe.html"):
            os.replace(tmp / name, out / name)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    paths = {"html": out / "rapport-classe.html", "csv": out / "synthese.csv", "candidats": out / "candidats"}
    return paths
