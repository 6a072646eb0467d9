"""OCR can be turned off: `xxgk extract --no-ocr`, and the flows' `ocr` setting (both through XXGK_OCR)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from flows.settings import Settings
from tests.realreports import REAL

XXGK = [sys.executable, "-m", "flows.cli"]


def test_no_ocr_flag_keeps_a_scan_unsupported():
    scan = REAL / "js-huaian-hongze-2024" / "report_scanned.pdf"
    env = {k: v for k, v in os.environ.items() if k != "XXGK_OCR"}
    proc = subprocess.run([*XXGK, "extract", str(scan), "--no-ocr"], capture_output=True, text=True, timeout=300,
                          check=False, env=env)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["status"] == "unsupported" and [i["code"] for i in out["issues"]] == ["scanned"]
    assert out["tables"] == {}


def test_flow_settings_carry_the_switch_and_limit(monkeypatch):
    monkeypatch.delenv("XXGK_OCR", raising=False)
    assert Settings().ocr_environment() == {"XXGK_OCR": "1", "XXGK_OCR_TIME_LIMIT_S": "80.0"}
    monkeypatch.setenv("XXGK_OCR", "0")
    monkeypatch.setenv("XXGK_OCR_TIME_LIMIT_S", "30")
    assert Settings().ocr_environment() == {"XXGK_OCR": "0", "XXGK_OCR_TIME_LIMIT_S": "30.0"}
