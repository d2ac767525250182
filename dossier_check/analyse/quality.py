"""Quality of the content analysis on a labelled set (eval/labels.yaml, format in eval/README.md).

Missing elements are the positive class: precision = reported missing that are labelled missing,
recall = labelled missing that are reported missing. ``weak`` counts as « not missing » (the tool
flags it for a human look but does not say « manquant »)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..rulepack import builtin_packs
from .assign import AssignInput, assign
from .results import MISSING, PRESENT, WEAK
from .textdoc import blocks_from_text, counted_chars

_RANK = {MISSING: 0, WEAK: 1, PRESENT: 2}


@dataclass
class Quality:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    weak: int = 0
    elements: int = 0
    competence_ok: int = 0
    confident: int = 0  # right and confident
    documents: int = 0
    company_ok: int = 0
    company_total: int = 0
    false_missing: list[tuple[str, str]] = field(default_factory=list)  # (file, element): labelled present
    missed: list[tuple[str, str, str]] = field(default_factory=list)  # (file, element, status): labelled missing
    competence_errors: list[tuple[str, object, object]] = field(default_factory=list)
    unconfident: list[tuple[str, object, object]] = field(default_factory=list)
    company_errors: list[tuple[str, object, object]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def weak_share(self) -> float:
        return self.weak / self.elements if self.elements else 0.0

    @property
    def competence_accuracy(self) -> float:
        return self.competence_ok / self.documents if self.documents else 1.0

    @property
    def company_accuracy(self) -> float:
        return self.company_ok / self.company_total if self.company_total else 1.0


def _labelled_file(eval_dir: Path, name: str) -> Path:
    """A document's ``file``: relative to the directory of labels.yaml, or (eval/README.md:
    « path relative to eval/ ») to a parent of it, as in eval/heldout/ naming « heldout/x.txt »."""
    for base in (eval_dir, *eval_dir.parents[:2]):
        if (base / name).is_file():
            return base / name
    return eval_dir / name  # the error names the expected place


def label_files(eval_dir: str | Path) -> list[Path]:
    """``labels.yaml``, or the parts ``labels-*.yaml`` of a set written by several authors."""
    eval_dir = Path(eval_dir)
    if (eval_dir / "labels.yaml").is_file():
        return [eval_dir / "labels.yaml"]
    return sorted(eval_dir.glob("labels-*.yaml"))


def evaluate(eval_dir: str | Path, packs=None) -> Quality:
    from . import get_analyser

    eval_dir = Path(eval_dir)
    packs = packs or builtin_packs()
    docs = []
    for labels in label_files(eval_dir):
        docs.extend(yaml.safe_load(labels.read_text(encoding="utf-8"))["documents"])
    q = Quality()
    by_title: dict[str, list] = {}
    for d in docs:
        by_title.setdefault(d["title"], []).append(d)
    for title, ds in by_title.items():
        an = get_analyser(packs[title])
        items = []
        for d in ds:
            blocks = blocks_from_text(_labelled_file(eval_dir, d["file"]).read_text(encoding="utf-8"))
            items.append((blocks, counted_chars(blocks)))
        for d, fa in zip(ds, an.analyse_many(items)):
            comps = d["competence"] if isinstance(d["competence"], list) else [d["competence"]]
            # competence: the content's confident best guess; a merged file must be seen as merged
            q.documents += 1
            if len(comps) == 1:
                # what assign() gives a lone file whose name says nothing: the content's best guess
                (a,), _ = assign([AssignInput("document.docx", fa, None)], None, packs[title])
                ok = a.competence == comps[0]
                q.confident += ok and fa.confident
                got = a.competence if fa.confident else f"{a.competence} (not confident)"
            else:
                ok = set(comps) <= set(fa.merged)
                got = fa.merged or fa.best
            q.competence_ok += ok
            if ok and len(comps) == 1 and not fa.confident:
                q.unconfident.append((d["file"], comps[0], got))
            if not ok:
                q.competence_errors.append((d["file"], comps if len(comps) > 1 else comps[0], got))
            # elements: the best status over the file's competences
            status: dict[str, str] = {}
            for c in comps:
                for r in fa.elements[c]:
                    if r.id not in status or _RANK[r.status] > _RANK[status[r.id]]:
                        status[r.id] = r.status
            for eid, label in d["elements"].items():
                st = status.get(eid, MISSING)
                q.elements += 1
                q.weak += st == WEAK
                if label == "missing":
                    if st == MISSING:
                        q.tp += 1
                    else:
                        q.fn += 1
                        q.missed.append((d["file"], eid, st))
                else:
                    if st == MISSING:
                        q.fp += 1
                        q.false_missing.append((d["file"], eid))
                    else:
                        q.tn += 1
            if "company_experience" in d:
                q.company_total += 1
                if fa.company_experience is d["company_experience"]:
                    q.company_ok += 1
                else:
                    q.company_errors.append((d["file"], d["company_experience"], fa.company_experience))
    return q


def report(q: Quality, verbose: bool = False) -> str:
    lines = [
        f"documents: {q.documents}   elements: {q.elements} "
        f"(labelled missing: {q.tp + q.fn}, labelled present: {q.fp + q.tn})",
        f"missing elements (positive class): precision {q.precision:.3f}  recall {q.recall:.3f}  "
        f"F1 {q.f1:.3f}   (TP {q.tp}, FP {q.fp}, FN {q.fn}, TN {q.tn})",
        f"share of elements judged weak: {q.weak_share:.1%} ({q.weak}/{q.elements})",
        f"competence accuracy: {q.competence_accuracy:.1%} ({q.competence_ok}/{q.documents}; "
        f"{q.confident} of them confident; a merged file counts when all its competences are found)",
        f"company experience accuracy: {q.company_accuracy:.1%} ({q.company_ok}/{q.company_total})",
        f"present elements reported missing: {len(q.false_missing)}",
    ]
    if verbose or q.false_missing:
        for f, e in q.false_missing:
            lines.append(f"  reported missing but present: {f} {e}")
    if verbose:
        for f, e, st in q.missed:
            lines.append(f"  labelled missing, reported {st}: {f} {e}")
        for f, want, got in q.competence_errors + q.unconfident:
            lines.append(f"  competence: {f} expected {want}, got {got}")
        for f, want, got in q.company_errors:
            lines.append(f"  company experience: {f} expected {want}, got {got}")
    return "\n".join(lines)


# ----- probe of clearly present elements (eval/probe/, see eval/README.md) -----------------------


@dataclass
class Probe:
    """How the detector judges short excerpts.

    ``expect: found`` excerpts hold one element clearly: every ``missing`` is a false « manquant »,
    the error the issue asks never to make. ``expect: missing`` excerpts (decoys) hold a section
    about the element that does not give it: there ``missing`` is what a jury would say."""
    counts: dict[str, int] = field(default_factory=lambda: {PRESENT: 0, WEAK: 0, MISSING: 0})
    missed: list[dict] = field(default_factory=list)  # clearly present, reported missing
    decoys: dict[str, int] = field(default_factory=lambda: {PRESENT: 0, WEAK: 0, MISSING: 0})
    decoy_found: list[dict] = field(default_factory=list)  # decoys reported present or weak

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def missing_share(self) -> float:
        return self.counts[MISSING] / self.total if self.total else 0.0

    @property
    def decoy_total(self) -> int:
        return sum(self.decoys.values())


def probe_files(probe_dir: str | Path, which: str) -> list[Path]:
    return sorted(Path(probe_dir).glob(f"{which}-*.yaml"))


def evaluate_probe(files, packs=None) -> Probe:
    """Each case: ``title``, ``competence``, ``element``, ``text`` (textdoc syntax) and
    ``expect``: ``found`` (clearly present) or ``missing`` (a decoy)."""
    from . import get_analyser

    packs = packs or builtin_packs()
    by_title: dict[str, list[dict]] = {}
    for f in files:
        for case in yaml.safe_load(Path(f).read_text(encoding="utf-8"))["cases"]:
            by_title.setdefault(case["title"], []).append({**case, "file": Path(f).name})
    out = Probe()
    for title, cases in by_title.items():
        items = [(b, counted_chars(b)) for b in (blocks_from_text(c["text"]) for c in cases)]
        for case, fa in zip(cases, get_analyser(packs[title]).analyse_many(items)):
            r = next(r for r in fa.elements[case["competence"]] if r.id == case["element"])
            if case.get("expect", "found") == "missing":
                out.decoys[r.status] += 1
                if r.status != MISSING:
                    out.decoy_found.append({**case, "score": r.score, "status": r.status})
                continue
            out.counts[r.status] += 1
            if r.status == MISSING:
                out.missed.append({**case, "score": r.score})
    return out


def probe_report(p: Probe, verbose: bool = False) -> str:
    lines = []
    if p.total:
        lines += [f"excerpts: {p.total} (each with one element clearly present)",
                  f"reported present: {p.counts[PRESENT]}   weak: {p.counts[WEAK]}   "
                  f"missing: {p.counts[MISSING]} ({p.missing_share:.1%}: false « manquant »)"]
    if p.decoy_total:
        n = p.decoy_total
        lines += [f"decoys: {n} (a section about the element that does not give it)",
                  f"reported missing: {p.decoys[MISSING]} ({p.decoys[MISSING] / n:.1%})   "
                  f"weak: {p.decoys[WEAK]} ({p.decoys[WEAK] / n:.1%})   "
                  f"present: {p.decoys[PRESENT]} ({p.decoys[PRESENT] / n:.1%})"]
    if verbose:
        for c in p.missed:
            lines.append(f"\n  {c['file']}: {c['title']} {c['competence']} {c['element']} (score {c['score']})")
            lines.extend("    " + line for line in c["text"].strip().splitlines())
        for c in p.decoy_found:
            lines.append(f"\n  decoy {c['status']}: {c['file']}: {c['title']} {c['competence']} {c['element']} "
                         f"[{c.get('kind', '?')}] (score {c['score']})")
            lines.extend("    " + line for line in c["text"].strip().splitlines())
    return "\n".join(lines)
