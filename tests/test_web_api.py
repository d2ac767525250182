"""The web API (dossier_check.web): upload, limits, bad files, titles, keeps nothing.

Most tests share one app with one check worker and no LibreOffice (page counts
estimated), so they stay fast; documents are built here with python-docx from
known text, so counts are exact.
"""
from __future__ import annotations

import asyncio
import io
import json
import os
import socket
import tempfile
import threading
import time
import zipfile

import pytest

docx = pytest.importorskip("docx")
from fastapi.testclient import TestClient  # noqa: E402

from dossier_check.limits import Limits  # noqa: E402
from dossier_check.pipeline import CheckOptions, InputFile, check  # noqa: E402
from dossier_check.rulepack import all_packs  # noqa: E402
from dossier_check.web.app import WebSettings, create_app  # noqa: E402
from dossier_check.web.upload import clean_filename  # noqa: E402
from docx_builder import ole2

PARA = "Mon objectif était de suivre les concurrents du secteur pendant trois semaines. "  # 80 chars
assert len(PARA) == 80
DOCX_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def make_docx(paragraphs: list[str]) -> bytes:
    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


GOOD = make_docx([PARA * 10] * 12)  # 12 paragraphs of 800 characters: 9 600 counted
SHORT = make_docx([PARA * 10] * 5)  # 4 000 characters: too few


OLE_DOC = ole2("WordDocument", "1Table")  # a legacy .doc
ENCRYPTED_DOCX = ole2("EncryptionInfo", "EncryptedPackage")  # a password-protected .docx
BROKEN_ZIP = b"PK\x03\x04" + b"\x00" * 200
TEXT = "Ceci n'est pas un document Word.\n".encode() * 20


def leftovers(directory) -> list[str]:
    """What requests left in the service's private temp dir. multiprocessing's own
    ``pymp-*`` directory (the reader sandbox's forkserver socket, alive as long as
    the worker) holds no data and is allowed; any other entry is a leak."""
    import stat

    out = []
    for root, dirs, files in os.walk(directory):
        rel = os.path.relpath(root, directory)
        in_pymp = rel.split(os.sep)[0].startswith("pymp-")
        for name in files:
            mode = os.lstat(os.path.join(root, name)).st_mode
            if not (in_pymp and stat.S_ISSOCK(mode)):
                out.append(os.path.join(rel, name))
        if rel == ".":
            out += [d for d in dirs if not d.startswith("pymp-")]
    return out


def _settings(tmp_dir, **kw) -> WebSettings:
    base = dict(workers=1, soffice="none", tmp_dir=str(tmp_dir), max_request_bytes=2_000_000, max_files=6,
                max_file_bytes=300_000, limits=Limits(timeout_seconds=30))
    base.update(kw)
    return WebSettings(**base)


@pytest.fixture(scope="module")
def tmp_parent(tmp_path_factory):
    return tmp_path_factory.mktemp("web-tmp")


@pytest.fixture(scope="module")
def client(tmp_parent):
    app = create_app(_settings(tmp_parent))
    with TestClient(app) as c:
        yield c
    # The service removed its private temporary directory when it stopped.
    assert list(tmp_parent.iterdir()) == []


def post(client, files, title="ntc", session="titre", **fields):
    data = {"title": title, **fields}
    if session is not None:
        data["session"] = session
    return client.post("/api/v1/check", data=data, files=files)


# --------------------------------------------------------------------------- titles, page, health

def test_titles_lists_sessions_documents_and_limits(client):
    r = client.get("/api/v1/titles")
    assert r.status_code == 200
    body = r.json()
    titles = {t["id"]: t for t in body["titles"]}
    assert set(titles) >= {"ntc", "cc"}
    ntc = {s["id"]: s for s in titles["ntc"]["sessions"]}
    assert [d["id"] for d in ntc["titre"]["documents"]] == ["veille", "plan-actions", "fidelisation"]
    assert ntc["ccp2"]["documents"] == [] and ntc["ccp2"]["no_production"]
    cc = {s["id"]: s for s in titles["cc"]["sessions"]}
    assert [d["id"] for d in cc["titre"]["documents"]] == ["veille", "plan-actions", "prospection-distance",
                                                         "fidelisation"]
    assert titles["ntc"]["code"] == "TP-00338" and titles["cc"]["code"] == "TP-00115"
    assert titles["ntc"]["pages"] == {"min": 3, "max": 8}
    assert titles["ntc"]["characters"] == {"min": 7000, "max": 12000}
    assert body["limits"]["max_files"] == 6 and body["limits"]["max_file_bytes"] == 300_000


