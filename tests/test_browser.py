"""End to end in a real browser: Debian's chromium, driven by Playwright, on the
upload page served on localhost. Uploads a sample, reads the verdict from the
page, compares it with the command line's, and takes a screenshot
(``DOSSIER_CHECK_SCREENSHOT_DIR``, default ``build/screenshots/web-report.png``)."""
from __future__ import annotations

import io
import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "samples" / "ntc" / "conforme"
SAMPLE_NAMES = ("ntc-veille.docx", "ntc-plan-actions.docx", "ntc-fidelisation.docx")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def _need_browser():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.skip("chromium is not installed")
    return pytest.importorskip("playwright.sync_api")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import uvicorn

    from dossier_check.web.app import WebSettings, create_app

    tmp = tmp_path_factory.mktemp("browser-web")
    app = create_app(WebSettings(workers=1, tmp_dir=str(tmp)))
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 60
    while not srv.started:
        assert time.time() < deadline
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=30)


def _samples(tmp_path: Path) -> list[Path]:
    """The sample NTC dossier (three DOCX) when samples/ is there, else one built document."""
    if all((SAMPLE_DIR / n).is_file() for n in SAMPLE_NAMES):
        out = []
        for n in SAMPLE_NAMES:
            dest = tmp_path / n
            dest.write_bytes((SAMPLE_DIR / n).read_bytes())
            out.append(dest)
        return out
    import docx

    d = docx.Document()
    for _ in range(12):
        d.add_paragraph("Mon objectif était de suivre les concurrents du secteur pendant trois semaines. " * 10)
    dest = tmp_path / "ntc-veille.docx"
    buf = io.BytesIO()
    d.save(buf)
    dest.write_bytes(buf.getvalue())
    return [dest]


def _cli_report(paths: list[Path]) -> dict:
    from dossier_check.pipeline import CheckOptions, InputFile, check
    from dossier_check.rulepack import all_packs

    return check([InputFile(p.name, p.read_bytes()) for p in paths], all_packs()["ntc"], "titre",
                 CheckOptions(sandbox=True))


def test_upload_a_sample_and_read_the_verdict(server, tmp_path):
    pw = _need_browser()
    samples = _samples(tmp_path)
    expected = _cli_report(samples)
    shots = Path(os.environ.get("DOSSIER_CHECK_SCREENSHOT_DIR") or ROOT / "build" / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    with pw.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900}, locale="fr-FR")
            page.goto(server + "/")
            # Sessions come from /api/v1/titles.
            page.wait_for_function("document.querySelectorAll('#session option').length > 1")
            page.get_by_label("Titre professionnel").select_option("ntc")
            page.get_by_label("Session").select_option("titre")
            page.set_input_files("#file-input", [str(p) for p in samples])
            assert page.locator("#file-list li").count() == len(samples)
            assert samples[0].name in page.locator("#file-list").inner_text()
            page.get_by_role("button", name="Vérifier").click()
            page.wait_for_selector("#result:not([hidden])", timeout=180_000)
            verdict = page.locator("#result .dossier-verdict").inner_text()
            cards = page.locator("#result article.doc")
            doc_verdicts = {cards.nth(i).locator("h3").inner_text(): cards.nth(i).locator(".verdict").inner_text()
                            for i in range(cards.count())}
            chars_text = cards.first.locator(".measure").nth(1).inner_text()
            status = page.locator("#status").inner_text()
            page.locator("#result details").first.evaluate("d => d.open = true")
            page.screenshot(path=str(shots / "web-report.png"), full_page=True)
            # The result took the focus, for screen readers and keyboard users.
            assert page.evaluate("document.activeElement.id") == "result"
        finally:
            browser.close()
    if expected["compliant"]:
        assert "Dossier conforme" in verdict and "non conforme" not in verdict
    else:
        assert "Dossier non conforme" in verdict
    assert len(doc_verdicts) == len(expected["documents"])
    for doc in expected["documents"]:
        shown = doc_verdicts[doc["file"]]
        assert ("Non conforme" in shown) == (not doc["compliant"])
        assert ("✔" if doc["compliant"] else "✘") in shown  # not colour alone
    first = expected["documents"][0]["characters"]["counted"]
    assert f"{first:,}".replace(",", "\u00a0") in chars_text.replace("\u202f", "\u00a0")
    assert "Vérification terminée" in status
    assert (shots / "web-report.png").stat().st_size > 10_000


def test_keyboard_only_reaches_every_control(server):
    pw = _need_browser()
    with pw.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page()
            page.goto(server + "/")
            page.wait_for_function("document.querySelectorAll('#session option').length > 1")
            seen = []
            for _ in range(12):
                page.keyboard.press("Tab")
                seen.append(page.evaluate("document.activeElement.id || document.activeElement.tagName"))
            for control in ("title", "session", "file-input", "strict", "submit"):
                assert control in seen, seen
            # Pressing « Vérifier » with no file says so in the live region, no reload.
            page.focus("#submit")
            page.keyboard.press("Enter")
            assert "Choisissez au moins un fichier" in page.locator("#status").inner_text()
            outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none"
        finally:
            browser.close()
