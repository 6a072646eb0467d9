"""Every issue code the extractor can emit is explained in README's "Issue codes" table."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_EMITTED = (
    re.compile(r'Issue\(\s*(?:"[a-z]+"|"[a-z]+" if [^,]+ else "[a-z]+")\s*,\s*"([a-z_0-9]+)"'),  # Issue(sev, "code"
    re.compile(r'"([a-z_]+)" if parsed\.unit else "([a-z_]+)"'),  # unit_in_cell / formatted_number
    re.compile(r'_empty\("[a-z_]+", "([a-z_]+)"'),
    re.compile(r'DocumentError\("([a-z_]+)"'),
)


def emitted_codes() -> set[str]:
    codes: set[str] = set()
    for path in [*(ROOT / "transform").rglob("*.py"), *(ROOT / "extract").glob("*.py"),
                 *(ROOT / "extract" / "documents").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        for pattern in _EMITTED:
            for match in pattern.finditer(text):
                codes.update(g for g in match.groups() if g)
    return codes


def documented_codes() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Issue codes", 1)[1].split("\n### ", 1)[0]
    return {code for line in section.splitlines() if line.startswith("| `")
            for code in re.findall(r"`([a-z_0-9]+)`", line.split("|")[1])}


def test_every_emitted_issue_code_is_documented():
    emitted = emitted_codes()
    assert {"blank_cell", "tables_as_images", "parser_limit", "encrypted", "formatted_number"} <= emitted
    assert emitted - documented_codes() == set()