def test_page_is_french_offline_and_labelled(client):
    r = client.get("/")
    assert r.status_code == 200
    html = r.text
    assert '<html lang="fr">' in html and "Vérifier" in html and "Confidentialité" in html
    assert "http://" not in html.replace("http://HÔTE", "") and "https://" not in html  # no CDN
    for control in ("title", "session", "file-input", "strict"):
        assert f'<label for="{control}"' in html
    assert 'aria-live="polite"' in html
    for asset in ("/static/app.js", "/static/style.css"):
        a = client.get(asset)
        assert a.status_code == 200 and "https://" not in a.text
    assert "default-src 'self'" in r.headers["content-security-policy"]


def test_healthz(client):
    deadline = time.time() + 60
    while not client.get("/healthz").json()["ready"]:
        assert time.time() < deadline, "workers never became ready"
        time.sleep(0.1)
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok" and r.json()["workers"] == 1


def test_openapi_describes_the_multipart_upload(client):
    spec = client.get("/openapi.json").json()
    post_ = spec["paths"]["/api/v1/check"]["post"]
    schema = post_["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert schema["properties"]["title"]["enum"] == ["cc", "ntc"]
    assert schema["properties"]["files"]["items"]["format"] == "binary"
    assert schema["properties"]["files"]["maxItems"] == 6
    assert "doc.veille" in schema["description"]
    assert {"200", "413", "422"} <= set(post_["responses"])
    assert "/api/v1/titles" in spec["paths"] and "/healthz" in spec["paths"]


# --------------------------------------------------------------------------- checks

def test_check_returns_report_v1_same_as_the_command_line(client):
    r = post(client, [("files", ("veille.docx", GOOD, DOCX_CT))])
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["schema"] == "dossier-check/report/v1"
    assert report["title"] == "ntc" and report["session"] == "titre"
    assert report["referentiel"]["code"] == "TP-00338"
    doc = report["documents"][0]
    assert doc["file"] == "veille.docx"
    assert doc["characters"]["counted"] == 9600
    assert doc["characters"]["ok"] is True
    # The CLI path, in process, with the same options: the same report.
    cli = check([InputFile("veille.docx", GOOD)], all_packs()["ntc"], "titre", CheckOptions(soffice="none"))
    assert json.loads(json.dumps(cli)) == report


def test_document_mode_and_user_competence(client):
    r = post(client, [("doc.fidelisation", ("mon-document.docx", SHORT, DOCX_CT))], session=None)
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["session"] is None
    doc = report["documents"][0]
    assert doc["competence"] == "fidelisation" and doc["competence_source"] == "user"
    assert doc["characters"]["counted"] == 4000
    assert "chars-too-few" in [p["code"] for p in doc["problems"]]
    assert report["compliant"] is False


def test_bad_files_each_get_their_code_and_the_others_are_checked(client):
    files = [
        ("files", ("ancien.doc", OLE_DOC, "application/msword")),
        ("files", ("casse.docx", BROKEN_ZIP, DOCX_CT)),
        ("files", ("notes.txt", TEXT, "text/plain")),
        ("files", ("secret.docx", ENCRYPTED_DOCX, DOCX_CT)),
        ("files", ("vide.pdf", b"", "application/pdf")),
        ("files", ("veille.docx", GOOD, DOCX_CT)),
    ]
    r = post(client, files, session=None)
    assert r.status_code == 200, r.text
    docs = {d["file"]: d for d in r.json()["documents"]}
    codes = {name: [p["code"] for p in d["problems"] if p["severity"] == "error"] for name, d in docs.items()}
    assert codes["ancien.doc"] == ["legacy-doc"]
    assert codes["casse.docx"] == ["corrupt-file"]
    assert codes["notes.txt"] == ["unsupported-format"]
    assert codes["secret.docx"] == ["encrypted"]
    assert codes["vide.pdf"] == ["corrupt-file"]
    assert docs["veille.docx"]["characters"]["counted"] == 9600
    for name in ("ancien.doc", "casse.docx", "notes.txt", "secret.docx", "vide.pdf"):
        assert docs[name]["pages"] is None and docs[name]["characters"] is None
        assert docs[name]["compliant"] is False


def test_file_over_the_per_file_limit_is_too_large_in_the_report(client):
    big = b"PK\x03\x04" + os.urandom(310_000)
    r = post(client, [("files", ("photos.docx", big, DOCX_CT)), ("files", ("veille.docx", GOOD, DOCX_CT))],
             session=None)
    assert r.status_code == 200, r.text
    docs = {d["file"]: d for d in r.json()["documents"]}
    problems = docs["photos.docx"]["problems"]
    assert [p["code"] for p in problems] == ["too-large"]
    assert "Mo" in problems[0]["message"] or "Ko" in problems[0]["message"]
    assert docs["veille.docx"]["characters"]["counted"] == 9600


def test_client_file_names_are_display_only(client):
    r = post(client, [("files", ("../../etc/passwd.docx", GOOD, DOCX_CT))], session=None)
    assert r.status_code == 200
    assert r.json()["documents"][0]["file"] == "passwd.docx"
    assert clean_filename("C:\\fakepath\\Veille finale.docx") == "Veille finale.docx"
    assert clean_filename("..") == "fichier"
    assert clean_filename("veille\x07\x00.docx") == "veille.docx"
    assert len(clean_filename("a" * 1000 + ".docx")) <= 201


# --------------------------------------------------------------------------- 422

@pytest.mark.parametrize("fields, code, allowed", [
    ({"title": "bts"}, "unknown-title", ["cc", "ntc"]),
    ({"title": ""}, "unknown-title", ["cc", "ntc"]),
    ({"title": "ntc", "session": "ccp9"}, "unknown-session", ["titre", "ccp1", "ccp2"]),
])
def test_unknown_title_or_session_is_422_with_allowed_values(client, fields, code, allowed):
    r = client.post("/api/v1/check", data=fields, files=[("files", ("v.docx", GOOD, DOCX_CT))])
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == code and body["detail"]["allowed"] == allowed
    assert body["severity"] == "error" and "\u00a0:" in body["message"]
    for value in allowed:
        assert f"«\u00a0{value}\u00a0»" in body["message"]


def test_unknown_competence_and_no_file_are_422(client):
    r = post(client, [("doc.prospection-distance", ("p.docx", GOOD, DOCX_CT))])  # cc only
    assert r.status_code == 422 and r.json()["code"] == "unknown-competence"
    assert r.json()["detail"]["allowed"] == ["veille", "plan-actions", "fidelisation"]
    # A file input left empty (what a browser sends: no name, no byte) is no file.
    body = (b'--b0undary\r\nContent-Disposition: form-data; name="title"\r\n\r\nntc\r\n'
            b'--b0undary\r\nContent-Disposition: form-data; name="files"; filename=""\r\n'
            b'Content-Type: application/octet-stream\r\n\r\n\r\n--b0undary--\r\n')
    r = client.post("/api/v1/check", content=body,
                    headers={"content-type": "multipart/form-data; boundary=b0undary"})
    assert r.status_code == 422 and r.json()["code"] == "no-file"
    r = post(client, [("other", ("a.docx", GOOD, DOCX_CT))])
    assert r.status_code == 422 and r.json()["code"] == "unknown-field"


def test_not_multipart_is_400(client):
    r = client.post("/api/v1/check", content=b'{"title": "ntc"}', headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["code"] == "bad-request"


# --------------------------------------------------------------------------- request limits

def test_announced_length_over_the_limit_is_413_before_reading(client):
    # At the ASGI level: the app must answer without calling receive() even once.
    app = client.app
    calls = []
    sent = []

    async def receive():
        calls.append(1)
        return {"type": "http.request", "body": b"x" * 65536, "more_body": True}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": "/api/v1/check", "raw_path": b"/api/v1/check", "query_string": b"",
             "root_path": "", "client": ("127.0.0.1", 1), "server": ("testserver", 80),
             "headers": [(b"content-type", b"multipart/form-data; boundary=xyz"),
                         (b"content-length", b"5000000000")]}
    asyncio.run(app(scope, receive, send))
    assert calls == []
    assert sent[0]["status"] == 413
    body = json.loads(b"".join(m.get("body", b"") for m in sent[1:]))
    assert body["code"] == "request-too-large" and body["detail"]["limit"] == "max_request_bytes"
    assert body["message"].startswith("L'envoi dépasse la limite «\u00a0taille maximale")
    assert "1,9\u00a0Mo" in body["message"]


def _chunks(total: int, size: int = 65536):
    boundary = b"b0undary"
    yield b"--" + boundary + b'\r\nContent-Disposition: form-data; name="title"\r\n\r\nntc\r\n'
    yield b"--" + boundary + b'\r\nContent-Disposition: form-data; name="files"; filename="a.docx"\r\n\r\n'
    sent = 0
    while sent < total:
        yield b"\0" * size
        sent += size


def test_lying_content_length_is_cut_at_the_limit(client):
    app = client.app
    consumed = []
    gen = _chunks(20_000_000)

    async def receive():
        chunk = next(gen)
        consumed.append(len(chunk))
        return {"type": "http.request", "body": chunk, "more_body": True}

    sent = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": "/api/v1/check", "raw_path": b"/api/v1/check", "query_string": b"",
             "root_path": "", "client": ("127.0.0.1", 1), "server": ("testserver", 80),
             "headers": [(b"content-type", b"multipart/form-data; boundary=b0undary"),
                         (b"content-length", b"1000")]}  # a lie: 20 MB follow
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 413
    # Reading stopped at the 2 MB limit, not at the 20 MB the client would send.
    assert 2_000_000 < sum(consumed) <= 2_000_000 + 65536 + 200


