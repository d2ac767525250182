"""The content analysis of one file: elements, competence scores, company experience, outline.

Scoring (documented in rules/README.md):
- in the body, each block (paragraph, list item, cell) gives an element the sum of the weights of
  the distinct expressions it holds (``strong`` 2, ``phrases`` 1, ``weak`` ½, a token pattern its
  own weight), capped at 2 per block, so one paragraph repeating a word is not a whole section;
- generic evidence (``phrases``, ``weak``, patterns lighter than 1.5) counts for 2 points at most
  over the whole document: it can make an element ``weak``, never ``present`` on its own;
- a heading holding one of the element's ``headings`` or ``strong`` expressions opens a section
  about the element (its ``phrases`` and ``weak`` ones count there as in the body): +3 when the
  section has some length (≥ 250 characters), +2 when it is short, +1 when it is empty; +1 when
  every mention of the element in it says it is not there yet (« trop tôt », « pas encore »), and
  +½ when the element has a ``substance`` and the section holds none of it (a « La concurrence »
  section that names no competitor);
- a section of the element's own whose every sentence is filler (``detect.filler``: « comme
  d'habitude », « au cœur de notre stratégie ») or denies it, with no figure, counts nothing, and
  when all its own sections are such the element is ``missing`` unless the rest makes it present;
- ``present`` at 3 points or more, ``weak`` from 1 point, ``missing`` below.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from ..model import BlockKind, counted_len
from .nlp import fold, get_nlp, normalise_text
from .patterns import CompiledPack, compile_pack
from .results import MISSING, PRESENT, WEAK, ElementResult, Evidence, FileAnalysis, Section
from .typo import fr_typo, thousands

PRESENT_AT = 3.0
WEAK_AT = 1.0
BLOCK_CAP = 2.0
BLOCK_CAP_RICH = 3.0  # a block holding two distinct specific expressions or more
GENERIC_CAP = 2.0  # generic evidence alone stays below PRESENT_AT
LOOSE_CAP = 0.75  # loose hints alone stay below WEAK_AT
SPECIFIC_WEIGHT = 1.5
VOCAB_FLOOR = 10.0
HEADING_SUBSTANTIAL = 250
HEADING_SHORT = 60
MAX_EVIDENCE = 3
QUOTE_MAX = 160
MAX_ANALYSED_CHARS = 150_000
MAX_BLOCK_CHARS = 20_000

_NUMBERING = re.compile(
    r"^\s*(?:(?:partie|chapitre|section|étape|etape|phase)\s+(?:\d+|[IVXLC]{1,5})\s*[:.\-–—]?\s*|"
    r"(?P<roman>[IVXLC]{1,5})\s*[.)\-–—]\s+|"
    r"(?P<num>\d{1,2}(?:\.\d{1,2}){0,3})\s*[.)\-–—]?\s+|"
    r"(?P<letter>[A-Ha-h])\s*[.)\-–—]\s+)", re.IGNORECASE)


@dataclass
class Unit:
    index: int
    text: str  # normalised
    heading: bool
    level: int
    page: int | None
    chars: int  # counted characters of the original block
    listed: bool = False  # a list item or a table cell
    start: int = 0  # offset in the joined text
    end: int = 0


def _pseudo_heading_level(text: str, next_text: str | None) -> int | None:
    """A paragraph typed as a heading (« 1. Contexte », « II - RÉSULTATS »): its level, else None."""
    t = text.strip()
    if not t or len(t) > 110 or "\n" in t:
        return None
    words = t.split()
    letters = [c for c in t if c.isalpha()]
    shouted = len(letters) >= 4 and all(c.isupper() for c in letters)
    if (len(words) > (16 if shouted else 12) or (len(t) > 90 and not shouted) or t[-1] in ".,;"
            or (next_text is not None and len(next_text.strip()) < len(t))):
        return None
    m = _NUMBERING.match(t)
    if m:
        rest = t[m.end():].strip()
        if not rest or not rest[0].isalpha() or not rest[0].isupper() and not rest[0].isdigit():
            return None
        if m.group("num"):
            return min(1 + m.group("num").count("."), 4)
        if m.group("letter"):
            return 2
        return 1
    if shouted:
        # a line in capitals is a title, colon and brackets included (« LE CAS : LANCER
        # L'ÉTIQUETTE CHEZ LES PRODUCTEURS LOCAUX »)
        return 1
    if t.endswith(":") and len(words) <= 6 and t[0].isupper():
        return 3
    if (t.endswith("?") and len(words) <= 8 and t[0].isupper() and "," not in t
            and next_text is not None and len(next_text.strip()) > len(t)):
        # a question as a title, over its answer (« Et les résultats ? », « Pourquoi ces sources ? »)
        return 2
    if (len(words) <= 6 and len(t) <= 60 and t[0].isupper() and t[-1] not in ".,;:!?…)"
            and "," not in t and not any(c.isdigit() for c in t)
            and next_text is not None and len(next_text.strip()) > len(t)):
        # a short line, like a title, over a longer block (« Résultats », « Le terrain »): a
        # heading typed as a plain (often bold) paragraph; not a table row flattened by a PDF
        # (« Pompes Ligériennes Distributeur régional, 60 salariés »)
        return 2
    return None


def _item_number(text: str) -> int | None:
    m = re.match(r"^\s*(\d{1,2})\s*[.)\-–]\s+\S", text)
    return int(m.group(1)) if m else None


def _in_numbered_run(texts: list[str], i: int) -> bool:
    """Paragraph ``i`` is one of consecutive paragraphs numbered 1., 2., 3.…: a numbered list typed
    by hand (or a PDF's), not a run of headings with nothing beneath."""
    n = _item_number(texts[i])
    if n is None:
        return False
    prev = _item_number(texts[i - 1]) if i > 0 else None
    nxt = _item_number(texts[i + 1]) if i + 1 < len(texts) else None
    return prev == n - 1 or nxt == n + 1


def make_units(blocks) -> list[Unit]:
    units = []
    texts = [normalise_text(b.text or "") for b in blocks]
    for i, b in enumerate(blocks):
        text = texts[i]
        kind = b.kind if isinstance(b.kind, BlockKind) else BlockKind(str(b.kind))
        heading = kind == BlockKind.HEADING
        level = b.level or 1
        numbered_item = False
        if not heading and kind in (BlockKind.PARAGRAPH,):
            numbered_item = _in_numbered_run(texts, i)
            nxt = texts[i + 1] if i + 1 < len(texts) else None
            lv = None if numbered_item else _pseudo_heading_level(text, nxt)
            if lv is not None:
                heading, level = True, lv
        units.append(Unit(index=i, text=text, heading=heading, level=level if heading else 0,
                          page=b.page, chars=counted_len(b.text or ""),
                          listed=numbered_item or kind in (BlockKind.LIST_ITEM, BlockKind.TABLE_CELL)))
    return units


def _joined(units: list[Unit]) -> tuple[str, bool]:
    """The text the pipeline reads, and whether it was cut: a block is read up to
    MAX_BLOCK_CHARS, the document up to MAX_ANALYSED_CHARS (a production has 12 000; the rest of a
    huge file still counts in the outline, it is just not read for elements)."""
    parts = []
    pos = 0
    cut = False
    for u in units:
        text = u.text
        if len(text) > MAX_BLOCK_CHARS:
            text, cut = text[:MAX_BLOCK_CHARS], True
        if pos + len(text) > MAX_ANALYSED_CHARS:
            text, cut = "", True
        u.start = pos
        u.end = pos + len(text)
        parts.append(text)
        pos = u.end + 2
    return "\n\n".join(parts), cut


def _quote(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` around [start, end), at most QUOTE_MAX characters."""
    left = max(text.rfind(". ", 0, start), text.rfind("! ", 0, start), text.rfind("? ", 0, start),
               text.rfind("\n", 0, start), text.rfind("; ", 0, start))
    left = 0 if left < 0 else left + 1
    cands = [i for i in (text.find(". ", end), text.find("\n", end), text.find("; ", end)) if i >= 0]
    right = min(cands) + 1 if cands else len(text)
    s = text[left:right].strip()
    if len(s) <= QUOTE_MAX:
        return s
    # centre on the match
    rel = start - left
    a = max(0, rel - 60)
    b = min(len(s), a + QUOTE_MAX - 2)
    cut = s[a:b].strip()
    return ("…" if a > 0 else "") + cut + ("…" if b < len(s) else "")


@dataclass
class Hit:
    unit: int
    kind: str  # headings | strong | phrases | weak | pattern
    weight: float
    what: str  # phrase label / pattern name
    start: int  # offsets in the unit text
    end: int
    negated: bool = False  # in a negative or conditional sentence (« pas encore », « aurait dû »)
    future: bool = False  # in a sentence whose verb is in the future tense
    conditional: bool = False  # in a conditional sentence (« aurait dû », « il faudrait »)
    pending: bool = False  # « pas encore », « trop tôt »: the clause says it has not happened yet


_NEG = {"pas", "jamais", "aucun", "aucune", "rien", "guere"}
_CONDITIONAL_END = re.compile(r"^(.*r)(?:ais|ait|ions|iez|aient)$")
_FUTURE_END = re.compile(r"^(.*r)(?:ai|as|a|ons|ez|ont)$")
# future and conditional stems that are not the infinitive (folded)
_IRREGULAR_STEMS = {"ser", "aur", "fer", "pourr", "faudr", "devr", "voudr", "ir", "viendr", "tiendr", "verr",
                    "saur", "enverr", "courr", "recevr", "vaudr", "obtiendr", "deviendr", "maintiendr",
                    "revr", "refer", "prevoir", "pleuvr"}


def _built_on_infinitive(norm: str, lemma: str, ending: re.Pattern, strict: bool = False) -> bool:
    """``norm`` is a future or conditional form of ``lemma``: its stem is the infinitive (minus the
    « e » of « -re »), or an irregular stem. « durerait » yes, « durait » (imperfect) no. When the
    lemmatizer gave no infinitive, the « r » before the ending is enough, unless ``strict`` (the
    tagger did not say future or conditional either)."""
    m = ending.match(norm)
    if not m:
        return False
    stem = m.group(1)
    if stem in _IRREGULAR_STEMS:
        return True
    if lemma.endswith(("er", "ir")):
        return stem == lemma
    if lemma.endswith("re"):
        return stem == lemma[:-1]
    return not strict


# after « pas », words that make the negation partial: the clause still asserts something
_NOT_ALL = {"tous", "toutes", "tout", "seulement", "uniquement", "forcement", "toujours", "aussi", "tres",
            "trop", "mal"}
_FUTURE_BE = {"est", "sont", "sera", "seront", "serait", "seraient", "soit", "soient"}
_SENT_END = {".", "!", "?", ";"}
# Clause boundaries inside a sentence: a negation or a conditional in one clause says nothing of
# the other (« J'ai choisi le questionnaire parce que les prix ne sont publiés nulle part »).
_CLAUSE_PUNCT = {":", "(", ")", "—", "–"}
_QUOTE_OPEN = {"«", "“"}
_QUOTE_CLOSE = {"»", "”"}
_CLAUSE_WORDS = {"mais", "car", "parce", "puisque", "tandis", "pourtant", "cependant", "alors", "sinon", "qui", "dont",
                 "donc"}


def _fold_doc(doc) -> None:
    """Words and lemmas compared folded (accents, case): ``norm_`` and ``lemma_`` overwritten."""
    for t in doc:
        t.norm_ = fold(t.text)
        t.lemma_ = fold(t.lemma_ or t.text)


def _sentence_flags(doc):
    """Per token its clause number, and per clause (negated or conditional, future, conditional).

    A clause is a sentence cut at a colon, a bracket, a dash, or a coordinating word (« mais »,
    « car », « parce que »…)."""
    sent_of = [0] * len(doc)
    flags: list[tuple[bool, bool, bool, bool]] = []
    n = 0
    neg = cnd = fut = ne = plus = yet = cond_if = vague = que = False

    def close():
        nonlocal n, neg, cnd, fut, ne, plus, yet, cond_if, vague, que
        negated = neg or cnd or (ne and plus) or vague
        flags.append((negated, fut, cnd, cnd or vague or (negated and yet)))
        n += 1
        neg = cnd = fut = ne = plus = yet = cond_if = vague = que = False

    quoted = False
    for i, t in enumerate(doc):
        norm = t.norm_
        if t.text in _QUOTE_OPEN or (t.text == '"' and not quoted):
            quoted = True
        elif t.text in _QUOTE_CLOSE or t.text == '"':
            quoted = False
        if i and (t.text in _CLAUSE_PUNCT or (norm in _CLAUSE_WORDS and not (ne and not neg))):
            # the boundary word opens the next clause; not inside an open « ne … pas »
            # (« cette partie n'a donc pas pu être traitée »)
            close()
        sent_of[i] = n
        if quoted:
            pass  # words quoted (« pas le temps ») are the client's, they deny nothing of the clause
        elif norm in _NEG:
            nxt = doc[i + 1].norm_ if i + 1 < len(doc) else ""
            nxt2 = doc[i + 2].norm_ if i + 2 < len(doc) else ""
            if norm == "pas" and nxt in _NOT_ALL:
                pass  # « ils n'ont pas tous les mêmes attentes », « pas seulement » assert something
            elif norm == "pas" and not ne and i and doc[i - 1].text == ",":
                pass  # « un mail personnel, pas une newsletter, avec… »: only the aside is denied
            elif norm == "rien" and (nxt in ("ne", "n'") and nxt2 in ("vaut", "valait", "remplace")
                                     or nxt == "de" and nxt2 in ("tel", "mieux")):
                pass  # « rien ne vaut les devis », « rien de tel que » praise, they deny nothing
            else:
                neg = True
        elif norm == "tot" and i and doc[i - 1].norm_ == "trop":
            neg = yet = True  # « il est trop tôt pour en tirer un bilan »
        elif norm == "encore":
            yet = True  # with a negation: « pas encore »
        elif (norm == "habitude" and i and doc[i - 1].norm_ in ("d'", "d")
              and not (i + 1 < len(doc) and doc[i + 1].text == ",")) or (
                norm in ("special", "particulier", "notable") and i > 1 and "rien" in
                (doc[i - 1].norm_, doc[i - 2].norm_)):
            # a deflection, not a description: « j'ai utilisé ce qu'on a d'habitude »,
            # « rien de spécial à signaler »; « comme d'habitude, j'ai pris le CRM » describes
            vague = True
        elif norm == "si":
            cond_if = True
        elif norm in ("que", "qu'", "qu"):
            que = True
        elif cond_if and (norm.startswith("recommen") or norm in ("refaire", "refaisais", "recommencer")):
            cnd = True  # hindsight: « si je recommençais, je prévoirais un planning »
        elif norm in ("ne", "n'"):
            ne = True
        elif norm == "plus":
            plus = True
        if t.pos_ in ("VERB", "AUX") and not quoted:
            morph = t.morph
            # the small model takes imperfects for conditionals (« je vérifiais », « il durait »):
            # a conditional or a future is built on the infinitive (« vérifierais », « durerait »)
            # and it sometimes misses them (« durerait » tagged indicative): the form tells
            if _built_on_infinitive(norm, t.lemma_, _CONDITIONAL_END, strict="Cnd" not in morph.get("Mood")):
                cnd = True
            if _built_on_infinitive(norm, t.lemma_, _FUTURE_END, strict="Fut" not in morph.get("Tense")):
                fut = True  # « seront mesurés »
            if "Sub" in morph.get("Mood") and que:
                fut = True  # « il est prévu qu'un bilan soit présenté », not « soit 43 clients »
        if quoted:
            pass
        elif norm in ("prevu", "prevue", "prevus", "prevues"):
            # « il est prévu qu'un bilan soit présenté », « un bilan sera prévu » look ahead;
            # « 14 contrats sur les 10 prévus », « comme prévu », « 10 étaient prévus » measure
            # against the plan: results, not announcements
            if any(doc[j].norm_ in _FUTURE_BE for j in range(max(0, i - 3), i)):
                fut = True
        elif t.lemma_ == "prevoir" and t.pos_ in ("VERB", "AUX") and not ({"Past", "Imp"} & set(t.morph.get("Tense"))):
            fut = True  # « je prévois de relancer », « nous prévoirons »
        newline = t.is_space and "\n" in t.text
        if newline:
            quoted = False  # a quote left open ends with its paragraph
        if t.text in _SENT_END or newline or i == len(doc) - 1:
            close()
    if not flags:
        flags.append((False, False, False, False))
    return sent_of, flags


def _denied_section(head: Hit, hits: list[Hit], units: list[Unit], end: int, not_future: bool) -> bool:
    """The section under ``head`` speaks of the element only to say it is not there yet: every hit
    of the element inside is in a « pas encore », « trop tôt » or conditional clause (or a future
    one, for an element that must have happened). « Les résultats » over « ils seront mesurés en
    juin ; il est trop tôt pour un bilan ». A plain negation is not enough: « aucune remise n'est
    possible » states a rule of the commercial policy."""
    inside = [b for b in hits if head.unit < b.unit < end and b.kind != "headings" and not units[b.unit].heading]
    return bool(inside) and all(b.pending or (b.future and not_future) for b in inside)


def _section_chars(head: int, units: list[Unit], spans: dict[int, int]) -> int:
    """Counted characters beneath the heading unit ``head``, down to the end of its section."""
    return sum(units[k].chars for k in range(head + 1, spans.get(head, head + 1)))


def _denies(h: Hit, negations_state_rules: bool = False) -> bool:
    """The hit's clause denies it: negative, conditional or « pas encore ». For an element whose
    rules are often negative (« on ne descend jamais sous le prix plancher »), only a conditional
    or pending clause does."""
    if negations_state_rules:
        return h.conditional or h.pending
    return h.negated


def _aside(text: str, start: int, end: int) -> bool:
    """The expression at [start, end) opens its sentence as an aside, followed by a comma:
    « Comme d'habitude, j'ai pris le CRM » describes what was done, « ce qu'on fait d'habitude »
    does not."""
    head = re.split(r"[.!?;:\n]", text[:start])[-1]
    return len(head.split()) <= 2 and text[end:].lstrip().startswith(",")


_EXPLAINING = {"car", "parce", "puisque"}


def _clause_spans(doc, sent_of: list[int], flags: list[tuple]) -> list[tuple[int, int, tuple, bool]]:
    """Each clause holding a word, as (start, end, flags, explaining) with character offsets in
    the doc; ``explaining``: the clause opens with « car », « parce que » or « puisque » (« l'action
    n'a pas été menée car le magasin a changé de direction » denies the action all the same)."""
    spans: dict[int, list] = {}
    for i, t in enumerate(doc):
        if t.is_alpha:
            span = spans.setdefault(sent_of[i], [t.idx, t.idx + len(t.text), t.norm_])
            span[1] = t.idx + len(t.text)
    return [(a, b, flags[c], first in _EXPLAINING) for c, (a, b, first) in sorted(spans.items())]


def _denying_clause(f: tuple, det) -> bool:
    """A clause's flags (negated, future, conditional, pending) say that what it names is not
    there: negative, conditional, « pas encore », or future for an element that must have happened."""
    negated, future, conditional, pending = f
    return negated or conditional or pending or (future and det.not_future)


def _first_hits(hits: list[Hit], n: int) -> list[Hit]:
    """The first hit of each of the first ``n`` distinct blocks: the evidence quoted."""
    out: list[Hit] = []
    units: set[int] = set()
    for h in hits:
        if h.unit not in units:
            units.add(h.unit)
            out.append(h)
            if len(out) == n:
                break
    return out


def _opens_section(h: Hit, units: list[Unit]) -> bool:
    """A ``headings`` or ``strong`` expression in a heading: the heading opens a section about
    the hit's owner."""
    return units[h.unit].heading and h.kind in ("headings", "strong")


def _covered(h: Hit, spans: dict[int, list[tuple[int, int]]]) -> bool:
    """The hit lies within one of ``spans`` (unit -> [(start, end)]) of its block."""
    return any(a <= h.start and h.end <= b for a, b in spans.get(h.unit, ()))


def _specific(h: Hit) -> bool:
    """Evidence that can make an element present on its own: a ``strong`` expression or a token
    pattern of weight ≥ 1.5."""
    return h.kind == "strong" or (h.kind == "pattern" and h.weight >= SPECIFIC_WEIGHT)


def _table_after(units: list[Unit], k: int, cap: int = 60) -> range:
    """The list or table a block introduces or belongs to: the run of list items and table cells
    from ``k`` on, when ``k`` is one of them or ends with « : » (« Le bilan est le suivant : »
    over a table whose cells hold the figures). Empty otherwise."""
    u = units[k]
    if not (u.listed or u.text.rstrip().endswith(":")):
        return range(0)
    end = k + 1
    while end < len(units) and end - k <= cap and units[end].listed:
        end += 1
    return range(k, end)


_SENTENCE_CUT = re.compile(r"(?<=[.!?;])\s+|\n+")
# a figure, in digits or in words (folded): « 3 semaines », « trois semaines », « une dizaine »
_FIGURE = re.compile(r"\d|\b(?:deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|"
                     r"seize|vingt|trente|quarante|cinquante|soixante|cent|mille|dizaine|douzaine|quinzaine|"
                     r"vingtaine|trentaine|cinquantaine|centaine|moitie|tiers|quart)s?\b")


# a full stop after these does not end the sentence: « M. Renaud », « cf. », « etc. »
_ABBREVIATIONS = {"m", "mm", "mme", "mmes", "mlle", "dr", "pr", "me", "st", "ste", "cf", "etc", "env", "p", "vs",
                  "ex", "art", "av", "bd", "no", "n°", "tel", "ets", "cie"}


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """The sentences of a block, as (start, end) offsets, blank ones left out."""
    out, pos = [], 0
    for m in _SENTENCE_CUT.finditer(text):
        if text[m.start() - 1:m.start()] == ".":
            word = text[max(pos, m.start() - 6):m.start() - 1].split()
            if word and (word[-1].lower() in _ABBREVIATIONS or (len(word[-1]) == 1 and word[-1].isupper())):
                continue  # « M. Renaud » goes on
        if text[pos:m.start()].strip():
            out.append((pos, m.start()))
        pos = m.end()
    if text[pos:].strip():
        out.append((pos, len(text)))
    return out


def _preceded_by(text: str, at: int, words: tuple[str, ...]) -> bool:
    """The words right before offset ``at`` end with one of ``words`` (folded, whole words):
    « sous » before « 48 heures », « dans les » before « 2 mois »."""
    before = " ".join(fold(text[max(0, at - 40):at]).split())
    return any(before == w or before.endswith((" " + w, "'" + w, "(" + w)) for w in words)


class Analyser:
    """Analyses the counted region of files against every competence of one pack."""

    def __init__(self, pack, compiled: CompiledPack | None = None):
        self.pack = pack
        self.compiled = compiled or compile_pack(pack)
        self.nlp = get_nlp()
        self.common_ids = self._common_ids()

    def _common_ids(self) -> set[str]:
        common = self.pack.raw.get("common") or {}
        return {str(e.get("id")) for e in (common.get("elements") or []) if isinstance(e, dict)}

    # ------------------------------------------------------------ public API
    def warm_up(self) -> None:
        """Run the pipeline once on a short text (first-call allocations), e.g. while
        LibreOffice renders in another thread."""
        self.nlp("Objectif : 12 rendez-vous en trois semaines.")

    def analyse(self, blocks, counted_chars: int) -> FileAnalysis:
        return self.analyse_many([(blocks, counted_chars)])[0]

    def analyse_many(self, items, batch_size: int = 8) -> list[FileAnalysis]:
        prepared = []
        for blocks, counted in items:
            units = make_units(list(blocks))
            text, cut = _joined(units)
            prepared.append((units, text, cut, counted))
        texts = [p[1] for p in prepared]
        out = []
        for (units, text, cut, counted), doc in zip(prepared, self.nlp.pipe(texts, batch_size=batch_size)):
            fa = self._analyse_doc(units, doc, counted)
            if cut:
                fa.notes.append(fr_typo(
                    f"Texte très long : seuls les {thousands(MAX_ANALYSED_CHARS)} premiers caractères ont été "
                    "analysés pour les éléments attendus."))
            out.append(fa)
        return out

    # ------------------------------------------------------------ internals
    def _hits(self, units: list[Unit], doc, clauses):
        """Every match of the pack in the doc (folded by :func:`_fold_doc`), grouped by owner, each
        with the flags of its clause (``clauses``: :func:`_sentence_flags`)."""
        cp = self.compiled
        spans = set()
        for matcher in (cp.phrase_matcher_norm, cp.phrase_matcher_lemma, cp.matcher):
            for mid, s, e in matcher(doc):
                spans.add((self.nlp.vocab.strings[mid], s, e))
        starts = [u.start for u in units]

        sent_of, flags = clauses
        text = doc.text  # built anew at each access

        by_owner: dict[str, list[Hit]] = {}
        seen = set()
        for label, s, e in sorted(spans, key=lambda x: (x[1], x[2])):
            cs, ce = doc[s].idx, doc[e - 1].idx + len(doc[e - 1].text)
            ui = bisect.bisect_right(starts, cs) - 1
            if ui < 0:
                continue
            u = units[ui]
            if cs >= u.end:
                continue
            for owner, kind in cp.labels[label]:
                if kind == "pattern":
                    weight, _, not_after = cp.token_patterns[owner[2:]]
                    if not_after and _preceded_by(text, cs, not_after):
                        continue
                    what = owner[2:]
                else:
                    weight = {"headings": 0.0, "strong": 2.0, "phrases": 1.0, "weak": 0.5,
                              "positive": 1.0, "negative": 1.0}.get(kind, 1.0)
                    what = label
                key = (owner, ui, what, cs, kind)
                if key in seen:
                    continue
                seen.add(key)
                neg, fut, cnd, pending = flags[sent_of[s]]
                by_owner.setdefault(owner, []).append(
                    Hit(unit=ui, kind=kind, weight=weight, what=what, start=cs - u.start, end=ce - u.start,
                        negated=neg, future=fut, conditional=cnd, pending=pending))
        return by_owner

    def _section_spans(self, units: list[Unit]) -> dict[int, int]:
        """heading unit index -> index of the first unit after its section (inclusive of subsections)."""
        out = {}
        for i, u in enumerate(units):
            if not u.heading:
                continue
            j = i + 1
            while j < len(units) and not (units[j].heading and units[j].level <= u.level):
                j += 1
            out[i] = j
        return out

    def _bare_sections(self, det, hits: list[Hit], sub: list[Hit], units, spans) -> set[int]:
        """Heading units whose section holds none of the element's substance (nor, for an
        element whose substance may be a list, a list right under the heading)."""
        out = set()
        for h in hits:
            if not _opens_section(h, units):
                continue
            end = spans.get(h.unit, h.unit + 1)
            # min counts in the section for near substance; document-wide substance (« d'abord…
            # ensuite » anywhere) needs only one piece of it in the section
            need = det.substance_min if det.substance_scope == "near" else 1
            if len({b.what for b in sub if h.unit < b.unit < end}) >= need:
                continue
            if det.substance_lists and self._list_follows([h], [], units):
                continue
            out.add(h.unit)
        return out

    def _hollow_sections(self, det, hits: list[Hit], sub: list[Hit], filler: list[Hit], units, spans,
                         clauses: list[tuple[int, int, tuple, bool]]) -> tuple[set[int], set[int]]:
        """(hollow, naming only): the element's own sections (a heading holding one of its
        ``headings`` or ``strong`` expressions) that say nothing of it.

        Naming only: beneath the heading, no list and nothing of the element but its name again
        (« La prise de rendez-vous a bien fonctionné »). The words may be missing from the pack
        rather than from the section, so such a section counts as an empty one (1 point: ``weak``
        at best on its own), never makes the element ``missing``.

        Hollow: every sentence says nothing of the element, and says so:
        - filler: a ``detect.filler`` expression (« comme d'habitude », « la satisfaction de nos
          clients est au cœur de… ») with nothing of the element beside it, neither its substance
          nor a specific expression that does more than name it;
        - denial: nothing of the element asserted, and every clause of the sentence negative,
          conditional or (for what must have happened) future: « nous n'avons fait aucune offre
          cette fois », « cette partie n'a pas pu être traitée » (« pas de mailing : j'ai appelé
          chaque client » asserts a channel);
        and no figure, in digits or in words. « Les moyens : j'ai utilisé ce qu'on a d'habitude »
        gives no means. Neither its heading nor what it holds counts."""
        fills: dict[int, list[tuple[int, int]]] = {}
        denials: dict[int, list[int]] = {}
        for f in filler:
            if not _aside(units[f.unit].text, f.start, f.end):
                fills.setdefault(f.unit, []).append((f.start, f.end))
        # where the element is only named: the spans of its ``headings`` expressions (« canaux »
        # may also be listed as ``strong``: same words, same span)
        named: dict[int, list[tuple[int, int]]] = {}
        for h in hits:
            if h.kind == "headings":
                named.setdefault(h.unit, []).append((h.start, h.end))

        def naming_hit(h: Hit) -> bool:
            return h.kind == "headings" or _covered(h, named)

        starts = [c[0] for c in clauses]

        def clause_of(unit: int, at: int) -> tuple[int, int] | None:
            x = units[unit].start + at
            i = bisect.bisect_right(starts, x) - 1
            return (clauses[i][0], clauses[i][1]) if i >= 0 and x < clauses[i][1] else None

        def filled_clause(h: Hit) -> bool:
            c = clause_of(h.unit, h.start)
            return c is not None and any(c[0] <= units[h.unit].start + a < c[1] for a, _ in fills.get(h.unit, ()))

        # specific or substance: outweighs filler, unless announced (future) beside it (« les
        # objectifs chiffrés seront communiqués plus tard »)
        content: dict[int, list[tuple[int, bool]]] = {}
        # any assertion of the element: outweighs a denial, unless itself in a negative clause
        # beside a denial by name (« pas de politique écrite, pas de procédure à respecter »)
        asserted: dict[int, list[tuple[int, bool]]] = {}
        substance = {id(h) for h in sub}
        for h in hits + sub:
            if units[h.unit].heading:
                continue
            naming = naming_hit(h)
            if id(h) not in substance and (_denies(h, det.negations) or (h.future and det.not_future)
                                           or (naming and h.negated)):
                # « nous n'avons pas de politique commerciale écrite » denies even an element
                # whose rules are negative
                denials.setdefault(h.unit, []).append(h.start)
                continue
            if naming or h.kind == "headings":
                continue  # « la politique commerciale est tournée vers le client » names it
            if _covered(h, fills):
                continue  # « prix » inside « rapport qualité-prix »
            if _specific(h) or (id(h) in substance and not filled_clause(h)):
                # substance beside filler in its clause is part of it (« contribuer à la
                # satisfaction de la clientèle »); in a clause of its own it says something
                # (« notre priorité : aucune remise sans l'accord du directeur »)
                content.setdefault(h.unit, []).append((h.start, h.future))
            if h.weight >= 1.0 or id(h) in substance:
                asserted.setdefault(h.unit, []).append((h.start, h.negated))

        def inside(marks, a, b):
            return any(a <= x < b for x in marks)

        def empty(k: int, a: int, b: int) -> bool:
            if _FIGURE.search(fold(units[k].text[a:b])):
                return False
            filled = inside((x for x, _ in fills.get(k, ())), a, b)
            if inside((x for x, fut in content.get(k, ()) if not (fut and filled)), a, b):
                return False
            if filled:
                return True
            denied = inside(denials.get(k, ()), a, b)
            if inside((x for x, neg in asserted.get(k, ()) if not (neg and denied)), a, b):
                return False
            # the element denied, or nothing of it in a sentence that only denies (« cette partie
            # n'a pas pu être traitée »): every clause of the sentence denies
            lo, hi = units[k].start + a, units[k].start + b
            own = [f for cs, ce, f, explaining in clauses if cs < hi and ce > lo and not explaining]
            return bool(own) and all(_denying_clause(f, det) for f in own)

        hollow: set[int] = set()
        naming_only: set[int] = set()
        for hu in {h.unit for h in hits if _opens_section(h, units)}:
            sentences = [(k, a, b) for k in range(hu + 1, spans.get(hu, hu + 1))
                         for a, b in _sentence_spans(units[k].text)]
            if sentences and all(empty(*x) for x in sentences):
                hollow.add(hu)
            elif sentences:
                body = range(hu + 1, spans.get(hu, hu + 1))
                if not any(units[k].listed for k in body) and not any(
                        h.unit in body and not naming_hit(h) for h in hits + sub):
                    naming_only.add(hu)
        return hollow, naming_only

    def _score(self, hits: list[Hit], units, spans, token_pattern_ids: list[str], not_future: bool = False,
               bare: set[int] | None = None, negations: bool = False, hollow: set[int] | None = None,
               naming_only: set[int] | None = None):
        """(score, evidence hits sorted best first).

        Specific evidence (a section heading, a ``strong`` expression, a token pattern of
        weight ≥ 1.5) can make an element present; generic evidence (``phrases``, ``weak``,
        light patterns) is capped at GENERIC_CAP points, so on its own it never goes beyond
        ``weak``: a document does not get « résultats » for quoting its turnover."""
        body: dict[int, dict[str, tuple[float, bool]]] = {}
        head_score = 0.0
        evidence: list[tuple[float, Hit]] = []
        seen_heading_units = set()
        # sections that say nothing of the element: neither their heading nor what they hold counts
        emptied = set()
        for hu in hollow or ():
            emptied.update(range(hu, spans.get(hu, hu + 1)))
        for hu in naming_only or ():
            emptied.update(range(hu + 1, spans.get(hu, hu + 1)))  # the name again, no more
        for h in hits:
            u = units[h.unit]
            if h.kind == "pattern" and h.what not in token_pattern_ids:
                continue
            if h.unit in emptied:
                continue
            if _opens_section(h, units):
                if h.unit in seen_heading_units:
                    continue
                seen_heading_units.add(h.unit)
                end = spans.get(h.unit, h.unit + 1)
                sub = _section_chars(h.unit, units, spans)
                pts = 3.0 if sub >= HEADING_SUBSTANTIAL else 2.0 if sub >= HEADING_SHORT else 1.0
                if naming_only and h.unit in naming_only:
                    pts = min(pts, 1.0)  # its name again, nothing else of it beneath
                if _denied_section(h, hits, units, end, not_future):
                    pts = 1.0
                if bare and h.unit in bare:
                    pts = 0.5  # denied or not, nothing of the element's substance beneath
                head_score += pts
                # the more of the heading the expression covers, the better the quote
                evidence.append((10 + pts + (h.end - h.start) / max(1, len(u.text)), h))
            else:
                if h.kind == "headings":
                    continue  # heading-only phrases do not count in the body
                specific = _specific(h)
                weight = h.weight
                if _denies(h, negations) or (h.future and not_future):
                    # « les résultats ne sont pas encore connus », « il aurait fallu un script »:
                    # the word is there, the element perhaps not
                    specific, weight = False, min(weight, 0.5)
                d = body.setdefault(h.unit, {})
                old = d.get(h.what)
                if old is None or old[0] < weight:
                    d[h.what] = (weight, specific)
                evidence.append((weight + (1 if specific else 0), h))
        specific_score = generic_score = loose_score = 0.0
        for d in body.values():
            spec = sum(w for w, sp in d.values() if sp)
            gen = sum(w for w, sp in d.values() if not sp and w >= 1.0)
            loose = sum(w for w, sp in d.values() if not sp and w < 1.0)
            # a paragraph naming three competitors and their positioning is more than a mention
            cap = BLOCK_CAP_RICH if sum(1 for _, sp in d.values() if sp) >= 2 else BLOCK_CAP
            block = min(cap, spec + gen + loose)
            s_part = min(block, spec)
            g_part = min(block - s_part, gen)
            specific_score += s_part
            generic_score += g_part
            loose_score += block - s_part - g_part
        evidence.sort(key=lambda x: (-x[0], x[1].unit))
        # loose hints (``weak`` expressions, light patterns, negated sentences) alone stay
        # below WEAK_AT: they only add to other evidence
        total = head_score + specific_score + min(GENERIC_CAP, generic_score + min(LOOSE_CAP, loose_score))
        return total, [h for _, h in evidence]

    def _analyse_doc(self, units: list[Unit], doc, counted: int) -> FileAnalysis:
        _fold_doc(doc)
        clauses = _sentence_flags(doc)
        by_owner = self._hits(units, doc, clauses)
        clause_spans = _clause_spans(doc, *clauses)
        spans = self._section_spans(units)
        cp = self.compiled
        elements: dict[str, list[ElementResult]] = {}
        per_unit_elements: dict[str, dict[int, set[str]]] = {}
        parts: dict[str, dict[str, float]] = {}
        elem_cache: dict[str, tuple] = {}
        topics: dict[tuple[str, str], tuple[float, bool]] = {}
        for cid, comp in self.pack.competences.items():
            res = []
            per_unit = per_unit_elements.setdefault(cid, {})
            for el in comp.elements:
                det = cp.elements[(cid, el.id)]
                if det.key not in elem_cache:
                    hits = list(by_owner.get("E:" + det.key, []))
                    for name in det.patterns:
                        hits.extend(by_owner.get("T:" + name, []))
                    sub = self._substance_hits(det, by_owner) if det.substance_min else []
                    bare = self._bare_sections(det, hits, sub, units, spans) if det.substance_min else None
                    hollow, naming_only = self._hollow_sections(det, hits, sub, by_owner.get("filler", []),
                                                                units, spans, clause_spans)
                    sc, evh = self._score(hits, units, spans, det.patterns, det.not_future, bare,
                                          det.negations, hollow, naming_only)
                    st = PRESENT if sc >= PRESENT_AT else WEAK if sc >= WEAK_AT else MISSING
                    why = None
                    emptied = self._emptied(det, hits, evh, hollow, units, spans) if hollow else None
                    if emptied and st != PRESENT and (
                            st == MISSING or not any(_specific(h) and self._counts(h, det) for h in evh)):
                        st, why = MISSING, emptied
                    else:
                        if st == WEAK:
                            why = self._unsupported(det, evh, units, spans, sub, bare)
                            if why:
                                st = MISSING
                        if emptied and st != MISSING:
                            # its own section says nothing, the rest of the document says something:
                            # perhaps of another element (the policy's programme under « Offres »)
                            st = WEAK
                            why = emptied + " Les indices trouvés ailleurs dans le document sont à vérifier."
                    thin = None  # a section about the element without its substance: say which
                    if st == WEAK and why:
                        pass  # said by why
                    elif st == WEAK and bare and det.substance_hint:
                        thin = units[min(bare)].text.strip()
                    elif st == WEAK and naming_only:
                        thin = units[min(naming_only)].text.strip()
                    # what the element says of the file's competence: its sections count even
                    # when they say nothing of it (a hollow « Profils clients » is still about
                    # fidelisation)
                    topic_sc, topic_evh = (self._score(hits, units, spans, det.patterns, det.not_future, bare,
                                                       det.negations) if hollow or naming_only else (sc, evh))
                    topic = (topic_sc, any(units[h.unit].heading for h in _first_hits(topic_evh, MAX_EVIDENCE)))
                    elem_cache[det.key] = (sc, evh, st, why, thin, topic)
                score, ev_hits, status, why, thin, topic = elem_cache[det.key]
                topics[(cid, el.id)] = topic
                evidence = [Evidence(text=_quote(units[h.unit].text, h.start, h.end), page=units[h.unit].page,
                                     in_heading=units[h.unit].heading) for h in _first_hits(ev_hits, MAX_EVIDENCE)]
                if status != MISSING:
                    # the outline marks a section with an element only for real evidence there
                    for h in ev_hits:
                        in_heading = _opens_section(h, units)
                        if in_heading or (h.kind != "headings" and h.weight >= 1.0 and not h.negated):
                            per_unit.setdefault(h.unit, set()).add(el.id)
                advice = None
                if status == MISSING:
                    advice = missing_advice(el, det, why)
                elif status == WEAK and why:
                    advice = fr_typo(f"{why} {el.advice}")
                elif status == WEAK and thin:
                    if len(thin) > 60:
                        thin = thin[:59].rstrip() + "…"
                    advice = fr_typo(f"La partie « {thin} » en parle sans le détailler. "
                                     f"{det.substance_hint or el.advice}")
                elif status == WEAK:
                    advice = fr_typo("Peu d'indices trouvés : " + el.advice[0].lower() + el.advice[1:])
                res.append(ElementResult(id=el.id, label=el.label, status=status, evidence=evidence,
                                         advice=advice, score=round(score, 2)))
            elements[cid] = res
            parts[cid] = self._competence_parts(cid, res, topics, by_owner, units)
        scores = self._combine(parts)
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        best, confident = None, False
        if ranked:
            top, s1 = ranked[0]
            s2 = ranked[1][1] if len(ranked) > 1 else 0.0
            if s1 >= 0.40 and s1 - s2 >= 0.12:
                best, confident = top, True
            elif s1 > 0:
                best = top
        merged = self._merged(elements, parts, by_owner, units, spans)
        company, company_ev = self._company(by_owner, units)
        outline = self._outline(units, counted, per_unit_elements, spans)
        return FileAnalysis(scores={k: round(v, 3) for k, v in scores.items()}, best=best,
                            confident=confident, elements=elements, company_experience=company,
                            company_evidence=company_ev, outline=outline, merged=merged)

    @staticmethod
    def _counts(h: Hit, det) -> bool:
        """A body hit that asserts something: not in a negative (unless the element's rules are
        often negative: ``negations``), conditional (or, for an element that must have happened,
        future) clause."""
        return not _denies(h, det.negations) and not (h.future and det.not_future)

    @staticmethod
    def _emptied(det, hits: list[Hit], evidence: list[Hit], hollow: set[int], units, spans) -> str | None:
        """Why an element whose own sections all say nothing concrete is ``missing`` (French), or
        None when one of its own sections does say something."""
        own = {h.unit for h in hits if _opens_section(h, units) and _section_chars(h.unit, units, spans) > 0}
        if not own or not own <= hollow:
            return None
        title = units[min(own)].text.strip()
        if len(title) > 60:
            title = title[:59].rstrip() + "…"
        return (f"La partie « {title} » n'en donne rien de concret : des formules générales, « comme "
                "d'habitude », ou pour dire qu'il n'y en a pas.")

    def _unsupported(self, det, hits: list[Hit], units, spans, sub: list[Hit], bare: set[int] | None = None) -> str | None:
        """Why a ``weak`` element is in fact ``missing`` (French reason), or None.

        1. Its only evidence is in negative, conditional or future sentences, or a heading with
           (almost) nothing beneath: the candidate announces or denies it, does not show it.
        2. Its specific vocabulary (``strong`` expressions, heavy patterns) appears only in
           conditional (or, for an element that must have happened, future) sentences (« il aurait
           fallu préparer un script d'appel »): the generic words around are incidental. A mere
           negation is not enough here (« je n'ai pas utilisé les mêmes sources »).
        3. Its ``substance`` (figures next to results, a reason next to a source…) is not found
           near the evidence (or in the document, per the pack)."""
        heads = [h for h in hits if _opens_section(h, units)]
        # the element's own sections: headings with something beneath
        own = [h for h in heads if _section_chars(h.unit, units, spans) >= HEADING_SHORT]
        real_heads = [h for h in own
                      if not _denied_section(h, hits, units, spans.get(h.unit, h.unit + 1), det.not_future)]
        body = [h for h in hits if not _opens_section(h, units)
                and h.kind != "headings"]
        asserted = [h for h in body if self._counts(h, det) and h.weight >= 1.0]
        if not real_heads and not asserted:
            return ("Les seules mentions trouvées sont au futur, au conditionnel, à la forme négative "
                    "ou dans un titre sans contenu.")
        specific = [h for h in body if _specific(h)]
        if not real_heads and specific and all(h.conditional or (h.future and det.not_future)
                                               for h in specific):
            return "Les termes propres à cet élément n'apparaissent qu'au futur ou au conditionnel."
        if det.substance_min:
            if det.substance_scope == "near":
                near: set[int] = set()
                for h in real_heads:
                    near.update(range(h.unit, spans.get(h.unit, h.unit + 1)))
                # when the element's own sections hold none of its substance, an ordinary word
                # elsewhere (« bilan », « grâce à ») needs the substance in its own block
                # (denied or not: « Les résultats » over « on ne pourra juger qu'en fin d'année »)
                own_bare = bool(own) and bool(bare) and all(h.unit in bare for h in own)
                for h in asserted:
                    if own_bare and not _specific(h):
                        near.add(h.unit)
                    else:
                        near.update((h.unit - 1, h.unit, h.unit + 1))
                        near.update(_table_after(units, h.unit))
                sub = [h for h in sub if h.unit in near]
            if det.substance_lists and self._list_follows(hits, sub, units):
                return None
            if len({h.what for h in sub}) < det.substance_min:
                return det.substance_hint or "Les mots sont là, mais pas ce qui les étaye."
        return None

    def _substance_hits(self, det, by_owner) -> list[Hit]:
        """The element's substance (``detect.substance``) found in asserting clauses; with
        ``negations: true``, negative clauses count too (« on ne vend jamais en dessous du prix
        plancher » is a rule of the commercial policy), conditional and pending ones never."""
        sub = list(by_owner.get("S:" + det.key, []))
        for name in det.substance_patterns:
            sub.extend(by_owner.get("T:" + name, []))
        return [h for h in sub if not _denies(h, det.substance_negations) and not (h.future and det.not_future)]

    @staticmethod
    def _list_follows(hits: list[Hit], sub: list[Hit], units) -> bool:
        """A list or table (two items or cells at least) starts within two blocks after a block
        that announces it: a heading, a sentence ending with a colon, a block holding
        substance (« le plan comprend cinq étapes »), or an item of the list itself (a table whose
        header cell says « Étape »), followed by the steps."""
        announcing = {h.unit for h in hits if not h.negated and (units[h.unit].heading or units[h.unit].listed
                                                                  or units[h.unit].text.rstrip().endswith(":"))}
        for u in announcing | {h.unit for h in sub}:
            for k in range(u + 1, min(u + 3, len(units) - 1)):
                if units[k].listed and units[k + 1].listed:
                    return True
        return False

    def _competence_parts(self, cid, res, topics, by_owner, units) -> dict[str, float]:
        """cover: how well the competence's own elements are covered; headings: share of them
        that have a section of their own; vocab: the competence's vocabulary (raw points).
        ``topics``: (competence, element) -> (score, has a section), counting the element's
        sections even when they say nothing of it."""
        own = [r for r in res if r.id not in self.common_ids] or res
        w = {r.id: self.compiled.elements[(cid, r.id)].competence_weight for r in own}
        total = sum(w.values()) or 1.0
        cover = sum(w[r.id] * min(topics[(cid, r.id)][0], 4.0) / 4.0 for r in own) / total
        headed = sum(w[r.id] for r in own if topics[(cid, r.id)][1]) / total
        vscore = self._vocab_score(by_owner.get("C:" + cid, []), units)
        return {"cover": cover, "headings": headed, "vocab": vscore}

    @staticmethod
    def _vocab_score(hits: list[Hit], units) -> float:
        """Uncapped density of a competence's vocabulary: 3 per heading holding it, and per
        body block the number of distinct expressions (at most 2)."""
        heads = set()
        body: dict[int, set[str]] = {}
        for h in hits:
            if _opens_section(h, units):
                heads.add(h.unit)
            elif h.kind != "headings":
                body.setdefault(h.unit, set()).add(h.what)
        return 3.0 * len(heads) + sum(min(2, len(v)) for v in body.values())

    @staticmethod
    def _combine(parts: dict[str, dict[str, float]]) -> dict[str, float]:
        # relative vocabulary, with a floor so that a few stray words do not decide
        top_vocab = max(VOCAB_FLOOR, max((p["vocab"] for p in parts.values()), default=0.0))
        return {cid: 0.35 * p["cover"] + 0.30 * p["headings"] + 0.35 * (p["vocab"] / top_vocab)
                for cid, p in parts.items()}

    def _merged(self, elements, parts, by_owner, units, spans) -> list[str]:
        """Competences that each own a large part of the file: the top-level sections are labelled
        with the competence whose vocabulary dominates them, and a competence whose sections hold
        at least a quarter of the text, and whose own elements are well covered, counts. Two or
        more such competences: a merged dossier."""
        heads = [i for i, u in enumerate(units) if u.heading]
        if len(heads) < 2:
            return []
        top = min(units[i].level for i in heads)
        tops = [i for i in heads if units[i].level == top]
        if len(tops) < 2:
            return []
        bounds = []
        for k, i in enumerate(tops):
            bounds.append((i, tops[k + 1] if k + 1 < len(tops) else len(units)))
        if tops[0] > 0:
            bounds.insert(0, (0, tops[0]))
        total = sum(u.chars for u in units) or 1
        share: dict[str, float] = {}
        vocab_in: dict[str, float] = {}
        for lo, hi in bounds:
            per = {}
            for cid in parts:
                hits = [h for h in by_owner.get("C:" + cid, []) if lo <= h.unit < hi]
                per[cid] = self._vocab_score(hits, units)
            ranked = sorted(per.items(), key=lambda kv: -kv[1])
            best, v1 = ranked[0]
            v2 = ranked[1][1] if len(ranked) > 1 else 0.0
            if v1 >= 3 and v1 >= 2 * v2:
                chars = sum(units[k].chars for k in range(lo, hi))
                share[best] = share.get(best, 0.0) + chars / total
                vocab_in[best] = vocab_in.get(best, 0.0) + v1
        full = [cid for cid, sh in share.items()
                if sh >= 0.25 and vocab_in[cid] >= 6 and parts[cid]["cover"] >= 0.6]
        return sorted(full, key=lambda c: list(parts).index(c)) if len(full) >= 2 else []

    def _company(self, by_owner, units):
        """In-company experience: distinct cues, overlapping ones counted once (« mon stage »
        holds « stage »), cues in negative or conditional sentences ignored. ``strong`` cues
        (stage, alternance, tuteur…) 2 points, ``positive`` ones 1, ``negative`` ones (projet
        fictif, étude de cas…) 2. True when positive evidence outweighs negative; False when a
        negative cue is at least as heavy; None when nothing is said."""
        hits = sorted(by_owner.get("company", []), key=lambda h: (h.unit, h.start, -(h.end - h.start)))
        kept: list[Hit] = []
        for h in hits:
            if h.negated and h.kind != "negative":
                continue
            if kept and kept[-1].unit == h.unit and h.start < kept[-1].end:
                continue  # inside a longer cue already counted
            kept.append(h)
        weights = {"strong": 2.0, "positive": 1.0, "negative": 2.0}
        seen: set[tuple[str, str]] = set()
        pos = neg = 0.0
        ev = []
        for h in kept:
            key = (h.kind, units[h.unit].text[h.start:h.end].lower())
            if key in seen:
                continue
            seen.add(key)
            if h.kind == "negative":
                neg += weights["negative"]
            else:
                pos += weights.get(h.kind, 1.0)
                if len(ev) < MAX_EVIDENCE and h.unit not in {e.unit for e in ev}:
                    ev.append(h)
        evidence = [Evidence(text=_quote(units[h.unit].text, h.start, h.end), page=units[h.unit].page,
                             in_heading=units[h.unit].heading) for h in ev]
        if pos == 0 and neg == 0:
            return None, []
        if neg >= pos:
            return False, []
        if neg == 0 or pos >= neg + 3:
            return True, evidence
        return None, evidence

    def _outline(self, units: list[Unit], counted: int, per_unit_elements, spans) -> list[Section]:
        total = counted or sum(u.chars for u in units) or 1
        sections = []
        headings = [i for i, u in enumerate(units) if u.heading]
        if headings:
            if headings[0] > 0:
                pre = range(0, headings[0])
                chars = sum(units[k].chars for k in pre)
                if chars > 0:
                    sections.append(self._section("(début du document)", 1, pre, units, total,
                                                  per_unit_elements))
            for i in headings:
                rng = range(i, spans[i])
                sections.append(self._section(units[i].text.strip(), units[i].level, rng, units, total,
                                              per_unit_elements))
        else:
            i = 0
            while i < len(units):
                if not units[i].text.strip():
                    i += 1
                    continue
                j = i + 1
                # short pieces (list items, table cells, one-line paragraphs) follow the
                # paragraph that introduces them
                while j < len(units) and (not units[j].text.strip() or units[j].chars < 120):
                    j += 1
                words = units[i].text.split()
                title = " ".join(words[:8]) + ("…" if len(words) > 8 else "")
                sections.append(self._section(title, 0, range(i, j), units, total, per_unit_elements))
                i = j
        return sections

    def _section(self, title, level, rng, units, total, per_unit_elements) -> Section:
        chars = sum(units[k].chars for k in rng)
        els = {}
        for cid, per_unit in per_unit_elements.items():
            here = set()
            for k in rng:
                here |= per_unit.get(k, set())
            els[cid] = [e.id for e in self.pack.competences[cid].elements if e.id in here]  # pack order
        if len(title) > 120:
            title = title[:119] + "…"
        return Section(title=title, level=level, characters=chars, share=round(chars / total, 4),
                       page=units[rng.start].page if len(rng) else None, elements=els)


def source_sentence(source: str, det, element) -> str:
    """The sentence of the référentiel text an element comes from."""
    text = source.strip().strip("«»").strip()
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]
    if not sentences:
        return text
    if len(sentences) == 1:
        return sentences[0]
    keys = []
    if det.cite:
        keys = [fold(det.cite)]
    else:
        for kind in ("headings", "strong", "phrases"):
            keys.extend(fold(p) for p in det.phrases.get(kind, []))
        keys.append(fold(element.label))
    best, best_score = sentences[0], -1
    for s in sentences:
        fs = fold(s)
        sc = sum(3 if k in fs else 0 for k in keys[:1]) + sum(1 for k in keys for w in k.split()
                                                              if len(w) > 4 and w in fs)
        if sc > best_score:
            best, best_score = s, sc
    return best


def missing_advice(element, det, why: str | None = None) -> str:
    sentence = source_sentence(element.source, det, element)
    looked = []
    for kind in ("headings", "strong", "phrases"):
        for p in det.phrases.get(kind, []):
            p = p.lstrip("=").strip()
            if p not in looked:
                looked.append(p)
    looked = looked[:4]
    text = element.advice.rstrip()
    if not text.endswith((".", "!", "?", "»", ")")):
        text += "."
    text += f" Le référentiel demande : « {sentence.rstrip('.')} »."
    if why:
        text += " " + why.rstrip()
        if not text.endswith((".", "!", "?", "»", ")")):
            text += "."
    elif looked:
        text += " Expressions cherchées sans succès : " + ", ".join(f"« {p} »" for p in looked) + "."
    return fr_typo(text)
