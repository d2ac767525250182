"""Rule packs: load, validate and query the YAML packs in ``rules/``.

A pack describes one titre professionnel: its sessions and the documents each
expects, the length limits, and for each competence its required elements
(ids, labels, the référentiel sentence, advice and detection patterns). The
format is documented in ``rules/README.md``. Validation errors name the file,
the line and the fault, in French, so that a trainer writing a pack can fix it.
"""
from __future__ import annotations

import hashlib
import importlib.resources
from dataclasses import dataclass, field
from pathlib import Path

import yaml

SCHEMA = "dossier-check/rules/v1"


class RulePackError(Exception):
    """A pack that cannot be used; the message is French and names file and line."""


class _LineDict(dict):
    """A dict that remembers the line of each key (1-based)."""

    line: int = 0
    key_lines: dict


# libyaml's parser when available (the packs carry many patterns: 5x faster to load).
class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    pass


def _construct_mapping(loader, node, deep=False):
    loader.flatten_mapping(node)
    out = _LineDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise RulePackError(f"ligne {key_node.start_mark.line + 1} : clé « {key} » en double")
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass(frozen=True)
class Element:
    id: str
    label: str
    advice: str
    source: str  # the référentiel sentence it comes from
    detect: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Competence:
    id: str
    name: str
    source: str
    elements: tuple[Element, ...]  # common + own, each id once, common first
    filename_hints: tuple[str, ...] = ()
    brief_elements: tuple[str, ...] = ()
    detect: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Session:
    id: str
    name: str
    documents: tuple[str, ...]
    no_production: str | None = None
    company_experience_min: int | None = None  # dossier level: at least N documents
    company_experience_per_document: bool = False
    company_experience_source: str | None = None


@dataclass(frozen=True)
class Bounds:
    min: int
    max: int


@dataclass(frozen=True)
class RulePack:
    id: str
    name: str
    code: str
    millesime: str
    length_source: str
    pages: Bounds
    characters: Bounds
    sessions: dict[str, Session]
    competences: dict[str, Competence]
    path: str
    sha256: str
    raw: dict = field(default_factory=dict, hash=False, compare=False, repr=False)

    def session(self, session_id: str) -> Session:
        return self.sessions[session_id]

    def competence(self, competence_id: str) -> Competence:
        return self.competences[competence_id]

    @property
    def referentiel(self) -> dict:
        return {"code": self.code, "millesime": self.millesime, "name": self.name}


def _fail(path: str, line: int | None, msg: str) -> RulePackError:
    where = f"{path}, ligne {line}" if line else path
    return RulePackError(f"Pack de règles invalide ({where}) : {msg}")


def _req(d: _LineDict, key: str, typ, path: str, ctx: str):
    if not isinstance(d, dict):
        raise _fail(path, getattr(d, "line", None), f"{ctx} doit être un dictionnaire")
    if key not in d:
        raise _fail(path, getattr(d, "line", None), f"{ctx} : clé obligatoire « {key} » absente")
    val = d[key]
    if typ is str and isinstance(val, (int, float)) and not isinstance(val, bool):
        val = str(val)
    if not isinstance(val, typ):
        tname = {str: "un texte", int: "un entier", list: "une liste", dict: "un dictionnaire"}.get(typ, str(typ))
        raise _fail(path, d.key_lines.get(key), f"{ctx} : « {key} » doit être {tname}")
    return val


def _bounds(d, key, path, ctx) -> Bounds:
    b = _req(d, key, dict, path, ctx)
    lo = _req(b, "min", int, path, f"{ctx}.{key}")
    hi = _req(b, "max", int, path, f"{ctx}.{key}")
    if lo < 0 or hi < lo:
        raise _fail(path, b.line, f"{ctx}.{key} : il faut 0 ≤ min ≤ max (min={lo}, max={hi})")
    return Bounds(lo, hi)


def _elements(lst, source: str, path: str, ctx: str) -> list[Element]:
    out = []
    seen = set()
    for i, e in enumerate(lst):
        c = f"{ctx}[{i + 1}]"
        eid = _req(e, "id", str, path, c)
        if eid in seen:
            raise _fail(path, e.line, f"{c} : élément « {eid} » en double")
        seen.add(eid)
        detect = e.get("detect", {}) or {}
        if not isinstance(detect, dict):
            raise _fail(path, e.key_lines.get("detect"), f"{c} : « detect » doit être un dictionnaire")
        out.append(Element(
            id=eid,
            label=_req(e, "label", str, path, c),
            advice=_req(e, "advice", str, path, c),
            source=str(e.get("source") or source).strip(),
            detect=detect,
        ))
    return out


