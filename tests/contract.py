"""Checks a report against the report-v1 contract (../shared/spec/report-v1.md).
Shared by the CLI, batch and web tests."""
from __future__ import annotations

CODES = {
    "pages-too-few", "pages-too-many", "chars-too-few", "chars-too-many", "element-missing",
    "unsupported-format", "legacy-doc", "corrupt-file", "encrypted", "no-text", "too-large", "timeout",
    "competence-mismatch", "document-missing", "document-duplicate", "unexpected-document",
    "experience-entreprise",
    # this tool's additional warning codes
    "pages-borderline", "tracked-changes", "comments", "layout-fallback", "merged-documents",
}


def _problem(p):
    assert set(p) >= {"code", "severity", "message", "detail"}, p
    assert p["code"] in CODES, p["code"]
    assert p["severity"] in ("error", "warning")
    assert isinstance(p["message"], str) and p["message"]
    assert isinstance(p["detail"], dict)


def assert_report_v1(r: dict) -> None:
    assert r["schema"] == "dossier-check/report/v1"
    assert isinstance(r["tool_version"], str)
    assert r["title"] in ("ntc", "cc") or isinstance(r["title"], str)
    assert r["session"] is None or isinstance(r["session"], str)
    assert set(r["referentiel"]) >= {"code", "millesime", "name"}
    assert isinstance(r["compliant"], bool)
    for d in r["documents"]:
        assert set(d) >= {"file", "format", "competence", "competence_source", "compliant", "pages",
                          "characters", "elements", "company_experience", "problems"}
        assert d["format"] in ("docx", "odt", "pdf", None)
        assert d["competence_source"] in ("content", "filename", "user", None)
        assert isinstance(d["compliant"], bool)
        if d["pages"] is not None:
            pg = d["pages"]
            assert set(pg) >= {"total", "counted", "excluded", "source", "min", "max", "ok"}
            assert pg["source"] in ("pdf", "layout", "metadata", "estimate")
            for e in pg["excluded"]:
                assert e["reason"] in ("cover", "toc") and isinstance(e["page"], int)
            assert pg["counted"] == pg["total"] - len(pg["excluded"])
            assert pg["ok"] == (pg["min"] <= pg["counted"] <= pg["max"])
            ch = d["characters"]
            assert set(ch) >= {"counted", "total", "stored", "breakdown", "min", "max", "ok"}
            b = ch["breakdown"]
            assert set(b) >= {"body", "tables", "text_boxes", "notes", "excluded"}
            assert set(b["excluded"]) >= {"cover", "toc", "headers_footers"}
            assert b["body"] + b["tables"] + b["text_boxes"] + b["notes"] == ch["counted"]
            assert ch["ok"] == (ch["min"] <= ch["counted"] <= ch["max"])
            assert ch["stored"] is None or set(ch["stored"]) >= {"value", "application"}
        else:
            assert d["characters"] is None
        for e in d["elements"]:
            assert set(e) >= {"id", "label", "status", "evidence"}
            assert e["status"] in ("present", "weak", "missing")
        assert d["company_experience"] in (True, False, None)
        for p in d["problems"]:
            _problem(p)
        assert d["compliant"] == (not any(p["severity"] == "error" for p in d["problems"]))
    dos = r["dossier"]
    assert set(dos) >= {"expected", "missing", "duplicates", "problems"}
    for p in dos["problems"]:
        _problem(p)
    assert r["compliant"] == (all(d["compliant"] for d in r["documents"]) and bool(r["documents"])
                              and not any(p["severity"] == "error" for p in dos["problems"]))
