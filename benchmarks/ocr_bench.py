"""OCR benchmark: seconds per scanned report and per recognised page, peak memory, on 2 processes.

    .venv/bin/python benchmarks/ocr_bench.py [--processes 2] [--out ocr.json]

Reads every ``shared/real-reports/*/report_scanned.pdf`` (150 dpi, grey, turned, noisy; no text layer)
through the whole extraction (``extract_file``: read, triage, OCR, tables, checks, trust), the reports
shared out over ``--processes`` worker processes, each onnxruntime limited to one thread per process so
the processes do not fight over the cores. Reported per report: wall seconds, pages in the file,
pages recognised in full (the triage skips pages without a table), status and whether every cell equals
the truth; per process: peak resident memory. Totals: seconds per report and per recognised page, and
the wall time of the whole set (what a nightly run pays for these scans).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _one(name: str) -> dict:
    from tests.realreports import REAL, expected_tables
    from transform.runner import extract_file

    path = REAL / name / "report_scanned.pdf"
    start = time.perf_counter()
    out = extract_file(path)
    seconds = time.perf_counter() - start
    read = next((i["message"] for i in out["issues"] if i["code"] == "ocr"), "")
    pages_full = len(re.findall(r"\d+", read.split("]")[0])) if read else 0
    exact = out["tables"] == expected_tables(name)
    return {"report": name, "seconds": round(seconds, 2), "pages": _pages(path), "pages_ocr": pages_full,
            "status": out["status"], "exact": exact, "pid": os.getpid(),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def _pages(path: Path) -> int:
    import pypdfium2 as pdfium

    return len(pdfium.PdfDocument(path.read_bytes()))


def _warm(_: int = 0) -> int:
    """Load the models once per worker before timing (a nightly worker keeps them for many documents)."""
    import numpy as np

    from extract.documents import ocr

    ocr.recognise(np.full((64, 256), 255, np.uint8))
    return os.getpid()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    os.environ.setdefault("XXGK_OCR_THREADS", "1")  # one onnxruntime thread per process
    os.environ["XXGK_OCR_TIME_LIMIT_S"] = "600"  # measure, do not cut
    from tests.realreports import NAMES, REAL

    names = [n for n in NAMES if (REAL / n / "report_scanned.pdf").is_file()]
    with ProcessPoolExecutor(args.processes) as pool:
        list(pool.map(_warm, range(args.processes)))
        start = time.perf_counter()
        rows = list(pool.map(_one, names))
        wall = time.perf_counter() - start
    pages = sum(r["pages_ocr"] for r in rows)
    summary = {
        "processes": args.processes,
        "reports": len(rows),
        "wall_s": round(wall, 1),
        "s_per_report": round(sum(r["seconds"] for r in rows) / len(rows), 1),
        "s_per_ocr_page": round(sum(r["seconds"] for r in rows) / max(pages, 1), 2),
        "pages_in_files": sum(r["pages"] for r in rows),
        "pages_ocr": pages,
        "peak_rss_mb_per_process": max(r["peak_rss_mb"] for r in rows),
        "exact": sum(r["exact"] for r in rows),
        "load_average": os.getloadavg()[0],
    }
    for r in rows:
        print(f"{r['report']:<24} {r['seconds']:>6.1f} s  {r['pages_ocr']}/{r['pages']} pages  {r['status']:<8} "
              f"exact={r['exact']}  peak {r['peak_rss_mb']} MB")
    print(json.dumps(summary, indent=1))
    if args.out:
        args.out.write_text(json.dumps({"summary": summary, "reports": rows}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
