"""LibreOffice rendering: DOCX/ODT → PDF, several files per ``soffice`` call.

LibreOffice is optional. It is looked for on PATH, at its usual install paths
(Linux, Windows, macOS), or where ``--soffice`` / ``DOSSIER_CHECK_SOFFICE``
says. Each call has its own user profile (LibreOffice allows one running
instance per profile) and a timeout; any failure is reported back as a French
sentence and the check falls back to the next page source.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

CANDIDATE_PATHS = [
    "/usr/bin/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/snap/bin/libreoffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
]


def find_soffice(explicit: str | None = None) -> str | None:
    """Path of soffice, or None. ``explicit`` (``--soffice``) wins; the value
    ``"none"`` disables LibreOffice."""
    for cand in (explicit, os.environ.get("DOSSIER_CHECK_SOFFICE")):
        if cand:
            if cand.lower() in ("none", "off", "0", "non"):
                return None
            p = shutil.which(cand) or (cand if Path(cand).is_file() else None)
            return p
    for name in ("soffice", "libreoffice"):
        p = shutil.which(name)
        if p:
            return p
    for p in CANDIDATE_PATHS:
        if Path(p).is_file():
            return p
    for base in (Path("/opt"),):
        if base.is_dir():
            for d in sorted(base.glob("libreoffice*/program/soffice"), reverse=True):
                return str(d)
    return None


_VERSION_CACHE: dict[str, str | None] = {}


def soffice_version(soffice: str) -> str | None:
    if soffice not in _VERSION_CACHE:
        try:
            out = subprocess.run([soffice, "--version"], capture_output=True, text=True, timeout=30,
                                 stdin=subprocess.DEVNULL)
            _VERSION_CACHE[soffice] = out.stdout.strip() or None
        except (OSError, subprocess.SubprocessError):
            _VERSION_CACHE[soffice] = None
    return _VERSION_CACHE[soffice]


@dataclass
class Rendered:
    pdf: bytes | None
    error: str | None = None  # French, when pdf is None


def render_pdfs(files: list[tuple[str, bytes]], soffice: str, timeout: float | None = None) -> list[Rendered]:
    """Render each (extension, bytes) to PDF in one soffice call. File names
    from users are never used: files are written as 0001.docx, 0002.odt…"""
    if not files:
        return []
    if timeout is None:
        timeout = 60.0 + 6.0 * len(files)
    with tempfile.TemporaryDirectory(prefix="dossier-check-lo-") as tmp:
        tmpd = Path(tmp)
        src = tmpd / "in"
        out = tmpd / "out"
        profile = tmpd / "profile"
        src.mkdir()
        out.mkdir()
        paths = []
        for i, (ext, data) in enumerate(files):
            p = src / f"{i + 1:04d}.{ext}"
            p.write_bytes(data)
            paths.append(p)
        cmd = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--nolockcheck", "--nodefault", "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(out),
               *map(str, paths)]
        start = time.monotonic()
        try:
            kwargs = {}
            if sys.platform != "win32":
                kwargs["start_new_session"] = True
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                    stdin=subprocess.DEVNULL, **kwargs)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill(proc)
                msg = (f"LibreOffice n'a pas fini la mise en page en {int(timeout)} s : "
                       "le nombre de pages vient d'une autre source.")
                return [Rendered(None, msg) for _ in files]
        except OSError as exc:
            msg = f"LibreOffice n'a pas pu être lancé ({exc.strerror or exc}) : le nombre de pages vient d'une autre source."
            return [Rendered(None, msg) for _ in files]
        _ = time.monotonic() - start
        results = []
        for p in paths:
            pdf = out / (p.stem + ".pdf")
            if pdf.is_file() and pdf.stat().st_size > 0:
                results.append(Rendered(pdf.read_bytes()))
            else:
                results.append(Rendered(None, "LibreOffice n'a pas pu mettre ce fichier en page : "
                                              "le nombre de pages vient d'une autre source."))
        return results


def _kill(proc: subprocess.Popen) -> None:
    try:
        if sys.platform != "win32":
            import signal
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except (OSError, ProcessLookupError):
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.SubprocessError:
        pass
