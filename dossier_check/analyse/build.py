"""Rebuild what ``models/`` caches: ``python -m dossier_check.analyse.build``.

- ``models/sre-<python>-<magic>.bin``: compiled programs of the slow spaCy regexes;
- ``models/phrases-<pack sha256[:16]>.json``: lemmas of every phrase of each built-in pack;
- ``models/lemma-<sha256[:16]>.bin``: the French lemmatizer's lookup tables, compact
  (:mod:`.lemma_tables`).

Run it after changing a built-in pack, spaCy, the French model or Python;
``tests/test_analyse_models.py`` fails while a cache is out of date.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .nlp import MODEL_NAME


def build_sre() -> str:
    from .nlp import slow_patterns, write_sre_cache

    return str(write_sre_cache(slow_patterns()))


def lookups_bin() -> Path:
    """The lemmatizer tables file of the installed French model."""
    import importlib.util

    spec = importlib.util.find_spec(MODEL_NAME)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"{MODEL_NAME} is not installed")
    found = sorted(Path(spec.submodule_search_locations[0]).glob("*/lemmatizer/lookups/lookups.bin"))
    if not found:
        raise SystemExit(f"{MODEL_NAME}: no lemmatizer/lookups/lookups.bin")
    return found[-1]


def build_lemma_tables() -> str:
    from .lemma_tables import write_cache
    from .nlp import MODELS_DIR

    path = write_cache(lookups_bin().read_bytes(), MODELS_DIR)
    for old in MODELS_DIR.glob("lemma-*.bin"):
        if old != path:
            old.unlink()
    return str(path)


def build_phrases() -> list[str]:
    from ..rulepack import builtin_packs
    from .nlp import MODELS_DIR
    from .patterns import phrase_cache_path, write_phrase_cache

    out = []
    keep = set()
    for pack in builtin_packs().values():
        out.append(write_phrase_cache(pack))
        keep.add(phrase_cache_path(pack.sha256).name)
    for old in MODELS_DIR.glob("phrases-*.json"):
        if old.name not in keep:
            old.unlink()
    return out


def main() -> None:
    if "--sre-only" in sys.argv:
        print(build_sre())
        return
    # the regex cache must be built in a fresh process (nothing compiled yet)
    subprocess.run([sys.executable, "-m", "dossier_check.analyse.build", "--sre-only"], check=True)
    print(build_lemma_tables())
    for p in build_phrases():
        print(p)


if __name__ == "__main__":
    main()
