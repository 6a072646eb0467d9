"""The scans of the real reports (150 dpi, grey, turned, noisy, no text layer) read by OCR: every cell exact.

OCR costs seconds per page, so each scan is read once per module; the whole module reads the six scans
(about 24 recognised pages). Sockets are forbidden throughout and the engine is built inside the ban:
the models come from the rapidocr wheel, nothing is fetched.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from extract.documents import ocr
from tests.realreports import NAMES, REAL, expected_tables, failed_rules, truth
from transform.runner import extract_file

pytestmark = pytest.mark.skipif(not ocr.available(), reason="rapidocr / onnxruntime not installed")

SCANS = [n for n in NAMES if (REAL / n / "report_scanned.pdf").is_file()]


@pytest.fixture(scope="module")
def no_network():
    """Every connection attempt fails the test: OCR must never reach for a model hub."""
    attempts: list = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise OSError(f"network access attempted during OCR: {address}")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", refuse)
        mp.setattr(socket.socket, "connect_ex", refuse)
        mp.setattr(socket, "getaddrinfo", lambda *a, **k: refuse(None, a))
        mp.setattr(ocr, "_engine", None)  # built again inside the ban
        mp.setenv("XXGK_OCR", "1")
        mp.setenv("XXGK_OCR_TIME_LIMIT_S", "900")  # accuracy is tested here; a shared CI machine can be slow
        yield attempts


@pytest.fixture(scope="module")
def results(no_network) -> dict:
    return {}


def _read(results: dict, name: str) -> dict:
    if name not in results:
        results[name] = extract_file(REAL / name / "report_scanned.pdf")
    return results[name]


def test_models_are_the_packaged_ones(no_network):
    import rapidocr

    package = Path(rapidocr.__file__).resolve().parent
    for path in ocr.model_files().values():
        assert path.is_file() and path.stat().st_size > 100_000
        assert package in path.parents
    engine = ocr.engine()
    assert engine is not None and not no_network


@pytest.mark.parametrize("name", SCANS)
def test_every_cell_of_the_scan_exact(results, no_network, name):
    out = _read(results, name)
    expected = expected_tables(name)
    assert set(out["tables"]) == set(expected)
    for tid, table in expected.items():
        got = out["tables"][tid]
        assert got["version"] == table["version"], tid
        assert got["cells"] == table["cells"], tid
    assert not no_network


@pytest.mark.parametrize("name", SCANS)
def test_scan_metadata_trust_and_triage(results, name):
    out = _read(results, name)
    t = truth(name)
    assert out["report"]["year"] == t["year"]
    assert out["report"]["agency"] in t["agency"]
    assert all(s.get("ocr") is True and 0 <= s["confidence"] <= 1 and len(s["image_box"]) == 4
               for s in out["cells_source"])
    failed = {(c["rule"].removesuffix("_2019").removesuffix("_2021"), c["where"]) for c in out["checks"] if not c["ok"]}
    assert failed == failed_rules(name)
    if out["status"] == "ok":  # ok only when every rule holds and every OCR'd number is sure
        assert not failed and all(s["confidence"] >= 0.97 for s in out["cells_source"])
    else:
        assert out["status"] == "warning"
        assert {"ocr_low_confidence", "ocr_check_failed", "blank_cell"} & {i["code"] for i in out["issues"]}
    # Triage: not every page is recognised in full (pages of running text only are skipped).
    read = next(i for i in out["issues"] if i["code"] == "ocr")
    assert read["message"].startswith("pages [1, ")
