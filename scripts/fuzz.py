#!/usr/bin/env python3
"""Structure-aware fuzzing of the document readers (issue 6, point 3).

    python scripts/fuzz.py --seconds 1800                 # long run, readers in-process
    python scripts/fuzz.py --seconds 1800 --pipeline      # through the whole check pipeline
    python scripts/fuzz.py --seconds 60 --json            # summary as JSON (used by the tests)

Seeds: every DOCX, ODT and PDF under samples/ (when present) plus seeds built here
(python-docx, a zip-of-XML ODT, reportlab PDFs). Each case applies one to three
mutations that know the format:

* DOCX/ODT: flip bytes inside a zip entry and re-zip, truncate, delete or duplicate
  an entry; parse an XML part and delete, duplicate, move or rename elements, set
  odd attribute values, put generated text in text nodes; flip or truncate the zip
  itself.
* PDF: corrupt xref offsets and ``startxref``, flip bytes inside streams, change
  ``/Length``, ``/Count`` and object references (cycles included), truncate.

Plus generated documents: hypothesis text put into DOCX, ODT and PDF files.

Property, for every case: ``read_document`` ends in a Document or a ReadError with
a known code, never another exception, within the time limit (SIGALRM) and the
memory limit (RLIMIT_AS on this process; a MemoryError counts as a breach).
"Hidden crashes" are counted too: an exception inside a format reader that
``read_document``'s catch-all turned into ``corrupt-file`` (a reader bug, even
though the user gets a clean message).

Every failing input is kept under ``--save DIR`` (default tests/corpus/fuzz/) with
a ``.json`` sidecar, and tests/test_fuzz.py replays them as regression tests.
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import io
import json
import os
import random
import re
import signal
import sys
import time
import traceback
import warnings
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dossier_check.limits import Limits  # noqa: E402
from dossier_check.model import Document  # noqa: E402
from dossier_check.problems import CORRUPT_FILE, TOO_LARGE, UNREADABLE_CODES, ReadError  # noqa: E402

DEFAULT_SAVE = ROOT / "tests" / "corpus" / "fuzz"
# Per-case limits of the fuzz run (the seeds are small: a correct reader needs well
# under a second).
FUZZ_TIMEOUT = 10.0
FUZZ_MEMORY = 2048 * 1024 * 1024

warnings.filterwarnings("ignore")
import logging  # noqa: E402

# Broken PDFs are expected here: keep pypdf's complaints off stderr.
logging.getLogger("pypdf").addHandler(logging.NullHandler())
logging.getLogger("pypdf").propagate = False


# --------------------------------------------------------------------------- seeds

@dataclass
class Seed:
    name: str
    fmt: str  # docx | odt | pdf
    data: bytes


def _text_pool() -> list[str]:
    return [
        "Présentation de l'entreprise",
        "J'ai réalisé une veille concurrentielle pendant trois semaines\u00a0: 12\u00a0000\u00a0€.",
        "Objectifs, moyens, durées et résultats de l'action commerciale.",
        "Tableau\tavec\ttabulations et « guillemets »",
        "Ligne avec émoji 🚀 et arabe مرحبا et combinant e\u0301",
    ]


def build_seeds() -> list[Seed]:
    """Small seeds built from known text (used even when samples/ exists)."""
    seeds = []
    try:
        import docx  # python-docx

        d = docx.Document()
        d.core_properties.title = "Production"
        d.add_heading("Veille commerciale", level=1)
        for t in _text_pool():
            d.add_paragraph(t)
        d.add_paragraph("Premier point", style="List Bullet")
        d.add_paragraph("Second point", style="List Number")
        table = d.add_table(rows=2, cols=2)
        for i, cell in enumerate(table._cells):
            cell.text = f"Cellule {i}"
        d.sections[0].header.paragraphs[0].text = "En-tête du dossier"
        d.sections[0].footer.paragraphs[0].text = "Page"
        d.add_page_break()
        d.add_heading("Résultats", level=2)
        d.add_paragraph("Fin du document.")
        buf = io.BytesIO()
        d.save(buf)
        seeds.append(Seed("built.docx", "docx", buf.getvalue()))
    except Exception as exc:  # pragma: no cover - python-docx missing
        print(f"seed docx skipped: {exc}", file=sys.stderr)
    seeds.append(Seed("built.odt", "odt", odt_from_paragraphs(_text_pool(), heading="Veille")))
    try:
        seeds.append(Seed("built.pdf", "pdf", pdf_from_paragraphs(_text_pool() * 3, compress=True)))
        seeds.append(Seed("built-raw.pdf", "pdf", pdf_from_paragraphs(_text_pool(), compress=False)))
    except Exception as exc:  # pragma: no cover - reportlab missing
        print(f"seed pdf skipped: {exc}", file=sys.stderr)
    return seeds


def load_seeds(samples: Path | None = ROOT / "samples", max_bytes: int = 3 * 1024 * 1024) -> list[Seed]:
    seeds = build_seeds()
    if samples and samples.is_dir():
        for path in sorted(samples.rglob("*")):
            ext = path.suffix.lower().lstrip(".")
            if ext in ("docx", "odt", "pdf") and path.is_file() and path.stat().st_size <= max_bytes:
                seeds.append(Seed(str(path.relative_to(samples)), ext, path.read_bytes()))
    return seeds


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def odt_from_paragraphs(paragraphs: list[str], heading: str | None = None) -> bytes:
    body = ""
    if heading is not None:
        body += f'<text:h text:outline-level="1">{_esc(heading)}</text:h>'
    body += "".join(f"<text:p>{_esc(p)}</text:p>" for p in paragraphs)
    body += ("<text:list><text:list-item><text:p>Élément de liste</text:p></text:list-item></text:list>"
             "<table:table><table:table-row><table:table-cell><text:p>Cellule</text:p>"
             "</table:table-cell></table:table-row></table:table>")
    content = ('<?xml version="1.0" encoding="UTF-8"?>'
               '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" office:version="1.2">'
               f'<office:body><office:text>{body}</office:text></office:body></office:document-content>')
    meta = ('<?xml version="1.0" encoding="UTF-8"?><office:document-meta '
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"><office:meta>'
            '<meta:document-statistic meta:page-count="2" meta:character-count="420"/>'
            '</office:meta></office:document-meta>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?>'
                '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
                'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text",
                    compress_type=zipfile.ZIP_STORED)
        zf.writestr("META-INF/manifest.xml", manifest)
        zf.writestr("content.xml", content)
        zf.writestr("meta.xml", meta)
    return buf.getvalue()


def docx_from_paragraphs(paragraphs: list[str]) -> bytes:
    import docx

    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def pdf_from_paragraphs(paragraphs: list[str], compress: bool = True) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=1 if compress else 0, invariant=1)
    y = 800
    for i, p in enumerate(paragraphs):
        c.setFont("Helvetica", 11)
        c.drawString(50, y, p[:120])
        y -= 16
        if y < 60:
            c.showPage()
            y = 800
    c.showPage()
    c.save()
    return buf.getvalue()


# --------------------------------------------------------------------------- text generation

# Characters XML 1.0 allows (no C0 controls but tab/newline, no surrogates).
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_INTERESTING_TEXT = ["", " ", "\t", "\u00a0", "\u202f", "\u200b", "\ufeff", "é" * 5000,
                     "a" * 100_000, "«\u00a0»", "\u202e" + "ltr", "𝕏" * 50, "e\u0301" * 200,
                     "Sommaire", "Table des matières", "Page de garde", "1.\t", "%PDF-", "PK\x03\x04"]


def random_text(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return rng.choice(_INTERESTING_TEXT)
    ranges = [(0x20, 0x7E), (0xA0, 0x17F), (0x300, 0x36F), (0x600, 0x6FF), (0x2000, 0x206F),
              (0x4E00, 0x4E80), (0x1F300, 0x1F64F), (0x9, 0xA)]
    out = []
    for _ in range(rng.choice([1, 5, 40, 300])):
        lo, hi = rng.choice(ranges)
        out.append(chr(rng.randint(lo, hi)))
    return _XML_BAD.sub("", "".join(out))


# --------------------------------------------------------------------------- mutations

_ODD_VALUES = ["", "-1", "0", "1", "999999999999999999999", "-2147483649", "1e309", "NaN", "abc",
               "true", "9" * 400, "../../etc/passwd", "rId999", "#", "%s%n", "\u00a0", "0x10"]


def _unzip(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(info, zf.read(info)) for info in zf.infolist()]


def _rezip(entries: list[tuple[zipfile.ZipInfo, bytes]]) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        warnings.simplefilter("ignore")  # duplicate names are one of the mutations
        for info, data in entries:
            zi = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            zf.writestr(zi, data)
    return buf.getvalue()


def _flip(data: bytes, rng: random.Random, n: int | None = None) -> bytes:
    if not data:
        return data
    b = bytearray(data)
    for _ in range(n or rng.randint(1, 8)):
        i = rng.randrange(len(b))
        b[i] = rng.choice([b[i] ^ (1 << rng.randrange(8)), rng.randrange(256), 0, 0xFF])
    return bytes(b)


class Mutator:
    """One random, format-aware mutation per call. ``describe`` says what it did."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    # -- zip formats
    def zip_mutation(self, data: bytes) -> tuple[bytes, str]:
        rng = self.rng
        op = rng.choices(
            ["xml", "xml", "xml", "xml", "entry_flip", "entry_truncate", "entry_delete",
             "entry_dup", "raw_flip", "raw_truncate"],
            k=1)[0]
        if op == "raw_flip":
            return _flip(data, rng), "raw_flip"
        if op == "raw_truncate":
            return data[: rng.randrange(len(data))], "raw_truncate"
        try:
            entries = _unzip(data)
        except Exception:
            return _flip(data, rng), "raw_flip(unzippable)"
        if not entries:
            return data, "noop"
        xml_idx = [i for i, (info, _d) in enumerate(entries)
                   if info.filename.endswith((".xml", ".rels"))] or list(range(len(entries)))
        i = rng.choice(xml_idx)
        info, part = entries[i]
        if op == "xml":
            new, what = self.xml_mutation(part)
            entries[i] = (info, new)
            return _rezip(entries), f"xml:{info.filename}:{what}"
        if op == "entry_flip":
            entries[i] = (info, _flip(part, rng))
        elif op == "entry_truncate":
            entries[i] = (info, part[: rng.randrange(len(part) + 1)])
        elif op == "entry_delete":
            del entries[i]
        elif op == "entry_dup":
            entries.insert(rng.randrange(len(entries) + 1), (info, _flip(part, rng, 2)))
        return _rezip(entries), f"{op}:{info.filename}"

    def xml_mutation(self, part: bytes) -> tuple[bytes, str]:
        from lxml import etree

        rng = self.rng
        try:
            root = etree.fromstring(part, etree.XMLParser(resolve_entities=False, no_network=True,
                                                          load_dtd=False))
        except Exception:
            return _flip(part, rng), "flip(unparsable)"
        elements = [el for el in root.iter() if isinstance(el.tag, str)]
        if len(elements) < 2:
            return _flip(part, rng), "flip(tiny)"
        el = rng.choice(elements[1:])
        parent = el.getparent()
        op = rng.choice(["delete", "duplicate", "move", "rename", "attr", "text", "text", "unwrap"])
        try:
            if op == "delete":
                parent.remove(el)
            elif op == "duplicate":
                idx = parent.index(el)
                for _ in range(rng.choice([1, 1, 2, 10, 200])):
                    parent.insert(idx, copy.deepcopy(el))
            elif op == "move":
                target = rng.choice(elements)
                target.insert(rng.randint(0, len(target)), el)
            elif op == "rename":
                el.tag = rng.choice(elements).tag
            elif op == "attr":
                if el.attrib:
                    key = rng.choice(list(el.attrib))
                    el.set(key, rng.choice(_ODD_VALUES))
                else:
                    other = rng.choice(elements)
                    if other.attrib:
                        key = rng.choice(list(other.attrib))
                        el.set(key, rng.choice(_ODD_VALUES + [other.get(key)]))
            elif op == "text":
                texts = [e for e in elements if e.text and e.text.strip()] or [el]
                rng.choice(texts).text = random_text(rng)
            elif op == "unwrap":
                idx = parent.index(el)
                parent.remove(el)
                for j, child in enumerate(list(el)):
                    parent.insert(idx + j, child)
        except (ValueError, TypeError) as exc:  # lxml refuses cycles and bad names
            return part, f"{op}(refused:{type(exc).__name__})"
        out = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        return out, f"{op}:{etree.QName(el).localname}"

    # -- PDF
    def pdf_mutation(self, data: bytes) -> tuple[bytes, str]:
        rng = self.rng
        op = rng.choice(["xref", "startxref", "stream", "stream", "length", "count", "ref", "ref",
                         "number", "name", "truncate", "raw_flip", "dup_object"])
        if op == "xref":
            m = list(re.finditer(rb"\d{10} \d{5} [nf]", data))
            if m:
                hit = rng.choice(m)
                new = b"%010d" % rng.choice([0, 1, len(data), len(data) * 2, rng.randrange(len(data))])
                return data[:hit.start()] + new + data[hit.start() + 10:], op
        if op == "startxref":
            m = list(re.finditer(rb"startxref\s+(\d+)", data))
            if m:
                hit = rng.choice(m)
                new = str(rng.choice([0, 9, len(data), rng.randrange(len(data)), 10**12])).encode()
                return data[:hit.start(1)] + new + data[hit.end(1):], op
        if op == "stream":
            spans = [(m.end(), data.find(b"endstream", m.end())) for m in re.finditer(rb"stream\r?\n", data)]
            spans = [(a, b) for a, b in spans if b > a]
            if spans:
                a, b = rng.choice(spans)
                inner = data[a:b]
                new = rng.choice([_flip(inner, rng), inner[: len(inner) // 2], inner * 2, b""])
                return data[:a] + new + data[b:], op
        if op in ("length", "count"):
            key = b"/Length" if op == "length" else b"/Count"
            m = list(re.finditer(re.escape(key) + rb"\s+(\d+)", data))
            if m:
                hit = rng.choice(m)
                new = str(rng.choice([0, -1, 1, 10**9, 2**63, rng.randrange(100_000)])).encode()
                return data[:hit.start(1)] + new + data[hit.end(1):], op
        if op == "ref":
            m = list(re.finditer(rb"(\d+) 0 R", data))
            if m:
                hit = rng.choice(m)
                objs = [int(x) for x in re.findall(rb"(\d+) 0 obj", data)] or [1]
                new = str(rng.choice(objs + [0, 99999, 2**31])).encode()
                return data[:hit.start(1)] + new + data[hit.end(1):], op
        if op == "number":
            m = list(re.finditer(rb"(?<=[\s\[])(-?\d+(?:\.\d+)?)(?=[\s\]/>])", data[:200_000]))
            if m:
                hit = rng.choice(m)
                new = rng.choice([b"0", b"-1", b"1e308", b"99999999999999999999", b"-0.0000001", b"NaN"])
                return data[:hit.start(1)] + new + data[hit.end(1):], op
        if op == "name":
            swaps = [(b"/Pages", b"/Page"), (b"/Page", b"/Pages"), (b"/Kids", b"/Kidz"),
                     (b"/FlateDecode", b"/LZWDecode"), (b"/Font", b"/XObject"), (b"/Root", b"/Info"),
                     (b"/Type", b"/Encrypt"), (b"/Contents", b"/Resources")]
            a, b = rng.choice(swaps)
            idxs = [m.start() for m in re.finditer(re.escape(a), data)]
            if idxs:
                i = rng.choice(idxs)
                return data[:i] + b + data[i + len(a):], op
        if op == "dup_object":
            m = list(re.finditer(rb"\d+ 0 obj.*?endobj", data, re.S))
            if m:
                hit = rng.choice(m)
                pos = rng.choice([x.end() for x in m])
                return data[:pos] + b"\n" + hit.group(0) + data[pos:], op
        if op == "truncate":
            return data[: rng.randrange(len(data))], op
        return _flip(data, rng), "raw_flip"

    def mutate(self, seed: Seed) -> tuple[bytes, list[str]]:
        data, what = seed.data, []
        for _ in range(self.rng.choice([1, 1, 1, 2, 3])):
            if seed.fmt == "pdf":
                data, w = self.pdf_mutation(data)
            else:
                data, w = self.zip_mutation(data)
            what.append(w)
        return data, what


# --------------------------------------------------------------------------- the property

class CaseTimeout(BaseException):
    """Raised by SIGALRM; a BaseException so a reader's ``except Exception`` cannot swallow it."""


def _alarm(_signum, _frame):
    raise CaseTimeout()


@dataclass
class CaseResult:
    outcome: str  # "document" or a problem code
    seconds: float
    failure: str | None = None  # None, "uncaught", "timeout", "memory", "hidden-crash", "bad-code"
    signature: str | None = None  # exception type and innermost project frame
    trace: str | None = None


def _signature(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if "dossier_check" in f.filename] or frames
    where = f"{Path(own[-1].filename).name}:{own[-1].lineno}" if own else "?"
    kind = type(exc)
    name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
    return f"{name}@{where}"


def check_case(data: bytes, filename: str, limits: Limits, timeout: float = FUZZ_TIMEOUT,
               reader=None) -> CaseResult:
    """Run ``read_document`` (or ``reader``) on one input and classify the result."""
    from dossier_check.readers import read_document

    reader = reader or read_document
    use_alarm = hasattr(signal, "SIGALRM") and threading_main()
    if use_alarm:
        old = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout)
    start = time.perf_counter()
    try:
        try:
            result = reader(data, filename, limits)
        finally:
            if use_alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
    except CaseTimeout:
        return CaseResult("timeout", time.perf_counter() - start, "timeout", "timeout")
    except ReadError as err:
        seconds = time.perf_counter() - start
        if err.code not in UNREADABLE_CODES:
            return CaseResult(err.code, seconds, "bad-code", f"code:{err.code}")
        if err.code == TOO_LARGE and "limit" not in err.detail:
            return CaseResult(err.code, seconds, "memory", "MemoryError")
        if err.code == CORRUPT_FILE and reader is read_document and _is_catch_all(err):
            return _hidden_crash(data, limits, seconds)
        return CaseResult(err.code, seconds)
    except MemoryError:
        return CaseResult("memory", time.perf_counter() - start, "memory", "MemoryError")
    except Exception as exc:  # the property is broken
        return CaseResult("uncaught", time.perf_counter() - start, "uncaught", _signature(exc),
                          traceback.format_exc(limit=12))
    finally:
        if use_alarm:
            signal.signal(signal.SIGALRM, old)
    seconds = time.perf_counter() - start
    if not isinstance(result, Document):
        return CaseResult("uncaught", seconds, "uncaught", f"returned:{type(result).__name__}")
    if seconds > timeout:
        return CaseResult("document", seconds, "timeout", "slow")
    return CaseResult("document", seconds)


def threading_main() -> bool:
    import threading
    return threading.current_thread() is threading.main_thread()


def _is_catch_all(err: ReadError) -> bool:
    # read_document turns any non-ReadError exception of a format reader into
    # corrupt-file with reason "TypeName: message".
    reason = str(err.detail.get("reason", ""))
    return err.message.startswith("Le fichier semble être") and bool(
        re.match(r"^[A-Za-z_][\w.]*: ", reason))


def _hidden_crash(data: bytes, limits: Limits, seconds: float) -> CaseResult:
    """Re-run the format reader alone to get the real exception behind corrupt-file."""
    from dossier_check import readers

    fmt = readers.detect_format(data)
    try:
        readers._reader(fmt).read(data, limits)
    except ReadError:
        return CaseResult(CORRUPT_FILE, seconds)
    except Exception as exc:
        return CaseResult(CORRUPT_FILE, seconds, "hidden-crash", _signature(exc),
                          traceback.format_exc(limit=12))
    return CaseResult(CORRUPT_FILE, seconds)


# --------------------------------------------------------------------------- the run

@dataclass
class Summary:
    cases: int = 0
    generated_cases: int = 0
    seconds: float = 0.0
    seeds: list = field(default_factory=list)
    outcomes: dict = field(default_factory=dict)
    failures: dict = field(default_factory=dict)  # kind -> count
    signatures: dict = field(default_factory=dict)  # signature -> {kind, count, saved}
    slowest_seconds: float = 0.0
    slowest_case: str = ""
    peak_rss_bytes: int | None = None
    memory_limit_bytes: int | None = None
    rng_seed: int = 0

    @property
    def breaches(self) -> int:
        return sum(v for k, v in self.failures.items() if k in ("uncaught", "timeout", "memory", "bad-code"))


def _save(save_dir: Path | None, data: bytes, ext: str, res: CaseResult, what: list[str],
          seed: str) -> str | None:
    if save_dir is None:
        return None
    save_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha1(data).hexdigest()[:12]
    path = save_dir / f"{digest}.{ext}"
    path.write_bytes(data)
    meta = {"failure": res.failure, "signature": res.signature, "outcome": res.outcome,
            "seed": seed, "mutations": what, "trace": (res.trace or "")[-3000:]}
    path.with_suffix(path.suffix + ".json").write_text(json.dumps(meta, indent=2, ensure_ascii=False))
    return path.name


def _vm_size() -> int:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _set_memory_limit(nbytes: int) -> int | None:
    """Cap this process's address space at what it uses now plus ``nbytes``."""
    try:
        import resource
        if sys.platform == "darwin":
            return None
        cap = _vm_size() + nbytes
        resource.setrlimit(resource.RLIMIT_AS, (cap, resource.getrlimit(resource.RLIMIT_AS)[1]))
        return cap
    except (ImportError, ValueError, OSError):
        return None


def _peak_rss() -> int | None:
    try:
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    except ImportError:
        return None


def generated_document(rng: random.Random, paragraphs: list[str]) -> tuple[bytes, str]:
    """A DOCX, ODT or PDF built from generated text."""
    fmt = rng.choice(["docx", "odt", "pdf"])
    if fmt == "docx":
        return docx_from_paragraphs(paragraphs), "docx"
    if fmt == "odt":
        return odt_from_paragraphs(paragraphs), "odt"
    return pdf_from_paragraphs(paragraphs or [""]), "pdf"


def run(seconds: float, *, rng_seed: int = 0, limits: Limits | None = None,
        save_dir: Path | None = None, samples: Path | None = ROOT / "samples",
        max_cases: int | None = None, timeout: float = FUZZ_TIMEOUT, reader=None,
        generated_share: float = 0.1, log=None) -> Summary:
    limits = limits or Limits()
    rng = random.Random(rng_seed)
    seeds = load_seeds(samples)
    mut = Mutator(rng)
    summary = Summary(seeds=[s.name for s in seeds], rng_seed=rng_seed)
    start = time.monotonic()
    while time.monotonic() - start < seconds and (max_cases is None or summary.cases < max_cases):
        if rng.random() < generated_share:
            paragraphs = [random_text(rng) for _ in range(rng.randint(0, 12))]
            try:
                data, ext = generated_document(rng, paragraphs)
            except Exception:  # the builder refused the text (python-docx, reportlab)
                continue
            seed_name, what = "generated", ["generated-text"]
            summary.generated_cases += 1
        else:
            fmt = rng.choice(sorted({s.fmt for s in seeds}))  # formats evenly, whatever samples/ holds
            seed = rng.choice([s for s in seeds if s.fmt == fmt])
            try:
                data, what = mut.mutate(seed)
            except Exception as exc:  # a mutator bug must not stop the run
                if log:
                    log(f"mutator error: {exc!r}")
                continue
            seed_name, ext = seed.name, seed.fmt
        res = check_case(data, f"fuzz.{ext}", limits, timeout, reader)
        summary.cases += 1
        summary.outcomes[res.outcome] = summary.outcomes.get(res.outcome, 0) + 1
        if res.seconds > summary.slowest_seconds:
            summary.slowest_seconds, summary.slowest_case = res.seconds, f"{seed_name} {what}"
        if res.failure:
            summary.failures[res.failure] = summary.failures.get(res.failure, 0) + 1
            sig = summary.signatures.setdefault(res.signature, {"kind": res.failure, "count": 0,
                                                               "saved": None})
            sig["count"] += 1
            if sig["saved"] is None:
                sig["saved"] = _save(save_dir, data, ext, res, what, seed_name)
                if log:
                    log(f"{res.failure}: {res.signature} ({seed_name} {what}) -> {sig['saved']}")
    summary.seconds = round(time.monotonic() - start, 1)
    summary.slowest_seconds = round(summary.slowest_seconds, 3)
    summary.peak_rss_bytes = _peak_rss()
    return summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Fuzz the document readers (issue 6).")
    ap.add_argument("--seconds", type=float, default=float(os.environ.get("FUZZ_SECONDS", 60)))
    ap.add_argument("--seed", type=int, default=int(os.environ.get("FUZZ_SEED", 0)))
    ap.add_argument("--max-cases", type=int)
    ap.add_argument("--save", type=Path, default=DEFAULT_SAVE,
                    help="where failing inputs are kept (default tests/corpus/fuzz)")
    ap.add_argument("--no-save", action="store_true")
    ap.add_argument("--timeout", type=float, default=FUZZ_TIMEOUT, help="per case, seconds")
    ap.add_argument("--memory-mb", type=int, default=FUZZ_MEMORY >> 20,
                    help="address space allowed on top of what the process uses at start "
                         "(RLIMIT_AS, POSIX)")
    ap.add_argument("--pipeline", action="store_true",
                    help="run the whole check pipeline (no LibreOffice) instead of read_document")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON on stdout")
    args = ap.parse_args(argv)

    reader = None
    if args.pipeline:
        reader = pipeline_reader()
        try:
            reader(b"", "warmup.docx", Limits())  # load the rule pack and language model once
        except ReadError:
            pass
    mem = _set_memory_limit(args.memory_mb << 20)
    log = (lambda m: print(m, file=sys.stderr, flush=True))
    summary = run(args.seconds, rng_seed=args.seed, save_dir=None if args.no_save else args.save,
                  timeout=args.timeout, reader=reader, log=log, max_cases=args.max_cases)
    summary.memory_limit_bytes = mem
    if args.json:
        print(json.dumps(asdict(summary), ensure_ascii=False))
    else:
        print(f"cases: {summary.cases} ({summary.generated_cases} generated) in {summary.seconds} s, "
              f"seeds: {len(summary.seeds)}")
        print(f"outcomes: {json.dumps(summary.outcomes, ensure_ascii=False)}")
        print(f"failures: {summary.failures or 'none'}")
        for sig, info in summary.signatures.items():
            print(f"  {info['kind']:13} {sig}  x{info['count']}  saved: {info['saved']}")
        print(f"slowest: {summary.slowest_seconds} s ({summary.slowest_case})")
        if summary.peak_rss_bytes:
            print(f"peak RSS: {summary.peak_rss_bytes >> 20} MiB (limit {args.memory_mb} MiB)")
    return 1 if summary.breaches else 0


def pipeline_reader():
    """A reader-shaped function that runs the whole check pipeline (LibreOffice off)
    and returns a Document when the file was read, raising its ReadError otherwise."""
    from dossier_check import pipeline
    from dossier_check.rulepack import builtin_packs

    pack = builtin_packs()["ntc"]

    def read(data: bytes, filename: str, limits: Limits):
        opts = pipeline.CheckOptions(soffice="none", limits=limits)
        report = pipeline.check([pipeline.InputFile(filename, data)], pack, None, opts)
        json.dumps(report, ensure_ascii=False)  # the report must serialise
        doc = report["documents"][0]
        unreadable = [p for p in doc["problems"] if p["code"] in UNREADABLE_CODES]
        if unreadable:
            p = unreadable[0]
            raise ReadError(p["code"], p["message"], **(p.get("detail") or {}))
        return Document(format=doc.get("format") or "?")

    return read


if __name__ == "__main__":
    sys.exit(main())