def test_chunked_body_over_the_limit_is_413(client):
    r = client.post("/api/v1/check", content=_chunks(3_000_000),
                    headers={"content-type": "multipart/form-data; boundary=b0undary"})
    assert r.status_code == 413
    assert r.json()["code"] == "request-too-large"


def test_too_many_files_is_413(client):
    files = [("files", (f"f{i}.docx", b"PK", DOCX_CT)) for i in range(7)]
    r = post(client, files)
    assert r.status_code == 413
    body = r.json()
    assert body["code"] == "too-many-files" and body["detail"] == {"limit": "max_files", "value": 6}
    assert "nombre maximal de fichiers" in body["message"]


# --------------------------------------------------------------------------- keeps nothing

def test_upload_path_creates_no_temporary_file(client, monkeypatch):
    """Starlette's form parser would spool parts over 1 MB to a temporary file:
    ours must not create any, for a good request or a failing one."""
    created = []
    for name in ("TemporaryFile", "NamedTemporaryFile", "SpooledTemporaryFile", "mkstemp", "mkdtemp"):
        real = getattr(tempfile, name)

        def spy(*a, _real=real, _name=name, **k):
            created.append(_name)
            return _real(*a, **k)
        monkeypatch.setattr(tempfile, name, spy)
    big_but_allowed = make_docx([PARA * 10] * 12 + ["x" * 200_000])  # > 200 KB part
    r = post(client, [("files", ("gros.docx", big_but_allowed, DOCX_CT))], session=None)
    assert r.status_code == 200
    r = client.post("/api/v1/check", content=_chunks(3_000_000),
                    headers={"content-type": "multipart/form-data; boundary=b0undary"})
    assert r.status_code == 413
    assert created == []


