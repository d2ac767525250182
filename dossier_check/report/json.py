"""report-v1 as JSON (../shared/spec/report-v1.md)."""
from __future__ import annotations

import json


def render(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"
