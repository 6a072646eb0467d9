"""`xxgk extract PATH... --json`: JSON Lines on stdout, one object per input, logs on stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.realreports import REAL

XXGK = [sys.executable, "-m", "flows.cli"]


def test_extract_json_lines(tmp_path: Path):
    junk = tmp_path / "notes.txt"
    junk.write_text("not a report", encoding="utf-8")
    paths = [REAL / "js-huaian-city-2024" / "report.pdf", REAL / "sh-city-office-2019" / "source.html", junk,
             tmp_path / "missing.pdf"]
    proc = subprocess.run([*XXGK, "extract", *map(str, paths), "--json"], capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 4
    objs = [json.loads(line) for line in lines]
    assert [o["source"] for o in objs] == [str(p) for p in paths]
    assert [o["status"] for o in objs] == ["ok", "warning", "unsupported", "failed"]
    city = objs[0]
    assert city["report"] == {"agency": "淮安市人民政府", "region": "江苏省淮安市", "year": 2024,
                              "format_version": "gov2021", "title": "淮安市人民政府2024年政府信息公开工作年度报告"}
    assert city["tables"]["t3_requests"]["cells"]["new_received"]["total"] == 3119
    assert len(city["sha256"]) == 64 and city["media_type"] == "application/pdf"
    assert "missing.pdf" in proc.stderr