def test_nothing_left_in_the_service_temp_dir(client, tmp_parent):
    (private,) = list(tmp_parent.iterdir())
    post(client, [("files", ("v.docx", GOOD, DOCX_CT)), ("files", ("c.docx", BROKEN_ZIP, DOCX_CT))])
    client.post("/api/v1/check", content=_chunks(3_000_000),
                headers={"content-type": "multipart/form-data; boundary=b0undary"})
    assert leftovers(private) == []


# --------------------------------------------------------------------------- real server

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Server:
    def __init__(self, app):
        import uvicorn

        self.port = _free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.time() + 60
        while not self.server.started:
            assert time.time() < deadline, "server did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=30)


def _response_head(sock) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("web-live")
    app = create_app(_settings(tmp))
    with _Server(app) as srv:
        yield srv, tmp
    assert list(tmp.iterdir()) == []


def test_real_server_refuses_announced_length_without_the_body(live):
    srv, _tmp = live
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
        s.sendall(b"POST /api/v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                  b"Content-Length: 9000000000\r\nExpect: 100-continue\r\n\r\n")
        head = _response_head(s)  # no body byte sent
    assert head.startswith(b"HTTP/1.1 413")
    assert b"100 Continue" not in head


def test_real_server_cuts_a_chunked_upload_at_the_limit(live):
    srv, _tmp = live
    sent = 0
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
        s.sendall(b"POST /api/v1/check HTTP/1.1\r\nHost: x\r\n"
                  b"Content-Type: multipart/form-data; boundary=b0undary\r\nTransfer-Encoding: chunked\r\n\r\n")
        s.settimeout(0.001)
        head = b""
        try:
            for chunk in _chunks(50_000_000, 16384):
                s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
                try:
                    head += s.recv(4096)
                except (socket.timeout, BlockingIOError):
                    continue
                if head:
                    break
        except (BrokenPipeError, ConnectionResetError):
            pass
        s.settimeout(10)
        if b"\r\n\r\n" not in head:
            head += _response_head(s)
    assert head.startswith(b"HTTP/1.1 413"), head[:200]
    assert sent < 10_000_000  # stopped near the 2 MB limit, far from the 50 MB offered


def test_client_disconnect_mid_upload_leaves_nothing(live):
    srv, tmp = live
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
        s.sendall(b"POST /api/v1/check HTTP/1.1\r\nHost: x\r\n"
                  b"Content-Type: multipart/form-data; boundary=b0undary\r\nContent-Length: 1500000\r\n\r\n")
        for chunk in _chunks(400_000):
            s.sendall(chunk)
    # The service still answers, and its temporary directory is empty.
    import httpx

    deadline = time.time() + 5
    while time.time() < deadline:
        r = httpx.get(f"http://127.0.0.1:{srv.port}/healthz", timeout=5)
        if r.json()["checks_in_progress"] == 0:
            break
    assert r.status_code == 200
    (private,) = list(tmp.iterdir())
    assert leftovers(private) == []


def test_healthz_answers_while_checks_run(live):
    import httpx

    srv, _tmp = live
    url = f"http://127.0.0.1:{srv.port}"
    results = []

    def upload():
        with httpx.Client(timeout=60) as c:
            results.append(c.post(f"{url}/api/v1/check", data={"title": "ntc", "session": "titre"},
                                  files=[("files", ("v.docx", GOOD, DOCX_CT))] * 3).status_code)

    threads = [threading.Thread(target=upload) for _ in range(3)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    latencies = []
    busy_seen = False
    with httpx.Client(timeout=10) as c:
        while any(t.is_alive() for t in threads):
            t0 = time.perf_counter()
            r = c.get(f"{url}/healthz")
            latencies.append(time.perf_counter() - t0)
            busy_seen |= r.json()["checks_in_progress"] > 0
            time.sleep(0.05)
    for t in threads:
        t.join()
    assert results == [200, 200, 200]
    assert busy_seen
    assert max(latencies) < 0.5, latencies


# --------------------------------------------------------------------------- timeouts, busy, command

def slow_job(title, session, files, strict):
    """In the worker: a file named slow.docx makes the check hang; others are checked."""
    from dossier_check.web.workers import run_check

    if any(f.name == "slow.docx" for f in files):
        time.sleep(60)
    return run_check(title, session, files, strict)


def test_check_over_its_time_limit_is_504_and_the_service_recovers(tmp_path):
    settings = _settings(tmp_path, job=f"{__name__}:slow_job", check_timeout=4, analysis=False, max_pending=1)
    app = create_app(settings)
    with TestClient(app) as c:
        t0 = time.perf_counter()
        results = {}

        def first():
            results["first"] = post(c, [("files", ("slow.docx", GOOD, DOCX_CT))])

        th = threading.Thread(target=first)
        th.start()
        deadline = time.time() + 10
        while c.get("/healthz").json()["checks_in_progress"] == 0:
            assert time.time() < deadline
            time.sleep(0.02)
        # One check pending is the limit here: the next upload is told to come back.
        busy = post(c, [("files", ("v.docx", GOOD, DOCX_CT))])
        th.join()
        r = results["first"]
        assert r.status_code == 504 and r.json()["code"] == "check-timeout"
        assert time.perf_counter() - t0 < 20
        assert busy.status_code == 503 and busy.json()["code"] == "busy"
        assert busy.headers["retry-after"] == "30"
        # The killed worker was replaced: the service still checks.
        ok = post(c, [("files", ("v.docx", GOOD, DOCX_CT))])
        assert ok.status_code == 200 and ok.json()["documents"][0]["characters"]["counted"] == 9600
    assert list(tmp_path.iterdir()) == []


def test_serve_command_options_and_bad_size():
    from click.testing import CliRunner

    from dossier_check.cli import cli

    runner = CliRunner()
    r = runner.invoke(cli, ["serve", "--help"])
    assert r.exit_code == 0
    for opt in ("--host", "--port", "--workers", "--max-request-size", "--max-file-size", "--max-files"):
        assert opt in r.output
    r = runner.invoke(cli, ["serve", "--max-request-size", "beaucoup"])
    assert r.exit_code == 2 and "Taille invalide" in r.output


def test_client_leaving_during_a_check_frees_its_slot(tmp_path):
    import httpx

    app = create_app(_settings(tmp_path, job=f"{__name__}:slow_job", analysis=False))
    boundary = b"b0undary"
    body = (b"--" + boundary + b'\r\nContent-Disposition: form-data; name="title"\r\n\r\nntc\r\n'
            b"--" + boundary + b'\r\nContent-Disposition: form-data; name="files"; filename="slow.docx"\r\n\r\n'
            + GOOD + b"\r\n--" + boundary + b"--\r\n")
    with _Server(app) as srv:
        url = f"http://127.0.0.1:{srv.port}/healthz"
        with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as s:
            s.sendall(b"POST /api/v1/check HTTP/1.1\r\nHost: x\r\n"
                      b"Content-Type: multipart/form-data; boundary=b0undary\r\n"
                      b"Content-Length: %d\r\n\r\n" % len(body) + body)
            deadline = time.time() + 10
            while httpx.get(url).json()["checks_in_progress"] == 0:
                assert time.time() < deadline
                time.sleep(0.02)
        # The client is gone: its request stops counting at once, not after the 60 s check.
        deadline = time.time() + 5
        while httpx.get(url).json()["checks_in_progress"] != 0:
            assert time.time() < deadline, "the request of a client that left is still counted"
            time.sleep(0.05)
    assert list(tmp_path.iterdir()) == []


def test_settings_from_environment():
    s = WebSettings.from_env({"DOSSIER_CHECK_WEB_MAX_REQUEST_BYTES": "200M", "DOSSIER_CHECK_WEB_WORKERS": "3",
                              "DOSSIER_CHECK_WEB_MAX_FILES": "8", "DOSSIER_CHECK_WEB_SOFFICE": "none"})
    assert (s.max_request_bytes, s.workers, s.max_files, s.soffice) == (200 * 1024 * 1024, 3, 8, "none")
    assert s.file_limit == s.limits.max_file_bytes  # the readers' limit unless set
    assert WebSettings.from_env({}, max_files=2).max_files == 2
    with pytest.raises(ValueError, match="Taille invalide"):
        WebSettings.from_env({"DOSSIER_CHECK_WEB_MAX_FILE_BYTES": "grand"})
