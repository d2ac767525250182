"""Severities, messages and verdicts of the length rule (report-v1.md)."""
from dossier_check.judge import build_report, judge_characters, judge_pages
from dossier_check.pipeline import CheckOptions, FileResult
from dossier_check.rulepack import builtin_packs

from contract import assert_report_v1

NTC = builtin_packs()["ntc"]


def pages(counted, source="layout", total=None):
    total = counted + 2 if total is None else total
    return {"total": total, "counted": counted, "excluded": [{"page": 1, "reason": "cover"},
                                                             {"page": 2, "reason": "toc"}][: total - counted],
            "source": source}


def chars(counted):
    return {"counted": counted, "total": counted + 300, "stored": None,
            "breakdown": {"body": counted, "tables": 0, "text_boxes": 0, "notes": 0,
                          "excluded": {"cover": 100, "toc": 200, "headers_footers": 0}}}


def result(name="veille.docx", p=None, c=9000, **kw):
    return FileResult(name=name, format="docx", pages=p or pages(5), characters=chars(c), **kw)


def codes(problems):
    return [(p.code, p.severity) for p in problems]


def test_bounds_are_inclusive():
    for n in (7000, 12000):
        block, problems = judge_characters(chars(n), NTC)
        assert block["ok"] and problems == []
    for n in (3, 8):
        block, problems, _ = judge_pages(pages(n, "pdf"), NTC)
        assert block["ok"] and problems == []


def test_too_many_characters_says_how_many_to_remove():
    block, problems = judge_characters(chars(13240), NTC)
    assert not block["ok"]
    (p,) = problems
    assert (p.code, p.severity, p.detail) == ("chars-too-many", "error", {"excess": 1240})
    assert "Retirez environ 1\u202f240\u00a0caractères" in p.message


def test_too_few_characters_says_how_many_are_missing():
    (p,) = judge_characters(chars(6150), NTC)[1]
    assert (p.code, p.detail) == ("chars-too-few", {"missing": 850})
    assert p.message.startswith("Il manque 850\u00a0caractères")


def test_page_severity_depends_on_the_source():
    assert codes(judge_pages(pages(9, "layout"), NTC)[1])[0] == ("pages-too-many", "error")
    assert codes(judge_pages(pages(10, "pdf"), NTC)[1]) == [("pages-too-many", "error")]
    assert codes(judge_pages(pages(12, "estimate"), NTC)[1]) == [("pages-too-many", "warning")]
    # metadata within one page of a limit: a warning; far from it: an error
    assert codes(judge_pages(pages(9, "metadata"), NTC)[1])[0] == ("pages-too-many", "warning")
    assert codes(judge_pages(pages(11, "metadata"), NTC)[1]) == [("pages-too-many", "error")]


def test_borderline_when_not_from_a_pdf():
    _, problems, borderline = judge_pages(pages(8, "layout"), NTC)
    assert borderline and codes(problems) == [("pages-borderline", "warning")]
    assert "Exportez votre document en PDF" in problems[0].message
    _, problems, borderline = judge_pages(pages(8, "pdf"), NTC)
    assert not borderline and problems == []


def test_unreadable_file_is_not_compliant_and_others_still_reported():
    bad = FileResult(name="scan.pdf", format=None,
                     error={"code": "no-text", "message": "Le PDF semble scanné.", "detail": {}})
    r = build_report(NTC, None, [bad, result(c=9000)], CheckOptions(analysis=False))
    assert_report_v1(r)
    assert [d["compliant"] for d in r["documents"]] == [False, True]
    assert r["documents"][0]["pages"] is None
    assert r["documents"][0]["problems"][0]["code"] == "no-text"
    assert r["compliant"] is False


def test_session_without_production_reports_every_file_unexpected():
    r = build_report(NTC, "ccp2", [result()], CheckOptions())
    assert_report_v1(r)
    assert r["compliant"] is False
    (p,) = r["dossier"]["problems"]
    assert p["code"] == "unexpected-document"
    assert "pas de production" in p["message"]


def test_tracked_changes_and_comments_warn_without_failing():
    r = build_report(NTC, None, [result(tracked_changes=3, comments=1)], CheckOptions())
    d = r["documents"][0]
    assert {p["code"] for p in d["problems"]} == {"tracked-changes", "comments", "pages-borderline"} - {"pages-borderline"} | (
        {"pages-borderline"} if d["pages"]["borderline"] else set())
    assert d["compliant"] is True