def parse_pack(text: str, path: str = "<pack>") -> RulePack:
    """Parse and validate a pack from its YAML text."""
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    except RulePackError as exc:
        raise _fail(path, None, str(exc)) from None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        extra = ""
        if exc.context_mark is not None and exc.problem_mark is not None \
                and exc.context_mark.line != exc.problem_mark.line:
            extra = f", erreur constatée ligne {line}"
            line = exc.context_mark.line + 1
        raise _fail(path, line, f"YAML invalide ({exc.problem}{extra})") from None
    except yaml.YAMLError as exc:
        raise _fail(path, None, f"YAML invalide ({exc})") from None
    if not isinstance(data, dict):
        raise _fail(path, 1, "le fichier doit contenir un dictionnaire (schema, title, length, sessions…)")
    schema = data.get("schema")
    if schema != SCHEMA:
        raise _fail(path, data.key_lines.get("schema", 1), f"« schema » doit valoir « {SCHEMA} »")
    title = _req(data, "title", dict, path, "title")
    length = _req(data, "length", dict, path, "length")
    common = data.get("common") or _LineDict()
    common_source = str(common.get("source", "")).strip() if isinstance(common, dict) else ""
    common_elements = _elements(common.get("elements", []) if isinstance(common, dict) else [],
                                common_source, path, "common.elements")
    competences: dict[str, Competence] = {}
    for i, c in enumerate(_req(data, "competences", list, path, "racine")):
        ctx = f"competences[{i + 1}]"
        cid = _req(c, "id", str, path, ctx)
        if cid in competences:
            raise _fail(path, c.line, f"{ctx} : compétence « {cid} » en double")
        source = str(_req(c, "source", str, path, ctx)).strip()
        own = _elements(c.get("elements", []) or [], source, path, f"{ctx}.elements")
        merged: list[Element] = []
        ids = set()
        for el in common_elements + own:
            if el.id not in ids:
                ids.add(el.id)
                merged.append(el)
        brief = tuple(c.get("brief_elements", []) or [])
        for b in brief:
            if b not in ids:
                raise _fail(path, c.key_lines.get("brief_elements"), f"{ctx} : « brief_elements » cite "
                            f"l'élément inconnu « {b} »")
        competences[cid] = Competence(
            id=cid, name=_req(c, "name", str, path, ctx), source=source,
            elements=tuple(merged),
            filename_hints=tuple(str(h).lower() for h in c.get("filename_hints", []) or []),
            brief_elements=brief,
            detect=c.get("detect", {}) or {},
        )
    sessions: dict[str, Session] = {}
    for i, s in enumerate(_req(data, "sessions", list, path, "racine")):
        ctx = f"sessions[{i + 1}]"
        sid = _req(s, "id", str, path, ctx)
        if sid in sessions:
            raise _fail(path, s.line, f"{ctx} : session « {sid} » en double")
        docs = _req(s, "documents", list, path, ctx)
        for d in docs:
            if d not in competences:
                raise _fail(path, s.key_lines.get("documents"),
                            f"{ctx} : document « {d} » inconnu (compétences : {', '.join(competences)})")
        ce = s.get("company_experience") or {}
        if not docs and not s.get("no_production"):
            raise _fail(path, s.line, f"{ctx} : une session sans document doit avoir « no_production »")
        sessions[sid] = Session(
            id=sid, name=_req(s, "name", str, path, ctx), documents=tuple(docs),
            no_production=(str(s["no_production"]).strip() if s.get("no_production") else None),
            company_experience_min=ce.get("min_documents"),
            company_experience_per_document=bool(ce.get("per_document", False)),
            company_experience_source=ce.get("source"),
        )
    return RulePack(
        id=_req(title, "id", str, path, "title"),
        name=_req(title, "name", str, path, "title"),
        code=_req(title, "code", str, path, "title"),
        millesime=_req(title, "millesime", str, path, "title"),
        length_source=str(length.get("source", "")).strip(),
        pages=_bounds(length, "pages", path, "length"),
        characters=_bounds(length, "characters", path, "length"),
        sessions=sessions,
        competences=competences,
        path=path,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        raw=data,
    )


def load_pack(path: str | Path) -> RulePack:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulePackError(f"Impossible de lire le pack de règles {p} : {exc}") from None
    return parse_pack(text, str(p))


def builtin_pack_texts() -> dict[str, tuple[str, str]]:
    """{file name: (text, display path)} of the packs shipped in the package."""
    out = {}
    root = importlib.resources.files("dossier_check.rules")
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            out[entry.name] = (entry.read_text(encoding="utf-8"), f"rules/{entry.name}")
    return out


_BUILTIN_CACHE: dict[str, RulePack] | None = None


def builtin_packs() -> dict[str, RulePack]:
    global _BUILTIN_CACHE
    if _BUILTIN_CACHE is None:
        packs = {}
        for _name, (text, shown) in builtin_pack_texts().items():
            pack = parse_pack(text, shown)
            packs[pack.id] = pack
        _BUILTIN_CACHE = packs
    return dict(_BUILTIN_CACHE)


def all_packs(extra: list[str | Path] | None = None) -> dict[str, RulePack]:
    """Built-in packs plus the user's (``--rules FILE``), the user's winning on id."""
    packs = builtin_packs()
    for p in extra or []:
        pack = load_pack(p)
        packs[pack.id] = pack
    return packs
