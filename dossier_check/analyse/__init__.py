"""Content analysis: required elements, competence matching, company experience, outline.

    from dossier_check.analyse import get_analyser
    an = get_analyser(pack)               # cached per pack.sha256; loads spaCy on first use
    fa = an.analyse(blocks, counted_chars)
    fas = an.analyse_many([(blocks, counted_chars), ...])   # nlp.pipe

spaCy is imported only when an analyser is first built.
"""
from __future__ import annotations

import threading

from .length import advise_length  # noqa: F401  (pure Python, no spaCy)

_ANALYSERS: dict = {}
_LOCK = threading.Lock()


def get_analyser(pack):
    """The analyser of ``pack`` (dossier_check.rulepack.RulePack), built once per pack hash."""
    an = _ANALYSERS.get(pack.sha256)
    if an is None:
        with _LOCK:
            an = _ANALYSERS.get(pack.sha256)
            if an is None:
                from .analyser import Analyser

                an = Analyser(pack)
                _ANALYSERS[pack.sha256] = an
    return an


__all__ = ["get_analyser", "advise_length"]
