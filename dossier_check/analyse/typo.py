"""French typography for user-facing sentences."""
from __future__ import annotations

import re

NBSP = "\u00a0"


def fr_typo(text: str) -> str:
    """« » with no-break spaces inside, a no-break space before : ; ! ?, and no doubled spaces."""
    text = re.sub(r"«\s*", "«" + NBSP, text)
    text = re.sub(r"\s*»", NBSP + "»", text)
    text = re.sub(r"[ \u00a0\u202f]*([:;!?])(?=\s|$|»|\u00a0)", NBSP + r"\1", text)
    text = re.sub(r"[ ]{2,}", " ", text)
    return text


def thousands(n: int) -> str:
    """12 000 with a no-break space."""
    return f"{n:,}".replace(",", NBSP)


def percent(share: float) -> str:
    return f"{round(share * 100)}{NBSP}%"
