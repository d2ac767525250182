"""The batch result cache: a re-run after a few candidates fixed their files
only checks the changed files.

One entry per checked file, keyed by the SHA-256 of the file's bytes together
with everything that can change its result: the tool's version, the rule pack's
SHA-256, the LibreOffice version used (or ``none``), the title and session, and
the check options that change measures (analysis on/off, reader limits). The
value is the pickled :class:`~dossier_check.pipeline.FileResult` (pages with the
LibreOffice layout already applied, characters, analysis) and the counted text
used by the similarity comparison.

The cache lives in the user's cache directory (``platformdirs``):
``~/.cache/dossier-check/batch`` on Linux,
``~/Library/Caches/dossier-check/batch`` on macOS,
``%LOCALAPPDATA%\\dossier-check\\Cache\\batch`` on Windows; the environment
variable ``DOSSIER_CHECK_CACHE_DIR`` replaces ``…/dossier-check`` (results then go
to its ``batch`` subfolder; compiled report templates to ``templates``). It holds extracts of the
candidates' documents: ``dossier-check cache clear`` empties it.

Entries are written atomically (temporary file, then rename), so concurrent
runs and interruptions never leave a torn entry; an unreadable entry counts as
a miss. Only this tool writes there, in the user's own directory: entries are
unpickled as trusted data.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import tempfile
from pathlib import Path

CACHE_FORMAT = "1"  # bump when the cached value's shape changes
ENV_VAR = "DOSSIER_CHECK_CACHE_DIR"


def cache_root() -> Path:
    """The tool's cache directory: ``DOSSIER_CHECK_CACHE_DIR`` or the user's cache dir."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("dossier-check", appauthor=False))


def default_cache_dir() -> Path:
    """Where batch results go: ``<cache root>/batch``."""
    return cache_root() / "batch"


def _options_tag(options) -> str:
    limits = getattr(options, "limits", None)
    lim = repr(sorted(limits.__dict__.items())) if limits is not None and hasattr(limits, "__dict__") else repr(limits)
    return f"analysis={getattr(options, 'analysis', True)};limits={lim}"


def cache_key(file_sha256: str, tool_version: str, pack_sha256: str, libreoffice: str, title: str,
              session: str | None, options=None) -> str:
    """The key of one file's result (hex SHA-256 of every ingredient)."""
    parts = ["result", CACHE_FORMAT, file_sha256, tool_version, pack_sha256, libreoffice or "none", title,
             session or "", _options_tag(options)]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def text_key(file_sha256: str, tool_version: str, options=None) -> str:
    """The key of a former document's counted text (``--compare-with``)."""
    parts = ["text", CACHE_FORMAT, file_sha256, tool_version, _options_tag(options)]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


class ResultCache:
    def __init__(self, directory: str | Path | None = None):
        self.dir = Path(directory) if directory else default_cache_dir()

    def _path(self, key: str) -> Path:
        return self.dir / key[:2] / f"{key}.pickle"

    def get(self, key: str):
        p = self._path(key)
        try:
            with open(p, "rb") as fh:
                return pickle.load(fh)
        except FileNotFoundError:
            return None
        except Exception:  # noqa: BLE001 - a torn or stale entry is a miss
            try:
                p.unlink()
            except OSError:
                pass
            return None

    def put(self, key: str, value) -> None:
        p = self._path(key)
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=p.parent)
            try:
                with os.fdopen(fd, "wb") as fh:
                    pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, p)
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
        except OSError:
            pass  # a read-only or full cache never breaks a check

    def stats(self) -> tuple[int, int]:
        """(entries, bytes)."""
        n = size = 0
        if self.dir.is_dir():
            for p in self.dir.rglob("*.pickle"):
                try:
                    size += p.stat().st_size
                    n += 1
                except OSError:
                    pass
        return n, size

    def clear(self) -> tuple[int, int]:
        """Remove every entry; return what was removed (entries, bytes)."""
        n, size = self.stats()
        if self.dir.is_dir():
            shutil.rmtree(self.dir, ignore_errors=True)
        return n, size
